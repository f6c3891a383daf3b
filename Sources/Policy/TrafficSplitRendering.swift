import Manifest
import MeshSchema

/// A TrafficSplit read for rendering, each part with the node it came from for diagnostics.
struct TrafficSplitModel {
  struct Backend {
    var name: String
    /// The backend's own labels (selector backends), in written order.
    var selector: [MappingEntry]?
    /// An existing Service (service backends).
    var service: String?
    var weight: Int
    var index: Int
    var node: Node
  }

  struct HeaderMatch {
    var name: String
    /// `exact`, `prefix` or `regex`.
    var op: String
    var value: String
  }

  struct Match {
    var headers: [HeaderMatch]
    /// `exact` or `prefix`, with the path.
    var path: (op: String, value: String)?
    var backend: String
    var index: Int
  }

  var service: String
  var port: Int?
  var backends: [Backend]
  var matches: [Match]
  /// `spec.analysis` as written (carried on the route for `shift`).
  var analysis: [String] = []

  func backend(named name: String) -> Backend? { backends.first { $0.name == name } }
}

/// TrafficSplit → Istio DestinationRule + VirtualService, or Gateway API HTTPRoute (+ per-backend
/// Services for selector backends).
enum TrafficSplitRendering {
  static func render(_ context: inout RenderContext, lookup: some ServiceLookup) -> [Node] {
    guard let model = read(&context) else { return [] }
    if context.settings.requireKnownServices {
      requireServices(model, &context, lookup: lookup)
      guard !context.hasErrors else { return [] }
    }
    if context.settings.usesGatewayAPI {
      return GatewayRouteRendering.render(model, &context, lookup: lookup)
    }
    return IstioRouteRendering.render(model, &context)
  }

  /// Refuses Services the lookup does not know: the split Service and every service backend.
  static func requireServices(_ model: TrafficSplitModel, _ context: inout RenderContext, lookup: some ServiceLookup) {
    let namespace = context.namespace
    func missing(_ name: String) -> Bool { lookup.service(namespace: namespace, name: name) == nil }
    let place = namespace.map { " in namespace `\($0)`" } ?? ""
    if missing(model.service) {
      context.error(
        RuleCode.serviceUnknown, "Service `\(model.service)` does not exist\(place) (neither in the input nor in the cluster)",
        at: context.spec["service"], path: [.key("spec"), .key("service")], hint: "create the Service first, or fix the name")
    }
    for backend in model.backends {
      guard let name = backend.service, missing(name) else { continue }
      context.error(
        RuleCode.serviceUnknown, "backend `\(backend.name)` names Service `\(name)`, which does not exist\(place)",
        at: backend.node["service"], path: [.key("spec"), .key("backends"), .index(backend.index), .key("service")],
        hint: "create the Service first, or fix the name")
    }
  }

  /// Reads the spec and refuses what must never reach a cluster: an empty destination host,
  /// weights that are all zero, a match naming a missing backend. The schema reports these too;
  /// the renderer checks again because it is a public API that unvalidated input can reach.
  static func read(_ context: inout RenderContext) -> TrafficSplitModel? {
    let spec = context.spec
    let serviceNode = spec["service"]
    let service = serviceNode?.string ?? ""
    if service.isEmpty {
      context.error(
        RuleCode.emptyHost, "the TrafficSplit has no Service: its routes would have an empty destination host",
        at: serviceNode ?? spec, path: [.key("spec"), .key("service")],
        hint: "set `spec.service` to the Service clients call")
    }
    var backends: [TrafficSplitModel.Backend] = []
    for (index, node) in (spec["backends"]?.sequence ?? []).enumerated() {
      if let backend = readBackend(node, index: index, &context) { backends.append(backend) }
    }
    let backendsNode = spec["backends"]
    if backends.allSatisfy({ $0.weight == 0 }) {
      context.error(
        RuleCode.weightsAllZero, "every backend has weight 0: no traffic would be routed", at: backendsNode ?? spec,
        path: [.key("spec"), .key("backends")], hint: "give at least one backend a weight above 0")
    }
    var matches: [TrafficSplitModel.Match] = []
    for (index, node) in (spec["match"]?.sequence ?? []).enumerated() {
      if let match = readMatch(node, index: index, names: backends.map(\.name), &context) { matches.append(match) }
    }
    guard !context.hasErrors else { return nil }
    let analysis = (spec["analysis"]?.sequence ?? []).compactMap { $0.scalar?.text }
    return TrafficSplitModel(
      service: service, port: spec["port"]?.int, backends: backends, matches: matches, analysis: analysis)
  }

