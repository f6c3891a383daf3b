import Manifest

/// What an injection run reports: the text lines (spooled, so memory stays flat however many
/// workloads there are) and, only for `--report`, the outcomes themselves.
public struct InjectionReport {
  /// The lines for standard error, written after the YAML.
  public let lines = LineSpool()
  /// Whether `outcomes` is kept (for the JSON report).
  public let keepsOutcomes: Bool
  /// Every outcome, in order, when `keepsOutcomes`.
  public private(set) var outcomes: [InjectionOutcome] = []

  /// Creates an empty report; `keepsOutcomes` for the JSON one.
  public init(keepsOutcomes: Bool) {
    self.keepsOutcomes = keepsOutcomes
  }

  /// Adds outcomes: their lines always, the outcomes themselves when kept.
  public mutating func add(_ more: [InjectionOutcome]) {
    for outcome in more {
      lines.append(outcome.line)
      if let warning = outcome.warningLine { lines.append(warning) }
    }
    if keepsOutcomes { outcomes += more }
  }

  /// The report as the JSON `--report` writes: one entry per kept outcome.
  public var node: Node {
    .sequence(
      outcomes.map { outcome in
        var entries: [MappingEntry] = [
          MappingEntry(key: "file", value: .string(outcome.file)),
          MappingEntry(key: "object", value: .string(outcome.object)),
        ]
        if let namespace = outcome.namespace {
          entries.append(MappingEntry(key: "namespace", value: .string(namespace)))
        }
        entries.append(MappingEntry(key: "status", value: .string(outcome.status.rawValue)))
        if let reason = outcome.reason { entries.append(MappingEntry(key: "reason", value: .string(reason))) }
        if let warning = outcome.warning { entries.append(MappingEntry(key: "warning", value: .string(warning))) }
        return .mapping(entries)
      })
  }
}
