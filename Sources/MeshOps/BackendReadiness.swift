import KubeClient
import Manifest
import MeshSchema
import Policy

/// A TrafficSplit backend that would get traffic (weight above 0) and has nothing ready to
/// serve it.
public struct EmptyBackend: Sendable, Equatable, CustomStringConvertible {
  /// The TrafficSplit's namespace.
  public var namespace: String
  /// The TrafficSplit's name.
  public var trafficSplit: String
  /// The backend's name.
  public var backend: String
  /// What the backend routes to: `selector version=v3` or `service cart-v3`.
  public var target: String
  /// The weight it would get (0 for a backend that only a match route sends requests to).
  public var weight: Int
  /// What is missing: `no ready pods: 0 of 2 pods matching app=cart,version=v3 are ready`.
  public var missing: String
  /// Whether what would serve it comes from the same input (a workload, a Service) and cannot
  /// be ready before that input is applied: a warning rather than a refusal.
  public var pending: Bool

  /// Creates a finding.
  public init(
    namespace: String, trafficSplit: String, backend: String, target: String, weight: Int, missing: String,
    pending: Bool = false
  ) {
    self.namespace = namespace
    self.trafficSplit = trafficSplit
    self.backend = backend
    self.target = target
    self.weight = weight
    self.missing = missing
    self.pending = pending
  }

  /// `backend v3 (selector version=v3) has no ready pods: 0 of 2 pods matching ... are ready`.
  public var description: String { "backend \(backend) (\(target)) has \(missing)" }

  /// `TrafficSplit team/cart: backend v3 (...) has ...`, for commands that handle several splits.
  public var qualifiedDescription: String { "TrafficSplit \(namespace)/\(trafficSplit): \(description)" }
}

/// The ready-endpoint guard (docs/policies.md, "Guards"): no backend gets a weight above 0
/// unless something ready can serve it. A `selector` backend needs ready Pods matching the
/// parent Service's selector plus its own; a `service` backend needs an EndpointSlice endpoint
/// that is ready (or, when the Service has no EndpointSlices, ready Pods matching its
/// selector). Reads one list per namespace and kind, whatever the number of splits.
public enum BackendReadiness {
  /// One TrafficSplit to check, with the weights it will get.
  public struct Check: Sendable {
    /// The `meshctl.io/v1alpha1` TrafficSplit.
    public var trafficSplit: Node
    /// The weights it will get by backend name; a backend not named keeps the TrafficSplit's.
    public var weights: [(name: String, weight: Int)]
    /// Its namespace (the TrafficSplit's own when set wins).
    public var namespace: String

    /// A check of `trafficSplit` with `weights` (empty: its own).
    public init(trafficSplit: Node, weights: [(name: String, weight: Int)] = [], namespace: String) {
      self.trafficSplit = trafficSplit
      self.weights = weights
      self.namespace = namespace
    }
  }

  /// The backends of `trafficSplit` that `weights` give traffic and that have no ready
  /// endpoints (for `shift`: the weights it is about to write).
  public static func emptyBackends(
    trafficSplit: Node, weights: [(name: String, weight: Int)], namespace: String, api: KubeAPI
  ) async throws -> [EmptyBackend] {
    try await emptyBackends([Check(trafficSplit: trafficSplit, weights: weights, namespace: namespace)], api: api)
  }

  /// The empty backends of every check, in check and backend order. `incoming` are objects of
  /// the same input that are not in the cluster yet (Services, workloads): their Services are
  /// used instead of the cluster's, and a backend only their pods would serve is `pending`.
  public static func emptyBackends(_ checks: [Check], api: KubeAPI, incoming: [Node] = []) async throws
    -> [EmptyBackend]
  {
    try await check(checks, api: api, incoming: incoming).emptyBackends
  }

  /// What a check found: the empty backends, and the namespaces it could not check.
  public struct Outcome: Sendable {
    /// The empty backends, in check and backend order.
    public var emptyBackends: [EmptyBackend]
    /// `cannot list pods in namespace shop (forbidden): ...`.
    public var warnings: [String]
  }

  /// `emptyBackends(_:api:incoming:)`, and what could not be read: a namespace whose Pods or
  /// Services the user may not list is not checked (a warning says so) rather than failing.
  public static func check(_ checks: [Check], api: KubeAPI, incoming: [Node] = []) async throws -> Outcome {
    let splits = checks.map { Split(check: $0, defaultNamespace: api.defaultNamespace) }
    let wanted = Dictionary(grouping: splits.filter { !$0.weighted.isEmpty }, by: \.namespace).mapValues { group in
      group.contains { split in split.weighted.contains { $0.service != nil } }
    }
    let states = try await read(wanted, api: api)
    let pending = Incoming(incoming, defaultNamespace: api.defaultNamespace)
    let empty = splits.flatMap { split -> [EmptyBackend] in
      guard let state = states[split.namespace], state.forbidden == nil else { return [] }
      return split.weighted.compactMap { examine($0, of: split, state: state, incoming: pending) }
    }
    let warnings = states.keys.sorted().compactMap { namespace in
      states[namespace]?.forbidden.map {
        "cannot list \($0) in namespace \(namespace) (forbidden): the backends of its TrafficSplits were not "
          + "checked for ready endpoints"
      }
    }
    return Outcome(emptyBackends: empty, warnings: warnings)
  }

