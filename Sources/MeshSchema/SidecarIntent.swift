import Manifest

/// The names of the proxy containers the providers inject: the one home of these names.
public enum ProxyContainer {
  /// The proxy container's name for `provider`.
  public static func name(for provider: MeshConfig.Provider) -> String {
    switch provider {
    case .istio: return "istio-proxy"
    case .linkerd: return "linkerd-proxy"
    }
  }

  /// Every provider's proxy container name.
  public static let names: Set<String> = Set(MeshConfig.Provider.allCases.map(name(for:)))
}

/// What a pod template says about sidecar injection: only the labels, annotations and pod-spec
/// facts the providers' injectors look at, so it is cheap to keep per workload.
public struct PodInjectionMarks: Sendable, Hashable {
  /// The `sidecar.istio.io/inject` label.
  public var istioInjectLabel: String?
  /// The `sidecar.istio.io/inject` annotation (deprecated; the label wins).
  public var istioInjectAnnotation: String?
  /// The `istio.io/rev` label: the control-plane revision that injects it.
  public var istioRevision: String?
  /// The `linkerd.io/inject` annotation.
  public var linkerdInject: String?
  /// The proxy containers already in the pod spec (containers and init containers).
  public var proxies: Set<String>
  /// Whether the pod uses the node's network (no injector touches such a pod).
  public var hostNetwork: Bool

  /// Creates marks from their parts.
  public init(
    istioInjectLabel: String? = nil, istioInjectAnnotation: String? = nil, istioRevision: String? = nil,
    linkerdInject: String? = nil, proxies: Set<String> = [], hostNetwork: Bool = false
  ) {
    self.istioInjectLabel = istioInjectLabel
    self.istioInjectAnnotation = istioInjectAnnotation
    self.istioRevision = istioRevision
    self.linkerdInject = linkerdInject
    self.proxies = proxies
    self.hostNetwork = hostNetwork
  }

  /// Reads the marks from a pod template's labels, annotations and container names.
  public init(
    labels: [String: String], annotations: [String: String], containers: some Sequence<String>,
    hostNetwork: Bool = false
  ) {
    self.init(
      istioInjectLabel: labels[SidecarIntent.istioInjectKey],
      istioInjectAnnotation: annotations[SidecarIntent.istioInjectKey],
      istioRevision: labels[SidecarIntent.istioRevisionKey], linkerdInject: annotations[SidecarIntent.linkerdInjectKey],
      proxies: ProxyContainer.names.intersection(containers), hostNetwork: hostNetwork)
  }

  /// Reads the marks from a pod template node (`metadata` and `spec`; a Pod is its own template).
  public init(template: Node?) {
    let metadata = template?["metadata"]
    let spec = template?["spec"]
    self.init(
      istioInjectLabel: metadata?[path: "labels", SidecarIntent.istioInjectKey]?.stringMapValue,
      istioInjectAnnotation: metadata?[path: "annotations", SidecarIntent.istioInjectKey]?.stringMapValue,
      istioRevision: metadata?[path: "labels", SidecarIntent.istioRevisionKey]?.stringMapValue,
      linkerdInject: metadata?[path: "annotations", SidecarIntent.linkerdInjectKey]?.stringMapValue,
      proxies: Self.proxies(in: spec), hostNetwork: spec?["hostNetwork"]?.bool == true)
  }

  private static func proxies(in spec: Node?) -> Set<String> {
    var found: Set<String> = []
    for key in ["containers", "initContainers"] {
      for container in spec?[key]?.sequence ?? [] {
        if let name = container["name"]?.string, ProxyContainer.names.contains(name) { found.insert(name) }
      }
    }
    return found
  }

  /// Rough bytes held, for the cross-document analysis's memory budget.
  var estimatedSize: Int {
    [istioInjectLabel, istioInjectAnnotation, istioRevision, linkerdInject].reduce(8) { $0 + ($1?.utf8.count ?? 0) }
  }
}

