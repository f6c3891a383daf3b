import ArgumentParser
import FoundationEssentials
import KubeClient
import Manifest
import MeshOps
import MeshSchema
import Policy

/// `-o` of `shift`: progress as text on standard error, or JSON events on standard output.
public enum ShiftOutput: String, ArgumentChoice, Sendable {
  /// Progress lines on standard error, the result on standard output.
  case text
  /// One JSON event per line on standard output.
  case json
}

extension Meshctl {
  /// `meshctl shift`: move traffic of a Service between the backends of its TrafficSplit
  /// (`shift SERVICE ...` is `shift set SERVICE ...`), list its history, show its status.
  public struct Shift: ParsableCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "shift",
        abstract: "Shift a Service's traffic to one backend of its TrafficSplit, at once or in steps.",
        discussion: Move.configuration.discussion,
        subcommands: [Move.self, History.self, Status.self], defaultSubcommand: Move.self)
    }

    public init() {}
  }
}

extension Meshctl.Shift {
  /// `meshctl shift [set] SERVICE`: set or step a backend's weight, or go back.
  public struct Move: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "set",
        abstract: "Set or step a backend's weight, or go back (the default: shift SERVICE ...).",
        discussion: """
          Sets the backend's weight and rescales the other backends in proportion (whole \
          percentages adding up to 100), then applies the rendered route. With --steps, walks \
          the weights one step after the other; after each step it waits --interval and runs \
          --gate (with /bin/sh -c; MESHCTL_SERVICE, MESHCTL_BACKEND and MESHCTL_WEIGHT set): a \
          gate that fails, or runs longer than --gate-timeout, restores the weights from before \
          the shift and exits 5. Ctrl-C or SIGTERM stops a running gate and restores them at \
          once (exit 130). A restore that fails is exit 3: the message says the weights were \
          NOT restored, what is live, and the command that restores them.

          --analysis SPEC (repeatable, after the TrafficSplit's spec.analysis) checks the \
          canary, the --to backend's Deployment or StatefulSet, from Prometheus after each \
          step, over the interval, before the gate: success-rate>=99.5, latency-p99<=300ms \
          (p50, p90, p95, p99; ms or s), request-rate>=10. A miss, or no data, restores the \
          weights and exits 5, naming the spec and the value. A step with fewer than \
          --min-requests requests waits up to 3 intervals for more, then fails as not enough \
          traffic (exit 5). Prometheus comes from --prometheus, MESHCTL_PROMETHEUS, the \
          MeshConfig's spec.prometheus.url, or istio-system/prometheus / linkerd-viz/prometheus \
          through the API server; the one used is printed (none: exit 3). --dry-run prints the \
          PromQL on standard output.

          shift writes the route as its own field manager (meshctl-shift): a later apply of the \
          same TrafficSplit with other weights stops with exit 4 instead of resetting them. \
          --finish keeps the shifted weights and hands them back to apply; --abandon puts back \
          the weights from before the shift first. Every write is conditional on the route's \
          version: a shift that loses a race with another writer stops with exit 4 and names it.

          Each shift records the weights it replaced (the last 10): --rollback goes back one \
          entry, --rollback --to N to entry N (see `shift history`). Nothing to roll back to is \
          exit 1. A backend that a step gives weight must have ready endpoints (ready pods, or \
          ready EndpointSlice endpoints of its Service): otherwise exit 1, nothing written, \
          unless --allow-empty. Progress goes to standard error; -o json writes one JSON event \
          per line to standard output.

          Examples:
            \(Meshctl.displayName) shift reviews --to v2 --weight 20 -n bookinfo
            \(Meshctl.displayName) shift reviews --to v2 --steps 10,25,50,100 --interval 1m --gate './smoke.sh'
            \(Meshctl.displayName) shift reviews --to v2 --steps 10,50,100 --interval 1m --analysis 'success-rate>=99.5'
            \(Meshctl.displayName) shift reviews --rollback
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var policy: PolicyOptions

    /// The Service whose TrafficSplit is shifted.
    @Argument(
      help: ArgumentHelp("The Service clients call (the TrafficSplit's spec.service).", valueName: "service"),
      completion: .custom(DynamicCompletion.trafficSplitServices))
    public var service: String

    /// The backend that gets the weight (with --rollback: the history entry to go back to).
    @Option(
      help: ArgumentHelp(
        "The backend to shift traffic to; with --rollback, the history entry to go back to (1 is the newest).",
        valueName: "backend"),
      completion: .custom(DynamicCompletion.backends))
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

    /// How long the gate may run.
    @Option(
      name: .customLong("gate-timeout"),
      help: ArgumentHelp("Kill a gate that runs longer and count it as failed.", valueName: "duration"))
    public var gateTimeout: String = "5m"

    /// Canary analyses evaluated after each step.
    @Option(
      help: ArgumentHelp(
        "A canary analysis that must pass after each step, over the last --interval (repeatable), e.g. 'success-rate>=99.5', 'latency-p99<=300ms'; also read from the TrafficSplit's spec.analysis.",
        valueName: "spec"))
    public var analysis: [String] = []

    /// Requests a step's window needs before its analysis counts.
    @Option(
      name: .customLong("min-requests"),
      help: ArgumentHelp(
        "Requests the canary must receive in a step's window for the analysis to count; fewer: wait up to 3 intervals, then fail as not enough traffic.",
        valueName: "n"))
    public var minRequests: Int = 1

    /// `--prometheus`.
    @OptionGroup public var prometheus: PrometheusOptions

    /// Go back in the history.
    @Flag(help: "Restore the weights the last shift replaced (one history entry back).")
    public var rollback = false

    /// Keep the shifted weights and hand them back to apply.
    @Flag(help: "Keep the live weights and hand their ownership back to apply.")
    public var finish = false

    /// Put back the weights from before the shift and hand them back to apply.
    @Flag(help: "Restore the weights from before the last shift and hand their ownership back to apply.")
    public var abandon = false

    /// Print what would change, write nothing.
    @Flag(name: .customLong("dry-run"), help: "Print the weights each step would set (and the analysis PromQL); change nothing.")
    public var dryRun = false

    /// Route to backends without ready endpoints.
    @Flag(
      name: .customLong("allow-empty"),
      help: "Shift weight to a backend with no ready endpoints (warn instead of refusing).")
    public var allowEmpty = false

    /// `text` or `json`.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output: text, or json (one JSON event per line on standard output).", valueName: "format"))
    public var output: ShiftOutput = .text

    public init() {}

    /// The flags as the library's request.
    var request: ShiftRequest {
      ShiftRequest(
        service: service, to: to, weight: weight, steps: steps, interval: interval, gate: gate,
        gateTimeout: gateTimeout, analysis: analysis, minRequests: minRequests, rollback: rollback, finish: finish,
        abandon: abandon, dryRun: dryRun, allowEmpty: allowEmpty)
    }

    public func validate() throws { try usage { try request.validate() } }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let split = try ShiftTarget.find(service: service, cluster: cluster, policy: policy, context: context)
      let (request, now) = (self.request, context.now())
      if let action = request.handBack { return try handBack(action, split, context: context) }
      let guarded = try awaitCompletion { try await ShiftPreparation.make(request, target: split, at: now) }
      if DiagnosticPrinter(context).print(guarded.verdict) {
        DiagnosticPrinter(context).note("nothing was sent to the cluster")
        return .findings
      }
      let prepared = try awaitCompletion { try await guarded.withAnalysis() }
      if dryRun {
        for query in try prepared.dryRunQueries() { context.stdout.write(query + "\n") }
        for line in prepared.dryRunLines { context.stderr.write(line + "\n") }
        return .success
      }
      var analysis: StepAnalysis?
      if let line = prepared.analysisLine {
        let location = try PrometheusFinder.locate(
          flag: prometheus.url, meshConfig: split.meshConfig, provider: split.provider, api: split.api,
          cluster: cluster, context: context)
        context.stderr.write(line + "\n")
        analysis = prepared.stepAnalysis(prometheus: location.client)
      }
      let printer = ShiftProgressPrinter(
        stdout: context.stdout, stderr: context.stderr, json: output == .json,
        stderrIsTerminal: context.stderrIsTerminal, now: context.now)
      let interrupts = context.watchInterrupts()
      defer {
        interrupts.stop()
        printer.close()
      }
      let walk = try prepared.walk(
        holder: ShiftLease.holderIdentity(user: context.environment["USER"]), analysis: analysis,
        tick: printer.isLive ? .seconds(1) : nil, commandName: Meshctl.displayName, clusterFlags: selectionFlags,
        sleep: context.sleep, runGate: context.runGate, interrupted: { interrupts.fired }, progress: printer.show)
      switch try awaitCompletion({ try await walk.run(prepared.plan) }) {
      case .shifted(let weights):
        if output == .text {
          context.stdout.write("trafficsplit \(split.reference) shifted: \(TrafficShift.describe(weights))\n")
        }
        return .success
      case .rolledBack: return .rolledBack
      case .interrupted: return .interrupted
      }
    }

    /// The flags that chose this cluster and mesh (no credentials), for the commands a failed
    /// restore tells people to run.
    var selectionFlags: [String] {
      let flags: [(String, String?)] = [
        ("--kubeconfig", cluster.kubeconfig), ("--context", cluster.context), ("--cluster", cluster.cluster),
        ("--user", cluster.user), ("--server", cluster.server), ("--provider", policy.mesh.provider?.rawValue),
        ("--config", policy.mesh.config), ("--routing", policy.routing == .provider ? nil : policy.routing.rawValue),
      ]
      return flags.flatMap { flag, value in value.map { [flag, $0] } ?? [] }
    }

    /// `--rollback`, `--finish` and `--abandon`.
    private func handBack(_ action: HandBack, _ split: TrafficSplitTarget, context: CommandContext) throws
      -> ExitStatus
    {
      let dryRun = self.dryRun
      let weights = try awaitCompletion { try await split.handBack(action, dryRun: dryRun) }
      if dryRun {
        context.stderr.write(
          "\(split.reference) \(TrafficShift.describe(split.weights)) -> \(TrafficShift.describe(weights)) (dry run)\n")
        return .success
      }
      context.stdout.write("trafficsplit \(split.reference) \(action.verb): \(TrafficShift.describe(weights))\n")
      return .success
    }
  }

  /// `meshctl shift history SERVICE`.
  public struct History: ContextualCommand {
    public static let configuration = CommandConfiguration(
      commandName: "history",
      abstract: "List the weights earlier shifts replaced, newest (1) first.",
      discussion: """
        Entry N is what `shift SERVICE --rollback --to N` restores.

