/// A finding about an input: a value, never thrown. Validation, YAML reading and analysis
/// all produce these; the command line decides how to print them and what exit code they mean.
public struct Diagnostic: Sendable, Hashable, Codable {
  /// How serious a finding is; ordered so that `error > warning > info`.
  public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case info, warning, error

    private var rank: Int {
      switch self {
      case .info: return 0
      case .warning: return 1
      case .error: return 2
      }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
  }

  /// How serious it is.
  public var severity: Severity
  /// The stable rule code, e.g. `MC1003` (documented in docs/rules.md).
  public var code: String
  /// What is wrong, lowercase, naming the offending value.
  public var message: String
  /// The file it concerns (`-` for standard input).
  public var file: String
  /// Where in the file; `.none` when the finding concerns the whole file.
  public var mark: SourceMark
  /// The JSON path of the offending field inside its document, e.g. `spec.backends[1].weight`.
  public var path: String?
  /// The object it concerns, e.g. `TrafficSplit bookinfo/reviews`.
  public var object: String?
  /// How to fix it, when known.
  public var hint: String?
  /// The text of the source line `mark` points into, for a caret display; nil when unknown.
  public var sourceLine: String?

  /// Creates a finding.
  public init(
    severity: Severity, code: String, message: String, file: String, mark: SourceMark,
    path: String? = nil, object: String? = nil, hint: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.mark = mark
    self.path = path
    self.object = object
    self.hint = hint
  }

  /// Whether this finding means the input could not be read as YAML at all (exit code 2):
  /// codes `MC0xxx`.
  public var isInputError: Bool { code.hasPrefix("MC0") && severity == .error }
}
