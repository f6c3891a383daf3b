import Manifest

/// Provider and sidecar settings: the `spec` of a `kind: MeshConfig` file (`--config`), or the
/// built-in defaults. Read it with `MeshConfig(node:)` after validating the document.
///
/// ```yaml
/// apiVersion: meshctl.io/v1alpha1
/// kind: MeshConfig
/// spec:
///   provider: istio
///   proxy: {image: docker.io/istio/proxyv2:1.27.0, logLevel: warning}
///   nativeSidecar: auto
///   prometheus: {url: http://prometheus.istio-system:9090}
/// ```
public struct MeshConfig: Sendable, Hashable {
  /// The mesh that enforces policies and whose sidecar is injected.
  public enum Provider: String, Sendable, Hashable, CaseIterable {
    /// Istio (the default).
    case istio
    /// Linkerd.
    case linkerd

    /// The namespace its control plane runs in by default.
    public var defaultControlPlaneNamespace: String {
      switch self {
      case .istio: return "istio-system"
      case .linkerd: return "linkerd"
      }
    }

    /// The UID its proxy runs as by default.
    public var defaultProxyUID: Int {
      switch self {
      case .istio: return 1337
      case .linkerd: return 2102
      }
    }

    /// The proxy image its own injector uses out of the box.
    public var defaultProxyImage: String {
      switch self {
      case .istio: return "docker.io/istio/proxyv2:1.24.2"
      case .linkerd: return "cr.l5d.io/linkerd/proxy:edge-24.11.8"
      }
    }

    /// The proxy's default log level, in the provider's own terms.
    public var defaultProxyLogLevel: String {
      switch self {
      case .istio: return "warning"
      case .linkerd: return "warn,linkerd=info,hickory=error"
      }
    }

    /// The proxy's default resource requests.
    public var defaultProxyRequests: ResourceList {
      self == .istio ? ResourceList(cpu: "100m", memory: "128Mi") : ResourceList()
    }

    /// The proxy's default resource limits.
    public var defaultProxyLimits: ResourceList {
      self == .istio ? ResourceList(cpu: "2", memory: "1Gi") : ResourceList()
    }
  }

  /// Whether the proxy runs as a native sidecar (an init container with `restartPolicy: Always`).
  public enum NativeSidecar: String, Sendable, Hashable, CaseIterable {
    /// Native when the target cluster supports it (Kubernetes 1.29+), else a plain container.
    case auto
    /// Always native.
    case enabled = "true"
    /// Never native.
    case disabled = "false"
  }

  /// How traffic is redirected into the proxy.
  public enum Interception: String, Sendable, Hashable, CaseIterable {
    /// An init container that sets up iptables rules (needs NET_ADMIN).
    case iptables
    /// The mesh's CNI plugin does it; no privileged init container.
    case cni
  }

