import Manifest

/// The service meshes meshctl renders sidecars and policies for.
public enum MeshProvider: String, Sendable, CaseIterable {
  case istio, linkerd

  /// The sidecar container's name.
  public var proxyContainerName: String {
    switch self {
    case .istio: return "istio-proxy"
    case .linkerd: return "linkerd-proxy"
    }
  }

  /// The traffic-redirect init container's name.
  public var initContainerName: String {
    switch self {
    case .istio: return "istio-init"
    case .linkerd: return "linkerd-init"
    }
  }
}

/// Whether the sidecar runs as a Kubernetes native sidecar (an init container with
/// `restartPolicy: Always`, so Jobs finish).
public enum NativeSidecarMode: String, Sendable, CaseIterable {
  /// Native when the MeshConfig says the cluster runs Kubernetes 1.29 or later.
  case auto
  case `true`
  case `false`
}

/// How traffic is redirected into the proxy.
public enum InterceptionMode: String, Sendable, CaseIterable {
  /// An init container sets up iptables (needs NET_ADMIN).
  case iptables
  /// The mesh's CNI plugin does it; no init container.
  case cni
}

/// Everything that shapes a sidecar, from a MeshConfig document or the built-in defaults.
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
    case .true: return true
    case .false: return false
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

/// A MeshConfig document that cannot be turned into settings.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
  /// What is wrong, naming the field.
  public var message: String
  /// Where.
  public var mark: SourceMark

  public var description: String { message }
}

extension SidecarSettings {
  /// Reads a `meshctl.io/v1alpha1` MeshConfig (its `spec`), starting from the defaults of its
  /// provider (or `provider` when given, which wins, as `--provider` does on the command line).
  public init(meshConfig: Node?, provider override: MeshProvider? = nil) throws {
    let spec = meshConfig?["spec"] ?? Node.mapping([])
    let named = try spec["provider"].map { node -> MeshProvider in
      guard let text = node.string, let provider = MeshProvider(rawValue: text) else {
        throw SettingsError(message: "spec.provider must be istio or linkerd", mark: node.mark)
      }
      return provider
    }
    self = .defaults(for: override ?? named ?? .istio)
    try apply(spec)
  }

  private mutating func apply(_ spec: Node) throws {
    var reader = FieldReader(spec)
    if let value = try reader.string("trustDomain") { trustDomain = value }
    if let value = try reader.string("controlPlaneNamespace") { controlPlaneNamespace = value }
    if let value = try reader.string("revision") { revision = value }
    if let value = try reader.enumeration("interception", InterceptionMode.self) { interception = value }
    if let node = spec["nativeSidecar"] {
      // Accepts the booleans true/false as well as the string auto.
      let text = node.bool.map { String($0) } ?? node.string ?? ""
      guard let mode = NativeSidecarMode(rawValue: text) else {
        throw SettingsError(message: "spec.nativeSidecar must be auto, true or false", mark: node.mark)
      }
      nativeSidecar = mode
    }
    if let node = spec["kubernetesVersion"] {
      let text = node.string ?? node.scalar?.text ?? ""
      let parts = text.drop { $0 == "v" }.split(separator: ".")
      guard parts.count >= 2, parts[0] == "1", let minor = Int(parts[1]) else {
        throw SettingsError(message: "spec.kubernetesVersion must look like \"1.30\"", mark: node.mark)
      }
      kubernetesMinorVersion = minor
    }
    if let value = try reader.intList("excludeInboundPorts") { excludeInboundPorts = value }
    if let value = try reader.intList("excludeOutboundPorts") { excludeOutboundPorts = value }
    if let value = try reader.stringList("excludeOutboundCIDRs") { excludeOutboundCIDRs = value }
    if let value = try reader.stringList("neverInjectNamespaces") { neverInjectNamespaces = value }
    if let value = try reader.bool("rewriteProbes") { rewriteProbes = value }
    if let value = try reader.bool("prometheusScrape") { prometheusScrape = value }
    if let value = try reader.string("identityTrustAnchorsPEM") { identityTrustAnchorsPEM = value }
    if let proxy = spec["proxy"] {
      var proxyReader = FieldReader(proxy, prefix: "spec.proxy.")
      if let value = try proxyReader.string("image") { proxyImage = value }
      if let value = try proxyReader.string("logLevel") { logLevel = value }
      if let value = try proxyReader.int("uid") { proxyUID = value }
      if let resources = proxy["resources"] {
        if let value = try quantities(resources["requests"], "spec.proxy.resources.requests") { requests = value }
        if let value = try quantities(resources["limits"], "spec.proxy.resources.limits") { limits = value }
      }
    }
  }

  private func quantities(_ node: Node?, _ path: String) throws -> [(String, String)]? {
    guard let node else { return nil }
    guard let entries = node.mapping else { throw SettingsError(message: "\(path) must be a mapping", mark: node.mark) }
    return try entries.map { entry in
      guard let scalar = entry.value.scalar, scalar.kind != .null, scalar.kind != .bool else {
        throw SettingsError(message: "\(path).\(entry.key) must be a quantity", mark: entry.value.mark)
      }
      return (entry.key, scalar.text)
    }
  }
}

/// Reads typed fields of a mapping, throwing a `SettingsError` that names the field.
private struct FieldReader {
  let node: Node
  let prefix: String

  init(_ node: Node, prefix: String = "spec.") {
    self.node = node
    self.prefix = prefix
  }

  func string(_ key: String) throws -> String? {
    guard let value = node[key] else { return nil }
    guard let text = value.string else { throw error(key, "a string", value) }
    return text
  }

  func int(_ key: String) throws -> Int? {
    guard let value = node[key] else { return nil }
    guard let number = value.int else { throw error(key, "an integer", value) }
    return number
  }

  func bool(_ key: String) throws -> Bool? {
    guard let value = node[key] else { return nil }
    guard let flag = value.bool else { throw error(key, "true or false", value) }
    return flag
  }

  func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T?
  where T.RawValue == String {
    guard let value = node[key] else { return nil }
    guard let text = value.string, let result = T(rawValue: text) else {
      throw error(key, T.allCases.map(\.rawValue).joined(separator: " or "), value)
    }
    return result
  }

  func intList(_ key: String) throws -> [Int]? {
    guard let value = node[key] else { return nil }
    guard let items = value.sequence else { throw error(key, "a list of ports", value) }
    return try items.map { item in
      guard let port = item.int, (1...65535).contains(port) else { throw error(key, "a list of ports", item) }
      return port
    }
  }

  func stringList(_ key: String) throws -> [String]? {
    guard let value = node[key] else { return nil }
    guard let items = value.sequence else { throw error(key, "a list of strings", value) }
    return try items.map { item in
      guard let text = item.string else { throw error(key, "a list of strings", item) }
      return text
    }
  }

  private func error(_ key: String, _ expected: String, _ value: Node) -> SettingsError {
    SettingsError(message: "\(prefix)\(key) must be \(expected), not \(value.typeName)", mark: value.mark)
  }
}
