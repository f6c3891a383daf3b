import Manifest

/// How completely one object was checked.
public enum ObjectCoverage: Sendable, Hashable {
  /// Every field against a complete schema.
  case checked
  /// Against a partial schema, or one with constraints meshctl does not evaluate (CEL rules).
  case partial
  /// Not at all: no schema for its kind (`Foo.example.com/v1`).
  case unknownKind(String)
}

/// Checks documents against the registered schemas, one document at a time.
public struct Validator: Sendable {
  /// The options in force.
  public var options: ValidationOptions
  /// The schemas, for one Kubernetes release.
  public let catalog: SchemaCatalog

  /// Creates a validator.
  public init(options: ValidationOptions = ValidationOptions(), catalog: SchemaCatalog = .standard) {
    self.options = options
    self.catalog = catalog
  }

  /// The findings for one document: what the reader found in it, then each object's schema
  /// findings, each with its position and source line.
  public func validate(_ document: Document) -> [Diagnostic] {
    var coverage: [ObjectCoverage] = []
    return validate(document, coverage: &coverage)
  }

  /// The findings for one document, and how completely each of its objects was checked.
  public func validate(_ document: Document, coverage: inout [ObjectCoverage]) -> [Diagnostic] {
    // An empty document is reported per input, when the input holds nothing else
    // (`EmptyInputCheck`): kubectl accepts a trailing or repeated `---` silently.
    var findings = document.diagnostics
    for object in document.objects {
      let (objectFindings, objectCoverage) = check(object)
      findings += objectFindings
      coverage.append(objectCoverage)
    }
    return document.withSourceLines(findings)
  }

  /// The schema findings for one object (a document root or a List item), without source lines.
  public func validate(_ object: ManifestObject) -> [Diagnostic] {
    check(object).findings
  }

  /// The schema findings for one object and how completely it was checked.
  func check(_ object: ManifestObject) -> (findings: [Diagnostic], coverage: ObjectCoverage) {
    let (findings, coverage) = schemaFindings(object.node)
    let diagnostics = findings.map { finding in
      let path = JSONPath.render(finding.path, prefix: object.path)
      return Diagnostic(
        severity: finding.severity, code: finding.code, message: finding.message, file: object.document.file,
        mark: finding.mark, path: path.isEmpty ? nil : path, object: object.reference, hint: finding.hint)
    }
    return (diagnostics, coverage)
  }

  /// The findings of one object's tree, with paths relative to the object.
  func schemaFindings(_ node: Node) -> (findings: [SchemaFinding], coverage: ObjectCoverage) {
    if node.isNull {
      // Only List items get here (empty documents hold no objects); peers such as linkerd
      // inject skip them, so they are a warning, like an empty document.
      let finding = SchemaFinding(
        severity: .warning, code: RuleCode.emptyDocument, message: "empty List item", mark: node.mark, path: [],
        hint: "remove the empty item")
      return ([finding], .checked)
    }
    guard let entries = node.mapping else {
      let finding = SchemaFinding(
        severity: .error, code: RuleCode.notAnObject,
        message: "expected a Kubernetes object (a mapping with apiVersion and kind), found \(node.typeName)",
        mark: node.mark, path: [], hint: nil)
      return ([finding], .checked)
    }
    var findings: [SchemaFinding] = []
    let apiVersion = typeMetaField("apiVersion", entries, node, into: &findings)
    let kind = typeMetaField("kind", entries, node, into: &findings)
    guard let apiVersion, let kind else { return (findings, .checked) }
    switch catalog.resolve(apiVersion: apiVersion, kind: kind) {
    case .schema(let schema, let complete):
      let checker = SchemaChecker(strict: options.strict)
      checker.check(node, schema)
      findings += checker.findings
      if case .builtIn? = GeneratedSchemas.index[apiVersion + " " + kind] {
        findings += newFindings(APIServerRules.check(node, apiVersion: apiVersion, kind: kind), besides: findings)
      } else {
        findings += newFindings(IstioRules.check(node, apiVersion: apiVersion, kind: kind), besides: findings)
      }
      return (findings, complete && !checker.reachedUnchecked ? .checked : .partial)
    case .notServed(let servedAs, let releases):
      findings.append(notServed(apiVersion: apiVersion, kind: kind, servedAs: servedAs, releases: releases, entries))
      return (findings, .checked)
    case .unknownBuiltIn(let known):
      findings.append(unknownBuiltInKind(apiVersion: apiVersion, kind: kind, known: known, entries))
      return (findings, .checked)
    case .misspeltCustomKind(let suggestion):
      let kindEntry = entries.first { $0.key == "kind" }!
      findings.append(
        SchemaFinding(
          severity: .error, code: RuleCode.notServed,
          message: "`\(kind)` is not a kind of API group `\(apiGroup(apiVersion))`", mark: kindEntry.value.mark,
          path: [.key("kind")], hint: "did you mean `\(suggestion)`?"))
      return (findings, .checked)
    case .unknown:
      let meshctlFindings = unknownMeshctlKind(apiVersion: apiVersion, kind: kind, entries)
      if !meshctlFindings.isEmpty { return (findings + meshctlFindings, .checked) }
      let name = Self.kindName(apiVersion: apiVersion, kind: kind)
      if options.uncheckedIsError, let kindEntry = entries.first(where: { $0.key == "kind" }) {
        findings.append(
          SchemaFinding(
            severity: .error, code: RuleCode.uncheckedKind, message: "no schema for \(name): the object is not checked",
            mark: kindEntry.value.mark, path: [.key("kind")],
            hint: "give its CustomResourceDefinition with --crd, or put it in the input before the object"))
      }
      return (findings, .unknownKind(name))
    }
  }

