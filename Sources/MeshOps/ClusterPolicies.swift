import KubeClient
import Manifest
import MeshSchema
import Policy

/// meshctl's policies among a command's inputs, rendered for the cluster: Services and
/// workloads come from the input first, then from the cluster (one list per kind and namespace).
public enum ClusterPolicies {
  /// The settings against a cluster: `provider` (the flag, or a MeshConfig file's), else the
  /// mesh the cluster has installed, else the config's (Istio by default). Services a policy
  /// names must exist: the lookup holds the cluster's.
  public static func settings(
    config: MeshConfig, provider: MeshConfig.Provider?, routing: RoutingTarget, api: KubeAPI
  ) async throws -> PolicySettings {
    var chosen = provider
    if chosen == nil { chosen = try await MeshDetection.detect(api) }
    var settings = PolicySettings(
      config: config, provider: chosen, routing: routing, defaultNamespace: api.defaultNamespace)
    settings.requireKnownServices = true
    return settings
  }

  /// Whether any of `objects` is a TrafficSplit or MTLSPolicy (then settings are needed).
  public static func containsPolicies(_ objects: [ManifestObject]) -> Bool {
    objects.contains { PolicyRenderer.isPolicy($0.node) }
  }

  /// What expanding the policies gave: the objects to send, or the errors that stop it.
  public enum Expansion: Sendable {
    /// The input's Kubernetes objects with every policy replaced by what it renders to.
    case expanded([ManifestObject])
    /// Policies that cannot be rendered: their errors. Nothing may be sent.
    case failed([Diagnostic])
  }

  /// The input's Kubernetes objects with every policy replaced by what it renders to.
  public static func expand(_ objects: [ManifestObject], settings: PolicySettings, api: KubeAPI) async throws
    -> Expansion
  {
    let policies = objects.filter { PolicyRenderer.isPolicy($0.node) }
    guard !policies.isEmpty else { return .expanded(objects) }
    var lookup = ManifestLookup(objects: objects.filter { !PolicyRenderer.isPolicy($0.node) })
    for node in try await clusterObjects(around: policies, api: api) { lookup.add(node) }
    var expanded = objects.filter { !PolicyRenderer.isPolicy($0.node) }
    var errors: [Diagnostic] = []
    let renderer = PolicyRenderer(settings: settings)
    for policy in policies {
      let result = renderer.render(policy, lookup: lookup)
      errors += result.diagnostics.filter { $0.severity == .error }
      for object in result.objects { merge(rendered(from: policy, object), into: &expanded) }
    }
    return errors.isEmpty ? .expanded(expanded) : .failed(errors)
  }

  /// Adds `object`, or merges its labels and annotations into the input object with the same
  /// identity (a Linkerd policy's Namespace patch and the input's Namespace): two applies of one
  /// object by one field manager would each remove what the other set.
  static func merge(_ object: ManifestObject, into objects: inout [ManifestObject]) {
    guard let index = objects.firstIndex(where: { identity($0.node) == identity(object.node) }) else {
      objects.append(object)
      return
    }
    var node = objects[index].node
    for key in ["labels", "annotations"] {
      for entry in object.node[path: "metadata", key]?.mapping ?? [] {
        node = node.replacingMetadata(key, entry.key, with: entry.value)
      }
    }
    objects[index] = ManifestObject(node: node, document: objects[index].document, path: objects[index].path)
  }

  private static func identity(_ node: Node) -> [String?] {
    [
      node["apiVersion"]?.string, node["kind"]?.string, node[path: "metadata", "namespace"]?.string,
      node[path: "metadata", "name"]?.string,
    ]
  }

  /// A rendered object, placed at its policy in the input so messages point there.
  static func rendered(from policy: ManifestObject, _ node: Node) -> ManifestObject {
    let placed = Node(node.content, mark: policy.node.mark)
    return ManifestObject(node: placed, document: Document(root: placed, file: policy.document.file), path: "")
  }

  /// The Services and workloads of every namespace the policies are in, from the cluster.
  public static func clusterObjects(around policies: [ManifestObject], api: KubeAPI) async throws -> [Node] {
    let namespaces = Set(policies.map { $0.namespace ?? api.defaultNamespace })
    let kinds = [("v1", "Service"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet")]
    return try await withThrowingTaskGroup(of: [Node].self) { group in
      for namespace in namespaces {
        for (apiVersion, kind) in kinds {
          group.addTask {
            let resource = try await api.resource(apiVersion: apiVersion, kind: kind)
            return try await api.list(resource, namespace: namespace).map {
              withKind($0, apiVersion: apiVersion, kind: kind)
            }
          }
        }
      }
      var all: [Node] = []
      for try await nodes in group { all += nodes }
      return all
    }
  }

  /// A list item with its `apiVersion` and `kind` put back (list items carry neither; the
  /// lookup needs them).
  public static func withKind(_ node: Node, apiVersion: String, kind: String) -> Node {
    let rest = (node.mapping ?? []).filter { $0.key != "apiVersion" && $0.key != "kind" }
    return .mapping(
      [MappingEntry(key: "apiVersion", value: .string(apiVersion)), MappingEntry(key: "kind", value: .string(kind))]
        + rest)
  }
}

extension Node {
  /// This object with `metadata.annotations[key]` set to `value`.
  func replacingAnnotation(_ key: String, with value: String) -> Node {
    replacingMetadata("annotations", key, with: .string(value))
  }

  /// This object with `metadata.<map>[key]` (labels or annotations) set to `value`, in place
  /// when the key exists, else added last.
  func replacingMetadata(_ map: String, _ key: String, with value: Node) -> Node {
    guard var entries = mapping, let index = entries.firstIndex(where: { $0.key == "metadata" }) else { return self }
    var metadata = entries[index].value.mapping ?? []
    var pairs = metadata.first { $0.key == map }?.value.mapping ?? []
    if let existing = pairs.firstIndex(where: { $0.key == key }) {
      pairs[existing].value = value
    } else {
      pairs.append(MappingEntry(key: key, value: value))
    }
    if let position = metadata.firstIndex(where: { $0.key == map }) {
      metadata[position].value = .mapping(pairs)
    } else {
      metadata.append(MappingEntry(key: map, value: .mapping(pairs)))
    }
    entries[index].value = Node(.mapping(metadata), mark: entries[index].value.mark)
    return Node(.mapping(entries), mark: mark)
  }
}
