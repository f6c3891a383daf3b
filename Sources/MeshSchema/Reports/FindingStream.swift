import Manifest

/// Where a validation run writes its findings as they become final (an input's findings once
/// the input ends, in report order), as the final text of one output format: the text goes to
/// a `LineSpool`, which moves to a temporary file past its bound, so memory does not grow with
/// the number of findings. The report keeps only their count (`ValidationReport.written`).
public protocol FindingStream: AnyObject {
  /// Writes one finding out, after those written before it.
  func add(_ finding: Finding)
  /// Writes the whole report to `sink`: the findings written out, then those `report` still
  /// holds (the cross-document ones, known at the end), and the rest of the format around them.
  func finish(_ report: ValidationReport, into sink: any TextSink)
}

/// The first items of a JSON array, written ahead to a spool at their final indentation. The
/// document around them is rendered at the end with one marker item in their place (first in
/// the array), which `write` replaces by the spooled items.
final class SpooledJSONArray {
  private let spool = LineSpool()
  private let indent: Int
  private let marker: String
  private var count = 0

  /// An array whose items sit at `indent` spaces; `marker` is unique among the document's arrays.
  init(indent: Int, marker: String) {
    self.indent = indent
    // A NUL is written escaped, so no string of the input renders as this line.
    self.marker = "\u{0}meshctl-spooled-\(marker)"
  }

  /// Writes out the next item.
  func append(_ node: Node) {
    spool.write(
      (count == 0 ? "\n" : ",\n") + String(repeating: " ", count: indent) + JSONEmitter.emit(node, indent: indent))
    count += 1
  }

  /// The array's items as rendered at the end: the marker for the spooled ones, then `tail`.
  func items(then tail: [Node]) -> [Node] {
    count == 0 ? tail : [.string(marker)] + tail
  }

  /// Writes `text` (a document rendered with `items(then:)` of `arrays`, in the order they
  /// appear in it) to `sink`, each marker line replaced by its array's spooled items.
  static func write(_ text: String, arrays: [SpooledJSONArray], into sink: any TextSink) {
    let bytes = Array(text.utf8)
    var from = 0
    for array in arrays where array.count > 0 {
      let line = Array(("\n" + String(repeating: " ", count: array.indent) + JSONEmitter.quote(array.marker)).utf8)
      guard let start = firstIndex(of: line, in: bytes, from: from) else { continue }
      sink.write(String(decoding: bytes[from..<start], as: UTF8.self))
      array.spool.drain(into: sink)
      from = start + line.count
    }
    sink.write(String(decoding: bytes[from...], as: UTF8.self))
  }

  /// Where `pattern` first occurs in `bytes` at or after `from`.
  private static func firstIndex(of pattern: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
    guard pattern.count <= bytes.count - from else { return nil }
    return (from...(bytes.count - pattern.count)).first { start in
      bytes[start] == pattern[0] && bytes[start..<(start + pattern.count)].elementsEqual(pattern)
    }
  }
}

extension TextReport {
  /// The text format, written out finding by finding.
  public final class Stream: FindingStream {
    private let format: TextReport
    private let spool = LineSpool()

    /// A stream with colour or without.
    public init(color: Bool) {
      format = TextReport(color: color)
    }

    public func add(_ finding: Finding) {
      if finding.suppression == nil { spool.write(format.render(finding.diagnostic)) }
    }

    public func finish(_ report: ValidationReport, into sink: any TextSink) {
      spool.drain(into: sink)
      sink.write(format.render(report))
    }
  }
}

extension GitHubReport {
  /// The workflow commands, written out finding by finding.
  public final class Stream: FindingStream {
    private let spool = LineSpool()

    /// An empty stream.
    public init() {}

    public func add(_ finding: Finding) {
      if finding.suppression == nil { spool.write(GitHubReport.command(finding.diagnostic) + "\n") }
    }

    public func finish(_ report: ValidationReport, into sink: any TextSink) {
      spool.drain(into: sink)
      sink.write(GitHubReport.render(report))
    }
  }
}

extension JSONReport {
  /// `-o json`, written out finding by finding: the reported and the suppressed findings each
  /// in a spool of their own.
  public final class Stream: FindingStream {
    private let failOn: FailOn
    private let reported = SpooledJSONArray(indent: 4, marker: "diagnostics")
    private let suppressed = SpooledJSONArray(indent: 4, marker: "suppressed")

    /// A stream whose summary states the outcome `failOn` gives.
    public init(failOn: FailOn) {
      self.failOn = failOn
    }

    public func add(_ finding: Finding) {
      if finding.suppression == nil {
        reported.append(JSONReport.diagnostic(finding.diagnostic))
      } else {
        suppressed.append(JSONReport.suppressed(finding))
      }
    }

    public func finish(_ report: ValidationReport, into sink: any TextSink) {
      let text = JSONReport.document(
        report, reported: reported.items(then: report.reported.map { JSONReport.diagnostic($0.diagnostic) }),
        suppressed: suppressed.items(then: report.suppressed.map(JSONReport.suppressed)), failOn: failOn
      ).renderedJSON
      SpooledJSONArray.write(text, arrays: [reported, suppressed], into: sink)
    }
  }
}

extension SARIFReport {
  /// `-o sarif`, written out finding by finding: the results go to a spool, the log around
  /// them (whose invocation states the outcome) is rendered at the end.
  public final class Stream: FindingStream {
    private let toolVersion: String
    private let rules: [Rule]
    private let ruleIndex: [String: Int]
    private let failOn: FailOn
    private let results = SpooledJSONArray(indent: 8, marker: "results")

    /// A stream naming the tool `meshctl` at `toolVersion`, with the rules of `rules`.
    public init(toolVersion: String, rules: [Rule] = RuleCatalog.rules, failOn: FailOn = .error) {
      self.toolVersion = toolVersion
      self.rules = rules
      ruleIndex = SARIFReport.ruleIndex(rules)
      self.failOn = failOn
    }

    public func add(_ finding: Finding) {
      results.append(SARIFReport.result(finding, ruleIndex: ruleIndex))
    }

    public func finish(_ report: ValidationReport, into sink: any TextSink) {
      let text = SARIFReport.log(
        report, results: results.items(then: report.findings.map { SARIFReport.result($0, ruleIndex: ruleIndex) }),
        toolVersion: toolVersion, rules: rules, failOn: failOn)
      SpooledJSONArray.write(text, arrays: [results], into: sink)
    }
  }
}
