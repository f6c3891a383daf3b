import FoundationEssentials
import KubeClient
import Manifest
import MeshSchema
import Policy

/// Backend weights of a TrafficSplit, in its order.
public typealias BackendWeights = [(name: String, weight: Int)]

/// One TrafficSplit in the cluster, ready to be rewritten with other weights. Its route is
/// written by shift's own field manager (`ShiftOwnership.fieldManager`), each write conditional
/// on the route's `resourceVersion` as last read or written, so a change made in between stops
/// the shift (`ShiftRefusal.lostRace`) instead of being overwritten.
public struct TrafficSplitTarget: Sendable {
  /// The TrafficSplit as rebuilt from its route.
  public let trafficSplit: Node
  /// `shop/reviews`.
  public let reference: String
  /// The Service the split routes.
  public let service: String
  /// The route as read: the VirtualService or HTTPRoute the weights live in.
  public let route: Node
  /// The weights earlier shifts replaced, from the route's annotation.
  public let history: WeightHistory
  /// The API the split was read from.
  public let api: KubeAPI
  private let renderer: PolicyRenderer
  private let lookup: ManifestLookup
  let version: RouteVersion

  /// The mesh the route is rendered for (whose metrics an analysis reads).
  public var provider: MeshConfig.Provider { renderer.settings.config.provider }
  /// The MeshConfig the split is rendered with (`--config`, or the defaults).
  public var meshConfig: MeshConfig { renderer.settings.config }

  /// The weights the route has now.
  public var weights: BackendWeights { TrafficShift.weights(of: trafficSplit) }

  /// `virtualservice team/cart`, the route as messages name it.
  public var routeReference: String {
    "\((route["kind"]?.string ?? "route").lowercased()) \(route[path: "metadata", "namespace"]?.string ?? "")/"
      + (route[path: "metadata", "name"]?.string ?? "")
  }

  /// Finds the TrafficSplit of `service` in the API's namespace and prepares to render it for
  /// the mesh (`provider` when given, else the cluster's); none is `ObjectNotFound`
  /// (whose hint names the `get` command of `commandName`).
  public static func find(
    service: String, api: KubeAPI, config: MeshConfig, provider: MeshConfig.Provider?, routing: RoutingTarget,
    commandName: String = "meshctl"
  ) async throws -> TrafficSplitTarget {
    let namespace = api.defaultNamespace
    let found = try await ManagedPolicies.list(.trafficsplits, api: api, namespace: namespace)
    guard let match = found.first(where: { $0.policy[path: "spec", "service"]?.string == service }),
      let route = match.route
    else {
      throw ObjectNotFound(
        resource: "trafficsplits.meshctl.io for service", name: service,
        hint:
          "no TrafficSplit for Service \"\(service)\" in namespace \"\(namespace)\"; see \(commandName) get trafficsplits"
      )
    }
    var settings = try await ClusterPolicies.settings(config: config, provider: provider, routing: routing, api: api)
    // A split already served by an HTTPRoute stays one.
    if route["kind"]?.string == "HTTPRoute", settings.provider == .istio { settings.routing = .gatewayAPI }
    let placed = ManifestObject(node: match.policy, document: Document(root: match.policy, file: "cluster"), path: "")
    var lookup = ManifestLookup()
    for node in try await ClusterPolicies.clusterObjects(around: [placed], api: api) { lookup.add(node) }
    return TrafficSplitTarget(
      trafficSplit: match.policy, reference: "\(match.namespace)/\(match.name)", service: service, route: route,
      history: WeightHistory(route: route), api: api, renderer: PolicyRenderer(settings: settings), lookup: lookup,
      version: RouteVersion(route[path: "metadata", "resourceVersion"]?.string))
  }

  /// The route rendered with `weights`, carrying `history` in its annotation (nil: without it).
  func renderedRoute(_ weights: BackendWeights, history: WeightHistory?) throws -> Node {
    let changed = TrafficShift.with(weights, in: trafficSplit)
    let result = renderer.render(changed, file: "cluster", lookup: lookup)
    if let error = result.diagnostics.first(where: { $0.severity == .error }) {
      throw MeshOpsError.notFound(
        "TrafficSplit \(reference) cannot be rendered with \(TrafficShift.describe(weights)): \(error.message)")
    }
    guard
      var node = result.objects.first(where: {
        $0["kind"]?.string == route["kind"]?.string
          && $0[path: "metadata", "name"]?.string == route[path: "metadata", "name"]?.string
      })
    else {
      throw MeshOpsError.notFound("TrafficSplit \(reference) no longer renders to its \(routeReference)")
    }
    if let history {
      node = node.settingValue(.string(history.encoded), at: ["metadata", "annotations", WeightHistory.annotation])
    }
    return node
  }

