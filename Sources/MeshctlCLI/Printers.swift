import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

/// Findings and failures for people, on standard error: the one place that decides how a
/// diagnostic looks there.
struct DiagnosticPrinter {
  private let sink: any TextSink
  private let report: TextReport

  /// A printer for `context`'s standard error, in colour when it allows colour.
  init(_ context: CommandContext) {
    sink = context.stderr
    report = TextReport(color: context.stderrAllowsColor)
  }

  /// Each finding as `validate` prints it: location, message, source line, caret, hint.
  func print(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics { sink.write(report.render(diagnostic)) }
  }

  /// Each finding on one line: `file:line:col: severity: message [CODE]`.
  func printLines(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics { sink.write(TextReport.line(diagnostic) + "\n") }
  }

  /// Each finding as a message about the command itself (`meshctl: error: message`, then the
  /// hint): for findings about what the flags built, which have no file to point into.
  func printMessages(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics {
      sink.write("\(Meshctl.displayName): \(diagnostic.severity.rawValue): \(diagnostic.message)\n")
      if let hint = diagnostic.hint { sink.write("  hint: \(hint)\n") }
    }
  }

  /// A guard's verdict: its warnings, errors and hints; returns whether it refuses.
  func print(_ verdict: GuardVerdict) -> Bool {
    for warning in verdict.warnings { sink.write("Warning: \(warning)\n") }
    for message in verdict.errors { error(message) }
    for hint in verdict.hints { sink.write("  hint: \(hint)\n") }
    return verdict.refused
  }

  /// `meshctl: error: message`: a failure to do (part of) the job.
  func error(_ message: String) {
    sink.write("\(Meshctl.displayName): error: \(message)\n")
  }

  /// `meshctl: message`: what the command did or did not do (`nothing was sent to the cluster`).
  func note(_ message: String) {
    sink.write("\(Meshctl.displayName): \(message)\n")
  }
}

extension ColorMode: ArgumentChoice {}

/// kubectl's report of server-side applied objects: a result line each (or `-o name`), or the
/// objects for `-o json|yaml` at the end; each failure on standard error, kubectl's way.
final class AppliedObjects {
  private let context: CommandContext
  private let dryRun: DryRunMode
  private let output: ObjectOutput?
  private var printed: [Node] = []
  /// The failures so far.
  private(set) var failures: [any Error] = []

  /// A report for `apply` (or `mtls enable`) with its `--dry-run` and `-o`.
  init(context: CommandContext, dryRun: DryRunMode, output: ObjectOutput? = nil) {
    self.context = context
    self.dryRun = dryRun
    self.output = output
  }

  /// An object was applied (`answer`: what the server stored; nil: not sent, or not checked).
  func applied(_ object: ResolvedObject, answer: Node? = nil, note: String? = nil) {
    switch output {
    case nil: context.stdout.write(dryRun.appliedLine(object, note: note))
    case .name?: context.stdout.write(object.reference + "\n")
    case .json?, .yaml?: printed.append(answer ?? object.body)
    }
  }

  /// An object failed.
  func failed(_ object: ResolvedObject, _ error: any Error) {
    context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
    failures.append(error)
  }

  /// A problem that stopped an object before it was sent.
  func failed(_ problem: ObjectProblem) {
    context.stderr.write("error: \(problem.description)\n")
    failures.append(problem)
  }

  /// Writes the objects kept for `-o json|yaml` when every object was applied (all or
  /// nothing: a failure leaves standard output empty); the exit status the failures mean.
  func finish() -> ExitStatus {
    if failures.isEmpty { ObjectOutput.write(printed, as: output, to: context.stdout) }
    return ExitStatus(clusterFailures: failures)
  }
}

