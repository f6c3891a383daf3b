/// kubectl's `-o jsonpath=TEMPLATE`, the subset people use: text with `{...}` expressions made of
/// `$`/`@`, `.field`, `['field']`, `[n]` (negative counts from the end), `[a:b]`, `[*]`,
/// filters `[?(@.path)]` and `[?(@.path=="value")]` (`==`, `!=`), string literals (`{"\n"}`)
/// and `{range EXPR}...{end}`. A template with no `{` is one expression (`.metadata.name`),
/// as kubectl relaxes it. Missing fields print nothing (kubectl's `get` allows missing keys);
/// several results are joined with a space; maps and lists print as compact JSON.
public struct JSONPathTemplate: Sendable {
  /// A template that cannot be read, with the reason.
  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the template.
    public var description: String
  }

  indirect enum Part: Sendable {
    case text(String)
    case expression([Step])
    case range([Step], [Part])
  }

  enum Step: Sendable, Equatable {
    case root
    case field(String)
    case wildcard
    case index(Int)
    case slice(Int?, Int?)
    case filter([Step], Comparison?)
  }

  struct Comparison: Sendable, Equatable {
    var equal: Bool
    var value: String
  }

  let parts: [Part]

  /// Reads `template`; throws `ParseError` for unbalanced braces, an unknown step or a
  /// `range` without `end`.
  public init(_ template: String) throws {
    let text = template.contains("{") ? template : "{\(template)}"
    var parser = TemplateParser(text: Array(text), template: template)
    parts = try parser.parseParts(untilEnd: false)
  }

  /// The text the template gives for `root`.
  public func render(_ root: Node) -> String {
    Self.render(parts, root: root, current: root)
  }

  static func render(_ parts: [Part], root: Node, current: Node) -> String {
    var out = ""
    for part in parts {
      switch part {
      case .text(let text): out += text
      case .expression(let steps):
        out += evaluate(steps, root: root, current: current).map(Self.text).joined(separator: " ")
      case .range(let steps, let body):
        for item in evaluate(steps, root: root, current: current) {
          out += render(body, root: root, current: item)
        }
      }
    }
    return out
  }

  /// A scalar's text; a map or list as compact JSON (what kubectl prints).
  static func text(_ node: Node) -> String {
    if let scalar = node.scalar { return scalar.kind == .null ? "" : scalar.text }
    return JSONEmitter.emit(node, pretty: false)
  }

  /// The nodes `steps` select, starting from `current` (a path written from `$` starts at the root).
  static func evaluate(_ steps: [Step], root: Node, current: Node) -> [Node] {
    var nodes = [current]
    for step in steps {
      nodes = nodes.flatMap { apply(step, to: $0, root: root) }
    }
    return nodes
  }

  static func apply(_ step: Step, to node: Node, root: Node) -> [Node] {
    switch step {
    case .root: return [root]
    case .field(let key): return node[key].map { [$0] } ?? []
    case .wildcard:
      if let items = node.sequence { return items }
      return node.mapping?.map(\.value) ?? []
    case .index(let index):
      guard let items = node.sequence else { return [] }
      let position = index < 0 ? items.count + index : index
      return items.indices.contains(position) ? [items[position]] : []
    case .slice(let start, let end):
      guard let items = node.sequence else { return [] }
      func clamp(_ value: Int?, _ fallback: Int) -> Int {
        guard let value else { return fallback }
        return min(max(value < 0 ? items.count + value : value, 0), items.count)
      }
      let lower = clamp(start, 0)
      let upper = clamp(end, items.count)
      return lower < upper ? Array(items[lower..<upper]) : []
    case .filter(let path, let comparison):
      let items = node.sequence ?? node.mapping?.map(\.value) ?? []
      return items.filter { item in
        let found = evaluate(path, root: root, current: item)
        guard let comparison else { return !found.isEmpty }
        return found.contains { text($0) == comparison.value } == comparison.equal
      }
    }
  }
}

/// A recursive-descent reader of templates.
private struct TemplateParser {
  let text: [Character]
  let template: String
  var position = 0

  init(text: [Character], template: String) {
    self.text = text
    self.template = template
  }

  func error(_ message: String) -> JSONPathTemplate.ParseError {
    JSONPathTemplate.ParseError(description: "jsonpath template \"\(template)\": \(message)")
  }

  /// Text and `{...}` parts up to the end (or, inside a range, up to its `{end}`).
  mutating func parseParts(untilEnd: Bool) throws -> [JSONPathTemplate.Part] {
    var parts: [JSONPathTemplate.Part] = []
    var literal = ""
    while position < text.count {
      let character = text[position]
      guard character == "{" else {
        literal.append(character)
        position += 1
        continue
      }
      guard let close = closingBrace(from: position) else { throw error("unclosed {") }
      let inside = String(text[(position + 1)..<close]).trimmingSpaces
      position = close + 1
      if !literal.isEmpty {
        parts.append(.text(literal))
        literal = ""
      }
      if inside == "end" {
        guard untilEnd else { throw error("{end} without {range}") }
        return parts
      }
      if inside.hasPrefix("range ") || inside.hasPrefix("range\t") {
        let steps = try Self.steps(String(inside.dropFirst(6)).trimmingSpaces, parser: self)
        parts.append(.range(steps, try parseParts(untilEnd: true)))
      } else if let quote = inside.first, quote == "\"" || quote == "'", inside.count >= 2, inside.last == quote {
        parts.append(.text(Self.unescape(String(inside.dropFirst().dropLast()))))
      } else {
        parts.append(.expression(try Self.steps(inside, parser: self)))
      }
    }
    if untilEnd { throw error("{range} without {end}") }
    if !literal.isEmpty { parts.append(.text(literal)) }
    return parts
  }

