import KubeClient
import Manifest
import MeshSchema

/// The workload whose inbound traffic an analysis measures: one backend of a TrafficSplit.
public struct AnalysisTarget: Sendable, Hashable {
  /// The workload's name: Istio's `destination_workload` (the Deployment's name), Linkerd's
  /// `deployment` label.
  public var workload: String
  /// Its namespace.
  public var namespace: String
  /// Istio's `destination_version` (the pods' `version` label), when the backend is told apart
  /// by version rather than by workload; Linkerd has no such label and ignores it.
  public var version: String?

  /// Creates a target.
  public init(workload: String, namespace: String, version: String? = nil) {
    self.workload = workload
    self.namespace = namespace
    self.version = version
  }
}

/// Whether an analysis passed.
public enum AnalysisVerdict: String, Sendable, Hashable, CaseIterable {
  /// The measured value meets the threshold.
  case pass
  /// The measured value misses the threshold.
  case fail
  /// Fewer requests than `--min-requests` in the window: neither pass nor fail (the walk waits,
  /// up to its bound).
  case notEnoughTraffic = "not-enough-traffic"
  /// Prometheus has no series for the workload (not scraped, wrong names, or a value that is
  /// not a number, such as a quantile of no requests).
  case noData = "no-data"
}

/// The outcome of one analysis at one step: what was asked, what was measured, the verdict.
public struct AnalysisEvaluation: Sendable, Equatable {
  /// The analysis.
  public var spec: AnalysisSpec
  /// The PromQL that measured it.
  public var query: String
  /// The measured value in the metric's unit; nil when there was none.
  public var value: Double?
  /// The requests the workload received in the window (from the request-count query).
  public var requests: Double?
  /// The verdict.
  public var verdict: AnalysisVerdict

  /// Creates an evaluation.
  public init(spec: AnalysisSpec, query: String, value: Double?, requests: Double?, verdict: AnalysisVerdict) {
    self.spec = spec
    self.query = query
    self.value = value
    self.requests = requests
    self.verdict = verdict
  }

  /// The threshold, in the metric's unit.
  public var threshold: Double { spec.threshold }

  /// Equal when everything is equal, NaN values included.
  public static func == (lhs: AnalysisEvaluation, rhs: AnalysisEvaluation) -> Bool {
    lhs.spec == rhs.spec && lhs.query == rhs.query && lhs.verdict == rhs.verdict && lhs.requests == rhs.requests
      && (lhs.value == rhs.value || (lhs.value?.isNaN == true && rhs.value?.isNaN == true))
  }

  /// The evaluation's fields for a JSON event, in order: `analysis` (the spec as written),
  /// `metric`, `query`, `value` (null when none), `threshold`, `unit`, `requests`, `verdict`.
  public var jsonFields: [MappingEntry] {
    func number(_ value: Double?) -> Node {
      guard let value, value.isFinite else { return .null }
      return value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .float(value)
    }
    return [
      MappingEntry(key: "analysis", value: .string(spec.text)),
      MappingEntry(key: "metric", value: .string(spec.metric.name)),
      MappingEntry(key: "query", value: .string(query)),
      MappingEntry(key: "value", value: number(value)),
      MappingEntry(key: "threshold", value: number(spec.threshold)),
      MappingEntry(key: "comparison", value: .string(spec.comparison.rawValue)),
      MappingEntry(key: "unit", value: .string(spec.metric.unit)),
      MappingEntry(key: "requests", value: number(requests)),
      MappingEntry(key: "verdict", value: .string(verdict.rawValue)),
    ]
  }

  /// One line for progress output: `success-rate 94.8% (>= 99.5%): fail`.
  public var summary: String {
    let unit = spec.metric.unit
    let measured = value.map { AnalysisSpec.format($0) + (unit == "%" ? "%" : " \(unit)") } ?? "no value"
    let wanted = AnalysisSpec.format(spec.threshold) + (unit == "%" ? "%" : " \(unit)")
    var text = "\(spec.metric.name) \(measured) (\(spec.comparison.rawValue) \(wanted)): \(verdict.rawValue)"
    if verdict == .notEnoughTraffic, let requests {
      text += " (\(AnalysisSpec.format(requests)) requests in the window)"
    }
    return text
  }
}

