import ArgumentParser
import KubeClient
import Manifest
import MeshOps

extension DryRunMode: ArgumentChoice {}

/// How `apply` and `mtls enable` write: `--dry-run`, `--force-conflicts`, `--field-manager`.
public struct WriteOptions: ParsableArguments {
  /// `none`, `client` or `server`.
  @Option(
    name: .customLong("dry-run"),
    help: ArgumentHelp(
      "none, client (send nothing) or server (the server checks, nothing is stored).", valueName: "mode"))
  public var dryRun: DryRunMode = .none

  /// Take over fields other managers own.
  @Flag(
    name: .customLong("force-conflicts"),
    help: "Take fields that other field managers own instead of stopping with a conflict.")
  public var forceConflicts = false

  /// The field manager name.
  @Option(
    name: .customLong("field-manager"),
    help: ArgumentHelp("The field manager that owns the fields written.", valueName: "name"))
  public var fieldManager = "meshctl"

  /// Creates the defaults.
  public init() {}

  /// The server-side apply settings these flags ask for.
  var applyOptions: ApplyOptions {
    ApplyOptions(fieldManager: fieldManager, force: forceConflicts, dryRun: dryRun == .server)
  }
}

/// The overrides of apply's guards: `--allow-empty` and `--force`.
public struct GuardOptions: ParsableArguments {
  /// Route to TrafficSplit backends without ready endpoints.
  @Flag(
    name: .customLong("allow-empty"),
    help: "Apply TrafficSplits whose weighted backends have no ready endpoints (warn instead of refusing).")
  public var allowEmpty = false

  /// Apply workloads that would run under STRICT mTLS without a sidecar.
  @Flag(help: "Apply workloads that would run under STRICT mTLS without a sidecar (warn instead of refusing).")
  public var force = false

  /// Creates the defaults.
  public init() {}
}

extension Meshctl {
  /// `meshctl apply`: server-side apply of every object in the input, in dependency order.
  public struct Apply: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "apply",
        abstract: "Apply manifests to the cluster with server-side apply, in dependency order.",
        discussion: """
          Every input is read and validated before the first write, so invalid input changes \
          nothing (discovery reads start while it is read). Objects are applied in dependency order (Namespaces and CRDs; Services, \
          configuration and service accounts; workloads; routing and policy kinds), the objects \
          of one tier at the same time. One line per object, as kubectl prints it \
          (`deployment.apps/web serverside-applied`). A field owned by another field manager \
          stops that object with exit 4 unless --force-conflicts is given.

          Two guards run before the first write, and refuse with exit 1, nothing sent: a \
          TrafficSplit backend given weight above 0 must have ready endpoints (ready Pods, or \
          ready EndpointSlice endpoints of its Service; --allow-empty overrides; pods that \
          workloads of the same input create only warn), and no workload may end up under \
          STRICT mTLS without a sidecar (the rule of `mtls enable`; --force overrides). The \
          warnings `validate` prints are shown too.

          Examples:
            \(Meshctl.displayName) apply -f app.yaml
            \(Meshctl.displayName) inject -f app.yaml | \(Meshctl.displayName) apply -f -
            \(Meshctl.displayName) apply -R -f k8s/ --dry-run=server
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var policy: PolicyOptions

    @OptionGroup public var write: WriteOptions
    @OptionGroup public var guards: GuardOptions

    /// `name`, `json` or `yaml`; default: one result line per object.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output: name, json or yaml (default: a result line per object).", valueName: "format"))
    public var output: ObjectOutput?

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      let target = try ClusterInput(input: input, cluster: cluster, policy: policy, context: context)
      try target.checkGuards(allowEmpty: guards.allowEmpty, force: guards.force, context: context)
      let report = AppliedObjects(context: context, dryRun: write.dryRun, output: output)
      try report.apply(target.resolved, plan: target.plan, write: write)
      if write.dryRun != .client {
        let later = try target.resolveDeferred()
        for problem in later.problems { report.failed(problem) }
        try report.apply(later.resolved, plan: target.plan, write: write)
      }
      return report.finish()
    }
  }
}

extension AppliedObjects {
  /// Applies `objects` through `plan` as `write` says (`--dry-run=client`: sends nothing) and
  /// reports each outcome: `apply` and `mtls enable`.
  func apply(_ objects: [ResolvedObject], plan: ApplyPlan, write: WriteOptions) throws {
    guard write.dryRun != .client else { return objects.forEach { applied($0) } }
    guard !objects.isEmpty else { return }
    let options = write.applyOptions
    let outcomes = try awaitCompletion { await plan.apply(objects, options: options) }
    for (object, outcome) in zip(objects, outcomes) {
      switch outcome {
      case .applied(let answer): applied(object, answer: answer)
      case .inNewNamespace: applied(object, note: "namespace \(object.namespace ?? "") is new: not checked")
      case .failed(let error): failed(object, error)
      }
    }
  }
}

extension ObjectOutput: ArgumentChoice {}