  /// The API server's (or Istio's) rules' findings at places the schema walk has not already reported on
  /// (one finding per place: a name the hand-written schema rejects is not reported twice).
  private func newFindings(_ rules: [SchemaFinding], besides findings: [SchemaFinding]) -> [SchemaFinding] {
    guard !rules.isEmpty else { return [] }
    let reported = Set(findings.map(\.mark))
    return rules.filter { !reported.contains($0.mark) }
  }

  /// `Foo.example.com/v1` (`Foo/v1` in the core group): how the summary names a kind.
  static func kindName(apiVersion: String, kind: String) -> String {
    let group = apiGroup(apiVersion)
    let version = apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion
    return group.isEmpty ? "\(kind)/\(version)" : "\(kind).\(group)/\(version)"
  }

  /// MC1016 for a built-in apiVersion and kind the selected release does not serve.
  private func notServed(
    apiVersion: String, kind: String, servedAs: [String], releases: [String], _ entries: [MappingEntry]
  ) -> SchemaFinding {
    let versionEntry = entries.first { $0.key == "apiVersion" }!
    let release = "Kubernetes \(catalog.kubernetesVersion)"
    var message = "`\(apiVersion)` `\(kind)` is not served by \(release)"
    if let first = releases.first, let last = releases.last {
      message += first == last ? " (only by \(first))" : " (only by \(first)–\(last))"
    }
    let hint =
      servedAs.isEmpty
      ? "choose the release with --kubernetes-version"
      : "use `apiVersion: \(servedAs.joined(separator: "` or `apiVersion: "))`"
    return SchemaFinding(
      severity: .error, code: RuleCode.notServed, message: message, mark: versionEntry.value.mark,
      path: [.key("apiVersion")], hint: hint)
  }

  /// MC1016 for a kind no built-in apiVersion of its group has (a typo, or a removed kind).
  private func unknownBuiltInKind(
    apiVersion: String, kind: String, known: [String], _ entries: [MappingEntry]
  ) -> SchemaFinding {
    let kindEntry = entries.first { $0.key == "kind" }!
    let group = apiGroup(apiVersion)
    let place = group.isEmpty ? "the core API group" : "API group `\(group)`"
    return SchemaFinding(
      severity: .error, code: RuleCode.notServed,
      message: "`\(kind)` is not a kind of \(place) in Kubernetes \(catalog.kubernetesVersion)",
      mark: kindEntry.value.mark, path: [.key("kind")], hint: Suggestions.didYouMean(kind, among: known))
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
