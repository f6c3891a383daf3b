import ArgumentParser
import KubeClient
import Manifest
import MeshOps

extension Meshctl {
  /// `meshctl delete -f`: deletes the objects the input names.
  public struct Delete: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the objects named in the input from the cluster.",
        discussion: """
          Objects are deleted in the reverse of apply's order (policies and routes first, \
          namespaces last), the objects of one tier at the same time. Only apiVersion, kind, \
          metadata.name and metadata.namespace of each input object are used. An object that \
          does not exist is an error (exit 1, kubectl's NotFound) unless --ignore-not-found is given; an API server that fails is exit 3.

          Examples:
            \(Meshctl.displayName) delete -f app.yaml
            \(Meshctl.displayName) delete -R -f k8s/ --dry-run=server
            \(Meshctl.displayName) delete -f app.yaml --ignore-not-found -o name
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var policy: PolicyOptions

    /// `none`, `client` or `server`.
    @Option(
      name: .customLong("dry-run"),
      help: ArgumentHelp(
        "none, client (send nothing) or server (the server checks, nothing is deleted).", valueName: "mode"))
    public var dryRun: DryRunMode = .none

    /// Treat absent objects as deleted.
    @Flag(name: .customLong("ignore-not-found"), help: "Treat objects that do not exist as deleted.")
    public var ignoreNotFound = false

    /// `name`; default: kubectl's `kind "name" deleted` lines.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output: name (default: a result line per object).", valueName: "format"))
    public var output: NameOutput?

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      let target = try ClusterInput(input: input, cluster: cluster, policy: policy, context: context, validate: false)
      let objects = target.resolved + (try target.resolveDeferred().resolved)
      if dryRun == .client {
        for object in objects { report(object, context: context) }
        return .success
      }
      let plan = target.plan
      let serverDryRun = dryRun == .server
      let outcomes = try awaitCompletion { await plan.delete(objects, dryRun: serverDryRun) }
      var status = ExitStatus.success
      for (object, outcome) in zip(objects, outcomes) {
        switch outcome {
        case .success(true): report(object, context: context)
        case .success(false):
          if ignoreNotFound { continue }
          context.stderr.write("Error from server (NotFound): \(object.source): \(object.quotedReference) not found\n")
          // An absent object is the request's failure (1); a failed API server (3) outranks it.
          if status == .success { status = .findings }
        case .failure(let error):
          context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
          status = .clusterError
        }
      }
      return status
    }

    private func report(_ object: ResolvedObject, context: CommandContext) {
      if output == .name {
        context.stdout.write(object.reference + "\n")
        return
      }
      let suffix = dryRun == .none ? "" : dryRun == .server ? " (server dry run)" : " (dry run)"
      context.stdout.write("\(object.quotedReference) deleted\(suffix)\n")
    }
  }
}

/// `-o name`, the one structured output of commands that print no objects.
public enum NameOutput: String, ArgumentChoice, Sendable {
  /// `kind.group/name` per object.
  case name
}
