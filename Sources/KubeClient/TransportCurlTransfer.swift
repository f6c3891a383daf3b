import CCurl

/// One request's libcurl easy handle and what it collects: status line, headers, body.
/// Created on the caller's task, then used only by the engine thread until `finish`.
final class CurlTransfer: @unchecked Sendable {
  let easy: UnsafeMutableRawPointer
  let request: HTTPRequest
  /// The request as sent, with the credentials the transport adds (masked when logged).
  let loggedRequest: HTTPRequest
  let target: URLParts
  /// The name the certificate is checked against.
  let verifiedName: String
  /// The proxy's URL (credentials masked) for messages, or a description of where it came from.
  let proxyName: String
  var continuation: CheckedContinuation<Result<HTTPResponse, any Error>, Never>?
  var startedAt = ContinuousClock.now
  private var headerList: UnsafeMutablePointer<curl_slist>?
  private var connectToList: UnsafeMutablePointer<curl_slist>?
  private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
  fileprivate var responseHeaders = HTTPHeaders()
  fileprivate var body: [UInt8] = []
  /// Most body bytes kept; past it the write callback stops the transfer.
  fileprivate let maxBodyBytes: Int
  /// Whether the body passed `maxBodyBytes` (libcurl then reports a write error).
  fileprivate var bodyTooLarge = false
  private var finished = false
  private var released = false
  /// Kept until the easy handle is freed: the handle uses its share handle and CA file.
  private let shared: CurlShared

  init(request: HTTPRequest, options: TransportOptions, shared: CurlShared) throws {
    guard let target = URLParts(request.url), target.scheme == "https" || target.scheme == "http" else {
      throw TransportError.invalidRequest(detail: "not an http(s) URL: \(SecretRedactor().redactURL(request.url))")
    }
    guard let easy = ccurl_easy_init() else { throw TransportError.other(code: -1, detail: "curl_easy_init failed") }
    self.easy = easy
    self.shared = shared
    self.request = request
    self.target = target
    maxBodyBytes = max(0, options.maxResponseBytes)
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var sent = request.headers
    if let token = options.bearerToken { sent.set("Authorization", "Bearer \(token)") }
    sent.set("User-Agent", options.userAgent)
    loggedRequest = HTTPRequest(method: request.method, url: request.url, headers: sent, body: request.body)
    let serverName =
      options.insecureSkipTLSVerify ? nil : options.tlsServerName.flatMap { $0 == target.host ? nil : $0 }
    verifiedName = serverName ?? target.host
    switch options.proxy {
    case .url(let url): proxyName = SecretRedactor().redactURL(url)
    case .environment: proxyName = "the proxy from HTTPS_PROXY"
    case .none: proxyName = "the proxy"
    }
    configureBasics(options: options)
    configureURL(serverName: serverName)
    configureMethodAndBody()
    configureHeaders(sent, serverName: serverName)
    configureTLS(options: options)
    configureCredentialsAndProxy(options: options)
  }

  deinit {
    release()
    errorBuffer.deallocate()
  }

  /// Frees the easy handle and its lists; the engine calls it on its thread once libcurl is done
  /// with the transfer (libcurl handles are not to be used from two threads at once).
  func release() {
    guard !released else { return }
    released = true
    ccurl_easy_cleanup(easy)
    ccurl_slist_free_all(headerList)
    ccurl_slist_free_all(connectToList)
  }

