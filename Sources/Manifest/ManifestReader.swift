import CLibYAML

/// Hard limits that keep hostile or broken input from exhausting memory or time.
public struct ReaderLimits: Sendable {
  /// Most bytes read from one source (1 GiB).
  public var maxInputBytes: Int
  /// Most bytes in one document (3 MiB, the API server's request size limit).
  public var maxDocumentBytes: Int
  /// Deepest nesting of sequences and mappings in one document.
  public var maxDepth: Int
  /// Most nodes that aliases may add to one document ("billion laughs" protection).
  public var maxAliasExpansion: Int

  /// Creates limits; the defaults fit any real Kubernetes manifest.
  public init(
    maxInputBytes: Int = 1 << 30, maxDocumentBytes: Int = 3 << 20, maxDepth: Int = 100,
    maxAliasExpansion: Int = 100_000
  ) {
    self.maxInputBytes = maxInputBytes
    self.maxDocumentBytes = maxDocumentBytes
    self.maxDepth = maxDepth
    self.maxAliasExpansion = maxAliasExpansion
  }
}

/// Rule codes of the findings the reader makes; all mean "not readable as YAML" (exit 2).
public enum ReaderCode {
  /// YAML syntax error.
  public static let syntax = "MC0001"
  /// Duplicate mapping key.
  public static let duplicateKey = "MC0002"
  /// A hard limit was exceeded (input size, document size, depth, alias expansion).
  public static let limit = "MC0003"
  /// The input is not UTF-8 text (UTF-16, invalid bytes, NUL bytes).
  public static let encoding = "MC0004"
  /// A construct Kubernetes cannot read: an alias to an unknown anchor, a non-scalar key.
  public static let unsupported = "MC0005"
}

/// What reading one source produced besides its documents.
public struct ReadSummary: Sendable {
  /// Findings that stopped reading (syntax errors, limits); documents before them were delivered.
  public var diagnostics: [Diagnostic] = []
  /// How many documents were delivered.
  public var documentCount = 0
  /// How many bytes were read.
  public var byteCount = 0
}

/// Where reading a source starts in the stream it belongs to: the start of the stream, or a
/// document-start line further on (`ParallelManifestReader` reads a stream in pieces); marks,
/// document numbers and the input limit count from the stream's start.
public struct StreamPosition: Sendable, Equatable {
  /// Bytes of the stream before the source's first byte.
  public var byteOffset: Int
  /// The 1-based line number of the source's first line.
  public var line: Int
  /// How many documents of the stream come before the source's first one.
  public var documentIndex: Int

  /// Creates a position.
  public init(byteOffset: Int, line: Int, documentIndex: Int) {
    self.byteOffset = byteOffset
    self.line = line
    self.documentIndex = documentIndex
  }

  /// The start of a stream.
  public static let start = StreamPosition(byteOffset: 0, line: 1, documentIndex: 0)
}

/// Reads YAML (and JSON) streams into `Document`s on top of libyaml's event API, one document at
/// a time so memory stays bounded by the largest document, not the input.
public struct ManifestReader: Sendable {
  /// The limits applied to every source.
  public var limits: ReaderLimits
  /// Whether each document keeps the byte ranges of its nodes, recorded from the events of this
  /// one read, so that a surgical edit (`SurgicalEmitter.splice(_:to:verify:)`) needs no second
  /// parse. For commands that edit (inject, uninject); reading only pays nothing for it when off.
  public var recordsLayout = false

  /// Creates a reader.
  public init(limits: ReaderLimits = ReaderLimits()) {
    self.limits = limits
  }

  /// Reads every document of `source`, handing each to `body` as soon as it is complete.
  /// YAML errors end the source and are returned in the summary; errors thrown by `body` or by
  /// the source itself propagate.
  @discardableResult
  public func read(
    _ source: some ByteSource, file: String, from origin: StreamPosition = .start, _ body: (Document) throws -> Void
  ) throws -> ReadSummary {
    let session = ReadSession(source: source, file: file, limits: limits, origin: origin, recordsLayout: recordsLayout)
    return try session.run(body)
  }

