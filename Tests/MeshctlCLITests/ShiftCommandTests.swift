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
    _ world: FakeWorld, server: ScriptedServer, gate: GateResult = .exited(0),
    interrupts: FakeInterrupts = FakeInterrupts()
  ) throws -> (CommandContext, URL, RecordedLines) {
    var (context, directory) = try world.clusterContext(transport: server, token: "t")
    let gates = RecordedLines()
    context.sleep = { _, _ in }
    context.now = { Date(timeIntervalSince1970: 1_796_000_000) }
    context.runGate = { command, variables, timeout, _ in
      gates.record("\(command) \(variables["MESHCTL_BACKEND"] ?? "")=\(variables["MESHCTL_WEIGHT"] ?? "") \(timeout)")
      return gate
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
    let at = "2026-11-30T00:53:20Z"
    #expect(
      world.stderr.text == """
        \(at) step 1/2: team/cart v1=50,v2=50
        \(at) step 1/2: gate running
        \(at) step 1/2: gate passed
        \(at) step 2/2: team/cart v1=0,v2=100
        \(at) step 2/2: gate running
        \(at) step 2/2: gate passed

        """)
    #expect(gates.lines == ["check v2=50 300.0 seconds", "check v2=100 300.0 seconds"])
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=0,v2=100"])
  }

  @Test func aBackendWithoutReadyPodsIsRefusedBeforeAnyWrite() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server(readyBackends: ["v1"])
    let (context, directory, gates) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--steps", "0,50", "--gate", "check"], context: context)
    #expect(code == 1)
    #expect(
      world.stderr.text.contains(
        "error: TrafficSplit team/cart: backend v2 (selector version=v2) has no ready pods: 0 of 1 pod matching app=cart,version=v2 is ready"
      ), "\(world.stderr.text)")
    #expect(world.stderr.text.contains("--allow-empty"))
    #expect(server.patchedPaths.isEmpty)
    #expect(gates.lines.isEmpty)
  }

  @Test func allowEmptyShiftsWithAWarning() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server(readyBackends: ["v1"])
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--weight", "20", "--allow-empty"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(world.stderr.text.contains("Warning: --allow-empty: TrafficSplit team/cart: backend v2"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=80,v2=20"])
  }

  @Test func aBackendTheShiftEmptiesNeedsNoReadyPods() async throws {
    // v1 goes to 0 in every step, so only v2 (ready) is checked.
    let world = FakeWorld()
    let server = CanaryCluster.server(readyBackends: ["v2"])
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(["shift", "cart", "--to", "v2", "--weight", "100"], context: context)
    #expect(code == 0, "\(world.stderr.text)")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=0,v2=100"])
  }

  @Test func aFailingGateRollsBackWithExit5() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let (context, directory, _) = try context(world, server: server, gate: .exited(3))
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--gate", "check"], context: context)
    #expect(code == 5)
    #expect(
      world.stderr.text.hasSuffix(
        "step 1/2: gate failed (exit 3)\n2026-11-30T00:53:20Z the gate failed (exit 3) after step 1: weights restored to v1=90,v2=10\n"
      ))
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
    #expect(await runCommand(["shift", "nothing", "--to", "v2", "--weight", "10"], context: context) == 1)
    #expect(world.stderr.text.contains(#"no TrafficSplit for Service "nothing" in namespace "team""#))
    #expect(await runCommand(["shift", "cart", "--rollback"], context: context) == 1)
    #expect(world.stderr.text.contains("TrafficSplit team/cart has no shift history: nothing to roll back to"))
    #expect(await runCommand(["shift", "cart", "--abandon"], context: context) == 1)
    #expect(await runCommand(["shift", "cart", "--rollback", "--to", "v2"], context: context) == 64)
    #expect(await runCommand(["shift", "cart", "--finish", "--rollback"], context: context) == 64)
    #expect(
      await runCommand(["shift", "cart", "--to", "v2", "--weight", "5", "--gate-timeout", "soon"], context: context)
        == 64)
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

  @Test func jsonOutputWritesOneEventPerLineOnStandardOutput() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    let (context, directory, _) = try context(world, server: server, gate: .timedOut)
    defer { try? FileManager.default.removeItem(at: directory) }
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--gate", "check", "--gate-timeout", "10s", "-o", "json"],
      context: context)
    #expect(code == 5)
    let events = world.stdout.text.split(separator: "\n").map { Node.parse(String($0)) }
    #expect(events.map { $0?["event"]?.string } == ["step", "gate-started", "gate-failed", "rolled-back"])
    #expect(events[2]?["timedOut"]?.bool == true)
    #expect(events[3]?["reason"]?.string == "the gate failed (timed out after 10s) after step 1")
    #expect(
      world.stderr.text == "the gate failed (timed out after 10s) after step 1: weights restored to v1=90,v2=10\n")
  }

  @Test func onATerminalOneLiveLineIsRedrawn() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server()
    var (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    context.stderrIsTerminal = true
    let code = await runCommand(
      ["shift", "cart", "--to", "v2", "--steps", "50,100", "--interval", "2s"], context: context)
    #expect(code == 0)
    let clear = "\r\u{1B}[K"
    #expect(
      world.stderr.text
        == "\(clear)step 1/2: team/cart v1=50,v2=50\(clear)step 1/2: team/cart v1=50,v2=50 - 2s left"
        + "\(clear)step 1/2: team/cart v1=50,v2=50 - 1s left"
        + "\(clear)step 2/2: team/cart v1=0,v2=100\n")
  }

  @Test func rollbackTwiceWalksTheHistoryThenRefuses() async throws {
    let world = FakeWorld()
    let history =
      #"[{"time":"2026-11-29T09:00:00Z","weights":{"v1":100,"v2":0}},{"time":"2026-11-30T00:53:20Z","weights":{"v1":50,"v2":50}}]"#
    let server = CanaryCluster.server(history: history)
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["shift", "history", "cart"], context: context) == 0)
    #expect(world.stdout.text == "1  2026-11-30T00:53:20Z  v1=50,v2=50\n2  2026-11-29T09:00:00Z  v1=100,v2=0\n")
    #expect(await runCommand(["shift", "cart", "--rollback", "--to", "2"], context: context) == 0)
    #expect(world.stdout.text.hasSuffix("trafficsplit team/cart rolled back: v1=100,v2=0\n"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=100,v2=0"])
  }

  @Test func statusShowsWeightsHolderAndHistory() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server(history: #"[{"time":"2026-11-30T00:53:20Z","weights":{"v1":100,"v2":0}}]"#)
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["shift", "status", "cart"], context: context) == 0)
    #expect(
      world.stdout.text == """
        trafficsplit team/cart: v1=90,v2=10
        history (newest first; shift --rollback --to N restores entry N):
          1  2026-11-30T00:53:20Z  v1=100,v2=0

        """)
  }

  @Test func finishSaysWhatItKept() async throws {
    let world = FakeWorld()
    let server = CanaryCluster.server(history: #"[{"time":"2026-11-30T00:53:20Z","weights":{"v1":100,"v2":0}}]"#)
    let (context, directory, _) = try context(world, server: server)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(await runCommand(["shift", "cart", "--finish"], context: context) == 0, "\(world.stderr.text)")
    #expect(world.stdout.text == "trafficsplit team/cart finished: v1=90,v2=10\n")
    #expect(server.patchedPaths.count == 2)
  }
}
