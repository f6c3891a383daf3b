#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cuts a YAML stream into pieces that libyaml reads alone exactly as it reads them inside the
/// whole stream: each piece after the first starts at a `---` line (three dashes at column 0,
/// then a blank or a line break). libyaml reads such a line as a document start in every
/// context (it ends block and plain scalars; inside a quoted scalar or a flow collection it is
/// an error), so a piece that libyaml reads without an error ends exactly where its document
/// ends in the whole stream. Whoever reads the pieces must still fall back to one reader when a
/// piece other than the last has an error, or holds another number of documents than predicted.
///
/// Never cuts a stream with a `%` directive line (a directive belongs to the next document),
/// or with line breaks other than LF and CRLF (libyaml also counts a lone CR, NEL, LS and PS,
/// and the pieces' line numbers would drift): from the piece that holds one, the rest of the
/// stream is one piece (`Cut.rest`).
struct StreamSplitter {
  /// What to do next with the stream.
  enum Cut: Equatable {
    /// `buffer[..<end]` is a piece: `lines` line breaks, `documents` documents predicted;
    /// `isLast` when it is the rest of the stream.
    case piece(end: Int, lines: Int, documents: Int, isLast: Bool)
    /// The buffer and the rest of the source must be read as one piece.
    case rest
    /// The stream is over and fully cut.
    case end
  }

  /// Bytes read from the source but not cut yet; `origin` is where they start in the stream.
  private(set) var buffer: [UInt8] = []
  /// The position of `buffer[0]` in the stream.
  private(set) var origin = StreamPosition.start
  /// The source's error, when reading it failed (the bytes before it are in the buffer).
  private(set) var sourceError: (any Error)?
  /// The size a piece grows to before it is cut at the next `---` line.
  let pieceBytes: Int
  /// Past this many bytes without a place to cut, the rest is one piece.
  let maxPieceBytes: Int
  private var atEnd = false
  /// Where the source is read into before the bytes join `buffer`.
  private var chunk = [UInt8](repeating: 0, count: 1 << 16)
  private var scanned = 0
  private var lines = 0
  private var starts = 0
  private var contentBeforeFirstStart = false
  private var unsplittable = false

  /// Creates a splitter.
  init(pieceBytes: Int, maxPieceBytes: Int) {
    self.pieceBytes = pieceBytes
    self.maxPieceBytes = maxPieceBytes
  }

  /// The next cut, reading from `source` as needed (a read error ends the reading: `.rest`).
  mutating func nextCut(_ source: any ByteSource) -> Cut {
    while true {
      if let cut = scan() { return cut }
      if unsplittable || sourceError != nil { return .rest }
      if atEnd {
        guard !buffer.isEmpty else { return .end }
        return .piece(end: buffer.count, lines: lines, documents: predictedDocuments, isLast: true)
      }
      if buffer.count > maxPieceBytes { return .rest }
      readMore(source)
    }
  }

  /// Removes the piece `cut` names from the buffer and returns its bytes.
  mutating func take(_ cut: Cut) -> [UInt8] {
    guard case .piece(let end, let lines, let documents, _) = cut else { return [] }
    // The piece keeps the buffer's storage and only the few bytes past the cut are copied:
    // the calling thread cuts every byte of the stream, so a copy of each piece would cost it.
    var piece: [UInt8] = []
    swap(&piece, &buffer)
    buffer.reserveCapacity(max(pieceBytes, 1 << 16) + (1 << 16))
    buffer.append(contentsOf: piece[end...])
    piece.removeLast(piece.count - end)
    origin = StreamPosition(
      byteOffset: origin.byteOffset + end, line: origin.line + lines, documentIndex: origin.documentIndex + documents)
    scanned = 0
    self.lines = 0
    starts = 0
    contentBeforeFirstStart = false
    return piece
  }

  /// Hands over what is left (the buffer) and marks the stream as fully taken.
  mutating func takeRest() -> (bytes: [UInt8], origin: StreamPosition, error: (any Error)?) {
    defer {
      buffer = []
      atEnd = true
      scanned = 0
    }
    return (buffer, origin, sourceError)
  }

  /// Documents in the piece before the current scan position: its `---` lines, and in the
  /// stream's first piece one more when content comes before the first of them.
  private var predictedDocuments: Int {
    starts + (origin.byteOffset == 0 && contentBeforeFirstStart ? 1 : 0)
  }

