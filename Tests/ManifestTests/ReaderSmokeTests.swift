import Testing
@testable import Manifest

@Suite struct ReaderSmokeTests {
  @Test func splitsDocumentsExactly() {
    let text = "# lead\na: 1\n---\nb: [x, y]\nc: yes\n---\n# only comment\n"
    let (docs, diags) = ManifestReader().parse(text)
    #expect(diags.isEmpty)
    #expect(docs.count == 3)
    #expect(docs.map(\.sourceText).joined() == text)
    #expect(docs[1].startLine == 3)
    #expect(docs[1].root["c"]?.bool == true)
    #expect(docs[2].isEmpty)
  }

  @Test func reportsSyntaxErrorPosition() {
    let (_, diags) = ManifestReader().parse("a: 1\nb: [1, 2\nc: 3\n")
    #expect(diags.map(\.mark) == [SourceMark(line: 3, column: 2)])
    #expect(diags.first?.code == ReaderCode.syntax)
  }

  @Test func duplicateKey() {
    let (docs, diags) = ManifestReader().parse("a: 1\nb: 2\na: 3\n")
    #expect(docs.count == 1)
    #expect(diags.first?.mark == SourceMark(line: 3, column: 1))
    #expect(diags.first?.sourceLine == "a: 3")
  }

  @Test func mergeKeys() {
    let (docs, _) = ManifestReader().parse("base: &b {x: 1, p: 2}\nd:\n  <<: *b\n  p: 3\n")
    #expect(docs[0].root["d"] == .mapping(["x": .int(1), "p": .int(3)]))
  }

  /// go-yaml v2 (inside sigs.k8s.io/yaml) reads `y` and `on` as booleans, even as keys.
  @Test func yamlOneOneBooleanKeysBecomeTrue() {
    let (docs, _) = ManifestReader().parse("on: 1\n")
    #expect(docs[0].root["true"]?.int == 1)
  }

  @Test func nonASCIIDocumentBoundaries() {
    let text = "a: éé\n---\nb: ü\n"
    let (docs, _) = ManifestReader().parse(text)
    #expect(docs.map(\.sourceText) == ["a: éé\n", "---\nb: ü\n"])
  }
}
