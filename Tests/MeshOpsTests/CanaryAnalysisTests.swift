import KubeClient
import Manifest
import MeshOps
import MeshSchema
import TestSupport
import Testing

/// Answers queries from a table (the exact PromQL → the answer); records what was asked.
final class TablePrometheus: PrometheusQuerying, @unchecked Sendable {
  let serverDescription = "http://prometheus.test:9090"
  var answers: [String: PrometheusResult]
  private(set) var asked: [String] = []

  init(_ answers: [String: PrometheusResult] = [:]) { self.answers = answers }

  func query(_ promql: String, at time: Double?) async throws -> PrometheusResult {
    asked.append(promql)
    guard let answer = answers[promql] else {
      throw PrometheusError.query(
        server: serverDescription, query: promql, errorType: "bad_data", message: "unscripted")
    }
    return answer
  }
}

/// Records fake sleeps.
final class SleepLog: @unchecked Sendable {
  private(set) var durations: [Duration] = []
  /// Records one sleep; returns how many there were.
  func record(_ duration: Duration) -> Int {
    durations.append(duration)
    return durations.count
  }
}

func number(_ value: Double) -> PrometheusResult {
  .vector([PrometheusSample(metric: [:], value: .init(time: 1, value: value))])
}

@Suite struct AnalysisSpecTests {
  @Test func readsTheGrammar() throws {
    let rate = try AnalysisSpec.parse("success-rate>=99.5")
    #expect(rate.metric == .successRate && rate.comparison == .atLeast && rate.threshold == 99.5)
    #expect(try AnalysisSpec.parse("success-rate >= 99%").threshold == 99)
    let p99 = try AnalysisSpec.parse("latency-p99<=300ms")
    #expect(p99.metric == .latency(percentile: 99) && p99.comparison == .atMost && p99.threshold == 300)
    #expect(try AnalysisSpec.parse("latency-p95<1.5s").threshold == 1500)
    #expect(try AnalysisSpec.parse("latency-p50<=20ms").metric == .latency(percentile: 50))
    #expect(try AnalysisSpec.parse("latency-p90>1ms").comparison == .greater)
    let requests = try AnalysisSpec.parse("request-rate>=10")
    #expect(requests.metric == .requestRate && requests.threshold == 10)
    #expect(p99.description == "latency-p99<=300ms" && p99.text == "latency-p99<=300ms")
  }

  @Test(arguments: [
    ("success-rate=99", "no comparison"), ("errors>=1", "unknown metric \"errors\""),
    ("latency-p42<=1ms", "p42 is not offered"), ("latency-p99<=300", "needs a unit"),
    ("success-rate>=101", "at most 100"), ("request-rate>=-1", "not a non-negative number"),
    ("success-rate>=", "not a non-negative number"), ("latency-p99<=1e3ms", "not a non-negative number"),
  ])
  func refusesWhatIsNotInTheGrammar(text: String, reason: String) {
    #expect {
      try AnalysisSpec.parse(text)
    } throws: { error in
      "\(error)".hasPrefix("invalid analysis \"\(text)\": ") && "\(error)".contains(reason)
    }
  }

  @Test func verdicts() throws {
    let spec = try AnalysisSpec.parse("success-rate>=99.5")
    #expect(CanaryAnalysis.verdict(spec: spec, value: 99.9, requests: 50, minRequests: 10) == .pass)
    #expect(CanaryAnalysis.verdict(spec: spec, value: 99.5, requests: 50, minRequests: 10) == .pass)
    #expect(CanaryAnalysis.verdict(spec: spec, value: 95, requests: 50, minRequests: 10) == .fail)
    #expect(CanaryAnalysis.verdict(spec: spec, value: 95, requests: 9, minRequests: 10) == .notEnoughTraffic)
    #expect(CanaryAnalysis.verdict(spec: spec, value: .nan, requests: 50, minRequests: 10) == .noData)
    #expect(CanaryAnalysis.verdict(spec: spec, value: 100, requests: nil, minRequests: 10) == .noData)
    // --min-requests 0 still needs one request: a step nobody called cannot pass.
    #expect(CanaryAnalysis.verdict(spec: spec, value: .nan, requests: 0, minRequests: 0) == .notEnoughTraffic)
  }

  @Test func windowsAsRanges() throws {
    #expect(try CanaryAnalysis.range(.seconds(10)) == "10s")
    #expect(try CanaryAnalysis.range(.seconds(600)) == "10m")
    #expect(try CanaryAnalysis.range(.seconds(7200)) == "2h")
    #expect(try CanaryAnalysis.range(.seconds(90)) == "90s")
    #expect(try CanaryAnalysis.range(.milliseconds(1500)) == "1500ms")
    #expect(throws: CanaryAnalysisError.self) { try CanaryAnalysis.range(.zero) }
  }

  @Test func labelValuesAreQuoted() {
    let target = AnalysisTarget(workload: #"a"b\c"#, namespace: "shop")
    #expect(CanaryAnalysis.selector(target, mesh: .linkerd).contains(#"deployment="a\"b\\c""#))
  }
}