  private static func readBackend(_ node: Node, index: Int, _ context: inout RenderContext) -> TrafficSplitModel
    .Backend?
  {
    let path: [PathComponent] = [.key("spec"), .key("backends"), .index(index)]
    guard let name = node["name"]?.string else {
      context.error(RuleCode.missingField, "backend \(index + 1) has no name", at: node, path: path + [.key("name")])
      return nil
    }
    let serviceNode = node["service"]
    if let serviceNode, serviceNode.string?.isEmpty != false {
      context.error(
        RuleCode.emptyHost, "backend `\(name)` names an empty Service: its destination host would be empty",
        at: serviceNode, path: path + [.key("service")], hint: "name an existing Service, or use `selector`")
    }
    return TrafficSplitModel.Backend(
      name: name, selector: node["selector"]?.mapping, service: serviceNode?.string, weight: node["weight"]?.int ?? 0,
      index: index, node: node)
  }

  private static func readMatch(
    _ node: Node, index: Int, names: [String], _ context: inout RenderContext
  ) -> TrafficSplitModel.Match? {
    let path: [PathComponent] = [.key("spec"), .key("match"), .index(index), .key("backend")]
    let backendNode = node["backend"]
    let backend = backendNode?.string ?? ""
    guard names.contains(backend) else {
      context.error(
        RuleCode.matchBackend, "match names backend `\(backend)`, which is not in `backends`", at: backendNode ?? node,
        path: path, hint: "use one of \(names.map { "`\($0)`" }.joined(separator: ", "))")
      return nil
    }
    var headers: [TrafficSplitModel.HeaderMatch] = []
    for entry in node["headers"]?.mapping ?? [] {
      guard let operation = entry.value.mapping?.first, let value = operation.value.scalar?.text else { continue }
      headers.append(TrafficSplitModel.HeaderMatch(name: entry.key, op: operation.key, value: value))
    }
    var pathMatch: (op: String, value: String)?
    if let operation = node["path"]?.mapping?.first, let value = operation.value.string {
      pathMatch = (operation.key, value)
    }
    return TrafficSplitModel.Match(headers: headers, path: pathMatch, backend: backend, index: index)
  }

  /// The `meshctl.io/backends` annotation: every backend as written (without its weight, which
  /// the route holds) and what it became, so `get` can rebuild the TrafficSplit from the cluster.
  static func backendsAnnotation(_ model: TrafficSplitModel, target: (TrafficSplitModel.Backend) -> MappingEntry)
    -> MappingEntry
  {
    let items: [Node] = model.backends.map { backend in
      var entries = [MappingEntry(key: "name", value: .string(backend.name))]
      if let selector = backend.selector { entries.append(MappingEntry(key: "selector", value: .mapping(selector))) }
      if let service = backend.service { entries.append(MappingEntry(key: "service", value: .string(service))) }
      entries.append(target(backend))
      return .mapping(entries)
    }
    return MappingEntry(key: Annotations.backends, value: .string(JSONEmitter.emit(.sequence(items), pretty: false)))
  }

