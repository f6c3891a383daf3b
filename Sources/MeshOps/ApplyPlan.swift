import KubeClient
import Manifest
import Policy

/// What `apply`, `diff` and `delete` send: the input's objects (policies rendered for the
/// cluster) matched to their types on the server, before anything is written.
public struct ApplyPlan: Sendable {
  /// The server.
  public let api: KubeAPI
  /// The objects matched to their types, in input order.
  public let resolved: [ResolvedObject]
  /// Objects of types that a CRD in the same input defines (resolved once it is applied).
  public let deferred: [ManifestObject]

  /// Why nothing may be sent.
  public enum Refusal: Error, Sendable {
    /// Policies that cannot be rendered: their errors.
    case renderFailed([Diagnostic])
    /// Objects that cannot be matched to a type; `fromCluster` when the cluster is why (exit 3,
    /// else the input is: exit 1).
    case unresolved([ObjectProblem], fromCluster: Bool)
  }

  /// Renders the policies among `objects` (with `settings`; nil when there are none) and
  /// resolves every object; a refusal means nothing was sent.
  public static func make(_ objects: [ManifestObject], api: KubeAPI, settings: PolicySettings?) async throws
    -> Result<ApplyPlan, Refusal>
  {
    var objects = objects
    if let settings {
      switch try await ClusterPolicies.expand(objects, settings: settings, api: api) {
      case .expanded(let expanded): objects = expanded
      case .failed(let errors): return .failure(.renderFailed(errors))
      }
    }
    let (resolved, deferred, problems) = await ObjectBatch(api: api).resolve(objects)
    if !problems.isEmpty { return .failure(.unresolved(problems, fromCluster: problems.contains { $0.fromCluster })) }
    return .success(ApplyPlan(api: api, resolved: resolved, deferred: deferred))
  }

  /// The deferred objects, resolved now that their CRDs exist (discovery is fetched again).
  public func resolveDeferred() async -> (resolved: [ResolvedObject], problems: [ObjectProblem]) {
    guard !deferred.isEmpty else { return ([], []) }
    await api.refreshDiscovery()
    let outcome = await ObjectBatch(api: api).resolve(deferred)
    return (outcome.resolved, outcome.problems + outcome.deferred.map(Self.stillUnknown))
  }

  private static func stillUnknown(_ object: ManifestObject) -> ObjectProblem {
    ObjectProblem(
      source: ObjectBatch.source(of: object), object: object.reference,
      reason:
        "its CustomResourceDefinition was applied but the server does not serve the type yet; run the command again",
      fromCluster: true)
  }

  /// How one object's apply ended.
  public enum Applied: Sendable {
    /// The server's answer.
    case applied(Node)
    /// A dry run in a namespace the input creates: the server cannot check it (not a failure).
    case inNewNamespace
    /// The server refused it, or the request failed.
    case failed(any Error)
  }

  /// Server-side applies `objects` tier by tier; the outcomes come back in their order.
  public func apply(_ objects: [ResolvedObject], options: ApplyOptions) async -> [Applied] {
    let outcomes = await ObjectBatch(api: api).apply(objects, options: options)
    return zip(objects, outcomes).map { object, outcome in
      switch outcome {
      case .success(let answer): return .applied(answer)
      case .failure(let error) where options.dryRun && isDryRunInNewNamespace(error, object: object):
        return .inNewNamespace
      case .failure(let error): return .failed(error)
      }
    }
  }

  /// Deletes `objects` in reverse apply order; each outcome says whether the object existed.
  public func delete(_ objects: [ResolvedObject], dryRun: Bool) async -> [Result<Bool, any Error>] {
    await ObjectBatch(api: api).delete(objects, dryRun: dryRun)
  }

  /// The namespaces the input itself creates.
  var createdNamespaces: Set<String> {
    Set(resolved.filter { $0.resource.group.isEmpty && $0.resource.kind == "Namespace" }.map(\.name))
  }

  /// Whether `error` is a dry run's 404 for a namespace that this input creates: the server
  /// cannot check an object in a namespace that only a real apply would make, so it is not a
  /// failure of the input.
  public func isDryRunInNewNamespace(_ error: any Error, object: ResolvedObject) -> Bool {
    guard let error = error as? APIError, error.httpStatus == 404, let status = error.status,
      status.kind == "namespaces", let namespace = object.namespace
    else { return false }
    return status.name == namespace && createdNamespaces.contains(namespace)
  }
}

/// Objects built by meshctl (not read from a file), resolved and written.
public enum GeneratedObjects {
  /// The objects matched to their types (`file` names them in messages), or the problems.
  public static func resolve(_ nodes: [Node], file: String, api: KubeAPI) async -> (
    resolved: [ResolvedObject], problems: [ObjectProblem]
  ) {
    let manifests = nodes.map { ManifestObject(node: $0, document: Document(root: $0, file: file), path: "") }
    let (resolved, _, problems) = await ObjectBatch(api: api).resolve(manifests)
    return (resolved, problems)
  }

  /// The objects as a plan to apply like `apply`'s input (`file` names them in messages), and
  /// the problems that stop them (nothing may be sent while there are any).
  public static func plan(_ nodes: [Node], file: String, api: KubeAPI) async -> (
    plan: ApplyPlan, problems: [ObjectProblem]
  ) {
    let (resolved, problems) = await resolve(nodes, file: file, api: api)
    return (ApplyPlan(api: api, resolved: resolved, deferred: []), problems)
  }
}

/// How failures from the cluster side end a command, and how they are said.
public enum ClusterFailure {
  /// What a set of failures amounts to.
  public enum Severity: Sendable, Equatable {
    /// No failure.
    case none
    /// Only field-manager conflicts (exit 4).
    case conflict
    /// Anything the cluster or the connection caused (exit 3).
    case cluster
  }

  /// Whether `error` is a server-side apply conflict.
  public static func isConflict(_ error: any Error) -> Bool {
    (error as? APIError)?.failureClass == .conflict
  }

  /// The worst of several failures: a conflict only when every failure is one.
  public static func severity(of errors: [any Error]) -> Severity {
    guard !errors.isEmpty else { return .none }
    return errors.allSatisfy(isConflict) ? .conflict : .cluster
  }

  /// kubectl's `Error from server (Reason): ...` form for API errors; the message otherwise.
  /// The object is named unless the server's message already names it.
  public static func message(_ error: any Error, object: ResolvedObject) -> String {
    if let error = error as? APIError {
      let reason = error.status?.reason ?? ""
      let subject = error.description.contains(object.quotedReference) ? "" : "\(object.quotedReference): "
      let shift = ShiftOwnership.conflictMessage(error, object: object.body).map { "\n" + $0 } ?? ""
      return
        "Error from server\(reason.isEmpty ? "" : " (\(reason))"): \(object.source): \(subject)\(error.description)"
        + shift
    }
    return "error: \(object.source): \(object.quotedReference): \(error)"
  }
}
