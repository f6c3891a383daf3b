import Manifest

// The public surface the command line uses. (Stubs: the schema module is being implemented.)

/// Options that change what validation reports.
public struct ValidationOptions: Sendable {
  /// Unknown fields in Kubernetes and provider kinds are errors instead of warnings.
  public var strict: Bool

  /// Creates options.
  public init(strict: Bool = false) {
    self.strict = strict
  }
}

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
  public func validate(_ document: Document) -> [Diagnostic] { document.diagnostics }
}

/// The findings that need more than one document (MC2xxx references, MC3xxx mTLS safety,
/// MC4xxx injection). Keeps small summaries, not documents, so memory stays flat.
public struct CrossDocumentAnalysis: Sendable {
  /// Creates an empty analysis.
  public init() {}

  /// Records what the analysis needs from a document.
  public mutating func add(_ document: Document) {}

  /// The findings over everything added.
  public func findings() -> [Diagnostic] { [] }
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

/// Every rule code meshctl reports, in one place.
public enum RuleCatalog {
  /// All rules, ordered by code.
  public static let rules: [Rule] = []
}

/// JSON Schema and CRD export of meshctl's own kinds.
public enum SchemaExport {
  /// The kinds `meshctl schema` can print.
  public static let kinds: [String] = ["TrafficSplit", "MTLSPolicy", "MeshConfig"]
  /// The JSON Schema (draft 2020-12) of a kind; nil for an unknown kind.
  public static func jsonSchema(kind: String) -> Node? { nil }
  /// The `apiextensions.k8s.io/v1` CustomResourceDefinition of a kind; nil for an unknown kind.
  public static func customResourceDefinition(kind: String) -> Node? { nil }
}
