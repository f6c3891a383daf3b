#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a command writes text: standard output, standard error, or a buffer in tests.
public protocol TextSink: AnyObject {
  /// Writes text as it is (no newline is added).
  func write(_ text: String)
  /// Pushes buffered text out.
  func flush()
  /// Why a write failed (`No space left on device`), the first time one did; nil while every
  /// write succeeded. A sink that failed drops what it is given after that.
  var writeFailure: String? { get }
}

extension TextSink {
  /// Sinks that cannot fail (memory) never have a write failure.
  public var writeFailure: String? { nil }

  /// Flushes, then throws the first write that failed: output that did not all arrive is a
  /// failure of the command (exit 2), never a silent success.
  public func finishWriting(name: String = "standard output") throws {
    flush()
    if let writeFailure { throw ManifestError.unwritable(path: name, reason: writeFailure) }
  }
}

/// Writes to a file descriptor, optionally buffered (standard output is; standard error is not,
/// so messages appear as they happen).
public final class FileDescriptorSink: TextSink {
  private let descriptor: Int32
  private let buffered: Bool
  private var buffer: [UInt8] = []

  public private(set) var writeFailure: String?

  /// Creates a sink over a descriptor the process owns (1 or 2). A descriptor that is closed
  /// (`meshctl ... >&-`) is held on /dev/null opened read-only, so that no file the command
  /// opens later takes its number and receives its output, and every write to it fails
  /// (`Bad file descriptor`) as a write to the closed one would.
  public init(descriptor: Int32, buffered: Bool) {
    self.descriptor = descriptor
    self.buffered = buffered
    if fcntl(descriptor, F_GETFD) < 0, errno == EBADF {
      let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
      if null >= 0, null != descriptor {
        dup2(null, descriptor)
        close(null)
      }
    }
  }

  deinit { flush() }

  public func write(_ text: String) {
    guard writeFailure == nil else { return }
    buffer.append(contentsOf: text.utf8)
    if !buffered || buffer.count >= 1 << 16 { flush() }
  }

  public func flush() {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes { raw in
        #if canImport(Glibc)
          Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        #else
          Darwin.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        #endif
      }
      if written < 0 {
        if errno == EINTR { continue }
        // A full disk, a closed pipe or descriptor: remember why and drop the rest.
        writeFailure = writeFailure ?? errnoDescription()
        break
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Collects written text in memory; for tests.
public final class CapturedText: TextSink {
  /// Everything written so far.
  public private(set) var text = ""

  /// Creates an empty buffer.
  public init() {}

  public func write(_ text: String) { self.text += text }
  public func flush() {}
}
