import Foundation
import Manifest
import Testing

@testable import KubeClient

/// A transport that answers every request with the same response.
private struct FixedAnswer: HTTPTransport {
  let response: HTTPResponse
  init(_ response: HTTPResponse) { self.response = response }
  func send(_ request: HTTPRequest) async throws -> HTTPResponse { response }
}

/// What meshctl makes of answers that are not what the API promises: pages, broken JSON, bodies
/// too large, and requests that must not be sent twice.
@Suite struct AnswerFaultTests {
  static let connection = ClusterConnection(
    source: .kubeconfig(files: []), server: "https://api.test:6443", namespace: "shop")
  static let pods = APIResource(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true)

  func api(_ status: Int, _ body: String, type: String = "application/json") -> (KubeAPI, Void) {
    let transport = FixedAnswer(HTTPResponse(status: status, headers: ["Content-Type": type], body: Array(body.utf8)))
    return (KubeAPI(connection: Self.connection, transport: transport), ())
  }

  func unreadable(_ work: () async throws -> Void) async -> APIError? {
    do {
      try await work()
      return nil
    } catch let error as APIError {
      return error
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }

  @Test func aLoginPageWith200IsAClusterErrorNamingTheURLTypeAndFirstBytes() async throws {
    let page =
      "<!DOCTYPE html><html><head><title>Sign in to the corporate proxy</title></head>"
      + String(repeating: "<p>filler</p>", count: 50) + "</html>"
    let (api, _) = api(200, page, type: "text/html; charset=utf-8")
    let error = try #require(await unreadable { _ = try await api.list(Self.pods, namespace: "shop") })
    #expect(error.category == .unreadableAnswer)
    #expect(error.failureClass == .cluster)
    #expect(error.description.contains("GET https://api.test:6443/api/v1/namespaces/shop/pods"))
    #expect(error.description.contains("Content-Type text/html; charset=utf-8"))
    #expect(error.description.contains("\"<!DOCTYPE html><html><head><title>Sign in"))
    #expect(error.description.contains("…\""))  // elided, not the whole page
    #expect(!error.description.contains("filler</p><p>filler</p><p>filler"))
  }

  @Test(arguments: [
    #"{"kind": "PodList", "items": [{"metadata": {"name": "#, "not json at all", "[1, 2]", "", #"{"a": 1}{"b": 2}"#,
  ])
  func malformedJSONWith200IsNeverAnEmptySuccess(body: String) async throws {
    let (api, _) = api(200, body)
    let error = try #require(await unreadable { _ = try await api.list(Self.pods, namespace: "shop") })
    #expect(error.category == .unreadableAnswer)
    #expect(error.description.contains("is not a Kubernetes JSON object"))
  }

  @Test func aListWhoseItemsAreNotAListIsUnreadable() async throws {
    let (api, _) = api(200, #"{"kind": "PodList", "items": "none"}"#)
    let error = try #require(await unreadable { _ = try await api.list(Self.pods, namespace: "shop") })
    #expect(error.description.contains("items is not a list"))
  }

  @Test func aDeleteAnsweredByAPageIsNotADeletion() async throws {
    let (api, _) = api(200, "<html>login</html>", type: "text/html")
    let error = try #require(await unreadable { _ = try await api.delete(Self.pods, namespace: "shop", name: "a") })
    #expect(error.category == .unreadableAnswer)
  }

  @Test func aNotFoundAnsweringARetriedDeleteCountsAsDeleted() async throws {
    var response = HTTPResponse(
      status: 404, body: Array(#"{"kind":"Status","reason":"NotFound","code":404}"#.utf8))
    let first = KubeAPI(connection: Self.connection, transport: FixedAnswer(response))
    #expect(try await first.delete(Self.pods, namespace: "shop", name: "a") == false)
    response.attempt = 2
    let retried = KubeAPI(connection: Self.connection, transport: FixedAnswer(response))
    #expect(try await retried.delete(Self.pods, namespace: "shop", name: "a") == true)
  }

  @Test func aSecretInTheFirstBytesIsNotQuoted() async throws {
    let (api, _) = api(200, #"{"kind":"Secret","apiVersion":"v1","data":{"password":"aHVudGVyMg=="#)
    let error = try #require(await unreadable { _ = try await api.list(Self.pods, namespace: "shop") })
    #expect(!error.description.contains("aHVudGVyMg"))
    #expect(error.description.contains("not shown"))
  }

  @Test func tooLargeSaysSoWithTheLimit() {
    let error = TransportError.answerTooLarge(url: "https://admin:pw@api.test/api/v1/pods", limit: 64 << 20)
    #expect(error.description.contains("too large: more than 64 MiB"))
    #expect(error.redacted(by: SecretRedactor()).description.contains("https://<redacted>@api.test/api/v1/pods"))
    #expect(TransportOptions().maxResponseBytes == 64 << 20)
  }

  @Test func conditionalAppliesAndPostsAreNotIdempotentPlainAppliesAre() {
    let apply: HTTPHeaders = ["Content-Type": "application/apply-patch+yaml"]
    let plain = HTTPRequest(method: .patch, url: "https://x/a", headers: apply, body: Array(#"{"kind":"A"}"#.utf8))
    let conditional = HTTPRequest(
      method: .patch, url: "https://x/a", headers: apply,
      body: Array(#"{"kind":"A","metadata":{"resourceVersion":"7"}}"#.utf8))
    #expect(plain.isIdempotent)
    #expect(!conditional.isIdempotent)
    #expect(!HTTPRequest(method: .post, url: "https://x/a").isIdempotent)
    #expect(HTTPRequest(method: .delete, url: "https://x/a").isIdempotent)
  }

  @Test("a Secret's values never reach the log, at any verbosity", arguments: 6...10)
  func secretBodiesAreMaskedInLogs(verbosity: Int) {
    let logger = HTTPLogger(verbosity: verbosity) { _ in }
    let secret =
      #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"c2VjcmV0LXZhbHVl"},"stringData":{"token":"plain-token-value"}}"#
    let list = #"{"kind":"SecretList","apiVersion":"v1","items":[\#(secret)]}"#
    let request = HTTPRequest(method: .patch, url: "https://x/api/v1/secrets/db", body: Array(secret.utf8))
    let lines = logger.lines(
      request, outcome: .success(HTTPResponse(status: 200, body: Array(list.utf8))), duration: .zero)
    let text = lines.joined(separator: "\n")
    #expect(!text.contains("c2VjcmV0LXZhbHVl"))
    #expect(!text.contains("plain-token-value"))
    if verbosity >= 8 {
      #expect(text.contains(#""password":"***""#))
      #expect(text.contains(#""token":"***""#))
    }
  }
}

/// An answer is read as the JSON it must be, though meshctl's reader is a YAML reader
/// (JSONAnswer): what is not JSON is refused, valid JSON means what it means to the server.
@Suite struct JSONAnswerTests {
  func get(_ body: [UInt8]) async throws -> Node? {
    let transport = FixedAnswer(HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: body))
    return try await KubeAPI(connection: AnswerFaultTests.connection, transport: transport)
      .get(AnswerFaultTests.pods, namespace: "shop", name: "a")
  }

  func problem(_ body: String) async -> String? {
    do {
      _ = try await get(Array(body.utf8))
      return nil
    } catch let error as APIError {
      #expect(error.category == .unreadableAnswer)
      return error.description
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }

  @Test(arguments: [
    ("{\"a\nb\": 1}", "a raw line break inside a string at line 1, column 4"),
    ("{\"a\": \"b\tc\"}", "a raw control character (0x09) inside a string at line 1, column 9"),
    (#"{"a"}"#, "a key without `:` and a value at line 1, column 5"),
    (#"{"a": 1,}"#, "'}' where a key (a string) should be"),
    (#"{"a": [1 2]}"#, "'2' where `,` or `]` should be"),
    (#"{"a": 01}"#, "a malformed number"),
    (#"{"a": "\x41"}"#, "an escape JSON does not have (\\'x')"),
    (#"{"a": &x 1}"#, "'&' where a value should be"),
    (#"{"a": 1} # c"#, "more after the JSON value"),
    (#"{"a": {"b": 1}"#, "the answer ends before its `}`"),
  ])
  func whatIsNotJSONIsRefusedSayingWhere(body: String, expected: String) async throws {
    let message = try #require(await problem(body))
    #expect(message.contains("not JSON: \(expected)"), "\(message)")
  }

  // Fuzz/corpus/FuzzAPIAnswer/regression-raw-line-breaks-in-a-key-without-a-value: `{"key"}`
  // whose key held raw line breaks was read (folded, and given a null value); written back as
  // JSON the key was one line of more than 1024 characters, which no YAML reader takes as a key.
  @Test func theFuzzFindingIsRefused() async throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(
        "Fuzz/corpus/FuzzAPIAnswer/regression-raw-line-breaks-in-a-key-without-a-value")
    let body = try #require(FileManager.default.contents(atPath: url.path), "missing \(url.path)")
    let message = try #require(await problem(String(decoding: body, as: UTF8.self)))
    #expect(message.contains("not JSON: a raw line break inside a string at line 1, column "))
  }

  @Test func validJSONMeansWhatItMeansToTheServer() async throws {
    // Characters a YAML reader folds (NEL) or refuses (DEL, C1, U+FFFE, U+FFFF) raw in a string,
    // an escaped surrogate pair and a lone surrogate, tabs before and after the object.
    let raw = "n\u{85}el d\u{7F}el c1\u{80}\u{9F} ls\u{2028}ps\u{2029} \u{FFFE}\u{FFFF}"
    let body = "\t{\"raw\": \"\(raw)\", \"pair\": \"\\ud83d\\ude00\", \"lone\": \"a\\udc00b\\ud800\",\n\t\"n\": [-0.5e3, 0, true, null, {}]}\n\t\n"
    let tree = try #require(try await get(Array(body.utf8)))
    #expect(tree["raw"] == .string(raw))
    #expect(tree["pair"] == .string("\u{1F600}"))
    #expect(tree["lone"] == .string("a\u{FFFD}b\u{FFFD}"))
    #expect(tree["n"]?.sequence?.count == 5)
  }

  @Test func aBodyWithNothingToRewriteIsReadInPlace() throws {
    let body = Array(#"{"kind": "Pod", "metadata": {"name": "a", "labels": {"x": "ü"}}, "n": [1, 2.5]}"#.utf8)
    #expect(try JSONAnswer.readable(body) == body)
  }
}

/// The real libcurl transport: body limit, and no silent re-send of a POST.
@Suite(
  .enabled(if: TestTools.available, "needs python3 and /usr/bin/openssl for the local HTTPS server"), .tags(.localHTTPS)
)
struct TransportAnswerLimitTests {
  let pki: TestPKI
  init() throws { pki = try TestPKI.shared.get() }

  func options(_ change: (inout TransportOptions) -> Void = { _ in }) -> TransportOptions {
    var options = TransportOptions(certificateAuthorityPEM: pki.caPEM, proxy: .none, version: "1.2.3")
    change(&options)
    return options
  }

  @Test func anAnswerPastTheLimitFailsAsTooLarge() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options { $0.maxResponseBytes = 64 })
    do {
      _ = try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
      Issue.record("a body over 64 bytes was taken")
    } catch let error as TransportError {
      #expect(error == .answerTooLarge(url: server.url("/echo"), limit: 64))
    }
  }

  @Test func aPostOnAConnectionThatDropsIsNotSentAgain() async throws {
    let server = try TestHTTPSServer()
    defer { server.stop() }
    let transport = try CurlTransport(options: options())
    // A kept-alive connection first: libcurl re-sends a request on its own when a reused
    // connection closes before the answer ("Connection died, retrying a fresh connect").
    _ = try await transport.send(HTTPRequest(method: .get, url: server.url("/echo")))
    await #expect(throws: TransportError.self) {
      _ = try await transport.send(HTTPRequest(method: .post, url: server.url("/drop/post/1"), body: Array("{}".utf8)))
    }
    let stats = try await transport.send(HTTPRequest(method: .get, url: server.url("/stats")))
    let hits = try #require(
      (try JSONSerialization.jsonObject(with: Data(stats.body)) as? [String: Any])?["hits"] as? [String: Int])
    #expect(hits["post"] == 1)
  }
}
