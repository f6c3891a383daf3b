import ArgumentParser
import Manifest
import MeshSchema

/// The one way commands read their inputs: expands the `-f` values (standard input when there
/// are none and it is not a terminal), reads each input once, in order, one document at a
/// time, and applies one error policy: an input that cannot be read is reported on standard
/// error and the others still run; the command then ends with exit 2.
struct InputFrontend {
  /// The `-f` values (`-` for standard input).
  let arguments: [String]
  /// Whether directories are searched all the way down.
  let recursive: Bool
  /// Where the inputs come from and where unreadable ones are reported.
  let context: CommandContext
  /// The reader used for every input.
  var reader = ManifestReader()
  /// What standard input is called in messages and reports (`--stdin-name`); `-` by default.
  var standardInputName: String?
  /// The inputs not to read (`--exclude`), among the files named and those the walks find.
  var exclusion = PathExclusion([])
  /// How many threads read and check documents in `read(into:)` (`validate --jobs`); 1 reads
  /// on the calling thread alone. The report is the same either way.
  var jobs = 1
  /// How many bytes of a stream each thread takes at a time (at least; cut at a `---` line).
  var pieceBytes = 256 << 10

  /// The inputs `options` name; standard input when they name none and it is not a terminal.
  /// Throws the usage error (exit 64) when there is no input at all.
  init(_ options: InputOptions, context: CommandContext) throws {
    self.init(
      arguments: try Self.arguments(options.filenames, context: context), recursive: options.recursive,
      context: context)
  }

  /// The inputs `arguments` name, as given.
  init(arguments: [String], recursive: Bool, context: CommandContext) {
    self.arguments = arguments
    self.recursive = recursive
    self.context = context
  }

  /// The `-f` values, or `-` when none is given and standard input is not a terminal.
  static func arguments(_ filenames: [String], context: CommandContext) throws -> [String] {
    guard filenames.isEmpty else { return filenames }
    guard !context.stdinIsTerminal else {
      throw ValidationError("no input: give -f PATH, or pipe manifests in (-f - reads standard input)")
    }
    return ["-"]
  }

  /// Whether standard input is among the inputs (it cannot be read twice).
  var readsStandardInput: Bool { arguments.contains("-") }

  /// Reads every input once, in argument order (a path named twice is read once): hands each
  /// document to `document` as soon as it is complete, then the input and the reader's
  /// summary to `finished`. An input that cannot be expanded, opened or read is reported on
  /// standard error and handed to `unreadable` with the message (input nil: an argument that
  /// named nothing); so is a `ManifestError` from the handlers (an in-place write that
  /// failed). Other errors from the handlers end the run. Returns whether an input was
  /// unreadable.
  @discardableResult
  func read(
    document: (Document) throws -> Void,
    finished: (InputPath, ReadSummary) throws -> Void = { _, _ in },
    unreadable: (InputPath?, String) -> Void = { _, _ in }
  ) throws -> Bool {
    var failed = false
    func fail(_ input: InputPath?, _ error: any Error) {
      let message = Self.message(of: error)
      DiagnosticPrinter(context).error(message)
      unreadable(input, message)
      failed = true
    }
    try forEachInput(failed: { fail(nil, $0) }) { input in
      do {
        let summary = try reader.read(try open(input), file: name(of: input)) { parsed in
          try Self.handing { try document(parsed) }
        }
        try Self.handing { try finished(input, summary) }
      } catch let failure as HandlerFailure {
        throw failure.error
      } catch {
        fail(input, error)
      }
    }
    return failed
  }

  /// Each input the arguments name, once and in order, but for excluded paths; an argument that
  /// cannot be expanded goes to `failed` in its place.
  private func forEachInput(failed: (any Error) -> Void, _ body: (InputPath) throws -> Void) rethrows {
    var seen = Set<InputPath>()
    for argument in arguments {
      let inputs: [InputPath]
      do {
        inputs = try context.expandInput(argument, recursive)
      } catch {
        failed(error)
        continue
      }
      for input in inputs where !exclusion.excludes(input) && seen.insert(input).inserted { try body(input) }
    }
  }

  /// What an unreadable input's error says on stderr and in reports.
  private static func message(of error: any Error) -> String {
    (error as? ManifestError)?.description ?? "\(error)"
  }

