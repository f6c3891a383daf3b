import Manifest
import MeshSchema

/// Reads inputs one document at a time, validates each, feeds the cross-document analysis and
/// keeps only findings (and object records when asked), so memory stays flat however long the
/// input.
public struct ValidationRun {
  /// The reader used for every input.
  public var reader = ManifestReader()
  /// The validator used for every document.
  public var validator: Validator
  /// Whether the report lists every object (`ValidationReport.objects`, which only JUnit
  /// renders); without it only the count is kept, so memory does not grow with the input.
  public var recordsObjects = true

  /// Creates a run with validation options.
  public init(options: ValidationOptions) {
    validator = Validator(options: options)
  }

  /// Validates `arguments` (the `-f` values) and returns what was found. Inputs that cannot be
  /// read are recorded and reported through `onInputError` as they happen; the rest still run.
  public func run(
    arguments: [String], recursive: Bool, context: CommandContext,
    onInputError: (String) -> Void = { _ in }
  ) -> ValidationReport {
    var report = ValidationReport()
    // Standard input cannot be read twice: only then does the analysis keep source lines.
    var analysis = CrossDocumentAnalysis(retainsSourceLines: arguments.contains("-"))
    var seen = Set<InputPath>()
    for argument in arguments {
      let inputs: [InputPath]
      do {
        inputs = try context.expandInput(argument, recursive)
      } catch {
        record(error, in: &report, onInputError)
        continue
      }
      for input in inputs where seen.insert(input).inserted {
        read(input, context: context, into: &report, analysis: &analysis, onInputError: onInputError)
      }
    }
    let crossDocument = withSourceLines(analysis.findings(), context: context)
    guard recordsObjects else {
      report.findings += crossDocument.map { Finding($0) }
      return report
    }
    let indexByObject = Dictionary(
      report.objects.enumerated().map { ("\($1.file)\u{0}\($1.reference)", $0) },
      uniquingKeysWith: { first, _ in first })
    for diagnostic in crossDocument {
      let index = diagnostic.object.flatMap { indexByObject["\(diagnostic.file)\u{0}\($0)"] }
      report.findings.append(Finding(diagnostic, objectIndex: index))
    }
    return report
  }

  /// Fills in the source lines the analysis did not keep, re-reading each file once up to the
  /// last line a finding needs (only files: standard input's lines were kept).
  func withSourceLines(_ diagnostics: [Diagnostic], context: CommandContext) -> [Diagnostic] {
    var wanted: [String: Set<Int>] = [:]
    for diagnostic in diagnostics
    where diagnostic.sourceLine == nil && diagnostic.mark.isKnown && diagnostic.file != "-" {
      wanted[diagnostic.file, default: []].insert(diagnostic.mark.line)
    }
    guard !wanted.isEmpty else { return diagnostics }
    var lines: [String: [Int: String]] = [:]
    for (file, numbers) in wanted {
      // A file that vanished since it was read just loses its carets.
      lines[file] = (try? SourceLines.lines(numbers, in: context.openFile(file))) ?? [:]
    }
    return diagnostics.map { diagnostic in
      guard diagnostic.sourceLine == nil, let line = lines[diagnostic.file]?[diagnostic.mark.line] else {
        return diagnostic
      }
      var diagnostic = diagnostic
      diagnostic.sourceLine = line
      return diagnostic
    }
  }

  /// Reads and validates one input, appending its findings in position order.
  private func read(
    _ input: InputPath, context: CommandContext, into report: inout ValidationReport,
    analysis: inout CrossDocumentAnalysis, onInputError: (String) -> Void
  ) {
    var fileFindings: [Finding] = []
    do {
      let source: any ByteSource
      switch input {
      case .standardInput: source = context.stdin
      case .file(let path): source = try context.openFile(path)
      }
      let summary = try reader.read(source, file: input.displayName) { document in
        let objects = document.objects
        report.objectCount += objects.count
        let firstIndex = report.objects.count
        if recordsObjects {
          for object in objects {
            report.objects.append(
              ObjectRecord(file: document.file, reference: object.reference, line: object.node.mark.line))
          }
        }
        for diagnostic in validator.validate(document) {
          let index = recordsObjects ? Self.owner(of: diagnostic, among: objects).map { firstIndex + $0 } : nil
          fileFindings.append(Finding(diagnostic, objectIndex: index))
        }
        analysis.add(document)
      }
      fileFindings += summary.diagnostics.map { Finding($0) }
      report.files.append(input.displayName)
    } catch {
      record(error, in: &report, onInputError)
      if !fileFindings.isEmpty { report.files.append(input.displayName) }
    }
    // Stable sort: findings at the same place keep the order the validator gave them.
    let sorted = fileFindings.enumerated().sorted { lhs, rhs in
      let (l, r) = (lhs.element.diagnostic.mark, rhs.element.diagnostic.mark)
      return l != r ? l < r : lhs.offset < rhs.offset
    }
    report.findings += sorted.map(\.element)
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

  private func record(
    _ error: Error, in report: inout ValidationReport, _ onInputError: (String) -> Void
  ) {
    let message = (error as? ManifestError)?.description ?? "\(error)"
    report.inputErrors.append(message)
    onInputError(message)
  }
}
