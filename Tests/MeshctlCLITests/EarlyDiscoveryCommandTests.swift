import Dispatch
import Foundation
import KubeClient
import Manifest
import TestSupport
import Testing

@testable import MeshctlCLI

/// A transport that signals every GET of `path` it passes on to `base`.
private struct WatchingTransport: HTTPTransport {
  let base: ScriptedServer
  let path: String
  let seen: DispatchSemaphore

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    if request.method == .get, RequestLog.path(of: request) == path { seen.signal() }
    return try await base.send(request)
  }
}

/// Standard input that hands out `first`, then waits until `gate` is signalled (or 120 s have
/// passed: a guard against hanging, not a timing check) before it hands out `rest`, or fails
/// like an unreadable stream when `rest` is nil. The discovery read runs on Swift's shared
/// thread pool, which the suite's other tests may keep busy for tens of seconds on a 2-core
/// machine (10 s was not enough in a full parallel run).
private final class GatedSource: ByteSource {
  private var pending: [[UInt8]]
  private let gate: DispatchSemaphore
  private let failsAfterGate: Bool
  /// Whether the gate opened before the wait ran out.
  private(set) var gateOpened = false
  private var waited = false

  init(first: String, rest: String?, gate: DispatchSemaphore) {
    pending = [Array(first.utf8), Array((rest ?? "").utf8)]
    self.gate = gate
    failsAfterGate = rest == nil
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if pending.count == 1, !waited {
      waited = true
      gateOpened = gate.wait(timeout: .now() + 120) == .success
      if failsAfterGate { throw ManifestError.unreadable(path: "-", reason: "connection reset") }
    }
    guard var chunk = pending.first, !chunk.isEmpty else { return 0 }
    let count = min(buffer.count, chunk.count)
    chunk.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    chunk.removeFirst(count)
    if chunk.isEmpty { pending.removeFirst() } else { pending[0] = chunk }
    return count
  }
}

/// `apply` starts discovery while it reads its input (bench/README.md, "Apply"), and still
/// writes nothing before the whole input is valid.
@Suite struct EarlyDiscoveryCommandTests {
  /// The first document, and the start of the second: enough for the reader to hand on the first.
  static let first = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\n"
  static let rest = "kind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n"

  /// Runs `apply -f -` on a standard input that stops after the first document until the
  /// cluster has been asked for the core group's discovery.
  func applyWithGatedInput(rest: String?, cluster: ScriptedServer = .appsOnly()) async throws -> (
    code: Int32, world: FakeWorld, cluster: ScriptedServer, discoveryWhileReading: Bool
  ) {
    let seen = DispatchSemaphore(value: 0)
    let world = FakeWorld()
    let watching = WatchingTransport(base: cluster, path: "/api/v1", seen: seen)
    let (connected, directory) = try world.clusterContext(transport: watching, token: "t0ken")
    var context = connected
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = GatedSource(first: Self.first, rest: rest, gate: seen)
    context.stdin = source
    let code = await runCommand(["apply", "-f", "-"], context: context)
    return (code, world, cluster, source.gateOpened)
  }

  @Test func discoveryStartsWhileTheInputIsReadAndServesTheApply() async throws {
    let (code, world, cluster, discoveryWhileReading) = try await applyWithGatedInput(rest: Self.rest)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(discoveryWhileReading, "the core group's discovery was not asked for before the input ended")
    #expect(cluster.patchedPaths == ["/api/v1/namespaces/shop", "/api/v1/namespaces/shop/services/web"])
    // The early read is the one the apply used: discovery is asked for once.
    #expect(cluster.requests.filter { RequestLog.path(of: $0) == "/api/v1" }.count == 1)
  }

  @Test func anInputErrorAfterDiscoveryStartedIsExit2WithNothingWritten() async throws {
    let (code, world, cluster, discoveryWhileReading) = try await applyWithGatedInput(rest: nil)
    #expect(code == 2, "\(world.stderr.text)")
    #expect(discoveryWhileReading)
    #expect(world.stderr.text.contains("connection reset"))
    #expect(cluster.patchedPaths.isEmpty)
  }

  @Test func findingsWinOverAConnectionThatCannotOpen() async throws {
    let world = FakeWorld()
    world.files["bad.yaml"] = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: eighty\n"
    world.files["good.yaml"] = Inputs.valid
    let (connected, directory) = try world.clusterContext(transport: ScriptedServer.appsOnly(), token: "t0ken")
    var context = connected
    defer { try? FileManager.default.removeItem(at: directory) }
    context.makeTransport = { _, _ in throw TransportError.other(code: 7, detail: "no route to the cluster") }
    let code = await runCommand(["apply", "-f", "bad.yaml"], context: context)
    #expect(code == 1, "\(world.stderr.text)")
    #expect(!world.stderr.text.contains("no route to the cluster"))
    #expect(world.stderr.text.hasSuffix("meshctl: nothing was sent to the cluster\n"))

    // With a valid input the connection's failure is what the command reports (exit 3).
    let failed = await runCommand(["apply", "-f", "good.yaml"], context: context)
    #expect(failed == 3, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("no route to the cluster"))
  }

  @Test func anUnreadableInputWinsOverAContextThatDoesNotExist() async throws {
    let world = FakeWorld()
    let (context, directory) = try world.clusterContext(transport: ScriptedServer.appsOnly(), token: "t0ken")
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["apply", "-f", "missing.yaml", "--context", "nowhere"], context: context)
    #expect(code == 2, "\(world.stderr.text)")
    #expect(!world.stderr.text.contains("nowhere"))
  }
}
