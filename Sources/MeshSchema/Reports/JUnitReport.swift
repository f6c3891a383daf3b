import Manifest

/// `validate -o junit`: JUnit XML as GitLab and Jenkins render it. One `<testsuite>` per file,
/// with the seconds it took (`time`, when measured); one `<testcase>` per object, its kind the
/// `classname` and `namespace/name` the `name` (passing when it has no finding at or above
/// `--fail-on`); findings that belong to no object (syntax errors, whole-file findings) get a
/// test case of their own, named by their location. A failing test case carries one `<failure>`
/// listing all its failing findings as `file:line:col: severity: message [CODE]`; findings below
/// the threshold go to `<system-out>`. A finding that made an input unreadable (MC0xxx) always
/// fails, whatever `--fail-on`, and so does each input that could not be read at all: a test
/// case in a suite of its own (`unreadable inputs`), so CI never shows such a run as green.
/// Coverage: an object of a kind meshctl has no schema for is a `<skipped>` test case (unless
/// it fails, with `--fail-on unchecked`); a partially checked one says so in `<system-out>`;
/// each file's suite carries its counts as `<properties>` (`checked`, `partially`, `unknown`,
/// `suppressed`). Suppressed findings never fail a test case: they are listed in `<system-out>`
/// with how they were suppressed.
public enum JUnitReport {
  /// The XML text of a report.
  public static func render(_ report: ValidationReport, failOn: FailOn) -> String {
    let suites = testSuites(report)
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    let total = suites.reduce(0) { $0 + $1.cases.count }
    let failures = suites.reduce(0) { $0 + $1.failureCount(failOn) }
    let skipped = suites.reduce(0) { $0 + $1.skippedCount(failOn) }
    xml += "<testsuites name=\"meshctl validate\" tests=\"\(total)\" failures=\"\(failures)\" errors=\"0\""
    xml += " skipped=\"\(skipped)\""
    if let seconds = report.seconds { xml += " time=\"\(formatted(seconds))\"" }
    xml += ">\n"
    for suite in suites {
      xml += "  <testsuite name=\"\(escape(suite.file))\" tests=\"\(suite.cases.count)\""
      xml += " failures=\"\(suite.failureCount(failOn))\" errors=\"0\" skipped=\"\(suite.skippedCount(failOn))\""
      if let seconds = report.fileSeconds[suite.file] { xml += " time=\"\(formatted(seconds))\"" }
      xml += ">\n"
      xml += properties(suite)
      for testCase in suite.cases {
        xml += render(testCase, file: suite.file, failOn: failOn)
      }
      xml += "  </testsuite>\n"
    }
    xml += "</testsuites>\n"
    return xml
  }

  /// Seconds with millisecond precision, as JUnit readers expect (`0.042`).
  static func formatted(_ seconds: Double) -> String {
    let milliseconds = Int((max(0, seconds) * 1000).rounded())
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
  }

  /// The suite unreadable inputs are reported in.
  static let unreadableSuite = "unreadable inputs"

  struct TestCase {
    var name: String
    var className: String?
    var line: Int
    var diagnostics: [Diagnostic] = []
    /// Why the input could not be read at all; such a case always fails.
    var unreadable: String?
    /// How completely the object was checked; nil for a case that is no object.
    var coverage: ObjectCoverage?
    /// The suppressed findings, which never fail the case.
    var suppressed: [Finding] = []

    func failing(_ failOn: FailOn) -> [Diagnostic] {
      guard let threshold = failOn.threshold else { return diagnostics.filter(\.isInputError) }
      return diagnostics.filter { $0.severity >= threshold || $0.isInputError }
    }

    func fails(_ failOn: FailOn) -> Bool { unreadable != nil || !failing(failOn).isEmpty }

    /// The kind meshctl has no schema for, when the case is an object of one and does not fail.
    func skippedKind(_ failOn: FailOn) -> String? {
      guard case .unknownKind(let kind) = coverage, !fails(failOn) else { return nil }
      return kind
    }
  }

  struct TestSuite {
    var file: String
    var cases: [TestCase] = []

    func failureCount(_ failOn: FailOn) -> Int {
      cases.filter { $0.fails(failOn) }.count
    }

    func skippedCount(_ failOn: FailOn) -> Int {
      cases.filter { $0.skippedKind(failOn) != nil }.count
    }
  }

  /// A file suite's coverage counts and suppressed findings as `<properties>`; nothing for a
  /// suite without objects.
  static func properties(_ suite: TestSuite) -> String {
    let objects = suite.cases.compactMap(\.coverage)
    guard !objects.isEmpty else { return "" }
    let partial = objects.filter { $0 == .partial }.count
    let unknown = objects.filter { if case .unknownKind = $0 { return true } else { return false } }.count
    let suppressed = suite.cases.reduce(0) { $0 + $1.suppressed.count }
    let counts = [
      ("checked", objects.count - partial - unknown), ("partially", partial), ("unknown", unknown),
      ("suppressed", suppressed),
    ]
    var xml = "    <properties>\n"
    for (name, value) in counts { xml += "      <property name=\"\(name)\" value=\"\(value)\"/>\n" }
    return xml + "    </properties>\n"
  }