  /// Writes the route with `weights` and `history` as shift's field manager, taking the weights
  /// from apply's (`force`); conditional on the route's version, so a route changed since it
  /// was read is `ShiftRefusal.lostRace` and nothing is written.
  public func write(_ weights: BackendWeights, history: WeightHistory) async throws {
    let node = try renderedRoute(weights, history: history)
    try await send(node, options: ApplyOptions(fieldManager: ShiftOwnership.fieldManager, force: true))
  }

  /// Server-side applies `node` (the route or a part of it) with the version last seen as its
  /// precondition, and remembers the version the server answers with.
  func send(_ node: Node, options: ApplyOptions) async throws {
    let resource = try await MeshOpsError.wrappingDiscovery {
      try await api.resource(apiVersion: route["apiVersion"]?.string ?? "", kind: route["kind"]?.string ?? "")
    }
    let name = route[path: "metadata", "name"]?.string ?? ""
    let namespace = route[path: "metadata", "namespace"]?.string ?? api.defaultNamespace
    var body = node
    if let expected = await version.current {
      body = body.settingValue(.string(expected), at: ["metadata", "resourceVersion"])
    }
    do {
      let answer = try await api.apply(body, as: resource, namespace: namespace, name: name, options: options)
      await version.update(answer[path: "metadata", "resourceVersion"]?.string)
    } catch let error as APIError where error.category == .conflict || error.httpStatus == 404 {
      let live = try? await api.get(resource, namespace: namespace, name: name)
      throw ShiftRefusal.lostRace(ShiftRefusal.raceMessage(routeReference, read: route, live: live))
    }
  }

  /// Puts back entry `entry` of the history (1: the newest) and drops it and every newer one;
  /// the weights undone are not remembered, so rolling back again goes one step further back.
  /// Nothing to roll back to is `ShiftRefusal.nothingToRollBack` (nothing written).
  public func rollback(to entry: Int = 1, dryRun: Bool = false) async throws -> BackendWeights {
    let weights = try historyEntry(entry, purpose: "roll back to").weights
    if !dryRun { try await write(weights, history: history.dropping(entry)) }
    return weights
  }

  /// History entry `entry` (from 1), or why there is none.
  func historyEntry(_ entry: Int, purpose: String) throws -> WeightHistory.Entry {
    guard !history.isEmpty else {
      let hint = purpose == "abandon" ? " (shift --finish hands the live weights back to apply)" : ""
      throw ShiftRefusal.nothingToRollBack(
        "TrafficSplit \(reference) has no shift history: nothing to \(purpose)\(hint)")
    }
    guard (1...history.entries.count).contains(entry) else {
      throw ShiftRefusal.nothingToRollBack(
        "TrafficSplit \(reference) has \(history.entries.count) history entr\(history.entries.count == 1 ? "y" : "ies"): no entry \(entry) to \(purpose)"
      )
    }
    return history.entries[entry - 1]
  }
}

/// The route's `resourceVersion` as last read or written, shared by the steps of one walk.
actor RouteVersion {
  /// The version; nil when the server gave none (no precondition is sent).
  private(set) var current: String?

  init(_ version: String?) { current = version }

  /// Records the version a write answered with.
  func update(_ version: String?) {
    if let version { current = version }
  }
}

/// The weights of `--steps` or `--weight`.
public enum ShiftSteps {
  /// `[weight]`, or the comma-separated percentages of `steps`; nil when one is not a whole
  /// number from 0 to 100.
  public static func parse(weight: Int?, steps: String?) -> [Int]? {
    if let weight { return [weight] }
    let parts = (steps ?? "").split(separator: ",", omittingEmptySubsequences: false)
    let values = parts.map { Int($0.filter { $0 != " " }) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && (0...100).contains($0!) }) else { return nil }
    return values.map { $0! }
  }
}

/// A shift planned against a TrafficSplit: the weights of every step, from the current ones.
public struct ShiftPlan: Sendable {
  /// The TrafficSplit.
  public let target: TrafficSplitTarget
  /// The backend that gets the weight.
  public let backend: String
  /// The weights before the shift (restored when it is rolled back).
  public let before: BackendWeights
  /// The weights of each step.
  public let steps: [BackendWeights]
  /// The history every step writes: the route's, with `before` as its newest entry.
  public let history: WeightHistory

