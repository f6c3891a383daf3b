#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SIGINT and SIGTERM end meshctl with exit 130 (the documented "interrupted"), after removing
/// the temporary files of atomic writes in progress, so an interrupted `inject -i` leaves
/// neither a torn file nor a `.meshctl-XXXXXX` beside it.
///
/// The handler may only do async-signal-safe work: it walks a fixed table of C strings that
/// `register` fills (the first byte written last, so it never sees half a path), calls
/// `unlink` on each, then `_exit`. A command that watches signals itself (`shift`, `top`)
/// installs its own handlers over these while it runs.
public enum TerminationSignals {
  /// The status a signal ends the process with (128 + SIGINT, whatever the signal).
  public static let exitStatus: Int32 = 130

  /// Installs the handlers for SIGINT and SIGTERM (again, when a command had replaced them).
  public static func install() {
    _ = temporaryPaths  // initialised here, never first in the handler
    signal(SIGINT, onTerminationSignal)
    signal(SIGTERM, onTerminationSignal)
    unblock()
  }

  /// Unblocks SIGINT and SIGTERM on this thread: a parent may hand the signals down blocked
  /// (test runners do), and threads started later inherit this thread's mask.
  public static func unblock() {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
  }

  /// Records `path` for removal when a signal comes; returns its slot for `unregister`, or -1
  /// when the table is full or the path too long (the file is then only removed on errors).
  public static func register(_ path: String) -> Int {
    let bytes = Array(path.utf8)
    guard !bytes.isEmpty, bytes.count < slotBytes else { return -1 }
    tableLock.lock()
    defer { tableLock.unlock() }
    for slot in 0..<slotCount where temporaryPaths[slot * slotBytes] == 0 {
      let start = temporaryPaths + slot * slotBytes
      for (index, byte) in bytes.enumerated().dropFirst() { start[index] = CChar(bitPattern: byte) }
      start[bytes.count] = 0
      start[0] = CChar(bitPattern: bytes[0])
      return slot
    }
    return -1
  }

  /// Forgets a registered path (the file was renamed into place or removed).
  public static func unregister(_ slot: Int) {
    guard (0..<slotCount).contains(slot) else { return }
    tableLock.lock()
    temporaryPaths[slot * slotBytes] = 0
    tableLock.unlock()
  }

  /// The paths registered now (for tests).
  public static var registered: [String] {
    tableLock.lock()
    defer { tableLock.unlock() }
    return (0..<slotCount).compactMap { slot in
      let start = temporaryPaths + slot * slotBytes
      return start[0] == 0 ? nil : String(cString: start)
    }
  }

  static let slotCount = 16
  static let slotBytes = Int(PATH_MAX)
}

/// The table of temporary paths; zeroed, never freed (the handler may run at any time).
nonisolated(unsafe) private let temporaryPaths: UnsafeMutablePointer<CChar> = {
  let table = UnsafeMutablePointer<CChar>.allocate(
    capacity: TerminationSignals.slotCount * TerminationSignals.slotBytes)
  table.initialize(repeating: 0, count: TerminationSignals.slotCount * TerminationSignals.slotBytes)
  return table
}()

/// Serialises `register` and `unregister` (never taken by the handler).
private let tableLock = SignalTableLock()

/// A pthread mutex, as Manifest has no lock type of its own.
private final class SignalTableLock: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  func lock() { pthread_mutex_lock(&mutex) }
  func unlock() { pthread_mutex_unlock(&mutex) }
}

private func onTerminationSignal(_ signal: Int32) {
  for slot in 0..<TerminationSignals.slotCount {
    let start = temporaryPaths + slot * TerminationSignals.slotBytes
    if start[0] != 0 { unlink(start) }
  }
  _exit(TerminationSignals.exitStatus)
}
