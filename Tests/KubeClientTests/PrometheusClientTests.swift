import Foundation
import KubeClient
import TestSupport
import Testing

@Suite struct PrometheusClientTests {
  func decode(_ body: String, status: Int = 200) throws -> PrometheusResult {
    try PrometheusClient.decode(
      HTTPResponse(status: status, body: Array(body.utf8)), query: "q", server: "http://prom:9090")
  }

  @Test func readsVectors() throws {
    let result = try decode(
      #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"source_workload":"legacy","le":"+Inf"},"value":[1700000000.5,"12.25"]},{"metric":{},"value":[1700000000.5,"NaN"]},{"metric":{},"value":[1700000000.5,"+Inf"]},{"metric":{},"value":[1700000000.5,"-Inf"]}]}}"#
    )
    let samples = result.samples
    #expect(samples.count == 4)
    #expect(samples[0].metric == ["source_workload": "legacy", "le": "+Inf"])
    #expect(samples[0].value == PrometheusValue(time: 1_700_000_000.5, value: 12.25))
    #expect(samples[1].value.value.isNaN)
    #expect(samples[2].value.value == .infinity && samples[3].value.value == -.infinity)
    #expect(result.singleValue == nil)
  }

  @Test func readsScalarsAndEmptyVectors() throws {
    #expect(
      try decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.5"]}}"#).singleValue == 0.5
    )
    #expect(try decode(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#) == .vector([]))
  }

  @Test func prometheusErrorsNameTypeAndMessage() throws {
    #expect {
      try decode(
        #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#, status: 400)
    } throws: { error in
      (error as? PrometheusError)
        == .query(
          server: "http://prom:9090", query: "q", errorType: "bad_data",
          message: "1:5: parse error: unexpected end of input")
        && "\(error)"
          == "prometheus at http://prom:9090 refused the query q: bad_data: 1:5: parse error: unexpected end of input"
    }
  }

  @Test func nonPrometheusAnswers() throws {
    #expect {
      try decode("404 page not found\n", status: 404)
    } throws: { error in
      (error as? PrometheusError) == .http(server: "http://prom:9090", status: 404, detail: "404 page not found")
        && "\(error)".contains("is this the Prometheus base URL")
    }
    #expect(throws: PrometheusError.unreadable(server: "http://prom:9090", detail: "no \"status\" field")) {
      try decode("<html></html>")
    }
    #expect(
      throws: PrometheusError.unexpectedResultType(server: "http://prom:9090", query: "q", resultType: "matrix")
    ) {
      try decode(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
    }
  }

  @Test func sendsAnEncodedGETWithTheTime() async throws {
    let server = ScriptedServer(answers: [
      "/prom/api/v1/query": #"{"status":"success","data":{"resultType":"vector","result":[]}}"#
    ])
    let client = PrometheusClient(baseURL: "https://metrics.test/prom/", transport: server)
    _ = try await client.query(#"sum(rate(x{a="b"}[10s]))"#, at: 1_700_000_000.25)
    let request = try #require(server.requests.first)
    #expect(request.method == .get)
    #expect(
      request.url
        == "https://metrics.test/prom/api/v1/query?query=sum%28rate%28x%7Ba%3D%22b%22%7D%5B10s%5D%29%29&time=1700000000.250"
    )
    #expect(request.headers["Accept"] == "application/json")
  }

  @Test func userInfoBecomesBasicAuthAndIsNeverShown() {
    let access = PrometheusAccess(url: "https://ops:s%40cret@metrics.test:9090/")
    #expect(access.url == "https://metrics.test:9090")
    #expect(access.basicAuth == TransportOptions.BasicAuth(username: "ops", password: "s@cret"))
    #expect(access.description == "https://metrics.test:9090 (basic auth)")
    let at = PrometheusAccess(url: "http://a:b@c@metrics.test/x@y")
    #expect(at.url == "http://metrics.test/x@y" && at.basicAuth?.password == "b@c")
    #expect(PrometheusAccess(url: "http://metrics.test:9090/").basicAuth == nil)
    let options = TransportOptions(
      prometheus: PrometheusAccess(url: "http://p:9090", bearerToken: "tok-123"), version: "1")
    #expect(options.bearerToken == "tok-123" && options.secrets == ["tok-123"])
  }

  @Test func theEnvironmentGivesATokenACAAndTheTimeout() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prom-ca-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let ca = directory.appendingPathComponent("ca.pem")
    try Data("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".utf8).write(to: ca)
    let access = try PrometheusAccess.fromEnvironment(
      url: "https://metrics.test:9090",
      environment: ["MESHCTL_PROMETHEUS_TOKEN": "tok-9", "MESHCTL_PROMETHEUS_CA": ca.path],
      requestTimeout: .seconds(7))
    #expect(access.bearerToken == "tok-9")
    #expect(access.certificateAuthorityPEM.map { String(decoding: $0, as: UTF8.self) }?.contains("CA") == true)
    #expect(access.requestTimeout == .seconds(7))
    let plain = try PrometheusAccess.fromEnvironment(
      url: "http://p:9090", environment: ["MESHCTL_PROMETHEUS_TOKEN": ""], requestTimeout: nil)
    #expect(plain.bearerToken == nil && plain.certificateAuthorityPEM == nil)
    let missing = directory.appendingPathComponent("absent.pem").path
    #expect(throws: PrometheusError.credentials(variable: "MESHCTL_PROMETHEUS_CA", file: missing, reason: "no such file"))
    {
      try PrometheusAccess.fromEnvironment(
        url: "https://metrics.test", environment: ["MESHCTL_PROMETHEUS_CA": missing], requestTimeout: nil)
    }
  }

  @Test func serviceProxyBase() {
    let api = KubeAPI(
      connection: ClusterConnection(source: .inCluster, server: "https://kube.test:6443/"),
      transport: ScriptedServer(answers: [:]))
    let client = api.prometheusThroughServiceProxy(namespace: "istio-system", name: "prometheus", port: 9090)
    #expect(client.baseURL == "https://kube.test:6443/api/v1/namespaces/istio-system/services/prometheus:9090/proxy")
  }
}

