import Foundation
import Testing

@testable import KubeClient

extension Tag {
  /// Tests that start the local Python HTTPS server (python3 and openssl needed).
  @Tag static var localHTTPS: Self
}

/// The real libcurl transport against a Python HTTPS server on 127.0.0.1 with a generated PKI.
@Suite(
  .enabled(if: TestTools.available, "needs python3 and /usr/bin/openssl for the local HTTPS server"), .tags(.localHTTPS)
)
struct TransportCurlTests {
  let pki: TestPKI

  init() throws { pki = try TestPKI.shared.get() }

  func options(_ change: (inout TransportOptions) -> Void = { _ in }) -> TransportOptions {
    var options = TransportOptions(certificateAuthorityPEM: pki.caPEM, proxy: .none, version: "1.2.3")
    change(&options)
    return options
  }

  func json(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
  }

  func header(_ response: HTTPResponse, _ name: String) throws -> String? {
    let headers = try #require(try json(response)["headers"] as? [String: String])
    return headers.first { $0.key.lowercased() == name.lowercased() }?.value
  }

  func stats(_ transport: some HTTPTransport, _ server: TestHTTPSServer) async throws -> [String: Any] {
    try json(try await transport.send(HTTPRequest(method: .get, url: server.url("/stats"))))
  }

