import Manifest

/// What a validation run comes to; the raw values are meshctl's exit codes for them (0, 1, 2),
/// which the JSON report states.
public enum ValidationOutcome: Int, Sendable, CaseIterable {
  /// Nothing at or above the threshold.
  case passed = 0
  /// Findings at or above the threshold.
  case failed = 1
  /// An input could not be read or is not YAML; takes precedence over findings.
  case unreadableInput = 2
}

/// The level of finding that makes `validate` exit 1.
public enum FailOn: String, Sendable, CaseIterable {
  /// Any error.
  case error
  /// Any warning or error.
  case warning
  /// Never exit 1 (unreadable input still exits 2).
  case never
  /// Any error, and any object of a kind meshctl has no schema for (reported as MC1017).
  case unchecked

  /// The lowest severity that fails the run; nil for `never`.
  public var threshold: Diagnostic.Severity? {
    switch self {
    case .error, .unchecked: return .error
    case .warning: return .warning
    case .never: return nil
    }
  }
}

/// One object that was validated (a document root or a `List` item); kept instead of the
/// document so memory does not grow with document size.
public struct ObjectRecord: Sendable, Hashable {
  /// The file it came from.
  public var file: String
  /// `Deployment shop/web`, or `document 3` when it has no kind.
  public var reference: String
  /// The line it starts on; 0 when unknown.
  public var line: Int
  /// How completely it was checked.
  public var coverage: ObjectCoverage

  /// Creates a record.
  public init(file: String, reference: String, line: Int, coverage: ObjectCoverage = .checked) {
    self.file = file
    self.reference = reference
    self.line = line
    self.coverage = coverage
  }
}

/// A finding and the object it belongs to, when known.
public struct Finding: Sendable, Hashable {
  /// The finding.
  public var diagnostic: Diagnostic
  /// The index into `ValidationReport.objects` of the object it concerns.
  public var objectIndex: Int?
  /// How it was suppressed; nil when it counts.
  public var suppression: SuppressionKind?

  /// Creates a finding.
  public init(_ diagnostic: Diagnostic, objectIndex: Int? = nil, suppression: SuppressionKind? = nil) {
    self.diagnostic = diagnostic
    self.objectIndex = objectIndex
    self.suppression = suppression
  }
}

/// The findings a run wrote out as they became final (`FindingStream`): only counted, so the
/// report does not grow with their number.
public struct FindingTally: Sendable, Equatable {
  /// Findings that count (not suppressed), by severity.
  public private(set) var errors = 0, warnings = 0, infos = 0
  /// Suppressed findings.
  public private(set) var suppressed = 0
  /// Findings that made an input unreadable (`Diagnostic.isInputError`), suppressed or not.
  public private(set) var inputErrors = 0

  /// Creates an empty tally.
  public init() {}

  /// Counts one finding.
  public mutating func add(_ finding: Finding) {
    if finding.diagnostic.isInputError { inputErrors += 1 }
    guard finding.suppression == nil else {
      suppressed += 1
      return
    }
    switch finding.diagnostic.severity {
    case .error: errors += 1
    case .warning: warnings += 1
    case .info: infos += 1
    }
  }

  /// How many findings that count have `severity`.
  public func count(_ severity: Diagnostic.Severity) -> Int {
    switch severity {
    case .error: return errors
    case .warning: return warnings
    case .info: return infos
    }
  }

  /// Whether some finding that counts is at or above `threshold`.
  func reaches(_ threshold: Diagnostic.Severity) -> Bool {
    Diagnostic.Severity.allCases.contains { $0 >= threshold && count($0) > 0 }
  }
}

/// Everything `validate` found: what every output format renders.
public struct ValidationReport: Sendable {
  /// The findings: per file in position order, files in input order, then cross-document ones.
  /// Without those a `FindingStream` already wrote out (`written` counts them).
  public var findings: [Finding] = []
  /// The findings written out as they became final, before those of `findings`.
  public var written = FindingTally()
  /// The inputs that were read, by display name, in order.
  public var files: [String] = []
  /// The objects that were validated, in input order; empty when the run did not record them
  /// (`ValidationSession.recordsObjects`).
  public var objects: [ObjectRecord] = []
  /// How many objects were validated (recorded or not).
  public var objectCount = 0
  /// Inputs that could not be read at all (missing file, permission denied), as messages.
  public var inputErrors: [String] = []
  /// How long the whole run took, in seconds, when the caller measured it (JUnit's `time`).
  public var seconds: Double?
  /// How long each input took to read and check, by display name, in seconds, when measured.
  public var fileSeconds: [String: Double] = [:]
  /// How completely the objects were checked.
  public var coverage = Coverage()

