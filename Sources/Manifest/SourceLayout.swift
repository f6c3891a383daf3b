import CLibYAML

/// Where each node of one document sits in its source text, in bytes: what a surgical edit needs
/// to splice new text between the bytes it keeps. Built from the document's events
/// (`LayoutEvents`): the ones the reader recorded while reading (`ManifestReader.recordsLayout`),
/// or, for text read without them, a second libyaml pass over the changed document only.
struct SourceLayout: Equatable {
  /// One node's place in the text.
  struct Place: Equatable {
    enum Kind { case scalar, sequence, mapping }
    var kind: Kind
    /// Byte offsets of the node's first byte and of the byte after its end mark. Block
    /// collections end where libyaml saw the next token, so use `contentEnd` for them.
    var start: Int
    var end: Int
    /// Written in flow style (`[a, b]`, `{a: 1}`).
    var flow = false
    /// A single `key: value` pair in a flow sequence (`[a: 1]`): a flow mapping without braces.
    var flowPair = false
    /// How a scalar was written.
    var style: Scalar.Style = .plain
    /// A mapping's keys (scalars), one per entry.
    var keys: [Place] = []
    /// A mapping's values or a sequence's items.
    var children: [Place] = []

    /// The byte after the node's last character: exact for scalars and flow collections, the
    /// end of the last child for block collections.
    var contentEnd: Int {
      if kind == .scalar || flow || children.isEmpty { return end }
      return children[children.count - 1].contentEnd
    }
  }

  /// The document's root.
  let root: Place

  /// The layout of the single document in `bytes`; nil when libyaml cannot read it, when it holds
  /// more than one document, or when it uses aliases or merge keys (their nodes are not where the
  /// tree says they are).
  static func read(_ bytes: [UInt8]) -> SourceLayout? {
    let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    let offsets = CharacterOffsets(bytes, skipping: hasBOM ? 3 : 0)
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    return bytes.withUnsafeBufferPointer { buffer -> SourceLayout? in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var events = LayoutEvents()
      var documents = 0
      var event = yaml_event_t()
      while true {
        guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
        defer { yaml_event_delete(&event) }
        switch event.type {
        case YAML_STREAM_END_EVENT:
          return events.layout()
        case YAML_DOCUMENT_START_EVENT:
          documents += 1
          if documents > 1 { return nil }
        default:
          events.record(
            event, start: offsets.byte(Int(event.start_mark.index)), end: offsets.byte(Int(event.end_mark.index)))
        }
      }
    }
  }
}

/// The node events of one document with their byte ranges, as compact as they come: the reader
/// records them for every document when asked (a few bytes per event, no tree), and a layout is
/// built from them only for a document that is edited.
struct LayoutEvents: Sendable {
  private enum Kind: UInt8, Sendable { case scalar, sequence, mapping, end, alias }

  private struct Event: Sendable {
    var kind: Kind
    /// A scalar's `Scalar.Style` (by index), or whether a collection is in flow style (1).
    var detail: UInt8
    /// A plain scalar `<<`: a merge key when it stands in a key's place.
    var mergeKey: Bool
    var start: Int32
    var end: Int32
  }

  private var events: [Event] = []
  /// Set when an offset did not fit (a document past 2 GiB): no layout, the document is then
  /// written whole.
  private var overflowed = false

  init(capacity: Int = 0) {
    events.reserveCapacity(capacity)
  }

  /// How many events were recorded.
  var count: Int { events.count }

  /// Records a node event (scalar, alias, collection start or end) at `start..<end` (byte
  /// offsets in the document's text); other events are ignored.
  mutating func record(_ event: yaml_event_t, start: Int, end: Int) {
    guard start <= Int(Int32.max), end <= Int(Int32.max) else {
      overflowed = true
      return
    }
    let kind: Kind
    var detail: UInt8 = 0
    var mergeKey = false
    switch event.type {
    case YAML_SCALAR_EVENT:
      kind = .scalar
      let data = event.data.scalar
      detail = Self.styleIndex(data.style)
      mergeKey = data.style == YAML_PLAIN_SCALAR_STYLE && data.length == 2 && data.value[0] == 0x3C && data.value[1] == 0x3C
    case YAML_SEQUENCE_START_EVENT:
      kind = .sequence
      detail = event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? 1 : 0
    case YAML_MAPPING_START_EVENT:
      kind = .mapping
      detail = event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? 1 : 0
    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
      kind = .end
    case YAML_ALIAS_EVENT:
      kind = .alias
    default:
      return
    }
    events.append(Event(kind: kind, detail: detail, mergeKey: mergeKey, start: Int32(start), end: Int32(end)))
  }

