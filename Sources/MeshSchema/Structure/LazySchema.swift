#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A schema made on first use and kept: generated definitions are compiled only when a document
/// reaches them (start-up stays fast), and a recursive definition can name itself.
public final class LazySchema: @unchecked Sendable {
  private let lock = Lock()
  private var made: Schema?
  private let make: @Sendable () -> Schema

  /// Creates a schema that `make` builds on first use.
  public init(_ make: @escaping @Sendable () -> Schema) {
    self.make = make
  }

  /// The schema, built on the first call. `make` may create other lazy schemas but must not
  /// read this one (the lock is not reentrant).
  public var schema: Schema {
    lock.withLock {
      if let made { return made }
      let schema = make()
      made = schema
      return schema
    }
  }
}

/// A mutex (pthread; the Synchronization module needs macOS 15).
final class Lock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` holding the lock.
  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}
