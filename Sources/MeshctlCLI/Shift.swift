import ArgumentParser
import FoundationEssentials
import KubeClient
import Manifest
import Policy

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension Meshctl {
  /// `meshctl shift`: move traffic of a Service between the backends of its TrafficSplit.
  public struct Shift: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "shift",
        abstract: "Shift a Service's traffic to one backend of its TrafficSplit, at once or in steps.",
        discussion: """
          Sets the backend's weight and rescales the other backends in proportion (whole \
          percentages adding up to 100), then applies the rendered route. With --steps, walks \
          the weights one step after the other; after each step it waits --interval and runs \
          --gate (with /bin/sh -c; MESHCTL_SERVICE, MESHCTL_BACKEND and MESHCTL_WEIGHT set): a \
          gate that fails restores the weights from before the shift and exits 5. Ctrl-C \
          restores them too (exit 130). --rollback restores the weights from before the last \
          shift. Progress goes to standard error.

          Examples:
            \(Meshctl.displayName) shift reviews --to v2 --weight 20 -n bookinfo
            \(Meshctl.displayName) shift reviews --to v2 --steps 10,25,50,100 --interval 1m --gate './smoke.sh'
            \(Meshctl.displayName) shift reviews --rollback
          """)
    }

    @OptionGroup public var cluster: ClusterOptions
    @OptionGroup public var policy: PolicyOptions

    /// The Service whose TrafficSplit is shifted.
    @Argument(help: ArgumentHelp("The Service clients call (the TrafficSplit's spec.service).", valueName: "service"))
    public var service: String

    /// The backend that gets the weight.
    @Option(help: ArgumentHelp("The backend to shift traffic to.", valueName: "backend"))
    public var to: String?

    /// One weight.
    @Option(help: ArgumentHelp("The backend's new weight, 0 to 100.", valueName: "percent"))
    public var weight: Int?

    /// Several weights, one after the other.
    @Option(help: ArgumentHelp("Weights to walk through, e.g. 10,25,50,100.", valueName: "list"))
    public var steps: String?

    /// The wait after each step.
    @Option(
      help: ArgumentHelp("How long to wait after each step before the gate, e.g. 30s, 1m.", valueName: "duration"))
    public var interval: String = "0s"

    /// The health gate.
    @Option(help: ArgumentHelp("A shell command that must succeed after each step.", valueName: "command"))
    public var gate: String?

    /// Restore the weights from before the last shift.
    @Flag(help: "Restore the weights from before the last shift.")
    public var rollback = false

    /// Print what would change, write nothing.
    @Flag(name: .customLong("dry-run"), help: "Print the weights each step would set; change nothing.")
    public var dryRun = false

    public init() {}

    public func validate() throws {
      if rollback {
        guard to == nil, weight == nil, steps == nil else {
          throw ValidationError("--rollback takes no --to, --weight or --steps")
        }
        return
      }
      guard to != nil else { throw ValidationError("give --to BACKEND (or --rollback)") }
      guard (weight == nil) != (steps == nil) else { throw ValidationError("give either --weight N or --steps LIST") }
      if let weight, !(0...100).contains(weight) { throw ValidationError("--weight \(weight) is outside 0...100") }
      _ = try stepWeights()
      do {
        _ = try RequestTimeout.parse(interval)
      } catch {
        throw ValidationError("invalid --interval \"\(interval)\": use a duration such as 30s, 1m or 1h30m")
      }
    }

    /// The weights of `--steps` (or the one `--weight`).
    func stepWeights() throws -> [Int] {
      if let weight { return [weight] }
      let parts = (steps ?? "").split(separator: ",", omittingEmptySubsequences: false)
      let values = parts.map { Int($0.filter { $0 != " " }) }
      guard !values.isEmpty, values.allSatisfy({ $0 != nil && (0...100).contains($0!) }) else {
        throw ValidationError("invalid --steps \"\(steps ?? "")\": use whole percentages 0 to 100, e.g. 10,25,50,100")
      }
      return values.map { $0! }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let session = try ClusterSession(options: cluster, context: context)
      let split = try TrafficSplitTarget(service: service, api: session.api, policy: policy, context: context)
      let before = TrafficShift.weights(of: split.trafficSplit)
      if rollback { return try restorePrevious(split, current: before, context: context) }
      guard let backend = to, before.contains(where: { $0.name == backend }) else {
        let names = before.map(\.name).joined(separator: ", ")
        throw ValidationError("TrafficSplit \(split.reference) has no backend \"\(to ?? "")\" (backends: \(names))")
      }
      let plan = try stepWeights().map { percent -> [(name: String, weight: Int)] in
        guard let weights = TrafficShift.setting(backend, to: percent, in: before) else {
          throw ValidationError(
            "\(backend) cannot take \(percent)%: no other backend can take the remaining \(100 - percent)%")
        }
        return weights
      }
      if dryRun {
        for (index, weights) in plan.enumerated() {
          context.stderr.write(
            "step \(index + 1)/\(plan.count): \(split.reference) \(TrafficShift.describe(weights)) (dry run)\n")
        }
        return .success
      }
      return try walk(plan, split: split, backend: backend, before: before, context: context)
    }

    /// Applies each step, waits, runs the gate; restores `before` when the gate fails or Ctrl-C
    /// comes.
    private func walk(
      _ plan: [[(name: String, weight: Int)]], split: TrafficSplitTarget, backend: String,
      before: [(name: String, weight: Int)], context: CommandContext
    ) throws -> ExitStatus {
      let pause = try RequestTimeout.parse(interval) ?? .zero
      let interrupts = InterruptWatch()
      defer { interrupts.stop() }
      for (index, weights) in plan.enumerated() {
        try split.apply(weights, previous: before)
        context.stderr.write("step \(index + 1)/\(plan.count): \(split.reference) \(TrafficShift.describe(weights))\n")
        let last = index == plan.count - 1
        if gate != nil || !last { interrupts.sleep(pause) }
        if interrupts.fired {
          return try restore(before, split: split, reason: "interrupted", status: .interrupted, context: context)
        }
        if let gate {
          let status = runGate(gate, backend: backend, weight: weights.first { $0.name == backend }?.weight ?? 0)
          if interrupts.fired {
            return try restore(before, split: split, reason: "interrupted", status: .interrupted, context: context)
          }
          if status != 0 {
            return try restore(
              before, split: split, reason: "the gate failed (exit \(status)) after step \(index + 1)",
              status: .rolledBack, context: context)
          }
        }
      }
      context.stdout.write("trafficsplit \(split.reference) shifted: \(TrafficShift.describe(plan.last ?? before))\n")
      return .success
    }

    private func restore(
      _ weights: [(name: String, weight: Int)], split: TrafficSplitTarget, reason: String, status: ExitStatus,
      context: CommandContext
    ) throws -> ExitStatus {
      try split.apply(weights, previous: weights)
      context.stderr.write("\(reason): weights restored to \(TrafficShift.describe(weights))\n")
      return status
    }

    private func restorePrevious(
      _ split: TrafficSplitTarget, current: [(name: String, weight: Int)], context: CommandContext
    ) throws
      -> ExitStatus
    {
      guard let previous = split.previousWeights else {
        throw ValidationError("TrafficSplit \(split.reference) has not been shifted: nothing to roll back to")
      }
      if dryRun {
        context.stderr.write(
          "\(split.reference) \(TrafficShift.describe(current)) -> \(TrafficShift.describe(previous)) (dry run)\n")
        return .success
      }
      try split.apply(previous, previous: current)
      context.stdout.write("trafficsplit \(split.reference) rolled back: \(TrafficShift.describe(previous))\n")
      return .success
    }

    /// Runs the gate command with this process's standard streams; returns its exit status.
    private func runGate(_ command: String, backend: String, weight: Int) -> Int32 {
      var environment = ProcessInfo.processInfo.environment
      environment["MESHCTL_SERVICE"] = service
      environment["MESHCTL_BACKEND"] = backend
      environment["MESHCTL_WEIGHT"] = String(weight)
      do {
        return try ChildProcess.run(
          "/bin/sh", arguments: ["-c", command], environment: environment, standardInput: .inherit,
          standardOutput: .inherit, standardError: .inherit
        ).status
      } catch {
        return 127
      }
    }
  }
}

