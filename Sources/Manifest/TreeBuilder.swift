import CLibYAML

/// Builds one document's tree from libyaml events: resolves scalars, anchors, aliases and merge
/// keys the way sigs.k8s.io/yaml does, reports duplicate keys, and enforces depth and alias limits.
struct TreeBuilder {
  let file: String
  let limits: ReaderLimits

  private struct Frame {
    var isMapping: Bool
    var mark: SourceMark
    var anchor: String?
    /// Where this container's items (or entries) start in the builder's shared stack: children
    /// are finished before their parent goes on, so one stack holds every open container's.
    var firstChild: Int
    var pendingKey: (text: String, mark: SourceMark, isMerge: Bool)?
    /// Merge sources (`<<`) and the entry index they go in at.
    var merges: [(index: Int, sources: [Node])] = []
    /// Built only for large mappings; small ones are scanned.
    var keyIndex: Set<String>?
    /// Nodes in this container so far, aliases counted expanded.
    var size = 1

    /// The entry with `key` so far, if any, in `entries` (the builder's stack).
    func entry(_ key: String, in entries: MoveStack<MappingEntry>) -> MappingEntry? {
      if let keyIndex, !keyIndex.contains(key) { return nil }
      return entries.first(from: firstChild) { $0.key == key }
    }

    /// Appends an entry; past 16 keys, a set answers "seen before?" instead of a scan.
    mutating func append(_ entry: consuming MappingEntry, to entries: MoveStack<MappingEntry>) {
      if keyIndex != nil { keyIndex!.insert(entry.key) }
      entries.push(entry)
      let count = entries.count - firstChild
      if keyIndex == nil, count == 16 {
        keyIndex = Set(entries.elements(from: firstChild).map(\.key))
      }
    }
  }

  /// The items and entries of every open container, innermost last; each container's are
  /// moved out into one array of the right size when it ends (no growing array per container).
  private let items = MoveStack<Node>()
  private let entries = MoveStack<MappingEntry>()

  /// Enclosing containers; the innermost open one is `current`, kept out of the array so that
  /// adding to it does not go through array subscripts on every event.
  private var stack: [Frame] = []
  private var current: Frame?
  private var root: Node?
  private var anchors: [String: (node: Node, size: Int)] = [:]
  private var aliasExpansion = 0
  private var diagnostics: [Diagnostic] = []
  /// Set when a limit broke: the rest of the document's events are ignored.
  private var failed = false

  init(file: String, limits: ReaderLimits) {
    self.file = file
    self.limits = limits
  }

  /// Whether the document broke a hard limit (depth, alias expansion): the reader stops there.
  /// Lines before the bytes libyaml reads (a stream read from a later document on).
  var lineOffset = 0

  var brokeLimit: Bool { failed && diagnostics.last?.code == ReaderCode.limit }

  mutating func startDocument() {
    stack.removeAll(keepingCapacity: true)
    current = nil
    items.removeAll()
    entries.removeAll()
    root = nil
    anchors.removeAll()
    aliasExpansion = 0
    diagnostics = []
    failed = false
  }

  /// The finished tree (the null node for an empty document), or nil when the document broke
  /// a limit; and the findings made while building it.
  mutating func finishDocument() -> (Node?, [Diagnostic]) {
    if failed { return (nil, diagnostics) }
    return (root ?? Node(.scalar(Scalar(text: "", kind: .null)), mark: .none), diagnostics)
  }

