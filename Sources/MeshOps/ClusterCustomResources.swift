import KubeClient
import Manifest
import MeshSchema

/// The cluster's CustomResourceDefinitions as schemas for `validate --crd-from-cluster`.
public enum ClusterCustomResources {
  /// `apiextensions.k8s.io/v1` CustomResourceDefinitions.
  public static let definitions = APIResource(
    group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions", namespaced: false)

  /// Lists the cluster's CustomResourceDefinitions (one request, bounded by the connection's
  /// `--request-timeout`) and adds their served versions to `catalog`; returns the kinds added
  /// (`Foo.example.com/v1`). List items may come without `apiVersion` and `kind`: they are
  /// CustomResourceDefinitions all the same.
  @discardableResult
  public static func addDefinitions(from api: KubeAPI, to catalog: SchemaCatalog) async throws -> [String] {
    var added: [String] = []
    for item in try await api.list(definitions, namespace: nil) {
      var definition = item
      definition.setValue(.string(definitions.groupVersion), at: ["apiVersion"])
      definition.setValue(.string(definitions.kind), at: ["kind"])
      added += catalog.addCustomResourceDefinition(definition)
    }
    return added
  }
}