  /// The `}` that closes the `{` at `open`, skipping quoted text.
  func closingBrace(from open: Int) -> Int? {
    var quote: Character?
    var index = open + 1
    while index < text.count {
      let character = text[index]
      if let current = quote {
        if character == "\\" {
          index += 1
        } else if character == current {
          quote = nil
        }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == "}" {
        return index
      }
      index += 1
    }
    return nil
  }

  static func unescape(_ text: String) -> String {
    var out = ""
    var escaped = false
    for character in text {
      if escaped {
        switch character {
        case "n": out.append("\n")
        case "t": out.append("\t")
        case "r": out.append("\r")
        default: out.append(character)
        }
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        out.append(character)
      }
    }
    return out
  }

  /// The steps of one path expression (`.items[*].metadata.name`, `$.spec`, `@.name`).
  static func steps(_ expression: String, parser: TemplateParser) throws -> [JSONPathTemplate.Step] {
    let characters = Array(expression)
    var index = 0
    var steps: [JSONPathTemplate.Step] = []
    if index < characters.count, characters[index] == "$" {
      steps.append(.root)
      index += 1
    } else if index < characters.count, characters[index] == "@" {
      index += 1
    }
    while index < characters.count {
      switch characters[index] {
      case ".":
        index += 1
        if index < characters.count, characters[index] == "." { throw parser.error("recursive descent (..) is not supported") }
        var name = ""
        while index < characters.count, characters[index] != ".", characters[index] != "[" {
          if characters[index] == "\\", index + 1 < characters.count { index += 1 }
          name.append(characters[index])
          index += 1
        }
        if name == "*" {
          steps.append(.wildcard)
        } else if !name.isEmpty {
          steps.append(.field(name))
        }
      case "[":
        guard let close = matchingBracket(characters, from: index) else { throw parser.error("unclosed [") }
        steps.append(try bracket(String(characters[(index + 1)..<close]).trimmingSpaces, parser: parser))
        index = close + 1
      default:
        throw parser.error("unexpected \"\(characters[index])\" in \"\(expression)\"")
      }
    }
    return steps
  }

  static func matchingBracket(_ characters: [Character], from open: Int) -> Int? {
    var depth = 0
    var quote: Character?
    for index in open..<characters.count {
      let character = characters[index]
      if let current = quote {
        if character == current { quote = nil }
        continue
      }
      switch character {
      case "\"", "'": quote = character
      case "[": depth += 1
      case "]":
        depth -= 1
        if depth == 0 { return index }
      default: break
      }
    }
    return nil
  }

  static func bracket(_ inside: String, parser: TemplateParser) throws -> JSONPathTemplate.Step {
    if inside == "*" { return .wildcard }
    if let quote = inside.first, quote == "'" || quote == "\"", inside.count >= 2, inside.last == quote {
      return .field(String(inside.dropFirst().dropLast()))
    }
    if inside.hasPrefix("?(") && inside.hasSuffix(")") {
      return try filter(String(inside.dropFirst(2).dropLast()).trimmingSpaces, parser: parser)
    }
    if inside.contains(":") {
      let bounds = inside.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
      guard bounds.count == 2 else { throw parser.error("slice steps are not supported in [\(inside)]") }
      func bound(_ text: String) throws -> Int? {
        if text.isEmpty { return nil }
        guard let value = Int(text) else { throw parser.error("[\(inside)] is not a slice") }
        return value
      }
      return .slice(try bound(bounds[0]), try bound(bounds[1]))
    }
    guard let index = Int(inside) else { throw parser.error("[\(inside)] is not an index, '*', a quoted key or a filter") }
    return .index(index)
  }

  static func filter(_ condition: String, parser: TemplateParser) throws -> JSONPathTemplate.Step {
    for (symbol, equal) in [("==", true), ("!=", false)] {
      let characters = Array(condition)
      let width = symbol.count
      guard let at = (0..<max(0, characters.count - width + 1)).first(where: { String(characters[$0..<($0 + width)]) == symbol })
      else { continue }
      let path = String(characters[..<at]).trimmingSpaces
      var value = String(characters[(at + width)...]).trimmingSpaces
      if let quote = value.first, quote == "'" || quote == "\"", value.count >= 2, value.last == quote {
        value = String(value.dropFirst().dropLast())
      }
      return .filter(try steps(path, parser: parser), JSONPathTemplate.Comparison(equal: equal, value: value))
    }
    return .filter(try steps(condition, parser: parser), nil)
  }
}

extension StringProtocol {
  fileprivate var trimmingSpaces: String {
    var slice = Substring(self)
    while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
    return String(slice)
  }
}
