/// Writes a changed document by editing its source text: only the nodes that differ between the
/// tree it was read as and the new tree are written, in the style of their surroundings
/// (indentation, block or flow, sequence indentation, quoting, line breaks); every other byte,
/// comments included, stays. DESIGN.md §7: edits are surgical.
public enum SurgicalEmitter {
  /// The source text of a document with its tree changed from `original` (the tree read from
  /// `sourceText`) to `replacement`; nil when no surgical edit gives that tree (then write the
  /// document whole). With `verify`, the result is read back and nil unless it is exactly
  /// `replacement`: tests and fuzzing check every splice so; writing output does not pay for
  /// reading the document a second time.
  public static func splice(_ sourceText: String, from original: Node, to replacement: Node, verify: Bool = false)
    -> String?
  {
    let bytes = Array(sourceText.utf8)
    return splice(bytes, layout: SourceLayout.read(bytes), from: original, to: replacement, verify: verify)
  }

  /// `document`'s text with its tree changed to `replacement`, as `splice(_:from:to:verify:)`
  /// gives it; uses the layout the reader recorded (`ManifestReader.recordsLayout`) when there
  /// is one, so the document is not parsed a second time.
  public static func splice(_ document: Document, to replacement: Node, verify: Bool = false) -> String? {
    let bytes = Array(document.sourceText.utf8)
    let layout = document.layoutEvents.map { $0.layout() } ?? SourceLayout.read(bytes)
    return splice(bytes, layout: layout, from: document.root, to: replacement, verify: verify)
  }

  private static func splice(
    _ bytes: [UInt8], layout: SourceLayout?, from original: Node, to replacement: Node, verify: Bool
  ) -> String? {
    guard let layout, !startsALineWithAByteOrderMark(bytes) else { return nil }
    var splicer = Splicer(bytes: bytes, layout: layout)
    guard splicer.diff(original, replacement, layout.root, indent: 0, parentIsFlow: false),
      let text = splicer.applied()
    else { return nil }
    guard verify else { return text }
    let (documents, diagnostics) = ManifestReader().parse(text)
    guard diagnostics.isEmpty, documents.count == 1, documents[0].root == replacement else { return nil }
    return text
  }
}

