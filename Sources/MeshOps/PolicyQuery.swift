import KubeClient
import Manifest
import Policy

/// What `get` asks for: a kind, optionally one name, a namespace (nil: all) and a label selector
/// on the objects the policies became (they carry no CRD objects of their own).
public struct PolicyQuery: Sendable {
  /// The kind.
  public var kind: PolicyKind
  /// One policy's name; nil lists them all.
  public var name: String?
  /// The namespace; nil for every namespace.
  public var namespace: String?
  /// A label selector (`app=web,tier!=db`), matched by the API server against the rendered objects.
  public var labelSelector: String?

  /// Creates a query.
  public init(kind: PolicyKind, name: String? = nil, namespace: String?, labelSelector: String? = nil) {
    self.kind = kind
    self.name = name
    self.namespace = namespace
    self.labelSelector = labelSelector
  }

  /// `trafficsplits.meshctl.io`: the resource as kubectl would name it in a NotFound message.
  public var resourceName: String { "\(kind.rawValue).meshctl.io" }

  /// `trafficsplit.meshctl.io/NAME`: what `-o name` prints for a policy.
  public func reference(_ policy: ManagedPolicy) -> String {
    let singular = kind == .trafficsplits ? "trafficsplit" : "mtlspolicy"
    return "\(singular).meshctl.io/\(policy.name)"
  }

  /// The selector sent to the server: meshctl's managed-by label plus the user's.
  func serverSelector(forType typeKind: String) -> String? {
    // The Namespace patch of a Linkerd namespace-wide policy carries no managed-by label.
    let managed = typeKind == "Namespace" ? nil : "\(Annotations.managedByLabel)=\(Annotations.managedByValue)"
    let parts = [managed, labelSelector].compactMap { $0 }.filter { !$0.isEmpty }
    return parts.isEmpty ? nil : parts.joined(separator: ",")
  }

  /// Whether `policy` is one the query asks for (its name, when one was given).
  func matches(_ policy: ManagedPolicy) -> Bool {
    name == nil || policy.name == name
  }

  /// The matching policies and where a watch resumes: all of them for a list; for a name,
  /// that one or `ObjectNotFound` in kubectl's words (exit 1).
  public func snapshot(api: KubeAPI) async throws -> PolicySnapshot {
    let snapshot = try await ManagedPolicies.snapshot(self, api: api)
    if let name, snapshot.policies.isEmpty {
      throw ObjectNotFound(resource: resourceName, name: name)
    }
    return snapshot
  }

  /// A `v1` `List` of `policies`, as kubectl prints a list request (also for 0 or 1 items).
  public static func list(_ policies: [ManagedPolicy]) -> Node {
    .mapping([
      MappingEntry(key: "apiVersion", value: .string("v1")),
      MappingEntry(key: "kind", value: .string("List")),
      MappingEntry(key: "items", value: .sequence(policies.map(\.policy))),
      MappingEntry(key: "metadata", value: .mapping([MappingEntry(key: "resourceVersion", value: .string(""))])),
    ])
  }
}

/// The policies of a query and where a watch of each rendered type resumes.
public struct PolicySnapshot: Sendable {
  /// The policies, sorted by namespace and name.
  public var policies: [ManagedPolicy]
  /// The list `resourceVersion` of each rendered type (`apiVersion kind`).
  public var versions: [String: String]
}

/// One change `get --watch` reports.
public struct PolicyChange: Sendable {
  /// `ADDED`, `MODIFIED` or `DELETED`, as the watch of the rendered object said.
  public var type: String
  /// The policy as the changed object now gives it.
  public var policy: ManagedPolicy
}

