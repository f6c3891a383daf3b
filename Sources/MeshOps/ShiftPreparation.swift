import FoundationEssentials
import KubeClient
import Manifest
import MeshSchema
import Policy

/// What `shift SERVICE` is asked to do, as its flags say it. `validate` checks it before any
/// request; the rest turns it into the values the walk uses.
public struct ShiftRequest: Sendable {
  /// The Service whose TrafficSplit is shifted.
  public var service: String
  /// `--to`: the backend that gets the weight (with `--rollback`: the history entry).
  public var to: String?
  /// `--weight`.
  public var weight: Int?
  /// `--steps`, as written.
  public var steps: String?
  /// `--interval`, as written.
  public var interval: String
  /// `--gate`.
  public var gate: String?
  /// `--gate-timeout`, as written.
  public var gateTimeout: String
  /// `--analysis`, each as written.
  public var analysis: [String]
  /// `--min-requests`.
  public var minRequests: Int
  /// `--rollback`, `--finish` and `--abandon`.
  public var rollback: Bool, finish: Bool, abandon: Bool
  /// `--dry-run`.
  public var dryRun: Bool
  /// `--allow-empty`.
  public var allowEmpty: Bool

  /// Creates a request; the defaults are the flags' defaults.
  public init(
    service: String, to: String? = nil, weight: Int? = nil, steps: String? = nil, interval: String = "0s",
    gate: String? = nil, gateTimeout: String = "5m", analysis: [String] = [], minRequests: Int = 1,
    rollback: Bool = false, finish: Bool = false, abandon: Bool = false, dryRun: Bool = false,
    allowEmpty: Bool = false
  ) {
    (self.service, self.to, self.weight, self.steps, self.interval) = (service, to, weight, steps, interval)
    (self.gate, self.gateTimeout, self.analysis, self.minRequests) = (gate, gateTimeout, analysis, minRequests)
    (self.rollback, self.finish, self.abandon) = (rollback, finish, abandon)
    (self.dryRun, self.allowEmpty) = (dryRun, allowEmpty)
  }

  /// `--rollback`, `--finish` or `--abandon` as the hand-back they ask for; nil: a shift.
  public var handBack: HandBack? {
    rollback ? .rollback(to: Int(to ?? "1") ?? 1) : finish ? .finish : abandon ? .abandon : nil
  }

  /// Checks the flags together; a wrong combination or value is `MeshOpsError.invalidRequest`
  /// (a usage error).
  public func validate() throws {
    let modes = [rollback, finish, abandon].filter { $0 }.count
    guard modes <= 1 else { throw invalid("give only one of --rollback, --finish and --abandon") }
    if modes == 1 {
      guard weight == nil, steps == nil, gate == nil, analysis.isEmpty else {
        throw invalid("--rollback, --finish and --abandon take no --weight, --steps, --gate or --analysis")
      }
      if let to, !(rollback && (Int(to) ?? 0) >= 1) {
        throw invalid(
          rollback
            ? "--rollback --to takes a history entry number (1 is the newest), not \"\(to)\""
            : "--finish and --abandon take no --to")
      }
      return
    }
    guard to != nil else { throw invalid("give --to BACKEND (or --rollback, --finish or --abandon)") }
    guard (weight == nil) != (steps == nil) else { throw invalid("give either --weight N or --steps LIST") }
    if let weight, !(0...100).contains(weight) { throw invalid("--weight \(weight) is outside 0...100") }
    _ = try percents()
    _ = try pause()
    _ = try gateLimit()
    guard minRequests >= 1 else { throw invalid("--min-requests must be at least 1, not \(minRequests)") }
    if !(try specs(trafficSplit: nil)).isEmpty { _ = try analysisWindow() }
  }

  /// The weights of `--steps` (or the one `--weight`).
  public func percents() throws -> [Int] {
    guard let weights = ShiftSteps.parse(weight: weight, steps: steps) else {
      throw invalid("invalid --steps \"\(steps ?? "")\": use whole percentages 0 to 100, e.g. 10,25,50,100")
    }
    return weights
  }

  /// `--interval`: the wait after each step.
  public func pause() throws -> Duration { try Self.duration(interval, flag: "--interval") }

  /// `--gate-timeout`.
  public func gateLimit() throws -> Duration { try Self.duration(gateTimeout, flag: "--gate-timeout") }

  /// The analysis window: `--interval`, which must then be at least 1s.
  public func analysisWindow() throws -> Duration {
    let window = try pause()
    guard window >= .seconds(1) else {
      throw invalid(
        "canary analysis needs --interval of at least 1s: each step's analysis covers its interval (e.g. --interval 30s)")
    }
    return window
  }

  /// The analyses of the TrafficSplit's `spec.analysis` and of the flags; a bad one is a usage error.
  public func specs(trafficSplit: Node?) throws -> [AnalysisSpec] {
    do {
      return try StepAnalysis.specs(flags: analysis, trafficSplit: trafficSplit)
    } catch let error as CanaryAnalysisError {
      throw invalid(error.description + (trafficSplit == nil ? "" : " (in the TrafficSplit's spec.analysis)"))
    }
  }

  private static func duration(_ text: String, flag: String) throws -> Duration {
    do {
      return try RequestTimeout.parse(text) ?? .zero
    } catch {
      throw MeshOpsError.invalidRequest("invalid \(flag) \"\(text)\": use a duration such as 30s, 1m or 1h30m")
    }
  }

  private func invalid(_ message: String) -> MeshOpsError { .invalidRequest(message) }
}

