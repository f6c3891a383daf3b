/// Writes a tree as block-style YAML the way kubectl prints it: two-space indentation,
/// sequences under a key not indented further, key order kept, and every string quoted when
/// YAML (1.1, as Kubernetes reads it) would read it back as anything but that same string.
public enum YAMLEmitter {
  /// The YAML text of a document root, ending in a newline, without a `---` separator.
  public static func emit(_ node: Node) -> String {
    // Bytes, not a String: appending many small pieces to a byte array is much cheaper.
    var out: [UInt8] = []
    switch node.content {
    case .scalar(let scalar):
      out += scalarText(scalar, indent: 0) + "\n"
    case .sequence(let items) where items.isEmpty:
      out += "[]\n"
    case .mapping(let entries) where entries.isEmpty:
      out += "{}\n"
    case .sequence(let items):
      writeSequence(items, indent: 0, into: &out)
    case .mapping(let entries):
      writeMapping(entries, indent: 0, into: &out)
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func writeMapping(
    _ entries: [MappingEntry], indent: Int, firstInline: Bool = false, into out: inout [UInt8]
  ) {
    for (index, entry) in entries.enumerated() {
      // A mapping that is a sequence item starts on the dash's line: `- name: web`.
      if !(firstInline && index == 0) { out += pad(indent) }
      out += keyText(entry.key)
      out += ":"
      writeValue(entry.value, indent: indent, sequenceIndent: indent, into: &out)
    }
  }

  private static func writeSequence(_ items: [Node], indent: Int, firstInline: Bool = false, into out: inout [UInt8]) {
    for (index, item) in items.enumerated() {
      if !(firstInline && index == 0) { out += pad(indent) }
      out += "-"
      switch item.content {
      case .mapping(let entries) where !entries.isEmpty:
        out += " "
        writeMapping(entries, indent: indent + 2, firstInline: true, into: &out)
      case .sequence(let inner) where !inner.isEmpty:
        out += " "
        writeSequence(inner, indent: indent + 2, firstInline: true, into: &out)
      default:
        writeValue(item, indent: indent, sequenceIndent: indent + 2, into: &out)
      }
    }
  }

  /// Writes what follows `key:` or `-`: an inline scalar or empty collection, or a nested block.
  private static func writeValue(_ value: Node, indent: Int, sequenceIndent: Int, into out: inout [UInt8]) {
    switch value.content {
    case .scalar(let scalar):
      out += " "
      out += scalarText(scalar, indent: indent + 2)
      out += "\n"
    case .sequence(let items) where items.isEmpty:
      out += " []\n"
    case .mapping(let entries) where entries.isEmpty:
      out += " {}\n"
    case .sequence(let items):
      out += "\n"
      writeSequence(items, indent: sequenceIndent, into: &out)
    case .mapping(let entries):
      out += "\n"
      writeMapping(entries, indent: indent + 2, into: &out)
    }
  }

  private static let pads = (0...64).map { String(repeating: " ", count: $0) }

  /// `count` spaces, from a table for the usual depths.
  private static func pad(_ count: Int) -> String {
    count < pads.count ? pads[count] : String(repeating: " ", count: count)
  }

  private static func keyText(_ key: String) -> String {
    isPlainSafe(key) ? key : doubleQuoted(key)
  }

  /// A scalar's text as it must be written; `indent` is where block-scalar lines start.
  static func scalarText(_ scalar: Scalar, indent: Int) -> String {
    switch scalar.kind {
    case .null: return scalar.text.isEmpty ? "null" : scalar.text
    case .bool, .int, .float: return scalar.text
    case .string: return stringText(scalar.text, indent: indent)
    }
  }

  /// Like kubectl (go-yaml): plain when safe; double quotes for strings that read as another
  /// type (`"true"`, `"8080"`); single quotes for other one-line strings; `|` for multi-line text.
  private static func stringText(_ text: String, indent: Int) -> String {
    if isPlainSafe(text) { return text }
    if let literal = literalBlock(text, indent: indent) { return literal }
    if !looksLikeAnotherType(text), !text.isEmpty, text.unicodeScalars.allSatisfy(isPrintable) {
      return "'" + text.replacingAll("'", with: "''") + "'"
    }
    return doubleQuoted(text)
  }

  private static func looksLikeAnotherType(_ text: String) -> Bool {
    YAMLResolver.kind(ofPlain: text) != .string || YAMLResolver.looksLikeTimestamp(text)
  }

  /// Whether a string can be written unquoted and read back as the same string. One pass over
  /// the UTF-8 bytes: this runs for every string and key written.
  public static func isPlainSafe(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isPlainSafe(bytes: $0) }
  }

  private static func isPlainSafe(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = bytes.first, let last = bytes.last else { return false }
    if YAMLResolver.kind(ofPlain: bytes) != .string || looksLikeTimestamp(bytes) { return false }
    switch first {
    case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
      UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
      UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
      UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "<"), UInt8(ascii: "="),
      UInt8(ascii: " "):
      return false
    // A dash starts a plain scalar only when a non-space follows (`--flag`), else it is a list item.
    case UInt8(ascii: "-") where bytes.count == 1 || bytes[1] == UInt8(ascii: " "):
      return false
    default: break
    }
    if last == UInt8(ascii: " ") || last == UInt8(ascii: ":") { return false }
    // Document markers, wherever the scalar lands.
    if bytes.count >= 3, (first == UInt8(ascii: "-") || first == UInt8(ascii: ".")), bytes[1] == first,
      bytes[2] == first
    {
      return false
    }
    var previous: UInt8 = 0
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case 0x00..<0x20, 0x7F: return false  // control characters, tabs and line breaks
      case UInt8(ascii: " ") where previous == UInt8(ascii: ":"): return false  // `a: b` is a mapping
      case UInt8(ascii: "#") where previous == UInt8(ascii: " "): return false  // ` #` starts a comment
      case 0xC2 where index + 1 < bytes.count && bytes[index + 1] <= 0x9F: return false  // C1 controls, NEL
      case 0xE2
      where index + 2 < bytes.count && bytes[index + 1] == 0x80
        && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
        return false  // LS, PS
      case 0xEF
      where index + 2 < bytes.count
        && ((bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF)
          || (bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE)):
        return false  // byte-order mark, U+FFFE, U+FFFF
      default: break
      }
      previous = byte
      index += 1
    }
    return true
  }

  /// `YAMLResolver.looksLikeTimestamp` on bytes.
  private static func looksLikeTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard bytes.count >= 8 else { return false }
    func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    return isDigit(bytes[0]) && isDigit(bytes[1]) && isDigit(bytes[2]) && isDigit(bytes[3])
      && bytes[4] == UInt8(ascii: "-") && isDigit(bytes[5])
  }

  /// Printable in YAML and not a line break YAML 1.1 knows (NEL, LS, PS) or a byte-order mark.
  private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x20...0x7E: return true
    case 0xA0...0x2027, 0x202A...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
  }

  /// A `|` block for multi-line text when every line can be written as it is.
  private static func literalBlock(_ text: String, indent: Int) -> String? {
    // Most strings that get here are one line (JSON in annotations): a byte scan says so at once.
    guard text.utf8.contains(0x0A), !text.hasPrefix(" "), !text.hasPrefix("\n"),
      text.unicodeScalars.allSatisfy({ $0 == "\n" || isPrintable($0) }),
      !text.split(separator: "\n", omittingEmptySubsequences: false).contains(where: { $0.hasSuffix(" ") })
    else { return nil }
    var body = Substring(text)
    var trailingBreaks = 0
    while body.hasSuffix("\n") {
      body = body.dropLast()
      trailingBreaks += 1
    }
    let chomping: String
    switch trailingBreaks {
    case 0: chomping = "-"
    case 1: chomping = ""
    default: chomping = "+"
    }
    let pad = String(repeating: " ", count: max(indent, 2))
    var out = "|" + chomping
    for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
      out += "\n" + (line.isEmpty ? "" : pad + line)
    }
    if trailingBreaks > 1 { out += String(repeating: "\n", count: trailingBreaks - 1) }
    return out
  }

  /// A double-quoted YAML string; every character YAML could misread is escaped.
  public static func doubleQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case "\0": out += "\\0"
      default:
        if isPrintable(scalar) {
          out.unicodeScalars.append(scalar)
        } else if scalar.value <= 0xFF {
          out += "\\x" + hex(scalar.value, width: 2)
        } else if scalar.value <= 0xFFFF {
          out += "\\u" + hex(scalar.value, width: 4)
        } else {
          out += "\\U" + hex(scalar.value, width: 8)
        }
      }
    }
    return out + "\""
  }

  static func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// Writes a tree as JSON, with values converted as Kubernetes converts YAML to JSON
