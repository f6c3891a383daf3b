import Dispatch

/// Runs async work to completion from synchronous code (a command's `run` is synchronous;
/// the transport is async). The main thread waits; the work runs on the pool.
public func awaitCompletion<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
  let box = ResultBox<T>()
  let done = DispatchSemaphore(value: 0)
  Task {
    do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
    done.signal()
  }
  done.wait()
  return try box.result!.get()
}

/// Carries a result from the pool thread to the waiting one; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}
