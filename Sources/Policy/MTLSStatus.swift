import Manifest
import MeshSchema

/// A workload as `mtls status` and `mtls enable` see it: its pod template's labels,
/// annotations and containers (a bare Pod is its own template).
public struct MeshWorkload: Sendable, Hashable {
  /// `Deployment`, `StatefulSet`, `DaemonSet` or `Pod`.
  public var kind: String
  /// Its namespace.
  public var namespace: String
  /// Its name.
  public var name: String
  /// The pod template's labels.
  public var labels: [String: String]
  /// The pod template's annotations.
  public var annotations: [String: String]
  /// The names of the template's containers.
  public var containers: [String]
  /// The names of the template's init containers that keep running (`restartPolicy: Always`):
  /// native sidecars.
  public var sidecarInitContainers: [String]
  /// The container ports of the template's application containers (the proxy's left out), sorted.
  public var ports: [Int]
  /// The controller's `spec.selector.matchLabels`: which pods are its; nil for a bare Pod.
  public var selector: [String: String]?
  /// The named container ports (`http` → 8080): Linkerd Servers often name their port.
  public var portNames: [String: Int] = [:]
  /// Whether the pods use the node's network (no injector touches them).
  public var hostNetwork = false

  /// Creates a workload from its parts.
  public init(
    kind: String, namespace: String, name: String, labels: [String: String] = [:],
    annotations: [String: String] = [:], containers: [String] = [], sidecarInitContainers: [String] = [],
    ports: [Int] = [], selector: [String: String]? = nil
  ) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
    self.labels = labels
    self.annotations = annotations
    self.containers = containers
    self.sidecarInitContainers = sidecarInitContainers
    self.ports = ports
    self.selector = selector
  }

  /// Reads a workload object as the API returns it; `kind` is given because list items carry
  /// none. Nil when the kind has no pod template or the object has no name.
  public init?(kind: String, object: Node, defaultNamespace: String = "default") {
    guard let templatePath = WorkloadKinds.templatePath(kind: kind),
      let name = object[path: "metadata", "name"]?.string
    else { return nil }
    let template = object.value(at: templatePath)
    let podSpec = template?["spec"]
    let initContainers = podSpec?["initContainers"]?.sequence ?? []
    var ports: Set<Int> = []
    var portNames: [String: Int] = [:]
    for container in podSpec?["containers"]?.sequence ?? []
    where !ProxyContainer.names.contains(container["name"]?.string ?? "") {
      for port in container["ports"]?.sequence ?? [] {
        guard let number = port["containerPort"]?.int else { continue }
        ports.insert(number)
        if let portName = port["name"]?.string { portNames[portName] = number }
      }
    }
    self.init(
      kind: kind, namespace: object[path: "metadata", "namespace"]?.string ?? defaultNamespace, name: name,
      labels: template?[path: "metadata", "labels"].stringMap ?? [:],
      annotations: template?[path: "metadata", "annotations"].stringMap ?? [:],
      containers: (podSpec?["containers"]?.sequence ?? []).compactMap { $0["name"]?.string },
      sidecarInitContainers: initContainers.filter { $0["restartPolicy"]?.string == "Always" }.compactMap {
        $0["name"]?.string
      }, ports: ports.sorted(),
      selector: kind == "Pod" ? nil : object[path: "spec", "selector", "matchLabels"].stringMap)
    self.portNames = portNames
    self.hostNetwork = podSpec?["hostNetwork"]?.bool == true
  }

  /// What its pod template says about injection, for `SidecarIntent`.
  public var injectionMarks: PodInjectionMarks {
    PodInjectionMarks(
      labels: labels, annotations: annotations, containers: containers + sidecarInitContainers,
      hostNetwork: hostNetwork)
  }

  /// `deployment/web`, as kubectl names objects in tables.
  public var reference: String { "\(kind.lowercased())/\(name)" }
}

/// Labels and annotations of a Namespace.
public struct NamespaceFacts: Sendable, Hashable {
  /// The Namespace's name.
  public var name: String
  /// Its labels.
  public var labels: [String: String]
  /// Its annotations.
  public var annotations: [String: String]

  /// Creates facts from their parts.
  public init(name: String, labels: [String: String] = [:], annotations: [String: String] = [:]) {
    self.name = name
    self.labels = labels
    self.annotations = annotations
  }

