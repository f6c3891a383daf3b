import Manifest
import Testing

@testable import MeshSchema

/// The document-level part of `validate`: documents in, one report out, no file system.
@Suite struct ValidationSessionTests {
  /// A Service, and a TrafficSplit whose service (line 6) is not in the input.
  static let splitWithoutService = """
    {apiVersion: v1, kind: Service, metadata: {name: reviews, namespace: shop}, spec: {ports: [{port: 80}]}}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: r, namespace: shop}
    spec: {service: reviewz, backends: [{name: a, service: reviews, weight: 100}]}

    """

  /// Feeds every document of `text` to the session as one input named `file`.
  static func add(_ text: String, file: String, to session: inout ValidationSession) {
    let (documents, _) = ManifestReader().parse(text, file: file)
    for document in documents { session.add(document) }
    session.finishInput(file, readerFindings: [])
  }

  @Test func crossDocumentFindingsGetTheirLinesFromTheReader() throws {
    var session = ValidationSession(retainsSourceLines: false)
    Self.add(Self.splitWithoutService, file: "split.yaml", to: &session)
    var asked: [String: Set<Int>] = [:]
    let report = session.finish { file, lines in
      asked[file] = lines
      return [6: "spec: {service: reviewz, ...}"]
    }
    #expect(asked == ["split.yaml": [6]])
    let finding = try #require(report.findings.first { $0.diagnostic.mark.line == 6 })
    #expect(finding.diagnostic.sourceLine == "spec: {service: reviewz, ...}")
    #expect(finding.objectIndex == 1)
    #expect(report.objects.map(\.reference) == ["Service shop/reviews", "TrafficSplit shop/r"])
    #expect(report.files == ["split.yaml"])
  }

  @Test func withoutObjectRecordsOnlyTheCountIsKept() {
    var session = ValidationSession(recordsObjects: false, retainsSourceLines: true)
    Self.add(Self.splitWithoutService, file: "split.yaml", to: &session)
    let report = session.finish { _, _ in [:] }
    #expect(report.objects.isEmpty)
    #expect(report.objectCount == 2)
    #expect(!report.findings.isEmpty)
    #expect(report.findings.allSatisfy { $0.objectIndex == nil })
  }

  @Test func eachInputsFindingsComeInPositionOrderBeforeTheNextInput() {
    var session = ValidationSession(retainsSourceLines: true)
    let late = Diagnostic(severity: .error, code: "MC0001", message: "late", file: "a.yaml", mark: SourceMark(line: 9, column: 1))
    let early = Diagnostic(severity: .error, code: "MC0001", message: "early", file: "a.yaml", mark: SourceMark(line: 2, column: 1))
    session.finishInput("a.yaml", readerFindings: [late, early])
    let other = Diagnostic(severity: .error, code: "MC0001", message: "other", file: "b.yaml", mark: SourceMark(line: 1, column: 1))
    session.finishInput("b.yaml", readerFindings: [other])
    let report = session.finish { _, _ in [:] }
    #expect(report.findings.map(\.diagnostic.message) == ["early", "late", "other"])
    #expect(report.files == ["a.yaml", "b.yaml"])
  }

  @Test func anUnreadableInputKeepsWhatWasReadBeforeTheFailure() {
    var session = ValidationSession(retainsSourceLines: true)
    session.failInput(nil, message: "missing.yaml: no such file")
    let (documents, _) = ManifestReader().parse("apiVersion: v1\nkind: Service\nmetadata: {name: UPPER}\n", file: "half.yaml")
    for document in documents { session.add(document) }
    session.failInput("half.yaml", message: "half.yaml: read error")
    let report = session.finish { _, _ in [:] }
    #expect(report.inputErrors == ["missing.yaml: no such file", "half.yaml: read error"])
    #expect(report.files == ["half.yaml"])
    #expect(report.outcome(failOn: .never) == .unreadableInput)
  }

  @Test func inPositionOrderIsStable() {
    let first = Diagnostic(severity: .error, code: "A", message: "1", file: "f", mark: SourceMark(line: 3, column: 1))
    let second = Diagnostic(severity: .error, code: "B", message: "2", file: "f", mark: SourceMark(line: 3, column: 1))
    let before = Diagnostic(severity: .error, code: "C", message: "0", file: "f", mark: SourceMark(line: 1, column: 1))
    #expect(inPositionOrder([first, second, before]).map(\.message) == ["0", "1", "2"])
  }
}

/// `--config` files: one MeshConfig, validated before use.
@Suite struct MeshConfigFileTests {
  static func read(_ text: String) throws -> MeshConfig {
    try MeshConfig.read(from: MemorySource(text), file: "mesh.yaml")
  }

  @Test func aValidMeshConfigIsRead() throws {
    let config = try Self.read("apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nmetadata: {name: m}\nspec: {provider: linkerd}\n")
    #expect(config.provider == .linkerd)
  }

  @Test func anEmptyFileOrAnotherKindIsRefused() {
    #expect(throws: MeshConfigFileError.empty) { try Self.read("") }
    #expect(throws: MeshConfigFileError.notMeshConfig(found: "ConfigMap")) {
      try Self.read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n")
    }
  }

  @Test func readAndSchemaErrorsCarryTheirPositions() {
    do {
      _ = try Self.read("a: [1\n")
      Issue.record("a syntax error was accepted")
    } catch MeshConfigFileError.unreadable(let diagnostics) {
      #expect(diagnostics.first?.code == "MC0001")
    } catch {
      Issue.record("unexpected \(error)")
    }
    do {
      _ = try Self.read("apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nmetadata: {name: m}\nspec: {provider: consul}\n")
      Issue.record("an unknown provider was accepted")
    } catch MeshConfigFileError.invalid(let diagnostics) {
      #expect(diagnostics.first?.mark.line == 4)
    } catch {
      Issue.record("unexpected \(error)")
    }
  }
}
