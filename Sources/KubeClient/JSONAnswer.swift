/// An API answer read as the JSON it must be. meshctl reads JSON with its YAML reader, which
/// accepts more than JSON (`{"a"}`, line breaks and tabs inside strings, comments, anchors) and
/// reads some valid JSON differently: it refuses raw DEL, C1 controls, U+FFFE and U+FFFF in a
/// string and escaped surrogate pairs, folds a raw NEL into a space, and stops at a tab before
/// or after the value. So an answer is first checked against JSON's grammar (RFC 8259), and
/// what the YAML reader would read differently is rewritten into what it reads as JSON does
/// (an escape, a space for a tab outside the value), without moving any line. FuzzAPIAnswer
/// found the gap: a string holding raw line breaks was read (folded), and the tree written
/// back as JSON could not be read again.
enum JSONAnswer {
  /// Why a body is not JSON, with its line and column.
  struct Problem: Error, Equatable {
    /// What is wrong and where, e.g. `a raw line break inside a string at line 2, column 1`.
    let message: String
  }

  /// `body` as the YAML reader must see it to read the JSON value it holds; throws when it is
  /// not one JSON value. The body itself when nothing needs rewriting (the usual case).
  static func readable(_ body: [UInt8]) throws(Problem) -> [UInt8] {
    var scanner = Scanner(bytes: body)
    try scanner.scanValue()
    return scanner.result()
  }

  /// One pass over the body: the grammar check and the rewrites, in order.
  private struct Scanner {
    let bytes: [UInt8]
    var i = 0
    /// The rewritten text up to `copied`; nil while nothing was rewritten.
    private var out: [UInt8]?
    private var copied = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func result() -> [UInt8] {
      guard var out else { return bytes }
      out += bytes[copied...]
      return out
    }

    /// Replaces `range` of the body with `text` in the result.
    private mutating func rewrite(_ range: Range<Int>, _ text: String) {
      if out == nil { out = Array(bytes[..<range.lowerBound]) } else { out! += bytes[copied..<range.lowerBound] }
      out! += Array(text.utf8)
      copied = range.upperBound
    }

    private func fail(_ what: String, at position: Int) -> Problem {
      var line = 1
      var lineStart = 0
      for j in 0..<min(position, bytes.count) where bytes[j] == 0x0A {
        line += 1
        lineStart = j + 1
      }
      let column = bytes[lineStart..<min(position, bytes.count)].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
      return Problem(message: "not JSON: \(what) at line \(line), column \(column)")
    }

    /// Skips JSON's white space; a tab outside the value becomes a space (the YAML reader
    /// takes a tab at the start of a line outside a collection for a token).
    private mutating func skipSpace(outside: Bool = false) {
      while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) {
        if outside, bytes[i] == 0x09 { rewrite(i..<i + 1, " ") }
        i += 1
      }
    }

    /// The whole body: one value between white space.
    mutating func scanValue() throws(Problem) {
      skipSpace(outside: true)
      // Open collections, innermost last: `{` or `[`.
      var open: [UInt8] = []
      while true {
        // A collection that opens asks for its first element at once.
        if try scanOneValue(&open) { continue }
        // After a value: collections close, or a comma asks for the next element.
        while true {
          skipSpace(outside: open.isEmpty)
          guard let top = open.last else {
            guard i == bytes.count else { throw fail("more after the JSON value", at: i) }
            return
          }
          let closing = top == UInt8(ascii: "{") ? "}" : "]"
          guard i < bytes.count else { throw fail("the answer ends before its `\(closing)`", at: i) }
          let byte = bytes[i]
          i += 1
          if byte == UInt8(ascii: ",") {
            if top == UInt8(ascii: "{") { try scanKey() }
            break
          }
          guard byte == top + 2 else { throw fail("\(shown(byte)) where `,` or `\(closing)` should be", at: i - 1) }
          open.removeLast()  // `}` after `{`, `]` after `[`
        }
      }
    }

    /// A value; true when it opened a collection (pushed on `open`) whose first element follows.
    private mutating func scanOneValue(_ open: inout [UInt8]) throws(Problem) -> Bool {
      skipSpace()
      guard i < bytes.count else { throw fail("the answer ends where a value should be", at: i) }
      let byte = bytes[i]
      switch byte {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == byte + 2 {
          i += 1
          return false
        }
        open.append(byte)
        if byte == UInt8(ascii: "{") { try scanKey() }
        return true
      case UInt8(ascii: "\""): try scanString()
      case UInt8(ascii: "t"): try scanWord("true")
      case UInt8(ascii: "f"): try scanWord("false")
      case UInt8(ascii: "n"): try scanWord("null")
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
      default: throw fail("\(shown(byte)) where a value should be", at: i)
      }
      return false
    }