        Examples:
          \(Meshctl.displayName) shift history reviews -n bookinfo
          \(Meshctl.displayName) shift reviews --rollback --to 2 -n bookinfo
        """)

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var policy: PolicyOptions

    /// The Service.
    @Argument(
      help: ArgumentHelp("The Service clients call (the TrafficSplit's spec.service).", valueName: "service"),
      completion: .custom(DynamicCompletion.trafficSplitServices))
    public var service: String

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let split = try ShiftTarget.find(service: service, cluster: cluster, policy: policy, context: context)
      context.stdout.write(split.history.lines.joined(separator: "\n") + "\n")
      return .success
    }
  }

  /// `meshctl shift status SERVICE`.
  public struct Status: ContextualCommand {
    public static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Show a Service's live weights, who holds them, the shift in progress and the history.",
      discussion: """
        Examples:
          \(Meshctl.displayName) shift status reviews -n bookinfo
          \(Meshctl.displayName) shift reviews --finish -n bookinfo
        """)

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var policy: PolicyOptions

    /// The Service.
    @Argument(
      help: ArgumentHelp("The Service clients call (the TrafficSplit's spec.service).", valueName: "service"),
      completion: .custom(DynamicCompletion.trafficSplitServices))
    public var service: String

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let split = try ShiftTarget.find(service: service, cluster: cluster, policy: policy, context: context)
      let status = try awaitCompletion { try await ShiftStatus.read(split) }
      context.stdout.write(status.lines.joined(separator: "\n") + "\n")
      return .success
    }
  }
}

/// Finding the TrafficSplit a `shift` command works on.
enum ShiftTarget {
  static func find(service: String, cluster: ClusterOptions, policy: PolicyOptions, context: CommandContext) throws
    -> TrafficSplitTarget
  {
    let session = try ClusterSession(options: cluster, context: context)
    let api = session.api
    let (config, chosen) = try policy.clusterChoice(context: context)
    let routing = policy.routing
    return try awaitCompletion {
      try await TrafficSplitTarget.find(
        service: service, api: api, config: config, provider: chosen, routing: routing,
        commandName: Meshctl.displayName)
    }
  }
}
