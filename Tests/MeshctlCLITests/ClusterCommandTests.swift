import ArgumentParser
import Foundation
import KubeClient
import Manifest
import Testing

@testable import MeshctlCLI

/// A scripted API server: discovery for the core and apps groups, every PATCH answered with its
/// body (or a conflict for the names in `conflicting`), every request recorded in order.
final class ScriptedCluster: HTTPTransport, @unchecked Sendable {
  private let log = RequestLog()
  var conflicting: Set<String> = []

  var requests: [HTTPRequest] { log.requests }

  /// The PATCH requests' paths, without the query.
  var patchedPaths: [String] {
    requests.filter { $0.method == .patch }.map(RequestLog.path)
  }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    log.record(request)
    let path = RequestLog.path(of: request)
    switch (request.method, path) {
    case (.get, "/api/v1"):
      return Self.json(
        #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","namespaced":false,"kind":"Namespace"},{"name":"services","namespaced":true,"kind":"Service"},{"name":"configmaps","namespaced":true,"kind":"ConfigMap"}]}"#
      )
    case (.get, "/apis/apps/v1"):
      return Self.json(
        #"{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment"},{"name":"deployments/scale","namespaced":true,"kind":"Scale"}]}"#
      )
    case (.patch, _):
      let name = String(path.split(separator: "/").last ?? "")
      if conflicting.contains(name) {
        return HTTPResponse(
          status: 409,
          body: Array(
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Apply failed with 1 conflict: conflict with \"autoscaler\" using apps/v1: .spec.replicas","reason":"Conflict","details":{"name":"\#(name)","group":"apps","kind":"deployments","causes":[{"reason":"FieldManagerConflict","message":"conflict with \"autoscaler\" using apps/v1","field":".spec.replicas"}]},"code":409}"#
              .utf8))
      }
      return HTTPResponse(status: 200, body: request.body)
    default:
      return HTTPResponse(
        status: 404,
        body: Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#.utf8))
    }
  }

  static func json(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, body: Array(text.utf8)) }
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
  func world(_ cluster: ScriptedCluster) throws -> (FakeWorld, CommandContext, URL) {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.manifests
    let (context, directory) = try world.clusterContext(transport: cluster, token: "s3cret-token")
    return (world, context, directory)
  }

  @Test func applySendsTiersInOrderWithNamespacesFilledIn() async throws {
    let cluster = ScriptedCluster()
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
    let cluster = ScriptedCluster()
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
    let cluster = ScriptedCluster()
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

  @Test func unknownKindIsRefusedBeforeAnyWrite() async throws {
    let cluster = ScriptedCluster()
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
    let cluster = ScriptedCluster()
    let (world, context, directory) = try world(cluster)
    defer { try? FileManager.default.removeItem(at: directory) }
    // The scripted server answers GET with 404: every object is new, so diff shows additions.
    let code = await runCommand(["diff", "-f", "app.yaml"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(world.stdout.text.contains("+++ merged/apps.v1.Deployment.team.web\n"))
    #expect(world.stdout.text.contains("+  replicas: 2\n"))
  }
}

/// `count` lines `<prefix> N`, the ones in `changing` spelled `changed N`.
func numbered(_ prefix: String, _ count: Int, changing: Set<Int> = []) -> String {
  var text = ""
  for number in 1...count { text += changing.contains(number) ? "changed \(number)\n" : "\(prefix) \(number)\n" }
  return text
}

/// The unified diff, checked against the system's `diff -u` where the machine has it.
@Suite struct UnifiedDiffTests {
  @Test func equalTextsGiveNothing() {
    #expect(UnifiedDiff.render(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
  }

  @Test func scriptTurnsOneSideIntoTheOther() {
    let a = ["a", "b", "c", "d", "e"]
    let b = ["a", "x", "c", "e", "f"]
    let edits = UnifiedDiff.script(from: a, to: b)
    var rebuiltOld: [String] = []
    var rebuiltNew: [String] = []
    for edit in edits {
      switch edit {
      case .same(let line):
        rebuiltOld.append(line)
        rebuiltNew.append(line)
      case .removed(let line): rebuiltOld.append(line)
      case .added(let line): rebuiltNew.append(line)
      }
    }
    #expect(rebuiltOld == a)
    #expect(rebuiltNew == b)
    #expect(edits.filter { if case .same = $0 { return false } else { return true } }.count == 4)
  }

  @Test(arguments: [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("", "new\nlines\n"),
    ("old\n", ""),
    (numbered("line", 30), numbered("line", 30, changing: [5, 25])),
    (numbered("l", 12), numbered("l", 12, changing: [6]) + "tail\n"),
  ])
  func matchesDiffU(old: String, new: String) throws {
    let diff = URL(fileURLWithPath: "/usr/bin/diff")
    guard FileManager.default.isExecutableFile(atPath: diff.path) else { return }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try old.write(to: directory.appendingPathComponent("old"), atomically: true, encoding: .utf8)
    try new.write(to: directory.appendingPathComponent("new"), atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = diff
    process.currentDirectoryURL = directory
    process.arguments = ["-u", "--label", "old", "--label", "new", "old", "new"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(UnifiedDiff.render(old: old, new: new, oldName: "old", newName: "new") == expected)
  }
}

@Suite struct CheckLogicTests {
  @Test func kubernetesVersions() {
    #expect(KubernetesVersion.parse("v1.32.0-emulator")! == (1, 32))
    #expect(KubernetesVersion.parse("1.28+")! == (1, 28))
    #expect(KubernetesVersion.parse("latest") == nil)
  }

  @Test func versionThresholds() {
    #expect(Meshctl.Check.versionCheck("v1.29.3").status == .passed)
    #expect(Meshctl.Check.versionCheck("v1.27.1").status == .warning)
    #expect(Meshctl.Check.versionCheck("v1.24.0").status == .failed)
  }

  @Test func missingMeshFailsUnlessPre() {
    let none = InstalledMeshes(groups: [])
    #expect(Meshctl.Check.meshCheck(none, pre: false).status == .failed)
    #expect(Meshctl.Check.meshCheck(none, pre: true).status == .warning)
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
