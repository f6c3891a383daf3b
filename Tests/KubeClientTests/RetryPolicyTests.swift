import Testing

@testable import KubeClient

/// A clock that never waits: it records each sleep and moves time forward by it.
final class RecordingClock: RetryClock, @unchecked Sendable {
  private var elapsed: Duration = .zero
  private(set) var sleeps: [Duration] = []
  func now() -> Duration { elapsed }
  func sleep(for duration: Duration) async throws {
    sleeps.append(duration)
    elapsed += duration
  }
}

/// Answers from a script, one per call, recording what was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
  private var script: [Result<HTTPResponse, TransportError>]
  private(set) var sent: [HTTPRequest] = []
  init(_ script: [Result<HTTPResponse, TransportError>]) { self.script = script }
  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    sent.append(request)
    return try script.removeFirst().get()
  }
}

private let server = "https://127.0.0.1:6443"
private let get = HTTPRequest(method: .get, url: server + "/api/v1/pods")
private let delete = HTTPRequest(method: .delete, url: server + "/api/v1/namespaces/a/pods/p")
private let apply = HTTPRequest(
  method: .patch, url: server + "/apis/apps/v1/namespaces/a/deployments/w?fieldManager=meshctl",
  headers: ["Content-Type": "application/apply-patch+yaml"])
private let mergePatch = HTTPRequest(
  method: .patch, url: server + "/apis/apps/v1/namespaces/a/deployments/w",
  headers: ["Content-Type": "application/merge-patch+json"])
private let post = HTTPRequest(method: .post, url: server + "/api/v1/namespaces/a/configmaps")
private let put = HTTPRequest(method: .put, url: server + "/api/v1/namespaces/a/configmaps/c")

