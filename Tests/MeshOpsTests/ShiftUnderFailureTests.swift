import Foundation
import KubeClient
import Manifest
import Policy
import TestSupport
import Testing

@testable import MeshOps

/// A shift that is interrupted while its gate runs, and a shift whose restore fails.
@Suite struct ShiftUnderFailureTests {
  /// The target on a fresh canary cluster.
  func target() async throws -> (TrafficSplitTarget, ScriptedServer) {
    let server = CanaryCluster.server()
    let api = try TestKubeconfig.api(server)
    let target = try await TrafficSplitTarget.find(
      service: "cart", api: api, config: .defaults, provider: nil, routing: .provider)
    return (target, server)
  }

  /// A walk with a gate (whose run `gate` is) and no sleeps; events go to `log`.
  func walk(_ log: WalkLog, gate: @escaping @Sendable (@escaping @Sendable () -> Bool) -> GateResult) -> CanaryWalk {
    var walk = CanaryWalk(
      pause: .seconds(60), gate: "./smoke.sh", gateTimeout: .seconds(90), service: "cart",
      sleep: { _, _ in }, runGate: { _, _, _, stop in gate(stop) },
      interrupted: { log.interrupted }, progress: { log.record($0.text) })
    walk.clusterFlags = ["--context", "prod east"]
    return walk
  }

  @Test func aSignalWhileTheGateRunsStopsTheGateAndRestoresAtOnce() async throws {
    let (target, server) = try await target()
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50, 100])
    let log = WalkLog()
    // The gate would pass if it ran to its end; the signal comes while it runs, and the walk
    // must have handed down its signal so the runner can stop the gate (143: SIGTERM).
    let outcome = try await walk(log) { stop in
      log.interrupt()
      return stop() ? .exited(143) : .exited(0)
    }.run(plan)
    guard case .interrupted = outcome else { Issue.record("not interrupted: \(outcome)"); return }
    #expect(CanaryCluster.appliedWeights(server) == ["v1=75,v2=25", "v1=90,v2=10"])
    #expect(!log.events.contains { $0.contains("gate passed") || $0.contains("gate failed") }, "\(log.events)")
    #expect(log.events.last == "interrupted: weights restored to v1=90,v2=10")
  }

  @Test func theLiveGateRunnerKillsTheGateAsSoonAsStopSaysSo() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let started = directory.appendingPathComponent("started").path
    // Without the stop the gate sleeps 60 s and passes; stopped once it has started, its
    // process group gets SIGTERM and the result is the signal's status, not a pass.
    let result = InterruptWatch.runGate(
      "touch '\(started)'; sleep 60; exit 0", variables: [:], timeout: .seconds(120),
      stop: { FileManager.default.fileExists(atPath: started) })
    #expect(result == .exited(128 + SIGTERM))
  }

  @Test func aFailedRestoreSaysTheWeightsWereNotRestoredAndHowToRestoreThem() async throws {
    let (target, server) = try await target()
    let patches = WalkLog()
    server.onPatch = { _ in
      patches.record("patch")
      // The first write (step 1) goes through; the restore fails with a server error.
      guard patches.events.count > 1 else { return nil }
      return HTTPResponse(
        status: 500,
        body: Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcd is down","code":500}"#.utf8))
    }
    let plan = try ShiftPlan(target: target, backend: "v2", percents: [25, 50])
    let log = WalkLog()
    do {
      let outcome = try await walk(log) { _ in .exited(1) }.run(plan)
      Issue.record("the walk ended without an error: \(outcome)")
    } catch MeshOpsError.restoreFailed(let message) {
      let lines = message.split(separator: "\n").map(String.init)
      #expect(lines.count == 3, "\(message)")
      #expect(
        lines.first?.hasPrefix(
          "the weights were NOT restored to v1=90,v2=10 after the gate failed (exit 1) after step 1: ") == true,
        "\(message)")
      #expect(lines.first?.contains("etcd is down") == true, "\(message)")
      #expect(
        lines.dropFirst().first
          == "  live weights: v1=75,v2=25 (as step 1/2 wrote them); `meshctl shift status cart -n team --context 'prod east'` reads them"
      )
      #expect(lines.last == "  restore them: meshctl shift cart --rollback -n team --context 'prod east'")
    }
    #expect(!log.events.contains { $0.contains("restored") }, "\(log.events)")
    #expect(MeshOpsError.restoreFailed("x").isClusterFailure)
  }

  @Test func shellWordsQuoteWhatTheShellWouldSplit() {
    #expect(ShellWords.join(["meshctl", "shift", "cart", "-n", "team"]) == "meshctl shift cart -n team")
    #expect(ShellWords.join(["--context", "a b", "it's", ""]) == #"--context 'a b' 'it'\''s' ''"#)
  }
}

/// A live progress line left open when the walk stops with an error.
@Suite struct LiveLineTests {
  @Test func anOpenLiveLineIsClosedOnceSoTheErrorStartsOnItsOwnLine() {
    var renderer = ShiftProgressRenderer(style: .live)
    _ = renderer.render(.gateStarted(step: 1, of: 2), at: shiftTime)
    #expect(renderer.closeLine() == "\n")
    #expect(renderer.closeLine() == "")
    var lines = ShiftProgressRenderer(style: .lines)
    _ = lines.render(.gateStarted(step: 1, of: 2), at: shiftTime)
    #expect(lines.closeLine() == "")
  }
}
