/// Writes documents back as a stream: a document nothing changed is its exact source text; a
/// changed one is its source text with only the changed nodes rewritten (`SurgicalEmitter`), or,
/// when no such edit gives the new tree, its `---` line and leading comments, then its tree in
/// block style.
public enum StreamWriter {
  /// The text for one document of a stream; `replacement` is its new tree, nil when unchanged.
  public static func text(of document: Document, replacement: Node?) -> String {
    guard let replacement else { return document.sourceText }
    let verify = readsSpliceBack(document.sourceText)
    if let spliced = SurgicalEmitter.splice(document, to: replacement, verify: verify) {
      return spliced
    }
    var prefix = leadingLines(of: document.sourceText)
    if document.index > 0, !prefix.contains("---") { prefix = "---\n" + prefix }
    return prefix + YAMLEmitter.emit(replacement)
  }

  /// Whether a splice into `text` is read back before it is written (and the document written
  /// whole when it does not read back as the new tree). Only for texts that hold what real
  /// manifests rarely do and what the emitter's fuzzing keeps finding edge cases in: a tab, a
  /// line break that is a lone CR, a tag (`!`), an explicit key (`?`), a last line without its
  /// line break. Other texts are not read twice, so the common case pays nothing.
  static func readsSpliceBack(_ text: String) -> Bool {
    var previous: UInt8 = 0x0A
    for byte in text.utf8 {
      switch byte {
      case 0x09, 0x21, 0x3F: return true
      case 0x0A: break
      default: if previous == 0x0D { return true }
      }
      previous = byte
    }
    return previous != 0x0A
  }

  /// The text that joins a document to what was written before it, from another file or
  /// stream: a line break if the earlier text lacks one, and `---` unless the document starts
  /// with its own separator.
  public static func joint(after previous: String?, before text: String) -> String {
    guard let previous, !previous.isEmpty else { return "" }
    let lineBreak = previous.hasSuffix("\n") ? "" : "\n"
    return leadingLines(of: text).contains("---") ? lineBreak : lineBreak + "---\n"
  }

  /// The separator, blank and comment lines before a document's content. Stops at the first
  /// content line, so it costs the length of the prefix, not of the document.
  static func leadingLines(of text: String) -> String {
    var kept = ""
    var rest = Substring(text)
    while !rest.isEmpty {
      let end = rest.firstIndex(of: "\n") ?? rest.endIndex
      let line = rest[..<end]
      let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
      let isSeparator = trimmed.hasPrefix("---") && (trimmed.count == 3 || trimmed.dropFirst(3).first == " ")
      guard trimmed.isEmpty || trimmed.hasPrefix("#") || isSeparator || trimmed == "\r" else { break }
      // `--- # note` or `--- {a: 1}`: keep the separator only.
      kept += isSeparator && trimmed.count > 3 ? "---\n" : line + "\n"
      rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
    }
    return kept
  }
}