@Suite struct CanaryAnalysisEvaluationTests {
  let target = AnalysisTarget(workload: "reviews-v2", namespace: "shop")

  @Test func measuresEachSpecAfterTheRequestCount() async throws {
    let specs = try ["success-rate>=99.5", "latency-p99<=300ms"].map(AnalysisSpec.parse)
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: .istio, window: .seconds(10))
    let prometheus = TablePrometheus([queries[0]: number(200), queries[1]: number(94.8), queries[2]: number(120)])
    let results = try await CanaryAnalysis.evaluate(
      specs: specs, target: target, mesh: .istio, window: .seconds(10), minRequests: 20, prometheus: prometheus)
    #expect(results.map(\.verdict) == [.fail, .pass])
    #expect(results[0].value == 94.8 && results[0].threshold == 99.5 && results[0].requests == 200)
    #expect(results[0].query == queries[1])
    #expect(results[0].summary == "success-rate 94.8% (>= 99.5%): fail")
    #expect(results[1].summary == "latency-p99 120 ms (<= 300 ms): pass")
    #expect(prometheus.asked == queries)
    let json = JSONEmitter.emit(.mapping(results[0].jsonFields), pretty: false)
    #expect(
      json.contains(#""value":94.8,"threshold":99.5,"comparison":">=","unit":"%","requests":200,"verdict":"fail"}"#),
      "\(json)")
    #expect(
      json.hasPrefix(
        #"{"analysis":"success-rate>=99.5","metric":"success-rate","query":"100 * sum(rate(istio_requests_total{"#),
      "\(json)")
  }

  @Test func tooLittleTrafficIsNotMeasured() async throws {
    let specs = [try AnalysisSpec.parse("success-rate>=99.5")]
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: .linkerd, window: .seconds(5))
    let prometheus = TablePrometheus([queries[0]: number(3)])
    let results = try await CanaryAnalysis.evaluate(
      specs: specs, target: target, mesh: .linkerd, window: .seconds(5), minRequests: 10, prometheus: prometheus)
    #expect(results.map(\.verdict) == [.notEnoughTraffic])
    #expect(results[0].value == nil)
    #expect(results[0].summary == "success-rate no value (>= 99.5%): not-enough-traffic (3 requests in the window)")
    #expect(prometheus.asked == [queries[0]])
  }

  @Test func noSeriesIsNoData() async throws {
    let specs = [try AnalysisSpec.parse("latency-p99<=300ms")]
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: .istio, window: .seconds(5))
    let prometheus = TablePrometheus([queries[0]: .vector([])])
    let results = try await CanaryAnalysis.evaluate(
      specs: specs, target: target, mesh: .istio, window: .seconds(5), prometheus: prometheus)
    #expect(results.map(\.verdict) == [.noData])
  }

  @Test func stepVerdictFromItsEvaluations() throws {
    let spec = try AnalysisSpec.parse("success-rate>=99.5")
    func evaluation(_ verdict: AnalysisVerdict) -> AnalysisEvaluation {
      AnalysisEvaluation(spec: spec, query: "q", value: nil, requests: nil, verdict: verdict)
    }
    #expect(CanaryAnalysis.combined([]) == .pass)
    #expect(CanaryAnalysis.combined([evaluation(.pass), evaluation(.pass)]) == .pass)
    #expect(CanaryAnalysis.combined([evaluation(.notEnoughTraffic), evaluation(.fail)]) == .fail)
    #expect(CanaryAnalysis.combined([evaluation(.notEnoughTraffic), evaluation(.noData)]) == .noData)
    #expect(CanaryAnalysis.combined([evaluation(.pass), evaluation(.notEnoughTraffic)]) == .notEnoughTraffic)
  }

  @Test func waitsForTrafficUpToTheBound() async throws {
    let specs = [try AnalysisSpec.parse("success-rate>=99.5")]
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: .istio, window: .seconds(5))
    let prometheus = TablePrometheus([queries[0]: number(2)])
    let slept = SleepLog()
    // Traffic arrives during the second wait.
    let results = try await CanaryAnalysis.evaluateWaitingForTraffic(
      specs: specs, target: target, mesh: .istio, window: .seconds(5), minRequests: 10, prometheus: prometheus,
      bound: .seconds(60), retryEvery: .seconds(5),
      sleep: { duration in
        if slept.record(duration) == 2 {
          prometheus.answers = [queries[0]: number(100), queries[1]: number(100)]
        }
      })
    #expect(results.map(\.verdict) == [.pass])
    #expect(slept.durations == [.seconds(5), .seconds(5)])
  }

  @Test func givesUpAtTheBound() async throws {
    let specs = [try AnalysisSpec.parse("success-rate>=99.5")]
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: .linkerd, window: .seconds(5))
    let prometheus = TablePrometheus([queries[0]: number(0)])
    let slept = SleepLog()
    var waits: [Duration] = []
    let results = try await CanaryAnalysis.evaluateWaitingForTraffic(
      specs: specs, target: target, mesh: .linkerd, window: .seconds(5), minRequests: 10, prometheus: prometheus,
      bound: .seconds(12), retryEvery: .seconds(5), sleep: { _ = slept.record($0) }, onWait: { waits.append($1) })
    #expect(results.map(\.verdict) == [.notEnoughTraffic])
    #expect(slept.durations == [.seconds(5), .seconds(5), .seconds(2)])
    #expect(waits == [.seconds(12), .seconds(7), .seconds(2)])
  }

  @Test func prometheusErrorsPropagate() async throws {
    let specs = [try AnalysisSpec.parse("latency-p99<=300ms")]
    await #expect(throws: PrometheusError.self) {
      try await CanaryAnalysis.evaluate(
        specs: specs, target: target, mesh: .istio, window: .seconds(5), prometheus: TablePrometheus())
    }
  }
}

