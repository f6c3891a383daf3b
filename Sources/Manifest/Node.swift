/// A position in a source file: 1-based line and column (columns count Unicode scalars,
/// as editors and libyaml do). `SourceMark.none` marks nodes that were built in code.
public struct SourceMark: Sendable, Hashable, Comparable, Codable {
  /// 1-based line number; 0 for synthesized nodes.
  public var line: Int
  /// 1-based column number; 0 for synthesized nodes.
  public var column: Int

  /// Creates a mark at a 1-based line and column.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// The mark of a node that was not read from a file.
  public static let none = SourceMark(line: 0, column: 0)

  /// Whether this mark points into a source file.
  public var isKnown: Bool { line > 0 }

  public static func < (lhs: SourceMark, rhs: SourceMark) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }
}

/// A scalar as written: its text, the type YAML resolves it to, and how it was quoted.
public struct Scalar: Sendable, Hashable {
  /// The type a scalar resolves to under the Kubernetes YAML rules (YAML 1.1 core, as
  /// sigs.k8s.io/yaml reads it).
  public enum Kind: Sendable, Hashable {
    case null, bool, int, float, string
  }

  /// How the scalar was written; only `plain` scalars resolve to non-string kinds.
  public enum Style: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
  }

  /// The scalar's text after YAML unescaping (for numbers: their exact spelling).
  public var text: String
  /// The resolved type.
  public var kind: Kind
  /// How it was written in the source; `plain` for scalars built in code.
  public var style: Style

  /// Creates a scalar with an explicit kind and style.
  public init(text: String, kind: Kind, style: Style = .plain) {
    self.text = text
    self.kind = kind
    self.style = style
  }

  /// Two scalars are equal when they have the same kind and text (any two nulls are equal:
  /// `~`, `null` and nothing mean the same); quoting style is presentation.
  public static func == (lhs: Scalar, rhs: Scalar) -> Bool {
    lhs.kind == rhs.kind && (lhs.kind == .null || lhs.text == rhs.text)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kind)
    if kind != .null { hasher.combine(text) }
  }
}

/// One key/value pair of a mapping. Kubernetes manifests only have string keys
/// (sigs.k8s.io/yaml turns any scalar key into its text), so keys are strings.
public struct MappingEntry: Sendable, Hashable {
  /// The key's text.
  public var key: String
  /// Where the key was written.
  public var keyMark: SourceMark
  /// The value.
  public var value: Node

  /// Creates an entry.
  public init(key: String, keyMark: SourceMark = .none, value: Node) {
    self.key = key
    self.keyMark = keyMark
    self.value = value
  }

  public static func == (lhs: MappingEntry, rhs: MappingEntry) -> Bool {
    lhs.key == rhs.key && lhs.value == rhs.value
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(key)
    hasher.combine(value)
  }
}

/// A node of a manifest tree: a scalar, a sequence, or a mapping with insertion-ordered keys,
/// with the position it was read from. Equality compares content, never positions or quoting.
public struct Node: Sendable, Hashable {
  /// What the node holds.
  public enum Content: Sendable, Hashable {
    case scalar(Scalar)
    case sequence([Node])
    case mapping([MappingEntry])
  }

  /// What the node holds.
  public var content: Content
  /// Where the node starts in its source; `.none` when built in code.
  public var mark: SourceMark

  /// Creates a node.
  public init(_ content: Content, mark: SourceMark = .none) {
    self.content = content
    self.mark = mark
  }

  public static func == (lhs: Node, rhs: Node) -> Bool { lhs.content == rhs.content }

  public func hash(into hasher: inout Hasher) { hasher.combine(content) }
}

// MARK: - Building nodes in code

extension Node {
  /// The null node.
  public static let null = Node(.scalar(Scalar(text: "null", kind: .null)))

  /// A string node.
  public static func string(_ value: String) -> Node {
    Node(.scalar(Scalar(text: value, kind: .string)))
  }

