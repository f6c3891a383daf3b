// libFuzzer target: arbitrary bytes → documents → a few edits chosen from the input → the
// surgical emitter (`SurgicalEmitter.splice`), the path inject and uninject write through.
//
// The edits are a pure function of the input (a generator seeded with its hash), so a finding
// reproduces: set a scalar to another scalar (plain, quoted, multi-line, another type), turn a
// scalar into a mapping, remove a mapping entry or a sequence item, insert a mapping key, append
// or prepend a sequence item; one at a time at several nodes, and two at once on disjoint
// subtrees. The input decides whether they land in block or flow collections, JSON, comments,
// CRLF, byte-order marks.
//
// For every edit it checks, besides "never crash, never hang":
//  1. the layout the reader recorded while reading gives the same text as a second libyaml pass
//     over the document (`splice(document, ...)` equals `splice(sourceText, ...)`);
//  2. a spliced text reads back without findings as one document that equals the edited tree;
//  3. verification agrees: `verify: true` gives the same text;
//  4. every byte outside the edited nodes is unchanged: the text before the first edited node
//     (from the line after the node before it) and after the last one (from the node after it)
//     is the input's, byte for byte.
// A refusal (nil: the document is then written whole) is allowed; a wrong text is not. A broken
// invariant is a crash (fatalError), so libFuzzer saves the input.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Manifest

/// FUZZ_SURGICAL_DEBUG=1 prints each edited tree (to follow a finding).
let debugging = getenv("FUZZ_SURGICAL_DEBUG") != nil

let limits = ReaderLimits(maxInputBytes: 1 << 20, maxDocumentBytes: 64 << 10, maxDepth: 32, maxAliasExpansion: 2_000)

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzSurgical invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

/// A small deterministic generator (xorshift64*), seeded from the input's FNV-1a hash.
struct Dice {
  var state: UInt64

  init(_ bytes: [UInt8]) {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    state = hash == 0 ? 1 : hash
  }

  /// A number in 0..<n (n > 0).
  mutating func next(_ n: Int) -> Int {
    state ^= state >> 12
    state ^= state << 25
    state ^= state >> 27
    return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % max(n, 1)
  }

  mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
}

/// Scalars an edit may write: plain, ones that need quotes, other types, several lines.
let scalars: [Node] = [
  .string("fuzz"), .string("a: b"), .string("-1"), .string("it's \"q\""), .int(42), .bool(true), .string(""),
  .string("multi\nline\n"), .null, .string("ü #x"), .string("[x]"), .float(1.5),
]

/// Values an inserted key or item may have.
let values: [Node] = scalars + [
  .mapping(["name": .string("n"), "v": .sequence([.int(1), .string("b, c")])]),
  .sequence([.string("x"), .mapping(["k": .string("v")])]), .mapping([]), .sequence([]),
]

/// One kind of edit at a node; nil when it does not apply to that node.
typealias Edit = @Sendable (Node, inout Dice) -> Node?

let edits: [Edit] = [
  { node, dice in  // set a scalar
    guard node.scalar != nil else { return nil }
    let new = dice.pick(scalars)
    return new == node ? .string("changed") : new
  },
  { node, _ in node.scalar == nil ? nil : .mapping(["k": .string("v")]) },  // a scalar becomes a mapping
  { node, dice in  // remove a mapping entry
    guard var entries = node.mapping, !entries.isEmpty else { return nil }
    entries.remove(at: dice.next(entries.count))
    return Node(.mapping(entries), mark: node.mark)
  },
  { node, dice in  // insert a mapping key
    guard var entries = node.mapping else { return nil }
    let key = dice.pick(["fuzz-key", "a b:", "k\(entries.count)", "- x"])
    guard !entries.contains(where: { $0.key == key }) else { return nil }
    entries.insert(MappingEntry(key: key, value: dice.pick(values)), at: dice.next(entries.count + 1))
    return Node(.mapping(entries), mark: node.mark)
  },
  { node, dice in  // remove a sequence item
    guard var items = node.sequence, !items.isEmpty else { return nil }
    items.remove(at: dice.next(items.count))
    return Node(.sequence(items), mark: node.mark)
  },
  { node, dice in  // append a sequence item
    guard var items = node.sequence else { return nil }
    items.append(dice.pick(values))
    return Node(.sequence(items), mark: node.mark)
  },
  { node, dice in  // prepend a sequence item
    guard var items = node.sequence else { return nil }
    items.insert(dice.pick(values), at: 0)
    return Node(.sequence(items), mark: node.mark)
  },
]

/// Every node of a tree by its path of entry and item indexes, in document order.
func paths(_ node: Node, _ path: [Int] = [], into result: inout [[Int]]) {
  result.append(path)
  switch node.content {
  case .scalar: break
  case .sequence(let items): for (i, item) in items.enumerated() { paths(item, path + [i], into: &result) }
  case .mapping(let entries): for (i, entry) in entries.enumerated() { paths(entry.value, path + [i], into: &result) }
  }
}

