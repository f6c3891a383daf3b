import ArgumentParser
import KubeClient
import Manifest
import MeshSchema
import Policy

/// The flags that decide what meshctl's policies become: `render`, `apply`, `diff`, `delete`.
public struct PolicyOptions: ParsableArguments {
  /// The mesh to render for.
  @Option(
    help: ArgumentHelp(
      "The mesh: istio or linkerd (default: the MeshConfig's; against a cluster, the one installed there; else istio).",
      valueName: "provider"))
  public var provider: MeshConfig.Provider?

  /// Where TrafficSplit routing goes.
  @Option(
    help: ArgumentHelp(
      "TrafficSplit routing: provider (Istio VirtualService) or gateway-api (HTTPRoute; always on Linkerd).",
      valueName: "target"))
  public var routing: RoutingTarget = .provider

  /// A MeshConfig file with the provider settings.
  @Option(
    help: ArgumentHelp(
      "A meshctl.io/v1alpha1 MeshConfig file (provider, trust domain, control plane namespace).", valueName: "path"))
  public var config: String?

  /// Creates the defaults.
  public init() {}

  /// The settings offline: the flag, else the MeshConfig's provider, else Istio.
  func settings(context: CommandContext, defaultNamespace: String?) throws -> PolicySettings {
    let config = try MeshConfigFile.load(self.config, context: context)
    return PolicySettings(config: config, provider: provider, routing: routing, defaultNamespace: defaultNamespace)
  }

  /// The settings against a cluster: the flag, else the MeshConfig file's provider, else the
  /// mesh the cluster has installed (discovery), else Istio.
  func settings(context: CommandContext, api: KubeAPI) throws -> PolicySettings {
    let config = try MeshConfigFile.load(self.config, context: context)
    var chosen = provider ?? (self.config != nil ? config.provider : nil)
    if chosen == nil {
      let detected = try awaitCompletion { try await api.installedMeshes().preferredProvider }
      chosen = detected.flatMap(MeshConfig.Provider.init(rawValue:))
    }
    var settings = PolicySettings(
      config: config, provider: chosen, routing: routing, defaultNamespace: api.defaultNamespace)
    settings.requireKnownServices = true
    return settings
  }
}

/// meshctl's policies among a command's inputs, rendered for the cluster: Services and
/// workloads come from the input first, then from the cluster (one list per kind and namespace).
enum ClusterPolicies {
  /// The input's Kubernetes objects with every policy replaced by what it renders to. Prints
  /// the diagnostics and throws (exit 1) when a policy cannot be rendered.
  static func expand(_ objects: [ManifestObject], options: PolicyOptions, api: KubeAPI, context: CommandContext) throws
    -> [ManifestObject]
  {
    let policies = objects.filter { PolicyRenderer.isPolicy($0.node) }
    guard !policies.isEmpty else { return objects }
    let settings = try options.settings(context: context, api: api)
    var lookup = ManifestLookup(objects: objects.filter { !PolicyRenderer.isPolicy($0.node) })
    for node in try clusterObjects(around: policies, api: api) { lookup.add(node) }
    var expanded = objects.filter { !PolicyRenderer.isPolicy($0.node) }
    var errors: [Diagnostic] = []
    let renderer = PolicyRenderer(settings: settings)
    for policy in policies {
      let result = renderer.render(policy, lookup: lookup)
      errors += result.diagnostics.filter { $0.severity == .error }
      for object in result.objects { merge(rendered(from: policy, object), into: &expanded) }
    }
    guard errors.isEmpty else {
      let printer = TextReport(color: context.stderrAllowsColor)
      for error in errors { context.stderr.write(printer.render(error)) }
      context.stderr.write("\(Meshctl.displayName): nothing was sent to the cluster\n")
      throw CommandFailure(status: .findings)
    }
    return expanded
  }

  /// Adds `object`, or merges its labels and annotations into the input object with the same
  /// identity (a Linkerd policy's Namespace patch and the input's Namespace): two applies of one
  /// object by one field manager would each remove what the other set.
  static func merge(_ object: ManifestObject, into objects: inout [ManifestObject]) {
    guard let index = objects.firstIndex(where: { identity($0.node) == identity(object.node) }) else {
      objects.append(object)
      return
    }
    var node = objects[index].node
    for key in ["labels", "annotations"] {
      for entry in object.node[path: "metadata", key]?.mapping ?? [] {
        node = node.replacingMetadata(key, entry.key, with: entry.value)
      }
    }
    objects[index] = ManifestObject(node: node, document: objects[index].document, path: objects[index].path)
  }

  private static func identity(_ node: Node) -> [String?] {
    [
      node["apiVersion"]?.string, node["kind"]?.string, node[path: "metadata", "namespace"]?.string,
      node[path: "metadata", "name"]?.string,
    ]
  }

  /// A rendered object, placed at its policy in the input so messages point there.
  static func rendered(from policy: ManifestObject, _ node: Node) -> ManifestObject {
    let placed = Node(node.content, mark: policy.node.mark)
    return ManifestObject(node: placed, document: Document(root: placed, file: policy.document.file), path: "")
  }

  /// The Services and workloads of every namespace the policies are in, from the cluster.
  static func clusterObjects(around policies: [ManifestObject], api: KubeAPI) throws -> [Node] {
    let namespaces = Set(policies.map { $0.namespace ?? api.defaultNamespace })
    let kinds = [("v1", "Service"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet")]
    return try awaitCompletion {
      try await withThrowingTaskGroup(of: [Node].self) { group in
        for namespace in namespaces {
          for (apiVersion, kind) in kinds {
            group.addTask {
              let resource = try await api.resource(apiVersion: apiVersion, kind: kind)
              return try await api.list(resource, namespace: namespace).map {
                withKind($0, apiVersion: apiVersion, kind: kind)
              }
            }
          }
        }
        var all: [Node] = []
        for try await nodes in group { all += nodes }
        return all
      }
    }
  }

  /// List items carry no `apiVersion`/`kind`; the lookup needs them.
  static func withKind(_ node: Node, apiVersion: String, kind: String) -> Node {
    let rest = (node.mapping ?? []).filter { $0.key != "apiVersion" && $0.key != "kind" }
    return .mapping(
      [MappingEntry(key: "apiVersion", value: .string(apiVersion)), MappingEntry(key: "kind", value: .string(kind))]
        + rest)
  }
}