/// What a Namespace says about sidecar injection: its injection labels and annotation.
public struct NamespaceInjectionMarks: Sendable, Hashable {
  /// The `istio-injection` label.
  public var istioInjection: String?
  /// The `istio.io/rev` label.
  public var istioRevision: String?
  /// The `linkerd.io/inject` annotation.
  public var linkerdInject: String?

  /// Creates marks from their parts.
  public init(istioInjection: String? = nil, istioRevision: String? = nil, linkerdInject: String? = nil) {
    self.istioInjection = istioInjection
    self.istioRevision = istioRevision
    self.linkerdInject = linkerdInject
  }

  /// Reads the marks from a Namespace's labels and annotations.
  public init(labels: [String: String], annotations: [String: String]) {
    self.init(
      istioInjection: labels[SidecarIntent.istioNamespaceKey], istioRevision: labels[SidecarIntent.istioRevisionKey],
      linkerdInject: annotations[SidecarIntent.linkerdInjectKey])
  }

  /// Reads the marks from a Namespace object.
  public init(namespace object: Node) {
    self.init(
      labels: object[path: "metadata", "labels"].stringMap,
      annotations: object[path: "metadata", "annotations"].stringMap)
  }

  /// Whether the namespace carries no injection mark at all.
  public var isEmpty: Bool { istioInjection == nil && istioRevision == nil && linkerdInject == nil }
}

/// Whether a pod template gets a sidecar, and why: the one rule `validate` (MC3002), `inject`
/// (skip reasons) and `mtls status` share. It follows the providers' injection webhooks:
///
/// - Istio: a proxy container already there is injected. A Namespace label `istio-injection`
///   other than `enabled` turns injection off for every pod in it. The pod's
///   `sidecar.istio.io/inject` label (else the deprecated annotation of that name) is read as
///   Istio's injector reads it: `true`, `yes`, `y`, `on` in any case inject, the empty string
///   leaves the decision to the namespace, and any other value (`false`, `no`, `n`, `off`, but
///   also `enabled`) opts out. In a namespace labelled `istio-injection=enabled` or `istio.io/rev`
///   the webhook injects unless the pod opts out; elsewhere it only sees pods labelled
///   `istio.io/rev` or `sidecar.istio.io/inject` exactly `"true"` (the webhook's object selector).
/// - Linkerd: the pod template's `linkerd.io/inject` annotation overrides the Namespace's;
///   `enabled` and `ingress` inject, `disabled` does not (values are case-sensitive).
/// - No injector touches a pod on the node's network (`hostNetwork: true`).
public enum SidecarIntent: Sendable, Hashable {
  /// The proxy container is already in the template (`meshctl inject`, `istioctl kube-inject`).
  case injected(String)
  /// The cluster's injection webhook adds the proxy when pods are created.
  case webhook(String)
  /// A label or annotation (on the pod or its namespace) turns injection off.
  case optedOut(String)
  /// Nothing asks for injection.
  case none(String)

  /// Istio's pod label (and deprecated annotation) `sidecar.istio.io/inject`.
  public static let istioInjectKey = "sidecar.istio.io/inject"
  /// Istio's namespace label `istio-injection`.
  public static let istioNamespaceKey = "istio-injection"
  /// Istio's revision label `istio.io/rev`, on a namespace or a pod.
  public static let istioRevisionKey = "istio.io/rev"
  /// Linkerd's annotation `linkerd.io/inject`, on a namespace or a pod.
  public static let linkerdInjectKey = "linkerd.io/inject"

  /// The values Istio's injector reads as "inject" (compared lower-cased).
  public static let istioTrueSpellings: Set<String> = ["true", "yes", "y", "on"]

  /// Why the pod template does (or does not) get a sidecar, for people.
  public var reason: String {
    switch self {
    case .injected(let reason), .webhook(let reason), .optedOut(let reason), .none(let reason): return reason
    }
  }

  /// Whether the pods have (or will get) a proxy.
  public var isMeshed: Bool {
    switch self {
    case .injected, .webhook: return true
    case .optedOut, .none: return false
    }
  }

