import CLibYAML

/// Where each node of one document sits in its source text, in bytes: what a surgical edit needs
/// to splice new text between the bytes it keeps. Read on demand (a second libyaml pass over a
/// changed document only), so reading and validating pay nothing for it.
struct SourceLayout {
  /// One node's place in the text.
  struct Place {
    enum Kind { case scalar, sequence, mapping }
    var kind: Kind
    /// Byte offsets of the node's first byte and of the byte after its end mark. Block
    /// collections end where libyaml saw the next token, so use `contentEnd` for them.
    var start: Int
    var end: Int
    /// Written in flow style (`[a, b]`, `{a: 1}`).
    var flow = false
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
      var builder = LayoutBuilder()
      var event = yaml_event_t()
      while true {
        guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
        defer { yaml_event_delete(&event) }
        let start = offsets.byte(Int(event.start_mark.index))
        let end = offsets.byte(Int(event.end_mark.index))
        switch event.type {
        case YAML_STREAM_END_EVENT:
          return builder.root.map(SourceLayout.init)
        case YAML_DOCUMENT_START_EVENT:
          builder.documents += 1
          if builder.documents > 1 { return nil }
        case YAML_ALIAS_EVENT:
          return nil
        case YAML_SCALAR_EVENT:
          let data = event.data.scalar
          let isMergeKey = data.style == YAML_PLAIN_SCALAR_STYLE && data.length == 2 && data.value[0] == 0x3C
            && data.value[1] == 0x3C
          if isMergeKey && builder.expectsKey { return nil }
          var node = Place(kind: .scalar, start: start, end: end)
          node.style = Self.style(data.style)
          builder.add(node)
        case YAML_SEQUENCE_START_EVENT:
          builder.open(Place(kind: .sequence, start: start, end: end, flow: event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE))
        case YAML_MAPPING_START_EVENT:
          builder.open(Place(kind: .mapping, start: start, end: end, flow: event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
          guard builder.close(end: end) else { return nil }
        default:
          break
        }
      }
    }
  }

  private static func style(_ style: yaml_scalar_style_t) -> Scalar.Style {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: return .literal
    case YAML_FOLDED_SCALAR_STYLE: return .folded
    default: return .plain
    }
  }

  /// Builds the layout tree from events: open collections on a stack, finished nodes added to
  /// the innermost one (a mapping's children alternate key, value until it closes).
  private struct LayoutBuilder {
    var stack: [Place] = []
    var root: Place?
    var documents = 0

    /// Whether the next node is a mapping key.
    var expectsKey: Bool {
      guard let top = stack.last else { return false }
      return top.kind == .mapping && top.children.count % 2 == 0
    }

    mutating func open(_ node: Place) { stack.append(node) }

    mutating func add(_ node: Place) {
      if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    mutating func close(end: Int) -> Bool {
      guard var node = stack.popLast() else { return false }
      node.end = end
      if node.kind == .mapping {
        let pairs = node.children
        guard pairs.count % 2 == 0 else { return false }
        node.keys = stride(from: 0, to: pairs.count, by: 2).map { pairs[$0] }
        node.children = stride(from: 1, to: pairs.count, by: 2).map { pairs[$0] }
      }
      add(node)
      return true
    }
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
