/// Objects on standard output as kubectl prints them: one object, or a `v1` `List` of several.
public struct ObjectPrinter: Sendable {
  /// How the objects are written.
  public enum Format: Sendable {
    /// YAML.
    case yaml
    /// JSON.
    case json
  }

  /// The format.
  public var format: Format
  /// Whether a `List` carries kubectl's empty `metadata` (apply and get print it, as kubectl
  /// does; render and inject never have, and their output stays as it was).
  public var listMetadata = true
  /// Whether no objects make an empty `List` (inject's JSON is always one value) or nothing.
  public var emptyIsList = false

  /// A printer for `format` with kubectl's `List` (metadata; nothing for no objects) unless told.
  public init(format: Format, listMetadata: Bool = true, emptyIsList: Bool = false) {
    self.format = format
    self.listMetadata = listMetadata
    self.emptyIsList = emptyIsList
  }

  /// Writes `objects` as `format`, kubectl's way (`metadata` on a `List`; nothing for none).
  public static func write(_ objects: [Node], as format: Format, to sink: any TextSink) {
    ObjectPrinter(format: format).write(objects, to: sink)
  }

  /// Writes `objects` to `sink`.
  public func write(_ objects: [Node], to sink: any TextSink) {
    sink.write(text(of: objects))
  }

  /// The text `write` writes.
  public func text(of objects: [Node]) -> String {
    guard let root = root(of: objects) else { return "" }
    switch format {
    case .json: return JSONEmitter.emit(root) + "\n"
    case .yaml: return YAMLEmitter.emit(root)
    }
  }

  /// The one object, or the `List` of them; nil when there is nothing to print.
  public func root(of objects: [Node]) -> Node? {
    if objects.count == 1 { return objects[0] }
    if objects.isEmpty, !emptyIsList { return nil }
    var entries: [MappingEntry] = [
      MappingEntry(key: "apiVersion", value: .string("v1")), MappingEntry(key: "kind", value: .string("List")),
      MappingEntry(key: "items", value: .sequence(objects)),
    ]
    if listMetadata { entries.append(MappingEntry(key: "metadata", value: .mapping([MappingEntry]()))) }
    return .mapping(entries)
  }

  /// The objects as one YAML stream, `---` between them (what `kubectl apply -f -` reads).
  public static func yamlStream(_ objects: [Node]) -> String {
    objects.map(YAMLEmitter.emit).joined(separator: "---\n")
  }
}

/// Objects for `ObjectPrinter`'s JSON that arrive one at a time (inject's `-o json`): each is
/// written as it comes into a `LineSpool`, which moves to a temporary file past its memory
/// bound, so memory stays flat in the number of objects. `drain` writes the text `write` gives
/// for all of them at once (the one object, or the `List`).
public final class JSONObjectSpool {
  private let printer: ObjectPrinter
  private let items: LineSpool
  /// The first object, held until a second one says the output is a `List`.
  private var first: Node?
  private var count = 0

  /// An empty spool for `printer`'s `List` settings (its format is JSON whatever it says) that
  /// keeps up to `memoryLimit` bytes of text in memory.
  public init(printer: ObjectPrinter, memoryLimit: Int = 1 << 20) {
    self.printer = ObjectPrinter(format: .json, listMetadata: printer.listMetadata, emptyIsList: printer.emptyIsList)
    items = LineSpool(limit: memoryLimit)
  }

  /// Adds the next object.
  public func append(_ object: Node) {
    count += 1
    guard count > 1 else {
      first = object
      return
    }
    if let held = first {
      items.write(Self.itemBreak + JSONEmitter.emit(held, indent: 4))
      first = nil
    }
    items.write("," + Self.itemBreak + JSONEmitter.emit(object, indent: 4))
  }

  /// Writes the objects to `sink` as `ObjectPrinter.write` would, and empties the spool.
  public func drain(into sink: any TextSink) {
    guard count > 1 else {
      printer.write(first.map { [$0] } ?? [], to: sink)
      first = nil
      return
    }
    // The `List` around the items, as JSONEmitter writes it (two-space indentation).
    sink.write("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")
    items.drain(into: sink)
    sink.write("\n  ]" + (printer.listMetadata ? ",\n  \"metadata\": {}" : "") + "\n}\n")
  }

  /// Drops everything held (the command failed: its output must not appear).
  public func discard() {
    items.discard()
    first = nil
  }

  private static let itemBreak = "\n    "
}

/// kubectl-style tables: columns left-aligned, three spaces between, the last one unpadded.
public enum TablePrinter {
  /// The rows (the header first) as text, one line each; "" for no rows.
  public static func render(_ rows: [[String]]) -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    let widths = (0..<width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
      }.joined()
    }.joined(separator: "\n") + "\n"
  }
}

/// `-o` for commands that print cluster objects.
public enum ObjectOutput: String, CaseIterable, Sendable {
  /// `kind.group/name` per object.
  case name
  /// The objects as JSON (one object, or a `List`).
  case json
  /// The objects as YAML (one object, or a `List`).
  case yaml

  /// How `ObjectPrinter` writes the objects; nil for `name` (a line per object instead).
  public var printFormat: ObjectPrinter.Format? {
    switch self {
    case .name: return nil
    case .json: return .json
    case .yaml: return .yaml
    }
  }

  /// Writes `objects` as one object, or as a `v1` `List` when there are several (as kubectl
  /// does); nothing for no format or `name`.
  public static func write(_ objects: [Node], as format: ObjectOutput?, to sink: any TextSink) {
    guard let format = format?.printFormat else { return }
    ObjectPrinter.write(objects, as: format, to: sink)
  }
}
