import Foundation
import KubeClient
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

@testable import MeshOps

/// What the CLI hands to MeshOps now: shift's flags and preparation, apply's input findings,
/// STRICT's traffic verdict and check's order of checks.
@Suite struct ShiftPreparationTests {
  /// The message of the usage error `request.validate()` throws; nil when it passes.
  func refusal(_ request: ShiftRequest) -> String? {
    do {
      try request.validate()
      return nil
    } catch MeshOpsError.invalidRequest(let message) {
      return message
    } catch {
      return "unexpected \(error)"
    }
  }

  @Test func shiftFlagsAreCheckedTogether() {
    #expect(refusal(ShiftRequest(service: "cart", to: "v2", weight: 20)) == nil)
    #expect(refusal(ShiftRequest(service: "cart", rollback: true, finish: true))?.contains("only one of") == true)
    #expect(
      refusal(ShiftRequest(service: "cart", weight: 10, rollback: true))
        == "--rollback, --finish and --abandon take no --weight, --steps, --gate or --analysis")
    #expect(
      refusal(ShiftRequest(service: "cart", to: "x", rollback: true))
        == "--rollback --to takes a history entry number (1 is the newest), not \"x\"")
    #expect(refusal(ShiftRequest(service: "cart", to: "2", finish: true)) == "--finish and --abandon take no --to")
    #expect(refusal(ShiftRequest(service: "cart", to: "2", rollback: true)) == nil)
    #expect(refusal(ShiftRequest(service: "cart", weight: 10)) == "give --to BACKEND (or --rollback, --finish or --abandon)")
    #expect(refusal(ShiftRequest(service: "cart", to: "v2")) == "give either --weight N or --steps LIST")
    #expect(refusal(ShiftRequest(service: "cart", to: "v2", weight: 101)) == "--weight 101 is outside 0...100")
    #expect(refusal(ShiftRequest(service: "cart", to: "v2", steps: "10,x"))?.hasPrefix("invalid --steps \"10,x\"") == true)
    #expect(refusal(ShiftRequest(service: "cart", to: "v2", weight: 5, interval: "soon"))?.hasPrefix("invalid --interval") == true)
    #expect(refusal(ShiftRequest(service: "cart", to: "v2", weight: 5, minRequests: 0))?.contains("--min-requests") == true)
    #expect(
      refusal(ShiftRequest(service: "cart", to: "v2", weight: 5, analysis: ["success-rate>=99"]))?
        .hasPrefix("canary analysis needs --interval of at least 1s") == true)
    #expect(ShiftRequest(service: "cart", to: "3", rollback: true).handBack == .rollback(to: 3))
    #expect(ShiftRequest(service: "cart", abandon: true).handBack == .abandon)
    #expect(ShiftRequest(service: "cart", to: "v2", weight: 5).handBack == nil)
  }

  @Test func thePreparationPlansGuardsAndPrintsADryRun() async throws {
    let server = CanaryCluster.server(readyBackends: ["v1"])
    let api = try TestKubeconfig.api(server)
    let target = try await TrafficSplitTarget.find(
      service: "cart", api: api, config: .defaults, provider: nil, routing: .provider)
    let request = ShiftRequest(service: "cart", to: "v2", steps: "50,100", dryRun: true)
    let prepared = try await ShiftPreparation.make(request, target: target, at: shiftTime).withAnalysis()
    #expect(prepared.verdict.refused)
    #expect(prepared.verdict.errors.first?.contains("backend v2") == true)
    #expect(prepared.dryRunLines == ["step 1/2: team/cart v1=50,v2=50 (dry run)", "step 2/2: team/cart v1=0,v2=100 (dry run)"])
    #expect(prepared.analysisLine == nil)
    #expect(try prepared.dryRunQueries().isEmpty)
    let allowed = try await ShiftPreparation.make(
      ShiftRequest(service: "cart", to: "v2", weight: 50, allowEmpty: true), target: target, at: shiftTime)
    #expect(!allowed.verdict.refused)
    #expect(allowed.verdict.warnings.first?.hasPrefix("--allow-empty: ") == true)
    #expect(server.patchedPaths.isEmpty)
  }

  @Test func onlyStoppingFindingsAndValidatesWarningsAreShown() {
    func finding(_ severity: Diagnostic.Severity, _ code: String) -> Diagnostic {
      Diagnostic(severity: severity, code: code, message: code, file: "a.yaml", mark: SourceMark(line: 1, column: 1))
    }
    let all = [finding(.warning, "MC2002"), finding(.error, "MC1001"), finding(.error, "MC0001"), finding(.info, "MC9")]
    let validated = ApplyInput.findings(all, validate: true)
    #expect(validated.shown.map(\.code) == ["MC2002", "MC1001", "MC0001"])
    #expect(validated.stop)
    let deleting = ApplyInput.findings(all, validate: false)
    #expect(deleting.shown.map(\.code) == ["MC0001"])
    #expect(deleting.stop)
    #expect(!ApplyInput.findings([finding(.warning, "MC2002")], validate: true).stop)
  }

  @Test func strictIsUncheckedWithoutAPrometheusAndAWindowIsAtLeastASecond() async throws {
    let verdict = try await PlaintextReport.strictVerdict(
      namespace: "shop", mesh: .istio, window: .seconds(300),
      located: .failure(MeshOpsError.notFound("no Prometheus found")), commandName: "meshctl")
    #expect(
      verdict
        == .unchecked(
          warning: "the plaintext traffic check was not possible: no Prometheus found; STRICT is set without it"))
    #expect(try PlaintextReport.window("5m") == .seconds(300))
    #expect(throws: MeshOpsError.self) { try PlaintextReport.window("500ms") }
  }

  @Test func withoutAConnectionTheOnlyCheckIsTheFailedOne() async {
    let results = await Preflight.run(session: .failure(MeshOpsError.notFound("no kubeconfig")), pre: false)
    #expect(results.map(\.name) == ["kubeconfig"])
    #expect(results.first?.status == .failed)
  }
}

