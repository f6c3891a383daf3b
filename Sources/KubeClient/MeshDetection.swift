/// Which meshes' APIs a cluster serves, from discovery (`/apis`).
public struct InstalledMeshes: Sendable, Equatable {
  /// Istio's networking and security groups are both served.
  public var istio: Bool
  /// Linkerd's policy group is served.
  public var linkerd: Bool
  /// The Gateway API group is served.
  public var gatewayAPI: Bool
  /// The versions served per detected group, e.g. `networking.istio.io: [v1, v1beta1]`.
  public var versions: [String: [String]]

  /// Reads the detection from a group list.
  public init(groups: [APIGroupSummary]) {
    let served = Dictionary(groups.map { ($0.name, $0.versions) }, uniquingKeysWith: { first, _ in first })
    istio = ProviderGroups.istio.allSatisfy { served[$0] != nil }
    linkerd = ProviderGroups.linkerd.allSatisfy { served[$0] != nil }
    gatewayAPI = ProviderGroups.gatewayAPI.allSatisfy { served[$0] != nil }
    let known = ProviderGroups.istio + ProviderGroups.linkerd + ProviderGroups.gatewayAPI
    versions = served.filter { known.contains($0.key) }
  }

  /// The mesh meshctl renders for when nothing forces one: Istio when both are there (its
  /// resources are the richer target), else Linkerd, else none.
  public var preferredProvider: String? {
    if istio { return "istio" }
    if linkerd { return "linkerd" }
    return nil
  }
}

extension KubeAPI {
  /// Which meshes the server has installed.
  public func installedMeshes() async throws -> InstalledMeshes {
    InstalledMeshes(groups: try await groups())
  }
}
