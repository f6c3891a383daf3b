import Foundation
import KubeClient
import MeshOps
import MeshSchema
import TestSupport
import Testing

extension Tag {
  /// Runs a real external program (here the Debian package's Prometheus).
  @Tag static var realPrometheus: Self
}

/// The real Prometheus scraping the test exporter (Tests/Prometheus/harness.py), started once
/// for the test process. The harness stops Prometheus when its standard input closes, which
/// happens when this process ends, however it ends.
final class PrometheusHarness: Sendable {
  /// The Prometheus binary: `$MESHCTL_PROMETHEUS_BINARY` (scripts/test.sh sets it), else what
  /// scripts/ensure-prometheus.sh finds or installs; nil when the package cannot be had.
  static let binary: String? = {
    if let path = ProcessInfo.processInfo.environment["MESHCTL_PROMETHEUS_BINARY"], !path.isEmpty { return path }
    let script = TestPaths.packageRoot.appendingPathComponent("scripts/ensure-prometheus.sh")
    let process = Process()
    process.executableURL = script
    let output = Pipe()
    process.standardOutput = output
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return path.isEmpty ? nil : path
  }()

  /// The harness of this test process, started on first use.
  static let shared: Result<PrometheusHarness, HarnessFailure> = {
    do { return .success(try PrometheusHarness()) } catch let failure as HarnessFailure {
      return .failure(failure)
    } catch {
      return .failure(HarnessFailure(message: "\(error)"))
    }
  }()

  struct HarnessFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  /// Prometheus's base URL.
  let prometheusURL: String
  /// The exporter's base URL.
  let exporterURL: String
  private let process: Process
  private let input: Pipe
  private let transport: CurlTransport

