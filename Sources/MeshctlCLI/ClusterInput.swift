import KubeClient
import Manifest
import MeshSchema

/// What `apply`, `diff` and `delete` share: read every input, refuse invalid input before the
/// first request, connect, and match every object to its type on the server.
struct ClusterInput {
  /// The connection.
  let session: ClusterSession
  /// The objects matched to their types, in input order.
  let resolved: [ResolvedObject]
  /// Objects of types that a CRD in the same input defines (resolved once it is applied).
  let deferred: [ManifestObject]

  /// Reads, validates, connects, renders meshctl's policies (when `policy` is given) and
  /// resolves; throws `CommandFailure` with the exit status when anything is wrong, having
  /// printed why on standard error. Nothing is sent before all of it has succeeded.
  init(
    input: InputOptions, cluster: ClusterOptions, policy: PolicyOptions?, context: CommandContext, validate: Bool = true
  ) throws {
    let inputs = PolicyInputs.read(try input.arguments(context: context), recursive: input.recursive, context: context)
    let errors = inputs.diagnostics.filter { $0.severity == .error && (validate || $0.isInputError) }
    let printer = TextReport(color: context.stderrAllowsColor)
    for error in errors { context.stderr.write(printer.render(error)) }
    if inputs.unreadable { throw CommandFailure(status: .inputError) }
    if !errors.isEmpty {
      context.stderr.write("\(Meshctl.displayName): nothing was sent to the cluster\n")
      throw CommandFailure(status: .findings)
    }
    let session = try ClusterSession(options: cluster, context: context)
    var objects = inputs.documents.flatMap(\.objects)
    if let policy { objects = try ClusterPolicies.expand(objects, options: policy, api: session.api, context: context) }
    let batch = ObjectBatch(api: session.api)
    let found = objects
    let (resolved, deferred, problems) = try awaitCompletion { await batch.resolve(found) }
    if !problems.isEmpty {
      let status: ExitStatus = problems.contains { $0.fromCluster } ? .clusterError : .findings
      try Self.refuse(
        problems.map { "error: \($0.description)" }, status: status, context: context,
        note: "nothing was sent to the cluster")
    }
    self.session = session
    self.resolved = resolved
    self.deferred = deferred
  }

  /// The deferred objects, resolved now that their CRDs exist (discovery is fetched again).
  func resolveDeferred() throws -> (resolved: [ResolvedObject], problems: [ObjectProblem]) {
    guard !deferred.isEmpty else { return ([], []) }
    let api = session.api
    let objects = deferred
    let outcome = try awaitCompletion {
      await api.refreshDiscovery()
      return await ObjectBatch(api: api).resolve(objects)
    }
    return (outcome.resolved, outcome.problems + outcome.deferred.map { Self.stillUnknown($0) })
  }

  private static func stillUnknown(_ object: ManifestObject) -> ObjectProblem {
    ObjectProblem(
      source: ObjectBatch.source(of: object), object: object.reference,
      reason:
        "its CustomResourceDefinition was applied but the server does not serve the type yet; run the command again",
      fromCluster: true)
  }

  /// Prints `lines` and throws `status` when there are any.
  private static func refuse(_ lines: [String], status: ExitStatus, context: CommandContext, note: String? = nil) throws
  {
    guard !lines.isEmpty else { return }
    for line in lines { context.stderr.write(line + "\n") }
    if let note { context.stderr.write("\(Meshctl.displayName): \(note)\n") }
    throw CommandFailure(status: status)
  }
}

extension ClusterInput {
  /// The namespaces the input itself creates.
  var createdNamespaces: Set<String> {
    Set(resolved.filter { $0.resource.group.isEmpty && $0.resource.kind == "Namespace" }.map(\.name))
  }

  /// Whether `error` is a dry run's 404 for a namespace that this input creates: the server
  /// cannot check an object in a namespace that only a real apply would make, so it is not a
  /// failure of the input.
  func isDryRunInNewNamespace(_ error: any Error, object: ResolvedObject) -> Bool {
    guard let error = error as? APIError, error.httpStatus == 404, let status = error.status,
      status.kind == "namespaces", let namespace = object.namespace
    else { return false }
    return status.name == namespace && createdNamespaces.contains(namespace)
  }
}

/// A command ended with `status`, its reasons already printed.
struct CommandFailure: Error {
  let status: ExitStatus
}

/// The exit status and message for an error from the cluster side.
enum ClusterFailure {
  /// The status a failure means: 4 for an apply conflict, 3 for everything the cluster or the
  /// connection caused.
  static func status(of error: any Error) -> ExitStatus {
    if let error = error as? APIError, error.failureClass == .conflict { return .applyConflict }
    return .clusterError
  }

  /// The worst status of several failures: a conflict only when every failure is one.
  static func status(of errors: [any Error]) -> ExitStatus {
    guard !errors.isEmpty else { return .success }
    return errors.allSatisfy { status(of: $0) == .applyConflict } ? .applyConflict : .clusterError
  }

  /// kubectl's `Error from server (Reason): ...` form for API errors; the message otherwise.
  /// The object is named unless the server's message already names it.
  static func message(_ error: any Error, object: ResolvedObject) -> String {
    if let error = error as? APIError {
      let reason = error.status?.reason ?? ""
      let subject = error.description.contains(object.quotedReference) ? "" : "\(object.quotedReference): "
      return
        "Error from server\(reason.isEmpty ? "" : " (\(reason))"): \(object.source): \(subject)\(error.description)"
    }
    return "error: \(object.source): \(object.quotedReference): \(error)"
  }
}
