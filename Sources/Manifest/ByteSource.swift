#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a reader gets its bytes: a file, standard input, or memory. Reads are pull-based so a
/// large stream is never held in memory whole.
public protocol ByteSource: AnyObject {
  /// Fills `buffer` with up to its count of bytes; returns 0 at the end of input.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// An error reading input bytes (as opposed to an input that is not valid YAML).
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A path could not be opened or read.
  case unreadable(path: String, reason: String)
  /// A path names neither a file nor a directory.
  case notFound(path: String)
  /// A directory was given without `-R` and holds no manifest files at its top level.
  case noManifests(path: String)
  /// Output could not be written (`standard output` or a path): a full disk, a closed stream.
  case unwritable(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
    case .notFound(let path): return "\(path): no such file or directory"
    case .noManifests(let path):
      return "\(path): no .yaml, .yml or .json files found (use -R to search subdirectories)"
    case .unwritable(let path, let reason): return "writing \(path): \(reason)"
    }
  }
}

/// Reads from an open file descriptor (a file, a pipe, standard input).
public final class FileDescriptorSource: ByteSource {
  private let fd: Int32
  private let ownsDescriptor: Bool
  /// The name used in messages.
  public let name: String

  /// Opens a file for reading.
  public init(path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ManifestError.unreadable(path: path, reason: errnoDescription()) }
    self.fd = fd
    self.ownsDescriptor = true
    self.name = path
  }

  /// Reads from a descriptor that someone else owns (standard input).
  public init(descriptor: Int32, name: String) {
    self.fd = descriptor
    self.ownsDescriptor = false
    self.name = name
  }

  deinit {
    if ownsDescriptor { close(fd) }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      #if canImport(Glibc)
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      #else
        let n = Darwin.read(fd, buffer.baseAddress, buffer.count)
      #endif
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw ManifestError.unreadable(path: name, reason: errnoDescription())
    }
  }
}

/// Reads from bytes in memory (tests, fuzzing, documents built in code).
public final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0

  /// Creates a source over bytes.
  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Creates a source over the UTF-8 bytes of a string.
  public convenience init(_ text: String) { self.init(Array(text.utf8)) }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
    }
    offset += count
    return count
  }
}

/// The C library's text for the current `errno`.
func errnoDescription() -> String {
  String(cString: strerror(errno))
}