  /// Creates a report.
  public init(
    findings: [Finding] = [], files: [String] = [], objects: [ObjectRecord] = [],
    objectCount: Int? = nil, inputErrors: [String] = []
  ) {
    self.findings = findings
    self.files = files
    self.objects = objects
    self.objectCount = objectCount ?? objects.count
    self.inputErrors = inputErrors
  }

  /// The findings that count (not suppressed), without their object attribution; of `findings`
  /// only (not those `written`), as are `reported` and `suppressed`.
  public var diagnostics: [Diagnostic] { reported.map(\.diagnostic) }

  /// The findings that count: all but the suppressed ones.
  public var reported: [Finding] { findings.filter { $0.suppression == nil } }

  /// The suppressed findings, kept so every format can show or count them.
  public var suppressed: [Finding] { findings.filter { $0.suppression != nil } }

  /// How many findings were suppressed.
  public var suppressedCount: Int { findings.reduce(written.suppressed) { $0 + ($1.suppression == nil ? 0 : 1) } }

  /// How many findings that count have a severity.
  public func count(_ severity: Diagnostic.Severity) -> Int {
    findings.reduce(written.count(severity)) {
      $0 + ($1.diagnostic.severity == severity && $1.suppression == nil ? 1 : 0)
    }
  }

  /// What the report means for the run: unreadable input (before anything else), findings at
  /// or above `failOn` that are not suppressed, else passed.
  public func outcome(failOn: FailOn) -> ValidationOutcome {
    if !inputErrors.isEmpty || written.inputErrors > 0 || findings.contains(where: { $0.diagnostic.isInputError }) {
      return .unreadableInput
    }
    guard let threshold = failOn.threshold else { return .passed }
    if written.reaches(threshold) { return .failed }
    return findings.contains { $0.suppression == nil && $0.diagnostic.severity >= threshold } ? .failed : .passed
  }

  /// `2 errors, 1 warning in 3 files (12 objects)`; infos and suppressed findings only when
  /// there are some.
  public var summaryLine: String {
    var parts = [
      plural(count(.error), "error"), plural(count(.warning), "warning"),
    ]
    let infos = count(.info)
    if infos > 0 { parts.append(plural(infos, "info")) }
    let suppressed = suppressedCount
    if suppressed > 0 { parts.append("\(suppressed) suppressed") }
    var line = parts.joined(separator: ", ")
    line += " in \(plural(files.count, "file")) (\(plural(objectCount, "object"))\(coverage.phrase(objectCount: objectCount)))"
    if !inputErrors.isEmpty { line += "; \(plural(inputErrors.count, "input")) unreadable" }
    return line
  }
}

/// How completely the objects of a run were checked.
public struct Coverage: Sendable {
  /// Objects checked partially: a partial schema, or constraints meshctl does not evaluate.
  public var partial = 0
  /// Objects not checked, by kind (`Foo.example.com/v1`), in the order first met.
  public var unknownKinds: [(kind: String, count: Int)] = []

  /// Creates an empty tally.
  public init() {}

  /// Objects not checked at all.
  public var unknown: Int { unknownKinds.reduce(0) { $0 + $1.count } }

  /// Objects fully checked, out of `objectCount`.
  public func checked(objectCount: Int) -> Int { objectCount - partial - unknown }

  /// Counts one object.
  public mutating func add(_ object: ObjectCoverage) {
    switch object {
    case .checked: break
    case .partial: partial += 1
    case .unknownKind(let kind):
      if let index = unknownKinds.firstIndex(where: { $0.kind == kind }) {
        unknownKinds[index].count += 1
      } else {
        unknownKinds.append((kind, 1))
      }
    }
  }

  /// `: 10 checked, 1 partially, 1 unknown kind Foo.example.com/v1` for the summary line;
  /// empty when every object was fully checked.
  public func phrase(objectCount: Int) -> String {
    guard partial > 0 || unknown > 0 else { return "" }
    var parts = ["\(checked(objectCount: objectCount)) checked"]
    if partial > 0 { parts.append("\(partial) partially") }
    if unknown > 0 {
      let kinds = unknownKinds.map(\.kind)
      let shown = kinds.prefix(3).joined(separator: ", ") + (kinds.count > 3 ? ", …" : "")
      parts.append("\(unknown) unknown kind\(kinds.count == 1 ? "" : "s") \(shown)")
    }
    return ": " + parts.joined(separator: ", ")
  }
}

/// `1 error`, `2 errors`.
func plural(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}