  /// The intent for `provider`; `namespace` nil when the Namespace is not known (read as one
  /// without injection marks).
  public static func of(
    _ pod: PodInjectionMarks, namespace: NamespaceInjectionMarks?, provider: MeshConfig.Provider
  ) -> SidecarIntent {
    let proxy = ProxyContainer.name(for: provider)
    if pod.proxies.contains(proxy) {
      return .injected(
        provider == .istio ? "it already has the istio-proxy container" : "it already has the linkerd-proxy container")
    }
    if pod.hostNetwork { return .none("hostNetwork") }
    switch provider {
    case .istio: return istio(pod, namespace ?? NamespaceInjectionMarks())
    case .linkerd: return linkerd(pod, namespace ?? NamespaceInjectionMarks())
    }
  }

  /// The intent when the provider is not known (`validate`): meshed when either provider
  /// meshes it, else the Istio answer (the default provider's reason).
  public static func ofAnyProvider(_ pod: PodInjectionMarks, namespace: NamespaceInjectionMarks?) -> SidecarIntent {
    let istio = of(pod, namespace: namespace, provider: .istio)
    if istio.isMeshed { return istio }
    let linkerd = of(pod, namespace: namespace, provider: .linkerd)
    return linkerd.isMeshed ? linkerd : istio
  }

  /// How Istio's injector reads a `sidecar.istio.io/inject` value: true, false, or nil (unset).
  public static func istioSwitch(_ value: String?) -> Bool? {
    guard let value, !value.isEmpty else { return nil }
    return istioTrueSpellings.contains(value.lowercased())
  }

  private static func istio(_ pod: PodInjectionMarks, _ namespace: NamespaceInjectionMarks) -> SidecarIntent {
    if let label = namespace.istioInjection, label != "enabled" {
      return .optedOut("namespace label \(istioNamespaceKey) is \"\(label)\"")
    }
    // The label is the current API; when both are there the label wins, even when empty.
    let podValue = pod.istioInjectLabel ?? pod.istioInjectAnnotation
    let podSwitch = istioSwitch(podValue)
    if podSwitch == false, let podValue {
      let how =
        ["false", "no", "n", "off", "disabled"].contains(podValue.lowercased())
        ? "" : " (Istio injects only for true, yes, y or on)"
      return .optedOut("\(istioInjectKey) is \"\(podValue)\"\(how)")
    }
    // Literal reasons where nothing varies: the common cases cost no allocation (validate asks per workload).
    if namespace.istioInjection == "enabled" { return .webhook("namespace label istio-injection is \"enabled\"") }
    if let revision = namespace.istioRevision {
      return .webhook("namespace label \(istioRevisionKey) is \"\(revision)\"")
    }
    if let revision = pod.istioRevision { return .webhook("pod label \(istioRevisionKey) is \"\(revision)\"") }
    if pod.istioInjectLabel == "true" { return .webhook("pod label sidecar.istio.io/inject is \"true\"") }
    if podSwitch == true, let podValue {
      return .none(
        "\(istioInjectKey) is \"\(podValue)\", but outside an injection-enabled namespace Istio's webhook only sees pods labelled \(istioInjectKey): \"true\""
      )
    }
    return .none("no injection label on the pod template or its namespace")
  }

  private static func linkerd(_ pod: PodInjectionMarks, _ namespace: NamespaceInjectionMarks) -> SidecarIntent {
    switch pod.linkerdInject {
    case "enabled", "ingress": return .webhook("\(linkerdInjectKey) is \"\(pod.linkerdInject!)\" on the pod template")
    case "disabled": return .optedOut("linkerd.io/inject is \"disabled\"")
    default: break
    }
    switch namespace.linkerdInject {
    case "enabled", "ingress":
      return .webhook("namespace annotation \(linkerdInjectKey) is \"\(namespace.linkerdInject!)\"")
    case "disabled": return .optedOut("namespace annotation linkerd.io/inject is \"disabled\"")
    default: return .none("no linkerd.io/inject annotation on the pod template or its namespace")
    }
  }
}
