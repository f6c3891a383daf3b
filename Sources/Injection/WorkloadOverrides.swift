import Manifest

/// The providers' own per-workload annotations that meshctl honours, so a workload tuned for
/// the provider's webhook injects the same way offline. Listed in docs/injection.md.
enum WorkloadOverrides {
  /// Istio pod-template annotations → settings.
  static let istio: [String: @Sendable (inout SidecarSettings, String) -> Void] = [
    "sidecar.istio.io/proxyImage": { $0.proxyImage = $1 },
    "sidecar.istio.io/proxyCPU": { setQuantity(&$0.requests, "cpu", $1) },
    "sidecar.istio.io/proxyMemory": { setQuantity(&$0.requests, "memory", $1) },
    "sidecar.istio.io/proxyCPULimit": { setQuantity(&$0.limits, "cpu", $1) },
    "sidecar.istio.io/proxyMemoryLimit": { setQuantity(&$0.limits, "memory", $1) },
    "sidecar.istio.io/logLevel": { $0.logLevel = $1 },
    "sidecar.istio.io/rewriteAppHTTPProbers": { $0.rewriteProbes = $1 == "true" },
    "sidecar.istio.io/nativeSidecar": { $0.nativeSidecar = $1 == "true" ? .enabled : .disabled },
    "traffic.sidecar.istio.io/excludeInboundPorts": { $0.excludeInboundPorts = ports($1) },
    "traffic.sidecar.istio.io/excludeOutboundPorts": { $0.excludeOutboundPorts = ports($1) },
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": { $0.excludeOutboundCIDRs = list($1) },
    "prometheus.istio.io/merge-metrics": { $0.prometheusScrape = $1 != "false" },
  ]

  /// Linkerd pod-template annotations → settings.
  static let linkerd: [String: @Sendable (inout SidecarSettings, String) -> Void] = [
    "config.linkerd.io/proxy-image": { $0.proxyImage = replacingTag(of: $0.proxyImage, image: $1) },
    "config.linkerd.io/proxy-version": { $0.proxyImage = withTag($0.proxyImage, $1) },
    "config.linkerd.io/proxy-cpu-request": { setQuantity(&$0.requests, "cpu", $1) },
    "config.linkerd.io/proxy-memory-request": { setQuantity(&$0.requests, "memory", $1) },
    "config.linkerd.io/proxy-cpu-limit": { setQuantity(&$0.limits, "cpu", $1) },
    "config.linkerd.io/proxy-memory-limit": { setQuantity(&$0.limits, "memory", $1) },
    "config.linkerd.io/proxy-log-level": { $0.logLevel = $1 },
    "config.linkerd.io/proxy-uid": { if let uid = Int($1) { $0.proxyUID = uid } },
    "config.linkerd.io/admin-port": { if let port = Int($1), (1...65535).contains(port) { $0.adminPort = port } },
    "config.linkerd.io/skip-inbound-ports": { $0.excludeInboundPorts = ports($1) },
    "config.linkerd.io/skip-outbound-ports": { $0.excludeOutboundPorts = ports($1) },
    "config.alpha.linkerd.io/proxy-enable-native-sidecar": { $0.nativeSidecar = $1 == "true" ? .enabled : .disabled },
  ]

  /// Istio's resource annotations. When a workload sets any of them, Istio's sidecar template
  /// takes the proxy's requests and limits from them alone, not from the mesh defaults: a
  /// `proxyCPU: 4000m` request never meets the default 2-CPU limit (which would make the pod
  /// invalid). Found by FuzzInjection on peer-inject/istio/traffic-annotations.yaml.
  static let istioResources: Set<String> = [
    "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyCPULimit",
    "sidecar.istio.io/proxyMemoryLimit",
  ]

  /// A quantity that stands for "none": the default is not used and nothing is written.
  static let noQuantity = ""

  /// The settings with a workload's override annotations applied.
  static func apply(_ annotations: [String: String], to settings: SidecarSettings) -> SidecarSettings {
    let table = settings.provider == .istio ? istio : linkerd
    var result = settings
    if settings.provider == .istio, annotations.keys.contains(where: istioResources.contains) {
      result.requests = [("cpu", noQuantity), ("memory", noQuantity)]
      result.limits = [("cpu", noQuantity), ("memory", noQuantity)]
    }
    for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
      table[key]?(&result, value)
    }
    return result
  }

  private static func setQuantity(_ list: inout [(String, String)], _ name: String, _ value: String) {
    if let index = list.firstIndex(where: { $0.0 == name }) {
      list[index].1 = value
    } else {
      list.append((name, value))
    }
  }

  private static func ports(_ text: String) -> [Int] {
    list(text).compactMap { Int($0) }
  }

  private static func list(_ text: String) -> [String] {
    text.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
  }

  private static func withTag(_ image: String, _ tag: String) -> String {
    untagged(image) + ":" + tag
  }

  /// A new image; without a tag, it keeps the current one's.
  private static func replacingTag(of current: String, image: String) -> String {
    untagged(image) != image ? image : image + ":" + SidecarSettings.tag(of: current)
  }

  private static func untagged(_ image: String) -> String {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return image }
    return String(image[..<colon])
  }
}
