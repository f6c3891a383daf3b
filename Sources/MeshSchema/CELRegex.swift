// The regular expressions of CEL's `matches()` (RE2 syntax), run without backtracking: the
// pattern compiles to a small program that a Pike VM runs over the text in time proportional to
// text length × program size, charged to the rule's step budget. The RE2 subset: literals, `.`,
// classes (`[a-z_]`, `[^/]`, `\d \w \s` and their negations), groups (`( )`, `(?: )`), `|`,
// `* + ?`, `{n}`, `{n,}`, `{n,m}` (lazy forms too: they match the same texts), `^`, `$`, and a
// leading `(?i)`. Anything else (backreferences do not exist in RE2; look-arounds, named
// classes, flags elsewhere) throws, and the rule stays unevaluated.

/// A compiled pattern.
struct CELRegex: Sendable {
  /// One instruction of the program.
  enum Instruction: Sendable {
    case scalar(Unicode.Scalar)
    case set(CharacterSet)
    case any
    case split(Int, Int)
    case jump(Int)
    case lineStart
    case lineEnd
    case match
  }

  /// A set of scalars: ranges, possibly negated.
  struct CharacterSet: Sendable {
    var ranges: [ClosedRange<UInt32>]
    var negated: Bool

    func contains(_ c: Unicode.Scalar) -> Bool {
      ranges.contains { $0.contains(c.value) } != negated
    }
  }

  /// The most instructions a program may have (bounded repeats are expanded).
  static let maxProgram = 4000

  private(set) var program: [Instruction] = []
  private var caseInsensitive = false

  /// Compiles `pattern`; throws `CELUnsupported` outside the subset.
  init(_ pattern: String) throws {
    var parser = Parser(scalars: Array(pattern.unicodeScalars))
    let tree = try parser.alternation()
    guard parser.atEnd else { throw CELUnsupported(reason: "regex: unexpected `)`") }
    caseInsensitive = parser.caseInsensitive
    try emit(tree)
    program.append(.match)
  }

  /// Whether the pattern matches anywhere in `text` (RE2 semantics: unanchored unless `^`/`$`).
  func search(_ text: String, budget: inout Int) throws -> Bool {
    let input = Array(text.unicodeScalars)
    var current = ThreadList(size: program.count)
    var next = ThreadList(size: program.count)
    for position in 0...input.count {
      // A new thread at every position: the search is unanchored.
      add(0, to: &current, at: position, count: input.count)
      budget -= current.items.count + 1
      if budget < 0 { throw CELEvaluationError.budget }
      for pc in current.items {
        switch program[pc] {
        case .match: return true
        case .scalar(let c):
          if position < input.count, same(input[position], c) {
            add(pc + 1, to: &next, at: position + 1, count: input.count)
          }
        case .set(let set):
          if position < input.count, inSet(input[position], set) {
            add(pc + 1, to: &next, at: position + 1, count: input.count)
          }
        case .any:
          if position < input.count, input[position] != "\n" {
            add(pc + 1, to: &next, at: position + 1, count: input.count)
          }
        default: break
        }
      }
      swap(&current, &next)
      next.clear()
    }
    return false
  }

  private func same(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
    a == b || (caseInsensitive && Self.fold(a) == Self.fold(b))
  }

  private func inSet(_ c: Unicode.Scalar, _ set: CharacterSet) -> Bool {
    guard caseInsensitive else { return set.contains(c) }
    let folded = Self.fold(c)
    let other = folded.value >= 0x61 && folded.value <= 0x7A ? Unicode.Scalar(folded.value - 0x20)! : folded
    if set.negated { return set.contains(folded) && set.contains(other) }
    return set.contains(folded) || set.contains(other)
  }