  private func configureBasics(options: TransportOptions) {
    // NOSIGNAL: libcurl must not use signals for DNS timeouts in a multi-threaded process.
    setLong(CURLOPT_NOSIGNAL, 1)
    setLong(CURLOPT_TCP_KEEPALIVE, 1)
    // CURL_HTTP_VERSION_2TLS: offer h2 in ALPN for https, HTTP/1.1 for plain http.
    setLong(CURLOPT_HTTP_VERSION, options.preferHTTP2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1)
    // PIPEWAIT: prefer waiting for a connection that may multiplex over opening a new one.
    setLong(CURLOPT_PIPEWAIT, 1)
    // libcurl re-sends a request on its own when a reused connection closes before any answer
    // byte ("Connection died, retrying a fresh connect"). The server may have acted on it by then,
    // so a request that must not run twice (POST: create, SelfSubjectAccessReview) always gets a
    // new connection, where libcurl never retries.
    if !request.isIdempotent { setLong(CURLOPT_FRESH_CONNECT, 1) }
    setLong(CURLOPT_TIMEOUT_MS, Self.milliseconds(options.requestTimeout))
    setLong(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(options.connectTimeout))
    _ = ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, options.userAgent)
    _ = ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl decodes
    _ = ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    let context = Unmanaged.passUnretained(self).toOpaque()
    _ = ccurl_easy_set_write_callback(easy, curlWriteBody, context)
    _ = ccurl_easy_set_header_callback(easy, curlWriteHeader, context)
    if let share = shared.share { _ = ccurl_easy_setopt_pointer(easy, CURLOPT_SHARE, share) }
  }

  /// With `tls-server-name`, the URL carries that name (so libcurl sends it as SNI and checks
  /// the certificate against it) while `CURLOPT_CONNECT_TO` sends the connection to the real
  /// host: CONNECT_TO "does NOT affect the hostname/port that is used for TLS/SSL (e.g. SNI,
  /// certificate verification)" (curl(1) --connect-to). Go's `tls.Config.ServerName`, which
  /// kubectl uses, does the same.
  private func configureURL(serverName: String?) {
    guard let serverName else {
      _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url)
      return
    }
    let named = URLParts.bracketed(serverName)
    let url = "\(target.scheme)://\(named):\(target.port)\(target.rest)"
    _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, url)
    connectToList = ccurl_slist_append(nil, "\(named):\(target.port):\(target.hostForURL):\(target.port)")
    _ = ccurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectToList)
  }

  private func configureMethodAndBody() {
    switch request.method {
    case .get: setLong(CURLOPT_HTTPGET, 1)
    case .head: setLong(CURLOPT_NOBODY, 1)
    default:
      if !request.body.isEmpty || request.method == .post || request.method == .put || request.method == .patch {
        // POSTFIELDSIZE first: COPYPOSTFIELDS copies that many bytes (CURLOPT_COPYPOSTFIELDS(3)).
        setLong(CURLOPT_POSTFIELDSIZE, request.body.count)
        request.body.withUnsafeBytes { bytes in
          let empty: StaticString = ""
          let pointer = bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
          _ = ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
        }
      }
      _ = ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
    }
  }

  private func configureHeaders(_ sent: HTTPHeaders, serverName: String?) {
    var lines = sent.filter { $0.name.lowercased() != "user-agent" }.map { "\($0.name): \($0.value)" }
    if !request.body.isEmpty, sent["Content-Type"] == nil { lines.append("Content-Type: application/json") }
    // An empty `Expect:` stops libcurl from waiting for 100-continue before larger bodies.
    lines.append("Expect:")
    // The API server sees the host it was configured with, as with kubectl's ServerName.
    if serverName != nil, sent["Host"] == nil { lines.append("Host: \(target.hostForURL):\(target.port)") }
    for line in lines { headerList = ccurl_slist_append(headerList, line) }
    _ = ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
  }

  private func configureTLS(options: TransportOptions) {
    if options.insecureSkipTLSVerify {
      setLong(CURLOPT_SSL_VERIFYPEER, 0)
      setLong(CURLOPT_SSL_VERIFYHOST, 0)
    } else {
      setLong(CURLOPT_SSL_VERIFYPEER, 1)
      setLong(CURLOPT_SSL_VERIFYHOST, 2)
    }
    if let ca = options.certificateAuthorityPEM, !options.insecureSkipTLSVerify {
      // Trust only the cluster's CA, as kubectl does: CAINFO is the CA alone, and CAPATH
      // (Debian's /etc/ssl/certs) is switched off. A file when there is one (`CurlShared`: its
      // store is built once per transport), else the blob, which overrides CAINFO.
      if let file = shared.certificateAuthorityFile {
        _ = ccurl_easy_setopt_string(easy, CURLOPT_CAINFO, file)
      } else {
        setBlob(CURLOPT_CAINFO_BLOB, ca)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_CAINFO, nil)
      }
      _ = ccurl_easy_setopt_string(easy, CURLOPT_CAPATH, nil)
    }
    if let certificate = options.clientCertificatePEM {
      setBlob(CURLOPT_SSLCERT_BLOB, certificate)
      _ = ccurl_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM")
    }
    if let key = options.clientKeyPEM {
      setBlob(CURLOPT_SSLKEY_BLOB, key)
      _ = ccurl_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM")
    }
  }

  private func configureCredentialsAndProxy(options: TransportOptions) {
    if let basic = options.basicAuth {
      setLong(CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC; the macro is a cast Swift cannot import
      _ = ccurl_easy_setopt_string(easy, CURLOPT_USERNAME, basic.username)
      _ = ccurl_easy_setopt_string(easy, CURLOPT_PASSWORD, basic.password)
    }
    switch options.proxy {
    case .environment: break
    // An empty string disables proxies even when the environment names one (CURLOPT_PROXY(3)).
    case .none: _ = ccurl_easy_setopt_string(easy, CURLOPT_PROXY, "")
    case .url(let url): _ = ccurl_easy_setopt_string(easy, CURLOPT_PROXY, url)
    }
  }

  private func setLong(_ option: CURLoption, _ value: Int) { _ = ccurl_easy_setopt_long(easy, option, value) }

  private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) {
    // CURL_BLOB_COPY (in the shim): libcurl keeps its own copy.
    bytes.withUnsafeBytes { _ = ccurl_easy_setopt_blob(easy, option, $0.baseAddress, $0.count) }
  }

  private static func milliseconds(_ duration: Duration?) -> Int {
    guard let duration else { return 0 }
    return Int(max(0, HTTPLogger.milliseconds(duration)))
  }

  /// Resumes the waiting `send`, once.
  func finish(_ outcome: Result<HTTPResponse, any Error>) {
    guard !finished, let continuation else { return }
    finished = true
    self.continuation = nil
    continuation.resume(returning: outcome)
  }

  /// The response, or the error that `code` and libcurl's message describe.
  func outcome(code: CURLcode) -> Result<HTTPResponse, any Error> {
    if bodyTooLarge {
      return .failure(TransportError.answerTooLarge(url: SecretRedactor().redactURL(request.url), limit: maxBodyBytes))
    }
    guard code == CURLE_OK else {
      return .failure(
        CurlErrorMapper.error(
          code: code, detail: errorText, target: target, verifiedName: verifiedName, proxy: proxyName))
    }
    var status = 0
    _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
    var version = 0
    _ = ccurl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
    return .success(
      HTTPResponse(status: status, headers: responseHeaders, body: body, httpVersion: Self.versionName(version)))
  }

  private var errorText: String { String(cString: errorBuffer) }

  private static func versionName(_ version: Int) -> String {
    switch version {
    case CURL_HTTP_VERSION_1_0: "1.0"
    case CURL_HTTP_VERSION_1_1: "1.1"
    case CURL_HTTP_VERSION_2_0: "2"
    case 30: "3"
    default: ""
    }
  }

  /// Appends answer bytes; false (stop the transfer) once the body would pass `maxBodyBytes`.
  fileprivate func takeBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let announced = body.isEmpty ? responseHeaders["Content-Length"].flatMap { Int($0) } : nil
    guard body.count + bytes.count <= maxBodyBytes, (announced ?? 0) <= maxBodyBytes else {
      // A Content-Length past the limit stops the transfer at its first bytes.
      bodyTooLarge = true
      body = []
      return false
    }
    // Sized once from Content-Length, so a large answer is not copied as the array grows.
    if let announced { body.reserveCapacity(announced) }
    body.append(contentsOf: bytes)
    return true
  }

  /// Takes one header line from libcurl. A status line starts a new header block, so only the
  /// final response's headers remain (after `100 Continue` or a proxy's `CONNECT` answer).
  fileprivate func takeHeaderLine(_ line: String) {
    let trimmed = line.trimmingSpaces
    if trimmed.hasPrefix("HTTP/") {
      responseHeaders = HTTPHeaders()
    } else if let colon = trimmed.firstIndex(of: ":") {
      responseHeaders.add(String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]).trimmingSpaces)
    }
  }
}

