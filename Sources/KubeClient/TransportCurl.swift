import CCurl
import FoundationEssentials

/// `HTTPTransport` over the system libcurl's multi interface (DESIGN.md §2.2, §5).
///
/// One multi handle lives as long as the transport, so its connection cache is shared by every
/// request: with `maxConnectionsPerHost` 1 (the default) all requests to the server use one
/// connection — multiplexed when the server takes HTTP/2 through ALPN, one after another on a
/// kept-alive HTTP/1.1 connection otherwise. A dedicated thread drives the multi handle
/// (`curl_multi_perform` / `curl_multi_poll`); `send` hands it a transfer and suspends until the
/// thread finishes it. At most `maxConcurrentRequests` transfers are given to libcurl at once.
public final class CurlTransport: HTTPTransport {
  private let engine: CurlEngine
  private let shared: CurlShared
  /// The options every request is sent with.
  public let options: TransportOptions
  /// Logs each finished request (`-v=6` and above).
  public let logger: HTTPLogger

  /// Creates a transport; `logger`'s redactor is extended with the options' secrets.
  public init(options: TransportOptions, logger: HTTPLogger = .silent) throws {
    guard ccurl_global_init_once() == CURLE_OK else {
      let reason = ccurl_load_error().map { String(cString: $0) } ?? "curl_global_init failed"
      throw TransportError.other(code: -1, detail: "libcurl could not be initialised: \(reason)")
    }
    var logger = logger
    logger.redactor = SecretRedactor(secrets: logger.redactor.secrets + options.secrets)
    self.options = options
    self.logger = logger
    shared = CurlShared(options: options)
    engine = try CurlEngine(options: options)
  }

  deinit { engine.shutdown() }

  /// Loads libcurl (about 30 libraries, 5–8 ms) on a thread of its own, so that a command which
  /// will talk to a cluster has it loaded by the time it has read its input; loads happen once.
  /// Then runs `next` on that thread: work that needs libcurl and may start threads, which
  /// would wait for the loader while it loads (a new thread takes the loader's TLS lock). A
  /// call while the load is under way adds `next` to that thread's work rather than starting
  /// a thread, which would wait the same way.
  public static func preload(then next: @escaping @Sendable () -> Void = {}) {
    if Preloader.shared.enqueue(next) { startThread { Preloader.shared.load() } }
  }

  /// The libcurl version in use, e.g. `7.88.1`.
  public static var libcurlVersion: String { String(cString: ccurl_version()) }
  /// Whether the system libcurl can speak HTTP/2.
  public static var supportsHTTP2: Bool { ccurl_has_http2() != 0 }

  /// Sends one request; concurrent calls share the connection (see the type's summary).
  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    try Task.checkCancellation()
    let transfer = try CurlTransfer(request: request, options: options, shared: shared)
    let started = ContinuousClock.now
    let outcome: Result<HTTPResponse, any Error> = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        transfer.continuation = continuation
        engine.submit(transfer)
      }
    } onCancel: {
      engine.cancel(transfer)
    }
    let scrubbed = outcome.mapError { error in
      (error as? TransportError).map { $0.redacted(by: logger.redactor) } ?? error
    }
    logger.finished(transfer.loggedRequest, outcome: scrubbed, duration: ContinuousClock.now - started)
    return try scrubbed.get()
  }

  /// Stops the transport: requests in flight fail with `TransportError.cancelled`.
  public func shutdown() { engine.shutdown() }
}

/// The thread that owns the multi handle, and the queue of transfers waiting for it.
/// Everything mutable is guarded by `lock`; libcurl handles are touched only on the thread.
final class CurlEngine: @unchecked Sendable {
  private let multi: UnsafeMutableRawPointer
  private let lock = Lock()
  private var waiting: [CurlTransfer] = []
  private var cancelled: [CurlTransfer] = []
  private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
  private var stopping = false
  private let maxRunning: Int
  private let maxConnections: Int
  /// Whether the server answered over HTTP/2, so transfers can share the connection at once.
  private var multiplexing = false

