import Foundation
import Testing

/// `meshctl validate` on YAML a person mistyped: the finding points at the cause, with the
/// source line, a caret under the right column and a hint.
@Suite(.tags(.slow)) struct YAMLHintBinaryTests {
  @Test func aMissingSpaceAfterAColonIsShownWhereItIs() throws {
    let scratch = try Scratch([
      "app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:settings\n  namespace: shop\n"
    ])
    let result = try Binary.run(["validate", "-f", scratch.path("app.yaml")])
    #expect(result.status == 2)
    #expect(
      result.stdout == """
        \(scratch.path("app.yaml")):4:7: error: mapping values are not allowed in this context (noticed at line 5, column 12) [MC0001]
          name:settings
              ^
          hint: `name:settings` has no space after the colon, so YAML reads it as one string, not a key and its value: write `name: settings`
        1 error, 0 warnings in 1 file (0 objects)

        """)
  }

  @Test func aTabInTheIndentationGetsTheCaretUnderTheTab() throws {
    let result = try Binary.run(
      ["validate", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n  \tapp: web\n")
    #expect(result.status == 2)
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.first?.hasPrefix("-:5:3: error: ") == true, "\(result.stdout)")
    // The tab is shown as spaces up to the next tab stop; the caret sits where the tab begins.
    #expect(Array(lines.dropFirst().prefix(2)) == ["        app: web", "  ^"])
    #expect(
      lines.dropFirst(3).first
        == "  hint: line 5 is indented with a tab; YAML indents with spaces only: replace the tab with spaces")
  }
}
