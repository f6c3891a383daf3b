import Manifest
import MeshSchema

/// The service meshes meshctl renders sidecars and policies for (MeshConfig's provider).
public typealias MeshProvider = MeshConfig.Provider
/// Whether the sidecar runs as a Kubernetes native sidecar (MeshConfig's `nativeSidecar`).
public typealias NativeSidecarMode = MeshConfig.NativeSidecar
/// How traffic is redirected into the proxy (MeshConfig's `interception`).
public typealias InterceptionMode = MeshConfig.Interception

extension MeshConfig.Provider {
  /// The sidecar container's name.
  public var proxyContainerName: String { ProxyContainer.name(for: self) }

  /// The traffic-redirect init container's name.
  public var initContainerName: String {
    switch self {
    case .istio: return "istio-init"
    case .linkerd: return "linkerd-init"
    }
  }
}

/// The settings in effect for one sidecar: a view of the MeshConfig (whose provider is the one
/// injected) that resolves the provider's defaults, plus what only a workload's override
/// annotations set. Every field lives in the MeshConfig except those per-workload extras.
public struct SidecarSettings: MeshConfigView, Sendable, Equatable {
  /// The one settings model; its provider is the one injected.
  public var config: MeshConfig
  /// Linkerd's proxy admin port (metrics and probes); a workload annotation may move it.
  public var adminPort = 4191
  /// A log level in the provider's own terms, from a workload annotation; nil takes the config's.
  var logLevelOverride: String?

  /// The settings a MeshConfig means for its provider, or for `provider` when given (as
  /// `--provider` does). The MeshConfig's proxy image, UID, log level and resources are meant for
  /// its own provider, so they apply only when the providers agree.
  public init(config: MeshConfig, provider override: MeshProvider? = nil) {
    var config = config
    let provider = override ?? config.provider
    if provider != config.provider { config.proxy = MeshConfig.Proxy() }
    config.provider = provider
    // Probe rewriting goes through Istio's agent; Linkerd has none.
    config.rewriteProbes = config.rewriteProbes && provider == .istio
    self.config = config
  }

  /// The defaults for a provider: what its own injector does out of the box.
  public static func defaults(for provider: MeshProvider) -> SidecarSettings {
    SidecarSettings(config: MeshConfig(provider: provider, prometheusScrape: provider == .istio))
  }

  /// The proxy image; the init container uses it too (both meshes ship one image).
  public var proxyImage: String {
    get { config.proxy.image ?? config.provider.defaultProxyImage }
    set { config.proxy.image = newValue }
  }
  /// Istio revision (`istio.io/rev`); empty for the default revision.
  public var revision: String {
    get { config.revision ?? "" }
    set { config.revision = newValue.isEmpty ? nil : newValue }
  }
  /// The cluster's Kubernetes minor version (`1.30` → 30) when the MeshConfig names it.
  public var kubernetesMinorVersion: Int? {
    get { config.kubernetesMinorVersion }
    set { config.kubernetesVersion = newValue.map { "1.\($0)" } }
  }
  /// The UID the proxy runs as.
  public var proxyUID: Int {
    get { config.effectiveProxyUID }
    set { config.proxy.uid = newValue }
  }
  /// The proxy's log level, in the provider's own terms.
  public var logLevel: String {
    get { logLevelOverride ?? config.proxy.logLevel.map { Self.logLevel($0, for: config.provider) } ?? config.provider.defaultProxyLogLevel }
    set { logLevelOverride = newValue }
  }
  /// Proxy resource requests: resource name to quantity (cpu, then memory).
  public var requests: [(String, String)] {
    get { Self.quantities(config.proxy.requests, defaults: config.provider.defaultProxyRequests) }
    set { config.proxy.requests = Self.resourceList(newValue) }
  }
  /// Proxy resource limits.
  public var limits: [(String, String)] {
    get { Self.quantities(config.proxy.limits, defaults: config.provider.defaultProxyLimits) }
    set { config.proxy.limits = Self.resourceList(newValue) }
  }

  /// The image tag, which both meshes report as the proxy version.
  public var proxyVersion: String { Self.tag(of: proxyImage) }

  /// The tag of an image reference (`latest` when it has none).
  static func tag(of image: String) -> String {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return "latest" }
    return String(image[image.index(after: colon)...])
  }

  /// Whether the proxy goes into `initContainers` with `restartPolicy: Always`.
  public var usesNativeSidecar: Bool {
    switch config.nativeSidecar {
    case .enabled: return true
    case .disabled: return false
    case .auto: return (kubernetesMinorVersion ?? 0) >= 29
    }
  }

  public static func == (lhs: SidecarSettings, rhs: SidecarSettings) -> Bool {
    lhs.fingerprint == rhs.fingerprint
  }

  /// A stable text of every setting in effect; two settings are the same when their
  /// fingerprints are (the record of an injection compares them).
  var fingerprint: String {
    let config = self.config
    let fields: [String] = [
      config.provider.rawValue, proxyImage, config.trustDomain, controlPlaneNamespace, revision,
      config.nativeSidecar.rawValue, String(describing: kubernetesMinorVersion), config.interception.rawValue,
      String(proxyUID), logLevel, requests.map { "\($0)=\($1)" }.joined(separator: ","),
      limits.map { "\($0)=\($1)" }.joined(separator: ","), config.excludeInboundPorts.map(String.init).joined(separator: ","),
      config.excludeOutboundPorts.map(String.init).joined(separator: ","), config.excludeOutboundCIDRs.joined(separator: ","),
      String(config.rewriteProbes), String(config.prometheusScrape), config.neverInjectNamespaces.joined(separator: ","),
      config.identityTrustAnchorsPEM ?? "", String(adminPort),
    ]
    return fields.joined(separator: "|")
  }

  /// A MeshConfig log level in the provider's own terms (Linkerd says `warn`).
  static func logLevel(_ level: MeshConfig.LogLevel, for provider: MeshProvider) -> String {
    guard provider == .linkerd else { return level.rawValue }
    return level == .warning ? "warn" : level.rawValue
  }

  /// The quantities in force, cpu then memory: the config's, else the provider's default.
  private static func quantities(_ list: MeshConfig.ResourceList, defaults: MeshConfig.ResourceList) -> [(String, String)] {
    [("cpu", list.cpu ?? defaults.cpu), ("memory", list.memory ?? defaults.memory)].compactMap { name, value in
      value.map { (name, $0) }
    }
  }

  private static func resourceList(_ quantities: [(String, String)]) -> MeshConfig.ResourceList {
    MeshConfig.ResourceList(
      cpu: quantities.first { $0.0 == "cpu" }?.1, memory: quantities.first { $0.0 == "memory" }?.1)
  }
}
