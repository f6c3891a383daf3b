import Foundation
import TestSupport
import Testing

@testable import Manifest

/// The public corpus as an oracle for the reader. Skipped, visibly, when `../shared/corpus` is absent.
@Suite(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus")) struct CorpusReadTests {
  static let allFiles = TestPaths.corpusExists ? TestPaths.files(under: TestPaths.corpus, extensions: ["yaml", "yml", "json", "injected", "golden"]) : []
  static let suite = TestPaths.corpus.appendingPathComponent("edge-cases/yaml-test-suite")

  @Test func everyCorpusFileIsReadAndSlicedExactly() throws {
    #expect(Self.allFiles.count > 100)
    for url in Self.allFiles {
      let bytes = try Data(contentsOf: url)
      var texts: [String] = []
      let summary = try ManifestReader().read(MemorySource(Array(bytes)), file: url.lastPathComponent) {
        texts.append($0.sourceText)
      }
      // Documents are byte ranges of the input: together, they are the input.
      if summary.diagnostics.isEmpty, !texts.isEmpty {
        #expect(texts.joined() == String(decoding: bytes, as: UTF8.self), "\(url.path)")
      }
    }
  }

  @Test(arguments: TestPaths.corpusExists ? TestPaths.files(under: suite.appendingPathComponent("invalid")).map(\.lastPathComponent) : [])
  func invalidYAMLIsReportedWithAPosition(name: String) throws {
    let url = Self.suite.appendingPathComponent("invalid").appendingPathComponent(name)
    let (documents, diagnostics) = ManifestReader().parse(try String(contentsOf: url, encoding: .utf8), file: name)
    let errors = diagnostics.filter(\.isInputError)
    #expect(!errors.isEmpty, "\(name) was accepted: \(documents.map(\.root))")
    #expect(errors.allSatisfy { $0.mark.isKnown && $0.file == name })
  }

  /// Valid YAML 1.2 that Kubernetes cannot read either: libyaml and go-yaml v2 (inside
  /// sigs.k8s.io/yaml) are YAML 1.1 parsers, and JSON has no non-string keys. These must fail
  /// with a position, like every other input error; all the other valid cases must pass.
  static let rejectedLikeKubernetes: [String: String] = [
    "2JQS-block-mapping-with-missing-keys.yaml": "empty keys are YAML 1.2; libyaml stops at the ':'",
    "7Z25-bare-document-after-document-end-marker.yaml": "a bare document after '...' is YAML 1.2",
    "BEC7-spec-example-6-14-yaml-directive.yaml": "libyaml refuses %YAML 1.3",
    "X38W-aliases-in-flow-objects.yaml": "sequence keys have no JSON form (MC0005)",
  ]

  @Test(arguments: TestPaths.corpusExists ? TestPaths.files(under: suite.appendingPathComponent("valid")).map(\.lastPathComponent) : [])
  func validYAMLIsAccepted(name: String) throws {
    let url = Self.suite.appendingPathComponent("valid").appendingPathComponent(name)
    let (_, diagnostics) = ManifestReader().parse(try String(contentsOf: url, encoding: .utf8), file: name)
    if Self.rejectedLikeKubernetes[name] != nil {
      #expect(diagnostics.count == 1 && diagnostics.allSatisfy { $0.isInputError && $0.mark.isKnown })
    } else {
      #expect(diagnostics.isEmpty, "\(diagnostics.map { "\($0.mark.line):\($0.mark.column) \($0.message)" })")
    }
  }
}
