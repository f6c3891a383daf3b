import Testing

@testable import Manifest

/// Which documents `StreamWriter` reads back after a splice before writing them.
@Suite struct StreamWriterTests {
  static let texts: [(text: String, readsBack: Bool)] = [
    ("a: 1\n", false),
    ("# c\na: 'x' # d\nb: [1, 2]\nc: |\n  line\n", false),
    ("a:\r\n  b: 1\r\n", false),
    ("", false),
    ("a:\t1\n", true),
    ("a:\n  -\t1\n", true),
    ("a: 1\rb: 2\n", true),
    ("a: 1\r\rb: 2\r\n", true),
    ("a: !t 1\n", true),
    ("? a\n: 1\n", true),
    ("a: 1", true),
    ("a: 1\r", true),
  ]

  @Test(arguments: texts.indices) func onlyTextsWithRareConstructsAreReadBack(index: Int) {
    let (text, readsBack) = Self.texts[index]
    #expect(StreamWriter.readsSpliceBack(text) == readsBack, "\(text.debugDescription)")
  }
}
