import Foundation
import KubeClient
import Manifest
import MeshOps
import TestSupport
import Testing

@testable import MeshctlCLI

extension ScriptedServer {
  /// A cluster with Istio's security group: namespace `team` holds a meshed Deployment `web`
  /// and an unmeshed `legacy`; every list not scripted is empty; PATCHes are echoed.
  static func istioTeam() -> ScriptedServer {
    ScriptedServer(
      answers: [
        "/apis": Discovery.istioGroups, "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
        "/apis/security.istio.io/v1": Discovery.istioSecurity,
        "/api/v1/namespaces/team": #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team"}}"#,
        "/apis/apps/v1/namespaces/team/deployments": #"""
        {"kind":"DeploymentList","items":[
          {"metadata":{"name":"web","namespace":"team"},"spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web"},{"name":"istio-proxy"}]}}}},
          {"metadata":{"name":"legacy","namespace":"team"},"spec":{"template":{"metadata":{"labels":{"app":"legacy"}},"spec":{"containers":[{"name":"legacy"}]}}}}]}
        """#,
      ], emptyCollections: true)
  }
}

/// `mtls status` and `mtls enable` at the command tier, against the scripted cluster.
@Suite struct MTLSCommandTests {
  func world(_ cluster: ScriptedServer) throws -> (FakeWorld, CommandContext, URL) {
    let world = FakeWorld()
    let (context, directory) = try world.clusterContext(transport: cluster, token: "t")
    return (world, context, directory)
  }

  @Test func strictIsRefusedBeforeAnyWrite() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "enable", "--mode", "STRICT"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("namespace team has no istio-proxy sidecar:\n  deployment/legacy\n"))
    #expect(world.stderr.text.contains("--mode PERMISSIVE -n team"))
    #expect(!cluster.requests.contains { $0.method != .get })
    #expect(world.stdout.text.isEmpty)
  }

  @Test func aSelectorOfMeshedWorkloadsIsAppliedAsAPeerAuthentication() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "enable", "--mode", "STRICT", "-l", "app=web"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stdout.text == "peerauthentication.security.istio.io/app-web serverside-applied\n")
    let patches = cluster.requests.filter { $0.method == .patch }
    #expect(patches.count == 1)
    let patch = try #require(patches.first)
    #expect(patch.url.contains("/apis/security.istio.io/v1/namespaces/team/peerauthentications/app-web?"))
    #expect(patch.url.contains("fieldManager=meshctl"))
    let body = String(decoding: patch.body, as: UTF8.self)
    #expect(body.contains(#""selector":{"matchLabels":{"app":"web"}}"#))
    #expect(body.contains(#""mtls":{"mode":"STRICT"}"#))
  }

  @Test func statusReportsEachWorkload() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "status"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(
      world.stdout.text == """
        NAMESPACE   WORKLOAD            MODE         SOURCE         SIDECAR
        team        deployment/legacy   PERMISSIVE   mesh default   no
        team        deployment/web      PERMISSIVE   mesh default   yes (injected)

        """)
  }

  @Test func badModeAndSelectorAreUsageErrors() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (_, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["mtls", "enable", "--mode", "LOOSE"], context: context) == 64)
    #expect(await runCommand(["mtls", "enable", "--mode", "STRICT", "--selector", "app"], context: context) == 64)
    #expect(cluster.requests.isEmpty)
  }
}

extension ScriptedServer {
  /// The proxy path of istio-system/prometheus's query API.
  static let prometheusQueryPath = "/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/query"

  /// `istioTeam` with Istio's Prometheus Service, answering every query with `result` (a JSON
  /// vector's samples).
  static func istioTeamWithPrometheus(result: String) -> ScriptedServer {
    let server = istioTeam()
    server.answer(
      "/api/v1/namespaces/istio-system/services/prometheus",
      with: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"prometheus","namespace":"istio-system"},"spec":{"ports":[{"port":9090}]}}"#
    )
    server.answer(
      prometheusQueryPath, with: #"{"status":"success","data":{"resultType":"vector","result":\#(result)}}"#)
    return server
  }

  /// One plaintext caller, legacy.old → web.team, 12 (Istio's labels); the scripted Prometheus
  /// gives it to the request and the connection query alike.
  static let plaintextSample =
    #"[{"metric":{"destination_workload":"web","destination_workload_namespace":"team","source_workload":"legacy","source_workload_namespace":"old"},"value":[1796000000,"12"]}]"#
}

/// `mtls check`, and STRICT's plaintext traffic check, against a scripted Prometheus reached
/// through the scripted API server's service proxy.
@Suite struct MTLSCheckCommandTests {
  func world(_ cluster: ScriptedServer) throws -> (FakeWorld, CommandContext, URL) {
    try MTLSCommandTests().world(cluster)
  }

  @Test func listsThePlaintextCallersAndExits1() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: ScriptedServer.plaintextSample)
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "check", "--window", "10m"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(
      world.stdout.text
        == "NAMESPACE   WORKLOAD   SOURCE       REQUESTS   CONNECTIONS\nteam        web        legacy.old   12         12\n")
    #expect(world.stderr.text.contains("using prometheus https://cluster.test/api/v1/namespaces/istio-system/services/prometheus:9090/proxy (from service istio-system/prometheus via the API server proxy)"))
    let queries = cluster.requests.filter { $0.url.contains("/proxy/api/v1/query") }
    #expect(queries.count == 2)
    #expect(queries.allSatisfy { $0.url.contains("%5B10m%5D") || $0.url.contains("[10m]") })
  }

  @Test func noPlaintextCallerIsExit0AndJSONHasTheList() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: "[]")
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "check", "-o", "json"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stdout.text.contains(#""plaintextCallers": []"#))
    #expect(world.stdout.text.contains(#""window": "5m""#))
  }

  @Test func withoutPrometheusTheCheckWasNotPossible() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "check"], context: context)
    #expect(code == 3)
    #expect(world.stderr.text.contains("the plaintext traffic check was not possible: no Prometheus found"))
    #expect(world.stdout.text.isEmpty)
  }

  @Test func strictIsRefusedWhilePlaintextCallersAreSeenUnlessForced() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: ScriptedServer.plaintextSample)
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "enable", "--mode", "STRICT", "-l", "app=web"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("refusing STRICT mTLS in namespace team: plaintext traffic was seen in the last 5m"))
    #expect(world.stderr.text.contains("  legacy.old -> web.team: 12 requests, 12 connections\n"))
    #expect(!cluster.requests.contains { $0.method != .get })

    let forcedCluster = ScriptedServer.istioTeamWithPrometheus(result: ScriptedServer.plaintextSample)
    let (forcedWorld, forcedContext, forcedDirectory) = try self.world(forcedCluster)
    defer { try? FileManager.default.removeItem(at: forcedDirectory) }
    let forced = await runCommand(
      ["mtls", "enable", "--mode", "STRICT", "-l", "app=web", "--force"], context: forcedContext)
    #expect(forced == 0, "\(forcedWorld.stderr.text)")
    #expect(forcedCluster.requests.filter { $0.method == .patch }.count == 1)
  }

  @Test func strictWithoutPrometheusWarnsAndApplies() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "enable", "--mode", "STRICT", "-l", "app=web"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("Warning: the plaintext traffic check was not possible: no Prometheus found"))
    #expect(cluster.requests.filter { $0.method == .patch }.count == 1)
  }

  @Test func permissiveRunsNoTrafficCheck() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: ScriptedServer.plaintextSample)
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["mtls", "enable", "--mode", "PERMISSIVE"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(!cluster.requests.contains { $0.url.contains("/proxy/") })
  }
}

/// `top` against a scripted Prometheus behind the scripted API server's service proxy.
@Suite struct TopCommandTests {
  static let sample =
    #"[{"metric":{"destination_workload":"web","destination_workload_namespace":"team"},"value":[1796000000,"12.345"]}]"#

  @Test func printsOneRowPerWorkload() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: Self.sample)
    let (world, context, directory) = try MTLSCommandTests().world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["top", "--window", "30s"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(
      world.stdout.text
        == "NAMESPACE   WORKLOAD   RPS     SUCCESS   P50       P99\nteam        web        12.35   12.35%    12.35ms   12.35ms\n")
    let queries = cluster.requests.filter { $0.url.contains("/proxy/api/v1/query") }
    #expect(queries.count == 4)
  }

  @Test func watchRefreshesUntilInterrupted() async throws {
    let cluster = ScriptedServer.istioTeamWithPrometheus(result: "[]")
    let (world, baseContext, directory) = try MTLSCommandTests().world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    var context = baseContext
    let interrupts = CountdownInterrupts(after: 2)
    context.watchInterrupts = { interrupts }
    context.sleep = { _, _ in interrupts.tick() }
    let code = await runCommand(["top", "--watch", "-o", "json"], context: context)
    #expect(code == 130, "\(world.stderr.text)")
    #expect(world.stdout.text.split(separator: "\n").count == 2)
    #expect(interrupts.stopped)
  }

  @Test func withoutPrometheusItIsExit3() async throws {
    let cluster = ScriptedServer.istioTeam()
    let (world, context, directory) = try MTLSCommandTests().world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["top"], context: context) == 3)
    #expect(world.stderr.text.contains("no Prometheus found"))
  }
}

/// A signal that fires after `after` sleeps.
final class CountdownInterrupts: InterruptSource, @unchecked Sendable {
  private let lock = NSLock()
  private var left: Int
  private var stoppedNow = false

  init(after: Int) { left = after }

  func tick() { lock.withLock { left -= 1 } }
  var fired: Bool { lock.withLock { left <= 0 } }
  var stopped: Bool { lock.withLock { stoppedNow } }
  func stop() { lock.withLock { stoppedNow = true } }
}
