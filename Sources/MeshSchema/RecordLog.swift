import Manifest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value the cross-document analysis can write to a `RecordLog` and read back.
protocol SpillRecord {
  /// Writes the value's fields.
  func encode(into encoder: inout RecordEncoder)
  /// Reads the fields `encode` wrote, in the same order.
  init(decoding decoder: inout RecordDecoder)
}

/// Writes fields into bytes: unsigned LEB128 varints for counts and small numbers, 8 bytes for
/// fingerprints (they are random, a varint would take 10), strings as length + UTF-8.
struct RecordEncoder {
  var bytes: [UInt8] = []
  /// The last file and object a site of this record named: the sites of one record mostly
  /// share both, so a repeat is written as a single 0.
  private var lastFile = ""
  private var lastObject = ""

  mutating func unsigned(_ value: UInt64) {
    if value < 0x80 { return bytes.append(UInt8(truncatingIfNeeded: value)) }
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  /// A signed number, zigzag-coded so that small negatives (`StringTable.none`) stay short.
  mutating func int(_ value: Int) {
    unsigned(UInt64(bitPattern: Int64((value << 1) ^ (value >> (Int.bitWidth - 1)))))
  }

  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  mutating func fingerprint(_ value: UInt64) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func string(_ value: String) {
    var value = value
    value.withUTF8 { utf8 in
      unsigned(UInt64(utf8.count))
      bytes.append(contentsOf: utf8)
    }
  }

  /// A site's file: 0 when it repeats the record's last one, else its length + 1 and UTF-8.
  mutating func file(_ value: String) {
    if value == lastFile { return unsigned(0) }
    lastFile = value
    repeatable(value)
  }

  /// A site's object, as `file`.
  mutating func object(_ value: String) {
    if value == lastObject { return unsigned(0) }
    lastObject = value
    repeatable(value)
  }

  private mutating func repeatable(_ value: String) {
    var value = value
    value.withUTF8 { utf8 in
      unsigned(UInt64(utf8.count) + 1)
      bytes.append(contentsOf: utf8)
    }
  }

  mutating func optional<T>(_ value: T?, _ write: (inout RecordEncoder, T) -> Void) {
    bool(value != nil)
    if let value { write(&self, value) }
  }

  mutating func array<T>(_ values: some Collection<T>, _ write: (inout RecordEncoder, T) -> Void) {
    unsigned(UInt64(values.count))
    for value in values { write(&self, value) }
  }

  mutating func mark(_ mark: SourceMark) {
    int(mark.line)
    int(mark.column)
  }
}

/// Reads what a `RecordEncoder` wrote. It only ever reads the analysis's own files, but a short
/// or damaged record still reads as zeros and empty strings rather than trapping.
struct RecordDecoder {
  private let bytes: UnsafeRawBufferPointer
  private var position = 0
  /// Whether `text()` skips its strings: a record decoded only to be checked needs none of the
  /// text its findings would print, and a copy of the decoder made before can read it whole.
  var skipsText = false
  /// The last file and object a site of this record named (see `RecordEncoder.file`).
  private var lastFile = ""
  private var lastObject = ""

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  mutating func unsigned() -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.count, shift < 64 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { break }
      shift += 7
    }
    return value
  }

  mutating func int() -> Int {
    let raw = Int64(bitPattern: unsigned())
    return Int((raw >> 1) ^ -(raw & 1))
  }

  mutating func bool() -> Bool {
    guard position < bytes.count else { return false }
    defer { position += 1 }
    return bytes[position] != 0
  }

  mutating func fingerprint() -> UInt64 {
    guard position + 8 <= bytes.count else {
      position = bytes.count
      return 0
    }
    var value: UInt64 = 0
    withUnsafeMutableBytes(of: &value) {
      $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + 8]))
    }
    position += 8
    return UInt64(littleEndian: value)
  }

  mutating func string() -> String {
    let count = min(Int(clamping: unsigned()), bytes.count - position)
    defer { position += count }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]), as: UTF8.self)
  }

  /// What `RecordEncoder.file` wrote.
  mutating func file() -> String {
    let file = repeatable(last: lastFile)
    lastFile = file
    return file
  }

  /// What `RecordEncoder.object` wrote.
  mutating func object() -> String {
    let object = repeatable(last: lastObject)
    lastObject = object
    return object
  }

  private mutating func repeatable(last: String) -> String {
    let count = Int(clamping: unsigned())
    guard count > 0 else { return last }
    let length = min(count - 1, bytes.count - position)
    defer { position += length }
    if skipsText { return "" }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + length]), as: UTF8.self)
  }

  /// A string only findings print: empty, without being read, when `skipsText`.
  mutating func text() -> String {
    guard skipsText else { return string() }
    position += min(Int(clamping: unsigned()), bytes.count - position)
    return ""
  }

  mutating func optional<T>(_ read: (inout RecordDecoder) -> T) -> T? {
    bool() ? read(&self) : nil
  }

  mutating func array<T>(_ read: (inout RecordDecoder) -> T) -> [T] {
    // A count can never exceed the bytes left: each element takes at least one.
    let count = min(Int(clamping: unsigned()), bytes.count - position)
    var values: [T] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(read(&self)) }
    return values
  }

  mutating func mark() -> SourceMark { SourceMark(line: int(), column: int()) }
}

