import Testing
@testable import MeshSchema

/// The caret lands under the character the column names, on a terminal.
@Suite struct CaretTests {
  /// Issue 13: an error on a 3 MB line printed the whole line; now a window around the column.
  @Test func longLineIsCutAroundTheColumn() {
    let line = String(repeating: "a", count: 3_000_000) + "!" + String(repeating: "b", count: 1_000)
    let excerpt = SourceExcerpt(sourceLine: line, column: 3_000_001)
    #expect(excerpt.line.count == SourceExcerpt.maxCharacters + 2)
    #expect(excerpt.line.hasPrefix("…a") && excerpt.line.hasSuffix("b…"))
    let caretIndex = excerpt.line.index(excerpt.line.startIndex, offsetBy: excerpt.caret.count - 1)
    #expect(excerpt.line[caretIndex] == "!")
  }

  @Test func longLineNearItsStartKeepsTheStart() {
    let line = "key: " + String(repeating: "v", count: 1_000)
    let excerpt = SourceExcerpt(sourceLine: line, column: 1)
    #expect(excerpt.line.hasPrefix("key: vvv") && excerpt.line.hasSuffix("v…"))
    #expect(excerpt.caret == "^")
  }

  @Test func plainASCII() {
    let excerpt = SourceExcerpt(sourceLine: "  weight: 90", column: 11)
    #expect(excerpt.line == "  weight: 90")
    #expect(excerpt.caret == "          ^")
  }

  @Test func tabExpandsToTheNextTabStop() {
    // Column 3 is `x`, after `a` and a tab that reaches display column 8.
    let excerpt = SourceExcerpt(sourceLine: "a\tx: 1", column: 3)
    #expect(excerpt.line == "a       x: 1")
    #expect(excerpt.caret == "        ^")
    #expect(excerpt.caret.count - 1 == excerpt.line.firstIndex(of: "x")!.utf16Offset(in: excerpt.line))
  }

  @Test func tabAfterEightColumnsGoesToSixteen() {
    let excerpt = SourceExcerpt(sourceLine: "abcdefgh\tz", column: 10)
    #expect(excerpt.caret == String(repeating: " ", count: 16) + "^")
  }

  @Test func nonASCIICountsCharactersNotBytes() {
    // `é` is two UTF-8 bytes but one column; the caret sits under `b`.
    let excerpt = SourceExcerpt(sourceLine: "name: café: b", column: 13)
    #expect(excerpt.caret == String(repeating: " ", count: 12) + "^")
  }

  @Test func wideCharactersTakeTwoColumns() {
    // Column 8 is `x`, after `key: ` and two CJK characters of width 2.
    let excerpt = SourceExcerpt(sourceLine: "key: 日本x", column: 8)
    #expect(excerpt.caret == String(repeating: " ", count: 9) + "^")
  }

  @Test func combiningMarkTakesNoColumn() {
    // `e` + U+0301 is two scalars (two columns for libyaml) but one on screen.
    let excerpt = SourceExcerpt(sourceLine: "e\u{301}x", column: 3)
    #expect(excerpt.caret == " ^")
  }

  @Test func controlCharactersAreNeutralised() {
    let excerpt = SourceExcerpt(sourceLine: "a: \u{1B}[31mred", column: 4)
    #expect(!excerpt.line.contains("\u{1B}"))
    #expect(excerpt.caret == "   ^")
  }

  @Test func columnPastTheEndPointsAfterTheLine() {
    #expect(SourceExcerpt(sourceLine: "ab", column: 9).caret == "  ^")
  }

  @Test func byteOrderMarkIsNotAColumn() {
    #expect(SourceExcerpt(sourceLine: "\u{FEFF}ab", column: 2).caret == " ^")
  }
}