  /// Reads a whole string; for tests and small inputs.
  public func parse(_ text: String, file: String = "<input>") -> (
    documents: [Document], diagnostics: [Diagnostic]
  ) {
    var documents: [Document] = []
    // MemorySource never throws and the body does not either.
    let summary = (try? read(MemorySource(text), file: file) { documents.append($0) }) ?? ReadSummary()
    return (documents, summary.diagnostics + documents.flatMap(\.diagnostics))
  }
}

/// The state of reading one source: the libyaml parser, the window of bytes that belong to the
/// documents not yet delivered, and the tree under construction.
private final class ReadSession {
  let source: any ByteSource
  let file: String
  let limits: ReaderLimits
  /// Where the source starts in its stream.
  let origin: StreamPosition
  let recordsLayout: Bool
  /// The node events of the document being read, with byte ranges relative to its start.
  var layoutEvents = LayoutEvents()

  /// Bytes from `windowBase` on; everything before was delivered and dropped. Bytes before
  /// `liveStart` inside it were delivered too, and are dropped in bulk, not per document.
  var window: [UInt8] = []
  var windowBase = 0
  /// Total bytes handed to libyaml so far.
  var bytesRead = 0
  var sourceError: Error?
  var inputTooLarge = false
  /// Where the document being read starts (absolute byte offset), and whether it grew past the
  /// document limit while libyaml was still reading it: one scalar can be any size, and libyaml
  /// buffers it whole before any event, so the limit must bite where the bytes come in.
  var documentStart = 0
  var documentTooLarge = false

  /// libyaml counts marks in characters; this cursor maps character indexes to byte offsets,
  /// moving forward only (document boundaries only move forward).
  var cursorByte = 0
  var cursorChar = 0

  init(source: any ByteSource, file: String, limits: ReaderLimits, origin: StreamPosition, recordsLayout: Bool) {
    self.source = source
    self.file = file
    self.limits = limits
    self.origin = origin
    self.recordsLayout = recordsLayout
    windowLineNumber = origin.line
  }

  /// Bytes read from the source but not yet handed to libyaml (from a refused character on).
  var heldBack: [UInt8] = []
  var scanner = TextScanner()
  var checkedEncoding = false