func node(_ root: Node, at path: [Int]) -> Node {
  path.reduce(root) { node, i in node.sequence?[i] ?? node.mapping![i].value }
}

/// The tree with the node at `path` replaced (its mark kept: an edited container is the same
/// node, as injection's edits keep it).
func replacing(_ root: Node, at path: [Int], with new: Node) -> Node {
  guard let first = path.first else { return new }
  var root = root
  switch root.content {
  case .scalar: break
  case .sequence(var items):
    items[first] = replacing(items[first], at: Array(path.dropFirst()), with: new)
    root.content = .sequence(items)
  case .mapping(var entries):
    entries[first].value = replacing(entries[first].value, at: Array(path.dropFirst()), with: new)
    root.content = .mapping(entries)
  }
  return root
}

/// Byte offsets of a document's source marks (lines from `startLine`, columns in characters).
/// Nil for text with line breaks other than LF and CRLF (libyaml also breaks lines at a lone CR,
/// NEL, LS and PS, which this table does not follow).
struct MarkOffsets {
  let bytes: [UInt8]
  let startLine: Int
  var lineStarts: [Int] = [0]

  init?(_ document: Document) {
    bytes = Array(document.sourceText.utf8)
    startLine = document.startLine
    for (i, byte) in bytes.enumerated() {
      if byte == 0x0D, i + 1 >= bytes.count || bytes[i + 1] != 0x0A { return nil }
      if byte == 0xC2 || byte == 0xE2 { return nil }  // NEL (C2 85), LS and PS (E2 80 A8/A9): rare enough to skip
      if byte == 0x0A { lineStarts.append(i + 1) }
    }
  }

  func offset(_ mark: SourceMark) -> Int? {
    guard mark.isKnown else { return nil }
    let line = mark.line - startLine
    guard lineStarts.indices.contains(line) else { return nil }
    var i = lineStarts[line]
    // libyaml does not count a byte-order mark.
    if i == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    var column = 1
    while column < mark.column, i < bytes.count {
      i += 1
      while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
      column += 1
    }
    return i
  }

  func lineStart(_ offset: Int) -> Int { lineStarts.last { $0 <= offset } ?? 0 }
}

/// The marks of a subtree: its node, its entries' keys and everything below.
func marks(_ node: Node, into result: inout [SourceMark]) {
  result.append(node.mark)
  switch node.content {
  case .scalar: break
  case .sequence(let items): for item in items { marks(item, into: &result) }
  case .mapping(let entries):
    for entry in entries {
      result.append(entry.keyMark)
      marks(entry.value, into: &result)
    }
  }
}

/// The bytes an edit at `path` may change: from the line of its key (or of the node) to the next
/// node after its subtree. A node inside a flow collection counts as its outermost flow
/// collection, whose parent may rewrite it whole when it grows too long for its line; a mapping
/// item of a sequence whose `name` the edit changes counts whole (its name is its identity, so
/// the emitter replaces the item: injection's containers are matched so). Nil when the marks
/// cannot say (the root, anchors and tags before a node, unusual line breaks).
func editableRange(_ root: Node, _ edited: Node, _ path: [Int], _ offsets: MarkOffsets) -> Range<Int>? {
  guard !path.isEmpty else { return nil }
  var top = path
  for length in stride(from: path.count, through: 1, by: -1) {
    let item = Array(path.prefix(length))
    guard node(root, at: Array(item.dropLast())).sequence != nil, node(root, at: item).mapping != nil else { continue }
    if node(root, at: item)["name"] != node(edited, at: item)["name"] { top = item }
  }
  // A block sequence with an item that starts on the line after its dash is rewritten whole by
  // its parent when it changes (the emitter finds dashes on the item's own line only).
  for length in 0...path.count where length <= top.count {
    guard let items = node(root, at: Array(path.prefix(length))).sequence else { continue }
    let ownLine = items.allSatisfy { item in
      guard let offset = offsets.offset(item.mark) else { return false }
      return offsets.bytes[offsets.lineStart(offset)..<offset].contains { $0 != 0x20 && $0 != 0x09 }
    }
    if !ownLine {
      guard length > 0 else { return nil }
      top = Array(path.prefix(length))
      break
    }
  }
  // The value of an explicit `? key`, or of a key without a colon: its mapping is rewritten.
  if let entry = node(root, at: Array(top.dropLast())).mapping?[top.last!], let key = offsets.offset(entry.keyMark),
    let value = offsets.offset(node(root, at: top).mark), key <= value, value <= offsets.bytes.count
  {
    var before = key
    while before > 0, offsets.bytes[before - 1] == 0x20 { before -= 1 }
    if (before > 0 && offsets.bytes[before - 1] == UInt8(ascii: "?")) || !offsets.bytes[key..<value].contains(UInt8(ascii: ":")) {
      top.removeLast()
      guard !top.isEmpty else { return nil }
    }
  }
  var ancestor = top.dropLast()
  while !ancestor.isEmpty {
    let container = node(root, at: Array(ancestor))
    guard let offset = offsets.offset(container.mark), offset < offsets.bytes.count,
      offsets.bytes[offset] != UInt8(ascii: "&"), offsets.bytes[offset] != UInt8(ascii: "!")
    else { return nil }
    if offsets.bytes[offset] == UInt8(ascii: "[") || offsets.bytes[offset] == UInt8(ascii: "{") { top = Array(ancestor) }
    ancestor = ancestor.dropLast()
  }
  guard !top.isEmpty else { return nil }
  let target = node(root, at: top)
  var inside: [SourceMark] = []
  if let key = node(root, at: Array(top.dropLast())).mapping?[top.last!].keyMark { inside.append(key) }
  marks(target, into: &inside)
  var all: [SourceMark] = []
  marks(root, into: &all)
  let insideOffsets = inside.compactMap(offsets.offset)
  guard insideOffsets.count == inside.count, let first = insideOffsets.min(), let last = insideOffsets.max() else {
    return nil
  }
  if first < offsets.bytes.count, [UInt8(ascii: "&"), UInt8(ascii: "!")].contains(offsets.bytes[first]) { return nil }
  let allOffsets = all.compactMap(offsets.offset)
  let before = allOffsets.filter { $0 < first }.max()
  let after = allOffsets.filter { $0 > last }.min() ?? offsets.bytes.count
  let start = before.map { max($0 + 1, offsets.lineStart(first)) } ?? 0
  return start..<max(start, after)
}