  /// Reads a Namespace object.
  public init(object: Node) {
    self.init(
      name: object[path: "metadata", "name"]?.string ?? "", labels: object[path: "metadata", "labels"].stringMap,
      annotations: object[path: "metadata", "annotations"].stringMap)
  }

  /// What the Namespace says about injection, for `SidecarIntent`.
  public var injectionMarks: NamespaceInjectionMarks { NamespaceInjectionMarks(labels: labels, annotations: annotations) }
}

/// Whether a workload's pods carry the mesh's proxy.
public enum SidecarState: String, Sendable, Hashable {
  /// The pod template already holds the proxy (`meshctl inject`, `istioctl kube-inject`).
  case injected
  /// The injection webhook adds it when pods are created (a label or annotation asks for it).
  case webhook
  /// The webhook would add the proxy, but running pods of the workload have none: they were
  /// created before injection was turned on and need a restart.
  case restartNeeded = "restart-needed"
  /// No proxy: the workload is outside the mesh.
  case none

  /// Whether the pods have (or will get) a proxy.
  public var isMeshed: Bool { self == .injected || self == .webhook }

  /// `yes (injected)`, `yes (webhook)` or `no`, for tables.
  public var text: String {
    switch self {
    case .injected: return "yes (injected)"
    case .webhook: return "yes (webhook)"
    case .restartNeeded: return "no (webhook; restart pods)"
    case .none: return "no"
    }
  }
}

/// Whether a workload has a sidecar, by the one rule (`SidecarIntent`), plus what only a
/// cluster shows: running pods created before injection was turned on (docs/policies.md).
public enum SidecarDetection {
  /// The proxy container's name per provider.
  public static func proxyName(_ provider: MeshConfig.Provider) -> String { ProxyContainer.name(for: provider) }

  /// Why the workload has (or lacks) a sidecar in `namespace` for `provider`.
  public static func intent(
    of workload: MeshWorkload, namespace: NamespaceFacts?, provider: MeshConfig.Provider
  ) -> SidecarIntent {
    SidecarIntent.of(workload.injectionMarks, namespace: namespace?.injectionMarks, provider: provider)
  }

  /// The sidecar state of `workload` in `namespace` for `provider`. `pods` are the running pods
  /// (read as workloads of kind Pod): a webhook-marked workload whose pods lack the proxy
  /// needs a restart before it is meshed.
  public static func state(
    of workload: MeshWorkload, namespace: NamespaceFacts?, provider: MeshConfig.Provider, pods: [MeshWorkload] = []
  ) -> SidecarState {
    switch intent(of: workload, namespace: namespace, provider: provider) {
    case .injected: return .injected
    case .optedOut, .none: return .none
    case .webhook: break
    }
    // A bare Pod read from the API is the running pod: marked but without the proxy, it was
    // created before injection was turned on.
    guard let selector = workload.selector else { return workload.kind == "Pod" ? .restartNeeded : .webhook }
    let own = pods.filter { $0.namespace == workload.namespace && LabelMatch.matches(selector, $0.labels) }
    return own.allSatisfy { hasProxy($0, provider) } ? .webhook : .restartNeeded
  }

  /// Whether the pod spec holds the provider's proxy, as a container or a native sidecar.
  static func hasProxy(_ workload: MeshWorkload, _ provider: MeshConfig.Provider) -> Bool {
    workload.injectionMarks.proxies.contains(ProxyContainer.name(for: provider))
  }

  /// The object with the proxy containers taken out of its pod spec, so that rendering sees the
  /// application's ports only (a Linkerd Server for the proxy's own 4143 would be wrong).
  public static func withoutProxies(_ object: Node, kind: String) -> Node {
    guard let path = WorkloadKinds.podSpecPath(kind: kind) else { return object }
    var copy = object
    guard let containers = object.value(at: path + ["containers"])?.sequence else { return object }
    copy.setValue(
      .sequence(containers.filter { !ProxyContainer.names.contains($0["name"]?.string ?? "") }), at: path + ["containers"])
    return copy
  }
}

/// Where a workload's effective mode comes from.
public struct ModeSource: Sendable, Hashable {
  /// The object that sets it (`PeerAuthentication shop/default`, `Namespace shop`); nil for the
  /// mesh's built-in default.
  public var object: String?
  /// The meshctl policy it was rendered from (`MTLSPolicy shop/default`), when meshctl manages it.
  public var policy: String?
  /// What the source is, for people: `namespace annotation`, `mesh default`, ...
  public var detail: String?

