/// Everything the libcurl transport needs to reach one API server: TLS material as bytes
/// (the kubeconfig loader reads files and base64 data), credentials, proxy, timeouts and limits.
public struct TransportOptions: Sendable {
  /// Where to send requests through, if anywhere.
  public enum Proxy: Sendable, Equatable {
    /// libcurl's reading of `HTTPS_PROXY`/`https_proxy`, `NO_PROXY` (kubectl's default too).
    case environment
    /// No proxy, whatever the environment says.
    case none
    /// This proxy URL (kubeconfig `proxy-url`): `http://`, `https://` or `socks5://`.
    case url(String)
  }

  /// HTTP basic authentication (kubeconfig `username`/`password`).
  public struct BasicAuth: Sendable, Equatable {
    /// The user name.
    public var username: String
    /// The password; never logged.
    public var password: String
    /// Creates credentials.
    public init(username: String, password: String) {
      self.username = username
      self.password = password
    }
  }

  /// PEM CA certificates to trust instead of the system store (`certificate-authority-data`).
  public var certificateAuthorityPEM: [UInt8]?
  /// PEM client certificate (chain) for mutual TLS (`client-certificate-data`).
  public var clientCertificatePEM: [UInt8]?
  /// PEM private key of the client certificate (`client-key-data`); never logged.
  public var clientKeyPEM: [UInt8]?
  /// Bearer token sent as `Authorization: Bearer ...`; never logged.
  public var bearerToken: String?
  /// Basic authentication; never logged.
  public var basicAuth: BasicAuth?
  /// Skip verifying the server's certificate (`insecure-skip-tls-verify`); the caller warns.
  public var insecureSkipTLSVerify: Bool
  /// The name to verify the server certificate against (and send as SNI) instead of the
  /// URL's host (`tls-server-name`).
  public var tlsServerName: String?
  /// The proxy.
  public var proxy: Proxy
  /// Limit for a whole request, connection included (`--request-timeout`); nil or zero: none.
  public var requestTimeout: Duration?
  /// Limit for establishing a connection (TCP and TLS).
  public var connectTimeout: Duration
  /// meshctl's version, sent as `User-Agent: meshctl/<version> (<os>/<arch>)`, as kubectl sends its own.
  public var version: String
  /// Requests handed to libcurl at once; more wait in order.
  public var maxConcurrentRequests: Int
  /// Connections to one server. With 1 (the default) every request shares one connection:
  /// multiplexed over HTTP/2; over HTTP/1.1 one request at a time on a kept-alive connection.
  /// Until an answer has come over HTTP/2, at most this many requests are handed to libcurl.
  public var maxConnectionsPerHost: Int
  /// Offer HTTP/2 through ALPN (falls back to HTTP/1.1 when the server does not take it).
  public var preferHTTP2: Bool
  /// Most body bytes taken from one answer; a longer one fails as `TransportError.answerTooLarge`.
  /// 64 MiB holds a list of ~20,000 Pods (about 3 KB of JSON each): a big namespace, not a bug.
  public var maxResponseBytes: Int

  /// The default for `maxResponseBytes` (64 MiB).
  public static let defaultMaxResponseBytes = 64 << 20

  /// Creates options with kubectl-like defaults: system CAs, 30 s connect timeout, no request
  /// timeout, HTTP/2 preferred, one connection, 32 requests in flight.
  public init(
    certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
    bearerToken: String? = nil, basicAuth: BasicAuth? = nil, insecureSkipTLSVerify: Bool = false,
    tlsServerName: String? = nil, proxy: Proxy = .environment, requestTimeout: Duration? = nil,
    connectTimeout: Duration = .seconds(30), version: String = "dev", maxConcurrentRequests: Int = 32,
    maxConnectionsPerHost: Int = 1, preferHTTP2: Bool = true, maxResponseBytes: Int = defaultMaxResponseBytes
  ) {
    self.certificateAuthorityPEM = certificateAuthorityPEM
    self.clientCertificatePEM = clientCertificatePEM
    self.clientKeyPEM = clientKeyPEM
    self.bearerToken = bearerToken
    self.basicAuth = basicAuth
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
    self.tlsServerName = tlsServerName
    self.proxy = proxy
    self.requestTimeout = requestTimeout
    self.connectTimeout = connectTimeout
    self.version = version
    self.maxConcurrentRequests = maxConcurrentRequests
    self.maxConnectionsPerHost = maxConnectionsPerHost
    self.preferHTTP2 = preferHTTP2
    self.maxResponseBytes = maxResponseBytes
  }

  /// The `User-Agent` value.
  public var userAgent: String { "meshctl/\(version) (\(MeshctlVersion.platform))" }

  /// Every secret these options hold, for a `SecretRedactor`.
  public var secrets: [String] {
    var values: [String] = []
    if let bearerToken { values.append(bearerToken) }
    if let basicAuth { values.append(basicAuth.password) }
    if let clientKeyPEM { values.append(String(decoding: clientKeyPEM, as: UTF8.self)) }
    if case .url(let url) = proxy, let password = Self.proxyPassword(url) { values.append(password) }
    return values
  }

  /// The password in a proxy URL's user info, if any.
  static func proxyPassword(_ url: String) -> String? {
    guard let parts = URLParts(url), let userInfo = parts.userInfo,
      let colon = userInfo.firstIndex(of: ":")
    else { return nil }
    return String(userInfo[userInfo.index(after: colon)...])
  }
}

/// The pieces of an absolute URL that the transport needs (no Foundation: `URLComponents`
/// would re-encode the query).
struct URLParts: Equatable {
  var scheme: String
  var userInfo: String?
  /// The host without IPv6 brackets.
  var host: String
  var port: Int
  /// Path and query, starting with `/` (or empty).
  var rest: String

  init?(_ url: String) {
    guard let schemeEnd = url.scalarRange(of: "://") else { return nil }
    scheme = url[..<schemeEnd.lowerBound].lowercased()
    let afterScheme = url[schemeEnd.upperBound...]
    let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
    var authority = afterScheme[..<authorityEnd]
    rest = String(afterScheme[authorityEnd...])
    if let at = authority.lastIndex(of: "@") {
      userInfo = String(authority[..<at])
      authority = authority[authority.index(after: at)...]
    }
    var portText: Substring?
    if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
      host = String(authority[authority.index(after: authority.startIndex)..<close])
      let after = authority[authority.index(after: close)...]
      if after.hasPrefix(":") { portText = after.dropFirst() }
    } else if let colon = authority.lastIndex(of: ":") {
      host = String(authority[..<colon])
      portText = authority[authority.index(after: colon)...]
    } else {
      host = String(authority)
    }
    guard !host.isEmpty else { return nil }
    if let portText {
      guard let value = Int(portText) else { return nil }
      port = value
    } else {
      port = scheme == "https" ? 443 : 80
    }
  }

  /// The host as written in a URL or a `CURLOPT_CONNECT_TO` entry (IPv6 in brackets).
  var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

  /// `scheme://host:port`, for messages.
  var server: String { "\(scheme)://\(hostForURL):\(port)" }
}