@Suite struct PlaintextCallersTests {
  func sample(_ labels: [String: String], _ value: Double) -> PrometheusSample {
    PrometheusSample(metric: labels, value: .init(time: 1, value: value))
  }

  @Test func istioRequestsAndConnectionsPerCaller() throws {
    let queries = try PlaintextCallers.queries(
      scope: PlaintextScope(namespace: "shop"), mesh: .istio, window: .seconds(60))
    let answers: [(PlaintextCallers.Query, PrometheusResult)] = [
      (
        queries[0],
        .vector([
          sample(
            [
              "destination_workload": "checkout", "destination_workload_namespace": "shop",
              "source_workload": "legacy", "source_workload_namespace": "old",
            ], 11.6),
          sample(
            [
              "destination_workload": "cart", "destination_workload_namespace": "shop", "source_workload": "unknown",
              "source_workload_namespace": "unknown",
            ], 3),
        ])
      ),
      (
        queries[1],
        .vector([
          sample(
            [
              "destination_workload": "checkout", "destination_workload_namespace": "shop",
              "source_workload": "legacy", "source_workload_namespace": "old",
            ], 2)
        ])
      ),
    ]
    let callers = PlaintextCallers.callers(answers)
    #expect(
      callers == [
        PlaintextCaller(
          destinationWorkload: "cart", destinationNamespace: "shop", sourceWorkload: "unknown",
          sourceNamespace: "unknown", requests: 3),
        PlaintextCaller(
          destinationWorkload: "checkout", destinationNamespace: "shop", sourceWorkload: "legacy",
          sourceNamespace: "old", requests: 12, connections: 2),
      ])
    #expect(callers[1].description == "legacy.old -> checkout.shop: 12 requests, 2 connections")
  }

  @Test func linkerdNamesMeshedCallersAndCountsTheRest() throws {
    let queries = try PlaintextCallers.queries(
      scope: PlaintextScope(namespace: "shop", workload: "checkout"), mesh: .linkerd, window: .seconds(60))
    let answers: [(PlaintextCallers.Query, PrometheusResult)] = [
      (queries[0], .vector([sample(["deployment": "checkout", "namespace": "shop"], 30)])),
      (
        queries[1],
        .vector([
          sample(
            ["dst_deployment": "checkout", "dst_namespace": "shop", "deployment": "batch", "namespace": "jobs"], 20)
        ])
      ),
    ]
    let callers = PlaintextCallers.callers(answers)
    #expect(
      callers.map(\.description) == [
        "batch.jobs -> checkout.shop: 20 requests", "an unidentified caller -> checkout.shop: 10 requests",
      ])
  }

  @Test func nothingSeenIsAnEmptyList() throws {
    let queries = try PlaintextCallers.queries(
      scope: PlaintextScope(namespace: "shop"), mesh: .istio, window: .seconds(60))
    #expect(PlaintextCallers.callers(queries.map { ($0, .vector([])) }).isEmpty)
  }
}

