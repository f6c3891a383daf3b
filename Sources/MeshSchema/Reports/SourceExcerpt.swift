/// A source line made safe to print, and the caret line that points at a column of it.
/// Columns count Unicode scalars (as libyaml does); the display accounts for tab stops,
/// double-width East Asian characters and zero-width marks, so the caret lands under the
/// character on a terminal.
public struct SourceExcerpt: Sendable, Equatable {
  /// The line as printed: tabs expanded to spaces, control characters replaced by `�`.
  public var line: String
  /// Spaces up to the column, then `^`.
  public var caret: String

  /// Tab stops every 8 display columns, as terminals and editors set them by default.
  public static let tabWidth = 8

  /// The most characters of a line an excerpt shows; a longer line (minified JSON, a huge
  /// scalar) is cut to this many around the column, with `…` where text was left out.
  public static let maxCharacters = 160

  /// Renders `sourceLine` with a caret under 1-based scalar `column` (past the end: one
  /// place after the last character).
  public init(sourceLine: String, column: Int) {
    var line = ""
    var width = 0
    var caretWidth: Int?
    var scalars = Substring(sourceLine).unicodeScalars[...]
    // libyaml skips a byte-order mark without counting it.
    if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
    var column = column
    var suffix = ""
    if let cut = Self.cut(scalars, around: column) {
      scalars = cut.shown
      column -= cut.dropped
      if cut.dropped > 0 {
        line = "…"
        width = 1
      }
      if cut.hasMore { suffix = "…" }
    }
    for (index, scalar) in scalars.enumerated() {
      if index + 1 == column { caretWidth = width }
      if scalar == "\t" {
        let spaces = Self.tabWidth - width % Self.tabWidth
        line += String(repeating: " ", count: spaces)
        width += spaces
      } else if Self.isControl(scalar) {
        line += "\u{FFFD}"
        width += 1
      } else {
        line.unicodeScalars.append(scalar)
        width += Self.displayWidth(scalar)
      }
    }
    self.line = line + suffix
    self.caret = String(repeating: " ", count: caretWidth ?? width) + "^"
  }

  /// The part of a long line an excerpt shows (up to `maxCharacters`, the column about a third
  /// of the way in), how many characters before it were left out, and whether any after were;
  /// nil when the line is short enough to show whole.
  static func cut(_ scalars: Substring.UnicodeScalarView, around column: Int) -> (
    shown: Substring.UnicodeScalarView, dropped: Int, hasMore: Bool
  )? {
    guard let limitIndex = scalars.index(scalars.startIndex, offsetBy: maxCharacters, limitedBy: scalars.endIndex),
      limitIndex < scalars.endIndex
    else { return nil }
    let dropped = max(0, column - 1 - maxCharacters / 3)
    guard let start = scalars.index(scalars.startIndex, offsetBy: dropped, limitedBy: scalars.endIndex) else {
      return nil
    }
    let end = scalars.index(start, offsetBy: maxCharacters, limitedBy: scalars.endIndex) ?? scalars.endIndex
    return (scalars[start..<end], dropped, end < scalars.endIndex)
  }

  /// Whether a scalar would move the cursor or start an escape sequence if printed.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
      || scalar == "\u{2029}"
  }

  /// How many terminal columns a printable scalar takes (after Unicode East Asian Width:
  /// wide and fullwidth take 2; combining marks and zero-width characters take 0).
  static func displayWidth(_ scalar: Unicode.Scalar) -> Int {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    let value = scalar.value
    if scalar.properties.isEmojiPresentation { return 2 }
    for range in wideRanges where range.contains(value) { return 2 }
    return 1
  }

  private static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
    0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
    0xFFE0...0xFFE6, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
  ]
}