/// `top`'s readings: what one looks like, and how often they come.
@Suite struct TopScreenTests {
  @Test func aRepeatedTableClearsTheScreenAndAnEmptyOneSaysSo() {
    let screen = WorkloadTraffic.Screen(
      namespace: "shop", range: "1m", mesh: .istio, json: false, watch: true, terminal: true)
    let row = WorkloadTrafficRow(namespace: "shop", workload: "cart", requestRate: 2)
    let table: ([[String]]) -> String = { rows in rows.map { $0.joined(separator: "|") }.joined(separator: "\n") + "\n" }
    #expect(screen.text([row], first: true, renderTable: table).hasPrefix("NAMESPACE|"))
    #expect(screen.text([row], first: false, renderTable: table).hasPrefix("\u{1B}[H\u{1B}[2JNAMESPACE|"))
    #expect(screen.text([], first: true, renderTable: table) == "No traffic to workloads in namespace shop in the last 1m.\n")
    var json = screen
    json.json = true
    #expect(!json.text([row], first: false, renderTable: table).dropLast().contains("\n"))
  }

  @Test func readingsRepeatUntilTheSignal() {
    let log = WalkLog()
    let stopped = WorkloadTraffic.refresh(
      every: .seconds(2), sleep: { _, _ in if log.events.count == 3 { log.interrupt() } },
      interrupted: { log.interrupted }, reading: { first in log.record(first ? "first" : "again") })
    #expect(stopped)
    #expect(log.events == ["first", "again", "again"])
    let once = WorkloadTraffic.refresh(every: nil, sleep: { _, _ in }, interrupted: { false }, reading: { _ in log.record("once") })
    #expect(!once)
    #expect(log.events.last == "once" && log.events.count == 4)
  }
}

/// `mtls enable`'s flags make a policy that must itself be valid.
@Suite struct MTLSEnableRequestTests {
  @Test func aLabelValueKubernetesRefusesIsAUsageError() throws {
    func request(_ value: String) -> MTLSEnableRequest {
      MTLSEnableRequest(
        namespace: "shop", mode: "STRICT", selector: [(key: "app", value: value)], force: false, provider: nil,
        config: .defaults, configGiven: false)
    }
    try request("reviews").validate()
    #expect {
      try request("not a label!").validate()
    } throws: { error in
      guard case MeshOpsError.invalidRequest(let message) = error else { return false }
      return message.hasPrefix("the flags make an invalid MTLSPolicy: ")
    }
  }
}
