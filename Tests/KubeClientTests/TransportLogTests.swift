import Testing

@testable import KubeClient

@Suite struct TransportLogTests {
  static let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"
  static let password = "hunter2-correct-horse"
  static let key =
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oqHQH1lX1S3MoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"

  static let options = TransportOptions(
    clientKeyPEM: Array(key.utf8), bearerToken: token,
    basicAuth: .init(username: "admin", password: password))

  @Test("no secret in any log line or error at -v=0..9", arguments: 0...9)
  func secretsNeverAppear(verbosity: Int) {
    let redactor = SecretRedactor(secrets: Self.options.secrets)
    let logger = HTTPLogger(verbosity: verbosity, redactor: redactor) { _ in }
    // A request as the transport logs it, with the header it adds, a body and a URL quoting them.
    let request = HTTPRequest(
      method: .post,
      url: "https://admin:\(Self.password)@127.0.0.1:6443/api/v1/namespaces/a/secrets?token=\(Self.token)",
      headers: ["Authorization": "Bearer \(Self.token)", "Content-Type": "application/json"],
      body: Array(
        "{\"data\":{\"token\":\"\(Self.token)\",\"key\":\"\(Self.key)\",\"password\":\"\(Self.password)\"}}".utf8))
    let echoed = HTTPResponse(status: 500, headers: ["Set-Cookie": "s=\(Self.token)"], body: request.body)
    var text = logger.lines(request, outcome: .success(echoed), duration: .milliseconds(3)).joined(separator: "\n")
    text += logger.lines(
      request, outcome: .failure(TransportError.tlsFailure(server: "x", detail: Self.password)), duration: .zero
    )
    .joined(separator: "\n")
    text +=
      APIError(
        response: echoed, context: APIRequestContext(verb: "create", resource: "secrets"), verbosity: verbosity,
        redactor: redactor
      ).description
    let status = HTTPResponse(
      status: 500, body: Array(#"{"kind":"Status","code":500,"message":"bad token \#(Self.token)"}"#.utf8))
    text +=
      APIError(
        response: status, context: APIRequestContext(verb: "get", resource: "pods"), verbosity: verbosity,
        redactor: redactor
      ).description
    for secret in [
      Self.token, Self.password, "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oqHQH1lX1S3MoAoGCCqGSM49",
      "BEGIN EC PRIVATE KEY",
    ] {
      #expect(!text.contains(secret), "-v=\(verbosity)")
    }
  }

  @Test func levelsFollowKubectl() {
    let request = HTTPRequest(
      method: .get, url: "https://127.0.0.1:6443/api",
      headers: ["Authorization": "Bearer abcdefgh", "Accept": "application/json"])
    let answer = HTTPResponse(
      status: 200, headers: ["Content-Type": "application/json"], body: Array(String(repeating: "x", count: 2000).utf8))
    func lines(_ level: Int) -> [String] {
      HTTPLogger(verbosity: level) { _ in }.lines(request, outcome: .success(answer), duration: .milliseconds(12))
    }
    #expect(lines(5).isEmpty)
    #expect(lines(6) == ["GET https://127.0.0.1:6443/api 200 OK in 12 ms"])
    #expect(lines(7).contains("Request header: Authorization: Bearer <redacted>"))
    #expect(lines(7).contains("Response header: Content-Type: application/json"))
    #expect(lines(8).last == "Response body: " + String(repeating: "x", count: 1024) + " [truncated 976 bytes]")
    #expect(lines(9).last == "Response body: " + String(repeating: "x", count: 2000))
  }

  @Test func urlsAreParsed() {
    #expect(URLParts("https://[::1]:6443/api?x=1")?.host == "::1")
    #expect(URLParts("https://[::1]:6443/api?x=1")?.rest == "/api?x=1")
    #expect(URLParts("https://kube.example/")?.port == 443)
    #expect(URLParts("https://u:p@10.0.0.1:8443")?.userInfo == "u:p")
    #expect(URLParts("nonsense") == nil)
  }

  @Test func queriesArePercentEncoded() {
    let request = HTTPRequest(
      method: .get, server: "https://h:1/", path: "/api/v1/pods", query: [("labelSelector", "app in (a,b),tier!=db")])
    #expect(request.url == "https://h:1/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb")
  }
}

@Suite struct TransportErrorTests {
  let target = URLParts("https://10.0.0.1:6443/api")!

  @Test func libcurlVerificationMessagesAreClassified() {
    func classify(_ text: String) -> TransportError {
      CurlErrorMapper.verificationError(text, server: target.server, name: "10.0.0.1")
    }
    guard
      case .nameMismatch = classify("SSL: no alternative certificate subject name matches target host name '10.0.0.1'")
    else {
      Issue.record("name mismatch"); return
    }
    guard
      case .nameMismatch = classify("SSL: certificate subject name 'kube' does not match target host name '10.0.0.1'")
    else {
      Issue.record("subject mismatch"); return
    }
    guard case .unknownAuthority = classify("SSL certificate problem: unable to get local issuer certificate") else {
      Issue.record("unknown issuer"); return
    }
    guard case .unknownAuthority = classify("SSL certificate problem: self-signed certificate in certificate chain")
    else {
      Issue.record("self-signed"); return
    }
    guard case .tlsFailure = classify("SSL certificate problem: certificate has expired") else {
      Issue.record("expired"); return
    }
  }

  @Test func errorsAreScrubbed() {
    let redactor = SecretRedactor(secrets: ["p4ssw0rd-xyz"])
    let error = TransportError.proxyFailure(proxy: "http://me:p4ssw0rd-xyz@proxy:3128", detail: "refused p4ssw0rd-xyz")
    #expect(
      error.redacted(by: redactor).description
        == "proxy http://<redacted>@proxy:3128 failed: refused <redacted>; check proxy-url in the kubeconfig or HTTPS_PROXY"
    )
  }

  /// Answers each request with 200 + the number at the end of its URL, after a delay that
  /// makes later requests finish first.
  struct NumberedTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
      let number = Int(request.url.split(separator: "/").last!)!
      try await Task.sleep(for: .milliseconds(5 * (3 - number)))
      if number == 1 { throw TransportError.cancelled }
      return HTTPResponse(status: 200 + number)
    }
  }

  @Test func sendAllKeepsTheOrderOfTheRequests() async {
    let requests = (0..<3).map { HTTPRequest(method: .get, url: "https://127.0.0.1:1/\($0)") }
    let results = await NumberedTransport().sendAll(requests)
    #expect((try? results[0].get().status) == 200)
    #expect((try? results[1].get()) == nil)
    #expect((try? results[2].get().status) == 202)
  }
}