  /// Groups objects and findings by file, in input order.
  static func testSuites(_ report: ValidationReport) -> [TestSuite] {
    var suites: [TestSuite] = []
    var suiteIndex: [String: Int] = [:]
    func index(of file: String) -> Int {
      if let index = suiteIndex[file] { return index }
      suites.append(TestSuite(file: file))
      suiteIndex[file] = suites.count - 1
      return suites.count - 1
    }
    for file in report.files { _ = index(of: file) }
    var caseOfObject: [Int: (suite: Int, testCase: Int)] = [:]
    for (objectIndex, object) in report.objects.enumerated() {
      let suite = index(of: object.file)
      let (className, name) = classAndName(object.reference)
      suites[suite].cases.append(
        TestCase(name: name, className: className, line: object.line, coverage: object.coverage))
      caseOfObject[objectIndex] = (suite, suites[suite].cases.count - 1)
    }
    for finding in report.findings {
      let diagnostic = finding.diagnostic
      let place: (suite: Int, testCase: Int)
      if let objectIndex = finding.objectIndex, let objectPlace = caseOfObject[objectIndex] {
        place = objectPlace
      } else {
        let suite = index(of: diagnostic.file.isEmpty ? "meshctl" : diagnostic.file)
        let name = diagnostic.mark.isKnown
          ? "\(diagnostic.file):\(diagnostic.mark.line):\(diagnostic.mark.column)" : diagnostic.file
        suites[suite].cases.append(TestCase(name: name, line: diagnostic.mark.line))
        place = (suite, suites[suite].cases.count - 1)
      }
      if finding.suppression == nil {
        suites[place.suite].cases[place.testCase].diagnostics.append(diagnostic)
      } else {
        suites[place.suite].cases[place.testCase].suppressed.append(finding)
      }
    }
    for message in report.inputErrors {
      let suite = index(of: unreadableSuite)
      suites[suite].cases.append(TestCase(name: message, className: "input", line: 0, unreadable: message))
    }
    return suites
  }

  /// `("Deployment", "shop/web")` for the object `Deployment shop/web`; an object without a
  /// kind (`document 3`) keeps its reference as its name and gets no class of its own.
  static func classAndName(_ reference: String) -> (String?, String) {
    guard !reference.hasPrefix("document "), let space = reference.firstIndex(of: " ") else { return (nil, reference) }
    return (String(reference[..<space]), String(reference[reference.index(after: space)...]))
  }

  static func render(_ testCase: TestCase, file: String, failOn: FailOn) -> String {
    var xml = "    <testcase name=\"\(escape(testCase.name))\" classname=\"\(escape(testCase.className ?? file))\""
    if testCase.unreadable == nil { xml += " file=\"\(escape(file))\"" }
    if testCase.line > 0 { xml += " line=\"\(testCase.line)\"" }
    if let unreadable = testCase.unreadable {
      xml += ">\n      <failure message=\"\(escape(unreadable))\" type=\"unreadable-input\">"
      return xml + escape(unreadable, attribute: false) + "</failure>\n    </testcase>\n"
    }
    let failing = testCase.failing(failOn)
    let skipped = testCase.skippedKind(failOn)
    var output = testCase.diagnostics.filter { !failing.contains($0) }.map(line)
    output += testCase.suppressed.map { "\(line($0.diagnostic)) (suppressed: \($0.suppression?.rawValue ?? ""))" }
    if testCase.coverage == .partial {
      output.append("partially checked: meshctl does not evaluate every constraint of this kind's schema")
    }
    if failing.isEmpty && output.isEmpty && skipped == nil { return xml + "/>\n" }
    xml += ">\n"
    if let first = failing.first {
      xml += "      <failure message=\"\(escape(first.message))\" type=\"\(escape(first.code))\">"
      xml += escape(failing.map(line).joined(separator: "\n"), attribute: false) + "</failure>\n"
    }
    if let skipped {
      xml += "      <skipped message=\"\(escape("not checked: meshctl has no schema for \(skipped)"))\"/>\n"
    }
    if !output.isEmpty {
      xml += "      <system-out>" + escape(output.joined(separator: "\n"), attribute: false)
      xml += "</system-out>\n"
    }
    return xml + "    </testcase>\n"
  }

  /// `file:line:col: severity: message [CODE]` plus the hint.
  static func line(_ diagnostic: Diagnostic) -> String {
    TextReport(color: false).render(
      Diagnostic(
        severity: diagnostic.severity, code: diagnostic.code, message: diagnostic.message,
        file: diagnostic.file, mark: diagnostic.mark, hint: diagnostic.hint)
    ).trimmingSuffixNewline
  }

  /// Text escaped for XML 1.0 attributes (or, with `attribute: false`, element content, where
  /// line breaks stay as they are); characters XML cannot carry become `�`.
  public static func escape(_ text: String, attribute: Bool = true) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      case "\n": result += attribute ? "&#10;" : "\n"
      case "\r": result += "&#13;"
      case "\t": result += attribute ? "&#9;" : "\t"
      default:
        let value = scalar.value
        if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
          result += "\u{FFFD}"
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }
}

extension String {
  fileprivate var trimmingSuffixNewline: String {
    hasSuffix("\n") ? String(dropLast()) : self
  }
}