  // MARK: Reading

  /// What one namespace holds: Services by name, Pods, EndpointSlices.
  struct NamespaceState: Sendable {
    var services: [String: Node] = [:]
    var pods: [Node] = []
    var slices: [Node] = []
    /// What the user may not list there (`pods`, `services`): nothing is decided then.
    var forbidden: String?
  }

  /// Lists Services and Pods of every namespace, and EndpointSlices where a service backend
  /// needs them, all at once.
  static func read(_ namespaces: [String: Bool], api: KubeAPI) async throws -> [String: NamespaceState] {
    enum Part: Sendable {
      case services(String, [Node])
      case pods(String, [Node])
      case slices(String, [Node])
      case forbidden(String, String)
    }
    /// The list, or nil when the user may not list it.
    @Sendable func listed(_ resource: APIResource, _ namespace: String) async throws -> [Node]? {
      do {
        return try await api.list(resource, namespace: namespace)
      } catch let error as APIError where error.httpStatus == 403 {
        return nil
      }
    }
    return try await withThrowingTaskGroup(of: Part.self) { group in
      for (namespace, needsSlices) in namespaces {
        group.addTask {
          let resource = try await api.resource(apiVersion: "v1", kind: "Service")
          guard let items = try await listed(resource, namespace) else { return .forbidden(namespace, "services") }
          return .services(namespace, items)
        }
        group.addTask {
          let resource = try await api.resource(apiVersion: "v1", kind: "Pod")
          guard let items = try await listed(resource, namespace) else { return .forbidden(namespace, "pods") }
          return .pods(namespace, items)
        }
        if needsSlices {
          group.addTask {
            // A server without the discovery API (very old, or a stand-in), or slices the user
            // may not list: the Services' selectors and the Pods decide.
            guard
              let resource = try await api.resources(groupVersion: "discovery.k8s.io/v1").first(where: {
                $0.kind == "EndpointSlice"
              })
            else { return .slices(namespace, []) }
            return .slices(namespace, try await listed(resource, namespace) ?? [])
          }
        }
      }
      var states: [String: NamespaceState] = [:]
      for namespace in namespaces.keys { states[namespace] = NamespaceState() }
      for try await part in group {
        switch part {
        case .services(let namespace, let items):
          for item in items {
            if let name = item[path: "metadata", "name"]?.string { states[namespace]?.services[name] = item }
          }
        case .pods(let namespace, let items): states[namespace]?.pods = items
        case .slices(let namespace, let items): states[namespace]?.slices = items
        case .forbidden(let namespace, let what):
          let earlier = states[namespace]?.forbidden
          states[namespace]?.forbidden = [earlier, what].compactMap { $0 }.joined(separator: " and ")
        }
      }
      return states
    }
  }

  // MARK: Deciding

  /// A backend as the guard sees it.
  struct Backend: Sendable {
    var name: String
    var selector: [(key: String, value: String)]
    var service: String?
    var weight: Int
  }

  /// A TrafficSplit read for the guard: its Service and the backends with weight above 0.
  struct Split: Sendable {
    var name: String
    var namespace: String
    var service: String
    var weighted: [Backend]

    init(check: Check, defaultNamespace: String) {
      let node = check.trafficSplit
      name = node[path: "metadata", "name"]?.string ?? ""
      namespace = node[path: "metadata", "namespace"]?.string ?? check.namespace
      service = node[path: "spec", "service"]?.string ?? ""
      let given = Dictionary(check.weights.map { ($0.name, $0.weight) }, uniquingKeysWith: { _, last in last })
      // A match route sends its requests to its backend whatever the weights say.
      let matched = Set((node[path: "spec", "match"]?.sequence ?? []).compactMap { $0["backend"]?.string })
      weighted = (node[path: "spec", "backends"]?.sequence ?? []).compactMap { entry -> Backend? in
        guard let name = entry["name"]?.string else { return nil }
        let weight = given[name] ?? entry["weight"]?.int ?? 0
        guard weight > 0 || matched.contains(name) else { return nil }
        let selector = (entry["selector"]?.mapping ?? []).compactMap { item in
          item.value.stringMapValue.map { (key: item.key, value: $0) }
        }
        return Backend(name: name, selector: selector, service: entry["service"]?.string, weight: weight)
      }
    }
  }

  /// The input's objects that the cluster does not have yet.
  struct Incoming: Sendable {
    /// Services by namespace and name.
    var services: [String: [String: Node]] = [:]
    /// Workloads: namespace, `deployment/web`, pod template labels.
    var workloads: [(namespace: String, reference: String, labels: [String: String])] = []