  /// Takes the event where libyaml wrote it: copying the whole struct first read it back in
  /// wider loads than libyaml's stores, a stall on every event.
  mutating func handle(_ event: UnsafePointer<yaml_event_t>) {
    guard !failed else { return }
    let mark = SourceMark(
      line: Int(event.pointee.start_mark.line) + 1 + lineOffset, column: Int(event.pointee.start_mark.column) + 1)
    switch event.pointee.type {
    case YAML_SCALAR_EVENT:
      let data = event.pointee.data.scalar
      let node = Node(.scalar(makeScalar(event)), mark: mark)
      let anchor = data.anchor.map { String(cString: $0) }
      if let anchor { anchors[anchor] = (node, 1) }
      let isMergeKey =
        data.style == YAML_PLAIN_SCALAR_STYLE && data.length == 2 && data.value[0] == 0x3C && data.value[1] == 0x3C
      add(node, size: 1, isMergeKey: isMergeKey)
    case YAML_SEQUENCE_START_EVENT:
      push(
        Frame(
          isMapping: false, mark: mark, anchor: event.pointee.data.sequence_start.anchor.map { String(cString: $0) },
          firstChild: items.count))
    case YAML_MAPPING_START_EVENT:
      push(
        Frame(
          isMapping: true, mark: mark, anchor: event.pointee.data.mapping_start.anchor.map { String(cString: $0) },
          firstChild: entries.count))
    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
      pop()
    case YAML_ALIAS_EVENT:
      let name = String(cString: event.pointee.data.alias.anchor)
      guard let target = anchors[name] else {
        fail(ReaderCode.unsupported, "alias *\(name) refers to no anchor defined before it", at: mark)
        return
      }
      aliasExpansion += target.size
      if aliasExpansion > limits.maxAliasExpansion {
        fail(
          ReaderCode.limit,
          "aliases expand this document by more than \(limits.maxAliasExpansion) nodes (an alias bomb?)",
          at: mark)
        return
      }
      var node = target.node
      node.mark = mark
      add(node, size: target.size, isMergeKey: false)
    default:
      break
    }
  }

  private mutating func fail(_ code: String, _ message: String, at mark: SourceMark) {
    diagnostics.append(Diagnostic(severity: .error, code: code, message: message, file: file, mark: mark))
    failed = true
    stack.removeAll()
    current = nil
    items.removeAll()
    entries.removeAll()
  }

  private mutating func push(_ frame: Frame) {
    let depth = stack.count + (current == nil ? 0 : 1)
    if depth >= limits.maxDepth {
      fail(ReaderCode.limit, "nesting is deeper than the limit of \(limits.maxDepth) levels", at: frame.mark)
      return
    }
    // take(): move the open frame onto the stack without copying (and retaining) its arrays.
    if let open = current.take() { stack.append(open) }
    current = frame
  }

  private mutating func pop() {
    guard let frame = current.take() else { return }
    current = stack.popLast()
    let node: Node
    if frame.isMapping {
      var children = entries.moveOut(from: frame.firstChild)
      applyMerges(frame, &children)
      node = Node(.mapping(children), mark: frame.mark)
    } else {
      node = Node(.sequence(items.moveOut(from: frame.firstChild)), mark: frame.mark)
    }
    if let anchor = frame.anchor { anchors[anchor] = (node, frame.size) }
    add(node, size: frame.size, isMergeKey: false)
  }

  /// Adds a finished node to the container being built (as a key, a value or an item).
  /// Adds a finished node to the open container; takes it over, so it is moved into place.
  private mutating func add(_ node: consuming Node, size: Int, isMergeKey: Bool) {
    guard current != nil else {
      root = consume node
      return
    }
    current!.size += size
    if !current!.isMapping {
      items.push(consume node)
      return
    }
    guard let key = current!.pendingKey else {
      guard let scalar = node.scalar else {
        fail(
          ReaderCode.unsupported, "a mapping key must be a scalar; Kubernetes cannot read \(node.typeName) keys",
          at: node.mark)
        return
      }
      current!.pendingKey = (Self.keyText(scalar), node.mark, isMergeKey)
      return
    }
    current!.pendingKey = nil
    if key.isMerge {
      addMerge(node)
      return
    }
    if let previousEntry = current!.entry(key.text, in: entries) {
      let previous = previousEntry.keyMark
      diagnostics.append(
        Diagnostic(
          severity: .error, code: ReaderCode.duplicateKey,
          message: "duplicate key \"\(key.text)\" (first defined at line \(previous.line), column \(previous.column))",
          file: file, mark: key.mark, hint: "remove one of them; Kubernetes rejects mappings with repeated keys"))
      return
    }
    current!.append(MappingEntry(key: key.text, keyMark: key.mark, value: consume node), to: entries)
  }

