#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Manifest

/// Validates a stream of documents, input by input, into a `ValidationReport`: each input's
/// findings in position order, the objects (when asked), then the cross-document findings.
/// Keeps findings and object records only, never documents, so memory stays flat however long
/// the input; the caller reads the bytes and hands over one document at a time. With a
/// `FindingStream`, findings are written out as soon as they are final (a document's once it is
/// in) and only counted, so memory stays flat in the number of findings too.
public struct ValidationSession: ~Copyable {
  /// The validator used for every document.
  public let validator: Validator
  /// Whether the report lists every object (`ValidationReport.objects`, which only JUnit
  /// renders); without it only the count is kept, so memory does not grow with the input.
  public let recordsObjects: Bool
  private var report = ValidationReport()
  private var analysis: CrossDocumentAnalysis
  /// The current input's findings, put in position order when the input ends.
  private var pending: [Finding] = []
  /// What the run suppresses.
  private let suppressions: Suppressions
  /// The codes of each annotated object's `meshctl.io/ignore`, by `file NUL reference`, for the
  /// cross-document findings anchored at it; only annotated objects are kept.
  private var annotatedObjects: [String: Set<String>] = [:]
  /// Whether the current input holds nothing but empty documents.
  private var emptyInput = EmptyInputCheck()
  /// Where findings go as they become final; nil keeps them in the report.
  private let stream: (any FindingStream)?
  /// The index the current input's next document has when the reader skipped none: a skipped
  /// document's finding comes with the input's end and sorts before the later documents'
  /// findings, so from a skip on they wait for the end.
  private var nextDocumentIndex: Int? = 0
  /// Whether the current input had findings (written out already or still pending).
  private var inputHasFindings = false

  /// Creates a session. `retainsSourceLines` keeps the source lines of cross-document findings
  /// as documents go by: needed for input that cannot be read twice (standard input); files'
  /// lines are re-read at the end instead.
  /// `catalog` is the schemas to use (by default those of the newest Kubernetes release); the
  /// CustomResourceDefinitions of the input are added to it as they go by, for the custom
  /// resources that follow them. `suppressions` marks findings as suppressed (kept, counted,
  /// never failing the run). `meshConfig`, when given, tells the analysis how the mesh runs
  /// sidecars (MC4002); the catalog's Kubernetes release stands in for its `kubernetesVersion`
  /// when it names none. `stream`, when given, gets each input's findings in order as they
  /// become final (the report only counts them: `ValidationReport.written`); the cross-document
  /// findings stay in the report, for the stream's `finish`.
  public init(
    options: ValidationOptions = ValidationOptions(), catalog: SchemaCatalog? = nil, recordsObjects: Bool = true,
    suppressions: Suppressions = Suppressions(), retainsSourceLines: Bool, meshConfig: MeshConfig? = nil,
    stream: (any FindingStream)? = nil
  ) {
    self.suppressions = suppressions
    self.stream = stream
    validator = Validator(
      options: options, catalog: catalog ?? SchemaCatalog(kubernetesVersion: SchemaCatalog.defaultKubernetesVersion)!)
    self.recordsObjects = recordsObjects
    analysis = CrossDocumentAnalysis(
      retainsSourceLines: retainsSourceLines, meshConfig: meshConfig, kubernetesVersion: validator.catalog.kubernetesVersion)
  }

  /// Whether the cross-document findings keep their source lines as documents go by (the
  /// `check` of each document must be told).
  public var retainsSourceLines: Bool { analysis.retainsSourceLines }

  /// Validates one document of the current input, records its objects and feeds the
  /// cross-document analysis: `check`, then `add` of what it found.
  public mutating func add(_ document: Document) {
    add(Self.check(document, with: validator, retainingSourceLines: retainsSourceLines))
  }

  /// What validating one document found, before it joins the report: everything the session
  /// needs of the document, so the document itself can go once it is checked.
  public struct CheckedDocument: Sendable {
    /// The document's findings, in the order the validator made them.
    public var diagnostics: [Diagnostic]
    /// How far each object of the document was checked.
    public var coverage: [ObjectCoverage]
    /// The document's input (`Document.file`).
    var file: String
    /// The document's number in its input (`Document.index`).
    var index: Int
    /// The document itself when it holds nothing (no tree to keep), for `EmptyInputCheck`.
    var emptyDocument: Document?
    /// What the cross-document analysis keeps of the document.
    var crossDocument: CrossDocumentAnalysis.DocumentFacts
    /// What the report keeps of each object of the document.
    var objects: [ObjectSummary] = []
    /// Which object each finding concerns (by index into `objects`), in `diagnostics` order.
    var owners: [Int?] = []
  }

  /// What the report keeps of one object: worked out with the findings, on whatever thread
  /// checks the document, so that recording it in order is cheap.
  struct ObjectSummary: Sendable {
    var reference: String
    var line: Int
    /// The codes of its `meshctl.io/ignore` annotation.
    var annotated: Set<String>
  }

