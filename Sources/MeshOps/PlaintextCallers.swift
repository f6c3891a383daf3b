import KubeClient
import Manifest
import MeshSchema

/// The workloads whose inbound plaintext traffic `mtls check` looks for: a namespace, or one
/// workload in it.
public struct PlaintextScope: Sendable, Hashable {
  /// The namespace of the destination workloads; nil: every namespace.
  public var namespace: String?
  /// One workload (Istio `destination_workload`, Linkerd `deployment`); nil: every workload.
  public var workload: String?

  /// Creates a scope.
  public init(namespace: String?, workload: String? = nil) {
    self.namespace = namespace
    self.workload = workload
  }
}

/// One caller that reached a workload without mTLS in the window.
public struct PlaintextCaller: Sendable, Hashable, CustomStringConvertible {
  /// The workload that received the traffic.
  public var destinationWorkload: String
  /// Its namespace.
  public var destinationNamespace: String
  /// The calling workload, when the mesh knows it (Istio's `source_workload`, which is
  /// `unknown` for a caller outside the mesh; for Linkerd a meshed caller's `deployment`); nil
  /// when the mesh cannot name it (Linkerd's inbound side sees no identity without TLS).
  public var sourceWorkload: String?
  /// The caller's namespace, when known.
  public var sourceNamespace: String?
  /// Plaintext requests in the window (rounded: `increase` extrapolates).
  public var requests: Int
  /// Plaintext TCP connections opened in the window (Istio only).
  public var connections: Int

  /// Creates a caller.
  public init(
    destinationWorkload: String, destinationNamespace: String, sourceWorkload: String?, sourceNamespace: String?,
    requests: Int, connections: Int = 0
  ) {
    self.destinationWorkload = destinationWorkload
    self.destinationNamespace = destinationNamespace
    self.sourceWorkload = sourceWorkload
    self.sourceNamespace = sourceNamespace
    self.requests = requests
    self.connections = connections
  }

  /// `frontend.shop -> checkout.shop: 12 requests, 3 connections`.
  public var description: String {
    let source =
      sourceWorkload.map { workload in sourceNamespace.map { "\(workload).\($0)" } ?? workload }
      ?? "an unidentified caller"
    var counts = ["\(requests) request\(requests == 1 ? "" : "s")"]
    if connections > 0 { counts.append("\(connections) connection\(connections == 1 ? "" : "s")") }
    return "\(source) -> \(destinationWorkload).\(destinationNamespace): \(counts.joined(separator: ", "))"
  }
}

/// The PromQL and the reading of plaintext (non-mTLS) traffic per destination workload: the
/// evidence `mtls check` and `mtls enable --mode STRICT` need.
///
/// Istio reports `connection_security_policy="mutual_tls"` on destination-side metrics when the
/// connection was mTLS (`none` otherwise); plaintext HTTP shows on `istio_requests_total`, any
/// TCP on `istio_tcp_connections_opened_total`. Linkerd's inbound `request_total` carries
/// `tls="true"` only for mTLS (`tls="no_identity"` otherwise) and no caller name without it;
/// a meshed caller that sent plaintext is named by its own outbound `request_total`
/// (`dst_deployment`, `dst_namespace`, `tls!="true"`).
public enum PlaintextCallers {
  /// One query of the check and what it counts.
  public struct Query: Sendable, Hashable {
    /// What the query's samples count.
    public enum Role: String, Sendable, Hashable {
      /// Istio: requests per destination and source workload.
      case istioRequests
      /// Istio: TCP connections per destination and source workload.
      case istioConnections
      /// Linkerd: plaintext requests per destination, as the destination saw them (callers unnamed).
      case linkerdInbound
      /// Linkerd: plaintext requests per meshed caller, as the caller's proxy sent them.
      case linkerdOutbound
    }

    /// What the samples count.
    public var role: Role
    /// The PromQL.
    public var promql: String
  }

