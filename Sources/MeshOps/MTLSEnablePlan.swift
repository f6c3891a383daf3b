import KubeClient
import Manifest
import MeshSchema
import Policy

/// What `mtls enable` asks for: a mode for a namespace, or for the workloads a selector picks.
public struct MTLSEnableRequest: Sendable {
  /// The namespace of the policy.
  public var namespace: String
  /// `STRICT`, `PERMISSIVE` or `DISABLE`.
  public var mode: String
  /// The pod labels that pick the workloads; empty: the whole namespace.
  public var selector: [(key: String, value: String)]
  /// Set STRICT although workloads in scope have no sidecar.
  public var force: Bool
  /// The mesh, when detection should not decide.
  public var provider: MeshConfig.Provider?
  /// The provider settings (trust domain, control plane namespace).
  public var config: MeshConfig
  /// Whether `config` came from a file (then its control plane namespace is the root namespace).
  public var configGiven: Bool

  /// Creates a request.
  public init(
    namespace: String, mode: String, selector: [(key: String, value: String)], force: Bool,
    provider: MeshConfig.Provider?, config: MeshConfig, configGiven: Bool
  ) {
    self.namespace = namespace
    self.mode = mode
    self.selector = selector
    self.force = force
    self.provider = provider
    self.config = config
    self.configGiven = configGiven
  }

  /// The MTLSPolicy the request builds (named `default`, or after the selector).
  public var policy: Node {
    MTLSPolicyNaming.policy(
      name: MTLSPolicyNaming.name(for: selector), namespace: namespace, mode: mode, selector: selector)
  }

  /// The schema errors of `policy` (a label value Kubernetes refuses), as `path: message`.
  public var policyErrors: [String] {
    let (documents, _) = ManifestReader().parse(YAMLEmitter.emit(policy), file: "mtls enable")
    let errors = documents.flatMap { Validator().validate($0) }.filter { $0.severity == .error }
    return errors.map { "\($0.path.map { "\($0): " } ?? "")\($0.message)" }
  }

  /// Refuses a policy the flags make invalid (a label value Kubernetes refuses) as a usage error
  /// (`MeshOpsError.invalidRequest`), before anything is read or sent.
  public func validate() throws {
    let errors = policyErrors
    guard errors.isEmpty else {
      throw MeshOpsError.invalidRequest("the flags make an invalid MTLSPolicy: " + errors.joined(separator: "; "))
    }
  }
}

/// The decision of `mtls enable`: what the cluster runs, and whether and what to apply.
public struct MTLSEnablePlan: Sendable {
  /// What to do.
  public enum Decision: Sendable {
    /// The policy cannot be rendered for the mesh (Linkerd's DISABLE): its diagnostics.
    case renderFailed([Diagnostic])
    /// STRICT refused: workloads in scope have no sidecar. `meshWide` when the policy is
    /// Istio's mesh-wide one (the namespace is the root namespace).
    case refused(unmeshed: [WorkloadMTLS], meshWide: Bool)
    /// Apply these rendered objects.
    case apply([Node])
  }

  /// The mesh the policy was rendered for.
  public var provider: MeshConfig.Provider
  /// What the scan could not read (said before the decision).
  public var scanWarnings: [String]
  /// What to do.
  public var decision: Decision
  /// Said when applying: a forced STRICT over unmeshed workloads, a selector that matches nothing.
  public var warnings: [String]