  @Test func theRightCASucceedsAndSendsUserAgentAndToken() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.bearerToken = "token-abc-123" })
    let response = try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    #expect(response.status == 200)
    #expect(response.httpVersion == "1.1")
    #expect(try header(response, "User-Agent") == "meshctl/1.2.3 (\(MeshctlVersion.platform))")
    #expect(try header(response, "Authorization") == "Bearer token-abc-123")
  }

  @Test func basicAuthArrives() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(
      options: options { $0.basicAuth = .init(username: "admin", password: "s3cret-pw") })
    let response = try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    #expect(try header(response, "Authorization") == "Basic " + Data("admin:s3cret-pw".utf8).base64EncodedString())
  }

  @Test func bodiesAndMethodsRoundTrip() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options())
    let body = #"{"apiVersion":"v1","kind":"ConfigMap"}"#
    let request = HTTPRequest(
      method: .patch, url: server.url("/echo?fieldManager=meshctl"),
      headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(body.utf8))
    let echoed = try json(try await transport.send(request))
    #expect(echoed["method"] as? String == "PATCH")
    #expect(echoed["path"] as? String == "/echo?fieldManager=meshctl")
    #expect(echoed["body"] as? String == body)
    #expect((echoed["headers"] as? [String: String])?["Content-Type"] == "application/apply-patch+yaml")
    let deleted = try json(try await transport.send(HTTPRequest(method: .delete, url: server.url("/echo"))))
    #expect(deleted["method"] as? String == "DELETE")
  }

  @Test func aWrongCAFailsNamingTheFix() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.certificateAuthorityPEM = pki.otherCAPEM })
    let error = await #expect(throws: TransportError.self) {
      try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    }
    guard case .unknownAuthority = try #require(error) else { Issue.record("got \(String(describing: error))"); return }
    #expect(error!.description.contains("--certificate-authority"))
  }

  @Test func unreadableCADataIsNamedAsSuch() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.certificateAuthorityPEM = Array("not a certificate".utf8) })
    let error = await #expect(throws: TransportError.self) {
      try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    }
    let text = try #require(error).description
    #expect(text.contains("the certificate authority data cannot be read"))
    #expect(!text.contains("/proc/self/fd/"))
  }

  @Test func aNameMismatchFailsAndTLSServerNameFixesIt() async throws {
    let server = try TestHTTPSServer(certificate: .named)
    defer { server.stop() }
    let plain = try CurlTransport(options: options())
    let error = await #expect(throws: TransportError.self) {
      try await plain.send(HTTPRequest(method: .get, url: server.url("/echo")))
    }
    guard case .nameMismatch(_, let name, _) = try #require(error) else {
      Issue.record("got \(String(describing: error))"); return
    }
    #expect(name == "127.0.0.1")
    #expect(error!.description.contains("--tls-server-name"))

    let named = try CurlTransport(options: options { $0.tlsServerName = "kube.example" })
    let response = try await named.send(HTTPRequest(method: .get, url: server.url("/echo")))
    #expect(response.status == 200)
    // The API server still sees the address it was configured with.
    #expect(try header(response, "Host") == "127.0.0.1:\(server.port)")
  }

  @Test func insecureSkipTLSVerifyConnectsWithoutTheCA() async throws {
    let server = try TestHTTPSServer(certificate: .named)
    defer { server.stop() }
    let transport = try CurlTransport(
      options: options {
        $0.certificateAuthorityPEM = nil; $0.insecureSkipTLSVerify = true
      })
    #expect(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))).status == 200)
  }

  @Test func clientCertificatesAuthenticate() async throws {
    let server = try TestHTTPSServer(clients: .required)
    defer { server.stop() }
    let anonymous = try CurlTransport(options: options())
    await #expect(throws: TransportError.self) {
      try await anonymous.send(HTTPRequest(method: .get, url: server.url("/echo")))
    }
    let alice = try CurlTransport(
      options: options {
        $0.clientCertificatePEM = pki.clientCertificatePEM
        $0.clientKeyPEM = pki.clientKeyPEM
      })
    let echoed = try json(try await alice.send(HTTPRequest(method: .get, url: server.url("/echo"))))
    #expect(echoed["client_cn"] as? String == "alice")
  }

  @Test func sequentialAndConcurrentRequestsShareOneConnection() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.maxConcurrentRequests = 4 })
    for _ in 0..<5 {
      #expect(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))).status == 200)
    }
    let results = await transport.sendAll(
      Array(repeating: HTTPRequest(method: .get, url: server.url("/echo")), count: 12))
    let connections = try results.map { try json(try $0.get())["connection"] as? Int }
    #expect(Set(connections) == [1])
    #expect(try await stats(transport, server)["connections"] as? Int == 1)
  }

  @Test func aNewConnectionResumesTheTLSSessionOfAnEarlierOne() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options())
    let first = try json(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))))
    #expect(first["resumed"] as? Bool == false)
    // A POST always gets a new connection (libcurl never re-sends it on a reused one).
    let second = try json(try await transport.send(HTTPRequest(method: .post, url: server.url("/echo"))))
    #expect(second["connection"] as? Int == 2)
    #expect(second["resumed"] as? Bool == true)
  }

  @Test func theCAIsOneInMemoryFileForEveryConnection() throws {
    let shared = CurlShared(options: options())
    #if os(Linux)
      let file = try #require(shared.certificateAuthorityFile)
      #expect(file.hasPrefix("/proc/self/fd/"))
      #expect(Array(try Data(contentsOf: URL(fileURLWithPath: file))) == pki.caPEM)
    #endif
    #expect(CurlShared(options: options { $0.insecureSkipTLSVerify = true }).certificateAuthorityFile == nil)
    #expect(CurlShared(options: options { $0.certificateAuthorityPEM = nil }).certificateAuthorityFile == nil)
  }

  @Test func aLoneRequestBetweenTwoBurstsKeepsTheirConnections() async throws {
    // libcurl's default cache keeps 4 idle connections per transfer in progress: lone requests
    // after a burst closed most of its connections, and the next burst opened them again.
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(
      options: options {
        $0.maxConcurrentRequests = 8
        $0.maxConnectionsPerHost = 8
      })
    let burst = Array(repeating: HTTPRequest(method: .get, url: server.url("/sleep/300")), count: 8)
    #expect(await transport.sendAll(burst).allSatisfy { (try? $0.get())?.status == 200 })
    for _ in 0..<6 {
      #expect(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))).status == 200)
    }
    #expect(await transport.sendAll(burst).allSatisfy { (try? $0.get())?.status == 200 })
    let connections = try #require(try await stats(transport, server)["connections"] as? Int)
    #expect(connections <= 8)
  }

  @Test func tooManyRequestsIsRetriedWithRetryAfterForAnyMethod() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let clock = RecordingClock()
    let transport = RetryingTransport(base: try CurlTransport(options: options()), clock: clock, random: { 0 })
    let response = try await transport.send(
      HTTPRequest(method: .post, url: server.url("/fail/busy/2/429?retry_after=1")))
    #expect(response.status == 200)
    #expect(clock.sleeps == [.seconds(1), .seconds(1)])
  }

  @Test func serviceUnavailableIsRetriedForGetButNotPost() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let clock = RecordingClock()
    let policy = RetryPolicy(initialBackoff: .milliseconds(50), jitter: 0)
    let transport = RetryingTransport(
      base: try CurlTransport(options: options()), policy: policy, clock: clock, random: { 0 })
    let get = try await transport.send(HTTPRequest(method: .get, url: server.url("/fail/get/2/503")))
    #expect(get.status == 200)
    #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
    let post = try await transport.send(HTTPRequest(method: .post, url: server.url("/fail/post/2/503")))
    #expect(post.status == 503)
    #expect(
      APIError(response: post, context: APIRequestContext(verb: "create", resource: "configmaps")).description
        == "injected failure 1")
    let hits = try #require(try await stats(transport, server)["hits"] as? [String: Int])
    #expect(hits == ["get": 3, "post": 1])
  }

  @Test func aDroppedConnectionIsRetriedForGetButNotPost() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let clock = RecordingClock()
    let get = RetryingTransport(base: try CurlTransport(options: options()), clock: clock, random: { 0 })
    #expect(try await get.send(HTTPRequest(method: .get, url: server.url("/drop/get/1"))).status == 200)
    #expect(clock.sleeps.count == 1)
    // A fresh transport, so the POST goes on a new connection: libcurl itself re-sends once on
    // a reused connection that died before answering (a documented libcurl behaviour).
    let post = RetryingTransport(base: try CurlTransport(options: options()), clock: clock, random: { 0 })
    let error = await #expect(throws: TransportError.self) {
      try await post.send(HTTPRequest(method: .post, url: server.url("/drop/post/1")))
    }
    guard case .connectionDropped = try #require(error) else {
      Issue.record("got \(String(describing: error))"); return
    }
    #expect(clock.sleeps.count == 1)
  }

  @Test func theRequestTimeoutEndsASlowRequest() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.requestTimeout = .milliseconds(300) })
    let error = await #expect(throws: TransportError.self) {
      try await transport.send(HTTPRequest(method: .get, url: server.url("/sleep/3000")))
    }
    guard case .timedOut = try #require(error) else { Issue.record("got \(String(describing: error))"); return }
    #expect(error!.description.contains("--request-timeout"))
  }

  @Test func aClosedPortIsConnectionRefused() async throws {
    let server = try TestHTTPSServer()
    let url = server.url("/echo")
    server.stop()
    let transport = try CurlTransport(options: options())
    let error = await #expect(throws: TransportError.self) {
      try await transport.send(HTTPRequest(method: .get, url: url))
    }
    guard case .connectionRefused = try #require(error) else {
      Issue.record("got \(String(describing: error))"); return
    }
  }

  @Test func aProxyURLTunnelsTheRequest() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let proxy = try TestHTTPSServer.proxy()
    defer { proxy.stop() }
    let transport = try CurlTransport(
      options: options { $0.proxy = .url("http://user:pr0xy-pw@127.0.0.1:\(proxy.port)") })
    #expect(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))).status == 200)
    let plain = try CurlTransport(options: TransportOptions(proxy: .none))
    let stats = try json(try await plain.send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(proxy.port)/stats")))
    let connects = try #require(stats["connects"] as? [[String: Any]])
    #expect(connects.count == 1)
    #expect(connects.first?["target"] as? String == "127.0.0.1:\(server.port)")
    #expect(connects.first?["proxy_authorization"] as? Bool == true)
  }

  @Test("no secret in the real transport's log at -v=9, credentials masked")
  func theRealTransportLogsWithoutSecrets() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let lines = LockedLines()
    let logger = HTTPLogger(verbosity: 9) { lines.append($0) }
    let key = String(decoding: pki.clientKeyPEM, as: UTF8.self)
    let transport = try CurlTransport(
      options: options {
        $0.bearerToken = "tok-0123456789"
        $0.clientCertificatePEM = pki.clientCertificatePEM
        $0.clientKeyPEM = pki.clientKeyPEM
      }, logger: logger)
    // The server echoes the Authorization header in its body: the log must still not show it.
    _ = try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    let text = lines.all.joined(separator: "\n")
    #expect(text.contains("GET https://127.0.0.1:\(server.port)/echo 200 OK in "))
    #expect(text.contains("Request header: Authorization: Bearer <redacted>"))
    #expect(!text.contains("tok-0123456789"))
    for keyLine in key.split(separator: "\n") where !keyLine.hasPrefix("-----") {
      #expect(!text.contains(keyLine))
    }
  }
}

