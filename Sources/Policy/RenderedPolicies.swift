import Manifest

/// meshctl's policies read back from the objects they were rendered to, using only those
/// objects and their annotations (docs/policies.md): what `get` and `shift` work from, so the
/// cluster needs no CRDs of meshctl's.
public enum RenderedPolicies {
  /// The TrafficSplit a routing object (VirtualService or HTTPRoute) was rendered from, with the
  /// weights the route has now; nil when the object is not one meshctl rendered.
  public static func trafficSplit(fromRoute route: Node) -> Node? {
    guard let source = route[path: "metadata", "annotations", Annotations.source]?.string,
      let origin = Annotations.parseSource(source), origin.kind == "TrafficSplit",
      let spec = trafficSplitSpec(fromRoute: route)
    else { return nil }
    var metadata = [MappingEntry(key: "name", value: .string(origin.name))]
    if let namespace = origin.namespace { metadata.append(MappingEntry(key: "namespace", value: .string(namespace))) }
    return .mapping([
      "apiVersion": .string("meshctl.io/v1alpha1"), "kind": .string("TrafficSplit"), "metadata": .mapping(metadata),
      "spec": spec,
    ])
  }

  /// The spec of the TrafficSplit a routing object was rendered from.
  public static func trafficSplitSpec(fromRoute route: Node) -> Node? {
    guard let annotation = route[path: "metadata", "annotations", Annotations.backends]?.string,
      let backends = Node.parse(annotation)?.sequence
    else { return nil }
    let shape = RouteShape(route)
    var spec = shape.serviceAndPort
    spec.append(MappingEntry(key: "backends", value: .sequence(shape.backends(backends))))
    let matches = shape.matches(backends)
    if !matches.isEmpty { spec.append(MappingEntry(key: "match", value: .sequence(matches))) }
    if let text = route[path: "metadata", "annotations", Annotations.analysis]?.string,
      let specs = Node.parse(text)?.sequence, !specs.isEmpty
    {
      spec.append(MappingEntry(key: "analysis", value: .sequence(specs)))
    }
    return .mapping(spec)
  }

  /// The MTLSPolicy an object carrying `meshctl.io/mtls` was rendered from.
  public static func mtlsPolicy(from object: Node) -> Node? {
    guard let annotations = object[path: "metadata", "annotations"],
      let source = annotations[Annotations.source]?.string, let origin = Annotations.parseSource(source),
      origin.kind == "MTLSPolicy", let specText = annotations[Annotations.mtls]?.string,
      let spec = Node.parse(specText), spec.mapping != nil
    else { return nil }
    var metadata = [MappingEntry(key: "name", value: .string(origin.name))]
    if let namespace = origin.namespace { metadata.append(MappingEntry(key: "namespace", value: .string(namespace))) }
    return .mapping([
      "apiVersion": .string("meshctl.io/v1alpha1"), "kind": .string("MTLSPolicy"), "metadata": .mapping(metadata),
      "spec": spec,
    ])
  }
}

/// The parts of a VirtualService or HTTPRoute that a TrafficSplit became.
private struct RouteShape {
  let route: Node
  let isIstio: Bool
  /// The match rules first, the weighted default rule last (as rendering writes them).
  let rules: [Node]

  init(_ route: Node) {
    self.route = route
    isIstio = route["kind"]?.string == "VirtualService"
    rules = (isIstio ? route[path: "spec", "http"] : route[path: "spec", "rules"])?.sequence ?? []
  }

  /// The weighted targets of the default rule: Istio destinations or Gateway API backendRefs.
  var defaultTargets: [(target: Node, weight: Node?)] {
    if isIstio {
      return (rules.last?["route"]?.sequence ?? []).compactMap { entry in
        entry["destination"].map { ($0, entry["weight"]) }
      }
    }
    return (rules.last?["backendRefs"]?.sequence ?? []).map { ($0, $0["weight"]) }
  }

  var serviceAndPort: [MappingEntry] {
    if isIstio {
      var entries = [MappingEntry(key: "service", value: route[path: "spec", "hosts"]?.sequence?.first ?? .null)]
      if let port = defaultTargets.first?.target[path: "port", "number"] {
        entries.append(MappingEntry(key: "port", value: port))
      }
      return entries
    }
    let parent = route[path: "spec", "parentRefs"]?.sequence?.first
    var entries = [MappingEntry(key: "service", value: parent?["name"] ?? .null)]
    if let port = parent?["port"] { entries.append(MappingEntry(key: "port", value: port)) }
    return entries
  }

  /// The backend a route target stands for, by the annotation's `subset`, `host` or `backendRef`.
  func backendName(_ target: Node, among backends: [Node]) -> String? {
    backends.first { backend in
      if isIstio {
        if let subset = backend["subset"] { return subset == target["subset"] }
        return backend["host"] != nil && backend["host"] == target["host"] && target["subset"] == nil
      }
      return backend["backendRef"] != nil && backend["backendRef"] == target["name"]
    }?["name"]?.string
  }

  /// The backends as written, each with its current weight (0 when the route has none for it).
  func backends(_ annotated: [Node]) -> [Node] {
    var weights: [String: Node] = [:]
    for (target, weight) in defaultTargets {
      if let name = backendName(target, among: annotated) { weights[name] = weight ?? .int(100) }
    }
    return annotated.map { backend in
      var entries = (backend.mapping ?? []).filter { ["name", "selector", "service"].contains($0.key) }
      entries.append(MappingEntry(key: "weight", value: weights[backend["name"]?.string ?? ""] ?? .int(0)))
      return .mapping(entries)
    }
  }

  /// The header and path matches, each with the backend it sends to.
  func matches(_ annotated: [Node]) -> [Node] {
    rules.dropLast().compactMap { rule in
      var entries: [MappingEntry] = []
      let target: Node?
      if isIstio {
        let request = rule["match"]?.sequence?.first ?? .null
        if let headers = request["headers"] { entries.append(MappingEntry(key: "headers", value: headers)) }
        if let uri = request["uri"] { entries.append(MappingEntry(key: "path", value: uri)) }
        target = rule["route"]?.sequence?.first?["destination"]
      } else {
        let request = rule["matches"]?.sequence?.first ?? .null
        if let headers = request["headers"]?.sequence {
          entries.append(MappingEntry(key: "headers", value: Self.headerMap(headers)))
        }
        if let path = request["path"] { entries.append(MappingEntry(key: "path", value: Self.stringMatch(path))) }
        target = rule["backendRefs"]?.sequence?.first
      }
      guard let target, let name = backendName(target, among: annotated) else { return nil }
      entries.append(MappingEntry(key: "backend", value: .string(name)))
      return .mapping(entries)
    }
  }

  /// Gateway API header matches (`[{name, value, type}]`) as a TrafficSplit's header map.
  static func headerMap(_ headers: [Node]) -> Node {
    .mapping(
      headers.compactMap { header in
        header["name"]?.string.map { MappingEntry(key: $0, value: stringMatch(header)) }
      })
  }

  /// `{type, value}` as `{exact|prefix|regex: value}`.
  static func stringMatch(_ match: Node) -> Node {
    let key: String
    switch match["type"]?.string {
    case "PathPrefix": key = "prefix"
    case "RegularExpression": key = "regex"
    default: key = "exact"
    }
    return .mapping([MappingEntry(key: key, value: match["value"] ?? .string(""))])
  }
}