  init(options: TransportOptions) throws {
    guard let multi = ccurl_multi_init() else {
      throw TransportError.other(code: -1, detail: "curl_multi_init failed")
    }
    self.multi = multi
    maxRunning = max(1, options.maxConcurrentRequests)
    maxConnections = max(1, options.maxConnectionsPerHost)
    // Multiplex on HTTP/2 (CURLPIPE_MULTIPLEX = 2, the default since 7.62, set for clarity): with
    // PIPEWAIT on each transfer, libcurl waits for the first connection's ALPN answer and then
    // multiplexes instead of opening more (CURLOPT_PIPEWAIT(3)). Connections are capped by
    // `runningLimit`, not CURLMOPT_MAX_HOST_CONNECTIONS: at that cap libcurl 7.88 parks a transfer
    // whose kept-alive connection turned out closed as "pending" until the next poll timeout
    // (measured here: one apply of 500 objects over 8 HTTP/1.1 connections waited 1 s for it).
    _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, 2)
    _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, max(1, options.maxConcurrentRequests))
    // Keep every connection a burst opened. By default libcurl caches 4 idle connections per
    // transfer in progress, so the last few transfers of an apply tier closed most of them and
    // the next tier opened and TLS-handshook them again (measured: 39 connections for 200
    // objects at 32 in flight, instead of 32).
    _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
    startThread { [self] in run() }
  }

  /// Queues a transfer for the thread.
  func submit(_ transfer: CurlTransfer) {
    lock.lock()
    let refused = stopping
    // A transfer already waiting means the thread has a wakeup to come, or no room to start
    // more until a transfer ends (which wakes it too): one wakeup per burst, not per transfer.
    let wakes = waiting.isEmpty
    if !refused { waiting.append(transfer) }
    lock.unlock()
    if refused {
      transfer.finish(.failure(TransportError.cancelled))
    } else if wakes {
      ccurl_multi_wakeup(multi)
    }
  }

  /// Asks the thread to abandon a transfer (its task was cancelled).
  func cancel(_ transfer: CurlTransfer) {
    lock.lock()
    cancelled.append(transfer)
    lock.unlock()
    ccurl_multi_wakeup(multi)
  }

  /// Ends the thread after failing every transfer; safe to call more than once.
  func shutdown() {
    lock.lock()
    stopping = true
    lock.unlock()
    ccurl_multi_wakeup(multi)
  }

  /// The thread's loop: start waiting transfers, drive libcurl, finish completed transfers,
  /// then sleep in `curl_multi_poll` until a socket is ready or `curl_multi_wakeup`.
  private func run() {
    while true {
      if takeStop() { break }
      startWaitingTransfers()
      abandonCancelledTransfers()
      var stillRunning: Int32 = 0
      _ = ccurl_multi_perform(multi, &stillRunning)
      // A finished transfer frees a slot: start the next one at once rather than after poll.
      if finishCompletedTransfers() > 0 { continue }
      // Wakeups end the wait early; the timeout only bounds libcurl's own timers.
      _ = ccurl_multi_poll(multi, nil, 0, 100, nil)
    }
    for transfer in Array(running.values) { abandon(transfer, with: TransportError.cancelled) }
    lock.lock()
    let left = waiting
    waiting = []
    lock.unlock()
    for transfer in left { transfer.finish(.failure(TransportError.cancelled)) }
  }

  // Cleaned up here, not when the thread ends: `cancel` and `shutdown` may still call
  // curl_multi_wakeup after the loop has stopped, and that needs a live multi handle.
  deinit { ccurl_multi_cleanup(multi) }

  private func takeStop() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopping
  }

  /// How many transfers libcurl may hold now. Until an answer arrives over HTTP/2, only as many
  /// as there may be connections: libcurl 7.88 parks extra transfers as "pending" when
  /// CURLMOPT_MAX_HOST_CONNECTIONS is reached and, as measured here, sometimes never wakes them
  /// (HTTP/1.1, 4 in flight, 18 requests: the last 3 never ran). Over HTTP/1.1 that many is all
  /// that can run anyway; over HTTP/2 the first answer opens the gate to multiplexing.
  private var runningLimit: Int { multiplexing ? maxRunning : min(maxRunning, maxConnections) }

  private func startWaitingTransfers() {
    lock.lock()
    var starting: [CurlTransfer] = []
    let limit = runningLimit
    while running.count + starting.count < limit, !waiting.isEmpty { starting.append(waiting.removeFirst()) }
    lock.unlock()
    for transfer in starting {
      running[transfer.easy] = transfer
      transfer.startedAt = ContinuousClock.now
      if ccurl_multi_add_handle(multi, transfer.easy) != CURLM_OK {
        running[transfer.easy] = nil
        transfer.finish(.failure(TransportError.other(code: -1, detail: "curl_multi_add_handle failed")))
      }
    }
  }

  private func abandonCancelledTransfers() {
    lock.lock()
    let abandoned = cancelled
    cancelled = []
    waiting.removeAll { transfer in abandoned.contains { $0 === transfer } }
    lock.unlock()
    for transfer in abandoned {
      // Identity, not the key alone: a finished transfer's freed handle address may be reused.
      if running[transfer.easy] === transfer {
        abandon(transfer, with: CancellationError())
      } else {
        transfer.finish(.failure(CancellationError()))
      }
    }
  }

  /// Finishes every transfer libcurl reports done; returns how many.
  private func finishCompletedTransfers() -> Int {
    var finished = 0
    var remaining: Int32 = 0
    while let message = ccurl_multi_info_read(multi, &remaining) {
      var easy: UnsafeMutableRawPointer?
      var code = CURLE_OK
      guard ccurl_multi_done(message, &easy, &code) != 0, let easy, let transfer = running[easy] else { continue }
      removeFromMulti(transfer)
      let outcome = transfer.outcome(code: code)
      if case .success(let response) = outcome, response.httpVersion == "2" { multiplexing = true }
      transfer.release()
      transfer.finish(outcome)
      finished += 1
    }
    return finished
  }

  private func removeFromMulti(_ transfer: CurlTransfer) {
    ccurl_multi_remove_handle(multi, transfer.easy)
    running[transfer.easy] = nil
  }

  /// Removes a transfer libcurl has not finished, frees it, and resumes its caller with `error`.
  private func abandon(_ transfer: CurlTransfer, with error: any Error) {
    removeFromMulti(transfer)
    transfer.release()
    transfer.finish(.failure(error))
  }
}

/// What `CurlTransport.preload` runs: one thread loads libcurl, then runs the work queued
/// while it loaded; work queued after the load gets a thread of its own.
private final class Preloader: @unchecked Sendable {
  static let shared = Preloader()
  private let lock = Lock()
  private var loading = false
  private var queued: [@Sendable () -> Void] = []

  /// Queues `work` for the loading thread; true when the caller is to start a thread that
  /// runs `load` (none is loading, or the load is over).
  func enqueue(_ work: @escaping @Sendable () -> Void) -> Bool {
    lock.withLock {
      queued.append(work)
      if loading { return false }
      loading = true
      return true
    }
  }

  /// Loads libcurl (once), then runs what is queued until nothing is.
  func load() {
    _ = ccurl_global_init_once()
    while true {
      let work: [@Sendable () -> Void] = lock.withLock {
        let work = queued
        queued = []
        if work.isEmpty { loading = false }
        return work
      }
      if work.isEmpty { return }
      for item in work { item() }
    }
  }
}
