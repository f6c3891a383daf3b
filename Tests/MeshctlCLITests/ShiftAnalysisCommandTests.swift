import Foundation
import KubeClient
import Manifest
import MeshOps
import TestSupport
import Testing

@testable import MeshctlCLI

/// `shift --analysis` at the command tier: the canary cluster with its Deployments, and a
/// Prometheus (`MESHCTL_PROMETHEUS`) answered by the same scripted server with one number.
@Suite struct ShiftAnalysisCommandTests {
  static let deployments = #"""
    {"kind":"DeploymentList","items":[
      {"metadata":{"name":"cart-v1","namespace":"team"},"spec":{"template":{"metadata":{"labels":{"app":"cart","version":"v1"}}}}},
      {"metadata":{"name":"cart-v2","namespace":"team"},"spec":{"template":{"metadata":{"labels":{"app":"cart","version":"v2"}}}}}]}
    """#

  /// The canary cluster with Deployments and the Service; every Prometheus query answers `value`.
  func server(value: String) -> ScriptedServer {
    let server = CanaryCluster.server()
    server.answer("/apis/apps/v1/namespaces/team/deployments", with: Self.deployments)
    server.answer(
      "/api/v1/namespaces/team/services/cart",
      with: #"{"kind":"Service","metadata":{"name":"cart","namespace":"team"},"spec":{"selector":{"app":"cart"}}}"#)
    server.answer(
      "/api/v1/query",
      with: #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1796000000,"\#(value)"]}]}}"#
    )
    return server
  }

  func context(_ world: FakeWorld, server: ScriptedServer, prometheus: Bool = true) throws -> (CommandContext, URL) {
    if prometheus { world.environment["MESHCTL_PROMETHEUS"] = "http://prometheus.test:9090" }
    var (context, directory) = try world.clusterContext(transport: server, token: "t")
    context.makeTransport = { _, _ in server }
    context.sleep = { _, _ in }
    context.now = { Date(timeIntervalSince1970: 1_796_000_000) }
    context.watchInterrupts = { FakeInterrupts() }
    return (context, directory)
  }

  @Test func aHealthyCanaryWalksToTheEndSayingWhichPrometheusAndEachEvaluation() async throws {
    let world = FakeWorld()
    let server = server(value: "100")
    let (context, directory) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--interval", "10s", "--analysis", "success-rate>=99.5"],
      context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("using prometheus http://prometheus.test:9090 (from MESHCTL_PROMETHEUS)\n"))
    #expect(world.stderr.text.contains("analysis of team/cart-v2 version v2: success-rate>=99.5\n"))
    #expect(world.stderr.text.contains("step 2/2: success-rate 100% (>= 99.5%): pass\n"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=0,v2=100"])
    let queries = server.requests.filter { $0.url.contains("prometheus.test:9090/api/v1/query") }
    #expect(queries.count == 4)
  }

  @Test func aFailingAnalysisIsExit5WithTheWeightsRestored() async throws {
    let world = FakeWorld()
    let server = server(value: "50")
    let (context, directory) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--interval", "10s", "--analysis", "success-rate>=99.5"],
      context: context)
    #expect(code == 5, "\(world.stderr.text)")
    #expect(
      world.stderr.text.contains(
        "the analysis failed after step 1: success-rate 50% (>= 99.5%): fail: weights restored to v1=90,v2=10"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=90,v2=10"])
  }

  @Test func dryRunPrintsThePromQLAndAsksNothing() async throws {
    let world = FakeWorld()
    let server = server(value: "100")
    let (context, directory) = try context(world, server: server, prometheus: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--weight", "50", "--interval", "30s", "--analysis", "latency-p99<=300ms",
       "--dry-run"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    let selector =
      #"{reporter="destination",destination_workload="cart-v2",destination_workload_namespace="team",destination_version="v2"}"#
    #expect(
      world.stdout.text
        == "sum(increase(istio_requests_total\(selector)[30s]))\n"
        + "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket\(selector)[30s])))\n")
    #expect(server.patchedPaths.isEmpty)
    #expect(!server.requests.contains { $0.url.contains("/api/v1/query") })
  }

  @Test func withoutPrometheusNothingIsWrittenAndItIsExit3() async throws {
    let world = FakeWorld()
    let server = server(value: "100")
    let (context, directory) = try context(world, server: server, prometheus: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--weight", "50", "--interval", "10s", "--analysis", "success-rate>=99"],
      context: context)
    #expect(code == 3, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("no Prometheus found: pass --prometheus URL"))
    #expect(server.patchedPaths.isEmpty)
  }

  @Test(arguments: [
    (["--analysis", "errors<1", "--interval", "10s"], "invalid analysis \"errors<1\""),
    (["--analysis", "success-rate>=99"], "canary analysis needs --interval of at least 1s"),
    (["--analysis", "success-rate>=99", "--interval", "10s", "--min-requests", "0"], "--min-requests must be at least 1"),
  ])
  func badAnalysisFlagsAreUsageErrors(extra: [String], message: String) async throws {
    let world = FakeWorld()
    let server = server(value: "100")
    let (context, directory) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--weight", "50"] + extra, context: context)
    #expect(code == 64)
    #expect(world.stderr.text.contains(message), "\(world.stderr.text)")
    #expect(server.requests.isEmpty)
  }
}
