import Foundation
import KubeClient
import Manifest
import TestSupport
import Testing

@testable import MeshctlCLI

/// A scripted Istio cluster for apply's guards: namespace `team` holds Service `cart`
/// (app=cart), a ready pod of version v1 and an unready one of v3; `strict` adds a
/// namespace-wide STRICT PeerAuthentication; `legacy` an unmeshed Deployment.
enum GuardCluster {
  static let networking = Discovery.istioNetworking

  static func server(strict: Bool = false, legacy: Bool = false) -> ScriptedServer {
    var answers = [
      "/apis": Discovery.istioGroups, "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
      "/apis/networking.istio.io/v1": Discovery.istioNetworking,
      "/apis/security.istio.io/v1": Discovery.istioSecurity,
      "/api/v1/namespaces/team": #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team"}}"#,
      "/api/v1/namespaces/team/services": #"""
      {"kind":"ServiceList","items":[{"metadata":{"name":"cart","namespace":"team"},"spec":{"selector":{"app":"cart"},"ports":[{"port":80}]}}]}
      """#,
      "/api/v1/namespaces/team/pods": #"""
      {"kind":"PodList","items":[
        {"metadata":{"name":"cart-v1-a","namespace":"team","labels":{"app":"cart","version":"v1"}},"spec":{"containers":[{"name":"c"},{"name":"istio-proxy"}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}},
        {"metadata":{"name":"cart-v3-a","namespace":"team","labels":{"app":"cart","version":"v3"}},"spec":{"containers":[{"name":"c"},{"name":"istio-proxy"}]},"status":{"conditions":[{"type":"Ready","status":"False"}]}}]}
      """#,
    ]
    if strict {
      answers["/apis/security.istio.io/v1/namespaces/team/peerauthentications"] = #"""
        {"kind":"PeerAuthenticationList","items":[{"metadata":{"name":"default","namespace":"team"},"spec":{"mtls":{"mode":"STRICT"}}}]}
        """#
    }
    if legacy {
      answers["/apis/apps/v1/namespaces/team/deployments"] = #"""
        {"kind":"DeploymentList","items":[
          {"metadata":{"name":"legacy","namespace":"team"},"spec":{"selector":{"matchLabels":{"app":"legacy"}},"template":{"metadata":{"labels":{"app":"legacy"}},"spec":{"containers":[{"name":"legacy"}]}}}}]}
        """#
    }
    return ScriptedServer(answers: answers, emptyCollections: true)
  }

  static func split(v3: Int) -> String {
    """
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: cart, namespace: team}
    spec:
      service: cart
      backends:
      - {name: v1, selector: {version: v1}, weight: \(100 - v3)}
      - {name: v3, selector: {version: v3}, weight: \(v3)}

    """
  }

  static func deployment(_ name: String, labels: String = "app: worker", annotations: String = "{}") -> String {
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: \(name), namespace: team}
    spec:
      selector: {matchLabels: {\(labels)}}
      template:
        metadata:
          labels: {\(labels)}
          annotations: \(annotations)
        spec:
          containers: [{name: app, image: example/app}]

    """
  }

  static let strictPolicy = """
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: default, namespace: team}
    spec: {mode: STRICT}

    """
}

/// `apply`'s guards at the command tier: exit codes, messages, nothing sent, the overrides.
@Suite struct ApplyGuardCommandTests {
  func run(_ arguments: [String], file: String, cluster: ScriptedServer) async throws -> (Int32, FakeWorld) {
    let world = FakeWorld()
    world.files["in.yaml"] = file
    let (context, directory) = try world.clusterContext(transport: cluster, token: "t")
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(arguments + ["-f", "in.yaml"], context: context)
    return (code, world)
  }

  @Test func aSplitToABackendWithoutReadyPodsIsRefused() async throws {
    for dryRun in [[], ["--dry-run=client"], ["--dry-run=server"]] {
      let cluster = GuardCluster.server()
      let (code, world) = try await run(["apply"] + dryRun, file: GuardCluster.split(v3: 20), cluster: cluster)
      #expect(code == 1, "\(dryRun): \(world.stderr.text)")
      #expect(
        world.stderr.text.contains(
          "meshctl: error: TrafficSplit team/cart: backend v3 (selector version=v3) has no ready pods: "
            + "0 of 1 pod matching app=cart,version=v3 is ready\n"))
      #expect(world.stderr.text.contains("--allow-empty"))
      #expect(world.stderr.text.hasSuffix("meshctl: nothing was sent to the cluster\n"))
      #expect(!cluster.requests.contains { $0.method != .get })
      #expect(world.stdout.text.isEmpty)
    }
  }