  /// The proxy's log level.
  public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, warning, error, off
  }

  /// CPU and memory quantities, as written (`100m`, `128Mi`).
  public struct ResourceList: Sendable, Hashable {
    /// CPU quantity.
    public var cpu: String?
    /// Memory quantity.
    public var memory: String?

    /// Creates a resource list.
    public init(cpu: String? = nil, memory: String? = nil) {
      self.cpu = cpu
      self.memory = memory
    }
  }

  /// Sidecar container settings.
  public struct Proxy: Sendable, Hashable {
    /// The image; nil means the provider's default image for its version.
    public var image: String?
    /// Resource requests; a quantity left nil takes the provider's default.
    public var requests: ResourceList
    /// Resource limits; a quantity left nil takes the provider's default.
    public var limits: ResourceList
    /// The UID the proxy runs as; nil means the provider's default.
    public var uid: Int?
    /// The log level; nil means the provider's default.
    public var logLevel: LogLevel?

    /// Creates proxy settings; empty resource lists and a nil log level mean the provider's defaults.
    public init(
      image: String? = nil, requests: ResourceList = ResourceList(), limits: ResourceList = ResourceList(),
      uid: Int? = nil, logLevel: LogLevel? = nil
    ) {
      self.image = image
      self.requests = requests
      self.limits = limits
      self.uid = uid
      self.logLevel = logLevel
    }
  }

  /// The namespaces never injected unless configured otherwise.
  public static let defaultNeverInjectNamespaces = ["kube-system", "kube-public", "kube-node-lease"]

  /// The mesh provider.
  public var provider: Provider
  /// The identity trust domain.
  public var trustDomain: String
  /// Where the control plane runs; nil means the provider's default.
  public var controlPlaneNamespace: String?
  /// The control-plane revision (Istio `istio.io/rev`); nil for the default revision.
  public var revision: String?
  /// Sidecar settings.
  public var proxy: Proxy
  /// Native sidecar mode.
  public var nativeSidecar: NativeSidecar
  /// Traffic redirection.
  public var interception: Interception
  /// Inbound ports not redirected to the proxy.
  public var excludeInboundPorts: [Int]
  /// Outbound ports not redirected to the proxy.
  public var excludeOutboundPorts: [Int]
  /// Outbound CIDR blocks not redirected to the proxy.
  public var excludeOutboundCIDRs: [String]
  /// Whether HTTP probes are rewritten to pass through the proxy's agent.
  public var rewriteProbes: Bool
  /// Whether Prometheus scrape annotations are added.
  public var prometheusScrape: Bool
  /// Namespaces whose workloads are never injected.
  public var neverInjectNamespaces: [String]
  /// The cluster's Kubernetes version (`"1.30"`); decides `nativeSidecar: auto`.
  public var kubernetesVersion: String?
  /// Linkerd's identity trust anchors (PEM): full Linkerd injection needs them offline.
  public var identityTrustAnchorsPEM: String?
  /// The Prometheus base URL for canary analysis and `mtls check` (`spec.prometheus.url`).
  public var prometheusURL: String?

  /// The minor version of `kubernetesVersion` (`"1.30"` → 30), when it names Kubernetes 1.x.
  public var kubernetesMinorVersion: Int? { kubernetesVersion.flatMap(Self.minorVersion(of:)) }

  /// The minor version of a Kubernetes 1.x version (`"1.30"`, `"v1.30.2"` → 30).
  public static func minorVersion(of version: String) -> Int? {
    let parts = version.drop { $0 == "v" }.split(separator: ".")
    guard parts.count >= 2, parts[0] == "1" else { return nil }
    return Int(parts[1])
  }

  /// Creates a configuration; every argument defaults to the built-in value.
  public init(
    provider: Provider = .istio, trustDomain: String = "cluster.local", controlPlaneNamespace: String? = nil,
    revision: String? = nil, proxy: Proxy = Proxy(), nativeSidecar: NativeSidecar = .auto,
    interception: Interception = .iptables, excludeInboundPorts: [Int] = [], excludeOutboundPorts: [Int] = [],
    excludeOutboundCIDRs: [String] = [], rewriteProbes: Bool = true, prometheusScrape: Bool = true,
    neverInjectNamespaces: [String] = MeshConfig.defaultNeverInjectNamespaces
  ) {
    self.provider = provider
    self.trustDomain = trustDomain
    self.controlPlaneNamespace = controlPlaneNamespace
    self.revision = revision
    self.proxy = proxy
    self.nativeSidecar = nativeSidecar
    self.interception = interception
    self.excludeInboundPorts = excludeInboundPorts
    self.excludeOutboundPorts = excludeOutboundPorts
    self.excludeOutboundCIDRs = excludeOutboundCIDRs
    self.rewriteProbes = rewriteProbes
    self.prometheusScrape = prometheusScrape
    self.neverInjectNamespaces = neverInjectNamespaces
  }

  /// The built-in defaults (used when no `--config` is given).
  public static let defaults = MeshConfig()

  /// The control-plane namespace in effect.
  public var effectiveControlPlaneNamespace: String {
    controlPlaneNamespace ?? provider.defaultControlPlaneNamespace
  }

  /// The proxy UID in effect.
  public var effectiveProxyUID: Int { proxy.uid ?? provider.defaultProxyUID }

  /// Reads a MeshConfig document (the whole object, or just its `spec`). Fields that are absent
  /// or invalid keep their defaults: validate the document first to report them.
  public init(node: Node) {
    self.init()
    let spec = node["kind"]?.string == "MeshConfig" ? (node["spec"] ?? .null) : node
    if let value = spec["provider"]?.string.flatMap(Provider.init(rawValue:)) { provider = value }
    if let value = spec["trustDomain"]?.string { trustDomain = value }
    controlPlaneNamespace = spec["controlPlaneNamespace"]?.string
    revision = spec["revision"]?.string
    if let node = spec["proxy"] { proxy = Self.proxy(from: node) }
    if let node = spec["nativeSidecar"] {
      if let flag = node.bool {
        nativeSidecar = flag ? .enabled : .disabled
      } else if let value = node.string.flatMap(NativeSidecar.init(rawValue:)) {
        nativeSidecar = value
      }
    }
    if let value = spec["interception"]?.string.flatMap(Interception.init(rawValue:)) { interception = value }
    if let items = spec["excludeInboundPorts"]?.sequence { excludeInboundPorts = items.compactMap(\.int) }
    if let items = spec["excludeOutboundPorts"]?.sequence { excludeOutboundPorts = items.compactMap(\.int) }
    if let items = spec["excludeOutboundCIDRs"]?.sequence { excludeOutboundCIDRs = items.compactMap(\.string) }
    if let value = spec["rewriteProbes"]?.bool { rewriteProbes = value }
    if let value = spec["prometheusScrape"]?.bool { prometheusScrape = value }
    if let items = spec["neverInjectNamespaces"]?.sequence { neverInjectNamespaces = items.compactMap(\.string) }
    kubernetesVersion = spec["kubernetesVersion"]?.string
    identityTrustAnchorsPEM = spec["identityTrustAnchorsPEM"]?.string
    prometheusURL = spec[path: "prometheus", "url"]?.string
  }

  private static func proxy(from node: Node) -> Proxy {
    var proxy = Proxy()
    if let value = node["image"]?.string { proxy.image = value }
    if let value = node["uid"]?.int { proxy.uid = value }
    if let value = node["logLevel"]?.string.flatMap(LogLevel.init(rawValue:)) { proxy.logLevel = value }
    if let resources = node["resources"] {
      proxy.requests = resourceList(resources["requests"], default: proxy.requests)
      proxy.limits = resourceList(resources["limits"], default: proxy.limits)
    }
    return proxy
  }

  private static func resourceList(_ node: Node?, default fallback: ResourceList) -> ResourceList {
    guard let node else { return fallback }
    return ResourceList(
      cpu: node["cpu"]?.scalar?.text ?? fallback.cpu, memory: node["memory"]?.scalar?.text ?? fallback.memory)
  }
}

