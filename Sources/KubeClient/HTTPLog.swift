import Manifest

/// Removes credentials from text meant for people: `Authorization` values, URL user info, and
/// every known secret value (token, password, client key) wherever it appears.
public struct SecretRedactor: Sendable {
  /// The replacement for anything removed.
  public static let mask = "<redacted>"
  /// Header names whose values are always masked.
  public static let sensitiveHeaders: Set<String> = [
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token",
  ]
  /// Secret values to scrub from any text; values shorter than 4 characters are ignored,
  /// since masking every `a` would destroy the text and hide nothing.
  public private(set) var secrets: [String]

  /// Creates a redactor for these secret values (token, password, client key PEM, ...).
  public init(secrets: [String] = []) {
    // A PEM key is scrubbed by its base64 lines too, so a partial quote is masked as well.
    var all: [String] = []
    for secret in secrets where secret.count >= 4 {
      all.append(secret)
      if secret.contains("-----BEGIN") {
        all += secret.split(whereSeparator: \.isNewline).map(String.init)
          .filter { !$0.hasPrefix("-----") && $0.count >= 16 }
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    self.secrets = all.sorted { $0.count > $1.count }
  }

  /// `text` with every known secret masked.
  public func redact(_ text: String) -> String {
    var out = text
    // A byte search, as replacingAll compares (by scalars): String.contains compares
    // Characters, which was a sixth of the time spent building an API error, and misses a
    // secret whose last character a combining mark follows.
    for secret in secrets where out.containsBytes(of: secret) {
      out = out.replacingAll(secret, with: Self.mask)
    }
    return out
  }

  /// A header's value as it may be shown: masked for credentials (keeping the scheme word,
  /// e.g. `Bearer <redacted>`), scrubbed otherwise.
  public func redactHeader(name: String, value: String) -> String {
    guard Self.sensitiveHeaders.contains(name.lowercased()) else { return redact(value) }
    if let space = value.firstIndex(of: " ") { return value[..<space] + " " + Self.mask }
    return Self.mask
  }

  /// A URL with any `user:password@` masked and secrets scrubbed.
  public func redactURL(_ url: String) -> String {
    var text = url
    if let scheme = text.scalarRange(of: "://") {
      let authorityEnd = text[scheme.upperBound...].firstIndex(of: "/") ?? text.endIndex
      if let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@") {
        text.replaceSubrange(scheme.upperBound..<at, with: Self.mask)
      }
    }
    return redact(text)
  }
}

extension String {
  /// Every occurrence of `target` replaced (no Foundation needed).
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var out = ""
    var rest = self[...]
    while let range = rest.scalarRange(of: target) {
      out += rest[..<range.lowerBound]
      out += replacement
      rest = rest[range.upperBound...]
    }
    return out + rest
  }

  /// The range of the first occurrence of `target`, comparing unicode scalars.
  func scalarRange(of target: String) -> Range<String.Index>? { self[...].scalarRange(of: target) }

  /// Whether `target`'s UTF-8 bytes occur in this string's (the same as an occurrence of its
  /// scalars: UTF-8 is self-synchronising).
  func containsBytes(of target: String) -> Bool {
    var text = self
    var needle = target
    return text.withUTF8 { haystack in
      needle.withUTF8 { needle in
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var i = 0
        while i + needle.count <= haystack.count {
          if haystack[i] == first, haystack[i..<i + needle.count].elementsEqual(needle) { return true }
          i += 1
        }
        return false
      }
    }
  }
}

extension Substring {
  /// The range of the first occurrence of `target`, comparing unicode scalars.
  func scalarRange(of target: String) -> Range<String.Index>? {
    let needle = Array(target.unicodeScalars)
    guard let first = needle.first else { return nil }
    var index = unicodeScalars.startIndex
    while index < unicodeScalars.endIndex {
      if unicodeScalars[index] == first {
        var probe = index
        var matched = 0
        while matched < needle.count, probe < unicodeScalars.endIndex, unicodeScalars[probe] == needle[matched] {
          probe = unicodeScalars.index(after: probe)
          matched += 1
        }
        if matched == needle.count { return index..<probe }
      }
      index = unicodeScalars.index(after: index)
    }
    return nil
  }
}

