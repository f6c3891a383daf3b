import KubeClient
import Manifest
import Policy

/// Why a shift stopped without writing (more): the cluster's state, not the cluster failing.
public enum ShiftRefusal: Error, Sendable, Equatable, CustomStringConvertible {
  /// There is no history entry to go back to (exit 1); nothing was written.
  case nothingToRollBack(String)
  /// The route changed since the shift read it (exit 4); nothing more was written.
  case lostRace(String)
  /// Another shift of the same Service holds its Lease (exit 4); nothing was written.
  case held(String)

  /// The message, without the `meshctl: error:` prefix.
  public var description: String {
    switch self {
    case .nothingToRollBack(let message), .lostRace(let message), .held(let message): return message
    }
  }

  /// Whether it is a conflict with another writer (exit 4) rather than a refusal (exit 1).
  public var isConflict: Bool {
    if case .nothingToRollBack = self { return false }
    return true
  }

  /// Says that `route` changed since it was read, and who changed it: the newest managedFields
  /// entry of `live` that `read` (the route as the shift read it) did not have, another
  /// manager winning a tie with shift's own; or that the route is gone.
  static func raceMessage(_ route: String, read: Node, live: Node?) -> String {
    let stopped = "the shift stopped and wrote nothing more; run it again to start from the live weights"
    guard let live else { return "\(route) was deleted since the shift read it: \(stopped)" }
    func key(_ entry: Node) -> String {
      ["manager", "operation", "time", "subresource"].map { entry[$0]?.string ?? "" }.joined(separator: "|")
    }
    let known = Set((read[path: "metadata", "managedFields"]?.sequence ?? []).map(key))
    let entries = live[path: "metadata", "managedFields"]?.sequence ?? []
    let changed = entries.filter { !known.contains(key($0)) }
    let newest = (changed.isEmpty ? entries : changed).max { first, second in
      let (a, b) = (first["time"]?.string ?? "", second["time"]?.string ?? "")
      if a != b { return a < b }
      return first["manager"]?.string != ShiftOwnership.fieldManager
        && second["manager"]?.string == ShiftOwnership.fieldManager
    }
    guard let newest, let manager = newest["manager"]?.string else {
      return "\(route) changed since the shift read it: \(stopped)"
    }
    let time = newest["time"]?.string.map { " at \($0)" } ?? ""
    return "\(route) changed since the shift read it (last written by \"\(manager)\"\(time)): \(stopped)"
  }
}

/// Who owns the live weights. `shift` writes routes as its own field manager, `meshctl-shift`,
/// taking the weights from `apply`'s (`meshctl`); a later `apply` of the same TrafficSplit
/// with other weights gets a field conflict instead of silently resetting them. `--finish`
/// hands the shifted weights back to `apply`, `--abandon` puts the weights from before the
/// shift back first.
public enum ShiftOwnership {
  /// shift's field manager.
  public static let fieldManager = "meshctl-shift"
  /// apply's field manager, which `--finish` hands the weights back to.
  public static let applyFieldManager = "meshctl"

  /// What to tell someone whose apply hit the weights a shift holds: nil unless `error` is a
  /// field conflict with shift's field manager. `object` is the applied route (its TrafficSplit
  /// names the Service); `commandName` is how the user calls meshctl.
  public static func conflictMessage(_ error: any Error, object: Node?, commandName: String = "meshctl") -> String? {
    guard let error = error as? APIError, error.isConflict,
      error.conflicts.contains(where: { $0.manager == fieldManager })
    else { return nil }
    let split = object.flatMap { RenderedPolicies.trafficSplit(fromRoute: $0) }
    let service = split?[path: "spec", "service"]?.string ?? "SERVICE"
    let namespace = object?[path: "metadata", "namespace"]?.string.map { " -n \($0)" } ?? ""
    return """
      a shift of Service "\(service)" holds these weights (field manager "\(fieldManager)"); this apply would reset \
      them. Keep the shifted weights: \(commandName) shift \(service) --finish\(namespace) (then put them in the \
      TrafficSplit you apply); put back the weights from before the shift: \(commandName) shift \(service) \
      --abandon\(namespace); or take the weights anyway: re-run with --force-conflicts
      """
  }
}

extension TrafficSplitTarget {
  /// Keeps the live weights and hands them back to apply's field manager: they are applied as
  /// `meshctl` with force, then shift's manager lets go of everything but the history (it
  /// applies only the route's identity and the history annotation, which `meshctl` does not
  /// own, so no field is removed). Returns the weights kept.
  public func finish() async throws -> BackendWeights {
    try await handBack(weights, history: history)
    return weights
  }

  /// Puts back the weights from before the newest shift (dropping its history entry) and hands
  /// them to apply's field manager like `finish`. No history is `ShiftRefusal.nothingToRollBack`.
  public func abandon() async throws -> BackendWeights {
    let entry = try historyEntry(1, purpose: "abandon")
    try await handBack(entry.weights, history: history.dropping(1))
    return entry.weights
  }

  private func handBack(_ weights: BackendWeights, history: WeightHistory) async throws {
    let route = try renderedRoute(weights, history: nil)
    try await send(route, options: ApplyOptions(fieldManager: ShiftOwnership.applyFieldManager, force: true))
    var identity: [MappingEntry] = []
    for key in ["apiVersion", "kind"] {
      if let value = route[key] { identity.append(MappingEntry(key: key, value: value)) }
    }
    var metadata: [MappingEntry] = []
    for key in ["name", "namespace"] {
      if let value = route[path: "metadata", key] { metadata.append(MappingEntry(key: key, value: value)) }
    }
    metadata.append(
      MappingEntry(
        key: "annotations",
        value: .mapping([MappingEntry(key: WeightHistory.annotation, value: .string(history.encoded))])))
    identity.append(MappingEntry(key: "metadata", value: .mapping(metadata)))
    try await send(.mapping(identity), options: ApplyOptions(fieldManager: ShiftOwnership.fieldManager, force: true))
  }
}

/// The ways `shift` gives the weights back: one history entry back, keep them, or abandon the shift.
public enum HandBack: Sendable, Equatable {
  /// Restore history entry `entry` (1: the newest).
  case rollback(to: Int)
  /// Keep the live weights and hand their ownership back to apply.
  case finish
  /// Restore the weights from before the shift and hand ownership back.
  case abandon

  /// `rolled back`, `finished`, `abandoned`.
  public var verb: String {
    switch self {
    case .rollback: return "rolled back"
    case .finish: return "finished"
    case .abandon: return "abandoned"
    }
  }
}

extension TrafficSplitTarget {
  /// Does `action` (nothing is written in a dry run) and returns the weights it leaves in force.
  public func handBack(_ action: HandBack, dryRun: Bool) async throws -> BackendWeights {
    switch action {
    case .rollback(let entry): return try await rollback(to: entry, dryRun: dryRun)
    case .finish: return dryRun ? weights : try await finish()
    case .abandon: return dryRun ? try abandonWeights() : try await abandon()
    }
  }
}

