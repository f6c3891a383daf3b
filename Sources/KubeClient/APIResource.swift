import Manifest

/// One resource type an API server serves, as discovery describes it.
public struct APIResource: Sendable, Hashable {
  /// The API group; empty for the core group.
  public var group: String
  /// The version, e.g. `v1`.
  public var version: String
  /// The kind, e.g. `Deployment`.
  public var kind: String
  /// The plural resource name used in paths, e.g. `deployments`.
  public var plural: String
  /// Whether objects of this type live in a namespace.
  public var namespaced: Bool
  /// The verbs the server allows, e.g. `get`, `patch`.
  public var verbs: [String]

  /// Creates a resource description.
  public init(group: String, version: String, kind: String, plural: String, namespaced: Bool, verbs: [String] = []) {
    self.group = group
    self.version = version
    self.kind = kind
    self.plural = plural
    self.namespaced = namespaced
    self.verbs = verbs
  }

  /// `apps/v1`, or `v1` for the core group.
  public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// `deployments.apps`, or `services`: how kubectl names the type in messages.
  public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// `deployment.apps`, or `service`: the prefix of kubectl's result lines
  /// (`deployment.apps/web serverside-applied`).
  public var resultPrefix: String {
    let singular = kind.lowercased()
    return group.isEmpty ? singular : "\(singular).\(group)"
  }

  /// The collection path: `/apis/apps/v1/namespaces/shop/deployments`, or without the namespace
  /// part for cluster-scoped types and for lists across all namespaces (`namespace` nil).
  public func collectionPath(namespace: String?) -> String {
    var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    if namespaced, let namespace { path += "/namespaces/\(HTTPRequest.percentEncode(namespace))" }
    return path + "/" + plural
  }

  /// The path of one object.
  public func objectPath(namespace: String?, name: String) -> String {
    collectionPath(namespace: namespace) + "/" + HTTPRequest.percentEncode(name)
  }

  /// The request context for an error message about `name` in `namespace`.
  func requestContext(verb: String, name: String = "", namespace: String? = nil) -> APIRequestContext {
    APIRequestContext(
      verb: verb, group: group, version: version, resource: plural, name: name,
      namespace: namespaced ? (namespace ?? "") : "", providerHint: ProviderGroups.hint(forGroup: group))
  }
}

/// What installs the API groups of each mesh, for the 404 that says a type is missing.
public enum ProviderGroups {
  /// Istio's traffic and security groups.
  public static let istio = MeshAPIGroups.istio
  /// The Gateway API group.
  public static let gatewayAPI = MeshAPIGroups.gatewayAPI
  /// Linkerd's policy group.
  public static let linkerd = MeshAPIGroups.linkerd

  /// What to install when `group` is missing, or empty for built-in groups.
  public static func hint(forGroup group: String) -> String {
    if istio.contains(group) { return "the Istio CRDs (is Istio installed?)" }
    if gatewayAPI.contains(group) { return "the Gateway API CRDs" }
    if group.hasSuffix("linkerd.io") { return "the Linkerd CRDs (is Linkerd installed?)" }
    return ""
  }
}

/// A group the server serves and its preferred version, from `/apis`.
public struct APIGroupSummary: Sendable, Hashable {
  /// The group name.
  public var name: String
  /// Every version served, in the server's order of preference.
  public var versions: [String]
  /// The preferred version.
  public var preferredVersion: String

  /// Creates a summary.
  public init(name: String, versions: [String], preferredVersion: String) {
    self.name = name
    self.versions = versions
    self.preferredVersion = preferredVersion
  }
}

/// Decoders for the legacy discovery documents (`/api`, `/apis`, `/apis/<group>/<version>`).
enum DiscoveryDocuments {
  /// The resources of an `APIResourceList`; subresources (`deployments/scale`) are left out.
  static func resources(in list: Node, group: String, version: String) -> [APIResource] {
    (list["resources"]?.sequence ?? []).compactMap { item in
      guard let plural = item["name"]?.string, !plural.contains("/"), let kind = item["kind"]?.string else {
        return nil
      }
      let verbs = (item["verbs"]?.sequence ?? []).compactMap(\.string)
      return APIResource(
        group: group, version: version, kind: kind, plural: plural,
        namespaced: item["namespaced"]?.bool ?? false, verbs: verbs)
    }
  }

  /// The groups of an `APIGroupList`.
  static func groups(in list: Node) -> [APIGroupSummary] {
    (list["groups"]?.sequence ?? []).compactMap { item in
      guard let name = item["name"]?.string else { return nil }
      let versions = (item["versions"]?.sequence ?? []).compactMap { $0["version"]?.string }
      let preferred = item[path: "preferredVersion", "version"]?.string ?? versions.first ?? ""
      return APIGroupSummary(name: name, versions: versions, preferredVersion: preferred)
    }
  }
}
