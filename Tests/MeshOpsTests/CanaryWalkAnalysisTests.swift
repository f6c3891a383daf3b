import Foundation
import KubeClient
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

@testable import MeshOps

/// Answers the request-count query and the metric queries from closures (by call), so a test
/// decides the canary's traffic and health per step; records what was asked.
final class StepPrometheus: PrometheusQuerying, @unchecked Sendable {
  let serverDescription = "http://prometheus.test:9090"
  private let lock = NSLock()
  private var askedQueries: [String] = []
  private var counts = 0
  let requests: @Sendable (Int) -> Double
  let value: @Sendable (String) -> Double?

  /// `requests(n)` answers the n-th request-count query (from 1); `value(promql)` the others.
  init(requests: @escaping @Sendable (Int) -> Double, value: @escaping @Sendable (String) -> Double?) {
    self.requests = requests
    self.value = value
  }

  var asked: [String] { lock.withLock { askedQueries } }

  func query(_ promql: String, at time: Double?) async throws -> PrometheusResult {
    let count: Int? = lock.withLock {
      askedQueries.append(promql)
      guard promql.hasPrefix("sum(increase(") else { return nil }
      counts += 1
      return counts
    }
    if let count { return .vector([PrometheusSample(metric: [:], value: .init(time: 1, value: requests(count)))]) }
    guard let answer = value(promql) else { return .vector([]) }
    return .vector([PrometheusSample(metric: [:], value: .init(time: 1, value: answer))])
  }
}

/// The canary walk with an analysis, in process: the scripted cluster of `CanaryWalkTests`, a
/// fake Prometheus and a clock that never sleeps.
@Suite struct CanaryWalkAnalysisTests {
  static let canary = AnalysisTarget(workload: "cart-v2", namespace: "team", version: "v2")

  func target() async throws -> (TrafficSplitTarget, ScriptedServer) {
    try await CanaryWalkTests().target()
  }

  /// A walk pausing 60 s per step whose analysis asks `prometheus`; `gate` (when given) decides
  /// each gate run.
  func walk(
    _ log: WalkLog, prometheus: StepPrometheus, specs: [String] = ["success-rate>=99.5"],
    gate: GateResult? = nil, trafficBound: Duration? = nil, retryEvery: Duration? = nil
  ) throws -> CanaryWalk {
    let analysis = StepAnalysis(
      specs: try specs.map(AnalysisSpec.parse), target: Self.canary, mesh: .istio, minRequests: 10,
      prometheus: prometheus, trafficBound: trafficBound, retryEvery: retryEvery)
    return CanaryWalk(
      pause: .seconds(60), gate: gate == nil ? nil : "./smoke.sh", service: "cart",
      sleep: { duration, _ in log.record("sleep \(duration)") },
      runGate: { _, variables, _, _ in
        log.record("gate \(variables["MESHCTL_WEIGHT"]!)")
        return gate ?? .exited(0)
      },
      interrupted: { log.interrupted }, progress: { log.record($0.text) }, analysis: analysis)
  }