/// (`0x1F` becomes 31, `yes` becomes true).
public enum JSONEmitter {
  /// The JSON text of a tree; `pretty` indents by two spaces, its lines after the first by
  /// `indent` more (a value written inside a larger one, piece by piece).
  public static func emit(_ node: Node, pretty: Bool = true, indent: Int = 0) -> String {
    // Bytes, not a String, as in YAMLEmitter: many small appends (injection records, reports).
    var out: [UInt8] = []
    write(node, indent: indent, pretty: pretty, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// The JSON string literal for a string, with its quotes.
  public static func quote(_ string: String) -> String {
    var out: [UInt8] = []
    appendQuoted(string, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the JSON string literal for `string`.
  private static func appendQuoted(_ string: String, to out: inout [UInt8]) {
    out.append(0x22)
    // Nearly every string needs no escape: one byte scan, then the bytes as they are.
    guard needsEscape(string.utf8) else {
      out.append(contentsOf: string.utf8)
      out.append(0x22)
      return
    }
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if isEscaped(scalar) {
          out += "\\u" + YAMLEmitter.hex(scalar.value, width: 4)
        } else {
          out.append(contentsOf: UTF8.encode(scalar)!)
        }
      }
    }
    out.append(0x22)
  }

  /// Whether a scalar is written as `\uXXXX`. JSON allows all but the C0 controls raw, but
  /// meshctl reads JSON with its YAML reader, which refuses DEL, the C1 controls and U+FFFE/FFFF
  /// and reads NEL, LS and PS as line breaks: escaped, its own output reads back the same
  /// (FuzzAPIAnswer found NEL: Fuzz/corpus/FuzzAPIAnswer/regression-json-nel-c1-del).
  private static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFFFE, 0xFFFF: true
    default: false
    }
  }

