import Foundation
import TestSupport
import Testing

@testable import Manifest

/// libyaml's syntax errors with a hint for the common causes. Every `Fixtures/hint-*.yaml` says
/// on its first line where the finding must be (checked by ReaderFixtureTests too) and on its
/// second line the exact hint.
@Suite struct YAMLSyntaxHintTests {
  static let fixtures = TestPaths.files(under: TestPaths.fixtures, extensions: ["yaml"])
    .filter { $0.lastPathComponent.hasPrefix("hint-") }

  @Test func everyCommonCauseHasAFixture() {
    #expect(Self.fixtures.count == 7)
  }

  @Test(arguments: fixtures.map(\.lastPathComponent))
  func fixtureGetsItsHintAndTheCauseLine(name: String) throws {
    let text = try String(contentsOf: TestPaths.fixtures.appendingPathComponent(name), encoding: .utf8)
    let header = text.split(separator: "\n").map(String.init)
    let expectedHint = try #require(
      header.dropFirst().first.flatMap { $0.hasPrefix("# hint: ") ? String($0.dropFirst(8)) : nil })
    let diagnostics = ManifestReader().parse(text, file: name).diagnostics
    let finding = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(finding.code == ReaderCode.syntax)
    #expect(finding.hint == expectedHint)
    // The source line shown is the one the caret is on: the cause.
    #expect(finding.sourceLine == SourceLines.line(finding.mark.line, in: text))
  }

  @Test func aMovedFindingStillSaysWhereLibyamlNoticedIt() throws {
    let finding = try #require(
      ManifestReader().parse("metadata:\n  name:web\n  namespace: shop\n").diagnostics.first)
    #expect((finding.mark.line, finding.mark.column) == (2, 7))
    #expect(finding.message == "mapping values are not allowed in this context (noticed at line 3, column 12)")
    #expect(finding.sourceLine == "  name:web")
  }

  @Test func crlfLinesAreReadWithoutTheirBreaks() throws {
    let finding = try #require(
      ManifestReader().parse("metadata:\r\n  name:web\r\n  namespace: shop\r\n").diagnostics.first)
    #expect(
      finding.hint
        == "`name:web` has no space after the colon, so YAML reads it as one string, not a key and its value: write `name: web`"
    )
  }

  @Test func otherErrorsKeepLibyamlsWordsAndPlaceWithoutAHint() throws {
    let finding = try #require(ManifestReader().parse("data: [one, two\n").diagnostics.first)
    #expect(finding.hint == nil)
    #expect(finding.message.hasPrefix("did not find expected ',' or ']'"))
  }

  @Test(arguments: [
    ("  name:web", "name", 7),
    ("- image:nginx", "image", 8),
  ])
  func keysWithoutASpaceAfterTheColonAreFound(line: String, key: String, column: Int) throws {
    let found = try #require(YAMLSyntaxHints.keyWithoutSpace(in: line))
    #expect(found.key == key)
    #expect(found.colon == column)
  }

  @Test(arguments: [
    "  url: http://example.com", "  - http://example.com", "  - 10:30", "  name: a:b", "  key:", "  \"quoted:x\"",
    "  # note:x", "  name::x",
  ])
  func linesThatAreFineAsTheyAreAreNotTakenForAMissingSpace(line: String) {
    #expect(YAMLSyntaxHints.keyWithoutSpace(in: line) == nil)
  }

  @Test func aTabAfterTheIndentationIsNotBlamed() {
    let error = YAMLSyntaxError(problem: "did not find expected key", problemMark: SourceMark(line: 1, column: 3))
    #expect(YAMLSyntaxHints.tabIndentation(error) { _ in "  a:\tb" } == nil)
    #expect(YAMLSyntaxHints.tabIndentation(error) { _ in " \t a: b" }?.mark == SourceMark(line: 1, column: 2))
  }

  @Test func linesNoLongerAtHandGiveNoHint() {
    let error = YAMLSyntaxError(
      problem: "found unexpected end of stream", problemMark: SourceMark(line: 90, column: 1),
      context: "while scanning a quoted scalar", contextMark: SourceMark(line: 3, column: 9))
    #expect(YAMLSyntaxHints.explain(error) { _ in nil } == nil)
  }
}
