import KubeClient
import Manifest
import MeshSchema

/// Linkerd's identity trust anchors as the cluster holds them: the PEM bundle in the
/// `linkerd-identity-trust-roots` ConfigMap of the control-plane namespace, which Linkerd's own
/// proxy injector reads.
public enum ClusterTrustAnchors {
  /// What the cluster has.
  public enum Lookup: Sendable, Equatable {
    /// The bundle, checked to be PEM certificates, and how many it holds.
    case found(bundle: String, certificates: Int)
    /// Why there is none: the ConfigMap or its key is missing (Linkerd is not installed there).
    case missing(String)
    /// The ConfigMap's value is not PEM certificates: what is wrong with it.
    case invalid(String)
  }

  /// ConfigMaps are core `v1` everywhere: no discovery request needed.
  static let configMaps = APIResource(
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, verbs: ["get"])

  /// `configmap linkerd/linkerd-identity-trust-roots`, for messages.
  public static func source(namespace: String) -> String {
    "configmap \(namespace)/\(MeshConfig.TrustAnchors.configMapName)"
  }

  /// Reads the bundle from the ConfigMap in `namespace` (one GET, bounded by the connection's
  /// request timeout). A missing ConfigMap or key is `.missing`, a value that is not PEM
  /// certificates `.invalid`; API failures propagate.
  public static func read(_ api: KubeAPI, namespace: String) async throws -> Lookup {
    let name = MeshConfig.TrustAnchors.configMapName
    let key = MeshConfig.TrustAnchors.configMapKey
    guard let configMap = try await api.get(configMaps, namespace: namespace, name: name) else {
      return .missing(
        "the cluster has no \(source(namespace: namespace)) (is Linkerd installed in namespace \(namespace)?)")
    }
    guard let text = configMap[path: "data", key]?.string, !text.isEmpty else {
      return .missing("\(source(namespace: namespace)) has no \(key) key")
    }
    do {
      let certificates = try MeshConfig.TrustAnchors.certificates(in: text)
      return .found(bundle: MeshConfig.TrustAnchors.bundle(certificates), certificates: certificates.count)
    } catch {
      return .invalid("\(source(namespace: namespace)) key \(key) \(error)")
    }
  }
}
