import Foundation
import FoundationXML
import TestSupport
import Testing

/// Suppression (`meshctl.io/ignore`, `--ignore`), `--exclude`, empty documents and the coverage
/// counts, in every output format, from the binary.
@Suite(.tags(.slow))
struct SuppressionBinaryTests {
  /// Line 7: a misspelled field the annotation suppresses; line 12: the same, not annotated;
  /// line 14: an object of a kind meshctl has no schema for.
  static let input = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
      annotations:
        meshctl.io/ignore: MC1003, MC1010
    dta: {a: b}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: api}
    dta: {a: b}
    ---
    apiVersion: example.com/v1
    kind: Foo
    metadata: {name: x}

    """

  static let formats = ["text", "json", "github", "junit", "sarif"]

  func validate(_ arguments: [String], files: [String: String] = ["in.yaml": input]) throws -> ProcessResult {
    let scratch = try Scratch(files)
    return try Binary.run(["validate", "-f", scratch.path("in.yaml")] + arguments)
  }

  @Test func theAnnotationSuppressesOnlyItsObjectsFindings() throws {
    let text = try validate([])
    #expect(text.status == 1)
    #expect(!text.stdout.contains("in.yaml:7:1"), "\(text.stdout)")
    #expect(text.stdout.contains("in.yaml:12:1: error: unknown field `dta` [MC1003]"), "\(text.stdout)")
    #expect(
      text.stdout.hasSuffix(
        "1 error, 0 warnings, 1 suppressed in 1 file (3 objects: 2 checked, 1 unknown kind Foo.example.com/v1)\n"),
      "\(text.stdout)")
  }

  @Test func ignoredFindingsNeverChangeTheExitCodeInAnyFormat() throws {
    for format in Self.formats {
      let result = try validate(["-o", format, "--ignore", "mc1003"])
      #expect(result.status == 0, "\(format): \(result.stdout)")
      let failing = try validate(["-o", format])
      #expect(failing.status == 1, "\(format)")
    }
  }

  @Test func jsonListsSuppressedFindingsApartWithTheirKind() throws {
    let result = try validate(["-o", "json", "--ignore", "MC1003"])
    let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((log["diagnostics"] as? [Any])?.isEmpty == true)
    let suppressed = try #require(log["suppressed"] as? [[String: Any]])
    #expect(suppressed.map { "\($0["line"]!) \($0["suppression"]!)" } == ["7 inSource", "12 external"])
    let summary = try #require(log["summary"] as? [String: Any])
    #expect(summary["suppressed"] as? Int == 2 && summary["errors"] as? Int == 0 && summary["exitCode"] as? Int == 0)
  }

  @Test func sarifKeepsSuppressedResultsAndCoverage() throws {
    let result = try validate(["-o", "sarif", "--ignore", "MC1003"])
    var problems: [String] = []
    SARIFShape.check(
      try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)), as: "sarifLog", at: "$",
      problems: &problems)
    #expect(problems == [])
    let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let results = try #require(run["results"] as? [[String: Any]])
    let kinds = results.map { (($0["suppressions"] as? [[String: Any]])?.first?["kind"] as? String) ?? "-" }
    #expect(kinds == ["inSource", "external"])
    let properties = try #require(run["properties"] as? [String: Any])
    let coverage = try #require(properties["coverage"] as? [String: Any])
    #expect(coverage["checked"] as? Int == 2 && coverage["unknown"] as? Int == 1)
    #expect(properties["suppressed"] as? Int == 2)
    let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
    let notes = try #require(invocation["toolExecutionNotifications"] as? [[String: Any]])
    #expect(notes.map { $0["level"] as? String } == ["note"])
    #expect(((notes[0]["message"] as? [String: Any])?["text"] as? String)?.contains("Foo.example.com/v1") == true)
    #expect(invocation["executionSuccessful"] as? Bool == true)
  }

  @Test func junitSkipsUncheckedObjectsAndNeverFailsOnSuppressed() throws {
    let result = try validate(["-o", "junit", "--ignore", "MC1003"])
    #expect(result.status == 0)
    let document = try XMLDocument(xmlString: result.stdout)
    #expect(try document.nodes(forXPath: "//failure").isEmpty)
    let skipped = try document.nodes(forXPath: "//testcase[@classname='Foo']/skipped")
    #expect(skipped.count == 1)
    #expect(try document.nodes(forXPath: "/testsuites/@skipped").first?.stringValue == "1")
    let property = { (name: String) in
      try document.nodes(forXPath: "//testsuite/properties/property[@name='\(name)']/@value").first?.stringValue
    }
    #expect(try property("checked") == "2" && property("unknown") == "1" && property("suppressed") == "2")
    let output = try document.nodes(forXPath: "//testcase[@name='api']/system-out").first?.stringValue ?? ""
    #expect(output.contains("(suppressed: external)"), "\(output)")
  }

  @Test func githubCountsSuppressedAndNoticesCoverage() throws {
    let result = try validate(["-o", "github", "--ignore", "MC1003"])
    #expect(!result.stdout.contains("::error"), "\(result.stdout)")
    #expect(
      result.stdout.contains(
        "::notice title=meshctl coverage::3 objects: 2 checked, 1 unknown kind Foo.example.com/v1\n"), "\(result.stdout)")
    #expect(result.stdout.contains(", 2 suppressed in 1 file"))
  }

  @Test func failOnUncheckedFailsInEveryFormat() throws {
    for format in Self.formats {
      let result = try validate(["-o", format, "--ignore", "MC1003", "--fail-on", "unchecked"])
      #expect(result.status == 1, "\(format): \(result.stdout)")
      #expect(result.stdout.contains("MC1017"), "\(format)")
    }
    // MC1017 itself can be ignored: the object is still counted as not checked.
    let ignored = try validate(["--ignore", "MC1003,MC1017", "--fail-on", "unchecked"])
    #expect(ignored.status == 0, "\(ignored.stdout)")
    #expect(ignored.stdout.contains("1 unknown kind Foo.example.com/v1"))
  }

  @Test func unknownOrUnignorableCodesAreUsageErrors() throws {
    let typo = try validate(["--ignore", "MC1OO3"])
    #expect(typo.status == 64)
    #expect(typo.stderr.contains("--ignore MC1OO3: no such rule"), "\(typo.stderr)")
    #expect(typo.stderr.contains("did you mean `MC1003`?"), "\(typo.stderr)")
    let syntax = try validate(["--ignore", "MC0001"])
    #expect(syntax.status == 64)
    #expect(syntax.stderr.contains("cannot be ignored"))
  }

  @Test func excludeSkipsFilesInWalksAndArguments() throws {
    let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndta: {}\n"
    let good = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {}\n"
    let scratch = try Scratch([
      "deploy/app.yaml": good, "deploy/legacy/old.yaml": bad, "deploy/sub/x_test.yaml": bad, "deploy/sub/y.yaml": good,
    ])
    let root = scratch.path("deploy")
    let all = try Binary.run(["validate", "-f", root, "-R"])
    #expect(all.status == 1 && all.stdout.contains("in 4 files"), "\(all.stdout)")
    // A pattern without `/` matches any segment; `**` spans directories.
    let excluded = try Binary.run(["validate", "-f", root, "-R", "--exclude", "legacy", "--exclude", "**/*_test.yaml"])
    #expect(excluded.status == 0, "\(excluded.stdout)")
    #expect(excluded.stdout.hasSuffix("0 errors, 0 warnings in 2 files (2 objects)\n"), "\(excluded.stdout)")
    // A file named with -f is excluded too.
    let named = try Binary.run(["validate", "-f", scratch.path("deploy/legacy/old.yaml"), "--exclude", "**/legacy/*"])
    #expect(named.status == 0 && named.stdout.contains("in 0 files"), "\(named.stdout)")
  }

  @Test func emptyDocumentsBesideObjectsAreSilentAnEmptyInputIsNot() throws {
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    let trailing = try validate(
      ["--fail-on", "warning"], files: ["in.yaml": "---\n" + object + "---\n---\n# end\n" + object + "---\n"])
    #expect(trailing.status == 0, "\(trailing.stdout)")
    #expect(trailing.stdout == "0 errors, 0 warnings in 1 file (2 objects)\n")
    let empty = try validate(["--fail-on", "warning"], files: ["in.yaml": "# nothing rendered\n---\n---\n"])
    #expect(empty.status == 1)
    #expect(empty.stdout.contains("in.yaml:1:1: warning: no objects: only empty documents [MC1013]"), "\(empty.stdout)")
  }

  @Test(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"))
  func istioBookinfoPassesFailOnWarning() throws {
    let bookinfo = TestPaths.corpus.appendingPathComponent("apps/bookinfo/bookinfo.yaml").path
    let text = try String(contentsOfFile: bookinfo, encoding: .utf8)
    #expect(text.hasSuffix("---\n"), "the corpus file no longer ends in an empty document")
    let result = try Binary.run(["validate", "-f", bookinfo, "--fail-on", "warning"])
    #expect(result.status == 0, "\(result.stdout)")
  }
}
