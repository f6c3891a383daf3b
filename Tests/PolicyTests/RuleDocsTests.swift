import Foundation
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

/// The rendering rules' examples in docs/rules.md (MC5xxx sections) behave as documented: the
/// first block gives that code (an error refuses the policy), the second (the fix) renders without
/// findings.
@Suite struct RuleDocsTests {
  struct Section: Sendable, CustomTestStringConvertible {
    var code: String
    var blocks: [String]
    var testDescription: String { code }
  }

  static let sections: [Section] = {
    let url = TestPaths.packageRoot.appendingPathComponent("docs/rules.md")
    let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    var sections: [Section] = []
    var block: [String]?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if block != nil {
        if line == "```" {
          sections[sections.count - 1].blocks.append(block!.joined(separator: "\n") + "\n")
          block = nil
        } else {
          block!.append(String(line))
        }
      } else if line.hasPrefix("## MC") {
        sections.append(Section(code: String(line.dropFirst(3).prefix(6)), blocks: []))
      } else if line == "```yaml", !sections.isEmpty {
        block = []
      }
    }
    return sections.filter { $0.code.hasPrefix("MC5") }
  }()

  @Test func everyRenderingRuleIsDocumentedWithAnExample() {
    let catalogued = RuleCatalog.rules.map(\.code).filter { $0.hasPrefix("MC5") }
    #expect(!catalogued.isEmpty)
    #expect(Self.sections.map(\.code) == catalogued)
    #expect(Self.sections.allSatisfy { !$0.blocks.isEmpty })
  }

  @Test(arguments: sections)
  func examplesBehave(_ section: Section) {
    let example = section.blocks[0]
    let refused = renderStream(example, settings: RenderGoldenTests.settings(for: example))
    #expect(
      refused.diagnostics.contains { $0.code == section.code }, "\(section.code): \(refused.diagnostics.map(line))")
    // An error refuses the policy; a warning lets it render.
    if RuleCatalog.rule(section.code)?.severity == .error { #expect(refused.objects.isEmpty) }
    guard section.blocks.count > 1 else { return }
    let fix = section.blocks[1]
    let fixed = renderStream(fix, settings: RenderGoldenTests.settings(for: fix))
    #expect(fixed.diagnostics.isEmpty, "fix of \(section.code): \(fixed.diagnostics.map(line))")
    #expect(!fixed.objects.isEmpty)
  }
}