  /// The layout tree; nil for an empty or unbalanced record, or one with aliases or merge keys
  /// (their nodes are not where the tree says they are), or whose offsets did not fit.
  func layout() -> SourceLayout? {
    guard !overflowed else { return nil }
    var builder = LayoutBuilder()
    for event in events {
      let start = Int(event.start), end = Int(event.end)
      switch event.kind {
      case .alias:
        return nil
      case .scalar:
        if event.mergeKey && builder.expectsKey { return nil }
        var node = SourceLayout.Place(kind: .scalar, start: start, end: end)
        node.style = Self.styles[Int(event.detail)]
        builder.add(node)
      case .sequence:
        builder.open(SourceLayout.Place(kind: .sequence, start: start, end: end, flow: event.detail == 1))
      case .mapping:
        builder.open(SourceLayout.Place(kind: .mapping, start: start, end: end, flow: event.detail == 1))
      case .end:
        guard builder.close(start: start, end: end) else { return nil }
      }
    }
    guard builder.stack.isEmpty else { return nil }
    return builder.root.map(SourceLayout.init)
  }

  private static let styles: [Scalar.Style] = [.plain, .singleQuoted, .doubleQuoted, .literal, .folded]

  private static func styleIndex(_ style: yaml_scalar_style_t) -> UInt8 {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return 1
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return 2
    case YAML_LITERAL_SCALAR_STYLE: return 3
    case YAML_FOLDED_SCALAR_STYLE: return 4
    default: return 0
    }
  }
}

/// Builds the layout tree from events: open collections on a stack, finished nodes added to
/// the innermost one (a mapping's nodes go to its keys and its values in turn).
private struct LayoutBuilder {
  var stack: [SourceLayout.Place] = []
  var root: SourceLayout.Place?

  /// Whether the next node is a mapping key.
  var expectsKey: Bool {
    guard let top = stack.last else { return false }
    return top.kind == .mapping && top.keys.count == top.children.count
  }

  mutating func open(_ node: SourceLayout.Place) { stack.append(node) }

  mutating func add(_ node: SourceLayout.Place) {
    guard !stack.isEmpty else {
      root = node
      return
    }
    let top = stack.count - 1
    if stack[top].kind == .mapping && stack[top].keys.count == stack[top].children.count {
      stack[top].keys.append(node)
    } else {
      stack[top].children.append(node)
    }
  }

  /// Ends the innermost collection at an end event spanning `start..<end` (empty for a flow
  /// pair, which has no closing brace).
  mutating func close(start: Int, end: Int) -> Bool {
    guard var node = stack.popLast() else { return false }
    node.end = end
    node.flowPair = node.kind == .mapping && node.flow && start == end
    guard node.keys.count == node.children.count || node.kind != .mapping else { return false }
    add(node)
    return true
  }
}

/// Turns libyaml's character indexes (Unicode scalars, a byte-order mark not counted) into
/// byte offsets. ASCII text needs no table.
private struct CharacterOffsets {
  let skipped: Int
  let table: [Int]?

  init(_ bytes: [UInt8], skipping skipped: Int) {
    self.skipped = skipped
    guard bytes.contains(where: { $0 >= 0x80 }) else {
      table = nil
      return
    }
    var table: [Int] = []
    table.reserveCapacity(bytes.count + 1)
    var index = skipped
    while index < bytes.count {
      table.append(index)
      index += 1
      while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
    }
    table.append(bytes.count)
    self.table = table
  }

  func byte(_ character: Int) -> Int {
    guard let table else { return character + skipped }
    return table[min(max(character, 0), table.count - 1)]
  }
}