/// Everything `shift` decides before its walk: the plan of weights, the ready-endpoint guard's
/// verdict, and (`withAnalysis`) the canary analysis with its target. The CLI prints what it
/// says and starts the walk it builds.
public struct ShiftPreparation: Sendable {
  /// What was asked.
  public let request: ShiftRequest
  /// The weights of each step, from the live ones.
  public let plan: ShiftPlan
  /// The ready-endpoint guard: a refusal stops the shift before anything is written (exit 1).
  public let verdict: GuardVerdict
  /// The analyses each step runs (empty: none).
  public private(set) var specs: [AnalysisSpec] = []
  /// The canary workload the analyses measure; nil without analyses.
  public private(set) var canary: AnalysisTarget?

  /// Plans `request` against `target` as of `time` and checks that every backend a step gives
  /// weight has ready endpoints.
  public static func make(_ request: ShiftRequest, target: TrafficSplitTarget, at time: Date) async throws
    -> ShiftPreparation
  {
    let plan = try ShiftPlan(target: target, backend: request.to ?? "", percents: try request.percents(), at: time)
    let verdict = GuardVerdict(emptyBackends: try await plan.emptyBackends(), allowEmpty: request.allowEmpty)
    return ShiftPreparation(request: request, plan: plan, verdict: verdict)
  }

  /// The preparation with the analyses of the flags and the TrafficSplit, and the canary they
  /// measure (found in the cluster). Asked for after the guard, whose findings come first.
  public func withAnalysis() async throws -> ShiftPreparation {
    var prepared = self
    prepared.specs = try request.specs(trafficSplit: plan.target.trafficSplit)
    if !prepared.specs.isEmpty {
      _ = try request.analysisWindow()
      prepared.canary = try await CanaryWorkload.resolve(plan)
    }
    return prepared
  }

  /// What `--dry-run` prints on standard output: the PromQL each step's analysis would run.
  public func dryRunQueries() throws -> [String] {
    guard let canary else { return [] }
    return try CanaryAnalysis.queries(
      specs: specs, target: canary, mesh: plan.target.provider, window: try request.analysisWindow())
  }

  /// What `--dry-run` prints on standard error: the weights of each step.
  public var dryRunLines: [String] { plan.steps.indices.map { plan.progressLine($0) + " (dry run)" } }

  /// `analysis of team/cart-v2 version v2: success-rate>=99.5`, said before the walk; nil without analyses.
  public var analysisLine: String? {
    canary.map { canary in
      "analysis of \(canary.namespace)/\(canary.workload)\(canary.version.map { " version \($0)" } ?? ""): "
        + specs.map(\.text).joined(separator: ", ")
    }
  }

  /// The analysis each step runs, asking `prometheus`; nil without analyses.
  public func stepAnalysis(prometheus: any PrometheusQuerying) -> StepAnalysis? {
    canary.map { canary in
      StepAnalysis(
        specs: specs, target: canary, mesh: plan.target.provider, minRequests: Double(request.minRequests),
        prometheus: prometheus)
    }
  }

  /// The walk of the plan, holding a Lease in `holder`'s name for as long as a step can take;
  /// the clock, the gate runner, the signal and the progress come from the caller, and a failed
  /// restore names the commands to run as `commandName ... clusterFlags`.
  public func walk(
    holder: String, analysis: StepAnalysis?, tick: Duration?, commandName: String, clusterFlags: [String],
    sleep: @escaping @Sendable (Duration, @Sendable () -> Bool) -> Void,
    runGate: @escaping @Sendable (String, [String: String], Duration, @escaping @Sendable () -> Bool) -> GateResult,
    interrupted: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (ShiftEvent) -> Void
  ) throws -> CanaryWalk {
    let (pause, limit) = (try request.pause(), try request.gateLimit())
    let lease = ShiftLease(
      target: plan.target, holder: holder,
      duration: pause + limit + (analysis?.bound(window: pause) ?? .zero) + .seconds(60))
    var walk = CanaryWalk(
      pause: pause, gate: request.gate, gateTimeout: limit, service: request.service, tick: tick, sleep: sleep,
      runGate: runGate, interrupted: interrupted, progress: progress, lease: lease, analysis: analysis)
    (walk.commandName, walk.clusterFlags) = (commandName, clusterFlags)
    return walk
  }
}

/// Prints a walk's events as `ShiftProgressRenderer` renders them, one event at a time.
public final class ShiftProgressPrinter: @unchecked Sendable {
  private let stdout: any TextSink
  private let stderr: any TextSink
  private let now: () -> Date
  private let lock = Lock()
  private var renderer: ShiftProgressRenderer
  /// Whether events redraw one line (a terminal and text output).
  public var isLive: Bool { renderer.style == .live }

  /// Prints JSON events on `stdout` when `json`, else a live line when `stderrIsTerminal`, else
  /// timestamped lines on `stderr`.
  public init(stdout: any TextSink, stderr: any TextSink, json: Bool, stderrIsTerminal: Bool, now: @escaping () -> Date) {
    (self.stdout, self.stderr, self.now) = (stdout, stderr, now)
    renderer = ShiftProgressRenderer(style: json ? .json : stderrIsTerminal ? .live : .lines)
  }

  /// Ends a live line left open, so that an error the walk stopped with starts on a line of its own.
  public func close() {
    lock.withLock { stderr.write(renderer.closeLine()) }
  }

  /// Writes what `event` renders to.
  public func show(_ event: ShiftEvent) {
    lock.withLock {
      let output = renderer.render(event, at: now())
      if !output.stdout.isEmpty {
        stdout.write(output.stdout)
        stdout.flush()
      }
      if !output.stderr.isEmpty { stderr.write(output.stderr) }
    }
  }
}
