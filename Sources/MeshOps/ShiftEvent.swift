import FoundationEssentials
import Manifest
import MeshSchema
import Policy

/// What happens while a shift walks its steps, as it happens; the CLI formats each one (a
/// live line on a terminal, a timestamped line otherwise, a JSON line with `-o json`).
public enum ShiftEvent: Sendable {
  /// Step `step` of `of` was written: the route now has `weights`.
  case stepStarted(step: Int, of: Int, reference: String, weights: BackendWeights)
  /// The wait after step `step` has `left` to go (only with a countdown tick).
  case waiting(step: Int, of: Int, left: Duration)
  /// One analysis was evaluated after step `step` (one event per spec).
  case analysis(step: Int, of: Int, evaluation: AnalysisEvaluation)
  /// The canary had too little traffic after step `step` (`requests` in the window, nil when
  /// unknown): the analysis is evaluated again, for `left` at most.
  case analysisWaiting(step: Int, of: Int, requests: Double?, minRequests: Double, left: Duration)
  /// The gate started after step `step`.
  case gateStarted(step: Int, of: Int)
  /// The gate passed after step `step`.
  case gatePassed(step: Int, of: Int)
  /// The gate failed (or timed out) after step `step`.
  case gateFailed(step: Int, of: Int, result: GateResult)
  /// The gate failed: the weights from before the shift were put back.
  case rolledBack(reason: String, weights: BackendWeights)
  /// A signal came: the weights from before the shift were put back.
  case interrupted(weights: BackendWeights)
  /// Every step was written; the route has `weights`.
  case finished(reference: String, weights: BackendWeights)

  /// The event's name in JSON: `step`, `waiting`, `analysis`, `analysis-waiting`,
  /// `gate-started`, `gate-passed`, `gate-failed`, `rolled-back`, `interrupted`, `finished`.
  public var name: String {
    switch self {
    case .stepStarted: return "step"
    case .waiting: return "waiting"
    case .analysis: return "analysis"
    case .analysisWaiting: return "analysis-waiting"
    case .gateStarted: return "gate-started"
    case .gatePassed: return "gate-passed"
    case .gateFailed: return "gate-failed"
    case .rolledBack: return "rolled-back"
    case .interrupted: return "interrupted"
    case .finished: return "finished"
    }
  }

  /// The event for people: `step 1/4: shop/reviews v1=90,v2=10`, `gate passed after step 1`, ...
  public var text: String {
    switch self {
    case .stepStarted(let step, let count, let reference, let weights):
      return "step \(step)/\(count): \(reference) \(TrafficShift.describe(weights))"
    case .waiting(let step, let count, _), .analysis(let step, let count, _),
      .analysisWaiting(let step, let count, _, _, _), .gateStarted(let step, let count), .gatePassed(let step, let count),
      .gateFailed(let step, let count, _):
      return "step \(step)/\(count): \(detail ?? "")"
    case .rolledBack(let reason, let weights): return "\(reason): weights restored to \(TrafficShift.describe(weights))"
    case .interrupted(let weights): return "interrupted: weights restored to \(TrafficShift.describe(weights))"
    case .finished(let reference, let weights): return "\(reference) shifted: \(TrafficShift.describe(weights))"
    }
  }

  /// What a waiting or gate event adds to its step's line (`12s left`, `gate passed`,
  /// `gate failed (exit 1)`); nil for the other events.
  public var detail: String? {
    switch self {
    case .waiting(_, _, let left): return "\(Self.seconds(left))s left"
    case .analysis(_, _, let evaluation): return evaluation.summary
    case .analysisWaiting(_, _, let requests, let minRequests, let left):
      return "not enough traffic (\(requests.map(AnalysisSpec.format) ?? "no") requests, "
        + "--min-requests \(AnalysisSpec.format(minRequests))): waiting up to \(Self.seconds(left))s more"
    case .gateStarted: return "gate running"
    case .gatePassed: return "gate passed"
    case .gateFailed(_, _, let result): return "gate failed (\(Self.describe(result, timeout: nil)))"
    default: return nil
    }
  }

  /// Whether the event only updates a countdown (a live line redraws it; logs skip it).
  public var isCountdown: Bool {
    if case .waiting = self { return true }
    return false
  }

