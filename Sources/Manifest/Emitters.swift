/// Writes a tree as block-style YAML. (Stub: being implemented.)
public enum YAMLEmitter {
  /// The YAML text of a document root, ending in a newline, without a `---` separator.
  public static func emit(_ node: Node) -> String { "" }
}

/// Writes a tree as JSON. (Stub: being implemented.)
public enum JSONEmitter {
  /// The JSON text of a tree; `pretty` indents by two spaces like kubectl.
  public static func emit(_ node: Node, pretty: Bool = true) -> String { "" }
  /// The JSON string literal for a string, with its quotes.
  public static func quote(_ string: String) -> String { "" }
}
