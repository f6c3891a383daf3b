import KubeClient
import MeshSchema

/// Which mesh a cluster runs, as the provider meshctl renders for.
public enum MeshDetection {
  /// The provider the cluster's served API groups point to: Istio when both are there, else
  /// Linkerd, else nil.
  public static func detected(_ meshes: InstalledMeshes) -> MeshConfig.Provider? {
    if meshes.istio { return .istio }
    if meshes.linkerd { return .linkerd }
    return nil
  }

  /// The provider the cluster runs (nil: none meshctl knows).
  public static func detect(_ api: KubeAPI) async throws -> MeshConfig.Provider? {
    detected(try await api.installedMeshes())
  }

  /// The provider: `forced` (whose API the cluster must serve), else the detected one; no mesh
  /// is `MeshOpsError.providerMissing`.
  public static func provider(_ api: KubeAPI, forced: MeshConfig.Provider?) async throws -> MeshConfig.Provider {
    let meshes = try await api.installedMeshes()
    if let forced {
      guard forced == .istio ? meshes.istio : meshes.linkerd else {
        let groups = (forced == .istio ? ProviderGroups.istio : ProviderGroups.linkerd).joined(separator: ", ")
        throw MeshOpsError.providerMissing(
          "the cluster serves no \(forced == .istio ? "Istio" : "Linkerd") API (\(groups)); "
            + "install \(ProviderGroups.hint(forGroup: forced == .istio ? "security.istio.io" : "policy.linkerd.io"))")
      }
      return forced
    }
    guard let detected = detected(meshes) else {
      throw MeshOpsError.providerMissing(
        "the cluster runs no mesh meshctl knows: it serves neither Istio's nor Linkerd's API; "
          + "install one (meshctl check says what is there)")
    }
    return detected
  }
}