extension URLParts {
  /// A host name or address as written in a URL (IPv6 in brackets).
  static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes to the transfer.
private let curlWriteBody: ccurl_data_callback = { data, size, count, context in
  guard let data, let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  let length = size * count
  let kept = data.withMemoryRebound(to: UInt8.self, capacity: length) {
    transfer.takeBody(UnsafeBufferPointer(start: $0, count: length))
  }
  // Returning fewer bytes than given makes libcurl stop with CURLE_WRITE_ERROR.
  return kept ? length : 0
}

/// CURLOPT_HEADERFUNCTION: one complete header line per call (CURLOPT_HEADERFUNCTION(3)).
private let curlWriteHeader: ccurl_data_callback = { data, size, count, context in
  guard let data, let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  let length = size * count
  let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
  }
  transfer.takeHeaderLine(line)
  return length
}

/// Turns libcurl result codes and messages into `TransportError`s a person can act on.
enum CurlErrorMapper {
  /// The error for `code` (a `CURLcode`), with libcurl's message `detail`.
  static func error(code: CURLcode, detail: String, target: URLParts, verifiedName: String, proxy: String = "the proxy")
    -> TransportError
  {
    let server = target.server
    let text = detail.isEmpty ? String(cString: ccurl_easy_strerror(code)) : detail
    switch code {
    case CURLE_COULDNT_RESOLVE_HOST:
      return .hostNotFound(host: verifiedName == target.host ? target.host : verifiedName)
    case CURLE_COULDNT_RESOLVE_PROXY: return .proxyFailure(proxy: proxy, detail: text)
    case CURLE_COULDNT_CONNECT: return .connectionRefused(server: server, detail: text)
    case CURLE_OPERATION_TIMEDOUT: return .timedOut(server: server, detail: text)
    case CURLE_PEER_FAILED_VERIFICATION: return verificationError(text, server: server, name: verifiedName)
    case CURLE_SSL_CERTPROBLEM: return .clientCertificate(detail: text)
    case CURLE_SSL_CACERT_BADFILE:
      // The CA reaches libcurl as an in-memory file (`CurlShared`), whose name means nothing to a user.
      let reason = text.contains("/proc/self/fd/") ? "no PEM certificate in it could be read" : text
      return .tlsFailure(server: server, detail: "the certificate authority data cannot be read (\(reason))")
    case CURLE_SSL_CONNECT_ERROR: return sslConnectError(text, server: server)
    case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
      return .connectionDropped(server: server, detail: text)
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidRequest(detail: text)
    case CURLE_PROXY: return .proxyFailure(proxy: proxy, detail: text)
    default: return .other(code: Int(code.rawValue), detail: text)
    }
  }