/// One TrafficSplit in the cluster, ready to be rewritten with other weights.
struct TrafficSplitTarget {
  /// The TrafficSplit as rebuilt from its route.
  let trafficSplit: Node
  /// `shop/reviews`.
  let reference: String
  /// The weights before the last shift, from the route's annotation.
  let previousWeights: [(name: String, weight: Int)]?
  private let api: KubeAPI
  private let renderer: PolicyRenderer
  private let lookup: ManifestLookup

  /// The annotation on the route that keeps the weights from before the last shift.
  static let previousWeightsAnnotation = "meshctl.io/previous-weights"

  /// Finds the TrafficSplit of `service` in the namespace of the flags or context.
  init(service: String, api: KubeAPI, policy: PolicyOptions, context: CommandContext) throws {
    let namespace = api.defaultNamespace
    let found = try awaitCompletion { try await ManagedPolicies.list(.trafficsplits, api: api, namespace: namespace) }
    guard let match = found.first(where: { $0.policy[path: "spec", "service"]?.string == service }),
      let route = match.route
    else {
      throw ClusterLookupFailure(
        message:
          "no TrafficSplit for Service \"\(service)\" in namespace \"\(namespace)\" (see \(Meshctl.displayName) get trafficsplits)"
      )
    }
    var settings = try policy.settings(context: context, api: api)
    if route["kind"]?.string == "HTTPRoute", settings.provider == .istio { settings.routing = .gatewayAPI }
    let placed = ManifestObject(node: match.policy, document: Document(root: match.policy, file: "cluster"), path: "")
    var lookup = ManifestLookup()
    for node in try ClusterPolicies.clusterObjects(around: [placed], api: api) { lookup.add(node) }
    trafficSplit = match.policy
    reference = "\(match.namespace)/\(match.name)"
    previousWeights = Self.weights(
      fromAnnotation: route[path: "metadata", "annotations", Self.previousWeightsAnnotation]?.string)
    self.api = api
    renderer = PolicyRenderer(settings: settings)
    self.lookup = lookup
  }

