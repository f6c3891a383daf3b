import Testing
@testable import KubeClient

@Suite struct TransportLogTests {
  static let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"
  static let password = "hunter2-correct-horse"
  static let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oqHQH1lX1S3MoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"

  static let options = TransportOptions(
    clientKeyPEM: Array(key.utf8), bearerToken: token,
    basicAuth: .init(username: "admin", password: password))

  @Test("no secret in any log line or error at -v=0..9", arguments: 0...9)
  func secretsNeverAppear(verbosity: Int) {
    let redactor = SecretRedactor(secrets: Self.options.secrets)
    let logger = HTTPLogger(verbosity: verbosity, redactor: redactor) { _ in }
    // A request as the transport logs it, with the header it adds, a body and a URL quoting them.
    let request = HTTPRequest(
      method: .post, url: "https://admin:\(Self.password)@127.0.0.1:6443/api/v1/namespaces/a/secrets?token=\(Self.token)",
      headers: ["Authorization": "Bearer \(Self.token)", "Content-Type": "application/json"],
      body: Array("{\"data\":{\"token\":\"\(Self.token)\",\"key\":\"\(Self.key)\",\"password\":\"\(Self.password)\"}}".utf8))
    let echoed = HTTPResponse(status: 500, headers: ["Set-Cookie": "s=\(Self.token)"], body: request.body)
    var text = logger.lines(request, outcome: .success(echoed), duration: .milliseconds(3)).joined(separator: "\n")
    text += logger.lines(request, outcome: .failure(TransportError.tlsFailure(server: "x", detail: Self.password)), duration: .zero)
      .joined(separator: "\n")
    text += APIError(response: echoed, context: APIRequestContext(verb: "create", resource: "secrets"), verbosity: verbosity, redactor: redactor).description
    let status = HTTPResponse(status: 500, body: Array(#"{"kind":"Status","code":500,"message":"bad token \#(Self.token)"}"#.utf8))
    text += APIError(response: status, context: APIRequestContext(verb: "get", resource: "pods"), verbosity: verbosity, redactor: redactor).description
    for secret in [Self.token, Self.password, "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oqHQH1lX1S3MoAoGCCqGSM49", "BEGIN EC PRIVATE KEY"] {
      #expect(!text.contains(secret), "-v=\(verbosity)")
    }
  }

  @Test func levelsFollowKubectl() {
    let request = HTTPRequest(method: .get, url: "https://127.0.0.1:6443/api", headers: ["Authorization": "Bearer abcdefgh", "Accept": "application/json"])
    let answer = HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(String(repeating: "x", count: 2000).utf8))
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
    let request = HTTPRequest(method: .get, server: "https://h:1/", path: "/api/v1/pods", query: [("labelSelector", "app in (a,b),tier!=db")])
    #expect(request.url == "https://h:1/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb")
  }
}