  /// Feeds libyaml: reads from the source and keeps a copy of what it hands over in the window.
  func fill(_ buffer: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int {
    do {
      var n = 0
      if !heldBack.isEmpty {
        // libyaml consumed everything before the refused character: now it may see it.
        n = min(size, heldBack.count)
        heldBack.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: n) }
        heldBack.removeFirst(n)
      } else {
        n = try readAtLeastThreeBytesFirst(buffer, size)
        guard n > 0 else { return 0 }
        if !checkedEncoding {
          checkedEncoding = true
          if n >= 2, (buffer[0] == 0xFE && buffer[1] == 0xFF) || (buffer[0] == 0xFF && buffer[1] == 0xFE) {
            sourceError = EncodingProblem.utf16
            return -1
          }
          if n >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            cursorByte = 3  // libyaml skips the byte-order mark without counting it
          }
        }
        let chunk = UnsafeBufferPointer(start: buffer, count: n)
        let scanStart = bytesRead == 0 && cursorByte == 3 ? 3 : 0
        if let refused = scanner.firstRefused(in: UnsafeBufferPointer(rebasing: chunk[scanStart...])).map({ $0 + scanStart }),
          refused > 0
        {
          heldBack.append(contentsOf: chunk[refused...])
          n = refused
        }
      }
      bytesRead += n
      if origin.byteOffset + bytesRead > limits.maxInputBytes {
        inputTooLarge = true
        return -1
      }
      // libyaml reads ahead of the events it has delivered by far less than this slack.
      if bytesRead - documentStart > limits.maxDocumentBytes + Self.readAheadSlack {
        documentTooLarge = true
        return -1
      }
      window.append(contentsOf: UnsafeBufferPointer(start: buffer, count: n))
      return n
    } catch {
      sourceError = error
      return -1
    }
  }

  /// Reads into `buffer`; the very first read gathers at least three bytes (or all there is), so
  /// that byte-order marks are seen whole however the source chunks its data.
  private func readAtLeastThreeBytesFirst(_ buffer: UnsafeMutablePointer<UInt8>, _ size: Int) throws -> Int {
    var n = 0
    repeat {
      let got = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + n, count: size - n))
      if got == 0 { break }
      n += got
    } while bytesRead == 0 && n < min(3, size)
    return n
  }

  enum EncodingProblem: Error { case utf16 }

  /// How far past the document limit the reader lets libyaml read before stopping it: more
  /// than libyaml's read-ahead, so a document just under the limit is never cut short.
  static let readAheadSlack = 1 << 16

  /// The absolute byte offset of a libyaml character index inside the window: forward from the
  /// cursor, or back from it for a mark before the last one asked for.
  func byteOffset(ofCharIndex target: Int) -> Int {
    window.withUnsafeBufferPointer { bytes in
      var byte = cursorByte - windowBase
      var char = cursorChar
      while char > target, byte > 0 {
        byte -= 1
        while byte > 0, bytes[byte] & 0xC0 == 0x80 { byte -= 1 }
        char -= 1
      }
      // Eight ASCII bytes are eight characters: skip them a word at a time.
      let raw = UnsafeRawBufferPointer(bytes)
      while target - char >= 8, byte + 8 <= bytes.count,
        raw.loadUnaligned(fromByteOffset: byte, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
      {
        byte += 8
        char += 8
      }
      while char < target, byte < bytes.count {
        byte += 1
        // Skip UTF-8 continuation bytes: one character, one step.
        while byte < bytes.count, bytes[byte] & 0xC0 == 0x80 { byte += 1 }
        char += 1
      }
      cursorByte = byte + windowBase
      cursorChar = char
      return cursorByte
    }
  }

  /// The absolute byte offset of the start of the line holding `offset`.
  func lineStart(before offset: Int) -> Int {
    var i = offset - windowBase
    while i > 0, window[i - 1] != 0x0A, window[i - 1] != 0x0D { i -= 1 }
    return i + windowBase
  }

  /// The text of `start..<end` (absolute offsets), which must be inside the window.
  func text(from start: Int, to end: Int) -> String {
    window.withUnsafeBufferPointer { bytes in
      String(decoding: UnsafeBufferPointer(rebasing: bytes[(start - windowBase)..<(end - windowBase)]), as: UTF8.self)
    }
  }

  /// Drops window bytes before `offset` once they are worth moving the rest for.
  func dropWindow(before offset: Int, line: Int) {
    let count = offset - windowBase
    guard count > 1 << 16, count * 2 > window.count else { return }
    window.removeFirst(count)
    windowBase = offset
    windowLineNumber = line
  }

  func run(_ body: (Document) throws -> Void) throws -> ReadSummary {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else {
      throw ManifestError.unreadable(path: file, reason: "out of memory")
    }
    defer { yaml_parser_delete(&parser) }
    let context = Unmanaged.passUnretained(self).toOpaque()
    yaml_parser_set_input(
      &parser,
      { data, buffer, size, sizeRead in
        let session = Unmanaged<ReadSession>.fromOpaque(data!).takeUnretainedValue()
        let n = session.fill(buffer!, size)
        if n < 0 { return 0 }
        sizeRead!.pointee = n
        return 1
      }, context)

    var summary = ReadSummary()
    var builder = TreeBuilder(file: file, limits: limits)
    builder.lineOffset = origin.line - 1
    var pending: (root: Node, start: Int, line: Int, diagnostics: [Diagnostic], layout: LayoutEvents?)?
    var onlyComments = false
    var documentStartLine = origin.line
    var documentIndex = origin.documentIndex

    func deliver(endingAt end: Int, nextLine: Int) throws {
      guard let document = pending else { return }
      pending = nil
      if end - document.start > limits.maxDocumentBytes {
        summary.diagnostics.append(
          diagnostic(
            ReaderCode.limit,
            "document \(documentIndex + 1) is \(end - document.start) bytes, more than the limit of \(limits.maxDocumentBytes)",
            at: document.root.mark))
      } else {
        var delivered = Document(
          root: document.root, file: file, index: documentIndex,
          sourceText: text(from: document.start, to: end), diagnostics: document.diagnostics,
          startLine: document.line)
        delivered.holdsOnlyComments = onlyComments
        delivered.layoutEvents = document.layout
        try body(delivered.withSourceLinesOfOwnFindings())
        summary.documentCount += 1
      }
      documentIndex += 1
      dropWindow(before: end, line: nextLine)
    }

    var event = yaml_event_t()
    while true {
      guard yaml_parser_parse(&parser, &event) == 1 else {
        summary.diagnostics.append(withSourceLine(parserFailure(parser, documentIndex: documentIndex)))
        break
      }
      defer { yaml_event_delete(&event) }
      let type = event.type
      if type == YAML_STREAM_END_EVENT {
        if pending == nil, documentIndex == 0, origin.byteOffset == 0, windowBase + window.count > 0 {
          // Only comments and blank lines: one empty document keeps them, so a file written back
          // (inject, uninject) keeps its text instead of becoming empty.
          pending = (Node(.scalar(Scalar(text: "", kind: .null))), 0, origin.line, [], nil)
          onlyComments = true
        }
        try deliver(endingAt: windowBase + window.count, nextLine: windowLineNumber)
        break
      }
      if type == YAML_DOCUMENT_START_EVENT {
        let start = documentIndex == origin.documentIndex && pending == nil ? 0 : lineStart(before: byteOffset(ofCharIndex: Int(event.start_mark.index)))
        try deliver(
          endingAt: start, nextLine: pending == nil ? windowLineNumber : Int(event.start_mark.line) + origin.line)
        documentStart = start
        documentStartLine = start == 0 ? origin.line : Int(event.start_mark.line) + origin.line
        builder.startDocument()
        if recordsLayout { layoutEvents = LayoutEvents(capacity: layoutEvents.count) }
        continue
      }
      if type == YAML_DOCUMENT_END_EVENT {
        let (root, diagnostics) = builder.finishDocument()
        if let root {
          pending = (root, documentStart, documentStartLine, diagnostics, recordsLayout ? layoutEvents : nil)
        } else {
          // The document broke a limit: report it and deliver nothing for it.
          summary.diagnostics.append(contentsOf: diagnostics.map(withSourceLine))
          documentIndex += 1
        }
        continue
      }
      builder.handle(&event)
      if recordsLayout {
        let start = byteOffset(ofCharIndex: Int(event.start_mark.index)) - documentStart
        // A collection's end comes with its end event: its start event's end is not needed.
        let opens = type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT
        let end = opens ? start : byteOffset(ofCharIndex: Int(event.end_mark.index)) - documentStart
        layoutEvents.record(event, start: start, end: end)
      }
      if builder.brokeLimit {
        // Stop reading this stream: what follows a limit is not worth libyaml's time, and some of
        // it costs libyaml more than linear time (its scanner is quadratic in flow depth).
        summary.diagnostics.append(contentsOf: builder.finishDocument().1.map(withSourceLine))
        break
      }
    }
    summary.byteCount = bytesRead
    if let sourceError, !(sourceError is EncodingProblem) { throw sourceError }
    return summary
  }

  /// Turns libyaml's error state into a finding with the best position it has.
  func parserFailure(_ parser: yaml_parser_t, documentIndex: Int) -> Diagnostic {
    if documentTooLarge {
      return diagnostic(
        ReaderCode.limit,
        "document \(documentIndex + 1) is larger than the limit of \(limits.maxDocumentBytes) bytes; the rest of the input is not read",
        at: markOfByte(documentStart + limits.maxDocumentBytes))
    }
    if sourceError is EncodingProblem {
      return diagnostic(
        ReaderCode.encoding, "input is UTF-16; meshctl reads UTF-8 (convert it with iconv -t UTF-8)",
        at: SourceMark(line: 1, column: 1))
    }
    if inputTooLarge {
      return diagnostic(
        ReaderCode.limit, "input is larger than the limit of \(limits.maxInputBytes) bytes",
        at: .none)
    }
    let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
    if parser.error == YAML_READER_ERROR {
      let mark = markOfByte(Int(parser.problem_offset))
      let value = parser.problem_value
      let detail = value >= 0 && value < 0x20 ? String(format2: value) : problem
      return diagnostic(ReaderCode.encoding, detail, at: mark)
    }
    var message = problem
    let context = parser.context.map { String(cString: $0) }
    let contextMark = SourceMark(line: Int(parser.context_mark.line) + origin.line, column: Int(parser.context_mark.column) + 1)
    if let context {
      message += " (\(context) at line \(contextMark.line), column \(contextMark.column))"
    }
    let mark = SourceMark(
      line: Int(parser.problem_mark.line) + origin.line, column: Int(parser.problem_mark.column) + 1)
    let error = YAMLSyntaxError(
      problem: problem, problemMark: mark, context: context, contextMark: context == nil ? nil : contextMark)
    return hinted(diagnostic(ReaderCode.syntax, message, at: mark), for: error)
  }

  /// The finding with a hint for a common cause (YAMLSyntaxHints), pointing at the cause.
  func hinted(_ finding: Diagnostic, for error: YAMLSyntaxError) -> Diagnostic {
    readThrough(line: error.problemMark.line)
    // The window's lines, by their starts (a byte scan: splitting the window into Characters
    // was a tenth of the time spent reading a broken input). Lines end at LF; a CR before it
    // is part of the break.
    let window = self.window
    var starts = [0]
    window.withUnsafeBufferPointer { bytes in
      for (i, byte) in bytes.enumerated() where byte == 0x0A { starts.append(i + 1) }
    }
    let line = { (number: Int) -> String? in
      let index = number - self.windowLineNumber
      guard starts.indices.contains(index) else { return nil }
      var end = index + 1 < starts.count ? starts[index + 1] - 1 : window.count
      if index + 1 < starts.count, end > starts[index], window[end - 1] == 0x0D { end -= 1 }
      return String(decoding: window[starts[index]..<end], as: UTF8.self)
    }
    guard let (mark, hint) = YAMLSyntaxHints.explain(error, line: line) else { return finding }
    var finding = finding
    if mark != finding.mark {
      finding.message += " (noticed at line \(finding.mark.line), column \(finding.mark.column))"
      finding.mark = mark
    }
    finding.hint = hint
    return finding
  }

  /// After a syntax error, reads on (bytes libyaml will never see, at most 64 KiB) until the
  /// window holds line `line` whole: libyaml notices an error a few characters into a line,
  /// and the hint must not depend on where the source happened to end a read (fuzzing found
  /// the hint and its position changing with the read size).
  func readThrough(line: Int) {
    window.append(contentsOf: heldBack)
    heldBack = []
    var complete = windowLineNumber + window.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    var extra = 0
    var buffer = [UInt8](repeating: 0, count: 4096)
    while complete <= line, extra < 1 << 16 {
      guard let n = try? buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), n > 0 else { return }
      complete += buffer[..<n].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
      window.append(contentsOf: buffer[..<n])
      extra += n
    }
  }

  /// Adds the text of the line a finding points at, if that line is still in the window.
  func withSourceLine(_ diagnostic: Diagnostic) -> Diagnostic {
    guard diagnostic.mark.isKnown, diagnostic.mark.line >= windowLineNumber else { return diagnostic }
    var diagnostic = diagnostic
    let text = String(decoding: window, as: UTF8.self)
    diagnostic.sourceLine = SecretMask.sourceLine(diagnostic.mark.line - windowLineNumber + 1, in: text)
    return diagnostic
  }

  /// The line and column of an absolute byte offset inside the window (reader errors carry
  /// only a byte offset).
  func markOfByte(_ offset: Int) -> SourceMark {
    let end = min(max(offset - windowBase, 0), window.count)
    var line = windowLineNumber
    var column = 1
    var i = 0
    while i < end {
      let b = window[i]
      if b == 0x0A {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return SourceMark(line: line, column: column)
  }

  /// The line number of the window's first byte; the window always starts at a line start.
  var windowLineNumber = 1

  func diagnostic(_ code: String, _ message: String, at mark: SourceMark) -> Diagnostic {
    Diagnostic(severity: .error, code: code, message: message, file: file, mark: mark)
  }
}

extension String {
  /// "control character 0x00 is not allowed" for a reader error on a control byte.
  fileprivate init(format2 value: Int32) {
    let hex = String(value, radix: 16, uppercase: true)
    self = "control character 0x\(hex.count < 2 ? "0" + hex : hex) is not allowed (is this a binary file?)"
  }
}

extension Document {
  fileprivate func withSourceLinesOfOwnFindings() -> Document {
    guard !diagnostics.isEmpty else { return self }
    var copy = self
    copy.diagnostics = withSourceLines(diagnostics)
    return copy
  }
}