  /// Validates `document` alone and works out its cross-document facts: the part of `add`
  /// that may run on another thread, for documents of the same input in any order, as long as
  /// no CustomResourceDefinition comes between them (see `mayDefineResources`). A
  /// CustomResourceDefinition's resources are added to the catalog for the documents checked
  /// after it. `retainingSourceLines` is the session's `retainsSourceLines`.
  public static func check(_ document: Document, with validator: Validator, retainingSourceLines: Bool)
    -> CheckedDocument
  {
    var coverage: [ObjectCoverage] = []
    let diagnostics = validator.validate(document, coverage: &coverage)
    let objects = document.objects
    for object in objects where object.node["apiVersion"]?.string == "apiextensions.k8s.io/v1" {
      validator.catalog.addCustomResourceDefinition(object.node)
    }
    var checked = CheckedDocument(
      diagnostics: diagnostics, coverage: coverage, file: document.file, index: document.index,
      emptyDocument: EmptyInputCheck.emptyDocument(document, holdsObjects: !objects.isEmpty),
      crossDocument: CrossDocumentAnalysis.DocumentFacts(objects: objects, retainingSourceLines: retainingSourceLines))
    checked.objects = objects.map {
      ObjectSummary(
        reference: $0.reference, line: $0.node.mark.line, annotated: Suppressions.annotatedCodes(of: $0.node))
    }
    checked.owners = diagnostics.map { owner(of: $0, among: objects) }
    return checked
  }

  /// `check` for one more thread: with a validator like `validator` over a replica of its
  /// catalog, so that threads checking at once share no schemas (sharing them costs each thread
  /// contended reference counting on every schema node it walks).
  public static func check(onAnotherThreadLike validator: Validator, retainingSourceLines: Bool)
    -> @Sendable (Document) -> CheckedDocument
  {
    let own = Validator(options: validator.options, catalog: validator.catalog.replica())
    return { check($0, with: own, retainingSourceLines: retainingSourceLines) }
  }

  /// Whether the bytes of some documents may hold a CustomResourceDefinition, which changes how
  /// the documents after it are checked: such documents are checked in order, alone.
  public static func mayDefineResources(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    let kind = Array("CustomResourceDefinition".utf8)
    var from = 0
    while from + kind.count <= bytes.count, let hit = memchr(base + from, 0x43, bytes.count - from) {
      let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      if index + kind.count <= bytes.count, memcmp(base + index, kind, kind.count) == 0 { return true }
      from = index + 1
    }
    // A double-quoted scalar can spell the kind with escaped letters (\x43, \u0043): be safe.
    var start = 0
    while start < bytes.count, let hit = memchr(base + start, 0x5C, bytes.count - start) {
      let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      if index + 1 < bytes.count, [0x78, 0x75, 0x55].contains(bytes[index + 1]) { return true }
      start = index + 1
    }
    return false
  }

  /// Records a document checked by `check` (in input order): its objects, its findings, and
  /// the facts the cross-document analysis keeps.
  public mutating func add(_ checked: CheckedDocument) {
    let objects = checked.objects
    report.objectCount += objects.count
    emptyInput.add(emptyDocument: checked.emptyDocument)
    let firstIndex = report.objects.count
    let coverage = checked.coverage
    if recordsObjects {
      for (offset, object) in objects.enumerated() {
        report.objects.append(
          ObjectRecord(
            file: checked.file, reference: object.reference, line: object.line,
            coverage: offset < coverage.count ? coverage[offset] : .checked))
      }
    }
    for object in objects where !object.annotated.isEmpty {
      annotatedObjects["\(checked.file)\u{0}\(object.reference)"] = object.annotated
    }
    for (diagnostic, owner) in zip(checked.diagnostics, checked.owners) {
      let suppression = suppressions.kind(of: diagnostic, annotated: owner.map { objects[$0].annotated } ?? [])
      pending.append(
        Finding(diagnostic, objectIndex: recordsObjects ? owner.map { firstIndex + $0 } : nil, suppression: suppression))
    }
    for object in coverage { report.coverage.add(object) }
    analysis.add(checked.crossDocument)
    // A document's findings lie within it, after those of the documents before it: once it is
    // in, they are final, unless a skipped document's finding is still to come.
    nextDocumentIndex = nextDocumentIndex == checked.index ? checked.index + 1 : nil
    if !pending.isEmpty, stream != nil, nextDocumentIndex != nil { flushPending() }
  }

  /// Ends the current input, read to its end: adds the reader's own findings (syntax errors)
  /// and the input's name.
  public mutating func finishInput(_ name: String, readerFindings: [Diagnostic]) {
    pending += readerFindings.map { finding($0, annotated: []) }
    if let empty = emptyInput.finish() { pending.append(finding(empty, annotated: [])) }
    report.files.append(name)
    flushPending()
    startInput()
  }

