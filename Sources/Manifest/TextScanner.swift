/// Finds, across chunks, the first character libyaml's reader will refuse: invalid UTF-8, or a
/// code point YAML does not allow (control characters, surrogates, U+FFFE/U+FFFF). libyaml
/// decodes its whole read-ahead at once and fails on such a character before parsing what
/// precedes it; the reader holds those bytes back until libyaml has consumed the rest, so the
/// error, and the documents delivered before it, never depend on how the input was chunked.
struct TextScanner {
  /// Bytes of the current multi-byte character seen so far, and how many it has in all.
  private var partial: [UInt8] = []
  private var length = 0

  /// The index in `bytes` where the first refused character starts (0 when it began in an
  /// earlier chunk), or nil when every character is allowed or still incomplete.
  mutating func firstRefused(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    while index < bytes.count {
      if length == 0, let end = Self.endOfPrintableASCII(in: bytes, from: index), end > index {
        index = end
        continue
      }
      let byte = bytes[index]
      defer { index += 1 }
      if length == 0 {
        switch byte {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E: continue
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return index  // C0 controls, DEL, stray continuation, invalid lead bytes
        }
        partial = [byte]
        continue
      }
      guard byte & 0xC0 == 0x80 else { return max(0, index - partial.count) }
      partial.append(byte)
      guard partial.count == length else { continue }
      let start = index + 1 - length
      defer { length = 0 }
      guard let scalar = Self.decode(partial), Self.isAllowed(scalar) else { return max(0, start) }
    }
    return nil
  }

  /// Where the run of printable ASCII (and tabs, LF, CR) that starts at `start` ends, checking
  /// eight bytes at a time: nearly all manifest text is such a run, and the scan runs on every
  /// byte of the input. The per-byte tests below never carry between bytes, so they are exact.
  private static func endOfPrintableASCII(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    var index = start
    while index + 8 <= bytes.count {
      if !isAllowedASCII(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
        // Something else in this word: find it byte by byte.
        var offset = 0
        while offset < 8 {
          switch bytes[index + offset] {
          case 0x09, 0x0A, 0x0D, 0x20...0x7E: offset += 1
          default: return index + offset
          }
        }
      }
      index += 8
    }
    return index
  }

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let highs: UInt64 = 0x8080_8080_8080_8080
  private static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

  /// Whether all eight bytes are tab, LF, CR or 0x20...0x7E.
  private static func isAllowedASCII(_ word: UInt64) -> Bool {
    guard word & highs == 0 else { return false }
    // High bit of each byte set when the byte is at least 0x20 (no byte exceeds 0x7F here).
    let printable = (word &+ ones &* 0x60) & highs
    let allowed = printable | equal(word, 0x0A) | equal(word, 0x09) | equal(word, 0x0D)
    return allowed == highs && equal(word, 0x7F) == 0
  }

  /// The high bit of each byte of `word` that equals `byte` (bytes below 0x80).
  private static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
    let difference = word ^ (ones &* UInt64(byte))
    // A byte is zero exactly when adding 0x7F to it leaves its high bit clear.
    return ~(difference &+ lows) & highs
  }

  /// The code point of a complete sequence, nil when it is overlong or out of range.
  private static func decode(_ bytes: [UInt8]) -> UInt32? {
    var value = UInt32(bytes[0]) & (bytes.count == 2 ? 0x1F : bytes.count == 3 ? 0x0F : 0x07)
    for byte in bytes.dropFirst() { value = value << 6 | UInt32(byte & 0x3F) }
    let minimum: UInt32 = bytes.count == 2 ? 0x80 : bytes.count == 3 ? 0x800 : 0x10000
    return value >= minimum && value <= 0x10FFFF ? value : nil
  }

  /// YAML's printable characters above ASCII (NEL, and everything but C1 controls, surrogates
  /// and U+FFFE/U+FFFF).
  private static func isAllowed(_ scalar: UInt32) -> Bool {
    scalar == 0x85 || (0xA0...0xD7FF).contains(scalar) || (0xE000...0xFFFD).contains(scalar)
      || (0x10000...0x10FFFF).contains(scalar)
  }
}
