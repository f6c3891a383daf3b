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

/// When the shifts in these tests run: 2026-11-30T00:53:20Z.
let shiftTime = Date(timeIntervalSince1970: 1_796_000_000)

/// The canary walk in process: a scripted cluster, a clock that never sleeps, a gate that is a
/// closure and a signal that is a flag.
@Suite struct CanaryWalkTests {
  /// The target as `shift` finds it, on a fresh scripted cluster.
  func target(previousWeights: String? = nil, history: String? = nil) async throws -> (
    TrafficSplitTarget, ScriptedServer
  ) {
    let server = CanaryCluster.server(previousWeights: previousWeights, history: history)
    let api = try TestKubeconfig.api(server)
    let target = try await TrafficSplitTarget.find(
      service: "cart", api: api, config: .defaults, provider: nil, routing: .provider)
    return (target, server)
  }

  /// A walk whose clock, gate and signal are `log`'s; `gate` decides each gate's result from
  /// the backend's weight, and `interruptAtSleep` raises the signal during that sleep (from 1).
  func walk(
    _ log: WalkLog, gate: (@Sendable (Int) -> GateResult)? = nil, interruptAtSleep: Int? = nil,
    tick: Duration? = nil
  ) -> CanaryWalk {
    CanaryWalk(
      pause: .seconds(60), gate: gate == nil ? nil : "./smoke.sh", gateTimeout: .seconds(90), service: "cart",
      tick: tick,
      sleep: { duration, _ in
        log.record("sleep \(duration)")
        if log.events.filter({ $0.hasPrefix("sleep") }).count == interruptAtSleep { log.interrupt() }
      },
      runGate: { command, variables, timeout, _ in
        log.record(
          "gate \(command) \(variables["MESHCTL_SERVICE"]!) \(variables["MESHCTL_BACKEND"]!)=\(variables["MESHCTL_WEIGHT"]!) limit \(timeout)"
        )
        return gate?(Int(variables["MESHCTL_WEIGHT"]!)!) ?? .exited(0)
      },
      interrupted: { log.interrupted }, progress: { log.record($0.text) })
  }

  /// The history annotation of each route the server was sent.
  func histories(_ server: ScriptedServer) -> [String?] {
    CanaryCluster.routes(server).map { $0[path: "metadata", "annotations", WeightHistory.annotation]?.string }
  }