  @Test func aHealthyCanaryWalksEveryStepWithItsEvaluationsInTheProgress() async throws {
    let (target, server) = try await target()
    let prometheus = StepPrometheus(requests: { _ in 120 }, value: { $0.contains("histogram_quantile") ? 180 : 99.8 })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, prometheus: prometheus, specs: ["success-rate>=99.5", "latency-p99<=300ms"])
      .run(plan)
    guard case .shifted(let weights) = outcome else { Issue.record("not shifted: \(outcome)"); return }
    #expect(TrafficShift.describe(weights) == "v1=0,v2=100")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=0,v2=100"])
    #expect(
      log.events == [
        "step 1/2: team/cart v1=50,v2=50", "sleep 60.0 seconds",
        "step 1/2: success-rate 99.8% (>= 99.5%): pass", "step 1/2: latency-p99 180 ms (<= 300 ms): pass",
        "step 2/2: team/cart v1=0,v2=100", "sleep 60.0 seconds",
        "step 2/2: success-rate 99.8% (>= 99.5%): pass", "step 2/2: latency-p99 180 ms (<= 300 ms): pass",
        "team/cart shifted: v1=0,v2=100",
      ])
    // The window is the interval, and the canary is selected by workload and version.
    #expect(prometheus.asked.first == CanaryAnalysis.requestCountQuery(target: Self.canary, mesh: .istio, range: "1m"))
    #expect(prometheus.asked.allSatisfy { $0.contains("destination_workload=\"cart-v2\"") && $0.contains("[1m]") })
  }

  @Test func aFailingAnalysisRestoresTheWeightsAndNamesTheValue() async throws {
    let (target, server) = try await target()
    let prometheus = StepPrometheus(requests: { _ in 120 }, value: { _ in 94.8 })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, prometheus: prometheus).run(plan)
    guard case .rolledBack(let reason, let restored) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason == "the analysis failed after step 1: success-rate 94.8% (>= 99.5%): fail")
    #expect(TrafficShift.describe(restored) == "v1=90,v2=10")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=90,v2=10"])
    #expect(log.events.last == "\(reason): weights restored to v1=90,v2=10")
  }

  @Test func tooLittleTrafficWaitsUpToTheBoundThenFailsAsNotEnoughTraffic() async throws {
    let (target, server) = try await target()
    let prometheus = StepPrometheus(requests: { _ in 3 }, value: { _ in 100 })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, prometheus: prometheus, trafficBound: .seconds(20), retryEvery: .seconds(10))
      .run(plan)
    guard case .rolledBack(let reason, _) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason == "not enough traffic after step 1: 3 requests to cart-v2 in 60s (--min-requests 10), waited 20s")
    #expect(
      log.events.filter { $0.hasPrefix("sleep") } == ["sleep 60.0 seconds", "sleep 10.0 seconds", "sleep 10.0 seconds"])
    #expect(log.events.contains("step 1/2: not enough traffic (3 requests, --min-requests 10): waiting up to 20s more"))
    // Only the request count was asked: the values cannot decide without traffic.
    #expect(prometheus.asked.allSatisfy { $0.hasPrefix("sum(increase(") } && prometheus.asked.count == 3)
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=90,v2=10"])
  }

  @Test func trafficThatArrivesWhileWaitingLetsTheStepPass() async throws {
    let (target, _) = try await target()
    let prometheus = StepPrometheus(requests: { $0 == 1 ? 0 : 50 }, value: { _ in 100 })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [100], at: shiftTime)
    let outcome = try await walk(WalkLog(), prometheus: prometheus).run(plan)
    guard case .shifted = outcome else { Issue.record("not shifted: \(outcome)"); return }
  }

  @Test func theDefaultBoundIsThreeIntervals() throws {
    let analysis = StepAnalysis(
      specs: [], target: Self.canary, mesh: .istio, prometheus: StepPrometheus(requests: { _ in 0 }, value: { _ in nil }))
    #expect(analysis.bound(window: .seconds(60)) == .seconds(180))
    #expect(analysis.retry(window: .seconds(60)) == .seconds(5))
    #expect(analysis.retry(window: .seconds(2)) == .seconds(2))
  }

  @Test func noDataFailsTheStep() async throws {
    let (target, _) = try await target()
    let prometheus = StepPrometheus(requests: { _ in 100 }, value: { _ in nil })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [100], at: shiftTime)
    let outcome = try await walk(WalkLog(), prometheus: prometheus).run(plan)
    guard case .rolledBack(let reason, _) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason.hasPrefix("the analysis found no data after step 1 for success-rate>=99.5"))
  }

  @Test func gateAndAnalysisMustBothPass() async throws {
    // Analysis passes, gate fails: rolled back by the gate.
    let (target, server) = try await target()
    let healthy = StepPrometheus(requests: { _ in 100 }, value: { _ in 100 })
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, prometheus: healthy, gate: .exited(2)).run(plan)
    guard case .rolledBack(let reason, _) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason.hasPrefix("the gate failed (exit 2) after step 1"))
    #expect(log.events.contains("step 1/2: success-rate 100% (>= 99.5%): pass"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=90,v2=10"])

    // Analysis fails: the gate does not run.
    let (again, _) = try await self.target()
    let sick = StepPrometheus(requests: { _ in 100 }, value: { _ in 90 })
    let second = WalkLog()
    let failed = try await walk(second, prometheus: sick, gate: .exited(0)).run(
      try ShiftPlan(target: again, backend: "v2", percents: [50, 100], at: shiftTime))
    guard case .rolledBack(let why, _) = failed else { Issue.record("not rolled back"); return }
    #expect(why.hasPrefix("the analysis failed after step 1"))
    #expect(!second.events.contains { $0.hasPrefix("gate") })
  }

  @Test func aPrometheusThatCannotAnswerRollsTheStepBack() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [100], at: shiftTime)
    let walk = CanaryWalk(
      pause: .seconds(5), gate: nil, service: "cart", sleep: { _, _ in }, runGate: { _, _, _, _ in .exited(0) },
      interrupted: { false }, progress: { _ in },
      analysis: StepAnalysis(
        specs: [try AnalysisSpec.parse("success-rate>=99")], target: Self.canary, mesh: .linkerd,
        prometheus: TablePrometheus()))
    guard case .rolledBack(let reason, _) = try await walk.run(plan) else { Issue.record("not rolled back"); return }
    #expect(reason.hasPrefix("the analysis could not run after step 1: prometheus at http://prometheus.test:9090"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=0,v2=100", "v1=90,v2=10"])
  }

  @Test func analysisEventsAsJSONCarryTheEvaluation() throws {
    let spec = try AnalysisSpec.parse("success-rate>=99.5")
    let evaluation = AnalysisEvaluation(
      spec: spec, query: "Q", value: 94.5, requests: 200, verdict: .fail)
    let json = ShiftEvent.analysis(step: 1, of: 3, evaluation: evaluation).json(time: shiftTime)
    #expect(
      json
        == #"{"time":"2026-11-30T00:53:20Z","event":"analysis","step":1,"steps":3,"analysis":"success-rate>=99.5","metric":"success-rate","query":"Q","value":94.5,"threshold":99.5,"comparison":">=","unit":"%","requests":200,"verdict":"fail"}"#
    )
    let waiting = ShiftEvent.analysisWaiting(step: 2, of: 3, requests: 0, minRequests: 1, left: .seconds(6))
    #expect(waiting.name == "analysis-waiting")
    #expect(
      waiting.json(time: shiftTime)
        == #"{"time":"2026-11-30T00:53:20Z","event":"analysis-waiting","step":2,"steps":3,"requests":0,"minRequests":1,"secondsLeft":6}"#
    )
  }

  @Test func specsComeFromTheTrafficSplitThenTheFlagsOnce() throws {
    let split = ManifestReader().parse(
      "spec:\n  analysis:\n    - success-rate>=99.5\n    - latency-p99<=300ms\n"
    ).documents[0].root
    let specs = try StepAnalysis.specs(flags: ["success-rate >= 99.5", "request-rate>=1"], trafficSplit: split)
    #expect(specs.map(\.description) == ["success-rate>=99.5", "latency-p99<=300ms", "request-rate>=1"])
    #expect(throws: CanaryAnalysisError.self) { try StepAnalysis.specs(flags: ["errors<1"], trafficSplit: nil) }
  }
}