extension SurgicalEmitter {
  /// Whether a byte-order mark starts a line (other than the one a text may begin with, which
  /// the reader drops): libyaml skips it there but counts it as a column, so the columns the
  /// splicer reads from the bytes are not libyaml's (FuzzSurgical: a second byte-order mark
  /// before the first key had a new key written one column too deep). Such a text is written whole.
  static func startsALineWithAByteOrderMark(_ bytes: [UInt8]) -> Bool {
    let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
    guard bytes.contains(0xEF) else { return false }
    var lineStart = bytes.starts(with: mark) ? 3 : 0
    for i in bytes.indices {
      if i == lineStart, bytes[i...].starts(with: mark) { return true }
      if bytes[i] == 0x0A || (bytes[i] == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A)) { lineStart = i + 1 }
    }
    return false
  }

  /// A tree as block YAML (two-space indentation, sequences under their key) that keeps each
  /// string's quotes (`"8080"` stays double-quoted): for text kept aside to be put back later
  /// exactly as it was written, such as the probes injection replaces.
  public static func blockText(of node: Node) -> String {
    let style = BlockStyle()
    var out: [UInt8] = []
    switch node.content {
    case .mapping(let entries) where !entries.isEmpty: style.writeEntries(entries, indent: 0, into: &out)
    case .sequence(let items) where !items.isEmpty: style.writeItems(items, dashIndent: 0, contentOffset: 2, into: &out)
    default: return String(style.valueText(node, keyIndent: -style.step).dropFirst()) + "\n"
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// One replacement of source bytes: `start..<end` becomes `text`.
struct SourceEdit {
  var start: Int
  var end: Int
  var text: String
  /// The lines after the edit are not what follows a node (the edit is in a block scalar's
  /// header, its content follows): they stay as they are.
  var inHeader = false
}

/// Computes the edits between two trees over one document's bytes.
struct Splicer {
  let bytes: [UInt8]
  /// Where the document's nodes sit in `bytes`.
  let root: SourceLayout.Place
  let lineBreak: String
  /// How the document as a whole writes its blocks (its first nested mapping, sequence, item).
  let documentStyle: BlockStyle
  /// The collections the diff is inside, outermost first: where new nodes take their style from.
  private var enclosing: [SourceLayout.Place] = []
  private(set) var edits: [SourceEdit] = []

  init(bytes: [UInt8], layout: SourceLayout) {
    self.bytes = bytes
    root = layout.root
    let firstBreak = bytes.firstIndex { $0 == 0x0A || $0 == 0x0D }
    lineBreak = firstBreak.map { bytes[$0] == 0x0D && $0 + 1 < bytes.count && bytes[$0 + 1] == 0x0A } == true ? "\r\n" : "\n"
    var style = BlockStyle()
    style.learn(from: layout.root, in: bytes)
    documentStyle = style
  }

  /// The style for nodes written where the diff is now: learnt from the nearest enclosing
  /// collections first, the document's for what they do not show. A file may indent sequences
  /// under `containers:` but not under a container's `ports:`; what is put back into a probe
  /// must look like its neighbours, or uninject would not give the input back.
  var style: BlockStyle {
    var local = BlockStyle()
    for place in enclosing.reversed() { local.learnDirectly(from: place, in: bytes) }
    return local.filled(from: documentStyle)
  }

  /// The source with the edits made; nil when two edits overlap.
  func applied() -> String? {
    // Insertions before deletions at the same place; otherwise in the order they were made.
    let sorted = edits.enumerated().sorted {
      ($0.element.start, $0.element.end, $0.offset) < ($1.element.start, $1.element.end, $1.offset)
    }.map(\.element)
    // Deletions of neighbouring entries meet or share a line break: they become one.
    var merged: [SourceEdit] = []
    for edit in sorted {
      if let last = merged.last, edit.text.isEmpty, last.text.isEmpty, edit.start <= last.end {
        merged[merged.count - 1].end = max(last.end, edit.end)
        continue
      }
      if let last = merged.last, edit.start < last.end { return nil }
      merged.append(edit)
    }
    // Deleting the last lines of a text without a final line break takes the break before them.
    // Not after a `|` or `>` block that ends there: its last line break is part of its value.
    if lacksFinalLineBreak, let last = merged.last, last.text.isEmpty, last.end == bytes.count, last.start > 0,
      bytes[last.start - 1] == 0x0A || bytes[last.start - 1] == 0x0D, Self.blockScalar(endingAt: last.start, in: root) == nil
    {
      let breakLength = last.start >= 2 && bytes[last.start - 2] == 0x0D && bytes[last.start - 1] == 0x0A ? 2 : 1
      let start = last.start - breakLength
      if merged.count < 2 || merged[merged.count - 2].end <= start { merged[merged.count - 1].start = start }
    }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + merged.reduce(0) { $0 + $1.text.utf8.count })
    var position = 0
    for (k, edit) in merged.enumerated() {
      guard edit.start >= position, edit.end >= edit.start, edit.end <= bytes.count else { return nil }
      out += bytes[position..<edit.start]
      let text = lineBreak == "\n" ? edit.text : edit.text.replacingAll("\n", with: "\r\n")
      out.append(contentsOf: text.utf8)
      position = edit.end
      // Blank lines with a tab after the edit lose their blanks (their line breaks stay).
      let next = k + 1 < merged.count ? merged[k + 1].start : bytes.count
      if let end = tabLinesEnd(after: edit, before: next) {
        out += bytes[position..<end].filter { $0 == 0x0A || $0 == 0x0D }
        position = end
      }
    }
    out += bytes[position...]
    return String(decoding: out, as: UTF8.self)
  }

  /// The end of the blank lines with a tab that follow `edit` (before `limit`), nil when none do.
  /// Such lines are whitespace only after a plain scalar, which takes them in (`a` then `   \t`);
  /// after anything else libyaml finds a tab where a token may start and refuses the text
  /// (FuzzSurgical: a plain value replaced by a quoted one). Their blanks go, their line breaks
  /// stay, whatever the edit wrote.
  func tabLinesEnd(after edit: SourceEdit, before limit: Int) -> Int? {
    guard !edit.inHeader else { return nil }
    var i = edit.end
    let atLineStart = i > 0 && (bytes[i - 1] == 0x0A || bytes[i - 1] == 0x0D)
    if !(atLineStart && (edit.text.isEmpty || edit.text.hasSuffix("\n"))) {
      // The rest of the edited line, blanks only, and its line break.
      while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
      guard i < bytes.count, bytes[i] == 0x0A || bytes[i] == 0x0D else { return nil }
      i = afterLineBreak(i)
    }
    var end: Int?
    while i < limit {
      var j = i
      var tab = false
      while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 {
        tab = tab || bytes[j] == 0x09
        j += 1
      }
      guard j == bytes.count || bytes[j] == 0x0A || bytes[j] == 0x0D else { break }
      j = afterLineBreak(j)
      guard j <= limit else { break }
      if tab { end = j }
      if j == i { break }
      i = j
    }
    return end
  }

  /// The position after the line break (`\n`, `\r\n` or `\r`) at `i`, or `i` at the end of the text.
  private func afterLineBreak(_ i: Int) -> Int {
    var i = i
    if i < bytes.count, bytes[i] == 0x0D { i += 1 }
    if i < bytes.count, bytes[i] == 0x0A { i += 1 }
    return i
  }

  /// The `|` or `>` block scalar (key or value) of `place` whose end is `position`, if any.
  static func blockScalar(endingAt position: Int, in place: SourceLayout.Place) -> SourceLayout.Place? {
    if place.kind == .scalar {
      return (place.style == .literal || place.style == .folded) && place.end == position ? place : nil
    }
    guard place.start <= position else { return nil }
    for child in place.keys + place.children {
      if let found = blockScalar(endingAt: position, in: child) { return found }
    }
    return nil
  }

  // MARK: Diffing

  /// Adds the edits that turn `old`, laid out at `place`, into `new`; false when this node must be
  /// replaced whole by its parent. `indent` is the column of the block the node belongs to.
  mutating func diff(_ old: Node, _ new: Node, _ place: SourceLayout.Place, indent: Int, parentIsFlow: Bool) -> Bool {
    if place.kind != .scalar { enclosing.append(place) }
    defer { if place.kind != .scalar { enclosing.removeLast() } }
    switch (old.content, new.content, place.kind) {
    case (.scalar, .scalar, .scalar):
      guard old != new else { return true }
      return replaceScalar(place, with: new.scalar!, indent: indent, inFlow: parentIsFlow)
    // An unchanged subtree shares its arrays with the old tree, so comparing it is cheap
    // (arrays with one buffer are equal at once).
    case (.mapping(let before), .mapping(let after), .mapping):
      if old == new { return before.count == place.keys.count }
      guard before.count == place.keys.count, !place.flowPair else { return false }
      return place.flow ? diffFlowMapping(before, after, place, parentIsFlow: parentIsFlow)
        : diffBlockMapping(before, after, place)
    case (.sequence(let before), .sequence(let after), .sequence):
      if old == new { return before.count == place.children.count }
      guard before.count == place.children.count else { return false }
      return place.flow ? diffFlowSequence(before, after, place, parentIsFlow: parentIsFlow)
        : diffBlockSequence(before, after, place)
    default:
      return false
    }
  }

  /// New text for a scalar that stays a scalar, keeping its quoting when it still fits.
  private mutating func replaceScalar(_ place: SourceLayout.Place, with scalar: Scalar, indent: Int, inFlow: Bool) -> Bool {
    // A block scalar's end runs into the next line: its parent rewrites the whole value.
    guard place.style != .literal, place.style != .folded else { return false }
    // An empty root sits at the start of the line after it (`...`, `---` or the end): a value
    // written there would run into that line. The document is written whole.
    guard place.start != place.end || lineStart(place.start) != place.start else { return false }
    // An empty node after a comment on its line (the empty root of a last document, `---` and a
    // comment without a final line break, sits at the end of the text): a value written there
    // would be part of the comment (FuzzSurgical).
    guard place.start != place.end || !followsComment(place.start) else { return false }
    var text = style.scalarText(scalar, preferring: place.style, indent: indent + style.step, inFlow: inFlow)
    if !inFlow, text.utf8.contains(0x0A) { return false }
    text = separated(spaced(text, at: place), before: place.end)
    edits.append(SourceEdit(start: place.start, end: place.end, text: text))
    return true
  }

  /// `text` for a node that ends at `end`, with a space when a comment follows right there:
  /// libyaml takes `"a"# c` as a quoted scalar and a comment, but a new plain value or a
  /// collection's last plain scalar would swallow the `#` (FuzzSurgical).
  private func separated(_ text: String, before end: Int) -> String {
    end < bytes.count && bytes[end] == UInt8(ascii: "#") && !text.hasSuffix("\n") ? text + " " : text
  }

  /// `text` for an empty node at `place`: after `key:` or `-` the empty scalar sits right after
  /// the indicator, and a value needs a space there.
  private func spaced(_ text: String, at place: SourceLayout.Place) -> String {
    guard place.start == place.end else { return text }
    return place.start > 0 && (bytes[place.start - 1] == 0x20 || bytes[place.start - 1] == 0x09) ? text : " " + text
  }

  /// Whether entry `i` of a mapping is written `key: value`, as rewriting its value whole
  /// (from the key's end) assumes. An explicit `? key` is not: its value is diffed where it
  /// sits, but a value that must be rewritten whole has the mapping rewritten by its parent.
  /// (A single pair in a flow sequence, `[a: 1]`, has no braces to edit inside: `flowPair`.)
  private func writesPlainly(_ i: Int, of place: SourceLayout.Place) -> Bool {
    !isExplicitKey(place.keys[i]) && hasValueInPlace(i, of: place)
  }

  /// Whether the value of entry `i` sits where an edit inside it may go: a written value, or an
  /// empty one after its `:`. A key without a colon (`{a, b: 1}`) has its empty value right
  /// after the key, where a new value would run into the key.
  private func hasValueInPlace(_ i: Int, of place: SourceLayout.Place) -> Bool {
    let value = place.children[i]
    return value.start != value.end || previousByte(value.start) == UInt8(ascii: ":")
  }

  /// Diffs the value of entry `i` from `old` to `new` in place, else rewrites it whole when its
  /// entry is written `key: value`; false when neither can be done (the parent rewrites the
  /// mapping). The value of an explicit `? key` is diffed too: refusing it had a change deep
  /// inside rewrite the whole mapping around the key, every other entry included (FuzzSurgical).
  private mutating func changeValue(
    of i: Int, in place: SourceLayout.Place, from old: Node, to new: Node, indent: Int, inFlow: Bool,
    rewrite: (inout Splicer) -> Bool
  ) -> Bool {
    if old != new, !hasValueInPlace(i, of: place) { return false }
    if diff(old, new, place.children[i], indent: indent, parentIsFlow: inFlow) { return true }
    return writesPlainly(i, of: place) && rewrite(&self)
  }

  /// Whether a key is written after `?` (its column is not the mapping's).
  /// The key may sit on a line after its `?` (FuzzSurgical: `?` then ` k` on the next line took
  /// a new key at the column of `k`, not of `?`).
  private func isExplicitKey(_ key: SourceLayout.Place) -> Bool {
    var j = min(key.start, bytes.count)
    var crossedALine = false
    while j > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[j - 1]) {
      crossedALine = crossedALine || bytes[j - 1] == 0x0A || bytes[j - 1] == 0x0D
      j -= 1
    }
    guard j > 0, bytes[j - 1] == UInt8(ascii: "?") else { return false }
    // On a line of its own the `?` is an indicator only after blanks and dashes (not `what?`).
    return !crossedALine || bytes[lineStart(j - 1)..<(j - 1)].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x2D }
  }

  /// The byte before `position` and the blanks before it.
  private func previousByte(_ position: Int) -> UInt8? {
    var j = min(position, bytes.count)
    while j > 0, bytes[j - 1] == 0x20 || bytes[j - 1] == 0x09 { j -= 1 }
    return j > 0 ? bytes[j - 1] : nil
  }

  /// The indexes of `before` kept in `after`, in order; nil when the kept ones changed order.
  private static func keptOrder<T: Hashable>(_ before: [T], _ after: [T]) -> [Int?]? {
    // Most mappings keep all their keys: no table needed.
    if before == after { return Array(before.indices) }
    var index: [T: Int] = [:]
    for (i, key) in before.enumerated() where index[key] == nil { index[key] = i }
    var last = -1
    var matched: [Int?] = []
    for key in after {
      if let i = index[key] {
        guard i > last else { return nil }
        last = i
        matched.append(i)
      } else {
        matched.append(nil)
      }
    }
    return matched
  }

  // MARK: Block mappings

  private mutating func diffBlockMapping(_ before: [MappingEntry], _ after: [MappingEntry], _ place: SourceLayout.Place) -> Bool {
    guard !after.isEmpty, !place.keys.isEmpty, let matched = Self.keptOrder(before.map(\.key), after.map(\.key))
    else { return false }
    let keyIndent = column(of: place.keys[0].start)
    // New keys go at the first key's column, which `? key` does not show.
    if matched.contains(nil), isExplicitKey(place.keys[0]) { return false }
    let kept = Set(matched.compactMap { $0 })
    for i in before.indices where !kept.contains(i) {
      // An explicit key's lines start at its `?`, which may be on a line before the key
      // (FuzzSurgical: deleting `?` then ` k` left the `?`, another null key).
      guard isFirstOnLine(place.keys[i].start), !isExplicitKey(place.keys[i]) else { return false }
      edits.append(deletion(from: lineStart(place.keys[i].start), to: lineEnd(after: place.children[i].contentEnd)))
    }
    var anchor = -1
    var run: [MappingEntry] = []
    for (k, entry) in after.enumerated() {
      guard let i = matched[k] else {
        run.append(entry)
        continue
      }
      if !run.isEmpty {
        guard insertEntries(run, after: anchor, before: i, place, keyIndent: keyIndent) else { return false }
        run = []
      }
      anchor = i
      let changed = changeValue(
        of: i, in: place, from: before[i].value, to: entry.value, indent: keyIndent, inFlow: false
      ) { splicer in splicer.replaceValue(of: i, in: place, with: entry.value, keyIndent: keyIndent) }
      guard changed else { return false }
    }
    if !run.isEmpty { return insertEntries(run, after: anchor, before: nil, place, keyIndent: keyIndent) }
    return true
  }

  private mutating func insertEntries(
    _ entries: [MappingEntry], after anchor: Int, before next: Int?, _ place: SourceLayout.Place, keyIndent: Int
  ) -> Bool {
    var bytes: [UInt8] = []
    style.writeEntries(entries, indent: keyIndent, into: &bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    if anchor >= 0 {
      return insertLines(
        text, at: lineEnd(after: place.children[anchor].contentEnd), ending: entries.last?.value, outerIndent: keyIndent)
    }
    // A new first key goes on its own line before the first key, if that one starts its line
    // (not `- name: x`, where the dash belongs to the item).
    let first = place.keys[next ?? 0].start
    guard isFirstOnLine(first) else { return false }
    // Without a next key every old entry goes: what follows the new lines is what follows them.
    if next == nil, let last = place.children.last,
      joinsNewBlock(entries.last?.value, at: lineEnd(after: last.contentEnd), outerIndent: keyIndent)
    {
      return false
    }
    edits.append(SourceEdit(start: lineStart(first), end: lineStart(first), text: text))
    return true
  }

  /// Rewrites the value of entry `i` whole: everything after its key (after its colon and the
  /// blanks there, for a value written on the lines below) up to the value's end; false
  /// (nothing written) when what follows the value would join a new `|` block.
  private mutating func replaceValue(of i: Int, in place: SourceLayout.Place, with value: Node, keyIndent: Int) -> Bool {
    let text = style.valueText(value, keyIndent: keyIndent)
    // A value written on the lines after its key keeps the blanks after the colon
    // (FuzzSurgical: `k:<TAB>` lost its tab when its sequence was rewritten).
    if text.hasPrefix("\n"), let end = blanksAfterColon(place.keys[i].end) {
      return replaceWhole(from: end, to: max(end, place.children[i].contentEnd), with: text, writing: value, outerIndent: keyIndent)
    }
    return replaceWhole(
      from: place.keys[i].end, to: place.children[i].contentEnd, with: ":" + text, writing: value, outerIndent: keyIndent)
  }

  /// The end of the blanks after the colon that follows a key ending at `keyEnd`, when only
  /// blanks follow the colon on its line.
  private func blanksAfterColon(_ keyEnd: Int) -> Int? {
    var i = keyEnd
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
    i += 1
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    return i < bytes.count && (bytes[i] == 0x0A || bytes[i] == 0x0D) ? i : nil
  }

  /// Replaces `start..<end` (a value or an item up to its end) with `text`, which writes `value`
  /// at `outerIndent` (the column of its key or dash); false (nothing written) when a `|` block
  /// that ends the text would take in what follows it.
  private mutating func replaceWhole(
    from start: Int, to end: Int, with text: String, writing value: Node, outerIndent: Int
  ) -> Bool {
    var end = end
    var text = text
    let next: Int  // where the line after the new text starts
    if end > start, isInIndentation(end) {
      // A block scalar's end is past its last line break.
      end = lineStart(end)
      text += "\n"
      next = end
    } else {
      if Self.endsWithMultiLineString(value), !endsLine(at: end) {
        // Blanks after the old value on its line go with it, or the new `|` block's last line
        // would take them (FuzzSurgical: an empty value before a tab, `G1:<TAB>`); a comment
        // there moves to the end of the new text's first line (`k: |  # c`), where it stays one
        // (FuzzSurgical: refusing had the parents rewritten whole).
        var i = end
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        if !endsLine(at: i) {
          guard bytes[i] == UInt8(ascii: "#"), let firstBreak = text.firstIndex(of: "\n") else { return false }
          var lineEnd = i
          while !endsLine(at: lineEnd) { lineEnd += 1 }
          let comment = String(decoding: bytes[end..<lineEnd], as: UTF8.self)
          guard comment.utf8.elementsEqual(bytes[end..<lineEnd]) else { return false }
          text.insert(contentsOf: i == end ? " " + comment : comment, at: firstBreak)
          i = lineEnd
        }
        end = i
      }
      if endsWithoutBreak(end) {
        if Self.endsWithMultiLineString(value) { text += "\n" }  // a `|` block needs its last line break to keep it
        next = end
      } else {
        next = lineEnd(after: end)
      }
    }
    if joinsNewBlock(value, at: next, outerIndent: outerIndent) { return false }
    edits.append(SourceEdit(start: start, end: end, text: separated(text, before: end)))
    return true
  }

  /// Whether a comment starts on `position`'s line before it.
  private func followsComment(_ position: Int) -> Bool {
    let start = lineStart(position)
    return (start..<min(position, bytes.count)).contains { i in
      bytes[i] == UInt8(ascii: "#") && (i == start || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09)
    }
  }

  /// Whether `position` is where a line ends. Spaces, tabs or a comment after a new `|` block's
  /// last line would read as part of that line (FuzzSurgical: `- y: z<TAB>` given a block).
  private func endsLine(at position: Int) -> Bool {
    position >= bytes.count || bytes[position] == 0x0A || bytes[position] == 0x0D
  }

  /// Whether `position` is the end of a text whose last line has no line break.
  private func endsWithoutBreak(_ position: Int) -> Bool { position == bytes.count && lacksFinalLineBreak }

  /// Whether a tree's text ends with a string of several lines (written as a `|` block, whose
  /// last line break is part of its value).
  static func endsWithMultiLineString(_ node: Node) -> Bool { lastMultiLineString(node) != nil }

  /// The string of several lines a tree's text ends with, if it ends with one.
  static func lastMultiLineString(_ node: Node) -> String? {
    switch node.content {
    case .scalar(let scalar): return scalar.kind == .string && scalar.text.utf8.contains(0x0A) ? scalar.text : nil
    case .sequence(let items): return items.last.flatMap(lastMultiLineString)
    case .mapping(let entries): return entries.last.flatMap { lastMultiLineString($0.value) }
    }
  }

  // MARK: Block sequences

  private mutating func diffBlockSequence(_ before: [Node], _ after: [Node], _ place: SourceLayout.Place) -> Bool {
    guard !after.isEmpty, !place.children.isEmpty else { return false }
    var dashes: [Int] = []
    for item in place.children {
      guard let dash = dash(before: item.start) else { return false }
      dashes.append(dash)
    }
    let dashIndent = column(of: dashes[0])
    let contentOffset = place.children[0].start > dashes[0] && lineStart(place.children[0].start) == lineStart(dashes[0])
      ? place.children[0].start - dashes[0] : style.itemOffset
    guard let matched = Self.alignItems(before, after) else { return false }
    let kept = Set(matched.compactMap { $0 })
    // The edit deleting each removed item: new items take the place of the first one removed
    // there, so the lines around (blank lines, comments) stay where they were.
    var deletions: [Int: Int] = [:]
    // Removed items whose dash does not start its line (`- - x`, the inner item): their lines
    // are not theirs to delete; one new item may be written over one of them (below).
    var inPlace = Set<Int>()
    for i in before.indices where !kept.contains(i) {
      guard isFirstOnLine(dashes[i]) else {
        inPlace.insert(i)
        continue
      }
      deletions[i] = edits.count
      edits.append(deletion(from: lineStart(dashes[i]), to: lineEnd(after: place.children[i].contentEnd)))
    }
    var anchor = -1
    var run: [Node] = []
    func insert(_ run: [Node], before next: Int?, into splicer: inout Splicer) -> Bool {
      let gone = (anchor + 1..<(next ?? before.count)).filter { !kept.contains($0) }
      if gone.count == 1, run.count == 1, inPlace.contains(gone[0]) {
        // FuzzSurgical: refusing had the parent item rewritten whole, its other items too.
        let old = place.children[gone[0]]
        // An empty item (`- - `) has no bytes to write over: the new one goes right after its
        // dash, a blank between (written at the old start it went against the dash, `-k: v`,
        // another tree; refused, the parent was rewritten whole, its other items too).
        if old.contentEnd <= old.start {
          let dash = dashes[gone[0]]
          let text = " " + splicer.style.itemText(run[0], contentColumn: splicer.column(of: dash) + 2)
          inPlace.remove(gone[0])
          return splicer.replaceWhole(
            from: dash + 1, to: dash + 1, with: text, writing: run[0], outerIndent: splicer.column(of: dash))
        }
        let column = splicer.lineStart(old.start) == splicer.lineStart(dashes[gone[0]])
          ? splicer.column(of: old.start) : dashIndent + contentOffset
        inPlace.remove(gone[0])
        return splicer.replaceWhole(
          from: old.start, to: old.contentEnd, with: splicer.style.itemText(run[0], contentColumn: column), writing: run[0],
          outerIndent: splicer.column(of: dashes[gone[0]]))
      }
      var bytes: [UInt8] = []
      splicer.style.writeItems(run, dashIndent: dashIndent, contentOffset: contentOffset, into: &bytes)
      let text = String(decoding: bytes, as: UTF8.self)
      if let gone = (anchor + 1..<(next ?? before.count)).first(where: { deletions[$0] != nil }),
        let e = deletions[gone],
        (run.count == 1 && splicer.replacesItemContent(e, place.children[gone], dash: dashes[gone], with: run[0]))
          || splicer.replacesLines(
            e, at: splicer.lineStart(dashes[gone]), with: text, ending: run.last, outerIndent: dashIndent)
      {
        return true
      }
      if anchor >= 0 {
        return splicer.insertLines(
          text, at: splicer.lineEnd(after: place.children[anchor].contentEnd), ending: run.last, outerIndent: dashIndent)
      }
      let first = dashes[next ?? 0]
      guard splicer.isFirstOnLine(first) else { return false }
      // Without a next item every old item goes: what follows the new lines is what follows them.
      if next == nil, let last = place.children.last,
        splicer.joinsNewBlock(run.last, at: splicer.lineEnd(after: last.contentEnd), outerIndent: dashIndent)
      {
        return false
      }
      splicer.edits.append(SourceEdit(start: splicer.lineStart(first), end: splicer.lineStart(first), text: text))
      return true
    }
    for (k, item) in after.enumerated() {
      guard let i = matched[k] else {
        run.append(item)
        continue
      }
      if !run.isEmpty {
        guard insert(run, before: i, into: &self) else { return false }
        run = []
      }
      anchor = i
      // Each item's content sits where its own dash put it (`- a` and `-   b` may both occur).
      let old = place.children[i]
      let contentColumn = lineStart(old.start) == lineStart(dashes[i]) ? column(of: old.start) : dashIndent + contentOffset
      if !diff(before[i], item, place.children[i], indent: contentColumn, parentIsFlow: false) {
        let text = style.itemText(item, contentColumn: contentColumn)
        guard replaceWhole(from: old.start, to: old.contentEnd, with: text, writing: item, outerIndent: column(of: dashes[i]))
        else { return false }
      }
    }
    if !run.isEmpty, !insert(run, before: nil, into: &self) { return false }
    return inPlace.isEmpty
  }

  /// Which item of `before` each item of `after` is (nil: a new item). Items are the same when
  /// they were read from the same place (a changed container keeps its position); items built in
  /// code match an equal item not matched otherwise. Nil when kept items changed order.
  static func alignItems(_ before: [Node], _ after: [Node]) -> [Int?]? {
    if before.count == after.count,
      zip(before, after).allSatisfy({ $0.mark.isKnown && $0.mark == $1.mark && sameItem($0, $1) })
    {
      return Array(before.indices)
    }
    var byMark: [SourceMark: Int] = [:]
    for (i, item) in before.enumerated() where item.mark.isKnown { byMark[item.mark] = i }
    var used = Set<Int>()
    var matched: [Int?] = after.map { item in
      guard item.mark.isKnown, let i = byMark[item.mark], sameItem(before[i], item) else { return nil }
      return used.insert(i).inserted ? i : nil
    }
    // Unmarked items (scalars rebuilt in code) pair with equal items left over, in order.
    for k in after.indices where matched[k] == nil {
      var candidate = (matched[..<k].compactMap { $0 }.last ?? -1) + 1
      while candidate < before.count, used.contains(candidate) || before[candidate] != after[k] { candidate += 1 }
      if candidate < before.count {
        matched[k] = candidate
        used.insert(candidate)
      }
    }
    let order = matched.compactMap { $0 }
    guard zip(order, order.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    return matched
  }

  /// Whether two items read from the same place are one item changed (a scalar must be equal, a
  /// mapping keep its name): a tree built from another text may reuse positions.
  private static func sameItem(_ old: Node, _ new: Node) -> Bool {
    switch (old.content, new.content) {
    case (.scalar, .scalar): return old == new
    case (.mapping, .mapping): return old["name"] == new["name"]
    case (.sequence, .sequence): return true
    default: return false
    }
  }

  // MARK: Flow collections

  private mutating func diffFlowMapping(
    _ before: [MappingEntry], _ after: [MappingEntry], _ place: SourceLayout.Place, parentIsFlow: Bool
  ) -> Bool {
    guard !after.isEmpty, let matched = Self.keptOrder(before.map(\.key), after.map(\.key)) else { return false }
    let json = place.keys.first?.style == .doubleQuoted
    let spans = place.keys.indices.map { (start: place.keys[$0].start, end: place.children[$0].contentEnd) }
    let style = self.style
    return diffFlow(
      spans: spans, matched: matched, count: after.count, place: place, parentIsFlow: parentIsFlow,
      text: { k in style.flowEntry(after[k], json: json) },
      change: { splicer, i, k in
        splicer.changeValue(of: i, in: place, from: before[i].value, to: after[k].value, indent: 0, inFlow: true) {
          splicer in splicer.replaceFlowValue(place.children[i], with: after[k].value, json: json)
        }
      })
  }

  private mutating func diffFlowSequence(
    _ before: [Node], _ after: [Node], _ place: SourceLayout.Place, parentIsFlow: Bool
  ) -> Bool {
    guard !after.isEmpty, let matched = Self.alignItems(before, after) else { return false }
    let json = Self.firstKeyStyle(in: place) == .doubleQuoted
    let spans = place.children.map { (start: $0.start, end: $0.contentEnd) }
    let style = self.style
    return diffFlow(
      spans: spans, matched: matched, count: after.count, place: place, parentIsFlow: parentIsFlow,
      text: { k in style.flowText(after[k], json: json) },
      change: { splicer, i, k in
        splicer.diff(before[i], after[k], place.children[i], indent: 0, parentIsFlow: true)
          || splicer.replaceFlowValue(place.children[i], with: after[k], json: json)
      })
  }

  private static func firstKeyStyle(in place: SourceLayout.Place) -> Scalar.Style? {
    if let key = place.keys.first { return key.style }
    for child in place.children { if let style = firstKeyStyle(in: child) { return style } }
    return nil
  }

  private mutating func replaceFlowValue(_ place: SourceLayout.Place, with value: Node, json: Bool) -> Bool {
    let text = separated(spaced(style.flowText(value, json: json), at: place), before: place.contentEnd)
    edits.append(SourceEdit(start: place.start, end: place.contentEnd, text: text))
    return true
  }

  /// Edits a flow collection's elements (`spans`: each element's first byte and end): deleted
  /// ones go with one separator, new ones come with the separator the collection already uses.
  private mutating func diffFlow(
    spans: [(start: Int, end: Int)], matched: [Int?], count: Int, place: SourceLayout.Place, parentIsFlow: Bool,
    text: (Int) -> String, change: (inout Splicer, Int, Int) -> Bool
  ) -> Bool {
    let firstEdit = edits.count
    // Only new elements need the separator (which is unknown when comments sit between them).
    let separator = matched.contains(nil) ? flowSeparator(spans, place) : ""
    guard let separator else { return false }
    let kept = Set(matched.compactMap { $0 })
    guard let firstKept = spans.indices.first(where: kept.contains),
      zip(spans, spans.dropFirst()).allSatisfy({ $0.start <= $0.end && $0.end <= $1.start })
    else { return false }
    if firstKept > 0 { edits.append(SourceEdit(start: spans[0].start, end: spans[firstKept].start, text: "")) }
    for i in spans.indices where i > firstKept && !kept.contains(i) {
      edits.append(SourceEdit(start: spans[i - 1].end, end: spans[i].end, text: endsWithATag(spans[i - 1].end) ? " " : ""))
    }
    var anchor = -1
    var run: [Int] = []
    var inserted = 0
    for k in 0..<count {
      guard let i = matched[k] else {
        run.append(k)
        continue
      }
      if !run.isEmpty {
        let pieces = run.map(text)
        inserted += pieces.reduce(0) { $0 + $1.count }
        if anchor >= 0 {
          edits.append(SourceEdit(start: spans[anchor].end, end: spans[anchor].end, text: pieces.map { separator + $0 }.joined()))
        } else {
          edits.append(SourceEdit(start: spans[i].start, end: spans[i].start, text: pieces.map { $0 + separator }.joined()))
        }
        run = []
      }
      anchor = i
      guard change(&self, i, k) else { return false }
    }
    if !run.isEmpty {
      let pieces = run.map(text)
      inserted += pieces.reduce(0) { $0 + $1.count }
      edits.append(SourceEdit(start: spans[anchor].end, end: spans[anchor].end, text: pieces.map { separator + $0 }.joined()))
    }
    // A one-line flow collection in a block that would grow too long is rewritten in block style.
    let oneLine = lineStart(place.start) == lineStart(place.end)
    if !parentIsFlow, oneLine, column(of: place.end) + inserted > Self.flowWidth {
      edits.removeLast(edits.count - firstEdit)
      return false
    }
    return true
  }

  /// Whether the flow element ending at `end` ends with a tag (`!t`: an empty node with a tag).
  /// libyaml ends a tag at a blank or, in flow, at a comma only: `{a: !t, b: 1}` without `b` is
  /// `{a: !t }`, since `!t}` does not read (FuzzSurgical). A plain scalar whose last word holds
  /// a `!` gets the space too, which changes nothing.
  private func endsWithATag(_ end: Int) -> Bool {
    var i = min(end, bytes.count)
    // Back to the word's start: a blank, a line break, a comma or a bracket.
    while i > 0, ![0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D].contains(bytes[i - 1]) { i -= 1 }
    // `!t`, or `?!` (an explicit key with a tag; FuzzSurgical).
    return bytes[i..<max(i, end)].contains(UInt8(ascii: "!"))
  }

  /// Longest line a flow collection may grow to before it is rewritten in block style.
  static let flowWidth = 100

  /// The separator between a flow collection's elements: the one written between the first two
  /// (without comments), else `, ` or, when the first element starts its own line, a line break
  /// and its indentation.
  private func flowSeparator(_ spans: [(start: Int, end: Int)], _ place: SourceLayout.Place) -> String? {
    if spans.count >= 2 {
      guard spans[0].end <= spans[1].start else { return nil }
      let between = bytes[spans[0].end..<spans[1].start]
      guard !between.contains(UInt8(ascii: "#")), between.contains(UInt8(ascii: ",")) else { return nil }
      return String(decoding: between, as: UTF8.self).replacingAll("\r\n", with: "\n")
    }
    guard let first = spans.first else { return nil }
    if lineStart(first.start) != lineStart(place.start) {
      return ",\n" + String(repeating: " ", count: column(of: first.start))
    }
    return ", "
  }

  // MARK: Lines

  /// Whether the lines from `position` (a line start) would be read into the `|` block that ends
  /// the text written for `value` at `outerIndent` (the column of its key or dash; the block's
  /// lines are indented past it, by at least one more space): a line indented past
  /// `outerIndent` (a comment, say) before the first line that ends the block, a tab in the
  /// indentation, a blank line with more spaces than the block's indentation, or any blank line
  /// when the block keeps its final line breaks (`|+`). FuzzSurgical found a blank line of three
  /// spaces after a value taken into the two-space block that replaced it.
  private func joinsNewBlock(_ value: Node?, at position: Int, outerIndent: Int) -> Bool {
    guard let last = value.flatMap(Self.lastMultiLineString) else { return false }
    let keepsBreaks = last.hasSuffix("\n\n")
    var i = position
    while i < bytes.count {
      var spaces = 0
      while i < bytes.count, bytes[i] == 0x20 {
        i += 1
        spaces += 1
      }
      guard i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D else {
        // A blank line: the block's trailing line breaks, or content past its indentation.
        if keepsBreaks || spaces > outerIndent + 1 { return true }
        if i < bytes.count, bytes[i] == 0x0D { i += 1 }
        if i < bytes.count, bytes[i] == 0x0A { i += 1 }
        continue
      }
      return bytes[i] == 0x09 || spaces > outerIndent
    }
    return false
  }

  /// Gives deletion `e` (of whole lines from `start`) the text `text` instead; false when the
  /// deletion does not start there or when the text ends in a `|` block (`last`, written at
  /// `outerIndent`) that would take in the lines after it. Lines that end the text without a
  /// line break are replaced by lines without one (a `|` block keeps its own): inserted after
  /// the item before, the new item went before the blank lines between them, and deleting the
  /// old last line took the break before it, a blank line's (FuzzSurgical).
  private mutating func replacesLines(_ e: Int, at start: Int, with text: String, ending last: Node?, outerIndent: Int)
    -> Bool
  {
    let deletion = edits[e]
    guard deletion.start == start, deletion.end > deletion.start else { return false }
    let endsTheText = deletion.end == bytes.count && lacksFinalLineBreak
    guard endsTheText || bytes[deletion.end - 1] == 0x0A || bytes[deletion.end - 1] == 0x0D else { return false }
    if joinsNewBlock(last, at: deletion.end, outerIndent: outerIndent) { return false }
    let keepsLastBreak = last.map(Self.endsWithMultiLineString) ?? false
    let lines = endsTheText && !keepsLastBreak ? String(text.dropLast()) : text
    edits[e] = SourceEdit(start: deletion.start, end: deletion.end, text: lines)
    return true
  }

  /// Gives deletion `e` of a one-line item (`old`, after the dash at `dash`) that a comment
  /// follows on its line the one new item that takes its place, written over the old content
  /// only, so the comment stays (`- "v"# c`, `- v  # c`); deleting the lines took it along.
  /// False (nothing changed) when there is no such comment or either item needs several lines.
  private mutating func replacesItemContent(_ e: Int, _ old: SourceLayout.Place, dash: Int, with item: Node) -> Bool {
    let line = lineStart(dash)
    guard edits[e].text.isEmpty, edits[e].start == line, lineStart(old.start) == line,
      old.contentEnd > old.start, lineStart(old.contentEnd) == line, commentFollows(old.contentEnd)
    else { return false }
    let text = style.itemText(item, contentColumn: column(of: old.start))
    guard !text.utf8.contains(0x0A) else { return false }
    edits[e] = SourceEdit(start: old.start, end: old.contentEnd, text: separated(text, before: old.contentEnd))
    return true
  }

  /// Whether a comment starts at `position` or after blanks from it, on its line.
  private func commentFollows(_ position: Int) -> Bool {
    var i = position
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    return i < bytes.count && bytes[i] == UInt8(ascii: "#")
  }

  /// Inserts whole lines; false (nothing inserted) when the text ends in a `|` block (`last`,
  /// written at `outerIndent`) that would take in the lines after it.
  private mutating func insertLines(_ text: String, at position: Int, ending last: Node? = nil, outerIndent: Int = 0)
    -> Bool
  {
    if joinsNewBlock(last, at: position, outerIndent: outerIndent) { return false }
    let keepsLastBreak = last.map(Self.endsWithMultiLineString) ?? false
    // The last line of the text may lack its line break (a `|` block must keep its own).
    if position == bytes.count, position > 0, bytes[position - 1] != 0x0A, bytes[position - 1] != 0x0D {
      guard stripsTheBlockEndingTheText() else { return false }
      edits.append(SourceEdit(start: position, end: position, text: "\n" + (keepsLastBreak ? text : String(text.dropLast()))))
    } else {
      edits.append(SourceEdit(start: position, end: position, text: text))
    }
    return true
  }

  /// Before a line break is written after the last line of a text that lacks one: a `|` or `>`
  /// block whose last line that is would take the break into its value (`- |` then `  i` reads
  /// `i`, with a break after it `i\n`; FuzzSurgical), unless it strips its final breaks. Such a
  /// block gets the strip indicator (`|-`, `>+` becomes `>-`), which keeps its value as it is:
  /// the value has no final break while its last line ends the text. False (nothing changed)
  /// when that does not hold: the last line is blank (the value already ends in breaks that
  /// stripping would lose), or the block's indicator does not start its node (a tag before it).
  private mutating func stripsTheBlockEndingTheText() -> Bool {
    guard let block = Self.blockScalar(endingAt: bytes.count, in: root) else { return true }
    guard bytes[block.start] == UInt8(ascii: "|") || bytes[block.start] == UInt8(ascii: ">") else { return false }
    var keep: Int?
    for i in block.start + 1..<min(block.start + 3, bytes.count) {
      if bytes[i] == UInt8(ascii: "-") { return true }
      if bytes[i] == UInt8(ascii: "+") { keep = i }
      guard bytes[i] == UInt8(ascii: "+") || (0x31...0x39).contains(bytes[i]) else { break }
    }
    guard bytes[lineStart(bytes.count)...].contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return false }
    let at = keep ?? block.start + 1
    // Two insertions may end the text (after a nested mapping and after its parent's).
    guard !edits.contains(where: { $0.start == at && $0.text == "-" }) else { return true }
    edits.append(SourceEdit(start: at, end: keep == nil ? at : at + 1, text: "-", inHeader: true))
    return true
  }

  /// Deletes whole lines; when they end the text without a line break, the break before them goes.
  private func deletion(from start: Int, to end: Int) -> SourceEdit {
    SourceEdit(start: start, end: end, text: "")
  }

  /// Whether the text's last line has no line break.
  var lacksFinalLineBreak: Bool {
    guard let last = bytes.last else { return false }
    return last != 0x0A && last != 0x0D
  }

  /// The start of the line holding `position`; the first line starts after a byte-order mark.
  func lineStart(_ position: Int) -> Int {
    var i = min(position, bytes.count)
    while i > 0, bytes[i - 1] != 0x0A, bytes[i - 1] != 0x0D { i -= 1 }
    if i == 0, position >= 3, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return 3 }
    return i
  }

  func column(of position: Int) -> Int { position - lineStart(position) }

  /// Whether only spaces come before `position` on its line.
  func isFirstOnLine(_ position: Int) -> Bool {
    bytes[lineStart(position)..<position].allSatisfy { $0 == 0x20 }
  }

  /// Whether `position` lies in the indentation of a line after the first.
  func isInIndentation(_ position: Int) -> Bool {
    let start = lineStart(position)
    return start > 0 && (bytes[start - 1] == 0x0A || bytes[start - 1] == 0x0D) && bytes[start..<position].allSatisfy { $0 == 0x20 || $0 == 0x09 }
  }

  /// The start of the line after the one holding `position` (the end of the text when none);
  /// a position in a line's indentation (after a block scalar) is already that line's start.
  func lineEnd(after position: Int) -> Int {
    if position > 0, isInIndentation(position) { return lineStart(position) }
    var i = position
    while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
    if i < bytes.count, bytes[i] == 0x0D { i += 1 }
    if i < bytes.count, bytes[i] == 0x0A { i += 1 }
    return i
  }

  /// The dash of a block sequence item that starts at `position`.
  func dash(before position: Int) -> Int? {
    var i = position
    while i > 0, bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 { i -= 1 }
    if i > 0, bytes[i - 1] == UInt8(ascii: "-") { return i - 1 }
    // An item whose content starts on a line after its dash (`-` then `  - y` below): the dash at
    // `position` is the inner sequence's, not the item's. Refused (the parent is written whole),
    // since splicing around the inner dash reads back as another tree.
    return nil
  }
}