  private static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
    c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 0x20)! : c
  }

  /// Follows jumps, splits and assertions from `pc`, adding the threads that consume input.
  private func add(_ pc: Int, to list: inout ThreadList, at position: Int, count: Int) {
    var stack = [pc]
    while let pc = stack.popLast() {
      guard list.insert(pc) else { continue }
      switch program[pc] {
      case .jump(let target): stack.append(target)
      case .split(let first, let second):
        stack.append(second)
        stack.append(first)
      case .lineStart: if position == 0 { stack.append(pc + 1) }
      case .lineEnd: if position == count { stack.append(pc + 1) }
      default: break
      }
    }
  }

  /// A sparse set of program counters, in insertion order.
  private struct ThreadList {
    var items: [Int] = []
    var member: [Bool]

    init(size: Int) {
      member = [Bool](repeating: false, count: size)
    }

    mutating func insert(_ pc: Int) -> Bool {
      if member[pc] { return false }
      member[pc] = true
      items.append(pc)
      return true
    }

    mutating func clear() {
      for pc in items { member[pc] = false }
      items.removeAll(keepingCapacity: true)
    }
  }

  // MARK: - Compiling

  indirect enum Tree {
    case empty
    case scalar(Unicode.Scalar)
    case set(CharacterSet)
    case any
    case lineStart
    case lineEnd
    case concatenation([Tree])
    case alternation([Tree])
    case repeated(Tree, min: Int, max: Int?)
  }

  private mutating func emit(_ tree: Tree) throws {
    guard program.count < Self.maxProgram else { throw CELUnsupported(reason: "regex too large") }
    switch tree {
    case .empty: break
    case .scalar(let c): program.append(.scalar(c))
    case .set(let set): program.append(.set(set))
    case .any: program.append(.any)
    case .lineStart: program.append(.lineStart)
    case .lineEnd: program.append(.lineEnd)
    case .concatenation(let parts): for part in parts { try emit(part) }
    case .alternation(let branches):
      var jumps: [Int] = []
      for (index, branch) in branches.enumerated() {
        if index < branches.count - 1 {
          let split = program.count
          program.append(.split(split + 1, 0))
          try emit(branch)
          jumps.append(program.count)
          program.append(.jump(0))
          program[split] = .split(split + 1, program.count)
        } else {
          try emit(branch)
        }
      }
      for jump in jumps { program[jump] = .jump(program.count) }
    case .repeated(let inner, let min, let max):
      for _ in 0..<min { try emit(inner) }
      if let max {
        // Each optional copy may be skipped to the end.
        var splits: [Int] = []
        for _ in min..<max {
          splits.append(program.count)
          program.append(.split(program.count + 1, 0))
          try emit(inner)
        }
        for split in splits { program[split] = .split(split + 1, program.count) }
      } else {
        let loop = program.count
        program.append(.split(loop + 1, 0))
        try emit(inner)
        program.append(.jump(loop))
        program[loop] = .split(loop + 1, program.count)
      }
    }
  }

  /// A recursive-descent reader of the pattern.
  private struct Parser {
    let scalars: [Unicode.Scalar]
    var position = 0
    var depth = 0
    /// Set by a `(?i)` at the start (after `^` at most), where it covers the whole pattern.
    var caseInsensitive = false

    var atEnd: Bool { position >= scalars.count }

    mutating func consume(_ text: String) -> Bool {
      let wanted = Array(text.unicodeScalars)
      guard position + wanted.count <= scalars.count,
        (0..<wanted.count).allSatisfy({ scalars[position + $0] == wanted[$0] })
      else { return false }
      position += wanted.count
      return true
    }

    mutating func alternation() throws -> Tree {
      depth += 1
      defer { depth -= 1 }
      guard depth < 32 else { throw CELUnsupported(reason: "regex nested too deeply") }
      var branches = [try concatenation()]
      while consume("|") { branches.append(try concatenation()) }
      return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func concatenation() throws -> Tree {
      var parts: [Tree] = []
      while !atEnd, scalars[position] != "|", scalars[position] != ")" {
        parts.append(try quantified(try atom()))
      }
      return parts.isEmpty ? .empty : parts.count == 1 ? parts[0] : .concatenation(parts)
    }

    mutating func quantified(_ atom: Tree) throws -> Tree {
      var tree = atom
      while !atEnd {
        let bounds: (Int, Int?)
        if consume("*") {
          bounds = (0, nil)
        } else if consume("+") {
          bounds = (1, nil)
        } else if consume("?") {
          bounds = (0, 1)
        } else if scalars[position] == "{", let counted = try counted() {
          bounds = counted
        } else {
          break
        }
        _ = consume("?")  // lazy: the same set of matching texts
        if case .repeated = tree { throw CELUnsupported(reason: "regex: nested quantifier") }
        tree = .repeated(tree, min: bounds.0, max: bounds.1)
      }
      return tree
    }

    /// `{n}`, `{n,}`, `{n,m}`; nil (a literal `{`) when it is not one.
    mutating func counted() throws -> (Int, Int?)? {
      let start = position
      position += 1
      func number() -> Int? {
        var digits = ""
        while !atEnd, scalars[position].properties.numericType != nil, scalars[position].isASCII {
          digits.unicodeScalars.append(scalars[position])
          position += 1
        }
        return Int(digits)
      }
      guard let low = number() else {
        position = start
        return nil
      }
      var high: Int? = low
      if consume(",") { high = number() }
      guard consume("}") else {
        position = start
        return nil
      }
      guard low <= 1000, high.map({ $0 >= low && $0 <= 1000 }) ?? true else {
        throw CELUnsupported(reason: "regex repeat count")
      }
      return (low, high)
    }

    mutating func atom() throws -> Tree {
      let c = scalars[position]
      position += 1
      switch c {
      case "(":
        let opening = position - 1
        if consume("?i)") {
          guard opening == 0 || (opening == 1 && scalars[0] == "^") else {
            throw CELUnsupported(reason: "regex flags inside the pattern")
          }
          caseInsensitive = true
          return .empty
        }
        if consume("?:") {
        } else if !atEnd, scalars[position] == "?" {
          throw CELUnsupported(reason: "regex group flags")
        }
        let inner = try alternation()
        guard consume(")") else { throw CELUnsupported(reason: "regex: missing `)`") }
        // A group is one operand: `(a*)*` repeats the group, which is not a nested quantifier.
        return .concatenation([inner])
      case "[": return .set(try set())
      case ".": return .any
      case "^": return .lineStart
      case "$": return .lineEnd
      case "\\": return try escape(inClass: false)
      case "*", "+", "?": throw CELUnsupported(reason: "regex: quantifier without operand")
      default: return .scalar(c)
      }
    }

    mutating func escape(inClass: Bool) throws -> Tree {
      guard !atEnd else { throw CELUnsupported(reason: "regex: trailing backslash") }
      let c = scalars[position]
      position += 1
      let digit: [ClosedRange<UInt32>] = [0x30...0x39]
      let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
      let space: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
      switch c {
      case "d": return .set(CharacterSet(ranges: digit, negated: false))
      case "D": return .set(CharacterSet(ranges: digit, negated: true))
      case "w": return .set(CharacterSet(ranges: word, negated: false))
      case "W": return .set(CharacterSet(ranges: word, negated: true))
      case "s": return .set(CharacterSet(ranges: space, negated: false))
      case "S": return .set(CharacterSet(ranges: space, negated: true))
      case "n": return .scalar("\n")
      case "t": return .scalar("\t")
      case "r": return .scalar("\r")
      default:
        // Only punctuation may be escaped to stand for itself (RE2 refuses `\q`).
        guard c.isASCII, !(c.properties.isAlphabetic || c.properties.numericType != nil) else {
          throw CELUnsupported(reason: "regex escape \\\(c)")
        }
        return .scalar(c)
      }
    }

    mutating func set() throws -> CharacterSet {
      var ranges: [ClosedRange<UInt32>] = []
      let negated = consume("^")
      var first = true
      while !atEnd, scalars[position] != "]" || first {
        first = false
        if consume("[:") { throw CELUnsupported(reason: "regex named classes") }
        let low: Unicode.Scalar
        if scalars[position] == "\\" {
          position += 1
          switch try escape(inClass: true) {
          case .scalar(let c): low = c
          case .set(let inner) where !inner.negated:
            ranges += inner.ranges
            continue
          default: throw CELUnsupported(reason: "regex class escape")
          }
        } else {
          low = scalars[position]
          position += 1
        }
        if position + 1 < scalars.count, scalars[position] == "-", scalars[position + 1] != "]" {
          position += 1
          var high = scalars[position]
          position += 1
          if high == "\\" {
            guard case .scalar(let c) = try escape(inClass: true) else { throw CELUnsupported(reason: "regex range") }
            high = c
          }
          guard low.value <= high.value else { throw CELUnsupported(reason: "regex range") }
          ranges.append(low.value...high.value)
        } else {
          ranges.append(low.value...low.value)
        }
      }
      guard consume("]") else { throw CELUnsupported(reason: "regex: missing `]`") }
      return CharacterSet(ranges: ranges, negated: negated)
    }
  }
}