/// Length-prefixed records, appended once and read back in order as often as needed: in
/// memory, until `moveToDisk` puts them in a temporary file that is unlinked as soon as it is
/// made, so nothing is left behind however the process ends. A write that fails (a full disk)
/// leaves the unwritten records in memory, where `forEach` still finds them: nothing is lost,
/// only the memory saving.
///
/// A reference type: an analysis and its copies would share one log, so the analysis that owns
/// logs is not copyable.
final class RecordLog: @unchecked Sendable {
  /// The file, once on disk; -1 before.
  private var descriptor: Int32 = -1
  /// Encoded records not yet written.
  private var unwritten: [UInt8] = []
  /// How many bytes are on disk.
  private var written = 0
  /// Set by the first failed write; from then on records stay in `unwritten`.
  private(set) var writeFailed = false
  /// How many records were appended.
  private(set) var count = 0

  /// How much is buffered before a write.
  private static let writeSize = 1 << 16

  /// An empty log in memory.
  init() {}

  /// A log writing to an open descriptor it then owns (tests use `/dev/full`).
  init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  /// The directory for temporary files: `TMPDIR`, else `/tmp`.
  static var temporaryDirectory: String {
    if let directory = getenv("TMPDIR").map({ String(cString: $0) }), !directory.isEmpty { return directory }
    return "/tmp"
  }

  /// Whether the records go to a file.
  var isOnDisk: Bool { descriptor >= 0 }

  /// The bytes held in memory.
  var bytesInMemory: Int { unwritten.count }

  /// Moves the records to a new unlinked file in `directory`; false when none can be made
  /// there (they stay in memory).
  @discardableResult
  func moveToDisk(in directory: String) -> Bool {
    guard descriptor < 0 else {
      flush()
      return true
    }
    var template = Array("\(directory)/meshctl-analysis-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else { return false }
    _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
    self.descriptor = descriptor
    flush()
    return true
  }

  /// Appends one record.
  func append(_ record: some SpillRecord) {
    // Encoded in place behind a 4-byte length, patched once the record's size is known: no
    // buffer of its own per record.
    var encoder = RecordEncoder()
    swap(&encoder.bytes, &unwritten)
    let start = encoder.bytes.count
    encoder.bytes.append(contentsOf: [0, 0, 0, 0])
    record.encode(into: &encoder)
    let length = UInt32(truncatingIfNeeded: encoder.bytes.count - start - 4)
    for index in 0..<4 { encoder.bytes[start + index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
    swap(&encoder.bytes, &unwritten)
    count += 1
    if isOnDisk, unwritten.count >= Self.writeSize { flush() }
  }

  /// Writes what is buffered, when on disk; after a failure it keeps the rest buffered and
  /// stops trying.
  func flush() {
    guard isOnDisk, !writeFailed, !unwritten.isEmpty else { return }
    var done = 0
    unwritten.withUnsafeBytes { buffer in
      while done < buffer.count {
        let result = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(written + done))
        if result > 0 {
          done += result
        } else if result < 0, errno == EINTR {
          continue
        } else {
          writeFailed = true
          return
        }
      }
    }
    written += done
    unwritten.removeFirst(done)
  }

  /// Reads every record in the order appended; each is decoded inside `body`.
  func forEach(_ body: (inout RecordDecoder) -> Void) {
    // The disk part through one buffer, read into behind the incomplete record it ends with
    // (the buffer doubles when one record outgrows it), then what is still buffered.
    var buffer = [UInt8](repeating: 0, count: min(Self.readSize, written))
    var filled = 0
    var offset = 0
    while offset < written {
      if filled == buffer.count { buffer += [UInt8](repeating: 0, count: max(buffer.count, 1)) }
      let wanted = min(buffer.count - filled, written - offset)
      let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, wanted, off_t(offset)) }
      if read < 0, errno == EINTR { continue }
      guard read > 0 else { break }
      offset += read
      filled += read
      let used = buffer.withUnsafeMutableBytes { bytes in
        let used = Self.decodeComplete(UnsafeRawBufferPointer(rebasing: bytes[..<filled]), body)
        if used > 0, used < filled { memmove(bytes.baseAddress!, bytes.baseAddress! + used, filled - used) }
        return used
      }
      filled -= used
    }
    if filled == 0 {
      unwritten.withUnsafeBytes { _ = Self.decodeComplete($0, body) }
    } else {
      let rest = buffer[..<filled] + unwritten
      rest.withUnsafeBytes { _ = Self.decodeComplete($0, body) }
    }
  }

  /// How much of the file is read at once.
  private static let readSize = 1 << 18

  /// Decodes the whole records at the start of `bytes`; returns where the first incomplete
  /// one begins.
  private static func decodeComplete(_ bytes: UnsafeRawBufferPointer, _ body: (inout RecordDecoder) -> Void) -> Int {
    var position = 0
    while position < bytes.count {
      guard let length = Self.length(in: bytes, at: position), position + 4 + length <= bytes.count else { break }
      let payload = position + 4
      var decoder = RecordDecoder(UnsafeRawBufferPointer(rebasing: bytes[payload..<payload + length]))
      body(&decoder)
      position = payload + length
    }
    return position
  }

  /// The length of the record at `position`; nil when the buffer ends inside its header.
  private static func length(in bytes: UnsafeRawBufferPointer, at position: Int) -> Int? {
    guard position + 4 <= bytes.count else { return nil }
    return (0..<4).reduce(0) { $0 | Int(bytes[position + $1]) << (8 * $1) }
  }
}
