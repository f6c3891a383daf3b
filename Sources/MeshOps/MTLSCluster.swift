import KubeClient
import Manifest
import MeshSchema
import Policy

/// Reads what the mTLS decisions need from the cluster: workloads, their pods, the mesh's
/// policies and the Namespaces.
public enum MTLSCluster {
  /// The workload kinds read, in the order rows are printed within a namespace.
  public static let workloadKinds: [(apiVersion: String, kind: String)] = [
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("v1", "Pod"),
  ]

  /// What a scan found: one row per workload, the objects read, and what could not be read.
  public struct Scan: Sendable {
    /// The workloads with their modes, sorted by namespace, kind and name.
    public var rows: [WorkloadMTLS]
    /// The workload objects (controller-owned Pods left out) with their apiVersion and kind.
    public var objects: [(apiVersion: String, kind: String, object: Node)]
    /// What could not be read (a forbidden root namespace).
    public var warnings: [String]
    /// The policies, Namespaces and running pods the modes were computed from.
    public var policies = MTLSPolicies()
  }

  /// The workloads in `namespace` (nil: every namespace) with their modes, and the objects
  /// they were read from. Pods owned by a controller are not rows (their controller is the
  /// workload) but tell whether its running pods have the proxy.
  public static func scan(
    _ api: KubeAPI, provider: MeshConfig.Provider, namespace: String?, rootNamespace: String
  ) async throws -> Scan {
    async let listed = workloadObjects(api, namespace: namespace)
    async let read = policies(api, provider: provider, namespace: namespace, rootNamespace: rootNamespace)
    var (objects, policies) = try await (listed, read)
    let fallback = namespace ?? "default"
    policies.pods = objects.filter { $0.kind == "Pod" }.compactMap {
      MeshWorkload(kind: "Pod", object: $0.object, defaultNamespace: fallback)
    }
    objects = objects.filter {
      $0.kind != "Pod" || ($0.object[path: "metadata", "ownerReferences"]?.sequence ?? []).isEmpty
    }
    let workloads = objects.compactMap { MeshWorkload(kind: $0.kind, object: $0.object, defaultNamespace: fallback) }
    let rows = workloads.sorted(by: order).map { MTLSResolver.resolve($0, policies: policies, provider: provider) }
    return Scan(rows: rows, objects: objects, warnings: policies.warnings, policies: policies)
  }

  /// Rows by namespace, then kind (Deployments first), then name.
  static func order(_ lhs: MeshWorkload, _ rhs: MeshWorkload) -> Bool {
    (lhs.namespace, kindOrder(lhs.kind), lhs.name) < (rhs.namespace, kindOrder(rhs.kind), rhs.name)
  }

  static func kindOrder(_ kind: String) -> Int { workloadKinds.firstIndex { $0.kind == kind } ?? workloadKinds.count }

  /// The workload objects and every Pod, with their apiVersion and kind (list items carry
  /// neither).
  static func workloadObjects(_ api: KubeAPI, namespace: String?) async throws
    -> [(apiVersion: String, kind: String, object: Node)]
  {
    try await withThrowingTaskGroup(of: [(apiVersion: String, kind: String, object: Node)].self) { group in
      for (apiVersion, kind) in workloadKinds {
        group.addTask {
          let items = try await api.list(
            try await api.resource(apiVersion: apiVersion, kind: kind), namespace: namespace)
          return items.map { (apiVersion, kind, $0) }
        }
      }
      var all: [(apiVersion: String, kind: String, object: Node)] = []
      for try await part in group { all += part }
      return all
    }
  }

  /// The policies and Namespaces that decide modes in `namespace` (nil: all).
  public static func policies(
    _ api: KubeAPI, provider: MeshConfig.Provider, namespace: String?, rootNamespace: String
  ) async throws -> MTLSPolicies {
    var policies = MTLSPolicies(rootNamespace: rootNamespace)
    async let namespaces = namespaceFacts(api, namespace: namespace)
    switch provider {
    case .istio:
      let resource = try await meshResource(api, group: "security.istio.io", kind: "PeerAuthentication")
      policies.peerAuthentications = try await api.list(resource, namespace: namespace)
      if let namespace, namespace != rootNamespace {
        // Users with rights in their own namespace only still get a status: the mesh-wide
        // policy is then unknown, and they are told so.
        do {
          policies.peerAuthentications += try await api.list(resource, namespace: rootNamespace)
        } catch let error as APIError where error.httpStatus == 403 {
          policies.warnings.append(
            "cannot list PeerAuthentications in \(rootNamespace) (forbidden): a mesh-wide policy there is not "
              + "taken into account")
        }
      }
    case .linkerd:
      let servers = try await meshResource(api, group: "policy.linkerd.io", kind: "Server")
      let authorizations = try await meshResource(api, group: "policy.linkerd.io", kind: "AuthorizationPolicy")
      async let serverList = api.list(servers, namespace: namespace)
      async let authorizationList = api.list(authorizations, namespace: namespace)
      (policies.servers, policies.authorizationPolicies) = try await (serverList, authorizationList)
    }
    for facts in try await namespaces { policies.namespaces[facts.name] = facts }
    return policies
  }

