import Manifest

/// Checks documents against the registered schemas, one document at a time.
public struct Validator: Sendable {
  /// The options in force.
  public var options: ValidationOptions

  /// Creates a validator.
  public init(options: ValidationOptions = ValidationOptions()) {
    self.options = options
  }

  /// The findings for one document: what the reader found in it, then each object's schema
  /// findings, each with its position and source line.
  public func validate(_ document: Document) -> [Diagnostic] {
    var findings = document.diagnostics
    if document.isEmpty, !document.holdsOnlyComments {
      // The empty scalar libyaml reports sits where the next document starts: point at this
      // document's own first line (its `---`) instead.
      let mark = SourceMark(line: document.startLine, column: 1)
      findings.append(
        Diagnostic(
          severity: .warning, code: RuleCode.emptyDocument, message: "empty document", file: document.file,
          mark: mark, object: document.objectReference, hint: "remove the empty document or its extra `---`"))
    }
    for object in document.objects { findings += validate(object) }
    return document.withSourceLines(findings)
  }

  /// The schema findings for one object (a document root or a List item), without source lines.
  public func validate(_ object: ManifestObject) -> [Diagnostic] {
    let findings = schemaFindings(object.node)
    return findings.map { finding in
      let path = JSONPath.render(finding.path, prefix: object.path)
      return Diagnostic(
        severity: finding.severity, code: finding.code, message: finding.message, file: object.document.file,
        mark: finding.mark, path: path.isEmpty ? nil : path, object: object.reference, hint: finding.hint)
    }
  }

  /// The findings of one object's tree, with paths relative to the object.
  func schemaFindings(_ node: Node) -> [SchemaFinding] {
    if node.isNull {
      // Only List items get here (empty documents hold no objects); peers such as linkerd
      // inject skip them, so they are a warning, like an empty document.
      return [
        SchemaFinding(
          severity: .warning, code: RuleCode.emptyDocument, message: "empty List item", mark: node.mark, path: [],
          hint: "remove the empty item")
      ]
    }
    guard let entries = node.mapping else {
      return [
        SchemaFinding(
          severity: .error, code: RuleCode.notAnObject,
          message: "expected a Kubernetes object (a mapping with apiVersion and kind), found \(node.typeName)",
          mark: node.mark, path: [], hint: nil)
      ]
    }
    var findings: [SchemaFinding] = []
    let apiVersion = typeMetaField("apiVersion", entries, node, into: &findings)
    let kind = typeMetaField("kind", entries, node, into: &findings)
    guard let apiVersion, let kind else { return findings }
    guard let registered = SchemaRegistry.schema(apiVersion: apiVersion, kind: kind) else {
      findings += unknownMeshctlKind(apiVersion: apiVersion, kind: kind, entries)
      return findings
    }
    let checker = SchemaChecker(strict: options.strict)
    checker.check(node, registered.schema)
    return findings + checker.findings
  }

  /// The text of `apiVersion` or `kind`, reporting MC1012 when it is missing, empty or not a string.
  private func typeMetaField(
    _ name: String, _ entries: [MappingEntry], _ node: Node, into findings: inout [SchemaFinding]
  ) -> String? {
    guard let entry = entries.first(where: { $0.key == name }) else {
      findings.append(
        SchemaFinding(
          severity: .error, code: RuleCode.missingTypeMeta, message: "missing `\(name)`", mark: node.mark, path: [],
          hint: name == "kind" ? "every object needs `apiVersion` and `kind`, e.g. `kind: Deployment`" : "every object needs `apiVersion` and `kind`, e.g. `apiVersion: apps/v1`"))
      return nil
    }
    guard let text = entry.value.string, !text.isEmpty else {
      findings.append(
        SchemaFinding(
          severity: .error, code: RuleCode.missingTypeMeta, message: "`\(name)` must be a non-empty string",
          mark: entry.value.mark, path: [.key(name)], hint: nil))
      return nil
    }
    return text
  }

  /// MC1015 for a kind or version in the `meshctl.io` group that meshctl does not define: every
  /// kind of that group is meshctl's, so an unknown one is a typo, never a third-party CRD.
  private func unknownMeshctlKind(apiVersion: String, kind: String, _ entries: [MappingEntry]) -> [SchemaFinding] {
    guard apiVersion.hasPrefix(SchemaRegistry.meshctlGroup + "/") else { return [] }
    let known = MeshctlSchemas.kinds.map(\.kind)
    let kindEntry = entries.first { $0.key == "kind" }!
    let versionEntry = entries.first { $0.key == "apiVersion" }!
    if !known.contains(kind) {
      return [
        SchemaFinding(
          severity: .error, code: RuleCode.unknownMeshctlKind, message: "unknown meshctl kind `\(kind)`",
          mark: kindEntry.value.mark, path: [.key("kind")],
          hint: Suggestions.didYouMean(kind, among: known) ?? "meshctl defines \(known.joined(separator: ", "))")
      ]
    }
    return [
      SchemaFinding(
        severity: .error, code: RuleCode.unknownMeshctlKind, message: "unknown version `\(apiVersion)` of \(kind)",
        mark: versionEntry.value.mark, path: [.key("apiVersion")],
        hint: "use `apiVersion: \(SchemaRegistry.meshctlAPIVersion)`")
    ]
  }
}
