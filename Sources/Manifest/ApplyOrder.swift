/// The API groups of the mesh providers' resources: the one list the apply order, discovery
/// hints and mesh detection share.
public enum MeshAPIGroups {
  /// Istio's traffic and security groups.
  public static let istio = ["networking.istio.io", "security.istio.io"]
  /// The Gateway API group.
  public static let gatewayAPI = ["gateway.networking.k8s.io"]
  /// Linkerd's policy group.
  public static let linkerd = ["policy.linkerd.io"]
  /// The SMI traffic-split group.
  public static let smi = ["split.smi-spec.io"]

  /// Every group whose kinds route traffic or set policy.
  public static let routing: Set<String> = Set(istio + gatewayAPI + linkerd + smi)
}

/// Where an object stands in the order of an apply: what others depend on goes first. The one
/// ordering of objects, for rendering and for sending them to a cluster.
public enum ApplyTier: Int, Sendable, Comparable, CaseIterable {
  /// Namespaces and CustomResourceDefinitions: everything else may live in or be one of them.
  case foundations
  /// Services, configuration, identities and access rules that workloads refer to.
  case configuration
  /// Workloads and every kind not named elsewhere.
  case workloads
  /// Routing and policy kinds, which point at Services and workloads.
  case routing

  /// The tier of an object of `kind` in `group`.
  public static func of(kind: String, group: String) -> ApplyTier {
    if kind == "Namespace" || kind == "CustomResourceDefinition" { return .foundations }
    if MeshAPIGroups.routing.contains(group) { return .routing }
    if configurationKinds.contains(kind) { return .configuration }
    return .workloads
  }

  /// The tier of an object, from its `kind` and the group of its `apiVersion`.
  public static func of(_ object: Node) -> ApplyTier {
    let apiVersion = object["apiVersion"]?.string ?? ""
    let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
    return of(kind: object["kind"]?.string ?? "", group: group)
  }

  /// `objects` in apply order, tier by tier; the order within a tier is kept.
  public static func ordered(_ objects: [Node]) -> [Node] {
    objects.enumerated().map { (tier: of($0.element), offset: $0.offset, object: $0.element) }
      .sorted { $0.tier != $1.tier ? $0.tier < $1.tier : $0.offset < $1.offset }.map(\.object)
  }

  public static func < (lhs: ApplyTier, rhs: ApplyTier) -> Bool { lhs.rawValue < rhs.rawValue }

  private static let configurationKinds: Set<String> = [
    "Service", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "StorageClass",
    "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "LimitRange", "ResourceQuota", "PriorityClass",
    "NetworkPolicy", "PodDisruptionBudget", "IngressClass",
  ]
}
