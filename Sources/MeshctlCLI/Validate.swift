import ArgumentParser
import Manifest
import MeshSchema

extension Meshctl {
  /// `meshctl validate`: checks manifests offline and reports findings.
  ///
  /// Where output goes: the report (findings and the summary line, in every format) is the
  /// command's result and goes to standard output; standard error carries only failures to do
  /// the job (an unreadable path), so `-o json > report.json` stays valid JSON.
  public struct Validate: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests against meshctl's schemas, offline.",
        discussion: """
          Reads every -f input (with no -f, standard input when it is not a terminal), one \
          document at a time, and reports findings with file, line, column, a stable rule \
          code and a hint. The report goes to standard output in every format; unreadable \
          inputs are reported on standard error. Exit codes do not depend on -o \
          (see '\(Meshctl.displayName) help exit-codes').

          Memory does not grow with the input: once the summaries the cross-document checks \
          keep pass 2 MiB, they move to an unlinked temporary file in $TMPDIR (else /tmp).

          Examples:
            \(Meshctl.displayName) validate -f deploy/ -R
            \(Meshctl.displayName) validate -f app.yaml -o sarif > meshctl.sarif
            kustomize build . | \(Meshctl.displayName) validate -f - --fail-on warning
          """)
    }

    /// Output format.
    public enum Format: String, ArgumentChoice, Sendable {
      case text, json, junit, sarif, github
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup public var cluster: ClusterOptions
    /// Where manifests come from.
    @OptionGroup public var input: InputOptions

    /// Output format.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output format: text, json, junit, sarif or github.", valueName: "format"))
    public var output: Format = .text

    /// The lowest severity that makes the command exit 1.
    @Option(
      name: .customLong("fail-on"),
      help: ArgumentHelp(
        "Exit 1 on findings at or above this severity: error, warning or never.", valueName: "severity"))
    public var failOn: FailOn = .error

    /// Unknown fields are errors.
    @Flag(help: "Treat unknown fields in Kubernetes and provider kinds as errors, not warnings.")
    public var strict = false

    /// Creates the command with defaults.
    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      var arguments = input.filenames
      if arguments.isEmpty {
        guard !context.stdinIsTerminal else {
          throw ValidationError("no input: give -f PATH, or pipe manifests in (-f - reads standard input)")
        }
        arguments = ["-"]
      }
      var run = ValidationRun(options: ValidationOptions(strict: strict))
      // Only JUnit lists objects; the other formats need their count alone.
      run.recordsObjects = output == .junit
      let report = run.run(arguments: arguments, recursive: input.recursive, context: context) {
        context.stderr.write("\(Meshctl.displayName): error: \($0)\n")
      }
      context.stdout.write(render(report, color: context.stdoutAllowsColor))
      return report.exitStatus(failOn: failOn)
    }

    /// The report in the chosen format.
    func render(_ report: ValidationReport, color: Bool) -> String {
      switch output {
      case .text: return TextReport(color: color).render(report)
      case .json: return JSONReport.render(report, failOn: failOn)
      case .junit: return JUnitReport.render(report, failOn: failOn)
      case .sarif: return SARIFReport.render(report)
      case .github: return GitHubReport.render(report)
      }
    }
  }
}

extension FailOn: ArgumentChoice {}