  /// Records an input that could not be read (at all, or to its end) as `message`. The
  /// findings of the documents read before the failure are kept, and then so is the input's
  /// name; `name` is nil for an argument that named no input at all.
  public mutating func failInput(_ name: String?, message: String) {
    report.inputErrors.append(message)
    emptyInput = EmptyInputCheck()
    if let name, inputHasFindings || !pending.isEmpty { report.files.append(name) }
    flushPending()
    startInput()
  }

  /// Makes ready for the next input.
  private mutating func startInput() {
    nextDocumentIndex = 0
    inputHasFindings = false
  }

  /// Ends the session: the report with the cross-document findings appended. Their source
  /// lines, when the analysis did not keep them, come from `sourceLines(file, lineNumbers)`,
  /// asked once per file (a file that cannot be read again answers nothing and its findings
  /// lose their carets). Standard input (`-`) is never asked for.
  public mutating func finish(
    sourceLines: (_ file: String, _ lineNumbers: Set<Int>) -> [Int: String]
  ) -> ValidationReport {
    let crossDocument = Self.withSourceLines(analysis.findings(), sourceLines)
    // A cross-document finding is anchored at the object it names: that object's annotation
    // suppresses it, as it does the object's own findings.
    func annotated(_ diagnostic: Diagnostic) -> Set<String> {
      diagnostic.object.flatMap { annotatedObjects["\(diagnostic.file)\u{0}\($0)"] } ?? []
    }
    guard recordsObjects else {
      report.findings += crossDocument.map { finding($0, annotated: annotated($0)) }
      return report
    }
    let indexByObject = Dictionary(
      report.objects.enumerated().map { ("\($1.file)\u{0}\($1.reference)", $0) },
      uniquingKeysWith: { first, _ in first })
    for diagnostic in crossDocument {
      var found = finding(diagnostic, annotated: annotated(diagnostic))
      found.objectIndex = diagnostic.object.flatMap { indexByObject["\(diagnostic.file)\u{0}\($0)"] }
      report.findings.append(found)
    }
    return report
  }

  /// A finding not tied to a recorded object, suppressed as the run and `annotated` say.
  private func finding(_ diagnostic: Diagnostic, annotated: Set<String>) -> Finding {
    Finding(diagnostic, suppression: suppressions.kind(of: diagnostic, annotated: annotated))
  }

  /// Appends the current input's pending findings in position order (to the report, or
  /// written out).
  private mutating func flushPending() {
    if !pending.isEmpty { inputHasFindings = true }
    let sorted = Self.sorted(pending)
    pending.removeAll(keepingCapacity: true)
    guard let stream else {
      report.findings += sorted
      return
    }
    for finding in sorted {
      report.written.add(finding)
      stream.add(finding)
    }
  }

  /// Stable sort: findings at the same place keep the order the validator gave them.
  private static func sorted(_ findings: [Finding]) -> [Finding] {
    findings.enumerated().sorted { lhs, rhs in
      let (l, r) = (lhs.element.diagnostic.mark, rhs.element.diagnostic.mark)
      return l != r ? l < r : lhs.offset < rhs.offset
    }.map(\.element)
  }

  /// Fills in the source lines the analysis did not keep, asking for each file's lines once.
  static func withSourceLines(
    _ diagnostics: [Diagnostic], _ sourceLines: (String, Set<Int>) -> [Int: String]
  ) -> [Diagnostic] {
    var wanted: [String: Set<Int>] = [:]
    for diagnostic in diagnostics
    where diagnostic.sourceLine == nil && diagnostic.mark.isKnown && diagnostic.file != "-" {
      wanted[diagnostic.file, default: []].insert(diagnostic.mark.line)
    }
    guard !wanted.isEmpty else { return diagnostics }
    var lines: [String: [Int: String]] = [:]
    for (file, numbers) in wanted { lines[file] = sourceLines(file, numbers) }
    return diagnostics.map { diagnostic in
      guard diagnostic.sourceLine == nil, let line = lines[diagnostic.file]?[diagnostic.mark.line] else {
        return diagnostic
      }
      var diagnostic = diagnostic
      diagnostic.sourceLine = line
      return diagnostic
    }
  }

  /// Which of a document's objects a finding concerns: the one it names, else the last one
  /// that starts at or before it, else the first.
  static func owner(of diagnostic: Diagnostic, among objects: [ManifestObject]) -> Int? {
    guard !objects.isEmpty else { return nil }
    if let name = diagnostic.object, let index = objects.firstIndex(where: { $0.reference == name }) {
      return index
    }
    if diagnostic.mark.isKnown,
      let index = objects.lastIndex(where: { $0.node.mark.isKnown && $0.node.mark <= diagnostic.mark })
    {
      return index
    }
    return 0
  }
}

/// Findings sorted by position, those at the same place in the order they were made (the order
/// `validate` prints them in).
public func inPositionOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
  diagnostics.enumerated().sorted { lhs, rhs in
    lhs.element.mark != rhs.element.mark ? lhs.element.mark < rhs.element.mark : lhs.offset < rhs.offset
  }.map(\.element)
}
