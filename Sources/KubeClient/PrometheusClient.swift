import Manifest

/// How to reach a Prometheus server directly (`--prometheus URL`, `MESHCTL_PROMETHEUS`, a
/// MeshConfig's `spec.prometheus.url`): the URL and, when it needs them, credentials and a CA.
/// User info in the URL (`https://user:pass@host`) becomes basic authentication.
public struct PrometheusAccess: Sendable, Equatable, CustomStringConvertible {
  /// The server's base URL without user info, e.g. `http://prometheus.example:9090` (a path
  /// prefix such as `/prometheus` is kept: queries go to `<url>/api/v1/query`).
  public var url: String
  /// Sent as `Authorization: Bearer ...`; never logged.
  public var bearerToken: String?
  /// Basic authentication; never logged.
  public var basicAuth: TransportOptions.BasicAuth?
  /// PEM CA certificates to trust instead of the system store.
  public var certificateAuthorityPEM: [UInt8]?
  /// Skip verifying the server's certificate (the caller warns).
  public var insecureSkipTLSVerify: Bool
  /// Limit for one query, connection included; nil: none.
  public var requestTimeout: Duration?

  /// Creates access settings; user info in `url` is moved into `basicAuth` (unless given).
  public init(
    url: String, bearerToken: String? = nil, basicAuth: TransportOptions.BasicAuth? = nil,
    certificateAuthorityPEM: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false, requestTimeout: Duration? = nil
  ) {
    var url = url
    var basicAuth = basicAuth
    if let parts = URLParts(url), let userInfo = parts.userInfo, let schemeEnd = url.scalarRange(of: "://") {
      let user = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      if basicAuth == nil {
        basicAuth = TransportOptions.BasicAuth(
          username: PrometheusQueryText.percentDecode(String(user[0])),
          password: user.count > 1 ? PrometheusQueryText.percentDecode(String(user[1])) : "")
      }
      // The user info ends at the authority's last `@` (URLParts reads it so).
      url = String(url[..<schemeEnd.upperBound]) + String(url[schemeEnd.upperBound...].dropFirst(userInfo.count + 1))
    }
    while url.hasSuffix("/") { url.removeLast() }
    self.url = url
    self.bearerToken = bearerToken
    self.basicAuth = basicAuth
    self.certificateAuthorityPEM = certificateAuthorityPEM
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
    self.requestTimeout = requestTimeout
  }

  /// The URL and the kind of authentication, no secret.
  public var description: String {
    var auth = "anonymous"
    if bearerToken != nil { auth = "token" } else if basicAuth != nil { auth = "basic auth" }
    return "\(url) (\(auth)\(certificateAuthorityPEM != nil ? ", custom CA" : ""))"
  }
}

extension TransportOptions {
  /// The transport settings for a Prometheus server reached directly: its own credentials and
  /// CA, the same connect timeout and proxy handling as for the API server.
  public init(prometheus access: PrometheusAccess, version: String) {
    self.init(
      certificateAuthorityPEM: access.certificateAuthorityPEM, bearerToken: access.bearerToken,
      basicAuth: access.basicAuth, insecureSkipTLSVerify: access.insecureSkipTLSVerify,
      requestTimeout: access.requestTimeout, version: version, maxConcurrentRequests: 8)
  }
}

/// One number of a Prometheus answer: `[<unix time>, "<value>"]`, the value a string that may be
/// `NaN`, `+Inf` or `-Inf` (prometheus.io/docs/prometheus/latest/querying/api, "Expression query
/// result formats").
public struct PrometheusValue: Sendable, Equatable {
  /// The evaluation time, in seconds since the Unix epoch.
  public var time: Double
  /// The value (`.nan` for `NaN`: compare with `isNaN`, not `==`).
  public var value: Double

  /// Creates a value.
  public init(time: Double, value: Double) {
    self.time = time
    self.value = value
  }