  @Test func stepsAreAppliedInOrderWithTheGateAfterEach() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, gate: { _ in .exited(0) }).run(plan)
    guard case .shifted(let weights) = outcome else { Issue.record("not shifted: \(outcome)"); return }
    #expect(TrafficShift.describe(weights) == "v1=0,v2=100")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=50,v2=50", "v1=0,v2=100"])
    #expect(
      log.events == [
        "step 1/3: team/cart v1=75,v2=25", "sleep 60.0 seconds", "step 1/3: gate running",
        "gate ./smoke.sh cart v2=25 limit 90.0 seconds", "step 1/3: gate passed",
        "step 2/3: team/cart v1=50,v2=50", "sleep 60.0 seconds", "step 2/3: gate running",
        "gate ./smoke.sh cart v2=50 limit 90.0 seconds", "step 2/3: gate passed",
        "step 3/3: team/cart v1=0,v2=100", "sleep 60.0 seconds", "step 3/3: gate running",
        "gate ./smoke.sh cart v2=100 limit 90.0 seconds", "step 3/3: gate passed", "team/cart shifted: v1=0,v2=100",
      ])
    // Every step carries the history with the weights from before the shift as its newest entry.
    #expect(
      histories(server)
        == Array(repeating: #"[{"time":"2026-11-30T00:53:20Z","weights":{"v1":90,"v2":10}}]"#, count: 3))
  }

  @Test func routeWritesAreShiftsOwnForcedAndConditionalOnTheVersionRead() async throws {
    let (target, server) = try await target()
    try await target.write([("v1", 50), ("v2", 50)], history: target.history)
    let patches = server.requests.filter { $0.method == .patch }
    // Only the route: the DestinationRule does not depend on the weights.
    #expect(server.patchedPaths == [CanaryCluster.routePath])
    #expect(patches.first?.url.contains("fieldManager=meshctl-shift") == true)
    #expect(patches.first?.url.contains("force=true") == true)
    #expect(
      CanaryCluster.routes(server).first?[path: "metadata", "resourceVersion"]?.string == CanaryCluster.routeVersion)
  }

  @Test func eachStepIsConditionalOnTheVersionThePreviousWriteGot() async throws {
    let (target, server) = try await target()
    let versions = VersionCounter()
    server.onPatch = { request in
      var node = ManifestReader().parse(String(decoding: request.body, as: UTF8.self)).documents[0].root
      node = node.settingValue(.string(versions.next()), at: ["metadata", "resourceVersion"])
      return ScriptedServer.json(JSONEmitter.emit(node, pretty: false))
    }
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100], at: shiftTime)
    _ = try await walk(WalkLog()).run(plan)
    let sent = CanaryCluster.routes(server).map { $0[path: "metadata", "resourceVersion"]?.string }
    #expect(sent == ["41", "100"])
  }

  @Test func aShiftThatLosesTheRaceStopsNamesTheChangerAndWritesNothingMore() async throws {
    let (target, server) = try await target()
    let writes = VersionCounter()
    server.onPatch = { _ in
      // The first step goes through; then someone else writes the route.
      guard writes.next() != "100" else { return nil }
      return HTTPResponse(
        status: 409,
        body: Array(
          #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on virtualservices.networking.istio.io \"cart\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"cart","group":"networking.istio.io","kind":"virtualservices"},"code":409}"#
            .utf8))
    }
    server.answer(
      CanaryCluster.routePath,
      with: #"""
        {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"cart","namespace":"team","resourceVersion":"57","managedFields":[{"manager":"meshctl-shift","operation":"Apply","time":"2026-11-30T00:53:20Z"},{"manager":"kubectl-edit","operation":"Update","time":"2026-11-30T00:54:02Z"},{"manager":"meshctl","operation":"Apply","time":"2026-11-29T10:00:00Z"}]}}
        """#)
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100], at: shiftTime)
    let log = WalkLog()
    await #expect(
      throws: ShiftRefusal.lostRace(
        #"virtualservice team/cart changed since the shift read it (last written by "kubectl-edit" at 2026-11-30T00:54:02Z): the shift stopped and wrote nothing more; run it again to start from the live weights"#
      )
    ) {
      _ = try await walk(log).run(plan)
    }
    // Step 1, then the refused step 2; no restore overwrites the other writer.
    #expect(server.patchedPaths.count == 2)
    #expect(!log.events.contains { $0.contains("restored") })
  }

  @Test func aShiftHeldByAnotherIsRefusedUpFrontWithTheHolderAndItsStart() async throws {
    let (target, server) = try await target()
    server.answer(
      "/apis/coordination.k8s.io/v1",
      with:
        #"{"kind":"APIResourceList","groupVersion":"coordination.k8s.io/v1","resources":[{"name":"leases","namespaced":true,"kind":"Lease"}]}"#
    )
    server.answer(
      "/apis/coordination.k8s.io/v1/namespaces/team/leases/meshctl-shift-cart",
      with: #"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"meshctl-shift-cart","namespace":"team","resourceVersion":"9","annotations":{"meshctl.io/shift-step":"1/3 v1=75,v2=25"}},"spec":{"holderIdentity":"bob@ci pid 7","leaseDurationSeconds":600,"acquireTime":"2026-11-30T00:50:00.000000Z","renewTime":"2026-11-30T00:53:00.000000Z"}}
        """#)
    let lease = ShiftLease(target: target, holder: "alice@laptop pid 1", duration: .seconds(120), clock: { shiftTime })
    var walk = walk(WalkLog())
    walk.lease = lease
    let message =
      #"another shift of Service "cart" is running: held by bob@ci pid 7 since 2026-11-30T00:50:00.000000Z (step 1/3 v1=75,v2=25); nothing was written. Wait for it to end, or, if it is gone, delete its Lease: kubectl delete lease meshctl-shift-cart -n team"#
    for percents in [[50], [50, 100]] {
      let plan = try ShiftPlan(target: target, backend: "v2", percents: percents, at: shiftTime)
      await #expect(throws: ShiftRefusal.held(message)) { _ = try await walk.run(plan) }
    }
    #expect(server.patchedPaths.isEmpty)
    // Expired (renewed more than its duration ago): no longer held.
    let later = ShiftLease(
      target: target, holder: "alice@laptop pid 1", duration: .seconds(120),
      clock: {
        shiftTime.addingTimeInterval(3600)
      })
    #expect(try await later.current() == nil)
    #expect(ShiftLease.microTime(Date(timeIntervalSince1970: 1_796_000_000.25)) == "2026-11-30T00:53:20.250000Z")
  }

  @Test func withoutAGateTheLastStepDoesNotWait() async throws {
    let (target, _) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100])
    let log = WalkLog()
    _ = try await walk(log).run(plan)
    #expect(
      log.events == [
        "step 1/2: team/cart v1=50,v2=50", "sleep 60.0 seconds", "step 2/2: team/cart v1=0,v2=100",
        "team/cart shifted: v1=0,v2=100",
      ])
  }

  @Test func aCountdownTickCutsTheWaitIntoWaitingEvents() async throws {
    let (target, _) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100])
    let log = WalkLog()
    _ = try await walk(log, tick: .seconds(25)).run(plan)
    #expect(
      log.events == [
        "step 1/2: team/cart v1=50,v2=50", "step 1/2: 60s left", "sleep 25.0 seconds", "step 1/2: 35s left",
        "sleep 25.0 seconds", "step 1/2: 10s left", "sleep 10.0 seconds", "step 2/2: team/cart v1=0,v2=100",
        "team/cart shifted: v1=0,v2=100",
      ])
  }

  @Test func aFailingGateRestoresTheWeightsAndTheHistoryFromBeforeTheShift() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [20, 60, 100], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, gate: { $0 < 50 ? .exited(0) : .exited(1) }).run(plan)
    guard case .rolledBack(let reason, let restored) = outcome else { Issue.record("not rolled back"); return }
    #expect(reason == "the gate failed (exit 1) after step 2")
    #expect(TrafficShift.describe(restored) == "v1=90,v2=10")
    #expect(outcome.restoreMessage == "the gate failed (exit 1) after step 2: weights restored to v1=90,v2=10")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=80,v2=20", "v1=40,v2=60", "v1=90,v2=10"])
    #expect(histories(server).last == "[]")
    #expect(!log.events.contains { $0.hasPrefix("step 3") })
    #expect(
      log.events.suffix(2) == [
        "step 2/3: gate failed (exit 1)", "the gate failed (exit 1) after step 2: weights restored to v1=90,v2=10",
      ])
  }

  @Test func aGateThatTimesOutFailsAndRestores() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50], at: shiftTime)
    let log = WalkLog()
    let outcome = try await walk(log, gate: { _ in .timedOut }).run(plan)
    guard case .rolledBack(let reason, _) = outcome else { Issue.record("not rolled back: \(outcome)"); return }
    #expect(reason == "the gate failed (timed out after 90s) after step 1")
    #expect(log.events.contains("step 1/1: gate failed (timed out)"))
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50", "v1=90,v2=10"])
  }

  @Test func anInterruptRestoresTheWeightsAndSkipsTheGate() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100])
    let log = WalkLog()
    let outcome = try await walk(log, gate: { _ in .exited(0) }, interruptAtSleep: 2).run(plan)
    guard case .interrupted(let restored) = outcome else { Issue.record("not interrupted: \(outcome)"); return }
    #expect(TrafficShift.describe(restored) == "v1=90,v2=10")
    #expect(outcome.restoreMessage == "interrupted: weights restored to v1=90,v2=10")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=50,v2=50", "v1=90,v2=10"])
    #expect(log.events.filter { $0.hasPrefix("gate") } == ["gate ./smoke.sh cart v2=25 limit 90.0 seconds"])
  }

  @Test func rollbackPopsOneEntryAndDoesNotPushTheWeightsItUndid() async throws {
    let history =
      #"[{"time":"2026-11-29T09:00:00Z","weights":{"v1":100,"v2":0}},{"time":"2026-11-30T00:53:20Z","weights":{"v1":50,"v2":50}}]"#
    let (target, server) = try await target(history: history)
    #expect(target.history.lines == ["1  2026-11-30T00:53:20Z  v1=50,v2=50", "2  2026-11-29T09:00:00Z  v1=100,v2=0"])
    let restored = try await target.rollback()
    #expect(TrafficShift.describe(restored) == "v1=50,v2=50")
    #expect(CanaryCluster.appliedWeights(server) == ["v1=50,v2=50"])
    #expect(histories(server) == [#"[{"time":"2026-11-29T09:00:00Z","weights":{"v1":100,"v2":0}}]"#])
  }

  @Test func rollbackToAnEntryDropsItAndEveryNewerOne() async throws {
    let history =
      #"[{"time":"2026-11-29T09:00:00Z","weights":{"v1":100,"v2":0}},{"time":"2026-11-30T00:53:20Z","weights":{"v1":50,"v2":50}}]"#
    let (target, server) = try await target(history: history)
    #expect(TrafficShift.describe(try await target.rollback(to: 2)) == "v1=100,v2=0")
    #expect(histories(server) == ["[]"])
    await #expect(
      throws: ShiftRefusal.nothingToRollBack("TrafficSplit team/cart has 2 history entries: no entry 3 to roll back to")
    ) { _ = try await target.rollback(to: 3) }
    #expect(server.patchedPaths.count == 1)
  }

  @Test func theOlderPreviousWeightsAnnotationReadsAsAOneEntryHistory() async throws {
    let (target, server) = try await target(previousWeights: #"{"v1":100,"v2":0}"#)
    #expect(target.history.lines == ["1  (time unknown)  v1=100,v2=0"])
    #expect(TrafficShift.describe(try await target.rollback()) == "v1=100,v2=0")
    #expect(histories(server) == ["[]"])
  }

  @Test func theHistoryKeepsTheNewestTenEntries() throws {
    var history = WeightHistory()
    for weight in 0..<12 { history = history.pushing([("v1", 100 - weight), ("v2", weight)], at: shiftTime) }
    #expect(history.entries.count == 10)
    #expect(TrafficShift.describe(history.entries[0].weights) == "v1=89,v2=11")
    #expect(TrafficShift.describe(history.entries[9].weights) == "v1=98,v2=2")
    let route = Node.mapping([
      "metadata": .mapping([
        "annotations": .mapping([MappingEntry(key: WeightHistory.annotation, value: .string(history.encoded))])
      ])
    ])
    #expect(WeightHistory(route: route).lines == history.lines)
  }

  @Test func rollbackOfANeverShiftedSplitIsRefused() async throws {
    let (target, server) = try await target()
    await #expect(
      throws: ShiftRefusal.nothingToRollBack("TrafficSplit team/cart has no shift history: nothing to roll back to")
    ) {
      _ = try await target.rollback()
    }
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func finishHandsTheWeightsBackToApplyAndShiftKeepsOnlyTheHistory() async throws {
    let history = #"[{"time":"2026-11-30T00:53:20Z","weights":{"v1":90,"v2":10}}]"#
    let (target, server) = try await target(history: history)
    #expect(TrafficShift.describe(try await target.finish()) == "v1=90,v2=10")
    let patches = server.requests.filter { $0.method == .patch }
    #expect(patches.count == 2)
    #expect(patches.map { $0.url.contains("fieldManager=meshctl-shift") } == [false, true])
    #expect(patches[0].url.contains("fieldManager=meshctl&") || patches[0].url.hasSuffix("fieldManager=meshctl"))
    let (handed, released) = (CanaryCluster.routes(server)[0], CanaryCluster.routes(server)[1])
    // apply's manager gets the whole route but not the history, which stays shift's.
    #expect(handed[path: "spec", "http"] != nil)
    #expect(handed[path: "metadata", "annotations", WeightHistory.annotation] == nil)
    #expect(released["spec"] == nil)
    #expect(released[path: "metadata", "annotations"]?.mapping?.map(\.key) == [WeightHistory.annotation])
    #expect(released[path: "metadata", "annotations", WeightHistory.annotation]?.string == history)
  }

  @Test func abandonPutsBackTheNewestEntryThenHandsBack() async throws {
    let history = #"[{"time":"2026-11-30T00:53:20Z","weights":{"v1":100,"v2":0}}]"#
    let (target, server) = try await target(history: history)
    #expect(TrafficShift.describe(try await target.abandon()) == "v1=100,v2=0")
    #expect(CanaryCluster.appliedWeights(server).first == "v1=100,v2=0")
    #expect(histories(server).last == "[]")
    let (empty, untouched) = try await self.target()
    await #expect(throws: ShiftRefusal.self) { _ = try await empty.abandon() }
    #expect(untouched.patchedPaths.isEmpty)
  }

  @Test func applyConflictsWithShiftSayHowToTakeTheWeightsBack() async throws {
    let body =
      #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Apply failed with 1 conflict: conflict with \"meshctl-shift\": .spec.http","reason":"Conflict","details":{"name":"cart","group":"networking.istio.io","kind":"virtualservices","causes":[{"reason":"FieldManagerConflict","message":"conflict with \"meshctl-shift\"","field":".spec.http"}]},"code":409}"#
    let error = APIError(
      response: HTTPResponse(status: 409, body: Array(body.utf8)),
      context: APIRequestContext(verb: "patch", group: "networking.istio.io", resource: "virtualservices", name: "cart")
    )
    let route = CanaryCluster.routes(try await renderedRouteServer()).first
    let message = try #require(ShiftOwnership.conflictMessage(error, object: route))
    #expect(message.contains(#"a shift of Service "cart" holds these weights"#))
    #expect(message.contains("meshctl shift cart --finish -n team"))
    #expect(message.contains("meshctl shift cart --abandon -n team"))
    #expect(message.contains("--force-conflicts"))
    let other = APIError(
      response: HTTPResponse(
        status: 409, body: Array(body.replacingOccurrences(of: "meshctl-shift", with: "hpa").utf8)),
      context: APIRequestContext(verb: "patch", resource: "virtualservices"))
    #expect(ShiftOwnership.conflictMessage(other, object: route) == nil)
  }

  /// A server that was sent the rendered route once (by a shift).
  func renderedRouteServer() async throws -> ScriptedServer {
    let (target, server) = try await target()
    try await target.write(target.weights, history: target.history)
    return server
  }

  @Test func eventsBecomeJSONLines() {
    let event = ShiftEvent.stepStarted(step: 1, of: 2, reference: "team/cart", weights: [("v1", 50), ("v2", 50)])
    #expect(
      event.json(time: shiftTime)
        == #"{"time":"2026-11-30T00:53:20Z","event":"step","step":1,"steps":2,"trafficSplit":"team/cart","weights":{"v1":50,"v2":50}}"#
    )
    #expect(
      ShiftEvent.gateFailed(step: 2, of: 2, result: .timedOut).json(time: shiftTime)
        == #"{"time":"2026-11-30T00:53:20Z","event":"gate-failed","step":2,"steps":2,"timedOut":true}"#)
    #expect(
      ShiftEvent.rolledBack(reason: "the gate failed (exit 1) after step 1", weights: [("v1", 90), ("v2", 10)])
        .json(time: shiftTime)
        == #"{"time":"2026-11-30T00:53:20Z","event":"rolled-back","reason":"the gate failed (exit 1) after step 1","weights":{"v1":90,"v2":10}}"#
    )
  }

  @Test func theLiveGateRunnerKillsAGateThatRunsTooLong() {
    #expect(InterruptWatch.runGate("exit 3", variables: [:], timeout: .seconds(30)) == .exited(3))
    #expect(InterruptWatch.runGate("sleep 30; exit 0", variables: [:], timeout: .milliseconds(200)) == .timedOut)
  }

  @Test func aDryRunListsTheStepsAndWritesNothing() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [50, 100])
    #expect(
      plan.steps.indices.map(plan.progressLine) == [
        "step 1/2: team/cart v1=50,v2=50", "step 2/2: team/cart v1=0,v2=100",
      ])
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func unknownBackendsAndMissingSplitsAreRefused() async throws {
    let (target, _) = try await target()
    #expect(throws: MeshOpsError.invalidRequest(#"TrafficSplit team/cart has no backend "v3" (backends: v1, v2)"#)) {
      try ShiftPlan(target: target, backend: "v3", percents: [10])
    }
    let api = try TestKubeconfig.api(CanaryCluster.server())
    await #expect(throws: ObjectNotFound.self) {
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

/// Hands out 100, 101, ... from several tasks.
final class VersionCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 99

  func next() -> String {
    lock.withLock {
      value += 1
      return String(value)
    }
  }
}