  /// Renders the TrafficSplit with `weights` and applies it, the route remembering `previous`.
  func apply(_ weights: [(name: String, weight: Int)], previous: [(name: String, weight: Int)]) throws {
    let changed = TrafficShift.with(weights, in: trafficSplit)
    let result = renderer.render(changed, file: "cluster", lookup: lookup)
    if let error = result.diagnostics.first(where: { $0.severity == .error }) {
      throw ClusterLookupFailure(
        message: "TrafficSplit \(reference) cannot be rendered with \(TrafficShift.describe(weights)): \(error.message)"
      )
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
    let api = self.api
    let outcomes = try awaitCompletion { () async throws -> [Result<Node, any Error>] in
      let batch = ObjectBatch(api: api)
      let (resolved, _, problems) = await batch.resolve(objects)
      if let problem = problems.first { throw ClusterLookupFailure(message: problem.description) }
      return await batch.apply(resolved, options: ApplyOptions())
    }
    for case .failure(let error) in outcomes { throw error }
  }

  static func weights(fromAnnotation text: String?) -> [(name: String, weight: Int)]? {
    guard let text, let root = ManifestReader().parse(text).documents.first?.root, let entries = root.mapping else {
      return nil
    }
    let weights = entries.compactMap { entry in entry.value.int.map { (entry.key, $0) } }
    return weights.isEmpty ? nil : weights
  }
}

/// The cluster does not have what the command needs (exit 3).
struct ClusterLookupFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

extension Node {
  /// This object with `metadata.annotations[key]` set to `value`.
  func replacingAnnotation(_ key: String, with value: String) -> Node {
    replacingMetadata("annotations", key, with: .string(value))
  }

  /// This object with `metadata.<map>[key]` (labels or annotations) set to `value`, in place
  /// when the key exists, else added last.
  func replacingMetadata(_ map: String, _ key: String, with value: Node) -> Node {
    guard var entries = mapping, let index = entries.firstIndex(where: { $0.key == "metadata" }) else { return self }
    var metadata = entries[index].value.mapping ?? []
    var pairs = metadata.first { $0.key == map }?.value.mapping ?? []
    if let existing = pairs.firstIndex(where: { $0.key == key }) {
      pairs[existing].value = value
    } else {
      pairs.append(MappingEntry(key: key, value: value))
    }
    if let position = metadata.firstIndex(where: { $0.key == map }) {
      metadata[position].value = .mapping(pairs)
    } else {
      metadata.append(MappingEntry(key: map, value: .mapping(pairs)))
    }
    entries[index].value = Node(.mapping(metadata), mark: entries[index].value.mark)
    return Node(.mapping(entries), mark: mark)
  }
}

/// Whether SIGINT or SIGTERM came while a shift walks its steps.
final class InterruptWatch {
  init() {
    interruptReceived = 0
    signal(SIGINT, onInterrupt)
    signal(SIGTERM, onInterrupt)
    // A parent may hand the signals down blocked (test runners do); this thread must get them.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
  }

  /// Whether a signal came.
  var fired: Bool { interruptReceived != 0 }

  /// Sleeps `duration`, waking early when a signal comes.
  func sleep(_ duration: Duration) {
    let end = ContinuousClock.now + duration
    while !fired, ContinuousClock.now < end { usleep(20_000) }
  }

  /// Puts the default handlers back.
  func stop() {
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}

/// Set by the signal handler; read by the shift loop (a signal handler may only touch such a flag).
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0

private func onInterrupt(_ signal: Int32) { interruptReceived = 1 }