/// Describes requests for people at kubectl's verbosity levels (`-v`), through a closure so
/// the CLI decides where lines go (stderr). Every line passes through a `SecretRedactor`.
///
/// - 6: `GET https://host/api/v1/namespaces 200 OK in 12 ms` (and retries, failures)
/// - 7: and request/response headers, credentials masked
/// - 8: and bodies, truncated to 1 KiB
/// - 9: and bodies up to 10 KiB
public struct HTTPLogger: Sendable {
  /// The `-v` level; below 6 nothing is logged.
  public var verbosity: Int
  /// Scrubs every line.
  public var redactor: SecretRedactor
  /// Receives each finished line (no trailing newline).
  public var write: @Sendable (String) -> Void

  /// Creates a logger.
  public init(verbosity: Int, redactor: SecretRedactor = SecretRedactor(), write: @escaping @Sendable (String) -> Void)
  {
    self.verbosity = verbosity
    self.redactor = redactor
    self.write = write
  }

  /// A logger that writes nothing.
  public static let silent = HTTPLogger(verbosity: 0) { _ in }

  /// Logs a finished attempt: its answer or its failure.
  public func finished(
    _ request: HTTPRequest, outcome: Result<HTTPResponse, any Error>, duration: Duration, attempt: Int = 1
  ) {
    for line in lines(request, outcome: outcome, duration: duration, attempt: attempt) { write(line) }
  }

  /// Logs that a request will be sent again.
  public func retrying(_ request: HTTPRequest, after delay: Duration, reason: String, attempt: Int) {
    guard verbosity >= 6 else { return }
    write(
      redactor.redact(
        "retrying \(request.method) \(redactor.redactURL(request.url)) in \(Self.milliseconds(delay)) ms "
          + "(attempt \(attempt + 1)): \(reason)"))
  }

  /// The lines `finished` writes, for tests.
  public func lines(
    _ request: HTTPRequest, outcome: Result<HTTPResponse, any Error>, duration: Duration, attempt: Int = 1
  ) -> [String] {
    guard verbosity >= 6 else { return [] }
    let url = redactor.redactURL(request.url)
    let retry = attempt > 1 ? " (attempt \(attempt))" : ""
    var lines: [String] = []
    switch outcome {
    case .success(let response):
      lines.append(
        "\(request.method) \(url) \(response.status) \(HTTPStatusText.phrase(response.status)) in \(Self.milliseconds(duration)) ms\(retry)"
      )
    case .failure(let error):
      lines.append("\(request.method) \(url) failed in \(Self.milliseconds(duration)) ms\(retry): \(error)")
    }
    if verbosity >= 7 {
      lines += request.headers.map {
        "Request header: \($0.name): \(redactor.redactHeader(name: $0.name, value: $0.value))"
      }
      if case .success(let response) = outcome {
        lines += response.headers.map {
          "Response header: \($0.name): \(redactor.redactHeader(name: $0.name, value: $0.value))"
        }
      }
    }
    if verbosity >= 8 {
      let limit = verbosity >= 9 ? 10 * 1024 : 1024
      if !request.body.isEmpty { lines.append("Request body: " + Self.shownBody(request.body, limit: limit)) }
      if case .success(let response) = outcome, !response.body.isEmpty {
        lines.append("Response body: " + Self.shownBody(response.body, limit: limit))
      }
    }
    return lines.map(redactor.redact)
  }

  /// Body text cut at `limit` bytes (on a character boundary), saying how much was left out.
  /// A body as logged: a Secret's values masked (`SecretMask`), then truncated to `limit` bytes.
  static func shownBody(_ body: [UInt8], limit: Int) -> String {
    guard let masked = SecretMask.loggableBody(body) else { return truncated(body, limit: limit) }
    return truncated(Array(masked.utf8), limit: limit)
  }

  static func truncated(_ body: [UInt8], limit: Int) -> String {
    guard body.count > limit else { return String(decoding: body, as: UTF8.self) }
    let text = String(decoding: body.prefix(limit), as: UTF8.self)
    return text + " [truncated \(body.count - limit) bytes]"
  }

  /// A duration in whole milliseconds.
  static func milliseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}

/// Reason phrases for the status codes the API server uses.
enum HTTPStatusText {
  /// The standard reason phrase for `status`, or empty.
  static func phrase(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 204: "No Content"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 406: "Not Acceptable"
    case 409: "Conflict"
    case 410: "Gone"
    case 413: "Request Entity Too Large"
    case 415: "Unsupported Media Type"
    case 422: "Unprocessable Entity"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    default: ""
    }
  }
}
