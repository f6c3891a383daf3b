// A parser for the subset of CEL (github.com/google/cel-spec, langdef.md) that CRD validation
// rules use: literals, `self`/variables, field selection, `has()`, indexing, list and map
// literals, the operators (`! - * / % + < <= > >= == != in && || ?:`), function and method
// calls, and the macros `all`, `exists`, `exists_one`, `filter`, `map`. What it does not know
// (bytes, message construction, unknown functions) makes the rule unsupported: counted as not
// checked, never guessed.

/// A parsed CEL expression.
indirect enum CELExpr: Sendable {
  /// A constant.
  case literal(CELValue)
  /// A variable (`self`, a macro's loop variable).
  case identifier(String)
  /// `operand.field`.
  case select(CELExpr, String)
  /// `has(operand.field)`.
  case presence(CELExpr, String)
  /// `operand[index]`.
  case index(CELExpr, CELExpr)
  /// `target.matches('literal pattern')`, the pattern compiled once.
  case matches(CELExpr, CELRegex)
  /// `function(arguments)` or `target.function(arguments)`.
  case call(String, target: CELExpr?, arguments: [CELExpr])
  /// `range.macro(variable, body)`.
  case comprehension(CELMacro, range: CELExpr, variable: String, body: CELExpr)
  /// `[a, b]`.
  case list([CELExpr])
  /// `{k: v}`.
  case map([(CELExpr, CELExpr)])
  /// `!a`, `-a`.
  case unary(String, CELExpr)
  /// `a op b` for the arithmetic, relational and `in` operators.
  case binary(String, CELExpr, CELExpr)
  /// `a && b`.
  case and(CELExpr, CELExpr)
  /// `a || b`.
  case or(CELExpr, CELExpr)
  /// `condition ? then : otherwise`.
  case conditional(CELExpr, CELExpr, CELExpr)
}

/// The comprehension macros.
enum CELMacro: String, Sendable {
  case all, exists, existsOne = "exists_one", filter, map
}

/// Why a rule is not evaluated.
struct CELUnsupported: Error, Sendable {
  /// What was not understood.
  var reason: String
}

/// Parses one CEL expression; throws `CELUnsupported` for text outside the subset.
struct CELParser {
  /// The functions and methods the evaluator implements (name → argument counts, target or not).
  static let functions: Set<String> = [
    "size", "contains", "startsWith", "endsWith", "matches", "substring", "split", "lowerAscii", "upperAscii",
    "trim", "int", "uint", "double", "string", "duration", "isIP", "dns1123Label", "dns1123Subdomain",
    "dns1035Label", "validate",
  ]

  private var tokens: [CELToken]
  private var position = 0
  private var depth = 0

  /// Parses `text`.
  static func parse(_ text: String) throws -> CELExpr {
    try parse(tokens: try CELLexer.tokens(text))
  }

  /// The most tokens a rule may have: operator chains parse into trees as deep as they are long,
  /// and evaluation recurses on them (the longest carried rule has about 600).
  static let maxTokens = 2000

  /// Parses the tokens of a text (`CELLexer.tokens`).
  static func parse(tokens: [CELToken]) throws -> CELExpr {
    guard tokens.count <= maxTokens else { throw CELUnsupported(reason: "longer than \(maxTokens) tokens") }
    var parser = CELParser(tokens: tokens)
    let expression = try parser.expression()
    guard parser.peek == .end else { throw CELUnsupported(reason: "unexpected \(parser.peek)") }
    return expression
  }

  private init(tokens: [CELToken]) {
    self.tokens = tokens
  }

  private var peek: CELToken { tokens[position] }

  private mutating func advance() -> CELToken {
    let token = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return token
  }

  private mutating func accept(_ symbol: String) -> Bool {
    guard peek == .symbol(symbol) else { return false }
    position += 1
    return true
  }

  private mutating func expect(_ symbol: String) throws {
    guard accept(symbol) else { throw CELUnsupported(reason: "expected `\(symbol)`, found \(peek)") }
  }

  // The grammar's levels, loosest first (langdef.md "Syntax").

  private mutating func expression() throws -> CELExpr {
    depth += 1
    defer { depth -= 1 }
    // Deep nesting is refused rather than recursed into (the spec requires 12 levels at least).
    guard depth < 64 else { throw CELUnsupported(reason: "nested too deeply") }
    let condition = try conditionalOr()
    guard accept("?") else { return condition }
    let then = try conditionalOr()
    try expect(":")
    return .conditional(condition, then, try expression())
  }