/// A command's settings built on one MeshConfig (`SidecarSettings`, `PolicySettings`): the
/// MeshConfig's fields are read and written through the view (`settings.trustDomain`), so only
/// the command's own extras are declared again.
@dynamicMemberLookup
public protocol MeshConfigView {
  /// The one settings model; its provider is the one the command works for.
  var config: MeshConfig { get set }
}

extension MeshConfigView {
  /// A MeshConfig field, through the view.
  public subscript<Value>(dynamicMember field: WritableKeyPath<MeshConfig, Value>) -> Value {
    get { config[keyPath: field] }
    set { config[keyPath: field] = newValue }
  }

  /// The control plane's namespace in effect (the provider's default when the config sets none).
  public var controlPlaneNamespace: String {
    get { config.effectiveControlPlaneNamespace }
    set { config.controlPlaneNamespace = newValue }
  }
}

extension MeshConfig {
  /// Linkerd's identity trust anchors: the PEM bundle of root certificates every Linkerd proxy
  /// trusts, which Linkerd keeps in a ConfigMap of its control-plane namespace.
  public enum TrustAnchors {
    /// The ConfigMap Linkerd's control plane keeps the bundle in (its Helm chart's
    /// `linkerd-identity-trust-roots`, read by the proxy injector).
    public static let configMapName = "linkerd-identity-trust-roots"
    /// The ConfigMap key that holds the PEM bundle.
    public static let configMapKey = "ca-bundle.crt"

