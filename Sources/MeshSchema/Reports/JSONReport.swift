import Manifest

/// `validate -o json`: one object, `{"diagnostics": [...], "suppressed": [...], "summary": {...}}`,
/// keys in a fixed order. Suppressed findings are listed apart, each with its `suppression`
/// (`inSource` for the object's annotation, `external` for `--ignore`).
public enum JSONReport {
  /// The JSON text of a report.
  public static func render(_ report: ValidationReport, failOn: FailOn) -> String {
    document(
      report, reported: report.reported.map { diagnostic($0.diagnostic) },
      suppressed: report.suppressed.map(suppressed), failOn: failOn
    ).renderedJSON
  }

  /// The report's object with the given finding entries (some written out ahead: `Stream`).
  static func document(_ report: ValidationReport, reported: [Node], suppressed: [Node], failOn: FailOn) -> Node {
    .object([
      ("diagnostics", .sequence(reported)),
      ("suppressed", .sequence(suppressed)),
      ("summary", summary(report, failOn: failOn)),
    ])
  }

  /// A suppressed finding: the finding's members, then how it was suppressed.
  static func suppressed(_ finding: Finding) -> Node {
    var entries = diagnostic(finding.diagnostic).mapping ?? []
    entries.append(MappingEntry(key: "suppression", value: .optional(finding.suppression?.rawValue)))
    return .mapping(entries)
  }

  /// One finding; `line` and `column` are null when the finding concerns the whole file.
  static func diagnostic(_ diagnostic: Diagnostic) -> Node {
    let mark = diagnostic.mark
    return .object([
      ("file", .string(diagnostic.file)),
      ("line", mark.isKnown ? .int(mark.line) : .null),
      ("column", mark.isKnown ? .int(mark.column) : .null),
      ("severity", .string(diagnostic.severity.rawValue)),
      ("code", .string(diagnostic.code)),
      ("message", .string(diagnostic.message)),
      ("path", .optional(diagnostic.path)),
      ("object", .optional(diagnostic.object)),
      ("hint", .optional(diagnostic.hint)),
    ])
  }

  static func summary(_ report: ValidationReport, failOn: FailOn) -> Node {
    .object([
      ("errors", .int(report.count(.error))),
      ("warnings", .int(report.count(.warning))),
      ("infos", .int(report.count(.info))),
      ("suppressed", .int(report.suppressedCount)),
      ("files", .int(report.files.count)),
      ("objects", .int(report.objectCount)),
      (
        "coverage",
        .object([
          ("checked", .int(report.coverage.checked(objectCount: report.objectCount))),
          ("partially", .int(report.coverage.partial)),
          ("unknown", .int(report.coverage.unknown)),
          (
            "unknownKinds",
            .sequence(
              report.coverage.unknownKinds.map { .object([("kind", .string($0.kind)), ("objects", .int($0.count))]) })
          ),
        ])
      ),
      ("inputErrors", .sequence(report.inputErrors.map(Node.string))),
      ("failOn", .string(failOn.rawValue)),
      ("exitCode", .int(report.outcome(failOn: failOn).rawValue)),
    ])
  }
}
