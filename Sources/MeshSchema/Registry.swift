import Manifest

/// A registered kind: its type meta and its schema (workload kinds keep their pod template where
/// `WorkloadKinds` says).
public struct KindSchema: Sendable {
  /// `group/version` (or `v1` for the core group).
  public var apiVersion: String
  /// The kind.
  public var kind: String
  /// The schema of the whole object.
  public var schema: Schema
  /// Creates a kind schema.
  public init(_ apiVersion: String, _ kind: String, _ schema: Schema) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.schema = schema
  }

  /// The API group (`""` for the core group).
  public var group: String {
    guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
    return String(apiVersion[..<slash])
  }
}

/// Every kind meshctl validates, looked up by apiVersion and kind.
public enum SchemaRegistry {
  /// meshctl's own API group.
  public static let meshctlGroup = "meshctl.io"
  /// meshctl's own API version.
  public static let meshctlAPIVersion = "meshctl.io/v1alpha1"

  /// All registered kinds: meshctl's, Kubernetes', and the providers' resources.
  public static let all: [KindSchema] = MeshctlSchemas.kinds + KubernetesSchemas.kinds + ProviderSchemas.kinds

  private static let byTypeMeta: [String: KindSchema] = {
    var table: [String: KindSchema] = [:]
    for kind in all { table[kind.apiVersion + " " + kind.kind] = kind }
    return table
  }()

  /// The schema of an apiVersion and kind; nil when meshctl does not know it.
  public static func schema(apiVersion: String, kind: String) -> KindSchema? {
    byTypeMeta[apiVersion + " " + kind]
  }

}