  private mutating func conditionalOr() throws -> CELExpr {
    var left = try conditionalAnd()
    while accept("||") { left = .or(left, try conditionalAnd()) }
    return left
  }

  private mutating func conditionalAnd() throws -> CELExpr {
    var left = try relation()
    while accept("&&") { left = .and(left, try relation()) }
    return left
  }

  private mutating func relation() throws -> CELExpr {
    var left = try addition()
    while true {
      if case .symbol(let op) = peek, ["<", "<=", ">", ">=", "==", "!="].contains(op) {
        position += 1
        left = .binary(op, left, try addition())
      } else if peek == .identifier("in") {
        position += 1
        left = .binary("in", left, try addition())
      } else {
        return left
      }
    }
  }

  private mutating func addition() throws -> CELExpr {
    var left = try multiplication()
    while case .symbol(let op) = peek, op == "+" || op == "-" {
      position += 1
      left = .binary(op, left, try multiplication())
    }
    return left
  }

  private mutating func multiplication() throws -> CELExpr {
    var left = try unary()
    while case .symbol(let op) = peek, op == "*" || op == "/" || op == "%" {
      position += 1
      left = .binary(op, left, try unary())
    }
    return left
  }

  private mutating func unary() throws -> CELExpr {
    if accept("!") { return .unary("!", try unary()) }
    if accept("-") {
      // A negative literal is one constant (so that -9223372036854775808 fits).
      if case .int(let text) = peek, let value = Int("-" + text) {
        position += 1
        return try postfix(.literal(.int(value)))
      }
      return .unary("-", try unary())
    }
    return try postfix(try primary())
  }

  private mutating func postfix(_ start: CELExpr) throws -> CELExpr {
    var operand = start
    while true {
      if accept(".") {
        guard case .identifier(let name) = advance() else { throw CELUnsupported(reason: "expected a field name") }
        if accept("(") {
          operand = try call(name, target: operand, arguments: try arguments())
        } else {
          operand = .select(operand, Self.fieldName(name))
        }
      } else if accept("[") {
        let index = try expression()
        try expect("]")
        operand = .index(operand, index)
      } else {
        return operand
      }
    }
  }

  private mutating func arguments() throws -> [CELExpr] {
    var list: [CELExpr] = []
    if accept(")") { return list }
    repeat { list.append(try expression()) } while accept(",")
    try expect(")")
    return list
  }

  /// A call, a macro or `has()`: macros are recognised by name and arity, as the spec says.
  private func call(_ name: String, target: CELExpr?, arguments: [CELExpr]) throws -> CELExpr {
    if let target, let macro = CELMacro(rawValue: name), arguments.count == 2,
      case .identifier(let variable) = arguments[0]
    {
      return .comprehension(macro, range: target, variable: variable, body: arguments[1])
    }
    if target == nil, name == "has" {
      guard arguments.count == 1, case .select(let operand, let field) = arguments[0] else {
        throw CELUnsupported(reason: "has() takes a field selection")
      }
      return .presence(operand, field)
    }
    guard Self.functions.contains(name) else { throw CELUnsupported(reason: "function \(name)()") }
    if name == "matches", let target, arguments.count == 1, case .literal(.string(let pattern)) = arguments[0] {
      return .matches(target, try CELRegex(pattern))
    }
    return .call(name, target: target, arguments: arguments)
  }

