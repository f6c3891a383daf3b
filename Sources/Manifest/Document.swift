/// One YAML document of an input stream, with the exact text it was read from so that a
/// document nothing changed can be written back byte for byte.
public struct Document: Sendable {
  /// The document's tree; the null node for an empty document.
  public var root: Node
  /// The file it came from (`-` for standard input).
  public var file: String
  /// Its 0-based position in the file's stream of documents.
  public var index: Int
  /// The exact source text of the document, including its `---` separator and the comments
  /// that follow it up to the next document.
  public var sourceText: String
  /// Findings made while reading it (duplicate keys, ...).
  public var diagnostics: [Diagnostic]
  /// The 1-based line of the file on which `sourceText` starts.
  public var startLine: Int
  /// Whether this is the one document of an input that holds only comments and blank lines (no
  /// document at all for YAML): kept so the text is written back, never reported as empty.
  public var holdsOnlyComments = false
  /// Where its nodes sit in `sourceText`, when the reader recorded it (`recordsLayout`).
  var layoutEvents: LayoutEvents?

  /// Creates a document.
  public init(
    root: Node, file: String, index: Int = 0, sourceText: String = "",
    diagnostics: [Diagnostic] = [], startLine: Int = 1
  ) {
    self.startLine = startLine
    self.root = root
    self.file = file
    self.index = index
    self.sourceText = sourceText
    self.diagnostics = diagnostics
  }

  /// The text of a 1-based line of the file, when it lies inside this document.
  /// A line inside a Secret's `data` or `stringData` comes with its value masked (`SecretMask`).
  public func sourceLine(_ line: Int) -> String? {
    guard line >= startLine, let text = SourceLines.line(line - startLine + 1, in: sourceText) else { return nil }
    guard SecretMask.isSecret(root) else { return text }
    let lastLine = startLine + sourceText.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    let hidden = SecretMask.valueLines(in: root, lastLine: lastLine).contains { $0.contains(line) }
    return hidden ? SecretMask.maskedLine(text) : text
  }

  /// Fills in `sourceLine` of findings that point into this document.
  public func withSourceLines(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    diagnostics.map { diagnostic in
      guard diagnostic.sourceLine == nil, diagnostic.file == file, diagnostic.mark.isKnown else { return diagnostic }
      var diagnostic = diagnostic
      diagnostic.sourceLine = sourceLine(diagnostic.mark.line)
      return diagnostic
    }
  }

  /// Whether the document holds nothing (only comments, or `---` alone).
  public var isEmpty: Bool { root.isNull }

  /// `apiVersion`, when it is a string.
  public var apiVersion: String? { root["apiVersion"]?.string }
  /// `kind`, when it is a string.
  public var kind: String? { root["kind"]?.string }
  /// `metadata.name`, when it is a string.
  public var name: String? { root[path: "metadata", "name"]?.string }
  /// `metadata.namespace`, when it is a string.
  public var namespace: String? { root[path: "metadata", "namespace"]?.string }

  /// A short reference for messages: `Deployment shop/web`, or `document 3` when unnamed.
  public var objectReference: String {
    guard let kind else { return "document \(index + 1)" }
    let name = self.name ?? "<unnamed>"
    if let namespace { return "\(kind) \(namespace)/\(name)" }
    return "\(kind) \(name)"
  }
}

/// One object of an input: a document's root, or one item of a `kind: List` document.
public struct ManifestObject: Sendable {
  /// The object's tree.
  public var node: Node
  /// The document it belongs to (its file, index and text).
  public var document: Document
  /// The JSON path of the object inside the document: `""` for the root, `items[3]` for a List item.
  public var path: String

  /// Creates an object reference.
  public init(node: Node, document: Document, path: String) {
    self.node = node
    self.document = document
    self.path = path
  }

  /// `kind`, when it is a string.
  public var kind: String? { node["kind"]?.string }
  /// `apiVersion`, when it is a string.
  public var apiVersion: String? { node["apiVersion"]?.string }
  /// `metadata.name`, when it is a string.
  public var name: String? { node[path: "metadata", "name"]?.string }
  /// `metadata.namespace`, when it is a string.
  public var namespace: String? { node[path: "metadata", "namespace"]?.string }

  /// A short reference for messages: `TrafficSplit bookinfo/reviews`.
  public var reference: String {
    guard let kind else {
      return path.isEmpty ? "document \(document.index + 1)" : "document \(document.index + 1) \(path)"
    }
    let name = self.name ?? "<unnamed>"
    if let namespace { return "\(kind) \(namespace)/\(name)" }
    return "\(kind) \(name)"
  }
}

extension Document {
  /// The objects this document holds: the items of a `kind: List` (any kind ending in `List`
  /// that has an `items` array, as kubectl accepts), else the root itself. Empty documents hold none.
  public var objects: [ManifestObject] {
    if isEmpty { return [] }
    if let kind, kind.hasSuffix("List"), let items = root["items"]?.sequence {
      return items.enumerated().map { index, item in
        ManifestObject(node: item, document: self, path: "items[\(index)]")
      }
    }
    return [ManifestObject(node: root, document: self, path: "")]
  }
}

/// Finds lines in text without splitting all of it.
public enum SourceLines {
  /// The text of 1-based line `number` of `text` (line breaks: LF, CRLF, CR), without its break.
  public static func line(_ number: Int, in text: String) -> String? {
    var utf8 = text.utf8[...]
    var current = 1
    while current < number {
      guard let index = utf8.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return nil }
      let next = utf8.index(after: index)
      if utf8[index] == 0x0D, next < utf8.endIndex, utf8[next] == 0x0A {
        utf8 = utf8[utf8.index(after: next)...]
      } else {
        utf8 = utf8[next...]
      }
      current += 1
    }
    let end = utf8.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) ?? utf8.endIndex
    return String(Substring(utf8[..<end]))
  }
}

extension SourceLines {
  /// The text of the 1-based lines `numbers` of a whole input, read once from the start
  /// (line breaks as in `line(_:in:)`); only the wanted lines are kept.
  public static func lines(_ numbers: Set<Int>, in source: any ByteSource) throws -> [Int: String] {
    guard let last = numbers.max() else { return [:] }
    var found: [Int: String] = [:]
    var current = 1
    var line: [UInt8] = []
    var afterCR = false
    var wanted = numbers.contains(current)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    func endLine() {
      if wanted { found[current] = String(decoding: line, as: UTF8.self) }
      line.removeAll(keepingCapacity: true)
      current += 1
      wanted = numbers.contains(current)
    }
    reading: while current <= last {
      let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      guard count > 0 else { break }
      for byte in buffer[..<count] {
        // CRLF is one break: the LF after a CR only ends the CR's line.
        if afterCR, byte == 0x0A {
          afterCR = false
          continue
        }
        afterCR = byte == 0x0D
        if byte == 0x0A || byte == 0x0D {
          endLine()
          if current > last { break reading }
        } else if wanted {
          line.append(byte)
        }
      }
    }
    if current <= last, wanted { found[current] = String(decoding: line, as: UTF8.self) }
    return found
  }
}