/// How a document writes its blocks, learnt from the document itself so that new lines look
/// like the ones around them.
struct BlockStyle {
  /// Spaces a nested mapping is indented by.
  var step = 2
  /// Spaces a sequence under a key is indented by (0: the dash under the key).
  var sequenceIndent = 0
  /// Columns from a dash to its item's content.
  var itemOffset = 2
  private var learnt: (step: Bool, sequence: Bool, item: Bool) = (false, false, false)

  /// Learns from the first nested mapping, sequence under a key and sequence item.
  mutating func learn(from place: SourceLayout.Place, in bytes: [UInt8]) {
    guard !place.flow, !(learnt.step && learnt.sequence && learnt.item) else { return }
    learnDirectly(from: place, in: bytes)
    for child in place.children { learn(from: child, in: bytes) }
  }

  /// This style with what it has not learnt taken from `other`.
  func filled(from other: BlockStyle) -> BlockStyle {
    var style = self
    if !learnt.step { style.step = other.step }
    if !learnt.sequence { style.sequenceIndent = other.sequenceIndent }
    if !learnt.item { style.itemOffset = other.itemOffset }
    return style
  }

  /// Learns what it has not learnt yet from a mapping's own entries (not deeper): a nested
  /// mapping's indentation, a sequence's under its key, and its first item's offset.
  mutating func learnDirectly(from place: SourceLayout.Place, in bytes: [UInt8]) {
    func column(_ position: Int) -> Int {
      var i = position
      while i > 0, bytes[i - 1] != 0x0A, bytes[i - 1] != 0x0D { i -= 1 }
      return position - i
    }
    func firstOnLine(_ position: Int) -> Bool {
      var i = position
      while i > 0, bytes[i - 1] == 0x20 { i -= 1 }
      return i == 0 || bytes[i - 1] == 0x0A || bytes[i - 1] == 0x0D
    }
    guard !place.flow, !(learnt.step && learnt.sequence && learnt.item) else { return }
    if place.kind == .mapping {
      for (key, value) in zip(place.keys, place.children) where !value.flow {
        if value.kind == .mapping, !learnt.step, let child = value.keys.first, firstOnLine(child.start),
          column(child.start) > column(key.start)
        {
          step = column(child.start) - column(key.start)
          learnt.step = true
        }
        if value.kind == .sequence, !learnt.sequence, let item = value.children.first {
          var dash = item.start
          while dash > 0, bytes[dash - 1] == 0x20 { dash -= 1 }
          if dash > 0, bytes[dash - 1] == UInt8(ascii: "-"), firstOnLine(dash - 1), firstOnLine(key.start) {
            sequenceIndent = max(0, column(dash - 1) - column(key.start))
            learnt.sequence = true
            if !learnt.item, item.start - (dash - 1) >= 2 {
              itemOffset = item.start - (dash - 1)
              learnt.item = true
            }
          }
        }
      }
    }
  }