  private mutating func primary() throws -> CELExpr {
    switch advance() {
    case .int(let text):
      guard let value = Int(text) ?? hexadecimal(text).flatMap({ Int(exactly: $0) }) else {
        throw CELUnsupported(reason: "integer \(text)")
      }
      return .literal(.int(value))
    case .uint(let text):
      guard let value = UInt(text) ?? hexadecimal(text) else { throw CELUnsupported(reason: "integer \(text)") }
      return .literal(.uint(value))
    case .double(let value): return .literal(.double(value))
    case .string(let value): return .literal(.string(value))
    case .identifier(let name):
      switch name {
      case "true": return .literal(.bool(true))
      case "false": return .literal(.bool(false))
      case "null": return .literal(.null)
      default: break
      }
      if accept("(") { return try call(name, target: nil, arguments: try arguments()) }
      return .identifier(name)
    case .symbol("("):
      let inner = try expression()
      try expect(")")
      return inner
    case .symbol("["):
      var items: [CELExpr] = []
      while !accept("]") {
        items.append(try expression())
        if !accept(",") {
          try expect("]")
          break
        }
      }
      return .list(items)
    case .symbol("{"):
      var entries: [(CELExpr, CELExpr)] = []
      while !accept("}") {
        let key = try expression()
        try expect(":")
        entries.append((key, try expression()))
        if !accept(",") {
          try expect("}")
          break
        }
      }
      return .map(entries)
    case let token:
      throw CELUnsupported(reason: "unexpected \(token)")
    }
  }

  /// The property a selected name stands for: Kubernetes escapes property names that are CEL
  /// keywords or not identifiers (`__namespace__`, `__dash__`, `__dot__`, `__slash__`,
  /// `__underscores__`).
  static func fieldName(_ name: String) -> String {
    let keywords: Set<String> = [
      "as", "break", "const", "continue", "else", "false", "for", "function", "if", "import", "in", "let", "loop",
      "package", "namespace", "null", "return", "true", "var", "void", "while",
    ]
    if name.hasPrefix("__"), name.hasSuffix("__"), name.count > 4,
      keywords.contains(String(name.dropFirst(2).dropLast(2)))
    {
      return String(name.dropFirst(2).dropLast(2))
    }
    guard name.contains("__") else { return name }
    var result = ""
    var rest = Substring(name)
    let escapes = [("__underscores__", "__"), ("__dot__", "."), ("__dash__", "-"), ("__slash__", "/")]
    while !rest.isEmpty {
      if let (escape, meaning) = escapes.first(where: { rest.hasPrefix($0.0) }) {
        result += meaning
        rest = rest.dropFirst(escape.count)
      } else {
        result.append(rest.removeFirst())
      }
    }
    return result
  }

  private func hexadecimal(_ text: String) -> UInt? {
    guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
    return UInt(text.dropFirst(2), radix: 16)
  }
}

/// A CEL token.
enum CELToken: Equatable, Sendable, CustomStringConvertible {
  case identifier(String)
  case int(String)
  case uint(String)
  case double(Double)
  case string(String)
  case symbol(String)
  case end

  var description: String {
    switch self {
    case .identifier(let name): return "`\(name)`"
    case .int(let text), .uint(let text): return text
    case .double(let value): return "\(value)"
    case .string: return "a string"
    case .symbol(let symbol): return "`\(symbol)`"
    case .end: return "the end"
    }
  }
}

/// Splits CEL text into tokens (langdef.md "Lexical structure").
enum CELLexer {
  /// Symbols of one character, and those that may be followed by a second one.
  private static let single: Set<Unicode.Scalar> = [
    "?", ":", "+", "-", "*", "/", "%", ".", ",", "(", ")", "[", "]", "{", "}",
  ]
  private static let double: [Unicode.Scalar: (second: Unicode.Scalar, alone: Bool)] = [
    "&": ("&", false), "|": ("|", false), "<": ("=", true), ">": ("=", true), "=": ("=", false), "!": ("=", true),
  ]