  /// An integer node.
  public static func int(_ value: Int) -> Node {
    Node(.scalar(Scalar(text: String(value), kind: .int)))
  }

  /// A boolean node.
  public static func bool(_ value: Bool) -> Node {
    Node(.scalar(Scalar(text: value ? "true" : "false", kind: .bool)))
  }

  /// A floating-point node.
  public static func float(_ value: Double) -> Node {
    Node(.scalar(Scalar(text: String(value), kind: .float)))
  }

  /// A sequence node.
  public static func sequence(_ items: [Node]) -> Node {
    Node(.sequence(items))
  }

  /// A mapping node from ordered pairs.
  public static func mapping(_ pairs: KeyValuePairs<String, Node>) -> Node {
    Node(.mapping(pairs.map { MappingEntry(key: $0.key, value: $0.value) }))
  }

  /// A mapping node from ordered entries.
  public static func mapping(_ entries: [MappingEntry]) -> Node {
    Node(.mapping(entries))
  }
}

// MARK: - Reading nodes

extension Node {
  /// The scalar, if this node is one.
  public var scalar: Scalar? {
    if case .scalar(let s) = content { return s }
    return nil
  }

  /// The items, if this node is a sequence.
  public var sequence: [Node]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The entries, if this node is a mapping.
  public var mapping: [MappingEntry]? {
    if case .mapping(let entries) = content { return entries }
    return nil
  }

  /// Whether this node is the null scalar (`null`, `~` or empty).
  public var isNull: Bool {
    // Reads the kind in place: going through `scalar` copies (and retains) the text.
    if case .scalar(let s) = content { return s.kind == .null }
    return false
  }

  /// The text of a string scalar; nil for any other node (a number is not a string).
  public var string: String? {
    guard let s = scalar, s.kind == .string else { return nil }
    return s.text
  }

  /// The value of an integer scalar.
  public var int: Int? {
    guard let s = scalar, s.kind == .int else { return nil }
    return YAMLResolver.intValue(of: s.text)
  }

  /// The value of a boolean scalar.
  public var bool: Bool? {
    guard let s = scalar, s.kind == .bool else { return nil }
    return YAMLResolver.boolValue(of: s.text)
  }

  /// The value of a numeric scalar (integers included).
  public var double: Double? {
    guard let s = scalar else { return nil }
    switch s.kind {
    case .int: return YAMLResolver.intValue(of: s.text).map(Double.init)
    case .float: return YAMLResolver.floatValue(of: s.text)
    default: return nil
    }
  }

  /// A short name for the node's type, as used in messages ("string", "mapping", ...).
  public var typeName: String {
    switch content {
    case .sequence: return "array"
    case .mapping: return "object"
    case .scalar(let s):
      switch s.kind {
      case .null: return "null"
      case .bool: return "boolean"
      case .int: return "integer"
      case .float: return "number"
      case .string: return "string"
      }
    }
  }

  /// The value for a mapping key; nil when this is not a mapping or the key is absent.
  public subscript(key: String) -> Node? {
    get {
      guard case .mapping(let entries) = content else { return nil }
      // Index, not `first(where:)`: only the value found is copied, not every entry looked at.
      for index in entries.indices where entries[index].key == key { return entries[index].value }
      return nil
    }
    set {
      guard case .mapping(var entries) = content else { return }
      if let index = entries.firstIndex(where: { $0.key == key }) {
        if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
      } else if let newValue {
        entries.append(MappingEntry(key: key, value: newValue))
      }
      content = .mapping(entries)
    }
  }

  /// The entry for a mapping key, with the key's position.
  public func entry(forKey key: String) -> MappingEntry? {
    guard case .mapping(let entries) = content else { return nil }
    for index in entries.indices where entries[index].key == key { return entries[index] }
    return nil
  }

  /// Follows a path of mapping keys; nil as soon as one is missing.
  public subscript(path keys: String...) -> Node? { value(at: keys) }
}