  // MARK: Writing new nodes

  /// Mapping entries as block lines at `indent`, each ending in a line break.
  func writeEntries(_ entries: [MappingEntry], indent: Int, firstInline: Bool = false, into out: inout [UInt8]) {
    for (index, entry) in entries.enumerated() {
      if !(firstInline && index == 0) { Self.pad(indent, into: &out) }
      out.append(contentsOf: Self.key(entry.key).utf8)
      out.append(UInt8(ascii: ":"))
      writeValue(entry.value, keyIndent: indent, into: &out)
    }
  }

  /// Sequence items as block lines, the dash at `dashIndent`, each ending in a line break.
  func writeItems(
    _ items: [Node], dashIndent: Int, contentOffset: Int, firstInline: Bool = false, into out: inout [UInt8]
  ) {
    for (index, item) in items.enumerated() {
      if !(firstInline && index == 0) { Self.pad(dashIndent, into: &out) }
      out.append(UInt8(ascii: "-"))
      Self.pad(max(1, contentOffset - 1), into: &out)
      writeItemContent(item, contentColumn: dashIndent + max(2, contentOffset), into: &out)
    }
  }

  /// What follows an item's dash, ending in a line break.
  private func writeItemContent(_ item: Node, contentColumn: Int, into out: inout [UInt8]) {
    switch item.content {
    case .mapping(let entries) where !entries.isEmpty:
      writeEntries(entries, indent: contentColumn, firstInline: true, into: &out)
    case .sequence(let items) where !items.isEmpty:
      writeItems(items, dashIndent: contentColumn, contentOffset: 2, firstInline: true, into: &out)
    case .scalar(let scalar):
      out.append(contentsOf: scalarText(scalar, preferring: nil, indent: contentColumn, inFlow: false).utf8)
      out.append(0x0A)
    case .sequence: out.append(contentsOf: "[]\n".utf8)
    case .mapping: out.append(contentsOf: "{}\n".utf8)
    }
  }

