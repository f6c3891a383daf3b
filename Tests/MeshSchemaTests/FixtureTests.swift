import Foundation
import Manifest
import Testing
@testable import MeshSchema

/// One fixture per failure mode (Fixtures/*.yaml). The marker `⟨1⟩` in a fixture is where the
/// finding must point, exactly; `⟨2⟩`, when present, is where a second, related finding points.
struct FixtureExpectation: Sendable, CustomTestStringConvertible {
  var fixture: String
  var code: String
  var severity: Diagnostic.Severity
  var path: String?
  var hint: String?
  var marker = "1"
  var testDescription: String { "\(fixture) → \(code)" }
}

@Suite struct FixtureTests {
  static let expectations: [FixtureExpectation] = [
    FixtureExpectation(fixture: "wrong-type.yaml", code: "MC1001", severity: .error, path: "spec.backends[0].weight"),
    FixtureExpectation(fixture: "missing-required.yaml", code: "MC1002", severity: .error, path: "spec.backends[0]"),
    FixtureExpectation(
      fixture: "unknown-field.yaml", code: "MC1003", severity: .error, path: "spec.backends[0].weigth",
      hint: "did you mean `weight`?"),
    FixtureExpectation(
      fixture: "unknown-field.yaml", code: "MC1002", severity: .error, path: "spec.backends[0]",
      hint: "is `weigth` a misspelling of `weight`?", marker: "2"),
    FixtureExpectation(
      fixture: "bad-enum.yaml", code: "MC1004", severity: .error, path: "spec.mode", hint: "did you mean `STRICT`?"),
    FixtureExpectation(fixture: "out-of-range.yaml", code: "MC1005", severity: .error, path: "spec.port"),
    FixtureExpectation(fixture: "weights-sum.yaml", code: "MC1020", severity: .error, path: "spec.backends"),
    FixtureExpectation(fixture: "weights-all-zero.yaml", code: "MC1021", severity: .error, path: "spec.backends"),
    FixtureExpectation(
      fixture: "match-unknown-backend.yaml", code: "MC1022", severity: .error, path: "spec.match[0].backend"),
    FixtureExpectation(
      fixture: "analysis-spec.yaml", code: "MC1023", severity: .error, path: "spec.analysis[1]",
      hint: "write success-rate>=99.5, latency-p99<=300ms (p50, p90, p95, p99; ms or s) or request-rate>=10"),
    FixtureExpectation(
      fixture: "duplicate-backend.yaml", code: "MC1009", severity: .error, path: "spec.backends[1].name"),
    FixtureExpectation(
      fixture: "list-item.yaml", code: "MC1005", severity: .error,
      path: "items[1].spec.template.spec.containers[0].ports[0].containerPort"),
    FixtureExpectation(
      fixture: "yaml11-boolean.yaml", code: "MC1010", severity: .warning, path: "metadata.labels.canary",
      hint: "quote it: \"yes\""),
    FixtureExpectation(
      fixture: "number-in-label.yaml", code: "MC1011", severity: .error, path: "metadata.labels.version",
      hint: "quote it: \"1.0\""),
    FixtureExpectation(fixture: "empty-document.yaml", code: "MC1013", severity: .warning, path: nil),
    FixtureExpectation(fixture: "missing-kind.yaml", code: "MC1012", severity: .error, path: nil),
    FixtureExpectation(fixture: "not-an-object.yaml", code: "MC1014", severity: .error, path: nil),
    FixtureExpectation(
      fixture: "exactly-one-of.yaml", code: "MC1007", severity: .error, path: "spec.backends[0].service"),
    FixtureExpectation(fixture: "bad-format.yaml", code: "MC1006", severity: .error, path: "spec.service"),
    FixtureExpectation(
      fixture: "unknown-meshctl-kind.yaml", code: "MC1015", severity: .error, path: "kind",
      hint: "did you mean `TrafficSplit`?"),
    FixtureExpectation(
      fixture: "duplicate-container.yaml", code: "MC1030", severity: .error, path: "spec.initContainers[0].name"),
    FixtureExpectation(
      fixture: "unknown-field-kubernetes.yaml", code: "MC1003", severity: .error,
      path: "spec.template.spec.containers[0].imagePullPolicyy", hint: "did you mean `imagePullPolicy`?"),
  ]

  @Test(arguments: expectations)
  func findingLandsOnItsMarker(_ expected: FixtureExpectation) throws {
    let marked = try MarkedText.fixture(expected.fixture)
    let findings = validate(marked.text, file: expected.fixture)
    let mark = try #require(marked.markers[expected.marker], "fixture has no marker ⟨\(expected.marker)⟩")
    let matching = findings.filter { $0.code == expected.code && $0.mark == mark }
    #expect(matching.count == 1, "findings: \(findings.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.path ?? "-") \($0.message)" })")
    guard let finding = matching.first else { return }
    #expect(finding.severity == expected.severity)
    #expect(finding.path == expected.path)
    #expect(finding.file == expected.fixture)
    if let hint = expected.hint { #expect(finding.hint == hint) }
    #expect(finding.sourceLine != nil)
  }

  /// Each fixture shows exactly the failure it is named after (plus the related second marker).
  @Test(arguments: Set(expectations.map(\.fixture)).sorted())
  func fixtureHasNoOtherErrors(_ fixture: String) throws {
    let marked = try MarkedText.fixture(fixture)
    let expectedCodes = Set(Self.expectations.filter { $0.fixture == fixture }.map(\.code))
    let findings = validate(marked.text, file: fixture)
    let others = findings.filter { !expectedCodes.contains($0.code) }
    #expect(others.isEmpty, "unexpected: \(others.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.message)" })")
  }

  /// The generated structure of a built-in kind is complete: an unknown field is an error with
  /// or without `--strict`, as the API server's fieldValidation=Strict refuses it.
  @Test func unknownFieldsInBuiltInKindsAreErrorsWithOrWithoutStrict() throws {
    let marked = try MarkedText.fixture("unknown-field-kubernetes.yaml")
    #expect(validate(marked.text, strict: true).map(\.severity) == [.error])
    #expect(validate(marked.text, strict: false).map(\.severity) == [.error])
  }
}
