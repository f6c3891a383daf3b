import Foundation
import Testing
import Manifest
import TestSupport
@testable import MeshSchema

extension TestPaths {
  /// `Tests/MeshSchemaTests/Fixtures`.
  static let fixtures = testsDirectory("MeshSchemaTests").appendingPathComponent("Fixtures")
}

/// Parses text and validates every document.
func validate(_ text: String, file: String = "test.yaml", strict: Bool = false) -> [Diagnostic] {
  let (documents, readerFindings) = ManifestReader().parse(text, file: file)
  let validator = Validator(options: ValidationOptions(strict: strict))
  // parse() returns the reader's document findings too; validate() repeats those, so keep only
  // the stream-level ones (syntax errors) from parse.
  let streamFindings = readerFindings.filter { finding in !documents.contains { $0.diagnostics.contains(finding) } }
  // An input of empty documents only is reported once per input, as `validate` does.
  var emptyInput = EmptyInputCheck()
  for document in documents { emptyInput.add(document) }
  return streamFindings + documents.flatMap(validator.validate) + [emptyInput.finish()].compactMap { $0 }
}

/// Runs the cross-document analysis over text, in memory and again spilled to disk a fact at a
/// time; the two must agree finding for finding, and the in-memory findings are returned.
func analyze(_ text: String, file: String = "test.yaml", sourceLocation: SourceLocation = #_sourceLocation)
  -> [Diagnostic]
{
  let (documents, _) = ManifestReader().parse(text, file: file)
  let inMemory = analyze(documents, memoryBudget: .max)
  let spilled = analyze(documents, memoryBudget: 0)
  #expect(spilled == inMemory, "spilled and in-memory findings differ", sourceLocation: sourceLocation)
  return inMemory
}

/// Runs the cross-document analysis over documents with a memory budget.
func analyze(_ documents: [Document], memoryBudget: Int, spillDirectory: String? = CrossDocumentAnalysis.temporaryDirectory)
  -> [Diagnostic]
{
  var analysis = CrossDocumentAnalysis(memoryBudget: memoryBudget, spillDirectory: spillDirectory)
  for document in documents { analysis.add(document) }
  return analysis.findings()
}

/// A fixture with position markers: `⟨1⟩`, `⟨2⟩`... are removed, and their positions (the
/// 1-based line and column of the character that followed them) are the expected positions.
struct MarkedText {
  var text: String
  var markers: [String: SourceMark]

  init(_ marked: String) {
    var text = ""
    var markers: [String: SourceMark] = [:]
    var line = 1
    var column = 1
    var rest = Substring(marked)
    while let first = rest.first {
      if first == "⟨", let close = rest.firstIndex(of: "⟩") {
        let name = String(rest[rest.index(after: rest.startIndex)..<close])
        markers[name] = SourceMark(line: line, column: column)
        rest = rest[rest.index(after: close)...]
        continue
      }
      text.append(first)
      if first == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
      rest = rest.dropFirst()
    }
    self.text = text
    self.markers = markers
  }

  /// Loads `Fixtures/<name>`.
  static func fixture(_ name: String) throws -> MarkedText {
    MarkedText(try String(contentsOf: TestPaths.fixtures.appendingPathComponent(name), encoding: .utf8))
  }
}