  /// OpenSSL's messages through libcurl 7.88: "SSL: no alternative certificate subject name
  /// matches target host name 'x'" / "SSL: certificate subject name 'y' does not match target
  /// host name 'x'" for the name; "SSL certificate problem: unable to get local issuer
  /// certificate" / "self-signed certificate in certificate chain" for an unknown CA.
  static func verificationError(_ text: String, server: String, name: String) -> TransportError {
    let lower = text.lowercased()
    if lower.contains("subject name") || lower.contains("does not match") {
      return .nameMismatch(server: server, name: name, detail: text)
    }
    if lower.contains("issuer") || lower.contains("self-signed") || lower.contains("self signed")
      || lower.contains("unknown ca") || lower.contains("unable to verify")
    {
      return .unknownAuthority(server: server, detail: text)
    }
    return .tlsFailure(server: server, detail: text)
  }

  /// A handshake failure; a client-certificate rejection is named as such.
  static func sslConnectError(_ text: String, server: String) -> TransportError {
    let lower = text.lowercased()
    if lower.contains("certificate required") || lower.contains("bad certificate")
      || lower.contains("unable to set private key")
      || lower.contains("unable to use client certificate")
    {
      return .clientCertificate(detail: text)
    }
    return .tlsFailure(server: server, detail: text)
  }
}
