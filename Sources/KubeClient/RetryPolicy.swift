/// Monotonic time and sleeping, injected so retry tests run instantly and can assert the waits.
public protocol RetryClock: Sendable {
  /// Time since an arbitrary fixed origin; only differences matter.
  func now() -> Duration
  /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
  func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock`, so time spent suspended counts (a retry budget is wall time).
public struct SystemRetryClock: RetryClock {
  private let origin = ContinuousClock.now
  /// Creates the clock.
  public init() {}
  /// Time since this clock was created.
  public func now() -> Duration { ContinuousClock.now - origin }
  /// Sleeps on `ContinuousClock`.
  public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// When and how long to wait before sending a request again (DESIGN.md §5):
///
/// | answer                          | idempotent (GET, HEAD, DELETE, apply PATCH) | POST, PUT, merge/JSON PATCH |
/// |---------------------------------|---------------------------------------------|-----------------------------|
/// | 429 Too Many Requests           | retry                                       | retry                       |
/// | 5xx (not 501)                   | retry                                       | no                          |
/// | connection refused / dropped    | retry                                       | no                          |
/// | timeout, TLS, DNS, other 4xx    | no                                          | no                          |
///
/// 429 is safe for any request: the API server's priority-and-fairness filter rejects before it
/// processes anything (kubernetes.io/docs/concepts/cluster-administration/flow-control). A 5xx
/// or a broken connection may come after the server acted, so only requests whose repetition
/// changes nothing are sent again. A numeric `Retry-After` is used as given; otherwise the wait
/// grows exponentially from `initialBackoff` up to `maxBackoff`, plus up to `jitter` of itself
/// at random so that many clients do not retry in step.
public struct RetryPolicy: Sendable, Equatable {
  /// Attempts in all, the first included; 1 disables retries.
  public var maxAttempts: Int
  /// The wait before the second attempt when the server gave no `Retry-After`.
  public var initialBackoff: Duration
  /// The longest computed wait (a server's `Retry-After` is not capped by it).
  public var maxBackoff: Duration
  /// No retry starts whose wait would end after this much time since the first attempt.
  public var maxTotal: Duration
  /// The random part of a computed wait, as a fraction of it (0.2: up to 20% longer).
  public var jitter: Double

  /// Creates a policy; the defaults suit a CLI talking to one API server.
  public init(
    maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(8),
    maxTotal: Duration = .seconds(60), jitter: Double = 0.2
  ) {
    self.maxAttempts = maxAttempts
    self.initialBackoff = initialBackoff
    self.maxBackoff = maxBackoff
    self.maxTotal = maxTotal
    self.jitter = jitter
  }

  /// A policy that never retries.
  public static let never = RetryPolicy(maxAttempts: 1)

  /// What to do after an attempt.
  public enum Decision: Sendable, Equatable {
    /// Send again after waiting `after`; `reason` is for the log.
    case retry(after: Duration, reason: String)
    /// Hand the outcome to the caller.
    case stop
  }

  /// The decision after attempt number `attempt` (1-based) of `request` ended in `outcome`,
  /// `elapsed` after the first attempt started; `random` is uniform in 0..<1 (for jitter), drawn
  /// only for a computed wait (a system random number is a system call: not one per request).
  public func decide(
    _ request: HTTPRequest, outcome: Result<HTTPResponse, any Error>, attempt: Int, elapsed: Duration,
    random: @autoclosure () -> Double
  ) -> Decision {
    guard attempt < maxAttempts, let reason = retryReason(request, outcome: outcome) else { return .stop }
    let delay: Duration
    if case .success(let response) = outcome, let seconds = response.retryAfterSeconds {
      delay = .seconds(seconds)
    } else {
      delay = backoff(afterAttempt: attempt, random: random())
    }
    guard elapsed + delay <= maxTotal else { return .stop }
    return .retry(after: delay, reason: reason)
  }

  /// Why this outcome may be retried, or nil when it may not (the table above).
  func retryReason(_ request: HTTPRequest, outcome: Result<HTTPResponse, any Error>) -> String? {
    switch outcome {
    case .success(let response):
      if response.status == 429 { return "429 Too Many Requests" }
      if (500...599).contains(response.status), response.status != 501, request.isIdempotent {
        return "\(response.status) \(HTTPStatusText.phrase(response.status))"
      }
      return nil
    case .failure(let error):
      guard let failure = error as? TransportError, failure.isConnectionFailure, request.isIdempotent else {
        return nil
      }
      return failure.description
    }
  }

  /// The computed wait after attempt `attempt`: `initialBackoff · 2^(attempt-1)`, capped at
  /// `maxBackoff`, plus `jitter · random` of itself.
  public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
    var delay = initialBackoff
    for _ in 1..<max(attempt, 1) where delay < maxBackoff { delay *= 2 }
    delay = min(delay, maxBackoff)
    return delay + delay * (jitter * min(max(random, 0), 1))
  }
}

/// A transport that sends through `base` and retries by `policy`, sleeping on `clock`.
/// After the last attempt the caller gets the last answer (e.g. the 503 with its `Status`) or
/// the last transport error.
public struct RetryingTransport: HTTPTransport {
  /// The transport that sends each attempt.
  public var base: any HTTPTransport
  /// When to retry.
  public var policy: RetryPolicy
  /// Time and sleeping.
  public var clock: any RetryClock
  /// Where retries are logged (at `-v=6` and above).
  public var logger: HTTPLogger
  /// Uniform random numbers in 0..<1 for jitter; fixed in tests.
  public var random: @Sendable () -> Double

  /// Creates a retrying transport over `base`.
  public init(
    base: any HTTPTransport, policy: RetryPolicy = RetryPolicy(), clock: any RetryClock = SystemRetryClock(),
    logger: HTTPLogger = .silent, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
  ) {
    self.base = base
    self.policy = policy
    self.clock = clock
    self.logger = logger
    self.random = random
  }

  /// Sends `request`, retrying while the policy says so.
  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let start = clock.now()
    var attempt = 1
    while true {
      let outcome: Result<HTTPResponse, any Error>
      do {
        var response = try await base.send(request)
        response.attempt = attempt
        outcome = .success(response)
      } catch {
        outcome = .failure(error)
      }
      let decision = policy.decide(
        request, outcome: outcome, attempt: attempt, elapsed: clock.now() - start, random: random())
      guard case .retry(let delay, let reason) = decision else { return try outcome.get() }
      logger.retrying(request, after: delay, reason: reason, attempt: attempt)
      try await clock.sleep(for: delay)
      attempt += 1
    }
  }
}