extension ManagedPolicies {
  /// The policies of `query` read once, with each type's list version.
  public static func snapshot(_ query: PolicyQuery, api: KubeAPI) async throws -> PolicySnapshot {
    var byKey: [String: ManagedPolicy] = [:]
    var versions: [String: String] = [:]
    for (apiVersion, typeKind) in query.kind.renderedTypes {
      guard let resource = try await api.resources(groupVersion: apiVersion).first(where: { $0.kind == typeKind })
      else { continue }
      let isNamespace = typeKind == "Namespace"
      let (items, version) = try await api.listing(
        resource, namespace: isNamespace ? nil : query.namespace, labelSelector: query.serverSelector(forType: typeKind))
      versions["\(apiVersion) \(typeKind)"] = version
      for item in items where !isNamespace || query.namespace == nil || item[path: "metadata", "name"]?.string == query.namespace {
        guard let found = managedPolicy(from: item, kind: query.kind, typeKind: typeKind), query.matches(found) else {
          continue
        }
        let key = found.namespace + "/" + found.name
        if var known = byKey[key] {
          known.renderedAs += found.renderedAs
          byKey[key] = known
        } else {
          byKey[key] = found
        }
      }
    }
    let sorted = byKey.values.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    return PolicySnapshot(policies: sorted, versions: versions)
  }

  /// The policy one rendered object gives, or nil when it is not one of `kind`.
  static func managedPolicy(from item: Node, kind: PolicyKind, typeKind: String) -> ManagedPolicy? {
    guard
      let policy = kind == .trafficsplits
        ? RenderedPolicies.trafficSplit(fromRoute: item) : RenderedPolicies.mtlsPolicy(from: item),
      let name = policy[path: "metadata", "name"]?.string
    else { return nil }
    let namespace = policy[path: "metadata", "namespace"]?.string ?? item[path: "metadata", "namespace"]?.string ?? ""
    return ManagedPolicy(
      policy: policy, namespace: namespace, name: name,
      renderedAs: ["\(typeKind.lowercased())/\(item[path: "metadata", "name"]?.string ?? "")"],
      route: kind == .trafficsplits ? item : nil)
  }

  /// The changes of one watch window of at most `seconds` (the API server ends each watch at
  /// its `timeoutSeconds`) after `snapshot`'s versions, which move on to the last event seen;
  /// a version the server has forgotten (410 Gone) is re-listed and the watch resumes from there.
  public static func changes(
    _ query: PolicyQuery, api: KubeAPI, after snapshot: inout PolicySnapshot, seconds: Int
  ) async throws -> [PolicyChange] {
    var changes: [PolicyChange] = []
    let current = snapshot
    let windows = try await withThrowingTaskGroup(of: (String, [WatchEvent]?).self) { group in
      for (apiVersion, typeKind) in query.kind.renderedTypes {
        let key = "\(apiVersion) \(typeKind)"
        guard let version = current.versions[key] else { continue }
        group.addTask {
          let resource = try await api.resource(apiVersion: apiVersion, kind: typeKind)
          do {
            let events = try await api.watch(
              resource, namespace: typeKind == "Namespace" ? nil : query.namespace,
              labelSelector: query.serverSelector(forType: typeKind), resourceVersion: version,
              timeoutSeconds: max(1, seconds))
            return (key, events)
          } catch let error as APIError where error.httpStatus == 410 {
            return (key, nil)
          }
        }
      }
      var all: [(String, [WatchEvent]?)] = []
      for try await window in group { all.append(window) }
      return all.sorted { $0.0 < $1.0 }
    }
    for (key, events) in windows {
      guard let events else {
        // Expired: start again from a fresh list (its objects are not reported again).
        snapshot.versions[key] = try await ManagedPolicies.snapshot(query, api: api).versions[key]
        continue
      }
      let typeKind = String(key.split(separator: " ").last ?? "")
      for event in events {
        if let version = event.object[path: "metadata", "resourceVersion"]?.string { snapshot.versions[key] = version }
        guard event.type != "BOOKMARK", event.type != "ERROR",
          query.namespace == nil || typeKind != "Namespace"
            || event.object[path: "metadata", "name"]?.string == query.namespace,
          let policy = managedPolicy(from: event.object, kind: query.kind, typeKind: typeKind), query.matches(policy)
        else { continue }
        changes.append(PolicyChange(type: event.type, policy: policy))
      }
    }
    return changes
  }
}
