import Foundation
import KubeClient
import Manifest
import MeshOps
import TestSupport
import Testing

@testable import MeshctlCLI

/// A signal source that has or has not fired, and says whether it was stopped.
final class FakeInterrupts: InterruptSource, @unchecked Sendable {
  private let lock = NSLock()
  private var firedNow: Bool
  private var stoppedNow = false

  init(fired: Bool = false) { firedNow = fired }

  var fired: Bool { lock.withLock { firedNow } }
  var stopped: Bool { lock.withLock { stoppedNow } }
  func stop() { lock.withLock { stoppedNow = true } }
}

/// Lines recorded from several threads.
final class RecordedLines: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [String] = []

  var lines: [String] { lock.withLock { entries } }
  func record(_ line: String) { lock.withLock { entries.append(line) } }
}

/// `shift` at the command tier: its clock, gate and signals come from the context.
@Suite struct ShiftCommandTests {
  /// A context on the canary cluster whose gate exits `gateStatus` (and records its runs) and
  /// whose clock never sleeps.
  func context(
    _ world: FakeWorld, server: ScriptedServer, gateStatus: Int32 = 0, interrupts: FakeInterrupts = FakeInterrupts()
  ) throws -> (CommandContext, URL, RecordedLines) {
    var (context, directory) = try world.clusterContext(transport: server, token: "t")
    let gates = RecordedLines()
    context.sleep = { _, _ in }
    context.runGate = { command, variables in
      gates.record("\(command) \(variables["MESHCTL_BACKEND"] ?? "")=\(variables["MESHCTL_WEIGHT"] ?? "")")
      return gateStatus
    }
    context.watchInterrupts = { interrupts }
    return (context, directory, gates)
  }

  @Test func stepsWalkToTheEnd() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let (context, directory, gates) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--interval", "1m", "--gate", "check"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stdout.text == "trafficsplit team/cart shifted: v1=0,v2=100\n")
    #expect(world.stderr.text == "step 1/2: team/cart v1=50,v2=50\nstep 2/2: team/cart v1=0,v2=100\n")
    #expect(gates.lines == ["check v2=50", "check v2=100"])
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=0,v2=100"])
  }

  @Test func aFailingGateRollsBackWithExit5() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let (context, directory, _) = try context(world, server: server, gateStatus: 3)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--steps", "50,100", "--gate", "check"], context: context)
    #expect(code == 5)
    #expect(
      world.stderr.text
        == "step 1/2: team/cart v1=50,v2=50\nthe gate failed (exit 3) after step 1: weights restored to v1=90,v2=10\n")
    #expect(world.stdout.text.isEmpty)
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=90,v2=10"])
  }

  @Test func anInterruptRestoresWithExit130() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let interrupts = FakeInterrupts(fired: true)
    let (context, directory, gates) = try context(world, server: server, interrupts: interrupts)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--steps", "50,100"], context: context)
    #expect(code == 130)
    #expect(world.stderr.text.hasSuffix("interrupted: weights restored to v1=90,v2=10\n"))
    #expect(gates.lines.isEmpty)
    #expect(interrupts.stopped)
  }

  @Test func dryRunAndBadRequestsWriteNothing() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["shift", "cart", "--to", "v2", "--steps", "50,100", "--dry-run"], context: context) == 0)
    #expect(world.stderr.text.contains("step 2/2: team/cart v1=0,v2=100 (dry run)\n"))
    #expect(await runCommand(["shift", "cart", "--to", "v3", "--weight", "10"], context: context) == 64)
    #expect(world.stderr.text.contains(#"no backend "v3""#))
    #expect(await runCommand(["shift", "nothing", "--to", "v2", "--weight", "10"], context: context) == 3)
    #expect(world.stderr.text.contains(#"no TrafficSplit for Service "nothing" in namespace "team""#))
    #expect(await runCommand(["shift", "cart", "--rollback"], context: context) == 64)
    #expect(world.stderr.text.contains("has not been shifted"))
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func rollbackRestoresThePreviousWeights() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server(previousWeights: #"{"v1":100,"v2":0}"#)
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--rollback"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stdout.text == "trafficsplit team/cart rolled back: v1=100,v2=0\n")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=100,v2=0"])
  }
}
