import ArgumentParser
import KubeClient
import Manifest
import MeshOps

extension Meshctl {
  /// `meshctl check`: can this cluster take meshctl?
  public struct Check: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "check",
        abstract: "Check that the cluster can take meshctl: reachable, version, mesh, permissions.",
        discussion: """
          Each check prints √ (passed), ‼ (works, with a caveat) or × (fails), with a hint for \
          what to do. The permissions are checked with SelfSubjectAccessReview for what meshctl \
          does: apply and delete its objects, read pods. --pre checks a cluster before a mesh \
          is installed (a missing mesh is then a caveat, not a failure). Exit 0 when nothing \
          fails, 3 otherwise.

          Examples:
            \(Meshctl.displayName) check
            \(Meshctl.displayName) check --pre -o json
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Check before a mesh is installed.
    @Flag(help: "Check a cluster before a mesh is installed.")
    public var pre = false

    /// `text` or `json`.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output: text or json.", valueName: "format"))
    public var output: CheckOutput = .text

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let (session, pre) = (Result { try ClusterSession(options: cluster, context: context) }, self.pre)
      let results = try awaitCompletion { await Preflight.run(session: session, pre: pre) }
      switch output {
      case .text: context.stdout.write(CheckResult.text(results))
      case .json: context.stdout.write(JSONEmitter.emit(CheckResult.json(results)) + "\n")
      }
      return results.contains { $0.status == .failed } ? .clusterError : .success
    }
  }
}

/// `-o` of `check`.
public enum CheckOutput: String, ArgumentChoice, Sendable {
  /// `√ message` lines.
  case text
  /// One JSON object.
  case json
}