  /// The Namespace (none when it does not exist), or every Namespace.
  public static func namespaceFacts(_ api: KubeAPI, namespace: String?) async throws -> [NamespaceFacts] {
    let resource = try await api.resource(apiVersion: "v1", kind: "Namespace")
    guard let namespace else { return try await api.list(resource, namespace: nil).map(NamespaceFacts.init(object:)) }
    return try await api.get(resource, namespace: nil, name: namespace).map { [NamespaceFacts(object: $0)] } ?? []
  }

  /// A mesh kind in whichever version of its group the server serves (preferred first).
  public static func meshResource(_ api: KubeAPI, group: String, kind: String) async throws -> APIResource {
    let summary = try await api.groups().first { $0.name == group }
    for version in [summary?.preferredVersion].compactMap({ $0 }) + (summary?.versions ?? []) {
      if let found = try await api.resources(groupVersion: "\(group)/\(version)").first(where: { $0.kind == kind }) {
        return found
      }
    }
    throw KubeAPIError.unknownKind(
      kind: kind, apiVersion: "\(group)/\(summary?.preferredVersion ?? "v1")",
      hint: ProviderGroups.hint(forGroup: group))
  }
}

/// `mtls status`: every workload in scope with its effective mode, its source and its sidecar.
public struct MTLSStatusScan: Sendable {
  /// The mesh the modes were computed for.
  public var provider: MeshConfig.Provider
  /// One row per workload.
  public var rows: [WorkloadMTLS]
  /// What could not be read.
  public var warnings: [String]

  /// Detects (or checks the forced) provider and scans `namespace` (nil: all); the root
  /// namespace is the configured one, else the provider's default.
  public static func run(
    api: KubeAPI, provider forced: MeshConfig.Provider?, namespace: String?, rootNamespace configured: String?
  ) async throws -> MTLSStatusScan {
    try await MeshOpsError.wrappingDiscovery {
      let mesh = try await MeshDetection.provider(api, forced: forced)
      let root = configured ?? mesh.defaultControlPlaneNamespace
      let scan = try await MTLSCluster.scan(api, provider: mesh, namespace: namespace, rootNamespace: root)
      return MTLSStatusScan(provider: mesh, rows: scan.rows, warnings: scan.warnings)
    }
  }

  /// `{provider, workloads: [...]}`, the JSON and YAML output.
  public var object: Node {
    .mapping([
      "provider": .string(provider.rawValue),
      "workloads": .sequence(rows.map(Self.workload)),
    ])
  }

  /// The rows of `mtls status`'s table, the header first.
  public var table: [[String]] {
    [["NAMESPACE", "WORKLOAD", "MODE", "SOURCE", "SIDECAR"]]
      + rows.map {
        [$0.workload.namespace, $0.workload.reference, Self.modeText($0), $0.source.text, $0.sidecar.text]
      }
  }

  /// `STRICT`, or `STRICT (port 9090: PERMISSIVE)` with port overrides.
  public static func modeText(_ row: WorkloadMTLS) -> String {
    guard !row.ports.isEmpty else { return row.mode }
    return row.mode + " (" + row.ports.map { "port \($0.port): \($0.mode)" }.joined(separator: ", ") + ")"
  }

  static func workload(_ row: WorkloadMTLS) -> Node {
    .mapping([
      "namespace": .string(row.workload.namespace), "kind": .string(row.workload.kind),
      "name": .string(row.workload.name), "mode": .string(row.mode), "source": source(row.source),
      "ports": .sequence(
        row.ports.map {
          .mapping(["port": .int($0.port), "mode": .string($0.mode), "source": source($0.source)])
        }),
      "sidecar": .string(row.sidecar.rawValue), "meshed": .bool(row.sidecar.isMeshed),
    ])
  }

  static func source(_ source: ModeSource) -> Node {
    var entries = [MappingEntry(key: "text", value: .string(source.text))]
    entries.append(MappingEntry(key: "object", value: source.object.map(Node.string) ?? .null))
    entries.append(MappingEntry(key: "policy", value: source.policy.map(Node.string) ?? .null))
    entries.append(MappingEntry(key: "managed", value: .bool(source.policy != nil)))
    return .mapping(entries)
  }
}