  /// The routing object's annotations: the backends, and `meshctl.io/analysis` (a JSON array
  /// of the specs) when the TrafficSplit has a `spec.analysis`.
  static func routeAnnotations(_ model: TrafficSplitModel, backends: MappingEntry) -> [MappingEntry] {
    guard !model.analysis.isEmpty else { return [backends] }
    let specs = Node.sequence(model.analysis.map { .string($0) })
    return [backends, MappingEntry(key: Annotations.analysis, value: .string(JSONEmitter.emit(specs, pretty: false)))]
  }
}

/// Istio: a DestinationRule with one subset per selector backend, and a VirtualService with the
/// match routes first, then the weighted default route. Hosts are short Service names, as
/// upstream bookinfo writes them; Istio resolves them in the VirtualService's namespace, which
/// is the TrafficSplit's.
enum IstioRouteRendering {
  static let apiVersion = "networking.istio.io/v1"

  static func render(_ model: TrafficSplitModel, _ context: inout RenderContext) -> [Node] {
    let annotation = TrafficSplitRendering.backendsAnnotation(model) { backend in
      backend.service == nil
        ? MappingEntry(key: "subset", value: .string(backend.name))
        : MappingEntry(key: "host", value: .string(backend.service!))
    }
    var objects: [Node] = []
    let subsets: [Node] = model.backends.compactMap { backend in
      guard let selector = backend.selector else { return nil }
      return .mapping(["name": .string(backend.name), "labels": .mapping(selector)])
    }
    // Service backends need no subset: with none at all there is no DestinationRule.
    if !subsets.isEmpty {
      objects.append(
        context.object(
          apiVersion: apiVersion, kind: "DestinationRule", name: context.name, annotations: [annotation],
          spec: .mapping(["host": .string(model.service), "subsets": .sequence(subsets)])))
    }
    objects.append(
      context.object(
        apiVersion: apiVersion, kind: "VirtualService", name: context.name,
        annotations: TrafficSplitRendering.routeAnnotations(model, backends: annotation),
        spec: .mapping(["hosts": .sequence([.string(model.service)]), "http": .sequence(httpRoutes(model))])))
    return objects
  }

  /// One route per match, to its backend alone (Istio takes the first route that matches), then
  /// the weighted route over every backend.
  static func httpRoutes(_ model: TrafficSplitModel) -> [Node] {
    var routes: [Node] = model.matches.map { match in
      .mapping([
        "match": .sequence([matchRequest(match)]),
        "route": .sequence([.mapping(["destination": destination(model.backend(named: match.backend)!, model)])]),
      ])
    }
    let weighted: [Node] = model.backends.map { backend in
      .mapping(["destination": destination(backend, model), "weight": .int(backend.weight)])
    }
    routes.append(.mapping(["route": .sequence(weighted)]))
    return routes
  }

  /// A route destination: the split Service's subset, or another Service; the port when the
  /// split names one (needed when the Service has several).
  static func destination(_ backend: TrafficSplitModel.Backend, _ model: TrafficSplitModel) -> Node {
    var entries = [MappingEntry(key: "host", value: .string(backend.service ?? model.service))]
    if backend.service == nil { entries.append(MappingEntry(key: "subset", value: .string(backend.name))) }
    if let port = model.port { entries.append(MappingEntry(key: "port", value: .mapping(["number": .int(port)]))) }
    return .mapping(entries)
  }

  /// An HTTPMatchRequest: the headers and the path of one TrafficSplit match (ANDed, as in the
  /// TrafficSplit). Istio's StringMatch has the same `exact`/`prefix`/`regex` as meshctl's.
  static func matchRequest(_ match: TrafficSplitModel.Match) -> Node {
    var entries: [MappingEntry] = []
    if !match.headers.isEmpty {
      let headers = match.headers.map { MappingEntry(key: $0.name, value: .mapping([$0.op: .string($0.value)])) }
      entries.append(MappingEntry(key: "headers", value: .mapping(headers)))
    }
    if let path = match.path {
      entries.append(MappingEntry(key: "uri", value: .mapping([path.op: .string(path.value)])))
    }
    return .mapping(entries)
  }
}
