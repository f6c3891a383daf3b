import ArgumentParser
import FoundationEssentials
import KubeClient
import Manifest
import MeshOps
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
      guard let weights = ShiftSteps.parse(weight: weight, steps: steps) else {
        throw ValidationError("invalid --steps \"\(steps ?? "")\": use whole percentages 0 to 100, e.g. 10,25,50,100")
      }
      return weights
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let (config, chosen) = try policy.clusterChoice(context: context)
      let (service, routing) = (self.service, policy.routing)
      let split = try awaitCompletion {
        try await TrafficSplitTarget.find(
          service: service, api: api, config: config, provider: chosen, routing: routing,
          commandName: Meshctl.displayName)
      }
      if rollback { return try restorePrevious(split, context: context) }
      let plan = try ShiftPlan(target: split, backend: to ?? "", percents: try stepWeights())
      if dryRun {
        for index in plan.steps.indices { context.stderr.write(plan.progressLine(index) + " (dry run)\n") }
        return .success
      }
      let outcome = try awaitCompletion(walk(context: context, plan: plan))
      switch outcome {
      case .shifted(let weights):
        context.stdout.write("trafficsplit \(split.reference) shifted: \(TrafficShift.describe(weights))\n")
        return .success
      case .rolledBack:
        context.stderr.write(outcome.restoreMessage! + "\n")
        return .rolledBack
      case .interrupted:
        context.stderr.write(outcome.restoreMessage! + "\n")
        return .interrupted
      }
    }

    /// The walk of `plan` with the context's clock, gate runner and signals; progress goes to
    /// standard error.
    private func walk(context: CommandContext, plan: ShiftPlan) throws -> @Sendable () async throws -> ShiftOutcome {
      let pause = try RequestTimeout.parse(interval) ?? .zero
      let stderr = SerializedSink(context.stderr)
      let interrupts = context.watchInterrupts()
      let walk = CanaryWalk(
        pause: pause, gate: gate, service: service, sleep: context.sleep,
        runGate: context.runGate, interrupted: { interrupts.fired }, progress: { stderr.write($0 + "\n") })
      return {
        defer { interrupts.stop() }
        return try await walk.run(plan)
      }
    }

    private func restorePrevious(_ split: TrafficSplitTarget, context: CommandContext) throws -> ExitStatus {
      let dryRun = self.dryRun
      let previous = try awaitCompletion { try await split.rollback(dryRun: dryRun) }
      if dryRun {
        context.stderr.write(
          "\(split.reference) \(TrafficShift.describe(split.weights)) -> \(TrafficShift.describe(previous)) (dry run)\n")
        return .success
      }
      context.stdout.write("trafficsplit \(split.reference) rolled back: \(TrafficShift.describe(previous))\n")
      return .success
    }
  }
}
