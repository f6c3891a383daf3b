import Foundation
import FoundationXML
import Manifest
import Testing

@testable import MeshSchema

/// Unit tests of the output formats with hand-made findings.
@Suite struct FormatterTests {
  let error = Findings.diagnostic()
  let warning = Findings.diagnostic(
    .warning, code: "MC1010", message: "value \"yes\" is read as a boolean", line: 9, column: 12,
    source: "    enabled: yes", hint: "quote it: \"yes\"")

  @Test func textFindingHasLocationSourceCaretAndHint() {
    let text = TextReport(color: false).render(error)
    #expect(
      text == """
        deploy/split.yaml:7:5: error: weights sum to 90, not 100 [MC1003]
            weight: 90
            ^
          hint: make the weights add up to 100

        """)
  }

  @Test func textWithoutPositionOmitsLineAndCaret() {
    var diagnostic = error
    diagnostic.mark = .none
    let text = TextReport(color: false).render(diagnostic)
    #expect(text.hasPrefix("deploy/split.yaml: error: weights"))
    #expect(!text.contains("^"))
  }

  @Test func textSummaryLine() {
    let report = Findings.report([error, error, warning], objects: 12)
    #expect(report.summaryLine == "2 errors, 1 warning in 1 file (12 objects)")
    #expect(TextReport(color: false).render(report).hasSuffix("2 errors, 1 warning in 1 file (12 objects)\n"))
  }

  @Test func colourWrapsSeverityAndLocation() {
    let text = TextReport(color: true).render(error)
    #expect(text.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    #expect(text.contains("\u{1B}[1mdeploy/split.yaml:7:5:\u{1B}[0m"))
    let warningText = TextReport(color: true).render(warning)
    #expect(warningText.contains("\u{1B}[1;33mwarning:\u{1B}[0m"))
  }

  @Test func jsonHasDiagnosticsAndSummaryInStableOrder() throws {
    let text = JSONReport.render(Findings.report([error, warning]), failOn: .error)
    let object = try jsonObject(text)
    let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.count == 2)
    #expect(diagnostics[0]["line"] as? Int == 7)
    #expect(diagnostics[0]["column"] as? Int == 5)
    #expect(diagnostics[0]["code"] as? String == "MC1003")
    #expect(diagnostics[0]["path"] as? String == "spec.backends[0].weight")
    #expect(diagnostics[1]["severity"] as? String == "warning")
    let summary = try #require(object["summary"] as? [String: Any])
    #expect(summary["errors"] as? Int == 1)
    #expect(summary["warnings"] as? Int == 1)
    #expect(summary["exitCode"] as? Int == 1)
    // Key order is part of the format.
    let keys = ["\"file\"", "\"line\"", "\"column\"", "\"severity\"", "\"code\"", "\"message\"", "\"path\"", "\"object\"", "\"hint\""]
    let positions = keys.map { text.range(of: $0)!.lowerBound }
    #expect(positions == positions.sorted())
  }

  @Test func jsonEscapesControlCharacters() throws {
    let odd = Findings.diagnostic(message: "key \"a\\b\"\n\t\u{1}")
    let object = try jsonObject(JSONReport.render(Findings.report([odd]), failOn: .error))
    let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
    #expect(diagnostics[0]["message"] as? String == "key \"a\\b\"\n\t\u{1}")
  }

  @Test func junitIsWellFormedWithFailuresCarryingLocations() throws {
    let nasty = Findings.diagnostic(message: "bad <value> & \"quote\"")
    let report = Findings.report([nasty, warning], objects: 3)
    let xml = JUnitReport.render(report, failOn: .error)
    let document = try XMLDocument(xmlString: xml)
    let suites = try document.nodes(forXPath: "/testsuites/testsuite")
    #expect(suites.count == 1)
    let root = try #require(document.rootElement())
    #expect(root.attribute(forName: "tests")?.stringValue == "3")
    #expect(root.attribute(forName: "failures")?.stringValue == "1")
    let failures = try document.nodes(forXPath: "//testcase/failure")
    #expect(failures.count == 1)
    let failure = try #require(failures.first as? XMLElement)
    #expect(failure.attribute(forName: "message")?.stringValue == "bad <value> & \"quote\"")
    #expect(failure.stringValue?.contains("deploy/split.yaml:7:5: error: bad <value>") == true)
    // The warning is below --fail-on error: reported, not failing.
    let out = try document.nodes(forXPath: "//testcase/system-out")
    #expect(out.first?.stringValue?.contains("deploy/split.yaml:9:12: warning:") == true)
  }

  @Test func junitWarningsFailWithFailOnWarning() throws {
    let xml = JUnitReport.render(Findings.report([warning]), failOn: .warning)
    let document = try XMLDocument(xmlString: xml)
    #expect(try document.nodes(forXPath: "//testcase/failure").count == 1)
  }

  @Test func junitFindingWithoutObjectGetsItsOwnTestCase() throws {
    let report = ValidationReport(
      findings: [Finding(Findings.diagnostic(code: "MC0001", line: 3, column: 1, object: nil))],
      files: ["a.yaml"], objects: [])
    let document = try XMLDocument(xmlString: JUnitReport.render(report, failOn: .error))
    let cases = try document.nodes(forXPath: "//testcase") as? [XMLElement] ?? []
    #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["deploy/split.yaml:3:1"])
  }

  @Test func junitUnreadableInputIsAFailingTestCaseWhateverFailOn() throws {
    let report = ValidationReport(files: ["a.yaml"], objects: [], inputErrors: ["gone.yaml: no such file or directory"])
    for failOn in FailOn.allCases {
      let document = try XMLDocument(xmlString: JUnitReport.render(report, failOn: failOn))
      #expect(document.rootElement()?.attribute(forName: "failures")?.stringValue == "1", "\(failOn)")
      let failure = try #require(try document.nodes(forXPath: "//testsuite[@name='unreadable inputs']/testcase/failure").first as? XMLElement)
      #expect(failure.attribute(forName: "type")?.stringValue == "unreadable-input")
      #expect(failure.attribute(forName: "message")?.stringValue == "gone.yaml: no such file or directory")
    }
  }

  @Test func junitSyntaxErrorsFailEvenWithFailOnNever() throws {
    let report = ValidationReport(
      findings: [Finding(Findings.diagnostic(code: "MC0001", line: 3, column: 1, object: nil))], files: ["a.yaml"])
    let document = try XMLDocument(xmlString: JUnitReport.render(report, failOn: .never))
    #expect(try document.nodes(forXPath: "//testcase/failure").count == 1)
  }

  @Test func junitClassnamesAreKindsAndTimesAreSeconds() throws {
    var report = ValidationReport(
      files: ["a.yaml"],
      objects: [
        ObjectRecord(file: "a.yaml", reference: "Deployment shop/web", line: 1),
        ObjectRecord(file: "a.yaml", reference: "Namespace shop", line: 9),
        ObjectRecord(file: "a.yaml", reference: "document 3", line: 12),
      ])
    report.seconds = 1.25
    report.fileSeconds = ["a.yaml": 0.0424]
    let document = try XMLDocument(xmlString: JUnitReport.render(report, failOn: .error))
    let cases = try document.nodes(forXPath: "//testcase") as? [XMLElement] ?? []
    #expect(cases.map { $0.attribute(forName: "classname")?.stringValue } == ["Deployment", "Namespace", "a.yaml"])
    #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["shop/web", "shop", "document 3"])
    #expect(document.rootElement()?.attribute(forName: "time")?.stringValue == "1.250")
    let suite = try #require(try document.nodes(forXPath: "//testsuite").first as? XMLElement)
    #expect(suite.attribute(forName: "time")?.stringValue == "0.042")
  }

  @Test func sarifInvocationSaysWhetherEveryInputWasRead() throws {
    func invocation(_ report: ValidationReport, failOn: FailOn = .error) throws -> [String: Any] {
      let log = try jsonObject(SARIFReport.render(report, toolVersion: "1", rules: [], failOn: failOn))
      let run = try #require((log["runs"] as? [[String: Any]])?.first)
      return try #require((run["invocations"] as? [[String: Any]])?.first)
    }
    let clean = try invocation(Findings.report([warning]))
    #expect(clean["executionSuccessful"] as? Bool == true)
    #expect(clean["exitCode"] as? Int == 0)
    #expect(clean["toolExecutionNotifications"] == nil)
    #expect(try invocation(Findings.report([warning]), failOn: .warning)["exitCode"] as? Int == 1)
    let unreadable = try invocation(ValidationReport(inputErrors: ["gone.yaml: no such file or directory"]))
    #expect(unreadable["executionSuccessful"] as? Bool == false)
    #expect(unreadable["exitCode"] as? Int == 2)
    let notification = try #require((unreadable["toolExecutionNotifications"] as? [[String: Any]])?.first)
    #expect(notification["level"] as? String == "error")
    #expect((notification["message"] as? [String: Any])?["text"] as? String == "gone.yaml: no such file or directory")
  }

  @Test func sarifRulesLinkToTheirDocumentation() throws {
    let rules = [Rule(code: "MC1003", severity: .error, summary: "unknown field")]
    let log = try jsonObject(SARIFReport.render(Findings.report([]), toolVersion: "1", rules: rules))
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rule = try #require((driver["rules"] as? [[String: Any]])?.first)
    #expect(rule["helpUri"] as? String == SARIFReport.rulesDocumentation + "#mc1003")
  }

  @Test func sarifHasRequiredKeysAndPositions() throws {
    let rules = [Rule(code: "MC1003", severity: .error, summary: "weights sum to 100")]
    let text = SARIFReport.render(Findings.report([error, warning]), toolVersion: "1.2.3", rules: rules)
    let log = try jsonObject(text)
    #expect(log["version"] as? String == "2.1.0")
    #expect((log["$schema"] as? String)?.contains("sarif-2.1.0") == true)
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    #expect(driver["name"] as? String == "meshctl")
    #expect(driver["version"] as? String == "1.2.3")
    #expect((driver["rules"] as? [[String: Any]])?.first?["id"] as? String == "MC1003")
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.map { $0["ruleId"] as? String } == ["MC1003", "MC1010"])
    #expect(results.map { $0["level"] as? String } == ["error", "warning"])
    #expect(results[0]["ruleIndex"] as? Int == 0)
    #expect(results[1]["ruleIndex"] == nil)
    let location = try #require((results[0]["locations"] as? [[String: Any]])?.first)
    let physical = try #require(location["physicalLocation"] as? [String: Any])
    #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "deploy/split.yaml")
    let region = try #require(physical["region"] as? [String: Any])
    #expect(region["startLine"] as? Int == 7)
    #expect(region["startColumn"] as? Int == 5)
    #expect((results[0]["message"] as? [String: Any])?["text"] as? String == "weights sum to 90, not 100\nhint: make the weights add up to 100")
  }

  @Test func sarifInfoIsNoteAndURIsAreEncoded() {
    #expect(SARIFReport.level(.info) == "note")
    #expect(SARIFReport.uri("./my dir/a%b.yaml") == "my%20dir/a%25b.yaml")
    #expect(SARIFReport.uri("dir/é.yaml") == "dir/%C3%A9.yaml")
  }

  @Test func githubWorkflowCommands() {
    let command = GitHubReport.command(error)
    #expect(
      command == "::error file=deploy/split.yaml,line=7,col=5,title=MC1003::weights sum to 90, not 100%0Ahint: make the weights add up to 100")
    #expect(GitHubReport.command(warning).hasPrefix("::warning file=deploy/split.yaml,line=9,col=12,"))
    #expect(GitHubReport.command(Findings.diagnostic(.info)).hasPrefix("::notice "))
  }

  @Test func githubEscapesDataAndProperties() {
    #expect(GitHubReport.escapeData("100%\r\nnext") == "100%25%0D%0Anext")
    #expect(GitHubReport.escapeProperty("a:b,c%") == "a%3Ab%2Cc%25")
    let odd = Findings.diagnostic(file: "dir,x/a:b.yaml")
    #expect(GitHubReport.command(odd).contains("file=dir%2Cx/a%3Ab.yaml,"))
  }

  @Test func outcomeFromFindings() {
    let report = Findings.report([warning])
    #expect(report.outcome(failOn: .error) == .passed)
    #expect(report.outcome(failOn: .warning) == .failed)
    #expect(report.outcome(failOn: .never) == .passed)
    let input = Findings.report([Findings.diagnostic(code: "MC0001"), error])
    #expect(input.outcome(failOn: .error) == .unreadableInput)
    #expect(input.outcome(failOn: .never) == .unreadableInput)
    var unreadable = Findings.report([])
    unreadable.inputErrors = ["gone.yaml: no such file"]
    #expect(unreadable.outcome(failOn: .never) == .unreadableInput)
  }

  @Test func oneLineFormHasNoSourceOrHint() {
    #expect(TextReport.line(error) == "deploy/split.yaml:7:5: error: weights sum to 90, not 100 [MC1003]")
    var whole = error
    whole.mark = .none
    #expect(TextReport.line(whole) == "deploy/split.yaml: error: weights sum to 90, not 100 [MC1003]")
  }
}