  @Test func allowEmptyAppliesWithAWarning() async throws {
    let cluster = GuardCluster.server()
    let (code, world) = try await run(["apply", "--allow-empty"], file: GuardCluster.split(v3: 20), cluster: cluster)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("Warning: --allow-empty: TrafficSplit team/cart: backend v3 "))
    #expect(cluster.patchedPaths.contains { $0.hasSuffix("/virtualservices/cart") })
  }

  @Test func aBackendWithoutWeightIsNotChecked() async throws {
    let cluster = GuardCluster.server()
    let (code, world) = try await run(["apply"], file: GuardCluster.split(v3: 0), cluster: cluster)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(!world.stderr.text.contains("no ready pods"))
  }

  @Test func podsTheInputCreatesOnlyWarnAndValidatesWarningsShow() async throws {
    let cluster = GuardCluster.server()
    let file =
      GuardCluster.split(v3: 20) + "---\n" + GuardCluster.deployment("cart-v3", labels: "app: cart, version: v3")
    let (code, world) = try await run(["apply"], file: file, cluster: cluster)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(
      world.stderr.text.contains(
        "Warning: TrafficSplit team/cart: backend v3 (selector version=v3) has no ready pods yet: the input creates "
          + "deployment/cart-v3 (pods matching app=cart,version=v3); it gets traffic before they are ready\n"))
    // validate's MC2002 for the backend that selects no pod template of the input (its pods
    // run in the cluster already).
    #expect(world.stderr.text.contains("warning: backend `v1` selects version=v1"))
    #expect(world.stderr.text.contains("[MC2002]"))
  }

  @Test func diffWarnsAboutAnEmptyBackend() async throws {
    let cluster = GuardCluster.server()
    let (code, world) = try await run(["diff"], file: GuardCluster.split(v3: 20), cluster: cluster)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(
      world.stderr.text.contains("Warning: TrafficSplit team/cart: backend v3 (selector version=v3) has no ready"))
  }

  @Test func anUnmeshedWorkloadUnderStrictIsRefused() async throws {
    let file = GuardCluster.deployment("worker", annotations: "{sidecar.istio.io/inject: \"false\"}")
    let cluster = GuardCluster.server(strict: true)
    let (code, world) = try await run(["apply"], file: file, cluster: cluster)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(
      world.stderr.text.contains(
        "meshctl: error: team/deployment/worker would run under STRICT mTLS (STRICT, from PeerAuthentication "
          + "team/default) with no istio-proxy sidecar\n"))
    #expect(world.stderr.text.hasSuffix("meshctl: nothing was sent to the cluster\n"))
    #expect(!cluster.requests.contains { $0.method != .get })

    let forced = GuardCluster.server(strict: true)
    let (forcedCode, forcedWorld) = try await run(["apply", "--force"], file: file, cluster: forced)
    #expect(forcedCode == 0, "\(forcedWorld.stderr.text)")
    #expect(forcedWorld.stderr.text.contains("Warning: --force: team/deployment/worker would run under STRICT"))
    #expect(forced.patchedPaths == ["/apis/apps/v1/namespaces/team/deployments/worker"])
  }

  @Test func aMeshedWorkloadUnderStrictOrAnyWorkloadUnderPermissiveGoesThrough() async throws {
    let meshed = GuardCluster.deployment("worker", labels: "app: worker, sidecar.istio.io/inject: \"true\"")
    let strict = GuardCluster.server(strict: true)
    let (code, world) = try await run(["apply"], file: meshed, cluster: strict)
    #expect(code == 0, "\(world.stderr.text)")
    let permissive = GuardCluster.server()
    let bare = GuardCluster.deployment("worker")
    let (permissiveCode, permissiveWorld) = try await run(["apply"], file: bare, cluster: permissive)
    #expect(permissiveCode == 0, "\(permissiveWorld.stderr.text)")
  }

  @Test func aStrictPolicyInTheInputCoversTheInputAndTheClustersWorkloads() async throws {
    let cluster = GuardCluster.server(legacy: true)
    let file = GuardCluster.strictPolicy + "---\n" + GuardCluster.deployment("worker")
    let (code, world) = try await run(["apply"], file: file, cluster: cluster)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("team/deployment/worker would run under STRICT mTLS"))
    #expect(world.stderr.text.contains("team/deployment/legacy would run under STRICT mTLS"))
    #expect(world.stderr.text.contains("(STRICT, from MTLSPolicy team/default)"))
    #expect(!cluster.requests.contains { $0.method != .get })
  }

  @Test func theGuardsCostAFewListsPerNamespace() async throws {
    let cluster = GuardCluster.server(strict: true)
    var file = GuardCluster.split(v3: 0)
    for index in 0..<50 {
      file +=
        "---\n" + GuardCluster.deployment("w\(index)", labels: "app: w\(index), sidecar.istio.io/inject: \"true\"")
    }
    let (code, world) = try await run(["apply"], file: file, cluster: cluster)
    #expect(code == 0, "\(world.stderr.text)")
    let gets = cluster.requests.filter { $0.method == .get }.map(RequestLog.path)
    let reads = gets.filter { $0.contains("/namespaces/") }
    // Rendering: Services and three workload kinds; readiness: Services and Pods; STRICT
    // guard: the Namespace and the PeerAuthentications of team and istio-system.
    #expect(reads.count <= 10, "\(reads)")
    #expect(cluster.patchedPaths.count == 52)
  }
}