    /// The kubectl command that prints the bundle, for hints.
    public static func kubectlCommand(namespace: String) -> String {
      "kubectl -n \(namespace) get configmap \(configMapName) -o jsonpath='{.data.ca-bundle\\.crt}'"
    }

    /// The certificates of a PEM bundle, each block as written, joined by line breaks; throws
    /// what makes `text` not a bundle of certificates (a private key, a block cut short, a body
    /// that is not base64 DER, no certificate at all). Text between blocks is ignored, as
    /// OpenSSL ignores it.
    public static func certificates(in text: String) throws(TrustAnchorError) -> [String] {
      var certificates: [String] = []
      var open: (label: String, lines: [Substring])?
      // "\r\n" is one Character: split on both breaks.
      for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if let label = pemLabel(trimmed, marker: "BEGIN") {
          if open != nil { throw .unterminated(certificates.count + 1) }
          guard label == "CERTIFICATE" else { throw .notACertificate(block: certificates.count + 1, label: label) }
          open = (label, [])
        } else if let label = pemLabel(trimmed, marker: "END") {
          guard let block = open, block.label == label else { throw .unexpectedEnd(label) }
          let number = certificates.count + 1
          guard isDER(base64: block.lines.joined()) else { throw .notDER(number) }
          certificates.append(
            (["-----BEGIN CERTIFICATE-----"] + block.lines.map(String.init) + ["-----END CERTIFICATE-----"])
              .joined(separator: "\n"))
          open = nil
        } else if open != nil, !trimmed.isEmpty {
          open?.lines.append(trimmed)
        }
      }
      if open != nil { throw .unterminated(certificates.count + 1) }
      guard !certificates.isEmpty else { throw .noCertificate }
      return certificates
    }

    /// The bundle as the proxy gets it: the certificates, each on its own lines, ending in a line break.
    public static func bundle(_ certificates: [String]) -> String {
      certificates.joined(separator: "\n") + "\n"
    }

    /// `CERTIFICATE` for `-----BEGIN CERTIFICATE-----` when `marker` is BEGIN, else nil.
    private static func pemLabel(_ line: Substring, marker: String) -> String? {
      let prefix = "-----\(marker) "
      guard line.hasPrefix(prefix) else { return nil }
      let rest = line.dropFirst(prefix.count).reversed().drop { $0 == " " || $0 == "\t" }.reversed()
      let text = String(rest)
      guard text.hasSuffix("-----") else { return nil }
      return String(text.dropLast(5))
    }

    /// Whether `text` is base64 (padded) whose first byte starts a DER SEQUENCE, as every
    /// X.509 certificate does.
    private static func isDER(base64 text: String) -> Bool {
      let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
      let body = text.reversed().drop { $0 == "=" }.reversed()
      guard text.count >= 8, text.count % 4 == 0, text.count - body.count <= 2, body.allSatisfy(alphabet.contains)
      else { return false }
      // The first character holds the top six bits of the first byte: 0x30 is `M`.
      return text.first == "M"
    }
  }

  /// Why a text is not a bundle of PEM certificates.
  public enum TrustAnchorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `-----BEGIN CERTIFICATE-----` block at all.
    case noCertificate
    /// Block N is a PEM block of another kind (a private key, a request).
    case notACertificate(block: Int, label: String)
    /// Certificate N has no END line (or another BEGIN comes first).
    case unterminated(Int)
    /// An END line with no BEGIN of that kind before it.
    case unexpectedEnd(String)
    /// Certificate N's body is not base64 DER.
    case notDER(Int)

    /// What is wrong, lowercase.
    public var description: String {
      switch self {
      case .noCertificate: return "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
      case .notACertificate(let block, let label):
        return "block \(block) is a PEM \(label), not a CERTIFICATE: trust anchors are the root certificates only"
      case .unterminated(let number): return "certificate \(number) has no -----END CERTIFICATE----- line"
      case .unexpectedEnd(let label): return "-----END \(label)----- has no BEGIN line before it"
      case .notDER(let number): return "certificate \(number) is not base64-encoded DER"
      }
    }
  }
}
