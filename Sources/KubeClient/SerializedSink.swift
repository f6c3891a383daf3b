import Manifest

/// A sink that many tasks may write to at once (request logs come from the transport's tasks).
public final class SerializedSink: @unchecked Sendable {
  private let sink: any TextSink
  private let lock = Lock()

  /// Wraps `sink`.
  public init(_ sink: any TextSink) { self.sink = sink }

  /// Writes `text` whole, never interleaved with another task's write.
  public func write(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    sink.write(text)
  }
}