/// PromQL for canary analysis over the standard metrics of each mesh, and its evaluation.
///
/// Istio (istio.io/latest/docs/reference/config/metrics): `istio_requests_total` and
/// `istio_request_duration_milliseconds_bucket` as the server's proxy reports them
/// (`reporter="destination"`), selected by `destination_workload`,
/// `destination_workload_namespace` and, when given, `destination_version`; failures are 5xx
/// `response_code`s. Linkerd (linkerd.io/2/reference/proxy-metrics): `request_total`,
/// `response_total` and `response_latency_ms_bucket` with `direction="inbound"`, selected by the
/// `deployment` and `namespace` labels that linkerd-viz's Prometheus adds; failures are
/// `classification="failure"`.
public enum CanaryAnalysis {
  /// The least `--min-requests` may be: a step with no request cannot pass.
  public static let defaultMinRequests = 1.0

  /// A window as a PromQL range: `1h`, `10m`, `10s`, or `1500ms` (the largest unit that is exact).
  public static func range(_ window: Duration) throws -> String {
    let (seconds, attoseconds) = window.components
    let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    guard millis >= 1 else { throw CanaryAnalysisError.invalidWindow(String(describing: window)) }
    if millis % 3_600_000 == 0 { return "\(millis / 3_600_000)h" }
    if millis % 60_000 == 0 { return "\(millis / 60_000)m" }
    return millis % 1000 == 0 ? "\(millis / 1000)s" : "\(millis)ms"
  }

  /// The label matchers that select the target's inbound traffic.
  public static func selector(_ target: AnalysisTarget, mesh: MeshConfig.Provider, extra: [String] = []) -> String {
    var matchers: [String]
    switch mesh {
    case .istio:
      matchers = [
        "reporter=\"destination\"", "destination_workload=\(quoted(target.workload))",
        "destination_workload_namespace=\(quoted(target.namespace))",
      ]
      if let version = target.version { matchers.append("destination_version=\(quoted(version))") }
    case .linkerd:
      matchers = [
        "direction=\"inbound\"", "deployment=\(quoted(target.workload))", "namespace=\(quoted(target.namespace))",
      ]
    }
    return "{" + (matchers + extra).joined(separator: ",") + "}"
  }

  /// The PromQL for `metric` over the target's traffic in the last `range` (e.g. `10s`).
  public static func query(
    _ metric: AnalysisSpec.Metric, target: AnalysisTarget, mesh: MeshConfig.Provider, range: String
  ) -> String {
    let all = selector(target, mesh: mesh)
    switch (metric, mesh) {
    case (.successRate, .istio):
      let good = selector(target, mesh: mesh, extra: ["response_code!~\"5..\""])
      return "100 * sum(rate(istio_requests_total\(good)[\(range)])) / sum(rate(istio_requests_total\(all)[\(range)]))"
    case (.successRate, .linkerd):
      let good = selector(target, mesh: mesh, extra: ["classification!=\"failure\""])
      return "100 * sum(rate(response_total\(good)[\(range)])) / sum(rate(response_total\(all)[\(range)]))"
    case (.latency(let percentile), _):
      let histogram = mesh == .istio ? "istio_request_duration_milliseconds_bucket" : "response_latency_ms_bucket"
      return "histogram_quantile(\(quantile(percentile)), sum by (le) (rate(\(histogram)\(all)[\(range)])))"
    case (.requestRate, _):
      return "sum(rate(\(requestCounter(mesh))\(all)[\(range)]))"
    }
  }

  /// The PromQL for the number of requests the target received in the last `range` (what
  /// `--min-requests` is compared with).
  public static func requestCountQuery(target: AnalysisTarget, mesh: MeshConfig.Provider, range: String) -> String {
    "sum(increase(\(requestCounter(mesh))\(selector(target, mesh: mesh))[\(range)]))"
  }

  /// Every query an evaluation of `specs` runs, the request count first (for `--dry-run`).
  public static func queries(
    specs: [AnalysisSpec], target: AnalysisTarget, mesh: MeshConfig.Provider, window: Duration
  ) throws -> [String] {
    let range = try range(window)
    return [requestCountQuery(target: target, mesh: mesh, range: range)]
      + specs.map { query($0.metric, target: target, mesh: mesh, range: range) }
  }

