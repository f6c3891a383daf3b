import KubeClient
import Manifest
import MeshSchema
import Policy

/// The STRICT guard that `mtls enable` and `apply` share (docs/policies.md, "Guards"): once a
/// change is applied, no workload it touches may be under STRICT mTLS without a sidecar (its
/// meshed clients could still reach it, its plaintext ones not, and it could not answer mTLS).
public enum StrictGuard {
  /// The workloads that `incoming` (objects about to be applied: rendered PeerAuthentications,
  /// Linkerd Servers and AuthorizationPolicies, Namespaces, workloads) leaves under STRICT — for
  /// the workload or any of its ports — without a sidecar. Touched are the incoming workloads
  /// and the cluster's `workloads` whose mode or port modes change, or whose mode then comes
  /// from an incoming object. `policies` are the cluster's, with its running pods.
  public static func unmeshedUnderStrict(
    after incoming: [Node], workloads: [MeshWorkload], policies: MTLSPolicies, provider: MeshConfig.Provider,
    defaultNamespace: String
  ) -> [WorkloadMTLS] {
    let after = merging(incoming, into: policies, defaultNamespace: defaultNamespace)
    let incomingWorkloads = incoming.compactMap { node -> MeshWorkload? in
      guard let kind = node["kind"]?.string else { return nil }
      return MeshWorkload(kind: kind, object: node, defaultNamespace: defaultNamespace)
    }
    let replaced = Set(incomingWorkloads.map(identity))
    let incomingReferences = Set(incoming.compactMap { reference($0, defaultNamespace: defaultNamespace) })
    var touched: [WorkloadMTLS] = []
    // A workload applied now runs the template applied: its old pods are no evidence.
    var fresh = after
    fresh.pods = []
    for workload in incomingWorkloads {
      touched.append(MTLSResolver.resolve(workload, policies: fresh, provider: provider))
    }
    for workload in workloads where !replaced.contains(identity(workload)) {
      let before = MTLSResolver.resolve(workload, policies: policies, provider: provider)
      let now = MTLSResolver.resolve(workload, policies: after, provider: provider)
      let changed =
        before.mode != now.mode || before.ports.map(\.mode) != now.ports.map(\.mode)
        || before.ports.map(\.port) != now.ports.map(\.port)
      if changed || now.source.object.map(incomingReferences.contains) == true
        || now.ports.contains(where: { $0.source.object.map(incomingReferences.contains) == true })
      {
        touched.append(now)
      }
    }
    return touched.filter { row in
      !row.sidecar.isMeshed && (row.mode == "STRICT" || row.ports.contains { $0.mode == "STRICT" })
    }
  }

  /// `policies` with `incoming` applied: policy objects replace the cluster's of the same
  /// namespace and name (keeping its creation time; new ones are the newest), Namespaces add
  /// their labels and annotations.
  public static func merging(_ incoming: [Node], into policies: MTLSPolicies, defaultNamespace: String)
    -> MTLSPolicies
  {
    var merged = policies
    for node in incoming {
      guard let kind = node["kind"]?.string, let name = node[path: "metadata", "name"]?.string else { continue }
      let group = WorkloadKinds.group(of: node["apiVersion"]?.string ?? "")
      switch (group, kind) {
      case ("", "Namespace"):
        var facts = merged.namespaces[name] ?? NamespaceFacts(name: name)
        facts.labels.merge(node[path: "metadata", "labels"].stringMap) { _, new in new }
        facts.annotations.merge(node[path: "metadata", "annotations"].stringMap) { _, new in new }
        merged.namespaces[name] = facts
      case ("security.istio.io", "PeerAuthentication"):
        replace(node, in: &merged.peerAuthentications, defaultNamespace: defaultNamespace)
      case ("policy.linkerd.io", "Server"):
        replace(node, in: &merged.servers, defaultNamespace: defaultNamespace)
      case ("policy.linkerd.io", "AuthorizationPolicy"):
        replace(node, in: &merged.authorizationPolicies, defaultNamespace: defaultNamespace)
      default: continue
      }
    }
    return merged
  }

  /// Whether `node` changes what decides mTLS modes (a policy kind or a Namespace).
  public static func decidesModes(_ node: Node) -> Bool {
    let group = WorkloadKinds.group(of: node["apiVersion"]?.string ?? "")
    switch (group, node["kind"]?.string ?? "") {
    case ("security.istio.io", "PeerAuthentication"), ("policy.linkerd.io", "Server"),
      ("policy.linkerd.io", "AuthorizationPolicy"):
      return true
    case ("", "Namespace"):
      return node[path: "metadata", "annotations"].stringMap["config.linkerd.io/default-inbound-policy"] != nil
    default: return false
    }
  }

  static func replace(_ node: Node, in objects: inout [Node], defaultNamespace: String) {
    let namespace = node[path: "metadata", "namespace"]?.string ?? defaultNamespace
    let name = node[path: "metadata", "name"]?.string
    var placed = node.settingValue(.string(namespace), at: ["metadata", "namespace"])
    if let index = objects.firstIndex(where: {
      $0[path: "metadata", "namespace"]?.string == namespace && $0[path: "metadata", "name"]?.string == name
    }) {
      if let created = objects[index][path: "metadata", "creationTimestamp"] {
        placed = placed.settingValue(created, at: ["metadata", "creationTimestamp"])
      }
      objects[index] = placed
    } else {
      // Istio picks the oldest of competing policies: one not created yet is the newest.
      objects.append(placed.settingValue(.string("9999-12-31T23:59:59Z"), at: ["metadata", "creationTimestamp"]))
    }
  }

  static func identity(_ workload: MeshWorkload) -> [String] { [workload.kind, workload.namespace, workload.name] }

  /// `PeerAuthentication team/default`, as `ModeSource.object` names policy objects.
  static func reference(_ node: Node, defaultNamespace: String) -> String? {
    guard let kind = node["kind"]?.string, let name = node[path: "metadata", "name"]?.string else { return nil }
    if kind == "Namespace" { return "Namespace \(name)" }
    return "\(kind) \(node[path: "metadata", "namespace"]?.string ?? defaultNamespace)/\(name)"
  }
}