  /// Each step sets `backend` to one of `percents`, the others rescaled in proportion; a
  /// backend the split lacks, or a weight nothing else can balance, is `invalidRequest`.
  /// `time` is when the shift starts (its history entry's time).
  public init(target: TrafficSplitTarget, backend: String, percents: [Int], at time: Date = Date()) throws {
    let before = target.weights
    guard before.contains(where: { $0.name == backend }) else {
      let names = before.map(\.name).joined(separator: ", ")
      throw MeshOpsError.invalidRequest(
        "TrafficSplit \(target.reference) has no backend \"\(backend)\" (backends: \(names))")
    }
    steps = try percents.map { percent in
      guard let weights = TrafficShift.setting(backend, to: percent, in: before) else {
        throw MeshOpsError.invalidRequest(
          "\(backend) cannot take \(percent)%: no other backend can take the remaining \(100 - percent)%")
      }
      return weights
    }
    self.target = target
    self.backend = backend
    self.before = before
    history = target.history.pushing(before, at: time)
  }

  /// The backends some step gives a weight above 0 that have no ready endpoints (the
  /// ready-endpoint guard of `BackendReadiness`), checked before the first write; each backend
  /// is checked at the highest weight any step gives it.
  public func emptyBackends() async throws -> [EmptyBackend] {
    let highest: BackendWeights = before.map { backend in
      (backend.name, steps.map { step in step.first { $0.name == backend.name }?.weight ?? 0 }.max() ?? 0)
    }
    let namespace =
      target.route[path: "metadata", "namespace"]?.string ?? target.reference.split(separator: "/").first.map(String.init)
      ?? target.api.defaultNamespace
    return try await BackendReadiness.emptyBackends(
      trafficSplit: target.trafficSplit, weights: highest, namespace: namespace, api: target.api)
  }

  /// `step 1/4: shop/reviews v1=90,v2=10`, the progress line of step `index` (from 0).
  public func progressLine(_ index: Int) -> String {
    "step \(index + 1)/\(steps.count): \(target.reference) \(TrafficShift.describe(steps[index]))"
  }
}

/// How a canary walk ended.
public enum ShiftOutcome: Sendable {
  /// Every step applied; the weights now in force.
  case shifted(BackendWeights)
  /// The gate failed: the weights from before were put back.
  case rolledBack(reason: String, restored: BackendWeights)
  /// A signal came: the weights from before were put back.
  case interrupted(restored: BackendWeights)

  /// What to say about a restore (`interrupted: weights restored to v1=100,v2=0`); nil when
  /// the shift went through.
  public var restoreMessage: String? {
    switch self {
    case .shifted: return nil
    case .rolledBack(let reason, let weights): return "\(reason): weights restored to \(TrafficShift.describe(weights))"
    case .interrupted(let weights): return "interrupted: weights restored to \(TrafficShift.describe(weights))"
    }
  }
}

/// How a gate run ended.
public enum GateResult: Sendable, Equatable {
  /// It exited with this status (0: passed).
  case exited(Int32)
  /// It ran past the gate timeout and was killed.
  case timedOut
}

/// Walks a shift's steps: applies each, waits, runs the health gate, and restores the weights
/// from before the shift when the gate fails or a signal comes. Time, the gate and signals
/// come in from outside, so tests walk without sleeping or starting processes.
public struct CanaryWalk: Sendable {
  /// The wait after each step (before the gate).
  public var pause: Duration
  /// The gate command; nil: no gate.
  public var gate: String?
  /// How long a gate may run before it is killed and counts as failed.
  public var gateTimeout: Duration
  /// The Service, for the gate's `MESHCTL_SERVICE`.
  public var service: String
  /// The wait is cut into sleeps this long, each followed by a `waiting` event (for a live
  /// line's countdown); nil: one sleep per wait, no `waiting` events.
  public var tick: Duration?
  /// Waits `duration`, returning early once the second argument says a signal came.
  public var sleep: @Sendable (_ duration: Duration, _ interrupted: @Sendable () -> Bool) -> Void
  /// Runs the gate command with extra environment variables and a time limit, stopping it (its
  /// whole process group) as soon as `stop` turns true: a signal ends the gate at once.
  public var runGate:
    @Sendable (
      _ command: String, _ variables: [String: String], _ timeout: Duration, _ stop: @escaping @Sendable () -> Bool
    ) -> GateResult
  /// Whether a signal (Ctrl-C, SIGTERM) has come.
  public var interrupted: @Sendable () -> Bool
  /// Told each event as it happens.
  public var progress: @Sendable (ShiftEvent) -> Void
  /// The Lease a stepped walk holds (a one-step shift only checks it); nil: none.
  public var lease: ShiftLease?
  /// The canary analysis evaluated after each step's wait, before the gate (its window is the
  /// pause); nil: none.
  public var analysis: StepAnalysis?
  /// The command's name, for the commands a failed restore names.
  public var commandName = "meshctl"
  /// The flags that select the same cluster and mesh (`--context prod`), for those commands.
  public var clusterFlags: [String] = []

