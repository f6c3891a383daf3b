import KubeClient
import Manifest
import MeshSchema

/// One workload's inbound traffic over a window, as `meshctl top` shows it.
public struct WorkloadTrafficRow: Sendable, Equatable {
  /// The workload's namespace.
  public var namespace: String
  /// The workload (Istio `destination_workload`, Linkerd `deployment`).
  public var workload: String
  /// Requests per second.
  public var requestRate: Double?
  /// Percent of responses that are not failures; nil without requests.
  public var successRate: Double?
  /// Median latency in milliseconds.
  public var p50: Double?
  /// 99th percentile latency in milliseconds.
  public var p99: Double?

  /// Creates a row.
  public init(
    namespace: String, workload: String, requestRate: Double? = nil, successRate: Double? = nil, p50: Double? = nil,
    p99: Double? = nil
  ) {
    self.namespace = namespace
    self.workload = workload
    self.requestRate = requestRate
    self.successRate = successRate
    self.p50 = p50
    self.p99 = p99
  }
}

/// Request rate, success rate and p50/p99 latency per workload, from the same standard metrics
/// as canary analysis (see `CanaryAnalysis`), grouped by workload and namespace.
public enum WorkloadTraffic {
  /// What a query measures.
  public enum Measure: String, Sendable, CaseIterable {
    /// Requests per second.
    case requestRate
    /// Percent of non-failed responses.
    case successRate
    /// Median latency.
    case p50
    /// 99th percentile latency.
    case p99
  }

  /// The PromQL of each measure for the workloads of `namespace` (nil: every namespace) over
  /// the last `window`.
  public static func queries(namespace: String?, mesh: MeshConfig.Provider, window: Duration) throws
    -> [(Measure, String)]
  {
    let range = try CanaryAnalysis.range(window)
    let quoted = CanaryAnalysis.quoted
    let (labels, base, requests, responses, failure, histogram): (String, [String], String, String, String, String)
    switch mesh {
    case .istio:
      labels = "destination_workload, destination_workload_namespace"
      base = ["reporter=\"destination\""] + (namespace.map { ["destination_workload_namespace=\(quoted($0))"] } ?? [])
      (requests, responses, failure) = ("istio_requests_total", "istio_requests_total", "response_code!~\"5..\"")
      histogram = "istio_request_duration_milliseconds_bucket"
    case .linkerd:
      labels = "deployment, namespace"
      base = ["direction=\"inbound\""] + (namespace.map { ["namespace=\(quoted($0))"] } ?? [])
      (requests, responses, failure) = ("request_total", "response_total", "classification!=\"failure\"")
      histogram = "response_latency_ms_bucket"
    }
    let all = "{" + base.joined(separator: ",") + "}"
    let good = "{" + (base + [failure]).joined(separator: ",") + "}"
    func quantile(_ q: String) -> String {
      "histogram_quantile(\(q), sum by (le, \(labels)) (rate(\(histogram)\(all)[\(range)])))"
    }
    return [
      (.requestRate, "sum by (\(labels)) (rate(\(requests)\(all)[\(range)]))"),
      (
        .successRate,
        "100 * sum by (\(labels)) (rate(\(responses)\(good)[\(range)])) / sum by (\(labels)) (rate(\(responses)\(all)[\(range)]))"
      ),
      (.p50, quantile("0.5")),
      (.p99, quantile("0.99")),
    ]
  }

  /// Runs the queries and gathers one row per workload, sorted by namespace and workload.
  public static func read(
    namespace: String?, mesh: MeshConfig.Provider, window: Duration, prometheus: any PrometheusQuerying
  ) async throws -> [WorkloadTrafficRow] {
    let (workloadLabel, namespaceLabel) =
      mesh == .istio ? ("destination_workload", "destination_workload_namespace") : ("deployment", "namespace")
    var rows: [String: WorkloadTrafficRow] = [:]
    for (measure, promql) in try queries(namespace: namespace, mesh: mesh, window: window) {
      for sample in try await prometheus.query(promql, at: nil).samples {
        let name = sample.metric[workloadLabel] ?? "unknown"
        let space = sample.metric[namespaceLabel] ?? "unknown"
        let key = space + "/" + name
        var row = rows[key] ?? WorkloadTrafficRow(namespace: space, workload: name)
        let value: Double? = sample.value.value.isFinite ? sample.value.value : nil
        switch measure {
        case .requestRate: row.requestRate = value
        case .successRate: row.successRate = value
        case .p50: row.p50 = value
        case .p99: row.p99 = value
        }
        rows[key] = row
      }
    }
    return rows.values.sorted { ($0.namespace, $0.workload) < ($1.namespace, $1.workload) }
  }

