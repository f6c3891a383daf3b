import Foundation
import KubeClient
import Manifest
import Policy
import TestSupport
import Testing

@testable import MeshOps

/// What a fake walk saw: sleeps, gate runs and progress lines, in order.
final class WalkLog: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [String] = []
  private var signalled = false

  /// Everything recorded so far.
  var events: [String] { lock.withLock { entries } }

  func record(_ event: String) { lock.withLock { entries.append(event) } }

  /// Whether the fake signal has come.
  var interrupted: Bool { lock.withLock { signalled } }

  func interrupt() { lock.withLock { signalled = true } }
}

/// The canary walk in process: a scripted cluster, a clock that never sleeps, a gate that is a
/// closure and a signal that is a flag.
@Suite struct CanaryWalkTests {
  /// The target as `shift` finds it, on a fresh scripted cluster.
  func target(previousWeights: String? = nil) async throws -> (TrafficSplitTarget, ScriptedServer) {
    let server = CanaryCluster.server(previousWeights: previousWeights)
    let api = try TestKubeconfig.api(server)
    let target = try await TrafficSplitTarget.find(
      service: "cart", api: api, config: .defaults, provider: nil, routing: .provider)
    return (target, server)
  }

  /// A walk whose clock, gate and signal are `log`'s; `gate` decides each gate's status from
  /// the backend's weight, and `interruptAtSleep` raises the signal during that sleep (from 1).
  func walk(
    _ log: WalkLog, gate: (@Sendable (Int) -> Int32)? = nil, interruptAtSleep: Int? = nil
  ) -> CanaryWalk {
    CanaryWalk(
      pause: .seconds(60), gate: gate == nil ? nil : "./smoke.sh", service: "cart",
      sleep: { duration, _ in
        log.record("sleep \(duration)")
        if log.events.filter({ $0.hasPrefix("sleep") }).count == interruptAtSleep { log.interrupt() }
      },
      runGate: { command, variables in
        log.record("gate \(command) \(variables["MESHCTL_SERVICE"]!) \(variables["MESHCTL_BACKEND"]!)=\(variables["MESHCTL_WEIGHT"]!)")
        return gate?(Int(variables["MESHCTL_WEIGHT"]!)!) ?? 0
      },
      interrupted: { log.interrupted }, progress: { log.record($0) })
  }

  @Test func stepsAreAppliedInOrderWithTheGateAfterEach() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100])
    let log = WalkLog()
    let outcome = try await walk(log, gate: { _ in 0 }).run(plan)
    guard case .shifted(let weights) = outcome else { Issue.record("not shifted: \(outcome)"); return }
    #expect(TrafficShift.describe(weights) == "v1=0,v2=100")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=50,v2=50", "v1=0,v2=100"])
    #expect(
      log.events == [
        "step 1/3: team/cart v1=75,v2=25", "sleep 60.0 seconds", "gate ./smoke.sh cart v2=25",
        "step 2/3: team/cart v1=50,v2=50", "sleep 60.0 seconds", "gate ./smoke.sh cart v2=50",
        "step 3/3: team/cart v1=0,v2=100", "sleep 60.0 seconds", "gate ./smoke.sh cart v2=100",
      ])
    // Every step remembers the weights from before the shift, for --rollback.
    let remembered = CanaryCluster.routes(server).map {
      $0[path: "metadata", "annotations", TrafficSplitTarget.previousWeightsAnnotation]?.string
    }
    #expect(remembered == Array(repeating: #"{"v1":90,"v2":10}"#, count: 3))
  }

  @Test func withoutAGateTheLastStepDoesNotWait() async throws {
    let (target, _) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100])
    let log = WalkLog()
    _ = try await walk(log).run(plan)
    #expect(log.events == ["step 1/2: team/cart v1=50,v2=50", "sleep 60.0 seconds", "step 2/2: team/cart v1=0,v2=100"])
  }

  @Test func aFailingGateRestoresTheWeightsFromBeforeTheShift() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [20, 60, 100])
    let log = WalkLog()
    let outcome = try await walk(log, gate: { $0 < 50 ? 0 : 1 }).run(plan)
    guard case .rolledBack(let reason, let restored) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason == "the gate failed (exit 1) after step 2")
    #expect(TrafficShift.describe(restored) == "v1=90,v2=10")
    #expect(outcome.restoreMessage == "the gate failed (exit 1) after step 2: weights restored to v1=90,v2=10")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=80,v2=20", "v1=40,v2=60", "v1=90,v2=10"])
    #expect(!log.events.contains { $0.hasPrefix("step 3") })
  }

  @Test func anInterruptRestoresTheWeightsAndSkipsTheGate() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100])
    let log = WalkLog()
    let outcome = try await walk(log, gate: { _ in 0 }, interruptAtSleep: 2).run(plan)
    guard case .interrupted(let restored) = outcome else { Issue.record("not interrupted: \(outcome)"); return }
    #expect(TrafficShift.describe(restored) == "v1=90,v2=10")
    #expect(outcome.restoreMessage == "interrupted: weights restored to v1=90,v2=10")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=50,v2=50", "v1=90,v2=10"])
    #expect(log.events.filter { $0.hasPrefix("gate") } == ["gate ./smoke.sh cart v2=25"])
  }

  @Test func rollbackPutsBackTheRememberedWeightsAndRemembersTheCurrentOnes() async throws {
    let (target, server) = try await target(previousWeights: #"{"v1":100,"v2":0}"#)
    #expect(TrafficShift.describe(try target.previousOrRefuse()) == "v1=100,v2=0")
    let restored = try await target.rollback()
    #expect(TrafficShift.describe(restored) == "v1=100,v2=0")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=100,v2=0"])
    let annotation = CanaryCluster.routes(server).first?[
      path: "metadata", "annotations", TrafficSplitTarget.previousWeightsAnnotation]?.string
    #expect(annotation == #"{"v1":90,"v2":10}"#)
  }

  @Test func rollbackOfANeverShiftedSplitIsRefused() async throws {
    let (target, server) = try await target()
    await #expect(throws: MeshOpsError.invalidRequest("TrafficSplit team/cart has not been shifted: nothing to roll back to")) {
      _ = try await target.rollback()
    }
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func aDryRunListsTheStepsAndWritesNothing() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100])
    #expect(plan.steps.indices.map(plan.progressLine) == ["step 1/2: team/cart v1=50,v2=50", "step 2/2: team/cart v1=0,v2=100"])
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func unknownBackendsAndMissingSplitsAreRefused() async throws {
    let (target, _) = try await target()
    #expect(throws: MeshOpsError.invalidRequest(#"TrafficSplit team/cart has no backend "v3" (backends: v1, v2)"#)) {
      try ShiftPlan(target: target, backend: "v3", percents: [10])
    }
    let api = try TestKubeconfig.api(CanaryCluster.server())
    await #expect(throws: MeshOpsError.self) {
      _ = try await TrafficSplitTarget.find(
        service: "nothing", api: api, config: .defaults, provider: nil, routing: .provider)
    }
  }

  @Test func stepsParse() {
    #expect(ShiftSteps.parse(weight: 30, steps: nil) == [30])
    #expect(ShiftSteps.parse(weight: nil, steps: "10, 25,50,100") == [10, 25, 50, 100])
    #expect(ShiftSteps.parse(weight: nil, steps: "10,,50") == nil)
    #expect(ShiftSteps.parse(weight: nil, steps: "120") == nil)
  }
}
