import Manifest

// The public surface the command line uses: options, rules. The validator is in Validator.swift,
// the analysis in CrossDocumentAnalysis.swift, export in SchemaExport.swift.

/// Options that change what validation reports.
public struct ValidationOptions: Sendable {
  /// Unknown fields are errors in kinds whose schema is partial too (they are errors wherever
  /// the schema is complete).
  public var strict: Bool
  /// Objects of kinds meshctl has no schema for are errors (MC1017), for CI that wants every
  /// object checked (`--fail-on unchecked`).
  public var uncheckedIsError: Bool

  /// Creates options.
  public init(strict: Bool = false, uncheckedIsError: Bool = false) {
    self.strict = strict
    self.uncheckedIsError = uncheckedIsError
  }
}

/// One documented rule: its code, default severity and what it checks.
public struct Rule: Sendable, Hashable {
  /// The stable code, e.g. `MC1003`.
  public var code: String
  /// The severity its findings have by default.
  public var severity: Diagnostic.Severity
  /// One line saying what it checks.
  public var summary: String

  /// Creates a rule.
  public init(code: String, severity: Diagnostic.Severity, summary: String) {
    self.code = code
    self.severity = severity
    self.summary = summary
  }
}