  /// Creates a walk.
  public init(
    pause: Duration, gate: String?, gateTimeout: Duration = .seconds(300), service: String, tick: Duration? = nil,
    sleep: @escaping @Sendable (Duration, @Sendable () -> Bool) -> Void,
    runGate: @escaping @Sendable (String, [String: String], Duration, @escaping @Sendable () -> Bool) -> GateResult,
    interrupted: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (ShiftEvent) -> Void,
    lease: ShiftLease? = nil, analysis: StepAnalysis? = nil
  ) {
    self.lease = lease
    self.analysis = analysis
    self.pause = pause
    self.gate = gate
    self.gateTimeout = gateTimeout
    self.service = service
    self.tick = tick
    self.sleep = sleep
    self.runGate = runGate
    self.interrupted = interrupted
    self.progress = progress
  }

  /// Walks `plan`'s steps in order; a stepped walk holds the Lease throughout (released however
  /// the walk ends), and any walk is refused up front while another shift holds it.
  public func run(_ plan: ShiftPlan) async throws -> ShiftOutcome {
    guard let lease else { return try await walk(plan) }
    if plan.steps.count > 1 || gate != nil || analysis != nil {
      try await lease.acquire(step: "0/\(plan.steps.count) starting")
    } else {
      try await lease.check()
    }
    do {
      let outcome = try await walk(plan)
      await lease.release()
      return outcome
    } catch {
      await lease.release()
      throw error
    }
  }

  private func walk(_ plan: ShiftPlan) async throws -> ShiftOutcome {
    let count = plan.steps.count
    for (index, weights) in plan.steps.enumerated() {
      let step = index + 1
      // The Lease says the step first, so whoever sees the step's weights sees it there too.
      try await lease?.renew(step: "\(step)/\(count) \(TrafficShift.describe(weights))")
      try await plan.target.write(weights, history: plan.history)
      progress(.stepStarted(step: step, of: count, reference: plan.target.reference, weights: weights))
      let live = "\(TrafficShift.describe(weights)) (as step \(step)/\(count) wrote them)"
      let last = step == count
      if gate != nil || analysis != nil || !last { wait(step: step, of: count) }
      if interrupted() { return try await restore(plan, .interrupted(restored: plan.before), live: live) }
      if let analysis {
        let failure = await analyze(analysis, step: step, of: count)
        if interrupted() { return try await restore(plan, .interrupted(restored: plan.before), live: live) }
        if let failure {
          return try await restore(plan, .rolledBack(reason: failure, restored: plan.before), live: live)
        }
      }
      if let gate {
        let weight = weights.first { $0.name == plan.backend }?.weight ?? 0
        progress(.gateStarted(step: step, of: count))
        // A signal stops the gate (its process group) at once: the restore must not wait for it.
        let result = runGate(
          gate, ["MESHCTL_SERVICE": service, "MESHCTL_BACKEND": plan.backend, "MESHCTL_WEIGHT": String(weight)],
          gateTimeout, interrupted)
        if interrupted() { return try await restore(plan, .interrupted(restored: plan.before), live: live) }
        guard result == .exited(0) else {
          progress(.gateFailed(step: step, of: count, result: result))
          let reason = "the gate failed (\(ShiftEvent.describe(result, timeout: gateTimeout))) after step \(step)"
          return try await restore(plan, .rolledBack(reason: reason, restored: plan.before), live: live)
        }
        progress(.gatePassed(step: step, of: count))
      }
    }
    let final = plan.steps.last ?? plan.before
    progress(.finished(reference: plan.target.reference, weights: final))
    return .shifted(final)
  }

