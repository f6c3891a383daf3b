import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

/// Every error a command can end with, mapped in one place to its exit status and to the
/// message people see. Commands throw; only `Meshctl.run` prints errors, through here.
enum ErrorFunnel {
  /// What an error comes to.
  struct Verdict: Equatable {
    /// The exit status.
    var status: ExitStatus
    /// The message, without its line break; nil when it was printed already (`CommandFailure`).
    var message: String?
    /// Whether the message is the command's result (`--help`, `--version`) and goes to
    /// standard output, not standard error.
    var isOutput = false
  }

  /// The exit status `error` means.
  static func status(for error: any Error) -> ExitStatus {
    verdict(for: error).status
  }

  /// The exit status and message of `error`.
  static func verdict(for error: any Error) -> Verdict {
    switch error {
    case let error as ManifestError: return Verdict(status: .inputError, message: prefixed(error.description))
    case let error as InputFailure: return Verdict(status: .inputError, message: error.description)
    case let error as MeshctlError: return Verdict(status: error.exitStatus, message: prefixed(error.description))
    case let failure as CommandFailure: return Verdict(status: failure.status, message: nil)
    case let error as KubeconfigError: return Verdict(status: .clusterError, message: prefixed(error.description))
    case let error as MeshOpsError:
      // A request the cluster's state makes meaningless is a usage error, said as one.
      guard error.isClusterFailure else { return verdict(for: ValidationError(error.description)) }
      return Verdict(status: .clusterError, message: prefixed(error.description))
    case let error as ShiftRefusal:
      return Verdict(status: error.isConflict ? .applyConflict : .findings, message: prefixed(error.description))
    case let error as PrometheusError: return Verdict(status: .clusterError, message: prefixed(error.description))
    case let error as CanaryAnalysisError: return verdict(for: ValidationError(error.description))
    case let error as UnknownCommand:
      return Verdict(status: .usage, message: prefixed(error.description) + "\n" + usage(of: error.parent))
    case let error as ObjectNotFound: return Verdict(status: .findings, message: error.description)
    case let error as TransportError: return Verdict(status: .clusterError, message: prefixed(error.description))
    case let error as APIError where error.category == .notFound:
      // A named object that does not exist is the request's failure, said as kubectl says it.
      return Verdict(status: .findings, message: "Error from server (NotFound): \(error.description)")
    case let error as APIError:
      let status: ExitStatus = error.failureClass == .conflict ? .applyConflict : .clusterError
      return Verdict(status: status, message: prefixed(error.description))
    default: return argumentParserVerdict(for: error)
    }
  }

  /// Prints `error`'s message where it belongs and returns its exit code. A usage error thrown
  /// while `command` ran ends with that command's usage line, as parse errors do.
  static func report(_ error: any Error, command: (any ParsableCommand.Type)? = nil, context: CommandContext) -> Int32 {
    var verdict = verdict(for: error)
    if let command, verdict.status == .usage, let message = usageMessage(of: error) {
      verdict.message = prefixed(message) + "\n" + usage(of: command)
    }
    if verdict.isOutput, let message = verdict.message { verdict.message = HelpLayout.arrange(message) }
    if let message = verdict.message, !message.isEmpty {
      (verdict.isOutput ? context.stdout : context.stderr).write(message + "\n")
    }
    return verdict.status.rawValue
  }

  /// The message of an error that is a usage error when a command's run throws it.
  private static func usageMessage(of error: any Error) -> String? {
    switch error {
    case let error as ValidationError: return error.message
    case let error as MeshOpsError where !error.isClusterFailure: return error.description
    case let error as CanaryAnalysisError: return error.description
    default: return nil
    }
  }

  /// `Usage: meshctl validate <options>` and where the help is, as argument-parser prints them.
  static func usage(of command: any ParsableCommand.Type) -> String {
    let names = ([Meshctl.displayName] + Meshctl.path(to: command)).joined(separator: " ")
    return "Usage: \(Meshctl.usageString(for: command))\n  See '\(names) --help' for more information."
  }

  /// `meshctl: error: message`.
  private static func prefixed(_ message: String) -> String {
    Meshctl._errorPrefix + message
  }

  /// ArgumentParser's own errors (usage, `--help`, `--version`, `ExitCode`) and anything else.
  private static func argumentParserVerdict(for error: any Error) -> Verdict {
    let code = Meshctl.exitCode(for: error)
    let message = Meshctl.fullMessage(for: error)
    if code == .success { return Verdict(status: .success, message: message, isOutput: true) }
    // ArgumentParser reports usage errors as EX_USAGE; say so explicitly, whatever the platform.
    if code == .validationFailure { return Verdict(status: .usage, message: message) }
    // Every `ExitCode` meshctl throws comes from its table; ArgumentParser's own is 1 (failure).
    return Verdict(status: ExitStatus(rawValue: code.rawValue) ?? .internalError, message: message)
  }
}