  /// Equal when the times are equal and the values are equal or both NaN.
  public static func == (lhs: PrometheusValue, rhs: PrometheusValue) -> Bool {
    lhs.time == rhs.time && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
  }

  /// Reads Prometheus's spelling of a sample value: a decimal number, `NaN`, `+Inf`, `-Inf`.
  public static func parse(_ text: String) -> Double? {
    switch text {
    case "NaN": return .nan
    case "+Inf", "Inf": return .infinity
    case "-Inf": return -.infinity
    default: return Double(text)
    }
  }
}

/// One series of an instant vector: its labels and its value.
public struct PrometheusSample: Sendable, Equatable {
  /// The series' labels (`__name__` is absent after aggregation).
  public var metric: [String: String]
  /// The value at the evaluation time.
  public var value: PrometheusValue

  /// Creates a sample.
  public init(metric: [String: String], value: PrometheusValue) {
    self.metric = metric
    self.value = value
  }
}

/// The `data` of a successful instant query.
public enum PrometheusResult: Sendable, Equatable {
  /// `resultType: vector`: one sample per series (empty when nothing matched).
  case vector([PrometheusSample])
  /// `resultType: scalar`.
  case scalar(PrometheusValue)
  /// `resultType: string`.
  case string(String)

  /// The samples of a vector (a scalar as one sample without labels; a string as none).
  public var samples: [PrometheusSample] {
    switch self {
    case .vector(let samples): return samples
    case .scalar(let value): return [PrometheusSample(metric: [:], value: value)]
    case .string: return []
    }
  }

  /// The value when the answer is exactly one number (a scalar, or a vector of one series);
  /// nil when the vector is empty or has several series.
  public var singleValue: Double? {
    let samples = self.samples
    return samples.count == 1 ? samples[0].value.value : nil
  }
}

/// Why a Prometheus query gave no result. Messages are lowercase and name the server and query.
public enum PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Prometheus answered `status: error` (`bad_data` for a query it cannot parse, `execution`,
  /// `timeout`, `canceled`, ...).
  case query(server: String, query: String, errorType: String, message: String)
  /// A non-2xx answer that is not Prometheus's JSON (a proxy, the API server's service proxy, a
  /// wrong URL): the status and the start of the body.
  case http(server: String, status: Int, detail: String)
  /// A 2xx answer that is not a Prometheus API answer.
  case unreadable(server: String, detail: String)
  /// The answer's `resultType` is not one meshctl reads (`matrix` to an instant query).
  case unexpectedResultType(server: String, query: String, resultType: String)
  /// A credential the environment names cannot be read (`MESHCTL_PROMETHEUS_CA`'s file).
  case credentials(variable: String, file: String, reason: String)

  /// A sentence a person can act on.
  public var description: String {
    switch self {
    case .query(let server, let query, let errorType, let message):
      return "prometheus at \(server) refused the query \(query): \(errorType): \(message)"
    case .http(let server, let status, let detail):
      var text = "prometheus at \(server) answered \(status) \(HTTPStatusText.phrase(status))"
      if !detail.isEmpty { text += ": \(detail)" }
      switch status {
      case 401, 403: text += "; check the Prometheus credentials (or RBAC for services/proxy)"
      case 404: text += "; is this the Prometheus base URL (queries go to <url>/api/v1/query)?"
      default: break
      }
      return text
    case .unreadable(let server, let detail):
      return "the answer of prometheus at \(server) is not a Prometheus API answer (\(detail))"
    case .unexpectedResultType(let server, let query, let resultType):
      return "prometheus at \(server) answered the query \(query) with a \(resultType), not a vector or scalar"
    case .credentials(let variable, let file, let reason):
      return "cannot read \(variable)=\(file): \(reason)"
    }
  }
}

/// Anything that answers PromQL instant queries: the HTTP client, or a fake in tests.
public protocol PrometheusQuerying: Sendable {
  /// Where the answers come from, for messages (a URL, never a secret).
  var serverDescription: String { get }
  /// Evaluates `promql` at `time` (seconds since the epoch; nil: the server's now).
  func query(_ promql: String, at time: Double?) async throws -> PrometheusResult
}

