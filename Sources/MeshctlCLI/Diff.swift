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

          KUBECTL_EXTERNAL_DIFF, as kubectl reads it, names another program (with arguments, \
          e.g. "colordiff -N -u" or "meld"): it is run with two directories, LIVE-* and \
          MERGED-*, holding one YAML file per object, and its exit status decides (0 no \
          changes, 1 changes; above 1 or not runnable: exit 3).

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
      let context = input.applying(to: context)
      let external: [String]?
      do {
        external = try ExternalDiff.command(context.environment["KUBECTL_EXTERNAL_DIFF"])
      } catch {
        throw ValidationError(error.description)
      }
      let target = try ClusterInput(input: input, cluster: cluster, policy: policy, context: context)
      try target.checkGuards(allowEmpty: true, force: true, warnOnly: true, context: context)
      let plan = target.plan
      let options = ApplyOptions(fieldManager: fieldManager, force: forceConflicts, dryRun: true)
      let entries = try awaitCompletion { await LiveDiff.run(plan, options: options) }
      let summary = LiveDiff.summarize(entries)
      if external == nil, !summary.text.isEmpty { context.stdout.write(summary.text) }
      for (object, error) in summary.failures {
        context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
      }
      var changed = summary.changed
      for object in plan.deferred { context.stderr.write(LiveDiff.notCompared(object) + "\n") }
      if let external {
        // The program's exit status is the comparison's, as with kubectl.
        context.flush()
        do {
          changed = try ExternalDiff.run(summary.comparisons, command: external, environment: context.environment)
        } catch {
          // Above 1, as kubectl's diff: the comparison could not be made.
          DiagnosticPrinter(context).error(error.description)
          return .clusterError
        }
      }
      if !summary.failures.isEmpty { return ExitStatus(clusterFailures: summary.failures.map(\.error)) }
      return changed ? .findings : .success
    }
  }
}
