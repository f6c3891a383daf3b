import Manifest

/// `validate -o sarif`: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs).
/// Columns are Unicode code points (`columnKind`), as meshctl counts them.
public enum SARIFReport {
  /// The schema the output declares.
  public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

  /// Where the rules are documented: each rule's `helpUri` is this page with the rule's anchor
  /// (`#mc1003`; docs/rules.md has one `<a id>` per rule, checked by a test).
  public static let rulesDocumentation = "https://github.com/meshctl/meshctl/blob/main/docs/rules.md"

  /// The SARIF log of a report, naming the tool `meshctl` at `toolVersion`, with the rules of
  /// `rules`; the invocation records whether every input could be read (`executionSuccessful`,
  /// one `toolExecutionNotifications` entry per unreadable input) and the exit code `failOn` gives.
  /// Suppressed findings are results with `suppressions` (`inSource` for the object's
  /// annotation, `external` for `--ignore`), which code-scanning tools show as dismissed. The
  /// coverage counts are in the run's `properties`; each kind meshctl has no schema for is a
  /// `note` notification of the invocation rather than a result: it says what the run could not
  /// look at, not a defect at a place in the code (with `--fail-on unchecked` such objects are
  /// MC1017 results too).
  public static func render(
    _ report: ValidationReport, toolVersion: String, rules: [Rule] = RuleCatalog.rules, failOn: FailOn = .error
  ) -> String {
    let indexes = ruleIndex(rules)
    return log(
      report, results: report.findings.map { result($0, ruleIndex: indexes) }, toolVersion: toolVersion,
      rules: rules, failOn: failOn)
  }

  /// Each rule's index in `rules`, by code.
  static func ruleIndex(_ rules: [Rule]) -> [String: Int] {
    Dictionary(rules.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The SARIF log with the given results (some written out ahead: `Stream`).
  static func log(_ report: ValidationReport, results: [Node], toolVersion: String, rules: [Rule], failOn: FailOn)
    -> String
  {
    let run = Node.object([
      ("tool", .object([("driver", driver(rules, version: toolVersion))])),
      ("invocations", .sequence([invocation(report, failOn: failOn)])),
      ("columnKind", .string("unicodeCodePoints")),
      ("results", .sequence(results)),
      ("properties", properties(report)),
    ])
    return Node.object([
      ("version", .string("2.1.0")),
      ("$schema", .string(schemaURI)),
      ("runs", .sequence([run])),
    ]).renderedJSON
  }

  /// The one invocation: `executionSuccessful` is false when an input could not be read (exit 2),
  /// each unreadable input an error notification.
  static func invocation(_ report: ValidationReport, failOn: FailOn) -> Node {
    let outcome = report.outcome(failOn: failOn)
    var members: [(String, Node)] = [
      ("executionSuccessful", .bool(outcome != .unreadableInput)), ("exitCode", .int(outcome.rawValue)),
    ]
    func notification(_ level: String, _ text: String) -> Node {
      .object([("level", .string(level)), ("message", .object([("text", .string(text))]))])
    }
    var notifications = report.inputErrors.map { notification("error", $0) }
    for (kind, count) in report.coverage.unknownKinds {
      notifications.append(
        notification(
          "note",
          "\(plural(count, "object")) of kind \(kind) not checked: meshctl has no schema for it (give its CRD with --crd)"))
    }
    if !notifications.isEmpty { members.append(("toolExecutionNotifications", .sequence(notifications))) }
    return .object(members)
  }

  /// The run's property bag: the coverage counts (as `-o json`'s `summary.coverage`) and how
  /// many results are suppressed.
  static func properties(_ report: ValidationReport) -> Node {
    let coverage = report.coverage
    return .object([
      (
        "coverage",
        .object([
          ("objects", .int(report.objectCount)),
          ("checked", .int(coverage.checked(objectCount: report.objectCount))),
          ("partially", .int(coverage.partial)),
          ("unknown", .int(coverage.unknown)),
          (
            "unknownKinds",
            .sequence(coverage.unknownKinds.map { .object([("kind", .string($0.kind)), ("objects", .int($0.count))]) })
          ),
        ])
      ),
      ("suppressed", .int(report.suppressedCount)),
    ])
  }

  static func driver(_ rules: [Rule], version: String) -> Node {
    .object([
      ("name", .string("meshctl")),
      ("version", .string(version)),
      (
        "rules",
        .sequence(
          rules.map { rule in
            .object([
              ("id", .string(rule.code)),
              ("shortDescription", .object([("text", .string(rule.summary))])),
              ("helpUri", .string(helpURI(rule.code))),
              ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
            ])
          })
      ),
    ])
  }

  /// The documentation of one rule: docs/rules.md at the rule's anchor.
  public static func helpURI(_ code: String) -> String {
    "\(rulesDocumentation)#\(code.lowercased())"
  }

  static func result(_ finding: Finding, ruleIndex: [String: Int]) -> Node {
    let diagnostic = finding.diagnostic
    var members: [(String, Node)] = [("ruleId", .string(diagnostic.code))]
    if let index = ruleIndex[diagnostic.code] { members.append(("ruleIndex", .int(index))) }
    members.append(("level", .string(level(diagnostic.severity))))
    var message = diagnostic.message
    if let hint = diagnostic.hint { message += "\nhint: " + hint }
    members.append(("message", .object([("text", .string(message))])))
    var physical: [(String, Node)] = [
      ("artifactLocation", .object([("uri", .string(uri(diagnostic.file)))]))
    ]
    if diagnostic.mark.isKnown {
      physical.append(
        (
          "region",
          .object([
            ("startLine", .int(diagnostic.mark.line)), ("startColumn", .int(diagnostic.mark.column)),
          ])
        ))
    }
    var location: [(String, Node)] = [("physicalLocation", .object(physical))]
    if let object = diagnostic.object {
      let name = diagnostic.path.map { "\(object) \($0)" } ?? object
      location.append(("logicalLocations", .sequence([.object([("fullyQualifiedName", .string(name))])])))
    }
    members.append(("locations", .sequence([.object(location)])))
    if let suppression = finding.suppression {
      members.append(("suppressions", .sequence([.object([("kind", .string(suppression.rawValue))])])))
    }
    return .object(members)
  }

  /// SARIF's level for a severity.
  public static func level(_ severity: Diagnostic.Severity) -> String {
    switch severity {
    case .error: return "error"
    case .warning: return "warning"
    case .info: return "note"
    }
  }

  /// A URI for a path (RFC 3986): relative paths stay relative references (a leading `./`
  /// dropped), absolute ones become `file://` URIs; unreserved characters and `/` are kept,
  /// the rest percent-encoded.
  public static func uri(_ path: String) -> String {
    var path = Substring(path)
    while path.hasPrefix("./") { path = path.dropFirst(2) }
    var result = path.hasPrefix("/") ? "file://" : ""
    for byte in path.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
        result.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        result += "%" + (hex.count < 2 ? "0" + hex : hex)
      }
    }
    return result
  }
}
