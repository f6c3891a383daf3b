import KubeClient
import Manifest
import MeshSchema
import Policy

/// What `apply` checks before its first write (docs/policies.md, "Guards"): the input's
/// TrafficSplits route to backends that can serve (`BackendReadiness`), and no workload the
/// input touches ends up under STRICT mTLS without a sidecar (`StrictGuard`, the rule of
/// `mtls enable`). Reads a few lists per namespace, never one request per object.
public struct ApplyGuards: Sendable {
  /// Backends the input gives traffic that nothing ready serves; `pending` ones wait for
  /// workloads of the same input.
  public var emptyBackends: [EmptyBackend] = []
  /// Workloads the input leaves under STRICT without a sidecar.
  public var unmeshed: [WorkloadMTLS] = []
  /// The mesh the STRICT guard judged for; nil when no mesh is installed (no guard then).
  public var provider: MeshConfig.Provider?
  /// What could not be read (a forbidden root namespace).
  public var warnings: [String] = []

  /// Creates findings from their parts.
  public init(
    emptyBackends: [EmptyBackend] = [], unmeshed: [WorkloadMTLS] = [], provider: MeshConfig.Provider? = nil,
    warnings: [String] = []
  ) {
    self.emptyBackends = emptyBackends
    self.unmeshed = unmeshed
    self.provider = provider
    self.warnings = warnings
  }

  /// The empty backends that stop an apply (those the input itself does not create).
  public var refusedBackends: [EmptyBackend] { emptyBackends.filter { !$0.pending } }

  /// Checks `plan` (what will be sent) against the cluster; `input` are the objects as read,
  /// the TrafficSplits among them. `provider` is the mesh policies were rendered for (nil: the
  /// installed one); `rootNamespace` Istio's root namespace when a MeshConfig sets it.
  public static func check(
    input: [ManifestObject], plan: ApplyPlan, provider: MeshConfig.Provider?, rootNamespace: String?
  ) async throws -> ApplyGuards {
    let api = plan.api
    let incoming = plan.resolved.map { object -> Node in
      guard let namespace = object.namespace else { return object.body }
      return object.body.settingValue(.string(namespace), at: ["metadata", "namespace"])
    }
    let checks = input.filter { isTrafficSplit($0.node) }.map {
      BackendReadiness.Check(trafficSplit: $0.node, namespace: $0.namespace ?? api.defaultNamespace)
    }
    async let readiness =
      checks.isEmpty
      ? BackendReadiness.Outcome(emptyBackends: [], warnings: [])
      : BackendReadiness.check(checks, api: api, incoming: incoming)
    async let strict = strictGuard(incoming, api: api, provider: provider, rootNamespace: rootNamespace)
    let (ready, (mesh, unmeshed, warnings)) = try await (readiness, strict)
    return ApplyGuards(
      emptyBackends: ready.emptyBackends, unmeshed: unmeshed, provider: mesh, warnings: ready.warnings + warnings)
  }

  /// Whether `node` is a meshctl TrafficSplit.
  static func isTrafficSplit(_ node: Node) -> Bool {
    node["apiVersion"]?.string == SchemaRegistry.meshctlAPIVersion && node["kind"]?.string == "TrafficSplit"
  }