/// Cancellation and shutdown of the real transport.
@Suite(
  .enabled(if: TestTools.available, "needs python3 and /usr/bin/openssl for the local HTTPS server"), .tags(.localHTTPS)
)
struct TransportCurlLifecycleTests {
  func options() throws -> TransportOptions {
    TransportOptions(certificateAuthorityPEM: try TestPKI.shared.get().caPEM, proxy: .none)
  }

  @Test func cancellingTheTaskEndsTheRequest() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: try options())
    let task = Task { try await transport.send(HTTPRequest(method: .get, url: server.url("/sleep/3000"))) }
    try await Task.sleep(for: .milliseconds(100))
    task.cancel()
    await #expect(throws: CancellationError.self) { try await task.value }
    // The transport still works afterwards.
    #expect(try await transport.send(HTTPRequest(method: .get, url: server.url("/echo"))).status == 200)
  }

  @Test func shutdownFailsRequestsInFlightAndLater() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: try options())
    let task = Task { try await transport.send(HTTPRequest(method: .get, url: server.url("/sleep/3000"))) }
    try await Task.sleep(for: .milliseconds(100))
    transport.shutdown()
    await #expect(throws: TransportError.cancelled) { try await task.value }
    await #expect(throws: TransportError.cancelled) {
      try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    }
  }
}