    /// `"key"` and its colon.
    private mutating func scanKey() throws(Problem) {
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
        throw fail(i < bytes.count ? "\(shown(bytes[i])) where a key (a string) should be" : "the answer ends where a key should be", at: i)
      }
      try scanString()
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("a key without `:` and a value", at: i) }
      i += 1
    }

    private mutating func scanWord(_ word: String) throws(Problem) {
      let expected = Array(word.utf8)
      guard bytes.count - i >= expected.count, bytes[i..<i + expected.count].elementsEqual(expected) else {
        throw fail("\(shown(bytes[i])) where a value should be", at: i)
      }
      i += expected.count
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func scanNumber() throws(Problem) {
      let start = i
      func digits(_ scanner: inout Scanner) -> Int {
        let from = scanner.i
        while scanner.i < scanner.bytes.count, (0x30...0x39).contains(scanner.bytes[scanner.i]) { scanner.i += 1 }
        return scanner.i - from
      }
      if bytes[i] == UInt8(ascii: "-") { i += 1 }
      let integer = i
      guard digits(&self) > 0, bytes[integer] != UInt8(ascii: "0") || i - integer == 1 else {
        throw fail("a malformed number", at: start)
      }
      if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
        i += 1
        guard digits(&self) > 0 else { throw fail("a malformed number", at: start) }
      }
      if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
        i += 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits(&self) > 0 else { throw fail("a malformed number", at: start) }
      }
    }

    /// A string from its opening quote to after its closing one.
    private mutating func scanString() throws(Problem) {
      let start = i
      i += 1
      while i < bytes.count {
        let byte = bytes[i]
        switch byte {
        case UInt8(ascii: "\""):
          i += 1
          return
        case UInt8(ascii: "\\"): try scanEscape()
        case 0x0A, 0x0D: throw fail("a raw line break inside a string", at: i)
        case 0x00..<0x20: throw fail("a raw control character (\(shown(byte))) inside a string", at: i)
        case 0x7F:
          rewrite(i..<i + 1, "\\u007F")
          i += 1
        case 0xC2 where i + 1 < bytes.count && (0x80...0x9F).contains(bytes[i + 1]):
          // C1 controls, NEL among them.
          rewrite(i..<i + 2, "\\u00" + hex(bytes[i + 1]))
          i += 2
        case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
          rewrite(i..<i + 3, bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")  // LS, PS
          i += 3
        case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF):
          rewrite(i..<i + 3, bytes[i + 2] == 0xBE ? "\\uFFFE" : "\\uFFFF")
          i += 3
        default: i += 1
        }
      }
      throw fail("a string that does not end", at: start)
    }

    /// One escape inside a string; a surrogate pair becomes YAML's `\U` escape of its
    /// character, a lone surrogate U+FFFD (as Go's encoding/json reads it).
    private mutating func scanEscape() throws(Problem) {
      guard i + 1 < bytes.count else { throw fail("a string that does not end", at: i) }
      switch bytes[i + 1] {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        i += 2
      case UInt8(ascii: "u"):
        guard let code = unit(at: i) else { throw fail("a malformed \\u escape", at: i) }
        switch code {
        case 0xD800..<0xDC00:
          if let low = unit(at: i + 6), (0xDC00..<0xE000).contains(low) {
            let scalar = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            let digits = String(scalar, radix: 16, uppercase: true)
            rewrite(i..<i + 12, "\\U" + String(repeating: "0", count: 8 - digits.count) + digits)
            i += 12
          } else {
            rewrite(i..<i + 6, "\\uFFFD")
            i += 6
          }
        case 0xDC00..<0xE000:
          rewrite(i..<i + 6, "\\uFFFD")
          i += 6
        default: i += 6
        }
      default: throw fail("an escape JSON does not have (\\\(shown(bytes[i + 1])))", at: i)
      }
    }

    /// The code unit of a `\uXXXX` escape at `position`, if one is there.
    private func unit(at position: Int) -> Int? {
      guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
      else { return nil }
      var value = 0
      for byte in bytes[position + 2..<position + 6] {
        let digit: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
        default: return nil
        }
        value = value * 16 + Int(digit)
      }
      return value
    }

    private func hex(_ byte: UInt8) -> String {
      let digits = String(byte, radix: 16, uppercase: true)
      return digits.count < 2 ? "0" + digits : digits
    }

    /// A byte as a message shows it: `'x'` when printable ASCII, else `0xNN`.
    private func shown(_ byte: UInt8) -> String {
      (0x21..<0x7F).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "0x\(hex(byte))"
    }
  }
}
