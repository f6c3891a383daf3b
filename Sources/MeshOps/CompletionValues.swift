import KubeClient
import Manifest

/// The values shell completion offers from the cluster: namespaces, and the Services and
/// backends of meshctl's TrafficSplits.
public enum CompletionValues {
  /// The cluster's namespaces.
  public static func namespaces(api: KubeAPI) async throws -> [String] {
    let namespaces = APIResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)
    return try await api.list(namespaces, namespace: nil).compactMap { $0[path: "metadata", "name"]?.string }
  }

  /// The Services that have a TrafficSplit in the API's namespace.
  public static func trafficSplitServices(api: KubeAPI) async throws -> [String] {
    try await ManagedPolicies.list(.trafficsplits, api: api, namespace: api.defaultNamespace)
      .compactMap { $0.policy[path: "spec", "service"]?.string }
  }

  /// The backends of the TrafficSplits of `services` (of every TrafficSplit when none of
  /// `services` has one: the Service is not on the command line yet).
  public static func backends(of services: Set<String>, api: KubeAPI) async throws -> [String] {
    let splits = try await ManagedPolicies.list(.trafficsplits, api: api, namespace: api.defaultNamespace)
    let chosen = splits.filter { services.contains($0.policy[path: "spec", "service"]?.string ?? "") }
    return (chosen.isEmpty ? splits : chosen).flatMap { split in
      (split.policy[path: "spec", "backends"]?.sequence ?? []).compactMap {
        $0["name"]?.string ?? $0["service"]?.string
      }
    }
  }
}