private let dropped = TransportError.connectionDropped(server: server, detail: "Empty reply from server")
private let refused = TransportError.connectionRefused(server: server, detail: "Connection refused")
private let timedOut = TransportError.timedOut(server: server, detail: "Operation timed out")

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy(
    maxAttempts: 4, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), maxTotal: .seconds(30), jitter: 0)

  static let methods: [(String, HTTPRequest, Bool)] = [
    ("GET", get, true), ("DELETE", delete, true), ("apply PATCH", apply, true),
    ("merge PATCH", mergePatch, false), ("POST", post, false), ("PUT", put, false),
  ]

  static let outcomes:
    [(String, Result<HTTPResponse, TransportError>, retriedAlways: Bool, retriedIfIdempotent: Bool)] = [
      ("200", .success(HTTPResponse(status: 200)), false, false),
      ("404", .success(HTTPResponse(status: 404)), false, false),
      ("409", .success(HTTPResponse(status: 409)), false, false),
      ("429", .success(HTTPResponse(status: 429)), true, true),
      ("500", .success(HTTPResponse(status: 500)), false, true),
      ("501", .success(HTTPResponse(status: 501)), false, false),
      ("503", .success(HTTPResponse(status: 503)), false, true),
      ("504", .success(HTTPResponse(status: 504)), false, true),
      ("dropped", .failure(dropped), false, true),
      ("refused", .failure(refused), false, true),
      ("timeout", .failure(timedOut), false, false),
    ]

  @Test("method × outcome × attempt", arguments: 0..<methods.count, 0..<outcomes.count)
  func decisionTable(methodIndex: Int, outcomeIndex: Int) {
    let (methodName, request, idempotent) = Self.methods[methodIndex]
    let (outcomeName, result, always, ifIdempotent) = Self.outcomes[outcomeIndex]
    let outcome = result.mapError { $0 as any Error }
    let expectRetry = always || (idempotent && ifIdempotent)
    for attempt in 1...4 {
      let decision = policy.decide(request, outcome: outcome, attempt: attempt, elapsed: .zero, random: 0)
      let retried = if case .retry = decision { true } else { false }
      #expect(retried == (expectRetry && attempt < 4), "\(methodName) \(outcomeName) attempt \(attempt)")
    }
  }

  @Test func backoffDoublesUpToTheCapWithJitterOnTop() {
    let jittered = RetryPolicy(initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500), jitter: 0.5)
    #expect(jittered.backoff(afterAttempt: 1, random: 0) == .milliseconds(100))
    #expect(jittered.backoff(afterAttempt: 2, random: 0) == .milliseconds(200))
    #expect(jittered.backoff(afterAttempt: 3, random: 0) == .milliseconds(400))
    #expect(jittered.backoff(afterAttempt: 4, random: 0) == .milliseconds(500))
    #expect(jittered.backoff(afterAttempt: 9, random: 0) == .milliseconds(500))
    #expect(jittered.backoff(afterAttempt: 1, random: 1) == .milliseconds(150))
    #expect(jittered.backoff(afterAttempt: 2, random: 0.5) == .milliseconds(250))
  }

  @Test func retryAfterIsUsedAsGivenWithoutJitter() {
    let response = HTTPResponse(status: 429, headers: ["Retry-After": "3"])
    let decision = RetryPolicy(jitter: 0.5).decide(
      post, outcome: .success(response), attempt: 1, elapsed: .zero, random: 0.9)
    #expect(decision == .retry(after: .seconds(3), reason: "429 Too Many Requests"))
  }

  @Test func aWaitBeyondTheTotalBudgetStops() {
    let response = HTTPResponse(status: 503, headers: ["Retry-After": "20"])
    let decision = policy.decide(get, outcome: .success(response), attempt: 1, elapsed: .seconds(15), random: 0)
    #expect(decision == .stop)
  }

  @Test func retryingTransportSleepsRetryAfterThenBackoffAndReturnsTheAnswer() async throws {
    let clock = RecordingClock()
    let base = ScriptedTransport([
      .success(HTTPResponse(status: 429, headers: ["Retry-After": "2"])),
      .failure(dropped),
      .success(HTTPResponse(status: 503)),
      .success(HTTPResponse(status: 200, body: Array("ok".utf8))),
    ])
    let transport = RetryingTransport(base: base, policy: policy, clock: clock, random: { 0 })
    let response = try await transport.send(get)
    #expect(response.status == 200)
    #expect(clock.sleeps == [.seconds(2), .milliseconds(200), .milliseconds(400)])
    #expect(base.sent.count == 4)
  }

  @Test func jitterIsDrawnOnlyForAComputedWait() async throws {
    let draws = LockedLines()
    let random: @Sendable () -> Double = {
      draws.append("draw")
      return 0
    }
    let answered = ScriptedTransport([.success(HTTPResponse(status: 200))])
    _ = try await RetryingTransport(base: answered, policy: policy, clock: RecordingClock(), random: random).send(get)
    #expect(draws.all.isEmpty)
    let retried = ScriptedTransport([
      .success(HTTPResponse(status: 429, headers: ["Retry-After": "1"])), .success(HTTPResponse(status: 503)),
      .success(HTTPResponse(status: 200)),
    ])
    _ = try await RetryingTransport(base: retried, policy: policy, clock: RecordingClock(), random: random).send(get)
    #expect(draws.all.count == 1)
  }

  @Test func postIsNotRetriedOn503AndTheAnswerComesBack() async throws {
    let clock = RecordingClock()
    let base = ScriptedTransport([.success(HTTPResponse(status: 503)), .success(HTTPResponse(status: 200))])
    let response = try await RetryingTransport(base: base, policy: policy, clock: clock).send(post)
    #expect(response.status == 503)
    #expect(clock.sleeps.isEmpty)
  }

  @Test func mergePatchIsNotRetriedAfterADroppedConnection() async {
    let clock = RecordingClock()
    let base = ScriptedTransport([.failure(dropped), .success(HTTPResponse(status: 200))])
    await #expect(throws: TransportError.self) {
      try await RetryingTransport(base: base, policy: policy, clock: clock).send(mergePatch)
    }
    #expect(base.sent.count == 1)
  }

  @Test func attemptsAreBounded() async throws {
    let clock = RecordingClock()
    let base = ScriptedTransport(
      Array(repeating: .success(HTTPResponse(status: 429, headers: ["Retry-After": "0"])), count: 10))
    let response = try await RetryingTransport(base: base, policy: policy, clock: clock).send(post)
    #expect(response.status == 429)
    #expect(base.sent.count == 4)
    #expect(clock.sleeps == [.zero, .zero, .zero])
  }

  @Test func retriesAreLoggedAtVerbositySix() async throws {
    let lines = LockedLines()
    let logger = HTTPLogger(verbosity: 6) { lines.append($0) }
    let base = ScriptedTransport([
      .success(HTTPResponse(status: 429, headers: ["Retry-After": "1"])), .success(HTTPResponse(status: 200)),
    ])
    _ = try await RetryingTransport(base: base, policy: policy, clock: RecordingClock(), logger: logger).send(get)
    #expect(
      lines.all == ["retrying GET https://127.0.0.1:6443/api/v1/pods in 1000 ms (attempt 2): 429 Too Many Requests"])
  }
}

/// Lines collected from a logger, safe to append from any thread.
final class LockedLines: @unchecked Sendable {
  private var lines: [String] = []
  private let lock = NSLockShim()
  func append(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }
}
