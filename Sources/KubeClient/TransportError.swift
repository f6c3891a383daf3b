/// Why a request got no HTTP answer. Messages are lowercase, name the server, and say what to
/// try; none ever contains a credential (the transport scrubs libcurl's text too).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Nothing listens at the server's address and port (libcurl `CURLE_COULDNT_CONNECT`).
  case connectionRefused(server: String, detail: String)
  /// The server's host name does not resolve (`CURLE_COULDNT_RESOLVE_HOST`).
  case hostNotFound(host: String)
  /// The server's certificate is not signed by a trusted CA (`CURLE_PEER_FAILED_VERIFICATION`).
  case unknownAuthority(server: String, detail: String)
  /// The certificate is valid but not for the name meshctl checked.
  case nameMismatch(server: String, name: String, detail: String)
  /// Any other TLS handshake failure (`CURLE_SSL_CONNECT_ERROR`, ...).
  case tlsFailure(server: String, detail: String)
  /// The client certificate or key could not be used (`CURLE_SSL_CERTPROBLEM`, bad PEM, ...).
  case clientCertificate(detail: String)
  /// No complete answer within the request or connect timeout (`CURLE_OPERATION_TIMEDOUT`).
  case timedOut(server: String, detail: String)
  /// The connection closed or broke before a complete answer (`CURLE_GOT_NOTHING`,
  /// `CURLE_RECV_ERROR`, `CURLE_SEND_ERROR`, `CURLE_PARTIAL_FILE`, HTTP/2 stream errors).
  case connectionDropped(server: String, detail: String)
  /// The proxy could not be reached or refused the tunnel.
  case proxyFailure(proxy: String, detail: String)
  /// The request could not be built (bad URL, unsupported option).
  case invalidRequest(detail: String)
  /// Any other libcurl failure, with its code.
  case other(code: Int, detail: String)
  /// The answer's body passed `TransportOptions.maxResponseBytes`; reading stopped there.
  case answerTooLarge(url: String, limit: Int)
  /// The transport was shut down before the request finished.
  case cancelled

  /// Whether the request may not have reached the server, or broke in flight: retried for
  /// idempotent requests only. Timeouts are not in this set: `--request-timeout` is the user's
  /// budget for the request, and kubectl does not retry them either.
  public var isConnectionFailure: Bool {
    switch self {
    case .connectionRefused, .connectionDropped: return true
    default: return false
    }
  }

  /// A sentence a person can act on.
  public var description: String {
    switch self {
    case .connectionRefused(let server, let detail):
      return "cannot connect to \(server): connection refused (\(detail)); is the API server running "
        + "and is the server address in the kubeconfig right?"
    case .hostNotFound(let host):
      return "cannot resolve host \"\(host)\"; check the server address in the kubeconfig and DNS"
    case .unknownAuthority(let server, let detail):
      return "tls: the certificate of \(server) is signed by an unknown authority (\(detail)); "
        + "pass the cluster's CA with --certificate-authority (or certificate-authority-data in the kubeconfig)"
    case .nameMismatch(let server, let name, let detail):
      return "tls: the certificate of \(server) is not valid for \"\(name)\" (\(detail)); "
        + "connect by a name in the certificate, or pass that name with --tls-server-name"
    case .tlsFailure(let server, let detail):
      return "tls handshake with \(server) failed: \(detail)"
    case .clientCertificate(let detail):
      return "the client certificate or key cannot be used: \(detail); "
        + "check client-certificate(-data) and client-key(-data) (a PEM certificate and its matching key)"
    case .timedOut(let server, let detail):
      return "request to \(server) timed out (\(detail)); raise --request-timeout or check the connection"
    case .connectionDropped(let server, let detail):
      return "the connection to \(server) closed before a complete answer (\(detail))"
    case .proxyFailure(let proxy, let detail):
      return "proxy \(proxy) failed: \(detail); check proxy-url in the kubeconfig or HTTPS_PROXY"
    case .invalidRequest(let detail):
      return "invalid request: \(detail)"
    case .other(let code, let detail):
      return "request failed (libcurl error \(code)): \(detail)"
    case .answerTooLarge(let url, let limit):
      return "the answer to \(url) is too large: more than \(Self.mebibytes(limit)), the most meshctl reads "
        + "from one answer; narrow the request (a namespace, a label selector)"
    case .cancelled:
      return "request cancelled: the client was shut down"
    }
  }
}

extension TransportError {
  /// Always a cluster failure (CLI exit 3): no answer is never an apply conflict.
  public var failureClass: APIError.FailureClass { .cluster }

  /// The same error with every detail text scrubbed by `redactor` (libcurl's messages quote
  /// hosts and proxies; a proxy URL can carry a password).
  public func redacted(by redactor: SecretRedactor) -> TransportError {
    let r = redactor.redact
    switch self {
    case .connectionRefused(let server, let detail): return .connectionRefused(server: r(server), detail: r(detail))
    case .hostNotFound(let host): return .hostNotFound(host: r(host))
    case .unknownAuthority(let server, let detail): return .unknownAuthority(server: r(server), detail: r(detail))
    case .nameMismatch(let server, let name, let detail):
      return .nameMismatch(server: r(server), name: r(name), detail: r(detail))
    case .tlsFailure(let server, let detail): return .tlsFailure(server: r(server), detail: r(detail))
    case .clientCertificate(let detail): return .clientCertificate(detail: r(detail))
    case .timedOut(let server, let detail): return .timedOut(server: r(server), detail: r(detail))
    case .connectionDropped(let server, let detail): return .connectionDropped(server: r(server), detail: r(detail))
    case .proxyFailure(let proxy, let detail): return .proxyFailure(proxy: redactor.redactURL(proxy), detail: r(detail))
    case .invalidRequest(let detail): return .invalidRequest(detail: r(detail))
    case .other(let code, let detail): return .other(code: code, detail: r(detail))
    case .answerTooLarge(let url, let limit): return .answerTooLarge(url: redactor.redactURL(url), limit: limit)
    case .cancelled: return .cancelled
    }
  }
}

extension TransportError {
  /// `64 MiB`, or the bytes when not a whole number of MiB.
  static func mebibytes(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
  }
}

extension TransportError: CustomDebugStringConvertible {
  /// The same text as `description`, so `String(reflecting:)` never shows more.
  public var debugDescription: String { description }
}