  /// One JSON object on one line: `{"time":...,"event":"step","step":1,"steps":4,"weights":{...}}`.
  public func json(time: Date) -> String {
    var fields: [MappingEntry] = [
      MappingEntry(key: "time", value: .string(WeightHistory.timestamp(time))),
      MappingEntry(key: "event", value: .string(name)),
    ]
    func add(_ key: String, _ value: Node) { fields.append(MappingEntry(key: key, value: value)) }
    switch self {
    case .stepStarted(let step, let count, let reference, let weights):
      add("step", .int(step))
      add("steps", .int(count))
      add("trafficSplit", .string(reference))
      add("weights", WeightHistory.node(weights))
    case .waiting(let step, let count, let left):
      add("step", .int(step))
      add("steps", .int(count))
      add("secondsLeft", .int(Self.seconds(left)))
    case .analysis(let step, let count, let evaluation):
      add("step", .int(step))
      add("steps", .int(count))
      fields += evaluation.jsonFields
    case .analysisWaiting(let step, let count, let requests, let minRequests, let left):
      add("step", .int(step))
      add("steps", .int(count))
      add("requests", Self.number(requests))
      add("minRequests", Self.number(minRequests))
      add("secondsLeft", .int(Self.seconds(left)))
    case .gateStarted(let step, let count), .gatePassed(let step, let count):
      add("step", .int(step))
      add("steps", .int(count))
    case .gateFailed(let step, let count, let result):
      add("step", .int(step))
      add("steps", .int(count))
      switch result {
      case .exited(let status): add("exitStatus", .int(Int(status)))
      case .timedOut: add("timedOut", .bool(true))
      }
    case .rolledBack(let reason, let weights):
      add("reason", .string(reason))
      add("weights", WeightHistory.node(weights))
    case .interrupted(let weights):
      add("weights", WeightHistory.node(weights))
    case .finished(let reference, let weights):
      add("trafficSplit", .string(reference))
      add("weights", WeightHistory.node(weights))
    }
    return JSONEmitter.emit(.mapping(fields), pretty: false)
  }

  /// A JSON number: an integer when whole, null when missing or not finite.
  static func number(_ value: Double?) -> Node {
    guard let value, value.isFinite else { return .null }
    return value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .float(value)
  }

  /// Whole seconds of `duration`, rounded up.
  static func seconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    return Int(seconds) + (attoseconds > 0 ? 1 : 0)
  }

  /// `exit 3`, or `timed out after 300s` (`timed out` when the limit is not given).
  static func describe(_ result: GateResult, timeout: Duration?) -> String {
    switch result {
    case .exited(let status): return "exit \(status)"
    case .timedOut: return timeout.map { "timed out after \(seconds($0))s" } ?? "timed out"
    }
  }
}

/// How a walk's events read: the live line of a terminal (redrawn with `\r`), one timestamped
/// line per event, or one JSON object per line. Pure: `render` says what to write where.
public struct ShiftProgressRenderer: Sendable {
  /// The shape of the progress output.
  public enum Style: Sendable {
    /// One line redrawn per step (a terminal).
    case live
    /// One timestamped line per event on standard error.
    case lines
    /// One JSON object per event on standard output (restores also said on standard error).
    case json
  }

  /// What to write for one event.
  public struct Output: Equatable, Sendable {
    /// For standard output.
    public var stdout = ""
    /// For standard error.
    public var stderr = ""
  }

  /// The style.
  public let style: Style
  private var lineOpen = false
  private var stepLine = ""

  /// A renderer of `style`.
  public init(style: Style) {
    self.style = style
  }

  /// What ends a live line left open (a walk that stopped with an error): a line break, once.
  public mutating func closeLine() -> String {
    defer { lineOpen = false }
    return lineOpen ? "\n" : ""
  }

  /// What to write for `event`, which happened at `time`.
  public mutating func render(_ event: ShiftEvent, at time: Date) -> Output {
    let isRestore: Bool
    switch event {
    case .rolledBack, .interrupted: isRestore = true
    default: isRestore = false
    }
    switch style {
    case .json:
      return Output(stdout: event.json(time: time) + "\n", stderr: isRestore ? event.text + "\n" : "")
    case .lines:
      if event.isCountdown { return Output() }
      if case .finished = event { return Output() }
      return Output(stderr: "\(WeightHistory.timestamp(time)) \(event.text)\n")
    case .live:
      let clear = lineOpen ? "\r\u{1B}[K" : ""
      if case .finished = event {
        defer { lineOpen = false }
        return Output(stderr: lineOpen ? "\n" : "")
      }
      if isRestore {
        lineOpen = false
        return Output(stderr: clear + event.text + "\n")
      }
      // Each analysis result stays on the screen, under its step's line.
      if case .analysis = event {
        lineOpen = false
        let step = stepLine.isEmpty ? "" : stepLine + "\n"
        return Output(stderr: clear + step + event.text + "\n")
      }
      // One line per step: its weights, then the countdown or the gate's state.
      if case .stepStarted = event { stepLine = event.text }
      let line = event.detail.map { "\(stepLine.isEmpty ? event.text : stepLine + " - " + $0)" } ?? event.text
      lineOpen = true
      return Output(stderr: "\r\u{1B}[K" + line)
    }
  }
}
