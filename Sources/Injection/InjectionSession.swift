import Manifest

/// One `inject` or `uninject` run over a stream of inputs: transforms each document, keeps the
/// report, and says per document what goes to standard output and per input whether its file is
/// rewritten. The caller reads the inputs and does the writing.
public struct InjectionSession {
  /// Where the transformed documents go.
  public enum Output: Sendable {
    /// One YAML stream on standard output, inputs one after the other.
    case stream
    /// One JSON value at the end (`json`).
    case json
    /// Each input file rewritten in place.
    case inPlace
  }

  /// What one input came to.
  public struct InputResult {
    /// Its errors (the input's documents and the reader's), one-line findings for stderr.
    public var errors: [Diagnostic]
    /// The new text of the file, when it is to be rewritten in place: it changed and has no error.
    public var rewrite: String?
  }

  /// Where the documents go.
  public let output: Output
  /// The report: lines for stderr, and the outcomes for `--report`.
  public private(set) var report: InjectionReport
  /// The documents for `.json` output, in order: one object, or a `List` without `metadata`
  /// (an empty one for no documents), as inject has always written them. Spooled, so memory
  /// stays flat in the number of documents.
  public let json = JSONObjectSpool(printer: ObjectPrinter(format: .json, listMetadata: false, emptyIsList: true))
  /// Whether any input had errors.
  public private(set) var hadErrors = false
  private let transform: (Document) throws -> (root: Node?, outcomes: [InjectionOutcome])
  private var current = InputState()
  private var lastWritten: String?
  /// The outcomes of the file being written in place, until `confirmWrite`.
  private var unwritten: [InjectionOutcome] = []

  /// A session that applies `transform` (inject or uninject) to every document.
  public init(
    output: Output, keepsOutcomes: Bool,
    transform: @escaping (Document) throws -> (root: Node?, outcomes: [InjectionOutcome])
  ) {
    self.output = output
    self.transform = transform
    report = InjectionReport(keepsOutcomes: keepsOutcomes)
  }

  /// Transforms one document; returns the text for standard output now ("" when nothing goes
  /// there yet). Documents nothing changed come out byte for byte.
  public mutating func add(_ document: Document) throws -> String {
    current.errors += document.diagnostics.filter { $0.severity == .error }
    let result = try transform(document)
    // In place, a file's outcomes wait for its write: "injected" only for a file on disk.
    if output == .inPlace { current.outcomes += result.outcomes } else { report.add(result.outcomes) }
    current.changed = current.changed || result.root != nil
    let text = StreamWriter.text(of: document, replacement: result.root)
    switch output {
    case .inPlace:
      current.rewritten += text
      return ""
    case .json:
      if !document.isEmpty { json.append(result.root ?? document.root) }
      return ""
    case .stream:
      // Inputs follow each other on standard output as one stream.
      let joint = document.index == 0 ? StreamWriter.joint(after: lastWritten, before: text) : ""
      lastWritten = text
      return joint + text
    }
  }

  /// Ends the input being read: its errors and, in place, its new text (a file with errors is
  /// never rewritten).
  public mutating func finishInput(_ summary: ReadSummary) -> InputResult {
    defer { current = InputState() }
    let errors = current.errors + summary.diagnostics
    if !errors.isEmpty { hadErrors = true }
    let rewrite = output == .inPlace && current.changed && errors.isEmpty ? current.rewritten : nil
    if rewrite == nil { report.add(current.outcomes) } else { unwritten = current.outcomes }
    return InputResult(errors: errors, rewrite: rewrite)
  }

  /// Reports the outcomes of the input just finished, once its rewritten file is on disk; a
  /// file that could not be written never gets them (its error says why instead).
  public mutating func confirmWrite() {
    report.add(unwritten)
    unwritten = []
  }

  /// Forgets the input being read (it turned out unreadable).
  public mutating func abandonInput() {
    current = InputState()
  }

  /// What the input being read has come to so far.
  private struct InputState {
    var rewritten = ""
    var changed = false
    var outcomes: [InjectionOutcome] = []
    var errors: [Diagnostic] = []
  }
}