/// Checks one splice of `document` to `new`, edited within `ranges`.
func check(_ document: Document, _ new: Node, ranges: [Range<Int>?], offsets: MarkOffsets?, _ bytes: [UInt8]) {
  if debugging {
    let line = "---- edit within \(ranges): the tree becomes\n\(YAMLEmitter.emit(new))\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
  }
  let recorded = SurgicalEmitter.splice(document, to: new)
  let reread = SurgicalEmitter.splice(document.sourceText, from: document.root, to: new)
  guard recorded == reread else {
    fail("the recorded layout and a second read splice differently:\n\(recorded ?? "nil")\n---- vs\n\(reread ?? "nil")", bytes)
  }
  guard let text = recorded else { return }
  let (read, diagnostics) = ManifestReader().parse(text)
  guard diagnostics.isEmpty, read.count == 1, read[0].root == new else {
    fail("the spliced text does not read back as the edited tree: \(diagnostics.map(\.message))\n\(text)", bytes)
  }
  guard SurgicalEmitter.splice(document, to: new, verify: true) == text else {
    fail("verification refuses a splice that reads back right:\n\(text)", bytes)
  }
  guard let offsets, !ranges.isEmpty, ranges.allSatisfy({ $0 != nil }) else { return }
  let start = ranges.map { $0!.lowerBound }.min()!
  let end = ranges.map { $0!.upperBound }.max()!
  let out = Array(text.utf8)
  let kept = offsets.bytes.count - end
  guard out.count >= start + kept, out[..<start].elementsEqual(offsets.bytes[..<start]),
    out[(out.count - kept)...].elementsEqual(offsets.bytes[end...])
  else {
    fail("bytes outside the edited nodes (\(start)..<\(end)) changed:\n\(document.sourceText)\n---- became\n\(text)", bytes)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var reader = ManifestReader(limits: limits)
  reader.recordsLayout = true
  var documents: [Document] = []
  _ = try? reader.read(MemorySource(bytes), file: "fuzz") { documents.append($0) }
  var dice = Dice(bytes)
  for document in documents where document.diagnostics.isEmpty && !document.holdsOnlyComments {
    let root = document.root
    var all: [[Int]] = []
    paths(root, into: &all)
    let offsets = MarkOffsets(document)
    var done: [(path: [Int], node: Node)] = []
    // A handful of single edits at nodes the input picks.
    for _ in 0..<min(6, all.count * 2) {
      let path = dice.pick(all)
      guard let new = dice.pick(edits)(node(root, at: path), &dice) else { continue }
      done.append((path, new))
      let edited = replacing(root, at: path, with: new)
      check(
        document, edited, ranges: [offsets.flatMap { editableRange(root, edited, path, $0) }], offsets: offsets, bytes)
    }
    // Two edits at once, on subtrees apart from each other.
    if let a = done.first, let b = done.dropFirst().first(where: { !$0.path.starts(with: a.path) && !a.path.starts(with: $0.path) }) {
      let new = replacing(replacing(root, at: a.path, with: a.node), at: b.path, with: b.node)
      let ranges = [a.path, b.path].map { path in offsets.flatMap { editableRange(root, new, path, $0) } }
      check(document, new, ranges: ranges, offsets: offsets, bytes)
    }
  }
  return 0
}
