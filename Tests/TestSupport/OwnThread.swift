import Foundation

/// Runs blocking `work` (waiting for a child process, a polling loop) on a thread of its own and
/// suspends until it is done. Swift Testing runs tests on the concurrency pool, which has one
/// thread per core: a test that blocks one of the two for minutes (the emulator suite, the
/// hostile-input table) would otherwise stall every async test meanwhile, long enough for idle
/// connections and Prometheus waits to expire. Expectations stay in the test, on its task.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    let thread = Thread { continuation.resume(with: Result { try work() }) }
    thread.stackSize = 8 << 20
    thread.start()
  }
}
