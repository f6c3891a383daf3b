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

/// The settings in effect for one sidecar: a MeshConfig resolved against its provider's defaults
/// (and, per workload, the provider's override annotations).
public struct SidecarSettings: Sendable, Equatable {
  public var provider: MeshProvider
  /// The proxy image; the init container uses it too (both meshes ship one image).
  public var proxyImage: String
  public var trustDomain: String
  public var controlPlaneNamespace: String
  /// Istio revision (`istio.io/rev`); empty for the default revision.
  public var revision: String
  public var nativeSidecar: NativeSidecarMode
  /// The cluster's Kubernetes minor version (`1.30` → 30) when the MeshConfig names it.
  public var kubernetesMinorVersion: Int?
  public var interception: InterceptionMode
  public var proxyUID: Int
  public var logLevel: String
  /// Proxy resources: requests and limits, each a map of resource name to quantity.
  public var requests: [(String, String)]
  public var limits: [(String, String)]
  public var excludeInboundPorts: [Int]
  public var excludeOutboundPorts: [Int]
  public var excludeOutboundCIDRs: [String]
  public var rewriteProbes: Bool
  public var prometheusScrape: Bool
  public var neverInjectNamespaces: [String]
  /// Linkerd's identity trust anchors (PEM); full Linkerd injection needs them offline.
  public var identityTrustAnchorsPEM: String? = nil
  /// Linkerd's proxy admin port (metrics and probes).
  public var adminPort = 4191

  /// The defaults for a provider: what its own injector does out of the box.
  public static func defaults(for provider: MeshProvider) -> SidecarSettings {
    switch provider {
    case .istio:
      return SidecarSettings(
        provider: .istio, proxyImage: "docker.io/istio/proxyv2:1.24.2", trustDomain: "cluster.local",
        controlPlaneNamespace: "istio-system", revision: "", nativeSidecar: .auto, kubernetesMinorVersion: nil,
        interception: .iptables, proxyUID: 1337, logLevel: "warning",
        requests: [("cpu", "100m"), ("memory", "128Mi")], limits: [("cpu", "2"), ("memory", "1Gi")],
        excludeInboundPorts: [], excludeOutboundPorts: [], excludeOutboundCIDRs: [], rewriteProbes: true,
        prometheusScrape: true, neverInjectNamespaces: defaultNeverInjected)
    case .linkerd:
      return SidecarSettings(
        provider: .linkerd, proxyImage: "cr.l5d.io/linkerd/proxy:edge-24.11.8", trustDomain: "cluster.local",
        controlPlaneNamespace: "linkerd", revision: "", nativeSidecar: .auto, kubernetesMinorVersion: nil,
        interception: .iptables, proxyUID: 2102, logLevel: "warn,linkerd=info,hickory=error",
        requests: [], limits: [], excludeInboundPorts: [], excludeOutboundPorts: [], excludeOutboundCIDRs: [],
        rewriteProbes: false, prometheusScrape: false, neverInjectNamespaces: defaultNeverInjected)
    }
  }

  /// Namespaces no mesh injects by default.
  public static let defaultNeverInjected = ["kube-system", "kube-public", "kube-node-lease"]

  /// The image tag, which both meshes report as the proxy version.
  public var proxyVersion: String { Self.tag(of: proxyImage) }

  /// The tag of an image reference (`latest` when it has none).
  static func tag(of image: String) -> String {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return "latest" }
    return String(image[image.index(after: colon)...])
  }

  /// Whether the proxy goes into `initContainers` with `restartPolicy: Always`.
  public var usesNativeSidecar: Bool {
    switch nativeSidecar {
    case .enabled: return true
    case .disabled: return false
    case .auto: return (kubernetesMinorVersion ?? 0) >= 29
    }
  }

  public static func == (lhs: SidecarSettings, rhs: SidecarSettings) -> Bool {
    lhs.fingerprint == rhs.fingerprint
  }

  /// A stable text of every setting; two settings are the same when their fingerprints are.
  var fingerprint: String {
    [
      provider.rawValue, proxyImage, trustDomain, controlPlaneNamespace, revision, nativeSidecar.rawValue,
      String(describing: kubernetesMinorVersion), interception.rawValue, String(proxyUID), logLevel,
      requests.map { "\($0)=\($1)" }.joined(separator: ","), limits.map { "\($0)=\($1)" }.joined(separator: ","),
      excludeInboundPorts.map(String.init).joined(separator: ","),
      excludeOutboundPorts.map(String.init).joined(separator: ","), excludeOutboundCIDRs.joined(separator: ","),
      String(rewriteProbes), String(prometheusScrape), neverInjectNamespaces.joined(separator: ","),
      identityTrustAnchorsPEM ?? "", String(adminPort),
    ].joined(separator: "|")
  }
}

extension SidecarSettings {
  /// The settings a MeshConfig means for its provider, or for `provider` when given (as
  /// `--provider` does). The MeshConfig's proxy image, UID, log level and resources are meant for
  /// its own provider, so they apply only when the providers agree.
  public init(config: MeshConfig, provider override: MeshProvider? = nil) {
    let provider = override ?? config.provider
    self = .defaults(for: provider)
    trustDomain = config.trustDomain
    if let namespace = config.controlPlaneNamespace { controlPlaneNamespace = namespace }
    revision = config.revision ?? ""
    nativeSidecar = config.nativeSidecar
    kubernetesMinorVersion = config.kubernetesMinorVersion
    interception = config.interception
    excludeInboundPorts = config.excludeInboundPorts
    excludeOutboundPorts = config.excludeOutboundPorts
    excludeOutboundCIDRs = config.excludeOutboundCIDRs
    rewriteProbes = config.rewriteProbes && provider == .istio
    prometheusScrape = config.prometheusScrape
    neverInjectNamespaces = config.neverInjectNamespaces
    identityTrustAnchorsPEM = config.identityTrustAnchorsPEM
    guard provider == config.provider else { return }
    let proxy = config.proxy
    if let image = proxy.image { proxyImage = image }
    if let uid = proxy.uid { proxyUID = uid }
    if let level = proxy.logLevel { logLevel = Self.logLevel(level, for: provider) }
    Self.merge(proxy.requests, into: &requests)
    Self.merge(proxy.limits, into: &limits)
  }

  /// A MeshConfig log level in the provider's own terms (Linkerd says `warn`).
  static func logLevel(_ level: MeshConfig.LogLevel, for provider: MeshProvider) -> String {
    guard provider == .linkerd else { return level.rawValue }
    return level == .warning ? "warn" : level.rawValue
  }

  private static func merge(_ list: MeshConfig.ResourceList, into quantities: inout [(String, String)]) {
    for (name, value) in [("cpu", list.cpu), ("memory", list.memory)] {
      guard let value else { continue }
      if let index = quantities.firstIndex(where: { $0.0 == name }) {
        quantities[index].1 = value
      } else {
        quantities.append((name, value))
      }
    }
  }
}
