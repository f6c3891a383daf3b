import Foundation
import Testing

@testable import Manifest

/// A Secret's values hidden in every place meshctl shows objects or their source.
@Suite struct SecretMaskTests {
  static let secretYAML = """
    apiVersion: v1
    kind: Secret
    metadata:
      name: db
    type: Opaque
    data:
      password: c2VjcmV0LXZhbHVl
      note: |
        multi-line
        secret text
    stringData:
      token: plain-token-value
    immutable: true
    """

  func root(_ text: String) throws -> Node {
    let (documents, diagnostics) = ManifestReader().parse(text, file: "s.yaml")
    #expect(diagnostics.isEmpty)
    return try #require(documents.first?.root)
  }

  @Test func valuesOfASecretBecomeStarsAndKeysStay() throws {
    let masked = SecretMask.masked(try root(Self.secretYAML))
    #expect(masked[path: "data", "password"]?.string == "***")
    #expect(masked[path: "data", "note"]?.string == "***")
    #expect(masked[path: "stringData", "token"]?.string == "***")
    #expect(masked[path: "metadata", "name"]?.string == "db")
    #expect(masked["immutable"]?.bool == true)
    let emitted = YAMLEmitter.emit(masked)
    #expect(!emitted.contains("c2VjcmV0") && !emitted.contains("plain-token") && !emitted.contains("secret text"))
  }

  @Test func otherKindsAndListsOfOtherKindsAreUntouched() throws {
    let config = try root("apiVersion: v1\nkind: ConfigMap\ndata:\n  password: visible\n")
    #expect(SecretMask.masked(config) == config)
    let list = try root("kind: List\nitems:\n- kind: Secret\n  data: {a: YWJj}\n- kind: ConfigMap\n  data: {a: abc}\n")
    let masked = SecretMask.masked(list)
    #expect(masked[path: "items"]?.sequence?[0][path: "data", "a"]?.string == "***")
    #expect(masked[path: "items"]?.sequence?[1][path: "data", "a"]?.string == "abc")
  }

  @Test func aDiffMarksChangedValuesBeforeAndAfterAsKubectlDoes() throws {
    let live = try root("apiVersion: v1\nkind: Secret\ndata:\n  same: YQ==\n  changed: Yg==\n  removed: Yw==\n")
    let merged = try root("apiVersion: v1\nkind: Secret\ndata:\n  same: YQ==\n  changed: ZA==\n  added: ZQ==\n")
    let (before, after) = SecretMask.maskedPair(before: live, after: merged)
    #expect(before?[path: "data", "same"]?.string == "***")
    #expect(after[path: "data", "same"]?.string == "***")
    #expect(before?[path: "data", "changed"]?.string == "*** (before)")
    #expect(after[path: "data", "changed"]?.string == "*** (after)")
    #expect(before?[path: "data", "removed"]?.string == "***")
    #expect(after[path: "data", "added"]?.string == "***")
    let (_, created) = SecretMask.maskedPair(before: nil, after: merged)
    #expect(created[path: "data", "changed"]?.string == "***")
  }

  @Test(arguments: [
    ("  password: c2VjcmV0", "  password: ***"),
    ("  \"quoted key\": 'v'", "  \"quoted key\": ***"),
    ("data: {a: b}", "data: ***"),
    ("data:", "data:"),
    ("  note: |", "  note: ***"),
    ("    secret text", "    ***"),
    ("  # a comment", "  # a comment"),
    ("  url: https://user:pw@host", "  url: ***"),
    ("", ""),
  ])
  func sourceLinesKeepTheirKeyAndIndentation(line: String, masked: String) {
    #expect(SecretMask.maskedLine(line) == masked)
  }

  @Test func aDiagnosticInsideASecretEchoesItsLineMasked() throws {
    // A duplicate key inside data: the reader's finding shows the line, value hidden.
    let text =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: c2VjcmV0\n  password: b3RoZXI=\n"
    let (documents, diagnostics) = ManifestReader().parse(text, file: "s.yaml")
    let finding = try #require(diagnostics.first { $0.code == ReaderCode.duplicateKey })
    #expect(finding.sourceLine == "  password: ***")
    let document = try #require(documents.first)
    #expect(document.sourceLine(4) == "  name: db")
    #expect(document.sourceLine(6) == "  password: ***")
  }

  @Test func aSyntaxErrorInASecretsValuesEchoesTheLineMasked() throws {
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: c2Vj: cmV0\n"
    let finding = try #require(ManifestReader().parse(secret, file: "s.yaml").diagnostics.first)
    #expect(finding.code == ReaderCode.syntax)
    #expect(finding.sourceLine == "  password: ***")
    // The same line in a ConfigMap, or in the metadata of a Secret, is shown as it is.
    let config = secret.replacingOccurrences(of: "kind: Secret", with: "kind: ConfigMap")
    #expect(ManifestReader().parse(config, file: "c.yaml").diagnostics.first?.sourceLine == "  password: c2Vj: cmV0")
    let name = "---\nkind: Secret\nmetadata:\n  name: a: b\ndata:\n  k: v\n"
    #expect(ManifestReader().parse(name, file: "n.yaml").diagnostics.first?.sourceLine == "  name: a: b")
  }

  @Test func theLinesOfABlockScalarInDataAreMaskedToo() throws {
    let (documents, _) = ManifestReader().parse(Self.secretYAML, file: "s.yaml")
    let document = try #require(documents.first)
    #expect(document.sourceLine(8) == "  note: ***")
    #expect(document.sourceLine(9) == "    ***")
    #expect(document.sourceLine(12) == "  token: ***")
    #expect(document.sourceLine(13) == "immutable: true")
  }

  @Test func aLoggedBodyIsMaskedOrWithheld() {
    let body = Array(#"{"kind":"Secret","apiVersion":"v1","data":{"k":"dmFsdWU="}}"#.utf8)
    let shown = SecretMask.loggableBody(body)
    #expect(shown?.contains(#""k":"***""#) == true)
    #expect(shown?.contains("dmFsdWU") == false)
    #expect(SecretMask.loggableBody(Array(#"{"kind":"ConfigMap"}"#.utf8)) == nil)
    let broken = SecretMask.loggableBody(Array(#"{"kind":"Secret","data":{"k":"dmFsdWU="#.utf8))
    #expect(broken?.contains("not shown") == true)
  }
}
