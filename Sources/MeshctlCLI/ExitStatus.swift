/// meshctl's exit codes: one table, the same whatever `-o` is (DESIGN.md §7).
/// `meshctl help exit-codes` prints it.
public enum ExitStatus: Int32, Sendable, CaseIterable {
  /// Everything worked and nothing was found at or above `--fail-on`.
  case success = 0
  /// Findings at or above `--fail-on`, errors that stop `render`, `diff` found changes, or
  /// `mtls enable` refused (STRICT with workloads that have no sidecar, or plaintext callers
  /// seen), or `mtls check` saw plaintext callers, or a named object does not exist
  /// (kubectl's NotFound: `shift nosuch`, `delete` without `--ignore-not-found`).
  case findings = 1
  /// An input could not be read, or is not YAML.
  case inputError = 2
  /// The cluster or its API failed or could not be reached, or Prometheus could not be found or
  /// asked (an object that does not exist is 1, not 3).
  case clusterError = 3
  /// Server-side apply hit a field-manager conflict, or `shift` lost a race or found another shift running.
  case applyConflict = 4
  /// `shift` was rolled back by its health gate or its canary analysis.
  case rolledBack = 5
  /// The command line was wrong (BSD `EX_USAGE`).
  case usage = 64
  /// meshctl itself failed: a bug (BSD `EX_SOFTWARE`).
  case internalError = 70
  /// Ctrl-C (or SIGTERM) ended the command; `shift` restored the weights first (128 + SIGINT).
  case interrupted = 130

  /// What the code means, one line.
  public var meaning: String {
    switch self {
    case .success: return "success"
    case .findings:
      return
        "findings at or above --fail-on (validate), errors that stop render, apply or diff (nothing is sent), changes found (diff), apply refused by a guard (--allow-empty, --force), mtls enable refused, plaintext callers seen (mtls check), nothing for shift --rollback, or a named object not found (kubectl's NotFound: shift SERVICE without a TrafficSplit, delete without --ignore-not-found)"
    case .inputError: return "an input is unreadable or not YAML, or the output could not be written (takes precedence over 1)"
    case .clusterError:
      return
        "the cluster or its API failed or could not be reached, or Prometheus could not be found or asked (a check that was not possible); after shift: the weights were NOT restored (the message says how)"
    case .applyConflict:
      return
        "apply conflict: another field manager owns a field (re-run with --force-conflicts; weights a shift holds: shift --finish or --abandon), or shift lost a race with another writer"
    case .rolledBack: return "shift was rolled back by its health gate or canary analysis (weights restored)"
    case .interrupted: return "interrupted (Ctrl-C); shift restored the weights first"
    case .usage: return "usage error: wrong flags or arguments"
    case .internalError: return "internal error: a bug in meshctl, please report it"
    }
  }

  /// The table as `meshctl help exit-codes` prints it.
  public static var table: String {
    var text = "EXIT CODES (the same for every -o format):\n"
    for status in allCases {
      let code = String(status.rawValue)
      text += "  " + code + String(repeating: " ", count: max(1, 4 - code.count)) + status.meaning + "\n"
    }
    text += "When several apply, 2 takes precedence over 1.\n"
    return text
  }
}
