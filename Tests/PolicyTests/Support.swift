import Foundation
import Manifest
import MeshSchema
import Policy
import TestSupport

extension TestPaths {
  /// `Tests/PolicyTests/Golden`.
  static let golden = testsDirectory("PolicyTests").appendingPathComponent("Golden")
}

/// Renders every policy of a stream, with the stream's Services and workloads as the lookup,
/// as `meshctl render` does.
func renderStream(_ text: String, file: String = "test.yaml", settings: PolicySettings) -> RenderResult {
  let (documents, _) = ManifestReader().parse(text, file: file)
  let objects = documents.flatMap(\.objects)
  return PolicyRenderer(settings: settings).render(objects, lookup: ManifestLookup(objects: objects))
}

/// The findings of the schema module (strict: unknown fields are errors too) for rendered objects.
func schemaFindings(_ objects: [Node]) -> [Diagnostic] {
  let validator = Validator(options: ValidationOptions(strict: true))
  return objects.flatMap { node in
    let text = YAMLEmitter.emit(node)
    let (documents, readFindings) = ManifestReader().parse(text, file: "rendered.yaml")
    return readFindings + documents.flatMap(validator.validate)
  }
}

/// `file:line:col: severity: message [CODE]`.
func line(_ diagnostic: Diagnostic) -> String {
  "\(diagnostic.file):\(diagnostic.mark.line):\(diagnostic.mark.column): \(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.code)]"
}

/// Reads a YAML text into its documents' roots.
func roots(_ text: String) -> [Node] {
  ManifestReader().parse(text).documents.filter { !$0.isEmpty }.map(\.root)
}