  /// What follows `key:`: ` scalar`, ` {}`, or a line break and the nested block; ends in a
  /// line break.
  private func writeValue(_ value: Node, keyIndent: Int, into out: inout [UInt8]) {
    switch value.content {
    case .scalar(let scalar):
      out.append(0x20)
      out.append(contentsOf: scalarText(scalar, preferring: nil, indent: keyIndent + step, inFlow: false).utf8)
      out.append(0x0A)
    case .sequence(let items) where items.isEmpty: out.append(contentsOf: " []\n".utf8)
    case .mapping(let entries) where entries.isEmpty: out.append(contentsOf: " {}\n".utf8)
    case .sequence(let items):
      out.append(0x0A)
      writeItems(items, dashIndent: keyIndent + sequenceIndent, contentOffset: itemOffset, into: &out)
    case .mapping(let entries):
      out.append(0x0A)
      writeEntries(entries, indent: keyIndent + step, into: &out)
    }
  }

  /// An item's text after its dash (no line break at the end).
  func itemText(_ item: Node, contentColumn: Int) -> String {
    var out: [UInt8] = []
    writeItemContent(item, contentColumn: contentColumn, into: &out)
    return Self.withoutLastBreak(out)
  }

  /// What follows `key:` for a value (no line break at the end).
  func valueText(_ value: Node, keyIndent: Int) -> String {
    var out: [UInt8] = []
    writeValue(value, keyIndent: keyIndent, into: &out)
    return Self.withoutLastBreak(out)
  }

