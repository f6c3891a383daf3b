import Manifest
import MeshSchema

/// Gateway API (GAMMA): an HTTPRoute whose parent is the split Service, with weighted
/// `backendRefs`. Selector backends become per-backend Services `<service>-<backend>` selecting
/// the parent's pods that also carry the backend's labels, with the parent's ports.
enum GatewayRouteRendering {
  static let apiVersion = "gateway.networking.k8s.io/v1"

  static func render(_ model: TrafficSplitModel, _ context: inout RenderContext, lookup: some ServiceLookup) -> [Node] {
    let parent = lookup.service(namespace: context.namespace, name: model.service)
    var services: [Node] = []
    var refs: [String: Node] = [:]
    for backend in model.backends {
      let path: [PathComponent] = [.key("spec"), .key("backends"), .index(backend.index)]
      if let selector = backend.selector {
        guard let service = backendService(backend, selector: selector, parent: parent, model, &context, path: path)
        else {
          continue
        }
        services.append(service.object)
        refs[backend.name] = backendRef(name: service.name, port: service.port)
      } else if let name = backend.service {
        guard let port = servicePort(name, backend, model, parent: parent, lookup: lookup, &context, path: path) else {
          continue
        }
        refs[backend.name] = backendRef(name: name, port: port)
      }
    }
    guard !context.hasErrors else { return [] }
    let annotation = TrafficSplitRendering.backendsAnnotation(model) { backend in
      MappingEntry(key: "backendRef", value: .string(backend.service ?? perBackendName(model, backend)))
    }
    let route = context.object(
      apiVersion: apiVersion, kind: "HTTPRoute", name: context.name,
      annotations: TrafficSplitRendering.routeAnnotations(model, backends: annotation),
      spec: .mapping([
        "parentRefs": .sequence([parentRef(model, parent: parent)]), "rules": .sequence(rules(model, refs: refs)),
      ]))
    return services + [route]
  }

  /// The split Service as the route's parent (GAMMA: core group, kind Service). A parent port
  /// keeps the route on the port the split is about; a Service with one port gets it written
  /// out, as upstream examples do (without a port the route attaches to every port).
  static func parentRef(_ model: TrafficSplitModel, parent: ServiceFacts?) -> Node {
    var entries: [MappingEntry] = [
      MappingEntry(key: "group", value: .string("")), MappingEntry(key: "kind", value: .string("Service")),
      MappingEntry(key: "name", value: .string(model.service)),
    ]
    if let port = model.port ?? (parent?.portNumbers.count == 1 ? parent?.portNumbers[0] : nil) {
      entries.append(MappingEntry(key: "port", value: .int(port)))
    }
    return .mapping(entries)
  }

  /// One rule per match, to its backend alone, then the weighted rule over every backend.
  static func rules(_ model: TrafficSplitModel, refs: [String: Node]) -> [Node] {
    var rules: [Node] = model.matches.map { match in
      .mapping(["matches": .sequence([routeMatch(match)]), "backendRefs": .sequence([refs[match.backend]!])])
    }
    let weighted: [Node] = model.backends.map { backend in
      var ref = refs[backend.name]!
      ref["weight"] = .int(backend.weight)
      return ref
    }
    rules.append(.mapping(["backendRefs": .sequence(weighted)]))
    return rules
  }

  static func perBackendName(_ model: TrafficSplitModel, _ backend: TrafficSplitModel.Backend) -> String {
    "\(model.service)-\(backend.name)"
  }

  static func backendRef(name: String, port: Int) -> Node {
    .mapping(["name": .string(name), "port": .int(port)])
  }