  /// The queries for `scope` over the last `window`.
  public static func queries(scope: PlaintextScope, mesh: MeshConfig.Provider, window: Duration) throws -> [Query] {
    let range = try CanaryAnalysis.range(window)
    let quoted = CanaryAnalysis.quoted
    switch mesh {
    case .istio:
      var matchers = ["reporter=\"destination\""]
      if let workload = scope.workload { matchers.append("destination_workload=\(quoted(workload))") }
      if let namespace = scope.namespace { matchers.append("destination_workload_namespace=\(quoted(namespace))") }
      matchers.append("connection_security_policy!=\"mutual_tls\"")
      let selector = "{" + matchers.joined(separator: ",") + "}"
      let by =
        "sum by (destination_workload, destination_workload_namespace, source_workload, source_workload_namespace)"
      return [
        Query(role: .istioRequests, promql: "\(by) (increase(istio_requests_total\(selector)[\(range)])) > 0"),
        Query(
          role: .istioConnections,
          promql: "\(by) (increase(istio_tcp_connections_opened_total\(selector)[\(range)])) > 0"),
      ]
    case .linkerd:
      var inbound = ["direction=\"inbound\""]
      var outbound = ["direction=\"outbound\""]
      if let namespace = scope.namespace {
        inbound.append("namespace=\(quoted(namespace))")
        outbound.append("dst_namespace=\(quoted(namespace))")
      }
      if let workload = scope.workload {
        inbound.append("deployment=\(quoted(workload))")
        outbound.append("dst_deployment=\(quoted(workload))")
      }
      inbound.append("tls!=\"true\"")
      outbound.append("tls!=\"true\"")
      return [
        Query(
          role: .linkerdInbound,
          promql:
            "sum by (deployment, namespace) (increase(request_total{\(inbound.joined(separator: ","))}[\(range)])) > 0"),
        Query(
          role: .linkerdOutbound,
          promql: "sum by (dst_deployment, dst_namespace, deployment, namespace) "
            + "(increase(request_total{\(outbound.joined(separator: ","))}[\(range)])) > 0"),
      ]
    }
  }

  /// The callers in the answers to `queries` (same order), sorted by destination, then source.
  /// For Linkerd, callers named by their outbound metrics are listed with their counts, and what
  /// the destination saw beyond them is one unidentified caller.
  public static func callers(_ answers: [(Query, PrometheusResult)]) -> [PlaintextCaller] {
    struct Key: Hashable {
      var destination: String, destinationNamespace: String, source: String?, sourceNamespace: String?
    }
    var requests: [Key: Double] = [:]
    var connections: [Key: Double] = [:]
    var inbound: [Key: Double] = [:]
    for (query, result) in answers {
      for sample in result.samples where sample.value.value.isFinite && sample.value.value > 0 {
        let m = sample.metric
        switch query.role {
        case .istioRequests, .istioConnections:
          let key = Key(
            destination: m["destination_workload"] ?? "unknown",
            destinationNamespace: m["destination_workload_namespace"] ?? "unknown",
            source: m["source_workload"] ?? "unknown", sourceNamespace: m["source_workload_namespace"])
          if query.role == .istioRequests {
            requests[key, default: 0] += sample.value.value
          } else {
            connections[key, default: 0] += sample.value.value
          }
        case .linkerdOutbound:
          let key = Key(
            destination: m["dst_deployment"] ?? "unknown", destinationNamespace: m["dst_namespace"] ?? "unknown",
            source: m["deployment"], sourceNamespace: m["namespace"])
          requests[key, default: 0] += sample.value.value
        case .linkerdInbound:
          let key = Key(
            destination: m["deployment"] ?? "unknown", destinationNamespace: m["namespace"] ?? "unknown", source: nil,
            sourceNamespace: nil)
          inbound[key, default: 0] += sample.value.value
        }
      }
    }
    // What the destination saw that no meshed caller accounts for came from outside the mesh.
    for (key, seen) in inbound {
      let named = requests.filter {
        $0.key.destination == key.destination && $0.key.destinationNamespace == key.destinationNamespace
      }.values.reduce(0, +)
      if (seen - named).rounded() >= 1 { requests[key, default: 0] += seen - named }
    }
    var callers: [PlaintextCaller] = []
    for key in Set(requests.keys).union(connections.keys) {
      let caller = PlaintextCaller(
        destinationWorkload: key.destination, destinationNamespace: key.destinationNamespace,
        sourceWorkload: key.source, sourceNamespace: key.sourceNamespace,
        requests: Int((requests[key] ?? 0).rounded()), connections: Int((connections[key] ?? 0).rounded()))
      if caller.requests > 0 || caller.connections > 0 { callers.append(caller) }
    }
    return callers.sorted {
      ($0.destinationNamespace, $0.destinationWorkload, $0.sourceNamespace ?? "~", $0.sourceWorkload ?? "~")
        < ($1.destinationNamespace, $1.destinationWorkload, $1.sourceNamespace ?? "~", $1.sourceWorkload ?? "~")
    }
  }