/// Prometheus's HTTP API (`GET <base>/api/v1/query`) over an `HTTPTransport`: the libcurl
/// transport with retries, as for the API server. The base is the server's URL, or the API
/// server's service proxy (`<apiserver>/api/v1/namespaces/NS/services/NAME:PORT/proxy`).
public struct PrometheusClient: PrometheusQuerying {
  /// The base URL queries are sent under (without `/api/v1/query`).
  public let baseURL: String
  /// A display form of the server (user info removed).
  public let serverDescription: String
  private let transport: any HTTPTransport
  private let headers: HTTPHeaders
  private let redactor: SecretRedactor

  /// Creates a client sending to `baseURL` through `transport` (which carries TLS and
  /// credentials); `headers` go on every request.
  public init(
    baseURL: String, transport: any HTTPTransport, headers: HTTPHeaders = HTTPHeaders(),
    redactor: SecretRedactor = SecretRedactor()
  ) {
    var base = baseURL
    while base.hasSuffix("/") { base.removeLast() }
    self.baseURL = base
    self.serverDescription = redactor.redactURL(base)
    self.transport = transport
    var headers = headers
    if headers["Accept"] == nil { headers.add("Accept", "application/json") }
    self.headers = headers
    self.redactor = redactor
  }

  /// The request for one instant query (exposed so `--dry-run` and tests can show it).
  public func request(for promql: String, at time: Double?) -> HTTPRequest {
    var query = [("query", promql)]
    if let time { query.append(("time", PrometheusQueryText.timestamp(time))) }
    return HTTPRequest(method: .get, server: baseURL, path: "/api/v1/query", query: query, headers: headers)
  }

  /// Evaluates `promql` at `time` (nil: now) and decodes the answer.
  public func query(_ promql: String, at time: Double? = nil) async throws -> PrometheusResult {
    let response: HTTPResponse
    do {
      response = try await transport.send(request(for: promql, at: time))
    } catch let failure as TransportError {
      throw failure.redacted(by: redactor)
    }
    return try Self.decode(response, query: promql, server: serverDescription)
  }

  /// Decodes an answer of `/api/v1/query`: `{"status":"success","data":{"resultType":...,
  /// "result":...}}`, or `{"status":"error","errorType":...,"error":...}` (sent with 400, 422,
  /// 503). Anything else is an `http` or `unreadable` error.
  public static func decode(_ response: HTTPResponse, query: String, server: String) throws -> PrometheusResult {
    let (documents, diagnostics) = ManifestReader().parse(response.text, file: "prometheus")
    let root = diagnostics.contains { $0.severity == .error } ? nil : documents.first?.root
    guard let root, root.mapping != nil, let status = root["status"]?.string else {
      if !response.isSuccess {
        throw PrometheusError.http(server: server, status: response.status, detail: Self.excerpt(response.text))
      }
      throw PrometheusError.unreadable(server: server, detail: "no \"status\" field")
    }
    if status != "success" {
      throw PrometheusError.query(
        server: server, query: query, errorType: root["errorType"]?.string ?? "error",
        message: root["error"]?.string ?? "(no message)")
    }
    guard let data = root["data"], let resultType = data["resultType"]?.string else {
      throw PrometheusError.unreadable(server: server, detail: "no data.resultType")
    }
    let result = data["result"] ?? .null
    switch resultType {
    case "vector":
      var samples: [PrometheusSample] = []
      for item in result.sequence ?? [] {
        guard let value = item["value"].flatMap(Self.value) else {
          throw PrometheusError.unreadable(server: server, detail: "a vector sample without [time, value]")
        }
        var metric: [String: String] = [:]
        for entry in item["metric"]?.mapping ?? [] { metric[entry.key] = entry.value.string ?? "" }
        samples.append(PrometheusSample(metric: metric, value: value))
      }
      return .vector(samples)
    case "scalar":
      guard let value = Self.value(result) else {
        throw PrometheusError.unreadable(server: server, detail: "a scalar without [time, value]")
      }
      return .scalar(value)
    case "string":
      return .string(result.sequence?.last?.string ?? "")
    default:
      throw PrometheusError.unexpectedResultType(server: server, query: query, resultType: resultType)
    }
  }

