import Dispatch

/// Runs async work from synchronous code, waiting at most `bound`: nil when it fails or is
/// late. A late answer is dropped (for shell completion, where the process ends right after).
public func awaitCompletion<T: Sendable>(
  within bound: Duration, _ work: @escaping @Sendable () async throws -> T
) -> T? {
  let box = LateResult<T>()
  let done = DispatchSemaphore(value: 0)
  Task {
    box.value = try? await work()
    done.signal()
  }
  let (seconds, attoseconds) = bound.components
  let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
  guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
  return box.value
}

/// Carries the value from the task to the waiting thread; read only after the semaphore.
private final class LateResult<T>: @unchecked Sendable {
  var value: T?
}