  /// Reads the cluster (provider, workloads with their modes, Services) and decides.
  public static func make(api: KubeAPI, request: MTLSEnableRequest) async throws -> MTLSEnablePlan {
    let state = try await MeshOpsError.wrappingDiscovery {
      try await EnableState.read(api, request: request)
    }
    let settings = PolicySettings(
      config: request.config, provider: state.provider, defaultNamespace: request.namespace)
    let rendered = PolicyRenderer(settings: settings).render(request.policy, file: "mtls enable", lookup: state.lookup)
    var plan = MTLSEnablePlan(
      provider: state.provider, scanWarnings: state.warnings, decision: .apply(rendered.objects), warnings: [])
    if rendered.hasErrors {
      plan.decision = .renderFailed(rendered.diagnostics)
      return plan
    }
    let matchLabels = Dictionary(request.selector.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    let scoped = state.rows.filter { LabelMatch.matches(matchLabels, $0.workload.labels) }
    let unmeshed = StrictGuard.unmeshedUnderStrict(
      after: rendered.objects, workloads: scoped.map(\.workload), policies: state.policies, provider: state.provider,
      defaultNamespace: request.namespace)
    if !unmeshed.isEmpty, !request.force {
      plan.decision = .refused(unmeshed: unmeshed, meshWide: state.meshWide)
      return plan
    }
    if !unmeshed.isEmpty {
      let names = unmeshed.map(\.workload.reference).joined(separator: ", ")
      plan.warnings.append("--force: STRICT while these have no sidecar: \(names)")
    }
    if scoped.isEmpty, !request.selector.isEmpty {
      let text = request.selector.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
      plan.warnings.append("no workload in namespace \(request.namespace) matches \(text)")
    }
    return plan
  }
}

/// What `mtls enable` reads before deciding: the provider, the namespace's workloads with
/// their modes, and a lookup of its Services and workloads for rendering.
struct EnableState: Sendable {
  var provider: MeshConfig.Provider
  var rows: [WorkloadMTLS]
  var lookup: ManifestLookup
  /// The policies, Namespaces and running pods the rows were resolved with.
  var policies: MTLSPolicies
  /// Whether the policy is Istio's mesh-wide one (namespace-wide in the root namespace): then
  /// every workload of the cluster is in scope.
  var meshWide: Bool
  /// What could not be read (a forbidden root namespace).
  var warnings: [String]

  static func read(_ api: KubeAPI, request: MTLSEnableRequest) async throws -> EnableState {
    let namespace = request.namespace
    let mesh = try await MeshDetection.provider(api, forced: request.provider)
    let root = (request.configGiven ? request.config.controlPlaneNamespace : nil) ?? mesh.defaultControlPlaneNamespace
    let meshWide = mesh == .istio && request.selector.isEmpty && namespace == root
    async let services = api.list(try await api.resource(apiVersion: "v1", kind: "Service"), namespace: namespace)
    async let scanned = MTLSCluster.scan(
      api, provider: mesh, namespace: meshWide ? nil : namespace, rootNamespace: root)
    let (serviceList, scan) = try await (services, scanned)
    var lookup = ManifestLookup()
    for service in serviceList { lookup.add(ClusterPolicies.withKind(service, apiVersion: "v1", kind: "Service")) }
    for (apiVersion, kind, object) in scan.objects where kind != "Pod" {
      let typed = ClusterPolicies.withKind(object, apiVersion: apiVersion, kind: kind)
      lookup.add(SidecarDetection.withoutProxies(typed, kind: kind))
    }
    return EnableState(
      provider: mesh, rows: scan.rows, lookup: lookup, policies: scan.policies, meshWide: meshWide,
      warnings: scan.warnings)
  }
}

extension MTLSEnablePlan {
  /// The refusal of STRICT as people read it: the workloads in scope without a sidecar, why
  /// that breaks them, and the migration in steps. `selectorArguments` are the `--selector`
  /// values as given; `commandName` is `meshctl` or `kubectl mesh`.
  public static func refusal(
    unmeshed: [WorkloadMTLS], meshWide: Bool, provider: MeshConfig.Provider, namespace: String,
    selectorArguments: [String], commandName: String
  ) -> String {
    let place = meshWide ? "the mesh (\(namespace) is Istio's root namespace)" : "namespace \(namespace)"
    let count = unmeshed.count == 1 ? "1 workload" : "\(unmeshed.count) workloads"
    var text =
      "\(commandName): error: refusing STRICT mTLS: \(count) in scope in \(place) "
      + "\(unmeshed.count == 1 ? "has" : "have") no \(ProxyContainer.name(for: provider)) sidecar:\n"
    let showNamespace = Set(unmeshed.map(\.workload.namespace)).count > 1
    for row in unmeshed {
      text += "  \(showNamespace ? row.workload.namespace + "/" : "")\(row.workload.reference)\n"
    }
    let scope = (["-n \(namespace)"] + selectorArguments.map { "--selector \($0)" }).joined(separator: " ")
    text += """
      Under STRICT the meshed workloads accept only mTLS, which workloads without a sidecar cannot send.
      hint: migrate in steps: \(commandName) mtls enable --mode PERMISSIVE \(scope), inject the workloads \
      above (\(commandName) inject, or enable the injection webhook and restart them), then --mode STRICT; \
      --force sets STRICT now
      \(commandName): nothing was sent to the cluster

      """
    return text
  }
}
