import Foundation
import Manifest
import Testing

@testable import MeshSchema

/// Suppressed findings are kept, counted and never fail the run; empty documents are reported
/// only for an input without objects; every report format carries coverage and suppressions.
@Suite struct SuppressionTests {
  /// A TrafficSplit whose service (line 7) is not in the input: a cross-document MC2001 anchored
  /// at the annotated object; and a ConfigMap whose misspelled field (line 12) is not annotated.
  static let input = """
    {apiVersion: v1, kind: Service, metadata: {name: reviews, namespace: shop}, spec: {ports: [{port: 80}]}}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata:
      name: r
      namespace: shop
      annotations: {meshctl.io/ignore: "mc2001"}
    spec: {service: reviewz, backends: [{name: a, service: reviews, weight: 100}]}
    ---
    {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: shop}, dta: {}}
    ---
    {apiVersion: example.com/v1, kind: Foo, metadata: {name: f}}

    """

  static func report(
    _ text: String = input, ignoring codes: Set<String> = [], recordsObjects: Bool = true
  ) -> ValidationReport {
    var session = ValidationSession(
      recordsObjects: recordsObjects, suppressions: Suppressions(ignoredCodes: codes), retainsSourceLines: true)
    let (documents, findings) = ManifestReader().parse(text, file: "in.yaml")
    for document in documents { session.add(document) }
    let streamFindings = findings.filter { finding in !documents.contains { $0.diagnostics.contains(finding) } }
    session.finishInput("in.yaml", readerFindings: streamFindings)
    return session.finish { _, _ in [:] }
  }

  @Test(arguments: [true, false])
  func theAnnotationSuppressesCrossDocumentFindingsAnchoredAtItsObject(_ recordsObjects: Bool) throws {
    let report = Self.report(recordsObjects: recordsObjects)
    let split = try #require(report.findings.first { $0.diagnostic.code == "MC2001" })
    #expect(split.suppression == .inSource)
    let field = try #require(report.findings.first { $0.diagnostic.code == "MC1003" })
    #expect(field.suppression == nil)
    #expect(report.suppressedCount == 1)
    #expect(report.count(.warning) == 0 && report.count(.error) == 1)
    #expect(report.outcome(failOn: .warning) == .failed)
  }

  @Test func ignoredCodesAreExternalAndNeverFail() {
    let report = Self.report(ignoring: ["MC1003"])
    #expect(report.findings.map { "\($0.diagnostic.code) \($0.suppression?.rawValue ?? "-")" }.sorted()
      == ["MC1003 external", "MC2001 inSource"])
    #expect(report.outcome(failOn: .warning) == .passed)
    #expect(report.summaryLine.hasPrefix("0 errors, 0 warnings, 2 suppressed in 1 file (4 objects: 3 checked"))
    #expect(report.reported.isEmpty && report.suppressed.count == 2)
  }

  @Test func inputErrorsAreNeverSuppressed() {
    let report = Self.report("a: [1\n", ignoring: ["MC0001"])
    #expect(report.findings.map(\.suppression) == [nil])
    #expect(report.outcome(failOn: .never) == .unreadableInput)
  }

  @Test func codesAreCheckedWithASuggestion() {
    #expect(Suppressions.problem(with: "MC2002") == nil)
    #expect(Suppressions.problem(with: "MC2O02")?.contains("did you mean `MC2002`?") == true)
    #expect(Suppressions.problem(with: "MC0002")?.contains("cannot be ignored") == true)
    #expect(Suppressions.codes(in: "mc2002, MC1003 MC1004") == ["MC2002", "MC1003", "MC1004"])
  }

  @Test func emptyDocumentsAreReportedOnlyForAnInputWithoutObjects() {
    let object = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    #expect(Self.report("---\n" + object + "---\n---\n# c\n---\n" + object + "---\n").findings.isEmpty)
    let empty = Self.report("# rendered nothing\n---\n---\n")
    #expect(empty.findings.map { "\($0.diagnostic.code) \($0.diagnostic.mark.line)" } == ["MC1013 1"])
    #expect(empty.findings.first?.diagnostic.sourceLine == "# rendered nothing")
  }

  @Test func everyFormatCarriesSuppressionsAndCoverage() throws {
    let report = Self.report(ignoring: ["MC1003"])
    let json = JSONReport.render(report, failOn: .error)
    #expect(json.contains("\"suppression\": \"external\"") && json.contains("\"suppressed\": 2"))
    let sarif = SARIFReport.render(report, toolVersion: "test")
    #expect(sarif.contains("\"kind\": \"inSource\"") && sarif.contains("\"kind\": \"external\""))
    #expect(sarif.contains("1 object of kind Foo.example.com/v1 not checked"))
    let junit = JUnitReport.render(report, failOn: .error)
    #expect(junit.contains("failures=\"0\" errors=\"0\" skipped=\"1\""))
    #expect(junit.contains("<skipped message=\"not checked: meshctl has no schema for Foo.example.com/v1\"/>"))
    #expect(junit.contains("(suppressed: inSource)"))
    let github = GitHubReport.render(report)
    #expect(!github.contains("::warning") && !github.contains("::error"))
    #expect(github.contains("::notice title=meshctl coverage::4 objects: 3 checked, 1 unknown kind Foo.example.com/v1"))
    let text = TextReport(color: false).render(report)
    #expect(text == report.summaryLine + "\n")
  }

  @Test func junitFailsAnUncheckedObjectOnlyWithFailOnUnchecked() {
    var session = ValidationSession(
      options: ValidationOptions(uncheckedIsError: true), retainsSourceLines: true)
    let (documents, _) = ManifestReader().parse("{apiVersion: example.com/v1, kind: Foo, metadata: {name: f}}\n", file: "f.yaml")
    for document in documents { session.add(document) }
    session.finishInput("f.yaml", readerFindings: [])
    let junit = JUnitReport.render(session.finish { _, _ in [:] }, failOn: .unchecked)
    #expect(junit.contains("type=\"MC1017\"") && junit.contains("skipped=\"0\""))
  }

  @Test(arguments: [
    ("deploy/legacy/a.yaml", ["legacy"], true),
    ("./deploy/a_test.yaml", ["*_test.yaml"], true),
    ("deploy/a.yaml", ["*_test.yaml"], false),
    ("deploy/x/y/z.yaml", ["deploy/**/z.yaml"], true),
    ("deploy/z.yaml", ["deploy/**/z.yaml"], true),
    ("other/z.yaml", ["deploy/**"], false),
    ("deploy/x/y.yaml", ["deploy/*"], true),
    ("deploy/x/y.yaml", ["deploy/*.yaml"], false),
  ])
  func exclusionPatterns(_ path: String, _ patterns: [String], _ excluded: Bool) {
    #expect(PathExclusion(patterns).excludes(path: path) == excluded)
    #expect(!PathExclusion(patterns).excludes(.standardInput))
  }
}