  /// Runs the queries for `scope` over the last `window` and lists the plaintext callers.
  public static func find(
    scope: PlaintextScope, mesh: MeshConfig.Provider, window: Duration, prometheus: any PrometheusQuerying,
    at time: Double? = nil
  ) async throws -> [PlaintextCaller] {
    var answers: [(Query, PrometheusResult)] = []
    for query in try queries(scope: scope, mesh: mesh, window: window) {
      answers.append((query, try await prometheus.query(query.promql, at: time)))
    }
    return callers(answers)
  }
}

/// What `mtls check` found: the plaintext callers of the workloads in scope over a window, as
/// reported by one Prometheus.
public struct PlaintextReport: Sendable {
  /// The callers, sorted by destination, then source.
  public var callers: [PlaintextCaller]
  /// The window looked at, as a PromQL range (`5m`).
  public var window: String
  /// The Prometheus that answered, and where it was found (no secret).
  public var prometheus: String
  /// The mesh whose metrics were read.
  public var mesh: MeshConfig.Provider

  /// Creates a report.
  public init(callers: [PlaintextCaller], window: String, prometheus: String, mesh: MeshConfig.Provider) {
    self.callers = callers
    self.window = window
    self.prometheus = prometheus
    self.mesh = mesh
  }

  /// Runs the check for `scope` over the last `window` on `prometheus` (described as `server`).
  public static func check(
    scope: PlaintextScope, mesh: MeshConfig.Provider, window: Duration, prometheus: any PrometheusQuerying,
    server: String
  ) async throws -> PlaintextReport {
    let callers = try await PlaintextCallers.find(scope: scope, mesh: mesh, window: window, prometheus: prometheus)
    return PlaintextReport(
      callers: callers, window: try CanaryAnalysis.range(window), prometheus: server, mesh: mesh)
  }

  /// The table: one row per caller and destination (the header first).
  public var table: [[String]] {
    [["NAMESPACE", "WORKLOAD", "SOURCE", "REQUESTS", "CONNECTIONS"]]
      + callers.map { caller in
        [
          caller.destinationNamespace, caller.destinationWorkload, Self.source(caller), String(caller.requests),
          String(caller.connections),
        ]
      }
  }

  /// `legacy.old`, `unknown` (Istio: outside the mesh), or `(unidentified)` (Linkerd without TLS).
  static func source(_ caller: PlaintextCaller) -> String {
    guard let workload = caller.sourceWorkload else { return "(unidentified)" }
    return caller.sourceNamespace.map { "\(workload).\($0)" } ?? workload
  }

  /// The report as one JSON object: `window`, `mesh`, `prometheus`, `plaintextCallers`.
  public var object: Node {
    func optional(_ text: String?) -> Node { text.map { .string($0) } ?? .null }
    let items: [Node] = callers.map { caller in
      .mapping([
        MappingEntry(key: "namespace", value: .string(caller.destinationNamespace)),
        MappingEntry(key: "workload", value: .string(caller.destinationWorkload)),
        MappingEntry(key: "sourceWorkload", value: optional(caller.sourceWorkload)),
        MappingEntry(key: "sourceNamespace", value: optional(caller.sourceNamespace)),
        MappingEntry(key: "requests", value: .int(caller.requests)),
        MappingEntry(key: "connections", value: .int(caller.connections)),
      ])
    }
    return .mapping([
      MappingEntry(key: "window", value: .string(window)),
      MappingEntry(key: "mesh", value: .string(mesh.rawValue)),
      MappingEntry(key: "prometheus", value: .string(prometheus)),
      MappingEntry(key: "plaintextCallers", value: .sequence(items)),
    ])
  }

  /// Why `mtls enable --mode STRICT` refuses: the callers, and what to do.
  public func refusal(namespace: String, commandName: String) -> String {
    var text = "error: refusing STRICT mTLS in namespace \(namespace): plaintext traffic was seen in the last \(window) "
      + "(\(prometheus)):\n"
    for caller in callers { text += "  \(caller)\n" }
    text += "hint: move these callers into the mesh (or wait until they stop), check with `\(commandName) mtls check -n "
      + "\(namespace)`, then retry; --force sets STRICT anyway\n"
    text += "\(commandName): nothing was sent to the cluster\n"
    return text
  }
}
