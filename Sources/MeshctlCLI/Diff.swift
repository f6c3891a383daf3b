import ArgumentParser
import KubeClient
import Manifest
import MeshOps

extension Meshctl {
  /// `meshctl diff`: what `apply` would change, from a server-side dry run.
  public struct Diff: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would change in the cluster (server-side dry run).",
        discussion: """
          For every object, the live object is compared with what the server answers to a \
          server-side apply with dryRun=All, in the unified format of `diff -u` (managedFields \
          and other server bookkeeping left out). Like `kubectl diff`: exit 0 when nothing \
          would change, 1 when something would, above 1 on errors.

          Examples:
            \(Meshctl.displayName) diff -f app.yaml
            \(Meshctl.displayName) inject -f app.yaml | \(Meshctl.displayName) diff -f -
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var policy: PolicyOptions

    /// Take over fields other managers own in the dry run.
    @Flag(name: .customLong("force-conflicts"), help: "Show the result of taking fields that other field managers own.")
    public var forceConflicts = false

    /// The field manager name.
    @Option(
      name: .customLong("field-manager"),
      help: ArgumentHelp("The field manager the dry-run apply uses.", valueName: "name"))
    public var fieldManager = "meshctl"

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let target = try ClusterInput(input: input, cluster: cluster, policy: policy, context: context)
      try target.checkGuards(allowEmpty: true, force: true, warnOnly: true, context: context)
      let plan = target.plan
      let options = ApplyOptions(fieldManager: fieldManager, force: forceConflicts, dryRun: true)
      let entries = try awaitCompletion { await LiveDiff.run(plan, options: options) }
      var failures: [any Error] = []
      var changed = false
      for entry in entries {
        switch entry {
        case .compared(let text), .new(let text):
          if case .new = entry { changed = true }
          if !text.isEmpty {
            changed = true
            context.stdout.write(text)
          }
        case .failed(let object, let error):
          context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
          failures.append(error)
        }
      }
      for object in plan.deferred { context.stderr.write(LiveDiff.notCompared(object) + "\n") }
      if !failures.isEmpty { return ExitStatus(clusterFailures: failures) }
      return changed ? .findings : .success
    }
  }
}
