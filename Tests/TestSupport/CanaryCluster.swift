import KubeClient
import Manifest
import MeshSchema
import Policy

/// A scripted Istio cluster holding the TrafficSplit `cart` (backends v1=90, v2=10) of namespace
/// `team` as meshctl rendered it: a managed VirtualService and DestinationRule for Service `cart`.
public enum CanaryCluster {
  /// The TrafficSplit the cluster's route was rendered from.
  public static let trafficSplit = """
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: cart, namespace: team}
    spec:
      service: cart
      port: 9090
      backends:
      - {name: v1, selector: {version: v1}, weight: 90}
      - {name: v2, selector: {version: v2}, weight: 10}

    """

  /// The Service the split routes.
  public static let service = """
    apiVersion: v1
    kind: Service
    metadata: {name: cart, namespace: team}
    spec:
      selector: {app: cart}
      ports: [{name: grpc, port: 9090, targetPort: 9090}]

    """

  /// The route's `metadata.resourceVersion` as the server lists it.
  public static let routeVersion = "41"

  /// The path of the route object.
  public static let routePath = "/apis/networking.istio.io/v1/namespaces/team/virtualservices/cart"

  /// The server; `previousWeights` becomes the route's older previous-weights annotation (a JSON
  /// object), as an earlier meshctl's shift left it; `history` the weight-history annotation.
  /// Each backend in `readyBackends` has one ready Pod (`app=cart,version=<backend>`); the
  /// others have one that is not ready.
  public static func server(
    previousWeights: String? = nil, history: String? = nil, readyBackends: Set<String> = ["v1", "v2"]
  ) -> ScriptedServer {
    let serviceNode = ManifestReader().parse(service).documents[0].root
    let split = ManifestReader().parse(trafficSplit, file: "split.yaml").documents[0]
    var lookup = ManifestLookup()
    lookup.add(serviceNode)
    let rendered = PolicyRenderer(settings: PolicySettings(provider: .istio, defaultNamespace: "team"))
      .render(split.objects, lookup: lookup).objects
    var route = rendered.first { $0["kind"]?.string == "VirtualService" }!
    if let previousWeights { route = annotated(route, "meshctl.io/previous-weights", previousWeights) }
    if let history { route = annotated(route, "meshctl.io/weight-history", history) }
    route = route.settingValue(.string(routeVersion), at: ["metadata", "resourceVersion"])
    return ScriptedServer(
      answers: [
        "/apis": Discovery.istioGroups, "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
        "/apis/networking.istio.io/v1": Discovery.istioNetworking,
        "/apis/security.istio.io/v1": Discovery.istioSecurity,
        "/apis/networking.istio.io/v1/namespaces/team/virtualservices": list([route]),
        "/api/v1/namespaces/team/services": list([serviceNode]),
        "/api/v1/namespaces/team/pods": list(["v1", "v2"].map { pod($0, ready: readyBackends.contains($0)) }),
      ], emptyCollections: true)
  }

  /// The weights of each VirtualService the server was sent, in order (`v1=90,v2=10`).
  public static func appliedWeights(_ server: ScriptedServer) -> [String] {
    routes(server).compactMap { route in
      RenderedPolicies.trafficSplit(fromRoute: route).map { TrafficShift.describe(TrafficShift.weights(of: $0)) }
    }
  }

  /// Each VirtualService the server was sent, in order.
  public static func routes(_ server: ScriptedServer) -> [Node] {
    server.patchedBodies.compactMap { ManifestReader().parse($0).documents.first?.root }
      .filter { $0["kind"]?.string == "VirtualService" }
  }

  /// A Pod of backend `version`, Ready or not.
  static func pod(_ version: String, ready: Bool) -> Node {
    Node.parse(
      """
      {"metadata": {"name": "cart-\(version)-0", "namespace": "team", "labels": {"app": "cart", "version": "\(version)"}},
       "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "\(ready ? "True" : "False")"}]}}
      """)!
  }

  private static func list(_ items: [Node]) -> String {
    JSONEmitter.emit(.mapping(["kind": .string("List"), "items": .sequence(items)]), pretty: false)
  }

  private static func annotated(_ node: Node, _ key: String, _ value: String) -> Node {
    var entries = node.mapping ?? []
    guard let index = entries.firstIndex(where: { $0.key == "metadata" }) else { return node }
    var metadata = entries[index].value.mapping ?? []
    var annotations = metadata.first { $0.key == "annotations" }?.value.mapping ?? []
    annotations.append(MappingEntry(key: key, value: .string(value)))
    metadata.removeAll { $0.key == "annotations" }
    metadata.append(MappingEntry(key: "annotations", value: .mapping(annotations)))
    entries[index].value = .mapping(metadata)
    return .mapping(entries)
  }
}
