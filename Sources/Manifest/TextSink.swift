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
}

/// Writes to a file descriptor, optionally buffered (standard output is; standard error is not,
/// so messages appear as they happen).
public final class FileDescriptorSink: TextSink {
  private let descriptor: Int32
  private let buffered: Bool
  private var buffer: [UInt8] = []

  /// Creates a sink over a descriptor the process owns (1 or 2).
  public init(descriptor: Int32, buffered: Bool) {
    self.descriptor = descriptor
    self.buffered = buffered
  }

  deinit { flush() }

  public func write(_ text: String) {
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
        break  // A closed pipe: nobody is reading; drop the rest.
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
