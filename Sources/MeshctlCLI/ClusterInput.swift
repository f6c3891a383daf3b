import KubeClient
import Manifest
import MeshOps
import MeshSchema
import Policy

/// What `apply`, `diff` and `delete` share: read every input, refuse invalid input before the
/// first request, connect, and plan against the cluster (MeshOps' `ApplyPlan`).
struct ClusterInput {
  /// The objects matched to their types, ready to send.
  let plan: ApplyPlan
  /// The input's objects as read (meshctl's policies not yet rendered).
  let objects: [ManifestObject]
  /// The mesh the policies were rendered for (nil: none in the input, or no policy flags).
  let provider: MeshConfig.Provider?
  /// The control plane namespace a `--config` MeshConfig sets.
  let rootNamespace: String?

  /// Reads, validates, connects and plans (rendering meshctl's policies when `policy` is
  /// given); throws `CommandFailure` with the exit status when anything is wrong, having
  /// printed why on standard error. Nothing is sent before all of it has succeeded.
  init(
    input: InputOptions, cluster: ClusterOptions, policy: PolicyOptions?, context: CommandContext, validate: Bool = true
  ) throws {
    let inputs = PolicyInputs.read(try input.arguments(context: context), recursive: input.recursive, context: context)
    let errors = inputs.diagnostics.filter { $0.severity == .error && (validate || $0.isInputError) }
    // The findings validate prints, warnings included (MC2002: a backend selecting nothing);
    // only errors stop the command.
    DiagnosticPrinter(context).print(
      inputs.diagnostics.filter {
        ($0.severity == .error && (validate || $0.isInputError)) || (validate && $0.severity == .warning)
      })
    if inputs.unreadable { throw CommandFailure(status: .inputError) }
    if !errors.isEmpty { try Self.refuse([], status: .findings, context: context) }
    let session = try ClusterSession(options: cluster, context: context)
    let api = session.api
    let objects = inputs.documents.flatMap(\.objects)
    self.objects = objects
    // The MeshConfig file is read once, for rendering and for the guards.
    let choice = try policy?.clusterChoice(context: context)
    let settings =
      policy != nil && ClusterPolicies.containsPolicies(objects)
      ? try policy!.settings(choice!, api: api) : nil
    provider = settings?.config.provider ?? choice?.provider
    rootNamespace = policy?.mesh.config != nil ? choice?.config.controlPlaneNamespace : nil
    switch try awaitCompletion({ try await ApplyPlan.make(objects, api: api, settings: settings) }) {
    case .success(let plan): self.plan = plan
    case .failure(.renderFailed(let errors)):
      DiagnosticPrinter(context).print(errors)
      try Self.refuse([], status: .findings, context: context)
    case .failure(.unresolved(let problems, let fromCluster)):
      try Self.refuse(
        problems.map { "error: \($0.description)" }, status: fromCluster ? .clusterError : .findings, context: context)
    }
  }

  /// The objects matched to their types, in input order.
  var resolved: [ResolvedObject] { plan.resolved }

  /// The deferred objects, resolved now that their CRDs exist.
  func resolveDeferred() throws -> (resolved: [ResolvedObject], problems: [ObjectProblem]) {
    let plan = self.plan
    return try awaitCompletion { await plan.resolveDeferred() }
  }

  /// Runs apply's guards (MeshOps' `ApplyGuards`) and prints what they found. A finding
  /// refuses (exit 1, nothing sent) unless its override is given, or `warnOnly` (diff) says
  /// every finding is a warning.
  func checkGuards(allowEmpty: Bool, force: Bool, warnOnly: Bool = false, context: CommandContext) throws {
    let (objects, plan, provider, root) = (self.objects, self.plan, self.provider, rootNamespace)
    let guards = try awaitCompletion {
      try await ApplyGuards.check(input: objects, plan: plan, provider: provider, rootNamespace: root)
    }
    let verdict = guards.verdict(
      allowEmpty: allowEmpty, force: force, warnOnly: warnOnly, commandName: Meshctl.displayName)
    if DiagnosticPrinter(context).print(verdict) { try Self.refuse([], status: .findings, context: context) }
  }

  /// Prints `lines` and that nothing was sent, and throws `status`.
  private static func refuse(_ lines: [String], status: ExitStatus, context: CommandContext) throws -> Never {
    for line in lines { context.stderr.write(line + "\n") }
    context.stderr.write("\(Meshctl.displayName): nothing was sent to the cluster\n")
    throw CommandFailure(status: status)
  }
}

/// A command ended with `status`, its reasons already printed.
struct CommandFailure: Error {
  let status: ExitStatus
}

extension ExitStatus {
  /// The status failures from the cluster side mean: 4 when all are apply conflicts, 3 otherwise.
  init(clusterFailures errors: [any Error]) {
    switch ClusterFailure.severity(of: errors) {
    case .none: self = .success
    case .conflict: self = .applyConflict
    case .cluster: self = .clusterError
    }
  }
}
