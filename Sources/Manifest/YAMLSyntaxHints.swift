/// What libyaml said about a syntax error: its problem and context, with their marks.
struct YAMLSyntaxError {
  /// libyaml's problem text (`mapping values are not allowed in this context`).
  var problem: String
  /// Where libyaml noticed it.
  var problemMark: SourceMark
  /// libyaml's context text (`while scanning a quoted scalar`), when it gave one.
  var context: String?
  /// Where the context began.
  var contextMark: SourceMark?
}

/// Hints for the syntax errors people make most, which libyaml reports where it noticed them
/// rather than where they are: a tab in the indentation, a line indented to no level above it,
/// a quote never closed, a missing space after a key's colon, an unquoted value holding `: `.
/// Each hint comes with the mark of the cause, so the caret points at what to fix.
enum YAMLSyntaxHints {
  /// Where the cause is (the caret goes there), and what to do about it.
  typealias Cause = (mark: SourceMark, hint: String)

  /// The cause's mark and the hint, when the error is one of the common causes; `line` gives
  /// the text of a 1-based line (nil when it is no longer at hand).
  static func explain(_ error: YAMLSyntaxError, line: (Int) -> String?) -> Cause? {
    let finders: [(YAMLSyntaxError, (Int) -> String?) -> Cause?] = [
      tabIndentation, unclosedQuote, missingSpaceAfterColon, colonInPlainValue, overIndentedKey, indentationToNoLevel,
    ]
    for finder in finders {
      if let found = finder(error, line) { return found }
    }
    return nil
  }

  // MARK: The causes

  /// A tab in the leading whitespace of the line libyaml stopped at.
  static func tabIndentation(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    let number = error.problemMark.line
    guard let text = line(number) else { return nil }
    let leading = text.unicodeScalars.prefix { $0 == " " || $0 == "\t" }
    guard let tab = leading.firstIndex(of: "\t") else { return nil }
    let column = leading.distance(from: leading.startIndex, to: tab) + 1
    return (
      SourceMark(line: number, column: column),
      "line \(number) is indented with a tab; YAML indents with spaces only: replace the tab with spaces"
    )
  }