    init(_ nodes: [Node], defaultNamespace: String) {
      for node in nodes {
        guard let kind = node["kind"]?.string, let name = node[path: "metadata", "name"]?.string else { continue }
        let namespace = node[path: "metadata", "namespace"]?.string ?? defaultNamespace
        if kind == "Service", node["apiVersion"]?.string == "v1" {
          services[namespace, default: [:]][name] = node
        } else if let path = WorkloadKinds.templatePath(kind: kind) {
          let labels = node.value(at: path + ["metadata", "labels"]).stringMap
          workloads.append((namespace, "\(kind.lowercased())/\(name)", labels))
        }
      }
    }

    /// The input's workloads in `namespace` whose pods `selector` picks.
    func workloads(in namespace: String, matching selector: [String: String]) -> [String] {
      workloads.filter { $0.namespace == namespace && LabelMatch.matches(selector, $0.labels) }.map(\.reference)
    }
  }

  static func examine(_ backend: Backend, of split: Split, state: NamespaceState, incoming: Incoming) -> EmptyBackend? {
    func service(_ name: String) -> Node? { incoming.services[split.namespace]?[name] ?? state.services[name] }
    func finding(_ target: String, _ missing: String, pending: Bool) -> EmptyBackend {
      EmptyBackend(
        namespace: split.namespace, trafficSplit: split.name, backend: backend.name, target: target,
        weight: backend.weight, missing: missing, pending: pending)
    }
    if let name = backend.service {
      let target = "service \(name)"
      let slices = state.slices.filter {
        $0[path: "metadata", "labels"].stringMap["kubernetes.io/service-name"] == name
      }
      if !slices.isEmpty {
        let endpoints = slices.flatMap { $0["endpoints"]?.sequence ?? [] }
        if endpoints.contains(where: endpointReady) { return nil }
        let count = slices.count == 1 ? "its EndpointSlice lists" : "its \(slices.count) EndpointSlices list"
        return finding(
          target,
          "no ready endpoints: \(count) \(endpoints.count) endpoint\(endpoints.count == 1 ? "" : "s"), none ready",
          pending: false)
      }
      guard let serviceNode = service(name) else {
        return finding(target, "no endpoints: Service \(name) does not exist", pending: false)
      }
      let selector =
        serviceNode[path: "spec", "selector"]?.mapping?.compactMap { item in
          item.value.stringMapValue.map { (key: item.key, value: $0) }
        } ?? []
      guard !selector.isEmpty else {
        return finding(
          target, "no ready endpoints: Service \(name) has no selector and no EndpointSlices", pending: false)
      }
      return podFinding(selector, namespace: split.namespace, state: state, incoming: incoming) {
        finding(target, $0, pending: $1)
      }
    }
    let parent =
      service(split.service)?[path: "spec", "selector"]?.mapping?.compactMap { item in
        item.value.stringMapValue.map { (key: item.key, value: $0) }
      } ?? []
    var selector = parent.filter { entry in !backend.selector.contains { $0.key == entry.key } }
    selector += backend.selector
    let target = "selector " + text(backend.selector)
    return podFinding(selector, namespace: split.namespace, state: state, incoming: incoming) {
      finding(target, $0, pending: $1)
    }
  }

  /// Nil when a ready pod matches `selector`; else what is missing, and whether workloads of
  /// the input would bring the pods.
  static func podFinding(
    _ selector: [(key: String, value: String)], namespace: String, state: NamespaceState, incoming: Incoming,
    _ make: (String, Bool) -> EmptyBackend
  ) -> EmptyBackend? {
    let labels = Dictionary(selector.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    let matching = state.pods.filter { LabelMatch.matches(labels, $0[path: "metadata", "labels"].stringMap) }
    let ready = matching.filter(podReady).count
    guard ready == 0 else { return nil }
    let pending = incoming.workloads(in: namespace, matching: labels)
    if !pending.isEmpty {
      return make(
        "no ready pods yet: the input creates \(pending.joined(separator: ", ")) (pods matching \(text(selector)))",
        true)
    }
    let noun = matching.count == 1 ? "pod" : "pods"
    let verb = matching.count == 1 ? "is" : "are"
    return make(
      "no ready pods: \(ready) of \(matching.count) \(noun) matching \(text(selector)) \(verb) ready", false)
  }

  /// A pod counts when its `Ready` condition is `True` and it is not being deleted.
  public static func podReady(_ pod: Node) -> Bool {
    guard pod[path: "metadata", "deletionTimestamp"] == nil else { return false }
    let conditions = pod[path: "status", "conditions"]?.sequence ?? []
    return conditions.contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
  }

  /// An EndpointSlice endpoint counts when `conditions.ready` is true or unset (the API says
  /// an unset condition means ready) and it is not terminating.
  public static func endpointReady(_ endpoint: Node) -> Bool {
    let conditions = endpoint["conditions"]
    if conditions?["terminating"]?.bool == true { return false }
    return conditions?["ready"]?.bool ?? true
  }

  /// `app=cart,version=v3`.
  static func text(_ selector: [(key: String, value: String)]) -> String {
    selector.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }
}