  /// Creates a source.
  public init(object: String?, policy: String? = nil, detail: String? = nil) {
    self.object = object
    self.policy = policy
    self.detail = detail
  }

  /// The mesh's built-in default.
  public static let meshDefault = ModeSource(object: nil, detail: "mesh default")

  /// What the SOURCE column shows: the meshctl policy when there is one, else the object (with
  /// the detail when it is an annotation), else the detail.
  public var text: String {
    if let policy { return policy }
    if let object { return detail.map { "\(object) (\($0))" } ?? object }
    return detail ?? "-"
  }

  /// The source of an object that meshctl may have rendered: its `meshctl.io/source` annotation
  /// names the policy when the managed-by label says meshctl owns it.
  static func of(_ object: Node, kind: String, namespace: String?, detail: String? = nil) -> ModeSource {
    let name = object[path: "metadata", "name"]?.string ?? ""
    let reference = namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)"
    return ModeSource(object: reference, policy: managedPolicy(object), detail: detail)
  }

  /// `MTLSPolicy shop/default` from `meshctl.io/source: MTLSPolicy/shop/default` on an object
  /// with the managed-by label (an annotation copied onto a hand-made object does not count).
  static func managedPolicy(_ object: Node) -> String? {
    let labels = object[path: "metadata", "labels"].stringMap
    guard labels[Annotations.managedByLabel] == Annotations.managedByValue else { return nil }
    return policyReference(object[path: "metadata", "annotations"].stringMap[Annotations.source])
  }

  /// `MTLSPolicy shop/default` for a `meshctl.io/source` value naming an MTLSPolicy.
  static func policyReference(_ value: String?, namespace: String? = nil) -> String? {
    guard let value, let parsed = Annotations.parseSource(value), parsed.kind == "MTLSPolicy" else { return nil }
    let ns = parsed.namespace ?? namespace
    return ns.map { "MTLSPolicy \($0)/\(parsed.name)" } ?? "MTLSPolicy \(parsed.name)"
  }
}

/// A port whose mode differs from the workload's.
public struct PortOverride: Sendable, Hashable {
  /// The container port.
  public var port: Int
  /// Its mode.
  public var mode: String
  /// Where it comes from.
  public var source: ModeSource
}

/// A workload's effective mTLS mode, where it comes from, and whether it has a sidecar.
public struct WorkloadMTLS: Sendable, Hashable {
  /// The workload.
  public var workload: MeshWorkload
  /// `STRICT`, `PERMISSIVE` or `DISABLE`.
  public var mode: String
  /// The policy it comes from.
  public var source: ModeSource
  /// Ports with another mode.
  public var ports: [PortOverride]
  /// Whether it has a proxy.
  public var sidecar: SidecarState
}

/// The mTLS-related objects of the cluster that decide modes, read once per run.
public struct MTLSPolicies: Sendable {
  /// Istio PeerAuthentications (every namespace read, the control plane's included).
  public var peerAuthentications: [Node] = []
  /// Linkerd Servers.
  public var servers: [Node] = []
  /// Linkerd AuthorizationPolicies.
  public var authorizationPolicies: [Node] = []
  /// The Namespaces, by name.
  public var namespaces: [String: NamespaceFacts] = [:]
  /// The running pods, every owner's, read as workloads of kind Pod.
  public var pods: [MeshWorkload] = []
  /// What could not be read, for a warning (the modes may then be wrong).
  public var warnings: [String] = []
  /// Istio's root namespace, where a namespace-wide PeerAuthentication is mesh-wide.
  public var rootNamespace: String

  /// Creates an empty set for a control plane in `rootNamespace`.
  public init(rootNamespace: String = "istio-system") {
    self.rootNamespace = rootNamespace
  }
}