  /// A quoted scalar that runs to the end of the input (or into a document marker): the caret
  /// goes to the quote that opened it.
  static func unclosedQuote(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    guard error.context == "while scanning a quoted scalar", let opened = error.contextMark,
      let text = line(opened.line), let quote = scalar(at: opened.column, in: text), quote == "\"" || quote == "'"
    else { return nil }
    let escape = quote == "\"" ? "a \" inside it is written \\\"" : "a ' inside it is written ''"
    return (
      opened,
      "the \(quote == "\"" ? "double" : "single") quote here opens a value that is never closed: "
        + "end the value with \(quote) (\(escape))"
    )
  }

  /// `key:value` with no space after the colon: YAML reads the whole line as one string, and
  /// the error shows up on a later line.
  static func missingSpaceAfterColon(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    let problems = [
      "mapping values are not allowed in this context", "could not find expected ':'", "did not find expected key",
    ]
    guard problems.contains(error.problem) else { return nil }
    var candidates = [error.problemMark.line]
    if let previous = previousContentLine(before: error.problemMark.line, line) { candidates.append(previous) }
    if let context = error.contextMark?.line { candidates.append(context) }
    for number in candidates {
      guard let text = line(number), let (key, colon) = keyWithoutSpace(in: text) else { continue }
      let rest = String(text.unicodeScalars.dropFirst(colon))
      return (
        SourceMark(line: number, column: colon),
        "`\(key):\(rest)` has no space after the colon, so YAML reads it as one string, not a key and its value: "
          + "write `\(key): \(rest)`"
      )
    }
    return nil
  }

  /// An unquoted value that holds `: ` (`command: echo a: b`): YAML reads a second key.
  static func colonInPlainValue(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    guard error.problem == "mapping values are not allowed in this context", let text = line(error.problemMark.line)
    else { return nil }
    let before = String(text.unicodeScalars.prefix(error.problemMark.column - 1))
    guard let separator = before.firstRange(of: ": "), !before[separator.upperBound...].allSatisfy({ $0 == " " }) else {
      return nil
    }
    let key = before[..<separator.lowerBound].trimmingLeadingSpacesAndDashes
    return (
      error.problemMark,
      "the value of `\(key)` contains \": \", which YAML reads as another key: quote the whole value "
        + "(`\(key): \"...\"`)"
    )
  }

  /// A key indented deeper than the line above, whose value is already on that line
  /// (`replicas: 2` then `   selector:`): libyaml notices only at the colon.
  static func overIndentedKey(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    let number = error.problemMark.line
    guard error.problem == "mapping values are not allowed in this context", let text = line(number),
      let previous = previousContentLine(before: number, line), let above = line(previous)
    else { return nil }
    let indent = indentation(of: text)
    let siblings = contentIndentation(of: above)
    guard indent > siblings, hasInlineValue(above) else { return nil }
    return (
      SourceMark(line: number, column: indent + 1),
      "line \(number) is indented \(indent) spaces, deeper than line \(previous) (\(siblings) spaces), whose value is "
        + "already given on that line: indent it \(siblings) spaces to make it a key beside "
        + "`\(above.trimmingLeadingSpacesAndDashes.prefix { $0 != ":" })`"
    )
  }

  /// A line indented to no level of the block it is in: neither the block's own keys nor the
  /// line above.
  static func indentationToNoLevel(_ error: YAMLSyntaxError, _ line: (Int) -> String?) -> Cause? {
    let problems = ["did not find expected key", "did not find expected '-' indicator"]
    let number = error.problemMark.line
    guard problems.contains(error.problem), let block = error.contextMark, block.line < number,
      let text = line(number), let previous = previousContentLine(before: number, line), let above = line(previous)
    else { return nil }
    let indent = indentation(of: text)
    let blockIndent = block.column - 1
    let levels = Set([blockIndent, indentation(of: above), contentIndentation(of: above)])
    guard !levels.contains(indent) else { return nil }
    let aboveIndent = indentation(of: above)
    let lineAbove = previous == block.line ? "" : " and line \(previous) at \(aboveIndent)"
    return (
      SourceMark(line: number, column: indent + 1),
      "line \(number) is indented \(indent) spaces, which lines up with nothing above it: the block at line "
        + "\(block.line) is at \(blockIndent)\(lineAbove); indent it like the key it belongs beside"
    )
  }

  // MARK: Reading lines

  /// The nearest line before `number` that holds more than spaces or a comment.
  static func previousContentLine(before number: Int, _ line: (Int) -> String?) -> Int? {
    var candidate = number - 1
    while candidate >= 1, let text = line(candidate) {
      let content = text.drop { $0 == " " || $0 == "\t" }
      if !content.isEmpty, !content.hasPrefix("#") { return candidate }
      candidate -= 1
    }
    return nil
  }

  /// Leading spaces.
  static func indentation(of text: String) -> Int {
    text.unicodeScalars.prefix { $0 == " " }.count
  }

  /// Where a line's own content starts, past sequence dashes (`  - name: a` → 4).
  static func contentIndentation(of text: String) -> Int {
    var scalars = text.unicodeScalars[...]
    var count = 0
    while let first = scalars.first, first == " " || (first == "-" && scalars.dropFirst().first == " ") {
      scalars = scalars.dropFirst()
      count += 1
    }
    return count
  }

  /// Whether a `key: value` line has its value on the line (not `key:` opening a block, nor a
  /// block scalar `key: |`).
  static func hasInlineValue(_ text: String) -> Bool {
    guard let separator = text.firstRange(of: ": ") else { return false }
    let value = text[separator.upperBound...].drop { $0 == " " }
    guard let first = value.first else { return false }
    return first != "#" && first != "|" && first != ">" && first != "&"
  }

  /// A line whose key is followed by `:` and no space (`name:web`): the key and the column of
  /// the colon. URLs (`http://`) and times (`10:30`) after a real key separator never match:
  /// the line must hold no `: ` at all.
  static func keyWithoutSpace(in text: String) -> (key: String, colon: Int)? {
    let content = text.trimmingLeadingSpacesAndDashes
    guard !text.contains(": "), !text.hasSuffix(":"), let first = content.unicodeScalars.first,
      !"\"'[{#&*!|>%@`".unicodeScalars.contains(first)
    else { return nil }
    let key = content.unicodeScalars.prefix { $0 != ":" && $0 != " " }
    let afterKey = content.unicodeScalars.dropFirst(key.count)
    guard !key.isEmpty, afterKey.first == ":", let next = afterKey.dropFirst().first, next != " ", next != "/",
      next != ":", !key.allSatisfy({ ("0"..."9").contains($0) })
    else { return nil }
    let column = text.unicodeScalars.count - content.unicodeScalars.count + key.count + 1
    return (String(key), column)
  }

  /// The scalar at a 1-based column.
  static func scalar(at column: Int, in text: String) -> Unicode.Scalar? {
    let scalars = text.unicodeScalars
    guard column >= 1, column <= scalars.count else { return nil }
    return scalars[scalars.index(scalars.startIndex, offsetBy: column - 1)]
  }
}

extension StringProtocol {
  /// The text without its indentation and sequence dashes (`  - name: a` → `name: a`).
  fileprivate var trimmingLeadingSpacesAndDashes: Substring {
    var text = Substring(self)
    while let first = text.first, first == " " || (first == "-" && text.dropFirst().first == " ") {
      text = text.dropFirst()
    }
    return text
  }
}
