import FoundationEssentials
import Manifest
import Policy

/// The weights earlier shifts replaced, newest first, kept on the route object as the
/// `meshctl.io/weight-history` annotation: a JSON array, oldest first, of at most
/// `limit` entries `{"time":"2026-12-06T01:00:00Z","weights":{"v1":90,"v2":10}}`.
/// `--rollback` walks it back one entry at a time; a route that only carries the older
/// single `meshctl.io/previous-weights` annotation reads as a history of that one entry.
public struct WeightHistory: Sendable {
  /// One remembered set of weights.
  public struct Entry: Sendable {
    /// When the shift that replaced them ran (RFC 3339, UTC); nil for the older annotation.
    public var time: String?
    /// The weights it replaced.
    public var weights: BackendWeights

    /// Creates an entry.
    public init(time: String?, weights: BackendWeights) {
      self.time = time
      self.weights = weights
    }
  }

  /// The annotation that holds the history.
  public static let annotation = "meshctl.io/weight-history"
  /// The older annotation with the one set of weights before the last shift (read, never written).
  public static let legacyAnnotation = "meshctl.io/previous-weights"
  /// How many entries are kept; the oldest go first.
  public static let limit = 10

  /// The entries, newest first (entry 1 is the newest).
  public private(set) var entries: [Entry]

  /// A history of `entries`, newest first.
  public init(entries: [Entry] = []) { self.entries = Array(entries.prefix(Self.limit)) }

  /// The history a route carries: its `meshctl.io/weight-history` annotation, else its older
  /// `meshctl.io/previous-weights` annotation as one entry, else none.
  public init(route: Node) {
    let annotations = route[path: "metadata", "annotations"]
    if let text = annotations?[Self.annotation]?.string {
      self.init(entries: Self.decode(text))
    } else if let legacy = Self.weights(from: Node.parse(annotations?[Self.legacyAnnotation]?.string ?? "")) {
      self.init(entries: [Entry(time: nil, weights: legacy)])
    } else {
      self.init()
    }
  }

  /// Whether there is nothing to roll back to.
  public var isEmpty: Bool { entries.isEmpty }

  /// The history with `weights` (replaced at `time`) as its newest entry, the oldest dropped past `limit`.
  public func pushing(_ weights: BackendWeights, at time: Date) -> WeightHistory {
    WeightHistory(entries: [Entry(time: Self.timestamp(time), weights: weights)] + entries)
  }

  /// The history without its newest `count` entries.
  public func dropping(_ count: Int) -> WeightHistory {
    WeightHistory(entries: Array(entries.dropFirst(count)))
  }

  /// The annotation's value: a JSON array, oldest entry first.
  public var encoded: String {
    let items: [Node] = entries.reversed().map { entry in
      var fields: [MappingEntry] = []
      if let time = entry.time { fields.append(MappingEntry(key: "time", value: .string(time))) }
      fields.append(MappingEntry(key: "weights", value: Self.node(entry.weights)))
      return .mapping(fields)
    }
    return JSONEmitter.emit(.sequence(items), pretty: false)
  }

  /// `1  2026-12-06T01:00:00Z  v1=90,v2=10` lines, newest first; `(no history)` when empty.
  public var lines: [String] {
    guard !entries.isEmpty else { return ["(no history)"] }
    return entries.enumerated().map { index, entry in
      "\(index + 1)  \(entry.time ?? "(time unknown)")  \(TrafficShift.describe(entry.weights))"
    }
  }

  /// `weights` as a JSON object, in order.
  static func node(_ weights: BackendWeights) -> Node {
    .mapping(weights.map { MappingEntry(key: $0.name, value: .int($0.weight)) })
  }

  /// The weights of a `{"v1":90,...}` object; nil when it holds none.
  static func weights(from node: Node?) -> BackendWeights? {
    guard let entries = node?.mapping else { return nil }
    let weights = entries.compactMap { entry in entry.value.int.map { (entry.key, $0) } }
    return weights.isEmpty ? nil : weights
  }

  /// The entries of an annotation's text, newest first; entries that hold no weights are skipped.
  static func decode(_ text: String) -> [Entry] {
    let items = Node.parse(text)?.sequence ?? []
    return items.reversed().compactMap { item in
      weights(from: item["weights"]).map { Entry(time: item["time"]?.string, weights: $0) }
    }
  }

  /// `2026-12-06T01:00:00Z`: how history entries and events give times.
  public static func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle())
  }
}