/// Computes effective mTLS modes (docs/policies.md, "How mtls status computes the mode").
public enum MTLSResolver {
  /// The workload's mode, source, port overrides and sidecar state.
  public static func resolve(
    _ workload: MeshWorkload, policies: MTLSPolicies, provider: MeshConfig.Provider
  ) -> WorkloadMTLS {
    let namespace = policies.namespaces[workload.namespace]
    let sidecar = SidecarDetection.state(
      of: workload, namespace: namespace, provider: provider, pods: policies.pods)
    switch provider {
    case .istio:
      let (mode, source, ports) = istio(workload, policies)
      return WorkloadMTLS(workload: workload, mode: mode, source: source, ports: ports, sidecar: sidecar)
    case .linkerd:
      let (mode, source, ports) = linkerd(workload, namespace, policies)
      return WorkloadMTLS(workload: workload, mode: mode, source: source, ports: ports, sidecar: sidecar)
    }
  }

  // MARK: Istio

  /// Istio's precedence: a workload-selector PeerAuthentication in the workload's namespace
  /// (the oldest when several match, as Istio picks), then the namespace-wide one, then the
  /// mesh-wide one in the root namespace; `UNSET` or no mode inherits from the next level;
  /// PERMISSIVE when nothing sets it. Port-level modes come from the workload policy only.
  static func istio(_ workload: MeshWorkload, _ policies: MTLSPolicies) -> (String, ModeSource, [PortOverride]) {
    let inNamespace = policies.peerAuthentications.filter { namespace(of: $0) == workload.namespace }
    let selecting = oldestFirst(
      inNamespace.filter { policy in
        guard let labels = selectorLabels(policy) else { return false }
        return LabelMatch.matches(labels, workload.labels)
      })
    let namespaceWide = oldestFirst(inNamespace.filter { selectorLabels($0) == nil })
    let meshWide = oldestFirst(
      policies.peerAuthentications.filter { namespace(of: $0) == policies.rootNamespace && selectorLabels($0) == nil })
    let chain = [selecting.first, namespaceWide.first, meshWide.first].compactMap { $0 }
    var mode = "PERMISSIVE"
    var source = ModeSource.meshDefault
    for policy in chain {
      if let set = policy[path: "spec", "mtls", "mode"]?.string, set != "UNSET" {
        mode = set
        source = ModeSource.of(policy, kind: "PeerAuthentication", namespace: namespace(of: policy))
        break
      }
    }
    var ports: [PortOverride] = []
    if let policy = selecting.first {
      let policySource = ModeSource.of(policy, kind: "PeerAuthentication", namespace: namespace(of: policy))
      for entry in policy[path: "spec", "portLevelMtls"]?.mapping ?? [] {
        guard let port = Int(entry.key), let portMode = entry.value[path: "mode"]?.string, portMode != "UNSET",
          portMode != mode
        else { continue }
        ports.append(PortOverride(port: port, mode: portMode, source: policySource))
      }
    }
    return (mode, source, ports.sorted { $0.port < $1.port })
  }

  /// `spec.selector.matchLabels`; nil when the policy selects no workload (empty counts as none).
  static func selectorLabels(_ policy: Node) -> [String: String]? {
    let labels = policy[path: "spec", "selector", "matchLabels"].stringMap
    return labels.isEmpty ? nil : labels
  }

  // MARK: Linkerd

  /// Linkerd's precedence: Servers that select the workload's pods decide their ports; the
  /// other ports take the default inbound policy from the pod template's annotation, else the
  /// Namespace's, else the cluster default (`all-unauthenticated`). When Servers cover every
  /// known port with one mode, that is the workload's mode.
  static func linkerd(
    _ workload: MeshWorkload, _ namespace: NamespaceFacts?, _ policies: MTLSPolicies
  ) -> (String, ModeSource, [PortOverride]) {
    var (mode, source) = linkerdDefault(workload, namespace)
    var ports: [PortOverride] = []
    for server in policies.servers where self.namespace(of: server) == workload.namespace {
      guard serverSelects(server, workload), let port = serverPort(server, workload) else { continue }
      let portMode = serverMode(server, policies.authorizationPolicies)
      ports.append(
        PortOverride(
          port: port, mode: portMode, source: ModeSource.of(server, kind: "Server", namespace: workload.namespace)))
    }
    ports.sort { $0.port < $1.port }
    let modes = Set(ports.map(\.mode))
    let covered = Set(ports.map(\.port))
    if let only = modes.first, modes.count == 1, !workload.ports.isEmpty, Set(workload.ports).isSubset(of: covered) {
      mode = only
      let first = ports[0].source
      source = first.policy != nil || ports.count == 1 ? first : ModeSource(object: "\(ports.count) Servers")
      return (mode, source, [])
    }
    return (mode, source, ports.filter { $0.mode != mode })
  }