/// HTTP/2 through ALPN: concurrent requests multiplexed on one connection.
@Suite(
  .enabled(
    if: TestTools.pythonWithH2 != nil && CurlTransport.supportsHTTP2,
    "needs python3 with the h2 package (pip install h2), openssl, and a libcurl with HTTP/2"), .tags(.localHTTPS))
struct TransportCurlHTTP2Tests {
  @Test func concurrentRequestsAreMultiplexedOnOneConnection() async throws {
    let server = try TestHTTPSServer.http2()
    defer { server.stop() }
    let options = TransportOptions(
      certificateAuthorityPEM: try TestPKI.shared.get().caPEM, proxy: .none, maxConcurrentRequests: 8)
    let transport = try CurlTransport(options: options)
    let first = try await transport.send(HTTPRequest(method: .get, url: server.url("/first")))
    #expect(first.httpVersion == "2")
    let results = await transport.sendAll(
      Array(repeating: HTTPRequest(method: .get, url: server.url("/sleep/300")), count: 8))
    var connections: Set<Int> = []
    var maxOpen = 0
    for result in results {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(try result.get().body)) as? [String: Any])
      connections.insert(try #require(object["connection"] as? Int))
      maxOpen = max(maxOpen, try #require(object["max_open_streams"] as? Int))
    }
    #expect(connections == [1])
    // Streams were open at the same time on that one connection: multiplexing, not queueing.
    #expect(maxOpen > 1)
  }
}

/// `CurlTransport.preload`: work queued while libcurl loads, or after, runs once each.
@Suite struct PreloadTests {
  @Test func everyQueuedPieceOfWorkRunsOnce() async throws {
    let counter = PreloadCounter()
    let calls = 40
    DispatchQueue.concurrentPerform(iterations: calls) { _ in CurlTransport.preload { counter.add() } }
    // Generous: the work runs on threads of its own while other suites keep the machine busy.
    let deadline = ContinuousClock.now + .seconds(120)
    while counter.value < calls, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    try await Task.sleep(for: .milliseconds(50))  // anything run twice would show by now
    #expect(counter.value == calls)
  }
}

private final class PreloadCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  var value: Int { lock.withLock { count } }
  func add() { lock.withLock { count += 1 } }
}