/// A Prometheus reached directly over TLS: the access settings become libcurl options (custom
/// CA, basic auth from the URL), as `TransportOptions(prometheus:version:)` builds them.
@Suite(
  .enabled(if: TestTools.available, "needs python3 and /usr/bin/openssl for the local HTTPS server"), .tags(.localHTTPS)
)
struct PrometheusAccessTransportTests {
  @Test func customCAAndBasicAuthFromTheURL() async throws {
    let pki = try TestPKI.shared.get()
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let base = server.url("/echo").replacingOccurrences(of: "https://", with: "https://ops:pw-123@")
    let access = PrometheusAccess(url: base, certificateAuthorityPEM: pki.caPEM)
    var options = TransportOptions(prometheus: access, version: "9.9")
    options.proxy = .none
    let transport = try CurlTransport(options: options)
    let client = PrometheusClient(baseURL: access.url, transport: transport)
    let echoed = try await transport.send(client.request(for: "up == 1", at: nil))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(echoed.body)) as? [String: Any])
    #expect(object["path"] as? String == "/echo/api/v1/query?query=up%20%3D%3D%201")
    let headers = try #require(object["headers"] as? [String: String])
    #expect(headers["Authorization"] == "Basic " + Data("ops:pw-123".utf8).base64EncodedString())
    // The echo is no Prometheus answer: the client says so instead of reading nothing.
    await #expect {
      try await client.query("up", at: nil)
    } throws: { error in
      if case .unreadable = error as? PrometheusError { return true }
      return false
    }
  }

  @Test func anUnknownCAIsATLSError() async throws {
    let pki = try TestPKI.shared.get()
    let server = try TestHTTPSServer()
    defer { server.stop() }
    var options = TransportOptions(
      prometheus: PrometheusAccess(url: server.url(""), certificateAuthorityPEM: pki.otherCAPEM), version: "9.9")
    options.proxy = .none
    let client = PrometheusClient(baseURL: server.url(""), transport: try CurlTransport(options: options))
    await #expect {
      try await client.query("up", at: nil)
    } throws: { error in
      if case .unknownAuthority = error as? TransportError { return true }
      return false
    }
  }
}