  /// The per-backend Service of a selector backend; nil (with an error) when the parent Service
  /// is unknown, selects nothing, or its port is ambiguous.
  static func backendService(
    _ backend: TrafficSplitModel.Backend, selector: [MappingEntry], parent: ServiceFacts?, _ model: TrafficSplitModel,
    _ context: inout RenderContext, path: [PathComponent]
  ) -> (object: Node, name: String, port: Int)? {
    guard let parent, !parent.selector.isEmpty, !parent.ports.isEmpty else {
      let what = parent == nil ? "is not known (not in the input)" : "has no selector or no ports"
      context.error(
        RuleCode.serviceUnknown,
        "backend `\(backend.name)`: Service `\(model.service)` \(what), so its per-backend Service cannot be written",
        at: backend.node["selector"], path: path + [.key("selector")],
        hint: "render with the Service's manifest in the input (-f service.yaml), or use a `service` backend")
      return nil
    }
    guard let port = model.port ?? (parent.portNumbers.count == 1 ? parent.portNumbers[0] : nil) else {
      context.error(
        RuleCode.serviceUnknown, "Service `\(model.service)` has several ports and the TrafficSplit names none",
        at: context.spec, path: [.key("spec")], hint: "set `spec.port` to one of \(parent.portNumbers)")
      return nil
    }
    let name = perBackendName(model, backend)
    context.checkName(name, at: backend.node["name"], path: path + [.key("name")])
    var merged = parent.selector
    for entry in selector {
      if let index = merged.firstIndex(where: { $0.key == entry.key }) {
        merged[index].value = entry.value
      } else {
        merged.append(entry)
      }
    }
    let ports: [Node] = parent.ports.map { port in
      .mapping(
        (port.mapping ?? []).filter { ["name", "protocol", "appProtocol", "port", "targetPort"].contains($0.key) })
    }
    let object = context.object(
      apiVersion: "v1", kind: "Service", name: name,
      annotations: [MappingEntry(key: Annotations.backend, value: .string(backend.name))],
      spec: .mapping(["selector": .mapping(merged), "ports": .sequence(ports)]))
    return (object, name, port)
  }

  /// The port of a service backend: the split's port when that Service has it, else its only
  /// port, else (unknown Service) the split's or the parent's port.
  static func servicePort(
    _ name: String, _ backend: TrafficSplitModel.Backend, _ model: TrafficSplitModel, parent: ServiceFacts?,
    lookup: some ServiceLookup,
    _ context: inout RenderContext, path: [PathComponent]
  ) -> Int? {
    let facts = lookup.service(namespace: context.namespace, name: name)
    if let facts, !facts.portNumbers.isEmpty {
      if let port = model.port, facts.portNumbers.contains(port) { return port }
      if facts.portNumbers.count == 1 { return facts.portNumbers[0] }
    } else if let port = model.port ?? (parent?.portNumbers.count == 1 ? parent?.portNumbers[0] : nil) {
      return port
    }
    context.error(
      RuleCode.serviceUnknown, "cannot tell which port of Service `\(name)` to route to", at: backend.node["service"],
      path: path + [.key("service")], hint: "set `spec.port`, or render with the Service's manifest in the input")
    return nil
  }

  /// An HTTPRouteMatch. Gateway API header matches are `Exact` or `RegularExpression`: a prefix
  /// becomes an anchored expression. A path prefix becomes `PathPrefix`, which matches whole
  /// path segments (`/api` matches `/api/v1`, not `/apiv1`), unlike Istio's string prefix.
  static func routeMatch(_ match: TrafficSplitModel.Match) -> Node {
    var entries: [MappingEntry] = []
    if !match.headers.isEmpty {
      let headers: [Node] = match.headers.map { header in
        let (type, value): (String, String)
        switch header.op {
        case "exact": (type, value) = ("Exact", header.value)
        case "prefix": (type, value) = ("RegularExpression", "^" + escapeRegex(header.value) + ".*")
        default: (type, value) = ("RegularExpression", header.value)
        }
        return .mapping(["type": .string(type), "name": .string(header.name), "value": .string(value)])
      }
      entries.append(MappingEntry(key: "headers", value: .sequence(headers)))
    }
    if let path = match.path {
      let type = path.op == "exact" ? "Exact" : "PathPrefix"
      entries.append(MappingEntry(key: "path", value: .mapping(["type": .string(type), "value": .string(path.value)])))
    }
    return .mapping(entries)
  }

  /// Escapes RE2 metacharacters so a literal prefix matches only itself.
  static func escapeRegex(_ text: String) -> String {
    var out = ""
    for character in text {
      if "\\.^$|?*+()[]{}".contains(character) { out.append("\\") }
      out.append(character)
    }
    return out
  }
}