  /// The default inbound policy in force for the workload and where it is set.
  static func linkerdDefault(_ workload: MeshWorkload, _ namespace: NamespaceFacts?) -> (String, ModeSource) {
    let key = LinkerdMTLSRendering.inboundPolicyAnnotation
    if let value = workload.annotations[key], let mode = inboundPolicyMode(value) {
      return (mode, ModeSource(object: "\(workload.kind) \(workload.namespace)/\(workload.name)", detail: "annotation"))
    }
    if let namespace, let value = namespace.annotations[key], let mode = inboundPolicyMode(value) {
      // A Namespace patch has no managed-by label (the Namespace is the user's): the annotation
      // alone says meshctl set it.
      let policy = ModeSource.policyReference(namespace.annotations[Annotations.source], namespace: namespace.name)
      return (mode, ModeSource(object: "Namespace \(namespace.name)", policy: policy, detail: "annotation"))
    }
    return ("PERMISSIVE", .meshDefault)
  }

  /// What a Linkerd policy value means as a mode: only authenticated (mesh) clients = STRICT;
  /// unauthenticated clients admitted = PERMISSIVE. `deny` admits nobody without an
  /// authorization, which no plaintext client gets: STRICT.
  public static func inboundPolicyMode(_ value: String) -> String? {
    switch value {
    case "all-authenticated", "cluster-authenticated", "deny": return "STRICT"
    case "all-unauthenticated", "cluster-unauthenticated", "audit": return "PERMISSIVE"
    default: return nil
    }
  }

  /// Whether the Server's `podSelector` selects the workload's pods.
  static func serverSelects(_ server: Node, _ workload: MeshWorkload) -> Bool {
    guard let selector = server[path: "spec", "podSelector"] else { return false }
    return LabelMatch.matches(selector: selector, workload.labels)
  }

  /// The Server's port: a number, or the name of one of the workload's container ports; nil
  /// when the workload has no port of that name (the Server then does not apply to it).
  static func serverPort(_ server: Node, _ workload: MeshWorkload) -> Int? {
    if let number = server[path: "spec", "port"]?.int { return number }
    guard let text = server[path: "spec", "port"]?.string else { return nil }
    return Int(text) ?? workload.portNames[text]
  }

  /// A Server's mode: from its `accessPolicy`; a `deny` Server opened by an AuthorizationPolicy
  /// that admits clients by network alone is PERMISSIVE.
  static func serverMode(_ server: Node, _ authorizations: [Node]) -> String {
    let access = server[path: "spec", "accessPolicy"]?.string ?? "deny"
    let mode = inboundPolicyMode(access) ?? "STRICT"
    guard access == "deny", let name = server[path: "metadata", "name"]?.string else { return mode }
    let targeting = authorizations.filter { policy in
      namespace(of: policy) == namespace(of: server) && policy[path: "spec", "targetRef", "kind"]?.string == "Server"
        && policy[path: "spec", "targetRef", "name"]?.string == name
    }
    let networkOnly = targeting.contains { policy in
      let kinds = (policy[path: "spec", "requiredAuthenticationRefs"]?.sequence ?? []).compactMap { $0["kind"]?.string }
      return kinds.contains("NetworkAuthentication") && !kinds.contains("MeshTLSAuthentication")
    }
    return networkOnly ? "PERMISSIVE" : mode
  }

  // MARK: Helpers

  static func namespace(of object: Node) -> String? { object[path: "metadata", "namespace"]?.string }

  /// Oldest first by `creationTimestamp` (RFC 3339 sorts as text), then by name.
  static func oldestFirst(_ objects: [Node]) -> [Node] {
    objects.sorted { lhs, rhs in
      let (l, r) = (
        lhs[path: "metadata", "creationTimestamp"]?.string ?? "",
        rhs[path: "metadata", "creationTimestamp"]?.string ?? ""
      )
      if l != r { return l < r }
      return (lhs[path: "metadata", "name"]?.string ?? "") < (rhs[path: "metadata", "name"]?.string ?? "")
    }
  }
}

/// Kubernetes label selectors against a set of labels.
public enum LabelMatch {
  /// Whether every `matchLabels` entry is among `labels`.
  public static func matches(_ matchLabels: [String: String], _ labels: [String: String]) -> Bool {
    matchLabels.allSatisfy { labels[$0.key] == $0.value }
  }

