/// Hides the values of a Secret's `data` and `stringData` wherever meshctl would show them: HTTP
/// logs at any `-v`, `diff`, and the source line a diagnostic echoes. Keys stay visible (they
/// say what changed); values become `***`, as kubectl shows them since 1.20.
public enum SecretMask {
  /// What a hidden value shows as.
  public static let marker = "***"
  /// The old side of a value that changed, in a diff (kubectl's spelling).
  public static let before = "*** (before)"
  /// The new side of a value that changed, in a diff.
  public static let after = "*** (after)"
  /// The fields whose values are secret.
  public static let secretFields = ["data", "stringData"]

  /// Whether `node` is a core `Secret` object (`apiVersion: v1` or none given).
  public static func isSecret(_ node: Node) -> Bool {
    guard node["kind"]?.string == "Secret" else { return false }
    let version = node["apiVersion"]?.string
    return version == nil || version == "v1"
  }

  /// `node` with every Secret's values masked: the object itself, or the items of a list.
  public static func masked(_ node: Node) -> Node {
    if isSecret(node) { return masking(node) { _, _ in marker } }
    guard var entries = node.mapping, let index = entries.firstIndex(where: { $0.key == "items" }),
      let items = entries[index].value.sequence
    else { return node }
    entries[index].value = Node(.sequence(items.map(masked)), mark: entries[index].value.mark)
    return Node(.mapping(entries), mark: node.mark)
  }

  /// Both sides of a diff masked as kubectl masks them: a value the same on both sides is `***`
  /// on both, a changed one `*** (before)` / `*** (after)`, one on a single side `***`. Not
  /// Secrets: returned as they are.
  public static func maskedPair(before old: Node?, after new: Node) -> (before: Node?, after: Node) {
    guard isSecret(new) || old.map(isSecret) == true else { return (old, new) }
    let maskedOld = old.map { old in
      masking(old) { field, key in
        guard let other = new[path: field, key] else { return marker }
        return other == old[path: field, key] ? marker : before
      }
    }
    let maskedNew = masking(new) { field, key in
      guard let old, let other = old[path: field, key] else { return marker }
      return other == new[path: field, key] ? marker : after
    }
    return (maskedOld, maskedNew)
  }

  /// A source line from inside a Secret's values with the value part hidden: `  password: ***`.
  /// Indentation, the key and comments-only lines stay; a line without a key (a block scalar's
  /// continuation, a flow collection's middle) keeps only its indentation and `***`.
  public static func maskedLine(_ line: String) -> String {
    let indentEnd = line.firstIndex { $0 != " " && $0 != "\t" } ?? line.endIndex
    let rest = line[indentEnd...]
    if rest.isEmpty || rest.hasPrefix("#") { return line }
    var keyEnd: String.Index?
    var index = rest.startIndex
    while index < rest.endIndex {
      let next = rest.index(after: index)
      if rest[index] == ":", next == rest.endIndex || rest[next] == " " || rest[next] == "\t" {
        keyEnd = next
        break
      }
      index = next
    }
    guard let keyEnd else { return line[..<indentEnd] + marker }
    let value = rest[keyEnd...].drop { $0 == " " || $0 == "\t" }
    if value.isEmpty || value.hasPrefix("#") { return line }
    return line[..<keyEnd] + " " + marker
  }

  /// The 1-based lines (of the document's file) that hold a Secret's values: from each
  /// `data:` / `stringData:` key to the line before the next top-level key; empty for other kinds.
  public static func valueLines(in root: Node, lastLine: Int) -> [ClosedRange<Int>] {
    guard isSecret(root), let entries = root.mapping else { return [] }
    let starts = entries.map(\.keyMark.line).filter { $0 > 0 }.sorted()
    return entries.compactMap { entry -> ClosedRange<Int>? in
      guard secretFields.contains(entry.key), entry.keyMark.isKnown else { return nil }
      let first = entry.keyMark.line
      let end = (starts.first { $0 > first } ?? lastLine + 1) - 1
      return first...max(first, end)
    }
  }