  /// The STRICT guard over `incoming`: reads the policies of every namespace the input has
  /// workloads or mTLS objects in, and the workloads of the namespaces whose modes it changes.
  static func strictGuard(
    _ incoming: [Node], api: KubeAPI, provider forced: MeshConfig.Provider?, rootNamespace: String?
  ) async throws -> (MeshConfig.Provider?, [WorkloadMTLS], [String]) {
    func namespace(_ node: Node) -> String { node[path: "metadata", "namespace"]?.string ?? api.defaultNamespace }
    guard incoming.contains(where: strictGuardReads) else { return (nil, [], []) }
    let workloadNamespaces = Set(incoming.filter(isWorkload).map(namespace))
    let deciding = incoming.filter(StrictGuard.decidesModes)
    let meshes = try await api.installedMeshes()
    let installed: MeshConfig.Provider? =
      switch forced {
      case .istio?: meshes.istio ? .istio : nil
      case .linkerd?: meshes.linkerd ? .linkerd : nil
      case nil: MeshDetection.detected(meshes)
      }
    guard let provider = installed else { return (nil, [], []) }
    let root = rootNamespace ?? provider.defaultControlPlaneNamespace
    let policyNamespaces = Set(
      deciding.map { $0["kind"]?.string == "Namespace" ? ($0[path: "metadata", "name"]?.string ?? "") : namespace($0) })
    // A namespace-wide PeerAuthentication in the root namespace is mesh-wide: every workload.
    let meshWide =
      provider == .istio
      && deciding.contains {
        $0["kind"]?.string == "PeerAuthentication" && namespace($0) == root
          && $0[path: "spec", "selector", "matchLabels"].stringMap.isEmpty
      }
    let read = try await MeshOpsError.wrappingDiscovery {
      try await readState(
        api, provider: provider, root: root, policyNamespaces: workloadNamespaces.union(policyNamespaces),
        workloadNamespaces: meshWide ? nil : policyNamespaces)
    }
    let unmeshed = StrictGuard.unmeshedUnderStrict(
      after: incoming, workloads: read.workloads, policies: read.policies, provider: provider,
      defaultNamespace: api.defaultNamespace)
    return (provider, unmeshed, read.policies.warnings)
  }

  /// Whether the STRICT guard reads the cluster for `node`: a workload, or what decides modes.
  static func strictGuardReads(_ node: Node) -> Bool { isWorkload(node) || StrictGuard.decidesModes(node) }

  private static func isWorkload(_ node: Node) -> Bool {
    WorkloadKinds.templatePath(kind: node["kind"]?.string ?? "") != nil
  }

  /// Starts the read of the server's group list that the STRICT guard's mesh detection makes
  /// (`KubeAPI.groups`, cached), when `objects` will need it; awaited with discovery, it costs
  /// no round trip of its own (bench/README.md, "Apply"). A failure stays cached for the guard.
  static func prefetchGroups(for objects: [ManifestObject], api: KubeAPI) async {
    guard objects.contains(where: { strictGuardReads($0.node) }) else { return }
    _ = try? await api.groups()
  }

  /// The policies and Namespaces of `policyNamespaces`, and the workloads and pods of
  /// `workloadNamespaces` (nil: every namespace), read at once.
  static func readState(
    _ api: KubeAPI, provider: MeshConfig.Provider, root: String, policyNamespaces: Set<String>,
    workloadNamespaces: Set<String>?
  ) async throws -> (workloads: [MeshWorkload], policies: MTLSPolicies) {
    enum Part: Sendable {
      case policies(MTLSPolicies)
      case objects([(apiVersion: String, kind: String, object: Node)])
    }
    let listed: [String?] = workloadNamespaces.map { $0.sorted().map(Optional.some) } ?? [nil]
    // A user who may not read a namespace's policies or workloads still applies: that part is
    // not checked, and a warning says so.
    @Sendable func forbidden(_ what: String, _ namespace: String?) -> Part {
      var policies = MTLSPolicies(rootNamespace: root)
      policies.warnings.append(
        "cannot list \(what) in \(namespace.map { "namespace \($0)" } ?? "the cluster") (forbidden): the STRICT "
          + "guard did not check it")
      return .policies(policies)
    }
    return try await withThrowingTaskGroup(of: Part.self) { group in
      for namespace in policyNamespaces {
        group.addTask {
          do {
            return .policies(
              try await MTLSCluster.policies(api, provider: provider, namespace: namespace, rootNamespace: root))
          } catch let error as APIError where error.httpStatus == 403 {
            return forbidden("the mesh's policies", namespace)
          }
        }
      }
      for namespace in listed {
        group.addTask {
          do {
            return .objects(try await MTLSCluster.workloadObjects(api, namespace: namespace))
          } catch let error as APIError where error.httpStatus == 403 {
            return forbidden("workloads", namespace)
          }
        }
      }
      var policies = MTLSPolicies(rootNamespace: root)
      var objects: [(apiVersion: String, kind: String, object: Node)] = []
      for try await part in group {
        switch part {
        case .policies(let found): merge(found, into: &policies)
        case .objects(let found): objects += found
        }
      }
      policies.pods = objects.filter { $0.kind == "Pod" }.compactMap {
        MeshWorkload(kind: "Pod", object: $0.object, defaultNamespace: api.defaultNamespace)
      }
      let workloads = objects.filter {
        $0.kind != "Pod" || ($0.object[path: "metadata", "ownerReferences"]?.sequence ?? []).isEmpty
      }.compactMap { MeshWorkload(kind: $0.kind, object: $0.object, defaultNamespace: api.defaultNamespace) }
      return (workloads, policies)
    }
  }

