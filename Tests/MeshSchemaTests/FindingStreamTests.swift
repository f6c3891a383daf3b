import Manifest
import Testing

@testable import MeshSchema

/// Each format's `FindingStream` writes what the format renders from the whole report in
/// memory, byte for byte, however the findings are split between those written out as they
/// came and those the report still holds at the end (the cross-document ones).
@Suite struct FindingStreamTests {
  static let findings: [Finding] = [
    Finding(Findings.diagnostic()),
    Finding(Findings.diagnostic(.warning, code: "MC1010", message: "value \"yes\" is read as a boolean", line: 9)),
    Finding(Findings.diagnostic(.info, code: "MC3003", message: "a\nb\u{1B}", line: 11), suppression: .inSource),
    Finding(Findings.diagnostic(code: "MC0001", message: "syntax error", line: 12)),
    Finding(Findings.diagnostic(.warning, code: "MC2001", message: "Service `x` is not in the input", line: 20)),
    Finding(Findings.diagnostic(code: "MC1003", message: "weights", line: 30), suppression: .external),
  ]

  static let formats: [String] = ["text", "color", "json", "sarif", "github"]

  static func stream(_ format: String) -> any FindingStream {
    switch format {
    case "text": return TextReport.Stream(color: false)
    case "color": return TextReport.Stream(color: true)
    case "json": return JSONReport.Stream(failOn: .warning)
    case "sarif": return SARIFReport.Stream(toolVersion: "1.2.3", failOn: .warning)
    default: return GitHubReport.Stream()
    }
  }

  static func render(_ format: String, _ report: ValidationReport) -> String {
    switch format {
    case "text": return TextReport(color: false).render(report)
    case "color": return TextReport(color: true).render(report)
    case "json": return JSONReport.render(report, failOn: .warning)
    case "sarif": return SARIFReport.render(report, toolVersion: "1.2.3", failOn: .warning)
    default: return GitHubReport.render(report)
    }
  }

  static func report(_ findings: [Finding]) -> ValidationReport {
    var report = ValidationReport(findings: findings, files: ["deploy/split.yaml"], objectCount: 7)
    report.inputErrors = ["gone.yaml: no such file or directory"]
    report.coverage.add(.partial)
    return report
  }

  @Test(arguments: formats)
  func streamedReportIsTheReportRenderedInMemory(format: String) {
    for written in 0...Self.findings.count {
      for kept in [0, Self.findings.count - written] {
        let all = Array(Self.findings[..<(written + kept)])
        let stream = Self.stream(format)
        var report = Self.report(Array(all[written...]))
        for finding in all[..<written] {
          report.written.add(finding)
          stream.add(finding)
        }
        let sink = CapturedText()
        stream.finish(report, into: sink)
        #expect(sink.text == Self.render(format, Self.report(all)), "\(format): \(written) written, \(kept) kept")
      }
    }
  }

  @Test func writtenFindingsCountInTheOutcomeAndSummary() {
    var report = ValidationReport(files: ["a.yaml"], objectCount: 1)
    report.written.add(Finding(Findings.diagnostic(.warning, code: "MC1010")))
    report.written.add(Finding(Findings.diagnostic(), suppression: .external))
    #expect(report.outcome(failOn: .error) == .passed)
    #expect(report.outcome(failOn: .warning) == .failed)
    #expect(report.summaryLine == "0 errors, 1 warning, 1 suppressed in 1 file (1 object)")
    report.written.add(Finding(Findings.diagnostic(code: "MC0001")))
    #expect(report.outcome(failOn: .never) == .unreadableInput)
  }

  /// A session with a stream keeps none of an input's findings once the input ends.
  @Test func sessionWritesEachInputsFindingsWhenItEnds() {
    let stream = TextReport.Stream(color: false)
    var session = ValidationSession(recordsObjects: false, retainsSourceLines: true, stream: stream)
    let documents = ManifestReader().parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndta: {}\n", file: "a.yaml")
      .documents
    for document in documents { session.add(document) }
    session.finishInput("a.yaml", readerFindings: [])
    let report = session.finish { _, _ in [:] }
    #expect(report.findings.isEmpty)
    #expect(report.written.errors == 1)
    let sink = CapturedText()
    stream.finish(report, into: sink)
    #expect(sink.text.hasPrefix("a.yaml:4:1: error: "))
    #expect(sink.text.hasSuffix("1 error, 0 warnings in 1 file (1 object)\n"))
  }

  /// A document the reader skipped (too large) is reported when the input ends: the findings
  /// after it wait for that, so the order is the one without a stream.
  @Test func findingsAfterASkippedDocumentWaitForTheInputsEnd() {
    let text = """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: a}
      dta: {}
      ---
      x: 1
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: c}
      dta: {}

      """
    var documents = ManifestReader().parse(text, file: "a.yaml").documents
    documents.remove(at: 1)
    let skipped = Findings.diagnostic(
      code: "MC0002", message: "document 2 is too large", file: "a.yaml", line: 6, column: 1, source: nil, hint: nil,
      object: nil)
    func run(_ stream: (any FindingStream)?) -> String {
      var session = ValidationSession(recordsObjects: false, retainsSourceLines: true, stream: stream)
      for document in documents { session.add(document) }
      session.finishInput("a.yaml", readerFindings: [skipped])
      let report = session.finish { _, _ in [:] }
      let sink = CapturedText()
      if let stream { stream.finish(report, into: sink) } else { sink.write(TextReport(color: false).render(report)) }
      return sink.text
    }
    let streamed = run(TextReport.Stream(color: false))
    #expect(streamed == run(nil))
    let lines = streamed.split(separator: "\n").filter { $0.hasPrefix("a.yaml:") }.map { $0.prefix(9) }
    #expect(lines == ["a.yaml:4:", "a.yaml:6:", "a.yaml:11"])
  }
}