  /// Whether a string may have a character `quote` escapes: `"`, a backslash, or a byte that
  /// starts an escaped scalar (C0 controls, DEL, C2 for C1 controls, E2 for LS / PS, EF for
  /// U+FFFE / U+FFFF).
  private static func needsEscape(_ bytes: String.UTF8View) -> Bool {
    bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF }
  }

  private static func write(_ node: Node, indent: Int, pretty: Bool, into out: inout [UInt8]) {
    switch node.content {
    case .scalar(let scalar):
      writeScalar(scalar, into: &out)
    case .sequence(let items):
      writeContainer(items, open: 0x5B, close: 0x5D, indent: indent, pretty: pretty, into: &out) { item, out in
        write(item, indent: indent + 2, pretty: pretty, into: &out)
      }
    case .mapping(let entries):
      writeContainer(entries, open: 0x7B, close: 0x7D, indent: indent, pretty: pretty, into: &out) { entry, out in
        appendQuoted(entry.key, to: &out)
        out += pretty ? ": " : ":"
        write(entry.value, indent: indent + 2, pretty: pretty, into: &out)
      }
    }
  }

  private static func writeContainer<Element>(
    _ elements: [Element], open: UInt8, close: UInt8, indent: Int, pretty: Bool, into out: inout [UInt8],
    _ writeElement: (Element, inout [UInt8]) -> Void
  ) {
    out.append(open)
    guard !elements.isEmpty else {
      out.append(close)
      return
    }
    for (index, element) in elements.enumerated() {
      if index > 0 { out.append(0x2C) }
      if pretty { newline(indent: indent + 2, into: &out) }
      writeElement(element, &out)
    }
    if pretty { newline(indent: indent, into: &out) }
    out.append(close)
  }

  private static func newline(indent: Int, into out: inout [UInt8]) {
    out.append(0x0A)
    out.append(contentsOf: repeatElement(0x20, count: indent))
  }

  private static func writeScalar(_ scalar: Scalar, into out: inout [UInt8]) {
    switch scalar.kind {
    case .null: out += "null"
    case .bool: out += YAMLResolver.boolValue(of: scalar.text) == true ? "true" : "false"
    case .int:
      if let value = YAMLResolver.intValue(of: scalar.text) {
        out += String(value)
      } else {
        appendQuoted(scalar.text, to: &out)
      }
    case .float:
      guard let value = YAMLResolver.floatValue(of: scalar.text), value.isFinite else {
        appendQuoted(scalar.text, to: &out)
        return
      }
      if value == value.rounded(), abs(value) < 1e15 { out += String(Int(value)) } else { out += String(value) }
    case .string: appendQuoted(scalar.text, to: &out)
    }
  }
}

extension String {
  /// Every occurrence of `target` replaced (without Foundation).
  func replacingAll(_ target: Character, with replacement: String) -> String {
    // Nothing to replace (the usual case): no walk over the characters.
    if target.isASCII, let byte = target.asciiValue, !utf8.contains(byte) { return self }
    var out = ""
    for character in self {
      if character == target { out += replacement } else { out.append(character) }
    }
    return out
  }
}

/// Appends a string's UTF-8 bytes: the emitter's output buffer is bytes.
private func += (bytes: inout [UInt8], text: String) {
  bytes.append(contentsOf: text.utf8)
}