  /// Adds what one namespace's read found; the root namespace's policies come with each, once.
  static func merge(_ found: MTLSPolicies, into policies: inout MTLSPolicies) {
    func key(_ node: Node) -> [String?] {
      [node[path: "metadata", "namespace"]?.string, node[path: "metadata", "name"]?.string]
    }
    func add(_ new: [Node], to list: inout [Node]) {
      let known = Set(list.map(key))
      list += new.filter { !known.contains(key($0)) }
    }
    add(found.peerAuthentications, to: &policies.peerAuthentications)
    add(found.servers, to: &policies.servers)
    add(found.authorizationPolicies, to: &policies.authorizationPolicies)
    policies.namespaces.merge(found.namespaces) { old, _ in old }
    for warning in found.warnings where !policies.warnings.contains(warning) { policies.warnings.append(warning) }
  }
}

/// What apply's guards come to under the override flags: lines for people, and whether the
/// apply is refused (exit 1, nothing sent).
public struct GuardVerdict: Sendable, Equatable {
  /// `Warning:` lines (without the prefix): findings that do not refuse.
  public var warnings: [String] = []
  /// Error lines (without the prefix): findings that refuse.
  public var errors: [String] = []
  /// What to do about the errors, one line each.
  public var hints: [String] = []
  /// Whether the apply is refused.
  public var refused: Bool { !errors.isEmpty }
}

extension GuardVerdict {
  /// The ready-endpoint guard's verdict for one TrafficSplit (`shift`): each empty backend
  /// refuses, or only warns with `allowEmpty`.
  public init(emptyBackends: [EmptyBackend], allowEmpty: Bool) {
    for backend in emptyBackends {
      if allowEmpty {
        warnings.append("--allow-empty: " + backend.qualifiedDescription)
      } else {
        errors.append(backend.qualifiedDescription)
      }
    }
    if !errors.isEmpty {
      hints.append("wait until the backend's pods are ready (or fix its selector), or pass --allow-empty to shift anyway")
    }
  }
}

extension ApplyGuards {
  /// The verdict with `--allow-empty` and `--force` as given; `warnOnly` (diff) turns every
  /// finding into a warning. A backend only the input's own workloads would serve is a warning
  /// (it gets traffic before they are ready). Hints name the command as `commandName`.
  public func verdict(allowEmpty: Bool, force: Bool, warnOnly: Bool = false, commandName: String = "meshctl")
    -> GuardVerdict
  {
    var verdict = GuardVerdict(warnings: warnings)
    for backend in emptyBackends {
      if backend.pending {
        verdict.warnings.append("\(backend.qualifiedDescription); it gets traffic before they are ready")
      } else if allowEmpty || warnOnly {
        verdict.warnings.append((warnOnly ? "" : "--allow-empty: ") + backend.qualifiedDescription)
      } else {
        verdict.errors.append(backend.qualifiedDescription)
      }
    }
    if !verdict.errors.isEmpty {
      verdict.hints.append(
        "wait until the backends' pods are ready (or fix their selectors), or pass --allow-empty to route to them anyway")
    }
    guard let provider, !unmeshed.isEmpty else { return verdict }
    let proxy = ProxyContainer.name(for: provider)
    for row in unmeshed {
      let what =
        "\(row.workload.namespace)/\(row.workload.reference) would run under STRICT mTLS (\(MTLSStatusScan.modeText(row)), from \(row.source.text)) with no \(proxy) sidecar"
      if force || warnOnly {
        verdict.warnings.append((warnOnly ? "" : "--force: ") + what)
      } else {
        verdict.errors.append(what)
      }
    }
    if !force && !warnOnly {
      verdict.hints.append(
        "inject it (\(commandName) inject, or the injection webhook), set PERMISSIVE for it first, or pass --force")
    }
    return verdict
  }
}
