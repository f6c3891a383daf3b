import ArgumentParser
import Foundation
import KubeClient
import Manifest
import TestSupport
import Testing

@testable import MeshctlCLI

extension ScriptedServer {
  /// A server with discovery for the core and apps groups only (no mesh installed): every
  /// other GET is a 404.
  static func appsOnly() -> ScriptedServer {
    ScriptedServer(answers: ["/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps, "/apis": appsGroups])
  }

  /// `/apis` serving apps alone.
  static let appsGroups = #"""
    {"kind":"APIGroupList","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}
    """#
}

/// Runs a command on a thread of its own, as the binary runs it on the main thread: commands
/// block their thread while async work runs on the cooperative pool, which test functions share.
func runCommand(_ arguments: [String], context: CommandContext) async -> Int32 {
  let box = UncheckedBox(context)
  return await withCheckedContinuation { continuation in
    Thread { continuation.resume(returning: Meshctl.run(arguments: arguments, context: box.value)) }.start()
  }
}

/// Hands a non-Sendable value to one other thread, which alone uses it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

/// The cluster commands at the command tier: a fake context whose transport is scripted.
@Suite struct ClusterCommandTests {
  static let manifests = """
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      ports:
      - port: 80
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop

    """

  /// A world with the manifests, its context connected to the scripted cluster.
  func world(_ cluster: ScriptedServer) throws -> (FakeWorld, CommandContext, URL) {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.manifests
    let (context, directory) = try world.clusterContext(transport: cluster, token: "s3cret-token")
    return (world, context, directory)
  }

  @Test func applySendsTiersInOrderWithNamespacesFilledIn() async throws {
    let cluster = ScriptedServer.appsOnly()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["apply", "-f", "app.yaml"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(
      cluster.patchedPaths == [
        "/api/v1/namespaces/shop", "/api/v1/namespaces/shop/services/web",
        "/apis/apps/v1/namespaces/team/deployments/web",
      ])
    #expect(
      world.stdout.text
        == "service/web serverside-applied\ndeployment.apps/web serverside-applied\nnamespace/shop serverside-applied\n"
    )
    let deployment = try #require(cluster.requests.first { $0.url.contains("/deployments/web") })
    #expect(deployment.url.contains("fieldManager=meshctl"))
    #expect(!deployment.url.contains("force="))
    #expect(deployment.headers["Content-Type"] == "application/apply-patch+yaml")
    // The namespace of the context was filled in; the body is JSON.
    #expect(String(decoding: deployment.body, as: UTF8.self).contains(#""namespace":"team""#))
  }

  @Test func dryRunServerAndForceConflictsReachTheQuery() async throws {
    let cluster = ScriptedServer.appsOnly()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["apply", "-f", "app.yaml", "--dry-run=server", "--force-conflicts", "--field-manager", "ci"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    let patches = cluster.requests.filter { $0.method == .patch }
    #expect(patches.count == 3)
    #expect(
      patches.allSatisfy {
        $0.url.contains("dryRun=All") && $0.url.contains("force=true") && $0.url.contains("fieldManager=ci")
      })
    #expect(world.stdout.text.contains("namespace/shop serverside-applied (server dry run)\n"))
  }

  @Test func conflictIsExit4AndTheOtherObjectsAreStillApplied() async throws {
    let cluster = ScriptedServer.appsOnly()
    cluster.conflicting = ["web"]
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    world.files["app.yaml"] =
      String(Self.manifests.split(separator: "---\n")[1]) + "---\n"
      + String(Self.manifests.split(separator: "---\n")[2])
    var context2 = context
    context2.openFile = { _ in MemorySource(world.files["app.yaml"]!) }
    let code = await runCommand(["apply", "-f", "app.yaml"], context: context2)
    #expect(code == 4)
    #expect(world.stdout.text == "namespace/shop serverside-applied\n")
    #expect(world.stderr.text.contains(#"field manager "autoscaler""#))
    #expect(world.stderr.text.contains("app.yaml:1:"))
  }

  /// All or nothing (issue 13): `apply -o yaml` prints the applied objects only when every
  /// object was applied; a conflict leaves standard output empty.
  @Test func outputYAMLIsEmptyWhenAnObjectFailed() async throws {
    let cluster = ScriptedServer.appsOnly()
    cluster.conflicting = ["web"]
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    world.files["app.yaml"] =
      String(Self.manifests.split(separator: "---\n")[1]) + "---\n"
      + String(Self.manifests.split(separator: "---\n")[2])
    var context2 = context
    context2.openFile = { _ in MemorySource(world.files["app.yaml"]!) }
    let code = await runCommand(["apply", "-f", "app.yaml", "-o", "yaml"], context: context2)
    #expect(code == 4)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.contains(#"field manager "autoscaler""#))
  }

  @Test func unknownKindIsRefusedBeforeAnyWrite() async throws {
    let cluster = ScriptedServer.appsOnly()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    world.files["app.yaml"] =
      Self.manifests + "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: web\n"
    var context2 = context
    context2.openFile = { _ in MemorySource(world.files["app.yaml"]!) }
    let code = await runCommand(["apply", "-f", "app.yaml"], context: context2)
    #expect(code == 3)
    #expect(cluster.patchedPaths.isEmpty)
    #expect(
      world.stderr.text.contains(
        #"app.yaml:31: VirtualService web: the server has no resource type for kind "VirtualService""#))
    #expect(!world.stderr.text.contains("s3cret-token"))
  }

  @Test func diffOfUnchangedObjectsIsExit0() async throws {
    let cluster = ScriptedServer.appsOnly()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    // The scripted server answers GET with 404: every object is new, so diff shows additions.
    let code = await runCommand(["diff", "-f", "app.yaml"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(world.stdout.text.contains("+++ merged/apps.v1.Deployment.team.web\n"))
    #expect(world.stdout.text.contains("+  replicas: 2\n"))
  }
}

@Suite struct CommandTreeTests {
  /// Every command in the tree, depth first.
  static func commands(_ root: any ParsableCommand.Type = Meshctl.self) -> [any ParsableCommand.Type] {
    [root] + root.configuration.subcommands.flatMap { commands($0) }
  }

  @Test func everySubcommandNamesItself() {
    // ArgumentParser would otherwise derive names by demangling type names on every start-up
    // (measured: two unnamed subcommands cost `meshctl version` 8% more instructions).
    let unnamed = Self.commands().dropFirst().filter { $0.configuration.commandName == nil }
    #expect(unnamed.isEmpty, "unnamed: \(unnamed.map { String(describing: $0) })")
  }
}
