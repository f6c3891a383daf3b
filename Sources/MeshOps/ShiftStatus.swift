import KubeClient
import Manifest
import Policy

/// What `shift status` shows: the live weights, who holds them, and the history.
public struct ShiftStatus: Sendable {
  /// `team/cart`.
  public var reference: String
  /// The live weights.
  public var weights: BackendWeights
  /// The field manager that owns the weights (`meshctl-shift` while a shift holds them) and since when.
  public var holder: (manager: String, time: String?)?
  /// The weights earlier shifts replaced.
  public var history: WeightHistory
  /// A stepped shift running now (from its Lease): who, since when, the step it is at.
  public var running: (holder: String, since: String, step: String?)?

  /// The status of `target` as it was read, with the shift running now from its Lease.
  public static func read(_ target: TrafficSplitTarget) async throws -> ShiftStatus {
    let lease = ShiftLease(target: target, holder: "", duration: .zero)
    return ShiftStatus(
      reference: target.reference, weights: target.weights, holder: weightOwner(target.route), history: target.history,
      running: try await lease.current())
  }

  /// The Apply manager whose fields include the route's weighted rules (`spec.http` or
  /// `spec.rules`), preferring shift's; nil when managedFields say nothing.
  static func weightOwner(_ route: Node) -> (manager: String, time: String?)? {
    let owners = (route[path: "metadata", "managedFields"]?.sequence ?? []).filter { entry in
      let spec = entry[path: "fieldsV1", "f:spec"]
      return spec?["f:http"] != nil || spec?["f:rules"] != nil
    }
    let chosen = owners.first { $0["manager"]?.string == ShiftOwnership.fieldManager } ?? owners.first
    return chosen.flatMap { entry in entry["manager"]?.string.map { ($0, entry["time"]?.string) } }
  }

  /// The lines `shift status` prints.
  public var lines: [String] {
    var lines = ["trafficsplit \(reference): \(TrafficShift.describe(weights))"]
    switch holder {
    case let (manager, time)? where manager == ShiftOwnership.fieldManager:
      lines.append(
        "weights held by a shift (field manager \(manager)\(time.map { ", last written \($0)" } ?? "")): "
          + "apply of other weights is refused until shift --finish or --abandon")
    case let (manager, _)?:
      lines.append("weights held by field manager \(manager)")
    case nil:
      break
    }
    if let (holder, since, step) = running {
      lines.append("shift running: \(holder) since \(since)" + (step.map { ", step \($0)" } ?? ""))
    }
    lines.append("history (newest first; shift --rollback --to N restores entry N):")
    lines += history.lines.map { "  " + $0 }
    return lines
  }
}

extension TrafficSplitTarget {
  /// The weights `abandon` would put back, or why there are none.
  public func abandonWeights() throws -> BackendWeights {
    try historyEntry(1, purpose: "abandon").weights
  }
}
