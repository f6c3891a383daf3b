/// One step of a JSON path: a mapping key or a sequence index.
public enum PathComponent: Sendable, Hashable {
  /// A mapping key.
  case key(String)
  /// A sequence index.
  case index(Int)
}

/// Renders paths as kubectl and kubeconform print them: `spec.backends[1].weight`; keys that
/// are not plain identifiers are bracketed: `metadata.annotations["linkerd.io/inject"]`.
public enum JSONPath {
  /// The text of a path, appended to `prefix` (`items[3]` for List items).
  public static func render(_ components: some Sequence<PathComponent>, prefix: String = "") -> String {
    var text = prefix
    for component in components {
      switch component {
      case .index(let index):
        text += "[\(index)]"
      case .key(let key):
        if isPlain(key) {
          if !text.isEmpty { text += "." }
          text += key
        } else {
          text += "[\"\(key)\"]"
        }
      }
    }
    return text
  }

  /// Whether a key can be written after a dot.
  static func isPlain(_ key: String) -> Bool {
    !key.isEmpty
      && key.utf8.allSatisfy { c in Formats.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") }
  }
}