  private mutating func addMerge(_ value: Node) {
    let sources: [Node]
    switch value.content {
    case .mapping: sources = [value]
    case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }): sources = items
    default:
      fail(
        ReaderCode.unsupported, "a merge key (<<) needs a mapping or a list of mappings, not \(value.typeName)",
        at: value.mark)
      return
    }
    current!.merges.append((entries.count - current!.firstChild, sources))
  }

  /// Inserts merged keys where `<<` stood; explicit keys win, and earlier sources win over later
  /// ones (YAML merge key spec).
  private func applyMerges(_ frame: Frame, _ entries: inout [MappingEntry]) {
    guard !frame.merges.isEmpty else { return }
    var present = Set(entries.map(\.key))
    var offset = 0
    for merge in frame.merges {
      var inserted: [MappingEntry] = []
      for source in merge.sources {
        for entry in source.mapping ?? [] where !present.contains(entry.key) {
          present.insert(entry.key)
          inserted.append(entry)
        }
      }
      entries.insert(contentsOf: inserted, at: merge.index + offset)
      offset += inserted.count
    }
  }

  /// sigs.k8s.io/yaml turns scalar keys into JSON strings: booleans become "true"/"false".
  private static func keyText(_ scalar: Scalar) -> String {
    if scalar.kind == .bool { return YAMLResolver.boolValue(of: scalar.text) == true ? "true" : "false" }
    if scalar.kind == .null { return "null" }
    return scalar.text
  }

  private func makeScalar(_ event: UnsafePointer<yaml_event_t>) -> Scalar {
    let data = event.pointee.data.scalar
    let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
    let text = String(decoding: bytes, as: UTF8.self)
    let style: Scalar.Style
    switch data.style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: style = .literal
    case YAML_FOLDED_SCALAR_STYLE: style = .folded
    default: style = .plain
    }
    if let tag = data.tag {
      if let kind = Self.kind(ofTag: String(cString: tag)) { return Scalar(text: text, kind: kind, style: style) }
    }
    guard style == .plain else { return Scalar(text: text, kind: .string, style: style) }
    return Scalar(text: text, kind: YAMLResolver.kind(ofPlain: bytes), style: .plain)
  }

  private static func kind(ofTag tag: String) -> Scalar.Kind? {
    switch tag {
    case "tag:yaml.org,2002:str", "!": return .string
    case "tag:yaml.org,2002:int": return .int
    case "tag:yaml.org,2002:float": return .float
    case "tag:yaml.org,2002:bool": return .bool
    case "tag:yaml.org,2002:null": return .null
    default: return nil
    }
  }
}

/// A stack of values that hands its top part out as an array by moving, not copying: the tree
/// builder's children of open containers. A class so the builder's methods share one buffer.
final class MoveStack<Element> {
  private var storage: UnsafeMutablePointer<Element>
  private var capacity: Int
  /// How many values are on the stack.
  private(set) var count = 0

  init() {
    capacity = 64
    storage = .allocate(capacity: capacity)
  }

  deinit {
    storage.deinitialize(count: count)
    storage.deallocate()
  }

  /// Pushes a value, taking it over (no copy: entries and nodes are retained once, not twice).
  func push(_ element: consuming Element) {
    if count == capacity { grow() }
    (storage + count).initialize(to: element)
    count += 1
  }

  private func grow() {
    let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
    bigger.moveInitialize(from: storage, count: count)
    storage.deallocate()
    storage = bigger
    capacity *= 2
  }

  /// Removes the values from `start` on and returns them, in order, as an array.
  func moveOut(from start: Int) -> [Element] {
    // Reserve and append, not `Array(unsafeUninitializedCapacity:)`: that one goes through an
    // unspecialized buffer initializer that looks up the array's type metadata at run time on
    // every call (a few percent of `validate`, one array per mapping and sequence).
    var array: [Element] = []
    array.reserveCapacity(count - start)
    for index in start..<count { array.append((storage + index).move()) }
    count = start
    return array
  }

  /// The first value from `start` on that satisfies `predicate`.
  func first(from start: Int, where predicate: (Element) -> Bool) -> Element? {
    var index = start
    while index < count {
      if predicate(storage[index]) { return storage[index] }
      index += 1
    }
    return nil
  }

  /// Copies of the values from `start` on.
  func elements(from start: Int) -> [Element] {
    Array(UnsafeBufferPointer(start: storage + start, count: count - start))
  }

  /// Empties the stack, keeping its buffer.
  func removeAll() {
    storage.deinitialize(count: count)
    count = 0
  }
}