  private static func withoutLastBreak(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self)
  }

  private static let pads: [[UInt8]] = (0...64).map { [UInt8](repeating: 0x20, count: $0) }

  private static func pad(_ count: Int, into out: inout [UInt8]) {
    if count < pads.count {
      out.append(contentsOf: pads[count])
    } else {
      out.append(contentsOf: [UInt8](repeating: 0x20, count: count))
    }
  }

  /// A scalar's text: in the quoting `preferred` (the scalar it replaces) when that can hold it,
  /// else as the emitter writes it.
  func scalarText(_ scalar: Scalar, preferring preferred: Scalar.Style?, indent: Int, inFlow: Bool) -> String {
    guard scalar.kind == .string else { return YAMLEmitter.scalarText(scalar, indent: indent) }
    let text = scalar.text
    switch preferred ?? (scalar.style == .plain ? nil : scalar.style) {
    case .doubleQuoted?: return YAMLEmitter.doubleQuoted(text)
    case .singleQuoted? where !text.isEmpty && text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }):
      // One line of printable characters: quotes doubled, nothing else escaped.
      return "'" + text.replacingAll("'", with: "''") + "'"
    default: break
    }
    if inFlow { return Self.flowScalar(text) }
    return YAMLEmitter.scalarText(scalar, indent: indent)
  }

  /// A mapping key as the emitter writes keys.
  static func key(_ key: String) -> String {
    YAMLEmitter.isPlainSafe(key) ? key : YAMLEmitter.doubleQuoted(key)
  }

  /// A string inside a flow collection: plain only without flow indicators.
  static func flowScalar(_ text: String) -> String {
    let indicators: Set<Character> = [",", "[", "]", "{", "}"]
    if YAMLEmitter.isPlainSafe(text), !text.contains(where: indicators.contains) { return text }
    return YAMLEmitter.doubleQuoted(text)
  }

  /// A node in flow style on one line; JSON when the collection around it is JSON.
  func flowText(_ node: Node, json: Bool) -> String {
    if json { return JSONEmitter.emit(node, pretty: false) }
    switch node.content {
    case .scalar(let scalar):
      return scalar.kind == .string ? Self.flowScalar(scalar.text) : YAMLEmitter.scalarText(scalar, indent: 0)
    case .sequence(let items): return "[" + items.map { flowText($0, json: false) }.joined(separator: ", ") + "]"
    case .mapping(let entries): return "{" + entries.map { flowEntry($0, json: false) }.joined(separator: ", ") + "}"
    }
  }

  /// `key: value` in flow style.
  func flowEntry(_ entry: MappingEntry, json: Bool) -> String {
    if json { return JSONEmitter.emit(.string(entry.key), pretty: false) + ": " + flowText(entry.value, json: true) }
    return Self.flowScalar(entry.key) + ": " + flowText(entry.value, json: false)
  }
}