  /// Evaluates the analysis after step `step` over the last pause, waiting (up to the bound)
  /// while the canary lacks traffic; returns why the step fails, or nil when it passes. A
  /// Prometheus that cannot answer fails the step too (the weights cannot be shown healthy).
  private func analyze(_ analysis: StepAnalysis, step: Int, of count: Int) async -> String? {
    let evaluations: [AnalysisEvaluation]
    do {
      evaluations = try await CanaryAnalysis.evaluateWaitingForTraffic(
        specs: analysis.specs, target: analysis.target, mesh: analysis.mesh, window: pause,
        minRequests: analysis.minRequests, prometheus: analysis.prometheus, bound: analysis.bound(window: pause),
        retryEvery: analysis.retry(window: pause),
        sleep: { duration in
          if interrupted() { throw CancellationError() }
          sleep(duration, interrupted)
          if interrupted() { throw CancellationError() }
        },
        onWait: { evaluations, left in
          progress(
            .analysisWaiting(
              step: step, of: count, requests: evaluations.first?.requests, minRequests: analysis.minRequests,
              left: left))
        })
    } catch is CancellationError {
      return nil
    } catch {
      return "the analysis could not run after step \(step): \(error)"
    }
    for evaluation in evaluations { progress(.analysis(step: step, of: count, evaluation: evaluation)) }
    switch CanaryAnalysis.combined(evaluations) {
    case .pass: return nil
    case .fail:
      let failed = evaluations.filter { $0.verdict == .fail }.map(\.summary).joined(separator: "; ")
      return "the analysis failed after step \(step): \(failed)"
    case .noData:
      let missing = evaluations.filter { $0.verdict == .noData }.map(\.spec.text).joined(separator: ", ")
      return "the analysis found no data after step \(step) for \(missing) (is Prometheus scraping workload "
        + "\(analysis.target.namespace)/\(analysis.target.workload)?)"
    case .notEnoughTraffic:
      let requests = evaluations.first?.requests.map(AnalysisSpec.format) ?? "0"
      return "not enough traffic after step \(step): \(requests) requests to \(analysis.target.workload) in "
        + "\(ShiftEvent.seconds(pause))s (--min-requests \(AnalysisSpec.format(analysis.minRequests))), waited "
        + "\(ShiftEvent.seconds(analysis.bound(window: pause)))s"
    }
  }

  /// Waits the pause after step `step`, in ticks when asked for a countdown.
  private func wait(step: Int, of count: Int) {
    guard let tick, tick > .zero else { return sleep(pause, interrupted) }
    var left = pause
    while left > .zero, !interrupted() {
      progress(.waiting(step: step, of: count, left: left))
      let nap = min(tick, left)
      sleep(nap, interrupted)
      left -= nap
    }
  }

  /// Puts back the weights from before the shift; `live` says what the route holds until then.
  /// A restore that fails is `MeshOpsError.restoreFailed`, saying so plainly.
  private func restore(_ plan: ShiftPlan, _ outcome: ShiftOutcome, live: String) async throws -> ShiftOutcome {
    do {
      // The entry this shift pushed goes again: it restored what it replaced.
      try await plan.target.write(plan.before, history: plan.target.history)
    } catch {
      throw MeshOpsError.restoreFailed(restoreFailure(plan, outcome, live: live, error: error))
    }
    switch outcome {
    case .interrupted(let weights): progress(.interrupted(weights: weights))
    case .rolledBack(let reason, let weights): progress(.rolledBack(reason: reason, weights: weights))
    case .shifted: break
    }
    return outcome
  }
}

extension CanaryWalk {
  /// What a failed restore says: that the weights were NOT restored and why, the live weights as
  /// far as the walk knows them, and the command that restores them (`shift --rollback` puts
  /// back the history entry this shift pushed: exactly what the restore would have written).
  func restoreFailure(_ plan: ShiftPlan, _ outcome: ShiftOutcome, live: String, error: any Error) -> String {
    let cause: String
    switch outcome {
    case .interrupted: cause = "the interrupt"
    case .rolledBack(let reason, _): cause = reason
    case .shifted: cause = "the shift"
    }
    let namespace = String(plan.target.reference.split(separator: "/").first ?? "")
    let selection = ["-n", namespace] + clusterFlags
    var raced = false
    if case .lostRace? = error as? ShiftRefusal { raced = true }
    return [
      "the weights were NOT restored to \(TrafficShift.describe(plan.before)) after \(cause): \(error)",
      "  live weights: " + (raced ? "unknown: another writer changed the route" : live) + "; `"
        + ShellWords.join([commandName, "shift", "status", service] + selection) + "` reads them",
      "  restore them: " + ShellWords.join([commandName, "shift", service, "--rollback"] + selection),
    ].joined(separator: "\n")
  }
}

/// Quoting for the commands messages tell people to run.
enum ShellWords {
  /// `words` as one shell command line: a word with anything but letters, digits and
  /// `-_./=:,@%+` goes in single quotes.
  static func join(_ words: [String]) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+")
    return words.map { word in
      guard word.isEmpty || !word.allSatisfy(plain.contains) else { return word }
      return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }.joined(separator: " ")
  }
}