  /// Reads every input into `session`, the checks `validate` and `render` share; `finished`
  /// sees the name of each input once it is checked. With `jobs` above 1, worker threads read
  /// and check the documents (`ParallelManifestReader`) and the session gets them in input
  /// order, as from one thread; a document's tree does not outlive its check.
  func read(into session: inout ValidationSession, finished: (String) -> Void = { _ in }) {
    read(into: &session, documents: nil, finished: finished)
  }

  /// `read(into:finished:)`, where `document` sees each document too (the trees then travel
  /// from the worker threads to this one).
  func read(
    into session: inout ValidationSession, document: (Document) -> Void, finished: (String) -> Void = { _ in }
  ) {
    withoutActuallyEscaping(document) { read(into: &session, documents: $0, finished: finished) }
  }

  private func read(
    into session: inout ValidationSession, documents document: ((Document) -> Void)?, finished: (String) -> Void
  ) {
    guard jobs > 1 else {
      // The handlers do not throw, so neither does `read`.
      _ = try? read(
        document: { parsed in
          document?(parsed)
          session.add(parsed)
        },
        finished: { input, summary in
          session.finishInput(name(of: input), readerFindings: summary.diagnostics)
          finished(name(of: input))
        },
        unreadable: { input, message in session.failInput(input.map(name), message: message) })
      return
    }
    let validator = session.validator
    let retainsSourceLines = session.retainsSourceLines
    // The document goes along only when the caller looks at it.
    let keepsDocuments = document != nil
    let parallel = ParallelManifestReader<(Document?, ValidationSession.CheckedDocument)>(
      reader: reader, jobs: jobs, pieceBytes: pieceBytes,
      transform: {
        (keepsDocuments ? $0 : nil, ValidationSession.check($0, with: validator, retainingSourceLines: retainsSourceLines))
      },
      workerTransform: {
        let check = ValidationSession.check(onAnotherThreadLike: validator, retainingSourceLines: retainsSourceLines)
        return { (keepsDocuments ? $0 : nil, check($0)) }
      },
      runsAlone: ValidationSession.mayDefineResources)
    // Inputs whose end is not handed over yet, oldest first.
    var reading: [InputPath] = []
    func fail(_ input: InputPath?, _ error: any Error) {
      let message = Self.message(of: error)
      DiagnosticPrinter(context).error(message)
      session.failInput(input.map(name), message: message)
    }
    func handle(_ event: ParallelManifestReader<(Document?, ValidationSession.CheckedDocument)>.Event) {
      switch event {
      case .document(let (parsed, checked)):
        if let parsed { document?(parsed) }
        session.add(checked)
      case .finished(let summary):
        let input = reading.removeFirst()
        session.finishInput(name(of: input), readerFindings: summary.diagnostics)
        finished(name(of: input))
      case .failed(let error):
        fail(reading.removeFirst(), error)
      }
    }
    forEachInput(
      failed: { error in
        // Reported in order: after everything read before it.
        try? parallel.finish(handle)
        fail(nil, error)
      }
    ) { input in
      let source: any ByteSource
      do {
        source = try open(input)
      } catch {
        try? parallel.finish(handle)
        fail(input, error)
        return
      }
      reading.append(input)
      try? parallel.read(source, file: name(of: input), handle)
    }
    try? parallel.finish(handle)
  }

  /// The name an input goes by: its path, or the `--stdin-name` of standard input.
  func name(of input: InputPath) -> String {
    if case .standardInput = input, let standardInputName { return standardInputName }
    return input.displayName
  }

  /// The bytes of one input.
  func open(_ input: InputPath) throws -> any ByteSource {
    switch input {
    case .standardInput: return context.stdin
    case .file(let path): return try context.openFile(path)
    case .unreadable(let path, let reason): throw ManifestError.unreadable(path: path, reason: reason)
    }
  }
}

extension InputFrontend {
  /// Runs a command's handler; its errors, but for `ManifestError` (an input problem), are
  /// marked so the per-input policy lets them through.
  fileprivate static func handing(_ handler: () throws -> Void) throws {
    do { try handler() } catch let error as ManifestError { throw error } catch { throw HandlerFailure(error: error) }
  }
}

/// An error from a command's own handler, carried past the per-input policy so it ends the run.
private struct HandlerFailure: Error {
  let error: any Error
}
