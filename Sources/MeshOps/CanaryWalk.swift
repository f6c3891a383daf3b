import KubeClient
import Manifest
import MeshSchema
import Policy

/// Backend weights of a TrafficSplit, in its order.
public typealias BackendWeights = [(name: String, weight: Int)]

/// One TrafficSplit in the cluster, ready to be rewritten with other weights.
public struct TrafficSplitTarget: Sendable {
  /// The TrafficSplit as rebuilt from its route.
  public let trafficSplit: Node
  /// `shop/reviews`.
  public let reference: String
  /// The weights before the last shift, from the route's annotation.
  public let previousWeights: BackendWeights?
  private let api: KubeAPI
  private let renderer: PolicyRenderer
  private let lookup: ManifestLookup

  /// The annotation on the route that keeps the weights from before the last shift.
  public static let previousWeightsAnnotation = "meshctl.io/previous-weights"

  /// The weights the route has now.
  public var weights: BackendWeights { TrafficShift.weights(of: trafficSplit) }

  /// Finds the TrafficSplit of `service` in the API's namespace and prepares to render it for
  /// the mesh (`provider` when given, else the cluster's); none is `MeshOpsError.notFound`
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
      throw MeshOpsError.notFound(
        "no TrafficSplit for Service \"\(service)\" in namespace \"\(namespace)\" (see \(commandName) get trafficsplits)")
    }
    var settings = try await ClusterPolicies.settings(config: config, provider: provider, routing: routing, api: api)
    // A split already served by an HTTPRoute stays one.
    if route["kind"]?.string == "HTTPRoute", settings.provider == .istio { settings.routing = .gatewayAPI }
    let placed = ManifestObject(node: match.policy, document: Document(root: match.policy, file: "cluster"), path: "")
    var lookup = ManifestLookup()
    for node in try await ClusterPolicies.clusterObjects(around: [placed], api: api) { lookup.add(node) }
    return TrafficSplitTarget(
      trafficSplit: match.policy, reference: "\(match.namespace)/\(match.name)",
      previousWeights: weights(
        fromAnnotation: route[path: "metadata", "annotations", previousWeightsAnnotation]?.string),
      api: api, renderer: PolicyRenderer(settings: settings), lookup: lookup)
  }

  /// Renders the TrafficSplit with `weights` and applies it, the route remembering `previous`.
  public func apply(_ weights: BackendWeights, previous: BackendWeights) async throws {
    let changed = TrafficShift.with(weights, in: trafficSplit)
    let result = renderer.render(changed, file: "cluster", lookup: lookup)
    if let error = result.diagnostics.first(where: { $0.severity == .error }) {
      throw MeshOpsError.notFound(
        "TrafficSplit \(reference) cannot be rendered with \(TrafficShift.describe(weights)): \(error.message)")
    }
    let remembered = JSONEmitter.emit(
      .mapping(previous.map { MappingEntry(key: $0.name, value: .int($0.weight)) }), pretty: false)
    let objects = result.objects.map { object -> ManifestObject in
      var node = object
      if ["VirtualService", "HTTPRoute"].contains(object["kind"]?.string) {
        node = object.replacingAnnotation(Self.previousWeightsAnnotation, with: remembered)
      }
      return ManifestObject(node: node, document: Document(root: node, file: "cluster"), path: "")
    }
    let batch = ObjectBatch(api: api)
    let (resolved, _, problems) = await batch.resolve(objects)
    if let problem = problems.first { throw MeshOpsError.notFound(problem.description) }
    for case .failure(let error) in await batch.apply(resolved, options: ApplyOptions()) { throw error }
  }

  /// The weights the annotation remembers; nil when it is absent or holds none.
  static func weights(fromAnnotation text: String?) -> BackendWeights? {
    guard let text, let root = ManifestReader().parse(text).documents.first?.root, let entries = root.mapping else {
      return nil
    }
    let weights = entries.compactMap { entry in entry.value.int.map { (entry.key, $0) } }
    return weights.isEmpty ? nil : weights
  }

  /// Puts back the weights from before the last shift (remembering the current ones, so a
  /// second rollback undoes the first); returns them. Never shifted: `invalidRequest`.
  public func rollback(dryRun: Bool = false) async throws -> BackendWeights {
    let previous = try previousOrRefuse()
    if !dryRun { try await apply(previous, previous: weights) }
    return previous
  }

  /// The weights before the last shift, or why there are none.
  public func previousOrRefuse() throws -> BackendWeights {
    guard let previousWeights else {
      throw MeshOpsError.invalidRequest("TrafficSplit \(reference) has not been shifted: nothing to roll back to")
    }
    return previousWeights
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

  /// Each step sets `backend` to one of `percents`, the others rescaled in proportion; a
  /// backend the split lacks, or a weight nothing else can balance, is `invalidRequest`.
  public init(target: TrafficSplitTarget, backend: String, percents: [Int]) throws {
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

/// Walks a shift's steps: applies each, waits, runs the health gate, and restores the weights
/// from before the shift when the gate fails or a signal comes. Time, the gate and signals
/// come in from outside, so tests walk without sleeping or starting processes.
public struct CanaryWalk: Sendable {
  /// The wait after each step (before the gate).
  public var pause: Duration
  /// The gate command; nil: no gate.
  public var gate: String?
  /// The Service, for the gate's `MESHCTL_SERVICE`.
  public var service: String
  /// Waits `duration`, returning early once the second argument says a signal came.
  public var sleep: @Sendable (_ duration: Duration, _ interrupted: @Sendable () -> Bool) -> Void
  /// Runs the gate command with extra environment variables; returns its exit status.
  public var runGate: @Sendable (_ command: String, _ variables: [String: String]) -> Int32
  /// Whether a signal (Ctrl-C, SIGTERM) has come.
  public var interrupted: @Sendable () -> Bool
  /// Told each progress line (`step 1/4: ...`).
  public var progress: @Sendable (String) -> Void

  /// Creates a walk.
  public init(
    pause: Duration, gate: String?, service: String,
    sleep: @escaping @Sendable (Duration, @Sendable () -> Bool) -> Void,
    runGate: @escaping @Sendable (String, [String: String]) -> Int32,
    interrupted: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (String) -> Void
  ) {
    self.pause = pause
    self.gate = gate
    self.service = service
    self.sleep = sleep
    self.runGate = runGate
    self.interrupted = interrupted
    self.progress = progress
  }

  /// Walks `plan`'s steps in order.
  public func run(_ plan: ShiftPlan) async throws -> ShiftOutcome {
    for (index, weights) in plan.steps.enumerated() {
      try await plan.target.apply(weights, previous: plan.before)
      progress(plan.progressLine(index))
      let last = index == plan.steps.count - 1
      if gate != nil || !last { sleep(pause, interrupted) }
      if interrupted() { return try await restore(plan, .interrupted(restored: plan.before)) }
      if let gate {
        let weight = weights.first { $0.name == plan.backend }?.weight ?? 0
        let status = runGate(
          gate, ["MESHCTL_SERVICE": service, "MESHCTL_BACKEND": plan.backend, "MESHCTL_WEIGHT": String(weight)])
        if interrupted() { return try await restore(plan, .interrupted(restored: plan.before)) }
        if status != 0 {
          let reason = "the gate failed (exit \(status)) after step \(index + 1)"
          return try await restore(plan, .rolledBack(reason: reason, restored: plan.before))
        }
      }
    }
    return .shifted(plan.steps.last ?? plan.before)
  }

  private func restore(_ plan: ShiftPlan, _ outcome: ShiftOutcome) async throws -> ShiftOutcome {
    try await plan.target.apply(plan.before, previous: plan.before)
    return outcome
  }
}
