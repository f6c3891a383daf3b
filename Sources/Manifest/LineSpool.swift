#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Text held back until a command's output is done: inject's report (it goes to standard
/// error after the YAML), and the objects a command prints (all or nothing: they reach
/// standard output only once every input was read and transformed). Past `limit` bytes the
/// text moves to an anonymous temporary file, so memory does not grow with the output; without
/// a temporary file it stays in memory.
public final class LineSpool: TextSink {
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
    write(line)
    write("\n")
  }

  /// Adds text as it is.
  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= limit, !inMemoryOnly { spill() }
  }

  /// Nothing to push: the text waits for `drain` or `discard`.
  public func flush() {}

  /// Drops everything held (the command failed: its output must not appear).
  public func discard() {
    if let file { fclose(file) }
    file = nil
    buffer.removeAll()
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
        // Whole characters only: keep a character's first bytes until the rest come.
        guard let lastStart = carry.lastIndex(where: { $0 & 0xC0 != 0x80 }), lastStart > 0 else { continue }
        sink.write(String(decoding: carry[..<lastStart], as: UTF8.self))
        carry.removeSubrange(..<lastStart)
      }
      if !carry.isEmpty { sink.write(String(decoding: carry, as: UTF8.self)) }
      fclose(file)
      self.file = nil
    }
    if !buffer.isEmpty { sink.write(String(decoding: buffer, as: UTF8.self)) }
    buffer.removeAll()
  }
}