  /// The verdict for a measured value: not enough traffic below `minRequests` (whatever the
  /// value), no data without a number, else the comparison.
  public static func verdict(spec: AnalysisSpec, value: Double?, requests: Double?, minRequests: Double)
    -> AnalysisVerdict
  {
    guard let requests, !requests.isNaN else { return .noData }
    if requests < max(minRequests, defaultMinRequests) { return .notEnoughTraffic }
    guard let value, !value.isNaN else { return .noData }
    return spec.comparison.holds(value, spec.threshold) ? .pass : .fail
  }

  /// Evaluates every spec for `target`'s traffic over the last `window`, at `time` (nil: now):
  /// first the request count, then each spec's query (skipped when the count already decides).
  /// Throws `PrometheusError`/`TransportError` when Prometheus cannot answer.
  public static func evaluate(
    specs: [AnalysisSpec], target: AnalysisTarget, mesh: MeshConfig.Provider, window: Duration,
    minRequests: Double = defaultMinRequests, prometheus: any PrometheusQuerying, at time: Double? = nil
  ) async throws -> [AnalysisEvaluation] {
    let range = try range(window)
    let countResult = try await prometheus.query(requestCountQuery(target: target, mesh: mesh, range: range), at: time)
    let requests = countResult.singleValue
    var evaluations: [AnalysisEvaluation] = []
    for spec in specs {
      let promql = query(spec.metric, target: target, mesh: mesh, range: range)
      var value: Double?
      let undecided = verdict(spec: spec, value: 0, requests: requests, minRequests: minRequests)
      if undecided == .pass || undecided == .fail {
        value = try await prometheus.query(promql, at: time).singleValue
      }
      evaluations.append(
        AnalysisEvaluation(
          spec: spec, query: promql, value: value, requests: requests,
          verdict: verdict(spec: spec, value: value, requests: requests, minRequests: minRequests)))
    }
    return evaluations
  }

  /// The verdict of a step from its evaluations: `fail` if any failed, else `no-data` if any had
  /// none, else `not-enough-traffic` if any lacked traffic, else `pass` (also for no analysis).
  public static func combined(_ evaluations: [AnalysisEvaluation]) -> AnalysisVerdict {
    for verdict in [AnalysisVerdict.fail, .noData, .notEnoughTraffic]
    where evaluations.contains(where: { $0.verdict == verdict }) {
      return verdict
    }
    return .pass
  }

  /// Evaluates like `evaluate`, and while the step lacks traffic evaluates again every
  /// `retryEvery` (slept through `sleep`, a fake clock in tests) until `bound` has been waited:
  /// then the last evaluations are returned, still `not-enough-traffic`, for the walk to fail the
  /// step as such. `onWait` hears each wait (for progress output).
  public static func evaluateWaitingForTraffic(
    specs: [AnalysisSpec], target: AnalysisTarget, mesh: MeshConfig.Provider, window: Duration,
    minRequests: Double = defaultMinRequests, prometheus: any PrometheusQuerying, bound: Duration,
    retryEvery: Duration, sleep: @Sendable (Duration) async throws -> Void,
    onWait: ([AnalysisEvaluation], Duration) -> Void = { _, _ in }
  ) async throws -> [AnalysisEvaluation] {
    var waited = Duration.zero
    while true {
      let evaluations = try await evaluate(
        specs: specs, target: target, mesh: mesh, window: window, minRequests: minRequests, prometheus: prometheus)
      let lacksTraffic = combined(evaluations) == .notEnoughTraffic
      guard lacksTraffic, bound > waited, retryEvery > Duration.zero else { return evaluations }
      let pause = min(retryEvery, bound - waited)
      onWait(evaluations, bound - waited)
      try await sleep(pause)
      waited += pause
    }
  }

  /// `0.99` for p99.
  static func quantile(_ percentile: Int) -> String {
    percentile % 10 == 0 ? "0.\(percentile / 10)" : "0.\(percentile)"
  }

  static func requestCounter(_ mesh: MeshConfig.Provider) -> String {
    mesh == .istio ? "istio_requests_total" : "request_total"
  }

  /// A PromQL string literal (double-quoted, `\` and `"` escaped).
  static func quoted(_ text: String) -> String {
    var out = "\""
    for character in text {
      switch character {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.append(character)
      }
    }
    return out + "\""
  }
}
