import Manifest

/// How a finding was suppressed; the raw values are SARIF's `suppression.kind`.
public enum SuppressionKind: String, Sendable, Hashable {
  /// By the object's own `meshctl.io/ignore` annotation.
  case inSource
  /// By `--ignore` on the command line.
  case external
}

/// Which findings a run suppresses: the codes of `--ignore` everywhere, and the codes of an
/// object's `meshctl.io/ignore` annotation for the findings that concern that object. A
/// suppressed finding is kept and counted, but never fails the run; a finding that made an
/// input unreadable (MC0xxx) is never suppressed.
public struct Suppressions: Sendable {
  /// The annotation that names the codes to suppress for one object: `MC2002,MC1003`.
  public static let annotation = "meshctl.io/ignore"

  /// The codes suppressed everywhere (`--ignore`), upper-case.
  public var ignoredCodes: Set<String>

  /// Suppresses `ignoredCodes` everywhere.
  public init(ignoredCodes: Set<String> = []) {
    self.ignoredCodes = ignoredCodes
  }

  /// Whether nothing is suppressed by the command line.
  public var isEmpty: Bool { ignoredCodes.isEmpty }

  /// The codes of an `--ignore` value or an annotation: separated by commas or blanks, in any case.
  public static func codes(in list: String) -> [String] {
    list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" })
      .map { $0.uppercased() }
  }

  /// The codes an object's `meshctl.io/ignore` annotation names; empty when it has none.
  public static func annotatedCodes(of object: Node) -> Set<String> {
    guard let value = object[path: "metadata", "annotations", annotation]?.string else { return [] }
    return Set(codes(in: value))
  }

  /// Why `code` cannot be given to `--ignore`: not a rule (with the closest rule), or a
  /// finding that makes input unreadable; nil when it can.
  public static func problem(with code: String, rules: [Rule] = RuleCatalog.rules) -> String? {
    guard let rule = rules.first(where: { $0.code == code }) else {
      let hint = Suggestions.didYouMean(code, among: rules.map(\.code)).map { "; \($0)" } ?? ""
      return "--ignore \(code): no such rule (see docs/rules.md)\(hint)"
    }
    if rule.code.hasPrefix("MC0") {
      return "--ignore \(code): unreadable input always fails the run and cannot be ignored"
    }
    return nil
  }

  /// How `diagnostic` is suppressed, given the codes its object's annotation names.
  public func kind(of diagnostic: Diagnostic, annotated: Set<String>) -> SuppressionKind? {
    if diagnostic.isInputError { return nil }
    if annotated.contains(diagnostic.code) { return .inSource }
    if ignoredCodes.contains(diagnostic.code) { return .external }
    return nil
  }
}

/// Reports an input made of empty documents only (a `---` and nothing else, or only comments),
/// once, as MC1013. Empty documents beside objects (a trailing `---`, a repeated one) are not
/// reported: kubectl accepts them silently and upstream files such as Istio's samples end in one.
public struct EmptyInputCheck: Sendable {
  private var sawObject = false
  private var firstEmpty: Document?

  /// Starts on a new input.
  public init() {}

  /// Looks at the input's next document.
  public mutating func add(_ document: Document) {
    add(emptyDocument: Self.emptyDocument(document, holdsObjects: !document.objects.isEmpty))
  }

  /// `document` when it counts as empty (no objects, no tree), else nil: what
  /// `add(emptyDocument:)` takes, worked out where the document's objects are counted.
  public static func emptyDocument(_ document: Document, holdsObjects: Bool) -> Document? {
    holdsObjects || !document.isEmpty ? nil : document
  }

  /// Looks at the input's next document, given only when it is empty (no objects, no tree):
  /// nil stands for a document that holds something.
  public mutating func add(emptyDocument document: Document?) {
    if let document {
      if firstEmpty == nil { firstEmpty = document }
    } else {
      sawObject = true
    }
  }

  /// The finding for the input that ended, if it held empty documents only; starts over.
  public mutating func finish() -> Diagnostic? {
    defer { self = EmptyInputCheck() }
    guard !sawObject, let document = firstEmpty else { return nil }
    // The empty scalar libyaml reports sits where the next document starts: point at the
    // document's own first line (its `---`) instead.
    let finding = Diagnostic(
      severity: .warning, code: RuleCode.emptyDocument, message: "no objects: only empty documents",
      file: document.file, mark: SourceMark(line: document.startLine, column: 1),
      object: document.objectReference, hint: "remove the file, or check the template that rendered nothing")
    return document.withSourceLines([finding]).first
  }
}
