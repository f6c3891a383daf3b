import Foundation
import KubeClient
import Manifest
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