  private mutating func readMore(_ source: any ByteSource) {
    do {
      // Kept from read to read: allocating and zeroing a chunk each time shows in profiles.
      let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
      if n == 0 {
        atEnd = true
      } else {
        buffer.append(contentsOf: chunk[..<n])
        if !mayHoldOtherBreaks {
          mayHoldOtherBreaks = chunk.withUnsafeBytes { raw in
            [0x0D, 0xC2, 0xE2].contains { memchr(raw.baseAddress!, $0, n) != nil }
          }
        }
      }
    } catch {
      sourceError = error
    }
  }

  /// Scans on from `scanned` (always a line start), line by line; returns the first cut at a
  /// `---` line at least `pieceBytes` in, once the piece holds a `---` line before it.
  private mutating func scan() -> Cut? {
    guard !unsplittable, scanned < buffer.count else { return nil }
    let first = origin.byteOffset == 0
    return buffer.withUnsafeBufferPointer { bytes -> Cut? in
      let base = bytes.baseAddress!
      var i = scanned
      defer { scanned = i }
      while i < bytes.count {
        // A line is looked at once it is whole; the last one may lack its line break.
        let newline = memchr(base + i, 0x0A, bytes.count - i)
        if newline == nil, !atEnd { return nil }
        let end = newline.map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
        if bytes[i] == 0x25 {  // %: a directive
          unsplittable = true
          return nil
        }
        if Self.isDocumentStart(bytes, i) {
          if i > 0, i >= pieceBytes, starts > 0 {
            return .piece(end: i, lines: lines, documents: predictedDocuments, isLast: false)
          }
          starts += 1
        } else if first, starts == 0, !contentBeforeFirstStart, Self.holdsContent(bytes, lineAt: i) {
          contentBeforeFirstStart = true
        }
        if mayHoldOtherBreaks, Self.holdsOtherBreak(bytes, from: i, to: end) {
          unsplittable = true
          return nil
        }
        if newline != nil { lines += 1 }
        i = newline == nil ? bytes.count : end + 1
      }
      return nil
    }
  }

  /// Set once the stream holds a byte that may start a line break other than LF (CR, or the
  /// first byte of NEL, LS or PS): lines are then checked one by one.
  private var mayHoldOtherBreaks = false

  /// Whether `bytes[from..<to]`, a line without its LF, holds a line break libyaml counts: a CR
  /// not right before the LF, NEL, LS or PS.
  static func holdsOtherBreak(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Bool {
    var i = from
    while i < end {
      switch bytes[i] {
      case 0x0D where i + 1 != end || end == bytes.count: return true
      case 0xC2 where i + 1 < bytes.count && bytes[i + 1] == 0x85: return true
      case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] | 1) == 0xA9: return true
      default: break
      }
      i += 1
    }
    return false
  }

  /// Whether a `---` document-start line begins at `i`.
  static func isDocumentStart(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
    guard i + 3 <= bytes.count, bytes[i] == 0x2D, bytes[i + 1] == 0x2D, bytes[i + 2] == 0x2D else { return false }
    guard i + 3 < bytes.count else { return true }
    let next = bytes[i + 3]
    return next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D
  }

  /// Whether the line at `i` holds more than blanks and a comment (a byte-order mark at the
  /// stream's start does not count).
  static func holdsContent(_ bytes: UnsafeBufferPointer<UInt8>, lineAt start: Int) -> Bool {
    var i = start
    if i == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    guard i < bytes.count else { return false }
    return bytes[i] != 0x23 && bytes[i] != 0x0A && bytes[i] != 0x0D
  }
}

/// Bytes in memory, then (optionally) the rest of another source, then (optionally) an error:
/// the stream from some piece on, once reading it in pieces was given up.
final class ConcatenatedSource: ByteSource {
  private var pieces: [[UInt8]]
  private var offset = 0
  private let rest: (any ByteSource)?
  private let error: (any Error)?

  init(_ pieces: [[UInt8]], then rest: (any ByteSource)?, error: (any Error)?) {
    self.pieces = pieces.reversed()
    self.rest = rest
    self.error = error
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while let piece = pieces.last {
      let count = min(buffer.count, piece.count - offset)
      if count > 0 {
        piece.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
        offset += count
        return count
      }
      pieces.removeLast()
      offset = 0
    }
    if let error { throw error }
    return try rest?.read(into: buffer) ?? 0
  }
}
