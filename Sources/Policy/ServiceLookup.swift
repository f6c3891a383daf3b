import Manifest
import MeshSchema

/// What rendering needs to know about a Service: its selector and ports.
public struct ServiceFacts: Sendable, Hashable {
  /// The Service's name.
  public var name: String
  /// Its namespace; nil when the manifest leaves it unset.
  public var namespace: String?
  /// `spec.selector`, in its written order; empty for a Service without a selector.
  public var selector: [MappingEntry]
  /// `spec.ports`, as written (each a mapping with `port`, maybe `name`, `targetPort`, ...).
  public var ports: [Node]

  /// Creates facts about a Service.
  public init(name: String, namespace: String? = nil, selector: [MappingEntry], ports: [Node]) {
    self.name = name
    self.namespace = namespace
    self.selector = selector
    self.ports = ports
  }

  /// The port numbers of `ports`.
  public var portNumbers: [Int] { ports.compactMap { $0["port"]?.int } }
}

/// Where rendering looks up the objects a policy refers to. The command line backs it with the
/// input documents (offline); a later cluster-backed one answers from the API.
public protocol ServiceLookup: Sendable {
  /// The Service `name` in `namespace` (nil: the namespace is unknown, any matches).
  func service(namespace: String?, name: String) -> ServiceFacts?
  /// The container ports of the pod templates in `namespace` whose labels include
  /// `matchLabels`; nil when no pod template matches.
  func containerPorts(namespace: String?, matchLabels: [String: String]) -> [Int]?
}

/// A lookup over manifests: the Services and pod templates of the input.
public struct ManifestLookup: ServiceLookup {
  struct Workload: Sendable {
    var namespace: String?
    var labels: [String: String]
    var ports: [Int]
  }

  private var services: [ServiceFacts] = []
  private var workloads: [Workload] = []

  /// Creates an empty lookup (it knows nothing: every lookup answers nil).
  public init() {}

  /// Creates a lookup over objects.
  public init(objects: [ManifestObject]) {
    for object in objects { add(object.node) }
  }

  /// Records the Services and pod templates of a document.
  public mutating func add(_ document: Document) {
    for object in document.objects { add(object.node) }
  }

  /// Records one object, if it is a Service or a workload.
  public mutating func add(_ node: Node) {
    guard let kind = node["kind"]?.string, let name = node[path: "metadata", "name"]?.string else { return }
    let namespace = node[path: "metadata", "namespace"]?.string
    if kind == "Service", node["apiVersion"]?.string == "v1" {
      services.append(
        ServiceFacts(
          name: name, namespace: namespace, selector: node[path: "spec", "selector"]?.mapping ?? [],
          ports: node[path: "spec", "ports"]?.sequence ?? []))
    } else if let templatePath = WorkloadKinds.templatePath(kind: kind) {
      addWorkload(node, templatePath: templatePath, namespace: namespace)
    }
  }

  private mutating func addWorkload(_ node: Node, templatePath: [String], namespace: String?) {
    // `spec.template` (a Pod is its own template): its labels and its pod spec.
    let template = node.value(at: templatePath)
    let labels = template?[path: "metadata", "labels"].stringMap ?? [:]
    let podSpec = template?["spec"]
    var ports: [Int] = []
    for container in podSpec?["containers"]?.sequence ?? [] {
      for port in container["ports"]?.sequence ?? [] {
        if let number = port["containerPort"]?.int, !ports.contains(number) { ports.append(number) }
      }
    }
    workloads.append(Workload(namespace: namespace, labels: labels, ports: ports))
  }

  public func service(namespace: String?, name: String) -> ServiceFacts? {
    services.first { $0.name == name && Self.sameNamespace($0.namespace, namespace) }
  }

  public func containerPorts(namespace: String?, matchLabels: [String: String]) -> [Int]? {
    let matching = workloads.filter { workload in
      Self.sameNamespace(workload.namespace, namespace)
        && matchLabels.allSatisfy { workload.labels[$0.key] == $0.value }
    }
    guard !matching.isEmpty else { return nil }
    var ports: [Int] = []
    for workload in matching {
      for port in workload.ports where !ports.contains(port) { ports.append(port) }
    }
    return ports.sorted()
  }

  /// An unset namespace lands wherever the command runs, so it matches any namespace (as the
  /// cross-document analysis treats references).
  static func sameNamespace(_ a: String?, _ b: String?) -> Bool {
    a == nil || b == nil || a == b
  }
}
