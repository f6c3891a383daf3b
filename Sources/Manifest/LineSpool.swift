#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines held back until a command's output is done (inject's report goes to standard error
/// after the YAML). Past `limit` bytes they move to an anonymous temporary file, so memory does
/// not grow with the number of lines; without a temporary file they stay in memory.
public final class LineSpool {
  private let limit: Int
  private var buffer: [UInt8] = []
  private var file: UnsafeMutablePointer<FILE>?
  /// Set when the temporary file could not be created or written: keep everything in memory.
  private var inMemoryOnly = false

  /// Creates an empty spool that keeps up to `limit` bytes in memory.
  public init(limit: Int = 1 << 20) {
    self.limit = limit
  }

  deinit {
    if let file { fclose(file) }
  }

  /// Adds a line (without its line break).
  public func append(_ line: String) {
    buffer.append(contentsOf: line.utf8)
    buffer.append(0x0A)
    if buffer.count >= limit, !inMemoryOnly { spill() }
  }

  /// Moves the buffered lines to the temporary file, leaving the file as it was on failure.
  private func spill() {
    if file == nil { file = tmpfile() }
    guard let file else {
      inMemoryOnly = true
      return
    }
    let before = ftell(file)
    let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == buffer.count, fflush(file) == 0 else {
      // A full disk: drop the partial copy, keep the lines here.
      _ = ftruncate(fileno(file), off_t(before))
      fseek(file, before, SEEK_SET)
      inMemoryOnly = true
      return
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes every line, in order, to `sink` in large pieces, and empties the spool.
  public func drain(into sink: any TextSink) {
    if let file {
      rewind(file)
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      var carry: [UInt8] = []
      while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        guard count > 0 else { break }
        carry += chunk[..<count]
        // Whole lines only, so a character is never cut in two.
        guard let lastBreak = carry.lastIndex(of: 0x0A) else { continue }
        sink.write(String(decoding: carry[...lastBreak], as: UTF8.self))
        carry.removeSubrange(...lastBreak)
      }
      if !carry.isEmpty { sink.write(String(decoding: carry, as: UTF8.self)) }
      fclose(file)
      self.file = nil
    }
    if !buffer.isEmpty { sink.write(String(decoding: buffer, as: UTF8.self)) }
    buffer.removeAll()
  }
}