  /// The tokens of `text`, ending with `.end`.
  static func tokens(_ text: String) throws -> [CELToken] {
    let scalars = Array(text.unicodeScalars)
    var tokens: [CELToken] = []
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
        i += 1
      } else if c == "/", i + 1 < scalars.count, scalars[i + 1] == "/" {
        while i < scalars.count, scalars[i] != "\n" { i += 1 }
      } else if isDigit(c) || (c == "." && i + 1 < scalars.count && isDigit(scalars[i + 1])) {
        tokens.append(try number(scalars, &i))
      } else if isLetter(c) {
        var name = ""
        while i < scalars.count, isLetter(scalars[i]) || isDigit(scalars[i]) {
          name.unicodeScalars.append(scalars[i])
          i += 1
        }
        let lower = name.lowercased()
        if i < scalars.count, scalars[i] == "\"" || scalars[i] == "'" {
          if lower == "r" {
            tokens.append(.string(try string(scalars, &i, raw: true)))
            continue
          }
          if lower == "b" { throw CELUnsupported(reason: "bytes literals") }
        }
        tokens.append(.identifier(name))
      } else if c == "\"" || c == "'" {
        tokens.append(.string(try string(scalars, &i, raw: false)))
      } else if let pair = double[c] {
        if i + 1 < scalars.count, scalars[i + 1] == pair.second {
          tokens.append(.symbol(String(c) + String(pair.second)))
          i += 2
        } else if pair.alone {
          tokens.append(.symbol(String(c)))
          i += 1
        } else {
          throw CELUnsupported(reason: "character `\(c)`")
        }
      } else if single.contains(c) {
        tokens.append(.symbol(String(c)))
        i += 1
      } else {
        throw CELUnsupported(reason: "character `\(c)`")
      }
    }
    tokens.append(.end)
    return tokens
  }

  private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
  private static func isLetter(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }

  private static func number(_ scalars: [Unicode.Scalar], _ i: inout Int) throws -> CELToken {
    var text = ""
    let isHex = scalars[i] == "0" && i + 1 < scalars.count && (scalars[i + 1] == "x" || scalars[i + 1] == "X")
    if isHex {
      text = "0x"
      i += 2
      while i < scalars.count, scalars[i].properties.isASCIIHexDigit {
        text.unicodeScalars.append(scalars[i])
        i += 1
      }
    } else {
      var isDouble = false
      while i < scalars.count {
        let c = scalars[i]
        if isDigit(c) {
          text.unicodeScalars.append(c)
        } else if c == ".", !isDouble, i + 1 < scalars.count, isDigit(scalars[i + 1]) {
          isDouble = true
          text.unicodeScalars.append(c)
        } else if c == "e" || c == "E" {
          isDouble = true
          text.unicodeScalars.append(c)
          if i + 1 < scalars.count, scalars[i + 1] == "+" || scalars[i + 1] == "-" {
            i += 1
            text.unicodeScalars.append(scalars[i])
          }
        } else {
          break
        }
        i += 1
      }
      if isDouble {
        guard let value = Double(text) else { throw CELUnsupported(reason: "number \(text)") }
        return .double(value)
      }
    }
    if i < scalars.count, scalars[i] == "u" || scalars[i] == "U" {
      i += 1
      return .uint(text)
    }
    return .int(text)
  }

  /// A quoted string (single, double, or triple quotes; `raw` without escapes).
  private static func string(_ scalars: [Unicode.Scalar], _ i: inout Int, raw: Bool) throws -> String {
    let quote = scalars[i]
    let triple = i + 2 < scalars.count && scalars[i + 1] == quote && scalars[i + 2] == quote
    i += triple ? 3 : 1
    var text = ""
    while i < scalars.count {
      let c = scalars[i]
      if c == quote {
        if !triple {
          i += 1
          return text
        }
        if i + 2 < scalars.count, scalars[i + 1] == quote, scalars[i + 2] == quote {
          i += 3
          return text
        }
      }
      if !triple, c == "\n" || c == "\r" { throw CELUnsupported(reason: "newline in a string") }
      if c == "\\", !raw {
        i += 1
        guard i < scalars.count else { break }
        text.unicodeScalars.append(try escape(scalars, &i))
        continue
      }
      text.unicodeScalars.append(c)
      i += 1
    }
    throw CELUnsupported(reason: "unterminated string")
  }

  private static func escape(_ scalars: [Unicode.Scalar], _ i: inout Int) throws -> Unicode.Scalar {
    let c = scalars[i]
    i += 1
    switch c {
    case "n": return "\n"
    case "t": return "\t"
    case "r": return "\r"
    case "a": return "\u{07}"
    case "b": return "\u{08}"
    case "f": return "\u{0C}"
    case "v": return "\u{0B}"
    case "\\", "'", "\"", "`", "?": return c
    case "u", "U", "x", "X":
      let count = c == "u" ? 4 : c == "U" ? 8 : 2
      guard i + count <= scalars.count else { throw CELUnsupported(reason: "escape") }
      var digits = ""
      for k in 0..<count { digits.unicodeScalars.append(scalars[i + k]) }
      i += count
      guard let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else {
        throw CELUnsupported(reason: "escape")
      }
      return scalar
    default:
      throw CELUnsupported(reason: "escape \\\(c)")
    }
  }
}