@Suite struct AnalysisProgressTests {
  static let evaluation = AnalysisEvaluation(
    spec: AnalysisSpec(metric: .successRate, comparison: .atLeast, threshold: 99.5), query: "Q", value: 99.8,
    requests: 120, verdict: .pass)

  @Test func onATerminalEachEvaluationStaysUnderItsStepsLine() {
    var renderer = ShiftProgressRenderer(style: .live)
    let weights: BackendWeights = [("v1", 50), ("v2", 50)]
    _ = renderer.render(.stepStarted(step: 1, of: 2, reference: "shop/cart", weights: weights), at: shiftTime)
    let output = renderer.render(.analysis(step: 1, of: 2, evaluation: Self.evaluation), at: shiftTime)
    #expect(
      output.stderr == "\r\u{1B}[K" + "step 1/2: shop/cart v1=50,v2=50\nstep 1/2: success-rate 99.8% (>= 99.5%): pass\n")
  }

  @Test func inLogsEachEvaluationIsATimestampedLine() {
    var renderer = ShiftProgressRenderer(style: .lines)
    let output = renderer.render(.analysis(step: 1, of: 2, evaluation: Self.evaluation), at: shiftTime)
    #expect(output.stderr == "2026-11-30T00:53:20Z step 1/2: success-rate 99.8% (>= 99.5%): pass\n")
  }

  @Test func allNamespacesDropTheNamespaceMatcher() throws {
    let istio = try PlaintextCallers.queries(scope: PlaintextScope(namespace: nil), mesh: .istio, window: .seconds(300))
    #expect(
      istio[0].promql
        == #"sum by (destination_workload, destination_workload_namespace, source_workload, source_workload_namespace) (increase(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls"}[5m])) > 0"#
    )
    let linkerd = try PlaintextCallers.queries(scope: PlaintextScope(namespace: nil), mesh: .linkerd, window: .seconds(60))
    #expect(linkerd[0].promql.contains(#"request_total{direction="inbound",tls!="true"}[1m]"#))
    #expect(linkerd[1].promql.contains(#"request_total{direction="outbound",tls!="true"}[1m]"#))
  }
}