  /// `[1700000000.123, "0.5"]` as a value.
  private static func value(_ node: Node) -> PrometheusValue? {
    guard let pair = node.sequence, pair.count == 2,
      let time = pair[0].double ?? pair[0].scalar.flatMap({ Double($0.text) }),
      let text = pair[1].string ?? pair[1].scalar?.text, let value = PrometheusValue.parse(text)
    else { return nil }
    return PrometheusValue(time: time, value: value)
  }

  /// The first line of a body, shortened, for messages.
  private static func excerpt(_ text: String) -> String {
    let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    return line.count > 200 ? String(line.prefix(200)) + "…" : line
  }
}

extension KubeAPI {
  /// A Prometheus client that reaches the Service `namespace/name` on `port` through the API
  /// server's service proxy (`/api/v1/namespaces/NS/services/NAME:PORT/proxy`), with the API
  /// server's credentials, TLS and retries (the caller needs `get` on `services/proxy`).
  public func prometheusThroughServiceProxy(namespace: String, name: String, port: Int) -> PrometheusClient {
    let path = "/api/v1/namespaces/\(namespace)/services/\(name):\(port)/proxy"
    var base = server
    while base.hasSuffix("/") { base.removeLast() }
    return PrometheusClient(baseURL: base + path, transport: transport, headers: headers, redactor: redactor)
  }
}

/// Text helpers for Prometheus requests.
enum PrometheusQueryText {
  /// Seconds since the epoch with millisecond precision, as the `time` parameter takes it.
  static func timestamp(_ seconds: Double) -> String {
    let millis = Int64((seconds * 1000).rounded())
    let whole = millis / 1000
    let fraction = abs(millis % 1000)
    let padded =
      String(fraction).count == 3
      ? String(fraction) : String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
    return "\(whole).\(padded)"
  }

  /// `%XX` escapes decoded (URL user info).
  static func percentDecode(_ text: String) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
      if byte == UInt8(ascii: "%"), utf8.count >= 2,
        let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension PrometheusAccess {
  /// The bearer token for a Prometheus reached by URL (`Authorization: Bearer`).
  public static let tokenVariable = "MESHCTL_PROMETHEUS_TOKEN"
  /// A PEM file of the CA that signed the Prometheus server's certificate.
  public static let certificateAuthorityVariable = "MESHCTL_PROMETHEUS_CA"

  /// The access to `url` with the credentials the environment gives: a bearer token in
  /// `MESHCTL_PROMETHEUS_TOKEN`, a CA file in `MESHCTL_PROMETHEUS_CA` (a user and password in the
  /// URL are basic auth), and `requestTimeout` per request, as for the API server.
  public static func fromEnvironment(url: String, environment: [String: String], requestTimeout: Duration?) throws
    -> PrometheusAccess
  {
    let token = environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
    var certificateAuthority: [UInt8]?
    if let file = environment[certificateAuthorityVariable], !file.isEmpty {
      do {
        certificateAuthority = try KubeconfigFiles.read(file)
      } catch {
        var reason = "\(error)"
        if case .unreadable(_, let why) = error { reason = why }
        throw PrometheusError.credentials(variable: certificateAuthorityVariable, file: file, reason: reason)
      }
      guard certificateAuthority != nil else {
        throw PrometheusError.credentials(variable: certificateAuthorityVariable, file: file, reason: "no such file")
      }
    }
    return PrometheusAccess(
      url: url, bearerToken: token, certificateAuthorityPEM: certificateAuthority, requestTimeout: requestTimeout)
  }
}