  /// Line `number` of `text` (a stream being read), masked when it lies in the values of a
  /// Secret, judged from the text alone: for findings made before any tree exists (a syntax
  /// error). A top-level `kind: Secret` in the same document and a top-level `data:` or
  /// `stringData:` key above the line (or on it) make it a value line.
  public static func sourceLine(_ number: Int, in text: String) -> String? {
    guard let line = SourceLines.line(number, in: text) else { return nil }
    // Most text holds no Secret, and then no line is masked: a byte search says so without
    // splitting the text into lines (done for every syntax error, it was up to a third of
    // the time spent reading a broken API answer).
    guard mentionsSecret(text) else { return line }
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    guard number <= lines.count else { return line }
    let isSeparator = { (line: Substring) in line.hasPrefix("---") }
    let start = lines[..<(number - 1)].lastIndex(where: isSeparator).map { $0 + 1 } ?? 0
    let end = lines[number...].firstIndex(where: isSeparator) ?? lines.count
    let document = lines[start..<end]
    let isSecret = document.contains { line in
      guard topLevelKey(line) == "kind" else { return false }
      let value = line.drop { $0 != ":" }.dropFirst().prefix { $0 != "#" }
      return trimmed(value) == "Secret"
    }
    guard isSecret,
      let owner = lines[start..<number].last(where: { topLevelKey($0) != nil }).flatMap(topLevelKey),
      secretFields.contains(owner)
    else { return line }
    return maskedLine(line)
  }

  /// The key of a line that starts a top-level mapping entry (`kind: x` → `kind`), else nil.
  private static func topLevelKey(_ line: Substring) -> String? {
    guard let first = line.first, first != " ", first != "\t", first != "#", first != "-",
      let colon = line.firstIndex(of: ":")
    else { return nil }
    return trimmed(line[..<colon])
  }

  /// `text` without surrounding blanks and quotes.
  private static func trimmed(_ text: Substring) -> String {
    let strip: Set<Character> = [" ", "\t", "\"", "'"]
    return String(text.drop { strip.contains($0) }.reversed().drop { strip.contains($0) }.reversed())
  }

  /// An HTTP body as it may be logged: a JSON Secret (or list of them) with its values masked
  /// and emitted again; nil when the body holds no Secret values and may be shown as it is. A
  /// body that mentions a Secret but cannot be read is replaced whole.
  public static func loggableBody(_ body: [UInt8]) -> String? {
    guard mentionsSecret(body) else { return nil }
    var documents: [Document] = []
    let limits = ReaderLimits(maxInputBytes: body.count + 1, maxDocumentBytes: body.count + 1, maxDepth: 200)
    let summary = try? ManifestReader(limits: limits).read(MemorySource(body), file: "body") { documents.append($0) }
    guard let summary, summary.diagnostics.isEmpty, documents.count == 1, let root = documents.first?.root else {
      return "<\(body.count) bytes that mention a Secret, not shown>"
    }
    return JSONEmitter.emit(masked(root), pretty: false)
  }

  /// Whether the bytes contain `Secret` at all: a byte search, cheap enough for every logged body.
  public static func mentionsSecret(_ body: [UInt8]) -> Bool {
    body.withUnsafeBufferPointer(mentionsSecret)
  }

  /// Whether the text contains `Secret`, searched in its UTF-8 bytes.
  static func mentionsSecret(_ text: String) -> Bool {
    var text = text
    return text.withUTF8(mentionsSecret)
  }

  private static func mentionsSecret(_ body: UnsafeBufferPointer<UInt8>) -> Bool {
    let needle: [UInt8] = Array("Secret".utf8)
    guard body.count >= needle.count else { return false }
    var index = 0
    while index + needle.count <= body.count {
      if body[index] == needle[0], body[index..<index + needle.count].elementsEqual(needle) { return true }
      index += 1
    }
    return false
  }

  /// `node` with the value of each key of `data` and `stringData` replaced by `replacement`.
  private static func masking(_ node: Node, _ replacement: (_ field: String, _ key: String) -> String) -> Node {
    guard var entries = node.mapping else { return node }
    for index in entries.indices where secretFields.contains(entries[index].key) {
      let field = entries[index].key
      guard let values = entries[index].value.mapping else {
        if !entries[index].value.isNull { entries[index].value = .string(marker) }
        continue
      }
      let hidden = values.map {
        MappingEntry(key: $0.key, keyMark: $0.keyMark, value: .string(replacement(field, $0.key)))
      }
      entries[index].value = Node(.mapping(hidden), mark: entries[index].value.mark)
    }
    return Node(.mapping(entries), mark: node.mark)
  }
}