  /// The table, header first: `NAMESPACE WORKLOAD RPS SUCCESS P50 P99` (`-` for no value).
  public static func table(_ rows: [WorkloadTrafficRow]) -> [[String]] {
    func text(_ value: Double?, _ suffix: String) -> String {
      value.map { AnalysisSpec.format(($0 * 100).rounded() / 100) + suffix } ?? "-"
    }
    return [["NAMESPACE", "WORKLOAD", "RPS", "SUCCESS", "P50", "P99"]]
      + rows.map {
        [
          $0.namespace, $0.workload, text($0.requestRate, ""), text($0.successRate, "%"), text($0.p50, "ms"),
          text($0.p99, "ms"),
        ]
      }
  }

  /// The rows as JSON: `{"window", "mesh", "workloads": [{namespace, workload, requestRate,
  /// successRate, p50Ms, p99Ms}]}` (null for no value).
  public static func object(_ rows: [WorkloadTrafficRow], window: String, mesh: MeshConfig.Provider) -> Node {
    let items: [Node] = rows.map { row in
      .mapping([
        MappingEntry(key: "namespace", value: .string(row.namespace)),
        MappingEntry(key: "workload", value: .string(row.workload)),
        MappingEntry(key: "requestRate", value: ShiftEvent.number(row.requestRate)),
        MappingEntry(key: "successRate", value: ShiftEvent.number(row.successRate)),
        MappingEntry(key: "p50Ms", value: ShiftEvent.number(row.p50)),
        MappingEntry(key: "p99Ms", value: ShiftEvent.number(row.p99)),
      ])
    }
    return .mapping([
      MappingEntry(key: "window", value: .string(window)), MappingEntry(key: "mesh", value: .string(mesh.rawValue)),
      MappingEntry(key: "workloads", value: .sequence(items)),
    ])
  }
}

extension WorkloadTraffic {
  /// How `top` shows one reading.
  public struct Screen: Sendable {
    /// The namespace in scope (nil: every namespace).
    public var namespace: String?
    /// The window as a PromQL range (`1m`).
    public var range: String
    /// The mesh whose metrics were read.
    public var mesh: MeshConfig.Provider
    /// JSON instead of the table.
    public var json: Bool
    /// Whether readings repeat (`--watch`): JSON is then one line per reading.
    public var watch: Bool
    /// Whether standard output is a terminal (a repeated table clears it).
    public var terminal: Bool

    /// Creates a screen.
    public init(
      namespace: String?, range: String, mesh: MeshConfig.Provider, json: Bool, watch: Bool, terminal: Bool
    ) {
      (self.namespace, self.range, self.mesh) = (namespace, range, mesh)
      (self.json, self.watch, self.terminal) = (json, watch, terminal)
    }

    /// The text of one reading: JSON, or the table `renderTable` renders (a note when no
    /// workload had traffic), after clearing the screen (a blank line off a terminal) on every
    /// reading but the first.
    public func text(_ rows: [WorkloadTrafficRow], first: Bool, renderTable: ([[String]]) -> String) -> String {
      if json { return JSONEmitter.emit(WorkloadTraffic.object(rows, window: range, mesh: mesh), pretty: !watch) + "\n" }
      let clear = watch && !first ? (terminal ? "\u{1B}[H\u{1B}[2J" : "\n") : ""
      guard !rows.isEmpty else {
        let place = namespace.map { "namespace \($0)" } ?? "any namespace"
        return clear + "No traffic to workloads in \(place) in the last \(range).\n"
      }
      return clear + renderTable(WorkloadTraffic.table(rows))
    }
  }

  /// Runs `reading` once, or with `every` again after each wait until `interrupted`; returns
  /// whether a signal ended it. `reading` is told whether it is the first.
  public static func refresh(
    every: Duration?, sleep: (Duration, @escaping @Sendable () -> Bool) -> Void,
    interrupted: @escaping @Sendable () -> Bool, reading: (_ first: Bool) throws -> Void
  ) rethrows -> Bool {
    var first = true
    while true {
      try reading(first)
      first = false
      guard let every else { return false }
      sleep(every, interrupted)
      if interrupted() { return true }
    }
  }
}
