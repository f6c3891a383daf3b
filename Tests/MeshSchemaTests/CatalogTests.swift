import Foundation
import Manifest
import TestSupport
import Testing
@testable import MeshSchema

/// Keeps the codes the sources can emit, `RuleCatalog.rules` and `docs/rules.md` in step, and
/// runs every example of the documentation.
@Suite struct CatalogTests {
  struct Section: Sendable, CustomTestStringConvertible {
    var code: String
    var severity: String
    var yamlBlocks: [String]
    var testDescription: String { code }
  }

  static let docsText: String =
    (try? String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)) ?? ""

  /// The `## MCxxxx` sections of docs/rules.md, and the appendix (code "appendix").
  static let sections: [Section] = {
    var sections: [Section] = []
    var current: Section?
    var block: [String]?
    for line in docsText.split(separator: "\n", omittingEmptySubsequences: false) {
      if block != nil {
        if line == "```" {
          current?.yamlBlocks.append(block!.joined(separator: "\n") + "\n")
          block = nil
        } else {
          block!.append(String(line))
        }
      } else if line.hasPrefix("## MC") || line.hasPrefix("# Appendix") {
        if let current { sections.append(current) }
        let code = line.hasPrefix("## ") ? String(line.dropFirst(3).prefix(6)) : "appendix"
        current = Section(code: code, severity: "", yamlBlocks: [])
      } else if line.hasPrefix("Severity: ") {
        current?.severity = String(line.dropFirst("Severity: ".count).prefix { $0 != " " })
      } else if line == "```yaml" {
        block = []
      }
    }
    if let current { sections.append(current) }
    return sections
  }()

  /// Every `"MCnnnn"` string literal in the sources of Manifest and MeshSchema.
  static func codesInSources() throws -> Set<String> {
    var codes: Set<String> = []
    let pattern = try Regex("\"(MC[0-9]{4})\"")
    for module in ["Manifest", "MeshSchema"] {
      let root = TestPaths.packageRoot.appendingPathComponent("Sources/\(module)")
      let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
      while let url = walker?.nextObject() as? URL {
        guard url.pathExtension == "swift" else { continue }
        let text = try String(contentsOf: url, encoding: .utf8)
        for match in text.matches(of: pattern) {
          if let code = match.output[1].substring { codes.insert(String(code)) }
        }
      }
    }
    return codes
  }

  /// SARIF's `helpUri` of every rule points at an anchor docs/rules.md has, just above the rule's heading.
  @Test func everyRuleHasTheAnchorItsHelpURINames() throws {
    let lines = Self.docsText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for rule in RuleCatalog.rules {
      let uri = SARIFReport.helpURI(rule.code)
      let fragment = try #require(uri.split(separator: "#").last.map(String.init))
      let index = lines.firstIndex(of: "<a id=\"\(fragment)\"></a>")
      #expect(index != nil, "docs/rules.md has no anchor \(fragment)")
      if let index { #expect(lines[index + 1].hasPrefix("## \(rule.code) "), "\(fragment) is not above its heading") }
    }
  }

  @Test func everyEmittableCodeIsCataloguedAndDocumented() throws {
    let emitted = try Self.codesInSources()
    #expect(emitted.count >= 30)
    let catalogued = Set(RuleCatalog.rules.map(\.code))
    let documented = Set(Self.sections.map(\.code)).subtracting(["appendix"])
    #expect(emitted.subtracting(catalogued).isEmpty, "not in RuleCatalog: \(emitted.subtracting(catalogued).sorted())")
    #expect(catalogued.subtracting(documented).isEmpty, "not in docs/rules.md: \(catalogued.subtracting(documented).sorted())")
    #expect(documented.subtracting(catalogued).isEmpty, "documented but not catalogued: \(documented.subtracting(catalogued).sorted())")
    // The reader's codes are catalogued too.
    for code in [ReaderCode.syntax, ReaderCode.duplicateKey, ReaderCode.limit, ReaderCode.encoding, ReaderCode.unsupported] {
      #expect(catalogued.contains(code))
    }
  }

  @Test func catalogIsOrderedAndUnique() {
    let codes = RuleCatalog.rules.map(\.code)
    #expect(codes == codes.sorted())
    #expect(Set(codes).count == codes.count)
    #expect(RuleCatalog.rules.allSatisfy { !$0.summary.isEmpty })
  }

  @Test(arguments: sections.filter { $0.code != "appendix" })
  func documentedSeverityMatchesCatalog(_ section: Section) throws {
    let rule = try #require(RuleCatalog.rule(section.code))
    #expect(section.severity == rule.severity.rawValue)
  }

  static func allFindings(_ text: String) -> [Diagnostic] {
    validate(text, file: "rules.md") + analyze(text, file: "rules.md")
  }

  /// The first block of a rule's section triggers it; the second (the fix) does not, and has no errors.
  /// Rendering rules (MC5xxx) come from the Policy module: PolicyTests runs their examples.
  @Test(arguments: sections.filter { $0.code != "appendix" && !$0.code.hasPrefix("MC5") && !$0.yamlBlocks.isEmpty })
  func documentedExamplesBehave(_ section: Section) {
    let example = Self.allFindings(section.yamlBlocks[0])
    #expect(example.contains { $0.code == section.code }, "example of \(section.code) gives \(example.map(\.code))")
    if section.yamlBlocks.count > 1 {
      let fixed = Self.allFindings(section.yamlBlocks[1])
      #expect(!fixed.contains { $0.code == section.code || $0.severity == .error }, "fix of \(section.code) gives \(fixed.map { "\($0.code) \($0.message)" })")
    }
  }

  @Test func appendixExamplesAreClean() throws {
    let appendix = try #require(Self.sections.first { $0.code == "appendix" })
    #expect(appendix.yamlBlocks.count == 3)
    for block in appendix.yamlBlocks {
      let findings = Self.allFindings(block)
      #expect(findings.isEmpty, "\(findings.map { "\($0.code) \($0.message)" })")
    }
  }
}
