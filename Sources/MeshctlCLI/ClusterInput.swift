import KubeClient
import Manifest
import MeshOps
import MeshSchema
import Policy

/// What `apply`, `diff` and `delete` share: read every input, refuse invalid input before the
/// first request, connect, and plan against the cluster (MeshOps' `ApplyInput`).
struct ClusterInput {
  /// The plan and what the guards need.
  let input: ApplyInput

  /// Reads, validates, connects and plans (rendering meshctl's policies when `policy` is
  /// given); throws `CommandFailure` with the exit status when anything is wrong, having
  /// printed why on standard error. Nothing is written before all of it has succeeded; discovery
  /// reads start while the input is read (`EarlySession`).
  init(
    input: InputOptions, cluster: ClusterOptions, policy: PolicyOptions?, context: CommandContext, validate: Bool = true
  ) throws {
    // Discovery reads start as the documents come in; writes wait for the whole input.
    let early = EarlySession(options: cluster, context: context, guarded: validate)
    if early == nil { CurlTransport.preload() }  // while the input is read
    let inputs = PolicyInputs.read(try input.arguments(context: context), recursive: input.recursive, context: context) {
      early?.discovery.read($0.objects)
    }
    let findings = ApplyInput.findings(inputs.diagnostics, validate: validate)
    DiagnosticPrinter(context).print(findings.shown)
    if inputs.unreadable { throw CommandFailure(status: .inputError) }
    if findings.stop { try Self.refuse([], status: .findings, context: context) }
    let api = try (early?.session(context: context) ?? ClusterSession(options: cluster, context: context)).api
    let objects = inputs.documents.flatMap(\.objects)
    // The MeshConfig file is read once, for rendering and for the guards.
    let choice = try policy?.clusterChoice(context: context)
    let (routing, configGiven) = (policy?.routing ?? .provider, policy?.mesh.config != nil)
    let planned = try awaitCompletion {
      try await ApplyInput.make(
        objects, api: api, config: choice?.config, provider: choice?.provider, routing: routing,
        configGiven: configGiven, guarded: validate)  // delete (validate: false) runs no guards
    }
    switch planned {
    case .success(let input): self.input = input
    case .failure(.renderFailed(let errors)):
      DiagnosticPrinter(context).print(errors)
      try Self.refuse([], status: .findings, context: context)
    case .failure(.unresolved(let problems, let fromCluster)):
      try Self.refuse(
        problems.map { "error: \($0.description)" }, status: fromCluster ? .clusterError : .findings, context: context)
    }
  }

  /// The objects matched to their types, ready to send.
  var plan: ApplyPlan { input.plan }
  /// The objects matched to their types, in input order.
  var resolved: [ResolvedObject] { input.plan.resolved }

  /// The deferred objects, resolved now that their CRDs exist.
  func resolveDeferred() throws -> (resolved: [ResolvedObject], problems: [ObjectProblem]) {
    let plan = self.plan
    return try awaitCompletion { await plan.resolveDeferred() }
  }

  /// Runs apply's guards and prints what they found. A finding refuses (exit 1, nothing sent)
  /// unless its override is given, or `warnOnly` (diff) says every finding is a warning.
  func checkGuards(allowEmpty: Bool, force: Bool, warnOnly: Bool = false, context: CommandContext) throws {
    let input = self.input
    let verdict = try awaitCompletion {
      try await input.guardVerdict(
        allowEmpty: allowEmpty, force: force, warnOnly: warnOnly, commandName: Meshctl.displayName)
    }
    if DiagnosticPrinter(context).print(verdict) { try Self.refuse([], status: .findings, context: context) }
  }

  /// Prints `lines` and that nothing was sent, and throws `status`.
  private static func refuse(_ lines: [String], status: ExitStatus, context: CommandContext) throws -> Never {
    for line in lines { context.stderr.write(line + "\n") }
    DiagnosticPrinter(context).note("nothing was sent to the cluster")
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