  /// Whether a `LabelSelector` (`matchLabels` and `matchExpressions`) selects `labels`; the
  /// empty selector selects everything.
  public static func matches(selector: Node, _ labels: [String: String]) -> Bool {
    guard matches(selector["matchLabels"].stringMap, labels) else { return false }
    return (selector["matchExpressions"]?.sequence ?? []).allSatisfy { expression($0, labels) }
  }

  static func expression(_ requirement: Node, _ labels: [String: String]) -> Bool {
    guard let key = requirement["key"]?.string else { return false }
    let values = (requirement["values"]?.sequence ?? []).compactMap { $0.scalar?.text }
    switch requirement["operator"]?.string {
    case "In": return labels[key].map(values.contains) ?? false
    case "NotIn": return labels[key].map { !values.contains($0) } ?? true
    case "Exists": return labels[key] != nil
    case "DoesNotExist": return labels[key] == nil
    default: return false
    }
  }

  /// Parses `k=v` selectors (several given one by one or comma-separated) into labels; nil
  /// with the offending text when one is not `key=value`.
  public static func parse(_ arguments: [String]) -> Result<[(key: String, value: String)], SelectorError> {
    var pairs: [(key: String, value: String)] = []
    for part in arguments.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
      let text = part.trimmingWhitespace
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        return .failure(SelectorError(text: String(text)))
      }
      let key = String(text[..<equals].trimmingWhitespace)
      var rest = text[text.index(after: equals)...]
      if rest.hasPrefix("=") { rest = rest.dropFirst() }  // `k==v`, which kubectl also accepts
      let value = String(rest.trimmingWhitespace)
      guard !key.isEmpty, !value.contains("="), !key.contains("!") else {
        return .failure(SelectorError(text: String(text)))
      }
      pairs.append((key, value))
    }
    return .success(pairs)
  }
}

/// A `--selector` part that is not `key=value`.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The part as given.
  public var text: String

  public var description: String {
    "invalid selector \"\(text)\": give key=value (several comma-separated or with repeated --selector)"
  }
}

/// How `mtls enable` names the MTLSPolicy it builds.
public enum MTLSPolicyNaming {
  /// `default` for a namespace-wide policy (Istio's convention for the namespace's
  /// PeerAuthentication); else the selector's keys and values joined by `-` and made a
  /// DNS-1123 label (`app=reviews` → `app-reviews`), at most 63 characters.
  public static func name(for selector: [(key: String, value: String)]) -> String {
    guard !selector.isEmpty else { return "default" }
    let raw = selector.map { "\($0.key)-\($0.value)" }.joined(separator: "-").lowercased()
    var name = ""
    for character in raw {
      let allowed = character.isASCII && (character.isLetter || character.isNumber)
      if allowed {
        name.append(character)
      } else if !name.hasSuffix("-") {
        name.append("-")
      }
    }
    // Linkerd Servers get `-<port>` appended: keep room for it.
    name = String(name.prefix(57))
    while name.hasSuffix("-") || name.hasPrefix("-") {
      name = String(name.hasSuffix("-") ? name.dropLast() : name.dropFirst())
    }
    return name.isEmpty ? "selected" : name
  }

  /// The MTLSPolicy `mtls enable` renders.
  public static func policy(
    name: String, namespace: String, mode: String, selector: [(key: String, value: String)]
  ) -> Node {
    var spec = [MappingEntry(key: "mode", value: .string(mode))]
    if !selector.isEmpty {
      let labels = selector.map { MappingEntry(key: $0.key, value: .string($0.value)) }
      spec.append(MappingEntry(key: "selector", value: .mapping(["matchLabels": .mapping(labels)])))
    }
    return .mapping([
      "apiVersion": .string(SchemaRegistry.meshctlAPIVersion), "kind": .string("MTLSPolicy"),
      "metadata": .mapping(["name": .string(name), "namespace": .string(namespace)]), "spec": .mapping(spec),
    ])
  }
}

extension Substring {
  fileprivate var trimmingWhitespace: Substring {
    var text = self
    while text.first?.isWhitespace == true { text = text.dropFirst() }
    while text.last?.isWhitespace == true { text = text.dropLast() }
    return text
  }
}