  private init() throws {
    let binary = try #require(Self.binary)
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", TestPaths.testsDirectory("Prometheus").appendingPathComponent("harness.py").path, "--prometheus",
      binary,
    ]
    input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // The harness prints one JSON line when Prometheus has scraped the exporter, or exits (its
    // own deadline is 60 s): either way this read ends.
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line += chunk
    }
    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: String],
      let prometheus = object["prometheus"], let exporter = object["exporter"]
    else {
      let stderr = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
      throw HarnessFailure(message: "the Prometheus harness did not start: \(stderr)")
    }
    prometheusURL = prometheus
    exporterURL = exporter
    transport = try CurlTransport(options: TransportOptions(proxy: .none, preferHTTP2: false))
  }

  /// A client for the harness's Prometheus, as meshctl would build one (libcurl, retries).
  var client: PrometheusClient {
    PrometheusClient(baseURL: prometheusURL, transport: RetryingTransport(base: transport))
  }

  /// Sets one backend's traffic in the exporter (see mesh_exporter.py for the fields).
  func setBackend(_ json: String) async throws {
    let request = HTTPRequest(
      method: .post, url: exporterURL + "/backends", headers: ["Content-Type": "application/json"],
      body: Array(json.utf8))
    let response = try await transport.send(request)
    #expect(response.status == 200, "the exporter refused \(json): \(response.text)")
  }

  /// Waits (bounded) until Prometheus holds `samples` scrapes of `counter` matching `selector`
  /// in the last `window`, so that a query over the window sees only the backend's settings.
  /// The bound is generous: on 2 cores the rest of the suite can keep this task from running
  /// for a long while, and it only matters when Prometheus never gets there.
  func waitForSamples(of counter: String, _ selector: String, window: String, samples: Int = 5) async throws {
    let query = "min(count_over_time(\(counter)\(selector)[\(window)]))"
    let deadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < deadline {
      if let count = try await client.query(query, at: nil).singleValue, count >= Double(samples) { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("Prometheus never held \(samples) samples for \(query)")
  }
}

/// PromQL meshctl builds, run on the real Prometheus engine against Istio- and Linkerd-shaped
/// series whose traffic the tests set. Skipped only when the Debian package `prometheus` cannot
/// be installed.
@Suite(
  .tags(.realPrometheus),
  .enabled(if: PrometheusHarness.binary != nil, "the Debian package prometheus is not installed and could not be"))
struct PrometheusAnalysisTests {
  static let window = Duration.seconds(5)

  func harness() throws -> PrometheusHarness { try PrometheusHarness.shared.get() }

  /// Creates a backend and waits until a window of it is in Prometheus.
  func backend(
    _ mesh: MeshConfig.Provider, _ workload: String, namespace: String = "shop", version: String? = nil,
    rps: Double, errorRate: Double = 0, latencyMs: Double = 120, plaintext: String = "[]"
  ) async throws -> AnalysisTarget {
    let harness = try harness()
    try await harness.setBackend(
      #"{"mesh":"\#(mesh.rawValue)","workload":"\#(workload)","namespace":"\#(namespace)","version":"\#(version ?? "v1")","rps":\#(rps),"errorRate":\#(errorRate),"latencyMs":\#(latencyMs),"plaintext":\#(plaintext)}"#
    )
    let target = AnalysisTarget(workload: workload, namespace: namespace, version: version)
    let counter = mesh == .istio ? "istio_requests_total" : "request_total"
    try await harness.waitForSamples(
      of: counter, CanaryAnalysis.selector(target, mesh: mesh), window: try CanaryAnalysis.range(Self.window))
    return target
  }

  func evaluate(_ specs: [String], _ target: AnalysisTarget, _ mesh: MeshConfig.Provider, minRequests: Double = 10)
    async throws -> [AnalysisEvaluation]
  {
    try await CanaryAnalysis.evaluate(
      specs: try specs.map(AnalysisSpec.parse), target: target, mesh: mesh, window: Self.window,
      minRequests: minRequests, prometheus: try harness().client)
  }

  @Test(arguments: MeshConfig.Provider.allCases)
  func healthyBackendPasses(mesh: MeshConfig.Provider) async throws {
    let target = try await backend(mesh, "healthy-\(mesh.rawValue)", rps: 20)
    let results = try await evaluate(
      ["success-rate>=99.5", "latency-p99<=300ms", "latency-p50<=300ms", "request-rate>=10"], target, mesh)
    #expect(results.map(\.verdict) == [.pass, .pass, .pass, .pass], "\(results.map(\.summary))")
    #expect(results[0].value == 100)
    // Every request takes 120 ms: the quantiles fall in the bucket that holds 120.
    let bucket: ClosedRange<Double> = mesh == .istio ? 100...250 : 100...200
    #expect(results[1].value.map(bucket.contains) == true, "p99 \(String(describing: results[1].value))")
    #expect(results[3].value.map((15.0...25.0).contains) == true, "rate \(String(describing: results[3].value))")
    // The request count is the window's worth of 20 req/s (extrapolated by increase()).
    #expect(results[0].requests.map((70.0...130.0).contains) == true, "\(String(describing: results[0].requests))")
  }

  @Test(arguments: MeshConfig.Provider.allCases)
  func fivePercentErrorsFailWithTheMeasuredValue(mesh: MeshConfig.Provider) async throws {
    let target = try await backend(mesh, "errors-\(mesh.rawValue)", rps: 20, errorRate: 0.05)
    let results = try await evaluate(["success-rate>=99.5", "latency-p99<=300ms"], target, mesh)
    #expect(results.map(\.verdict) == [.fail, .pass], "\(results.map(\.summary))")
    let value = try #require(results[0].value)
    #expect((94.5...95.5).contains(value), "success rate \(value)")
    #expect(results[0].summary.hasPrefix("success-rate 95"), "\(results[0].summary)")
  }

  @Test(arguments: MeshConfig.Provider.allCases)
  func latencyRegressionFailsTheQuantile(mesh: MeshConfig.Provider) async throws {
    let target = try await backend(mesh, "slow-\(mesh.rawValue)", rps: 20, latencyMs: 800)
    let results = try await evaluate(["success-rate>=99.5", "latency-p99<=300ms"], target, mesh)
    #expect(results.map(\.verdict) == [.pass, .fail], "\(results.map(\.summary))")
    let value = try #require(results[1].value)
    #expect((500...1000).contains(value), "p99 \(value)")
  }

  @Test(arguments: MeshConfig.Provider.allCases)
  func noTrafficIsNotEnoughTraffic(mesh: MeshConfig.Provider) async throws {
    let target = try await backend(mesh, "idle-\(mesh.rawValue)", rps: 0)
    let results = try await evaluate(["success-rate>=99.5", "latency-p99<=300ms"], target, mesh)
    #expect(results.map(\.verdict) == [.notEnoughTraffic, .notEnoughTraffic], "\(results.map(\.summary))")
    #expect(results[0].requests == 0)
  }

  @Test func fewerRequestsThanTheMinimumIsNotEnoughTraffic() async throws {
    let target = try await backend(.istio, "trickle", rps: 1)
    let results = try await evaluate(["success-rate>=99.5"], target, .istio, minRequests: 50)
    #expect(results.map(\.verdict) == [.notEnoughTraffic], "\(results.map(\.summary))")
  }

  @Test func noSeriesIsNoData() async throws {
    _ = try harness()
    let target = AnalysisTarget(workload: "not-scraped", namespace: "shop")
    let results = try await evaluate(["success-rate>=99.5"], target, .linkerd)
    #expect(results.map(\.verdict) == [.noData])
  }

  @Test func istioVersionLabelSelectsTheCanary() async throws {
    // Two versions of one workload name at once: only v2's traffic counts.
    async let stable = backend(.istio, "reviews", namespace: "versions", version: "v1", rps: 20)
    let canary = try await backend(.istio, "reviews", namespace: "versions", version: "v2", rps: 20, errorRate: 0.1)
    _ = try await stable
    let results = try await evaluate(["success-rate>=99.5"], canary, .istio)
    let value = try #require(results[0].value)
    #expect(results[0].verdict == .fail && (89.5...90.5).contains(value), "\(results[0].summary)")
  }

  @Test func invalidPromQLIsAPrometheusError() async throws {
    let client = try harness().client
    await #expect {
      try await client.query("sum(rate(x[5s]", at: nil)
    } throws: { error in
      guard case .query(_, _, let errorType, _) = error as? PrometheusError else { return false }
      return errorType == "bad_data"
    }
  }

  @Test func istioPlaintextCallersAreExactlyTheExportersOnes() async throws {
    let plaintext =
      #"[{"workload":"legacy","namespace":"old","rps":4,"tcpPerSecond":2},{"workload":"unknown","namespace":"unknown","rps":2}]"#
    async let checkout = backend(.istio, "checkout", namespace: "pay", rps: 20, plaintext: plaintext)
    // Only mTLS traffic reaches ledger: it has no plaintext caller to list.
    async let ledger = backend(.istio, "ledger", namespace: "pay", rps: 20)
    _ = try await (checkout, ledger)
    let callers = try await PlaintextCallers.find(
      scope: PlaintextScope(namespace: "pay"), mesh: .istio, window: Self.window, prometheus: try harness().client)
    #expect(
      callers.map { "\($0.sourceWorkload ?? "-").\($0.sourceNamespace ?? "-") -> \($0.destinationWorkload)" } == [
        "legacy.old -> checkout", "unknown.unknown -> checkout",
      ])
    // 4 req/s and 2 conn/s over 5 s, as increase() extrapolates them.
    #expect(
      callers.first.map { (14...26).contains($0.requests) && (7...13).contains($0.connections) } == true, "\(callers)")
    #expect(callers.last.map { (7...13).contains($0.requests) && $0.connections == 0 } == true, "\(callers)")
  }

  @Test func linkerdPlaintextCallersNameMeshedOnesAndCountTheRest() async throws {
    let plaintext =
      #"[{"workload":"batch","namespace":"jobs","rps":4,"meshed":true},{"workload":"outside","namespace":"none","rps":2}]"#
    let target = try await backend(.linkerd, "checkout", namespace: "pay-l5d", rps: 20, plaintext: plaintext)
    let callers = try await PlaintextCallers.find(
      scope: PlaintextScope(namespace: target.namespace, workload: target.workload), mesh: .linkerd,
      window: Self.window, prometheus: try harness().client)
    #expect(
      callers.map { caller in caller.sourceWorkload.map { "\($0).\(caller.sourceNamespace ?? "-")" } ?? "unidentified" }
        == [
          "batch.jobs", "unidentified",
        ], "\(callers)")
    #expect(callers.first.map { (14...26).contains($0.requests) } == true, "\(callers)")
    #expect(callers.last.map { (7...13).contains($0.requests) } == true, "\(callers)")
  }
}