@Suite struct PrometheusLocatorTests {
  func makeClient(_ access: PrometheusAccess) throws -> PrometheusClient {
    PrometheusClient(baseURL: access.url, transport: ScriptedServer(answers: [:]))
  }

  @Test func explicitSourcesInOrder() async throws {
    var config = MeshConfig()
    config.prometheusURL = "http://from-config:9090"
    let environment = ["MESHCTL_PROMETHEUS": "http://from-env:9090"]
    let flag = try await PrometheusLocator.locate(
      flag: "http://from-flag:9090", environment: environment, meshConfig: config, provider: .istio, api: nil,
      makeClient: makeClient)
    #expect(flag.description == "prometheus http://from-flag:9090 (from --prometheus)")
    let env = try await PrometheusLocator.locate(
      flag: nil, environment: environment, meshConfig: config, provider: .istio, api: nil, makeClient: makeClient)
    #expect(env.description == "prometheus http://from-env:9090 (from MESHCTL_PROMETHEUS)")
    let fromConfig = try await PrometheusLocator.locate(
      flag: "", environment: [:], meshConfig: config, provider: .istio, api: nil, makeClient: makeClient)
    #expect(fromConfig.description == "prometheus http://from-config:9090 (from MeshConfig spec.prometheus.url)")
    await #expect(throws: MeshOpsError.self) {
      try await PrometheusLocator.locate(
        flag: "prometheus:9090", environment: [:], meshConfig: nil, provider: nil, api: nil, makeClient: makeClient)
    }
  }

  @Test func findsTheMeshsServiceThroughTheAPIServerProxy() async throws {
    let server = ScriptedServer(answers: [
      "/api/v1": Discovery.core,
      "/api/v1/namespaces/linkerd-viz/services/prometheus":
        #"{"kind":"Service","metadata":{"name":"prometheus","namespace":"linkerd-viz"},"spec":{"ports":[{"name":"admin-http","port":9090}]}}"#,
      "/api/v1/namespaces/linkerd-viz/services/prometheus:9090/proxy/api/v1/query":
        #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}}"#,
    ])
    let api = KubeAPI(
      connection: ClusterConnection(source: .inCluster, server: "https://kube.test:6443"), transport: server)
    let found = try await PrometheusLocator.locate(
      flag: nil, environment: [:], meshConfig: nil, provider: .linkerd, api: api, makeClient: makeClient)
    #expect(found.source == .serviceProxy(namespace: "linkerd-viz", name: "prometheus", port: 9090))
    #expect(found.description.hasSuffix("(from service linkerd-viz/prometheus via the API server proxy)"))
    #expect(try await found.client.query("vector(1)", at: nil).singleValue == 1)
    #expect(
      server.requests.last?.url
        == "https://kube.test:6443/api/v1/namespaces/linkerd-viz/services/prometheus:9090/proxy/api/v1/query?query=vector%281%29"
    )
  }

  @Test func saysWhereItLookedWhenThereIsNone() async throws {
    let server = ScriptedServer(answers: ["/api/v1": Discovery.core])
    let api = KubeAPI(
      connection: ClusterConnection(source: .inCluster, server: "https://kube.test:6443"), transport: server)
    await #expect {
      try await PrometheusLocator.locate(
        flag: nil, environment: [:], meshConfig: nil, provider: .istio, api: api, makeClient: makeClient)
    } throws: { error in
      "\(error)".contains("no Service istio-system/prometheus, linkerd-viz/prometheus in the cluster")
        && "\(error)".contains("--prometheus URL")
    }
  }
}