@Suite struct EscapingTests {
  @Test func xmlEscapingInAttributesAndContent() {
    #expect(JUnitReport.escape("a<b>&\"'\n\u{1}") == "a&lt;b&gt;&amp;&quot;&apos;&#10;\u{FFFD}")
    #expect(JUnitReport.escape("line 1\nline 2", attribute: false) == "line 1\nline 2")
  }

  @Test func absolutePathsBecomeFileURIs() {
    #expect(SARIFReport.uri("/tmp/a b.yaml") == "file:///tmp/a%20b.yaml")
  }

  @Test func jsonQuote() {
    #expect(JSONEmitter.quote("a\"\\\n\u{1}") == "\"a\\\"\\\\\\n\\u0001\"")
  }
}

/// Hand-made findings for the report tests.
enum Findings {
  static func diagnostic(
    _ severity: Diagnostic.Severity = .error, code: String = "MC1003", message: String = "weights sum to 90, not 100",
    file: String = "deploy/split.yaml", line: Int = 7, column: Int = 5, source: String? = "    weight: 90",
    hint: String? = "make the weights add up to 100", object: String? = "TrafficSplit shop/reviews"
  ) -> Diagnostic {
    var diagnostic = Diagnostic(
      severity: severity, code: code, message: message, file: file,
      mark: SourceMark(line: line, column: column), path: "spec.backends[0].weight", object: object, hint: hint)
    diagnostic.sourceLine = source
    return diagnostic
  }

  static func report(_ diagnostics: [Diagnostic], objects: Int = 2) -> ValidationReport {
    let records = (0..<objects).map {
      ObjectRecord(file: "deploy/split.yaml", reference: "TrafficSplit shop/r\($0)", line: 1 + $0 * 10)
    }
    return ValidationReport(
      findings: diagnostics.map { Finding($0, objectIndex: objects > 0 ? 0 : nil) },
      files: ["deploy/split.yaml"], objects: records)
  }
}

/// The JSON object `text` holds.
func jsonObject(_ text: String) throws -> [String: Any] {
  let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
  guard let object = value as? [String: Any] else { throw ReportTestFailure(text) }
  return object
}

/// Text that is not the JSON object a test expected.
struct ReportTestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ text: String) { description = "not a JSON object: \(text)" }
}
