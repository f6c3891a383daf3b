/// Reading and writing nodes at a path of mapping keys, string maps (labels, annotations), and
/// one value parsed from text: the one home of each, so every module reads them alike.
extension Node {
  /// The node at a path of mapping keys; nil as soon as one is missing (the empty path is this node).
  public func value(at path: some Sequence<String>) -> Node? {
    var node: Node? = self
    for key in path {
      guard let current = node else { return nil }
      node = current[key]
    }
    return node
  }

  /// Replaces the node at a path of mapping keys, only when the whole path exists (a template
  /// that is not there is not made up).
  public mutating func setValue(_ value: Node, at path: some Collection<String>) {
    guard let key = path.first else {
      self = value
      return
    }
    guard var child = self[key] else { return }
    child.setValue(value, at: path.dropFirst())
    self[key] = child
  }

  /// This node with the value at `path` set to `value`: mapping keys that are missing are added
  /// last, and a node on the way that is not a mapping becomes one. Positions are kept.
  public func settingValue(_ value: Node, at path: some Collection<String>) -> Node {
    replacing(path: path) { _ in value }
  }

  /// This node with the value at `path` replaced by `change` of the current one (null when
  /// missing); missing keys are added last, in place when they exist.
  public func replacing(path: some Collection<String>, _ change: (Node) -> Node) -> Node {
    guard let key = path.first else { return change(self) }
    var entries = mapping ?? []
    if let index = entries.firstIndex(where: { $0.key == key }) {
      entries[index].value = entries[index].value.replacing(path: path.dropFirst(), change)
    } else {
      entries.append(MappingEntry(key: key, value: Node.null.replacing(path: path.dropFirst(), change)))
    }
    return Node(.mapping(entries), mark: mark)
  }
}

extension Node {
  /// A label's or annotation's value as Kubernetes reads it into a string: a scalar's text, the
  /// empty string for null; nil for a sequence or a mapping (no string at all).
  public var stringMapValue: String? {
    guard let scalar else { return nil }
    return scalar.kind == .null ? "" : scalar.text
  }

  /// A mapping of strings (labels, annotations, `matchLabels`) as a dictionary: values read by
  /// `stringMapValue`, entries without one left out; empty when this is not a mapping.
  public var stringMap: [String: String] {
    var map: [String: String] = [:]
    for entry in mapping ?? [] {
      if let value = entry.value.stringMapValue { map[entry.key] = value }
    }
    return map
  }

  /// The one value a JSON or YAML text holds (its first document); nil when the text has an
  /// error or no document. For values kept in annotations and small API bodies.
  public static func parse(_ text: String, file: String = "<value>") -> Node? {
    let (documents, diagnostics) = ManifestReader().parse(text, file: file)
    guard !diagnostics.contains(where: { $0.severity == .error }) else { return nil }
    return documents.first?.root
  }
}

extension Optional where Wrapped == Node {
  /// The string map of the node, empty when there is no node: `object[path: "metadata", "labels"].stringMap`.
  public var stringMap: [String: String] { self?.stringMap ?? [:] }
}
