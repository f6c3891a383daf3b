/// Resolves plain scalars to types the way the Kubernetes API machinery reads YAML
/// (sigs.k8s.io/yaml on go-yaml v2, i.e. YAML 1.1): `yes`, `on`, `y` are booleans, `0755` is
/// octal, `1_000` is an integer. Quoted and block scalars are always strings.
public enum YAMLResolver {
  /// The kind a plain scalar with this text resolves to.
  public static func kind(ofPlain text: String) -> Scalar.Kind {
    var text = text
    return text.withUTF8 { kind(ofPlain: $0) }
  }

  /// The kind a plain scalar with these UTF-8 bytes resolves to.
  public static func kind(ofPlain bytes: UnsafeBufferPointer<UInt8>) -> Scalar.Kind {
    guard let first = bytes.first else { return .null }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
      return numberKind(bytes) ?? .string
    case UInt8(ascii: "~"):
      return bytes.count == 1 ? .null : .string
    case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
      UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
      UInt8(ascii: "o"), UInt8(ascii: "O"):
      return wordKind(bytes)
    default:
      return .string
    }
  }

  /// Spellings of null.
  public static let nullWords: Set<String> = ["null", "Null", "NULL", "~", ""]
  /// Spellings of true in YAML 1.1.
  public static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
  /// Spellings of false in YAML 1.1.
  public static let falseWords: Set<String> = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
  ]
  /// The YAML 1.1 boolean spellings that YAML 1.2 and JSON read as strings: the ones people
  /// mean as strings and get bitten by (`country: NO`).
  public static let ambiguousBooleans: Set<String> = trueWords.union(falseWords).subtracting(
    ["true", "True", "TRUE", "false", "False", "FALSE"])

  /// The boolean value of a boolean spelling.
  public static func boolValue(of text: String) -> Bool? {
    if trueWords.contains(text) { return true }
    if falseWords.contains(text) { return false }
    return nil
  }

  /// The value of an integer spelling (decimal, `0x` hex, `0o`/leading-zero octal, `0b` binary,
  /// underscores allowed); nil when it overflows.
  public static func intValue(of text: String) -> Int? {
    if let value = plainDecimalValue(of: text) { return value }
    var digits = String(text.filter { $0 != "_" })
    var negative = false
    if digits.hasPrefix("-") || digits.hasPrefix("+") {
      negative = digits.hasPrefix("-")
      digits.removeFirst()
    }
    var radix = 10
    if digits.hasPrefix("0x") {
      radix = 16
      digits.removeFirst(2)
    } else if digits.hasPrefix("0o") {
      radix = 8
      digits.removeFirst(2)
    } else if digits.hasPrefix("0b") {
      radix = 2
      digits.removeFirst(2)
    } else if digits.count > 1, digits.hasPrefix("0") {
      radix = 8
      digits.removeFirst()
    }
    guard let magnitude = Int(digits, radix: radix) else { return nil }
    return negative ? -magnitude : magnitude
  }

  /// The value of the common spelling, `0` or digits without a leading zero (at most 18, so
  /// it cannot overflow), read without copying; nil for anything else.
  private static func plainDecimalValue(of text: String) -> Int? {
    let utf8 = text.utf8
    guard let first = utf8.first, utf8.count <= 18, first >= 0x31 || utf8.count == 1 else { return nil }
    var value = 0
    for byte in utf8 {
      guard byte >= 0x30, byte <= 0x39 else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    return value
  }

  /// The value of a float spelling, including `.inf` and `.nan`.
  public static func floatValue(of text: String) -> Double? {
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: return Double(String(text.filter { $0 != "_" }))
    }
  }

  /// Whether a string would be read back as a timestamp, which Kubernetes turns into an
  /// RFC 3339 string with a different spelling: such strings must be quoted on output.
  public static func looksLikeTimestamp(_ text: String) -> Bool {
    let bytes = Array(text.utf8.prefix(11))
    guard bytes.count >= 8 else { return false }
    func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    // YYYY-M(M)-D(D)...
    guard bytes[0...3].allSatisfy(isDigit), bytes[4] == UInt8(ascii: "-") else { return false }
    return isDigit(bytes[5])
  }

  private static let specialFloatSpellings = [
    ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
  ].map(packed)

  /// A word of at most 7 bytes as one number: its bytes, first lowest, and its length on top.
  private static func packed(_ bytes: some Collection<UInt8>) -> UInt64 {
    var value = UInt64(bytes.count) << 56
    for (index, byte) in bytes.prefix(7).enumerated() { value |= UInt64(byte) << (8 * index) }
    return value
  }

  private static func packed(_ word: String) -> UInt64 { packed(word.utf8) }

  /// Whether the bytes (at most 7) spell one of the words: one integer comparison per word,
  /// without making a String (this runs per scalar).
  private static func matchesAny(_ bytes: UnsafeBufferPointer<UInt8>, _ words: [UInt64]) -> Bool {
    guard bytes.count <= 7 else { return false }
    var value = UInt64(bytes.count) << 56
    for index in 0..<bytes.count { value |= UInt64(bytes[index]) << (8 * index) }
    return words.contains(value)
  }

  /// The kind of a plain scalar that starts like a null or boolean word: the words are
  /// compared by length first, without the tables (this runs for most keys and many values).
  private static func wordKind(_ bytes: UnsafeBufferPointer<UInt8>) -> Scalar.Kind {
    func spells(_ word: StaticString) -> Bool {
      word.utf8CodeUnitCount == bytes.count && (0..<bytes.count).allSatisfy { word.utf8Start[$0] == bytes[$0] }
    }
    switch bytes.count {
    case 1:
      return spells("y") || spells("Y") || spells("n") || spells("N") ? .bool : .string
    case 2:
      let isBool = spells("on") || spells("On") || spells("ON") || spells("no") || spells("No") || spells("NO")
      return isBool ? .bool : .string
    case 3:
      let isBool = spells("yes") || spells("Yes") || spells("YES") || spells("off") || spells("Off") || spells("OFF")
      return isBool ? .bool : .string
    case 4:
      if spells("null") || spells("Null") || spells("NULL") { return .null }
      return spells("true") || spells("True") || spells("TRUE") ? .bool : .string
    case 5:
      return spells("false") || spells("False") || spells("FALSE") ? .bool : .string
    default:
      return .string
    }
  }

  private static func numberKind(_ bytes: UnsafeBufferPointer<UInt8>) -> Scalar.Kind? {
    // Every special spelling (`.inf`, `-.Inf`, `.nan`, ...) is 4 or 5 bytes with a `.` first or
    // second: most numbers skip the table.
    if bytes.count >= 4, bytes.count <= 5, bytes[0] == UInt8(ascii: ".") || bytes[1] == UInt8(ascii: "."),
      matchesAny(bytes, specialFloatSpellings)
    {
      return .float
    }
    if isIntegerSpelling(bytes) { return .int }
    if isFloatSpelling(bytes) { return .float }
    return nil
  }

  /// `[-+]?` then digits (with `_`), or `0x`/`0o`/`0b` forms.
  private static func isIntegerSpelling(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { i = 1 }
    guard i < bytes.count else { return false }
    var allowed: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
    if bytes.count - i > 2, bytes[i] == UInt8(ascii: "0") {
      switch bytes[i + 1] {
      case UInt8(ascii: "x"):
        allowed = { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
        i += 2
      case UInt8(ascii: "o"):
        allowed = { $0 >= 48 && $0 <= 55 }
        i += 2
      case UInt8(ascii: "b"):
        allowed = { $0 == 48 || $0 == 49 }
        i += 2
      default: break
      }
    }
    var sawDigit = false
    while i < bytes.count {
      let b = bytes[i]
      if allowed(b) {
        sawDigit = true
      } else if b != UInt8(ascii: "_") {
        return false
      }
      i += 1
    }
    return sawDigit
  }

  /// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`
  private static func isFloatSpelling(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = bytes.count
    func digit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { i = 1 }
    var mantissaDigits = 0
    while i < n, digit(bytes[i]) || bytes[i] == UInt8(ascii: "_") {
      if digit(bytes[i]) { mantissaDigits += 1 }
      i += 1
    }
    if i < n, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < n, digit(bytes[i]) || bytes[i] == UInt8(ascii: "_") {
        if digit(bytes[i]) { mantissaDigits += 1 }
        i += 1
      }
    }
    guard mantissaDigits > 0 else { return false }
    if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
      var exponentDigits = 0
      while i < n, digit(bytes[i]) {
        exponentDigits += 1
        i += 1
      }
      guard exponentDigits > 0 else { return false }
    }
    return i == n
  }
}
