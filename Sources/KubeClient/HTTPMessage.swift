/// An HTTP method as meshctl uses it against the Kubernetes API.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
  /// The method's token, e.g. `GET`.
  public var rawValue: String
  /// Creates a method from its token.
  public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

  /// `GET`: read an object, a list, discovery.
  public static let get = HTTPMethod(rawValue: "GET")
  /// `HEAD`: like GET without a body.
  public static let head = HTTPMethod(rawValue: "HEAD")
  /// `POST`: create.
  public static let post = HTTPMethod(rawValue: "POST")
  /// `PUT`: replace (update with resourceVersion).
  public static let put = HTTPMethod(rawValue: "PUT")
  /// `PATCH`: merge patch, JSON patch, or server-side apply (by content type).
  public static let patch = HTTPMethod(rawValue: "PATCH")
  /// `DELETE`: delete.
  public static let delete = HTTPMethod(rawValue: "DELETE")

  /// The method's token.
  public var description: String { rawValue }
}

/// Header names and values in order, looked up case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
  /// The fields in the order they were added.
  public private(set) var fields: [(name: String, value: String)] = []

  /// Creates an empty header list.
  public init() {}

  /// Creates headers from literal pairs, in order.
  public init(dictionaryLiteral elements: (String, String)...) {
    for (name, value) in elements { add(name, value) }
  }

  /// Appends a field, keeping any earlier one with the same name.
  public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

  /// Replaces every field named `name` with one field, or removes them when `value` is nil.
  public mutating func set(_ name: String, _ value: String?) {
    fields.removeAll { $0.name.lowercased() == name.lowercased() }
    if let value { add(name, value) }
  }

  /// The first value of the field named `name`, in any letter case.
  public subscript(name: String) -> String? {
    let wanted = name.lowercased()
    return fields.first { $0.name.lowercased() == wanted }?.value
  }

  /// Iterates the fields in order.
  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
    fields.makeIterator()
  }

  /// Equal when the same fields appear in the same order with the same spelling.
  public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
    lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
  }

  /// Hashes the fields in order.
  public func hash(into hasher: inout Hasher) {
    for field in fields {
      hasher.combine(field.name)
      hasher.combine(field.value)
    }
  }
}

/// One request to the API server: the transport adds the server, credentials and TLS.
public struct HTTPRequest: Sendable, Hashable {
  /// The method.
  public var method: HTTPMethod
  /// The absolute URL (`https://host:port/apis/...?...`), query already percent-encoded.
  public var url: String
  /// Request headers (without credentials; the transport adds `Authorization`).
  public var headers: HTTPHeaders
  /// The body bytes; empty for none.
  public var body: [UInt8]

  /// Creates a request.
  public init(method: HTTPMethod, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
  }

  /// Creates a request for `path` (starting with `/`) and query items under `server`
  /// (`https://host:port`, perhaps with a path prefix), percent-encoding the query.
  public init(
    method: HTTPMethod, server: String, path: String, query: [(String, String)] = [],
    headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
  ) {
    var url = server.hasSuffix("/") ? String(server.dropLast()) : server
    url += path
    if !query.isEmpty {
      url +=
        "?"
        + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }
        .joined(separator: "&")
    }
    self.init(method: method, url: url, headers: headers, body: body)
  }

  /// Percent-encodes everything but RFC 3986 unreserved characters, so label selectors such as
  /// `app in (a,b)` and `a!=b` survive as one query value.
  public static func percentEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = Array("0123456789ABCDEF")
        out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
      }
    }
    return out
  }

  /// Whether repeating this request cannot change the result: GET, HEAD, DELETE, and PATCH with
  /// server-side apply (`application/apply-patch+yaml` declares the whole intent, so sending it
  /// twice is the same as once — kubernetes.io/docs/reference/using-api/server-side-apply).
  /// POST, PUT, merge and JSON patches are not: a retry could create twice or patch twice. Nor
  /// is an apply conditional on a `resourceVersion` (shift's route writes): when the lost
  /// attempt was applied, the same request sent again fails as a conflict with itself.
  public var isIdempotent: Bool {
    switch method {
    case .get, .head, .delete: return true
    case .patch:
      let type = headers["Content-Type"]?.lowercased() ?? ""
      return type.hasPrefix("application/apply-patch+yaml") && !Self.contains(body, #""resourceVersion":"#)
    default: return false
    }
  }

  /// Whether `bytes` contain `text` (a byte search; bodies are JSON that meshctl emitted).
  static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard let first = needle.first, bytes.count >= needle.count else { return false }
    for start in 0...(bytes.count - needle.count) where bytes[start] == first {
      if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
    }
    return false
  }
}

/// The answer to one request.
public struct HTTPResponse: Sendable, Hashable {
  /// The status code, e.g. 200.
  public var status: Int
  /// Response headers in order (of the final response, after any 1xx).
  public var headers: HTTPHeaders
  /// The body bytes (decompressed).
  public var body: [UInt8]
  /// The HTTP version that carried it, e.g. "1.1" or "2"; empty when unknown.
  public var httpVersion: String
  /// Which attempt got this answer (1: the first); `RetryingTransport` sets it.
  public var attempt = 1

  /// Creates a response.
  public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], httpVersion: String = "") {
    self.status = status
    self.headers = headers
    self.body = body
    self.httpVersion = httpVersion
  }

  /// Whether the status is 2xx.
  public var isSuccess: Bool { (200..<300).contains(status) }

  /// The body as UTF-8 text (invalid sequences repaired).
  public var text: String { String(decoding: body, as: UTF8.self) }

  /// `Retry-After` in whole seconds when it is given as a number (the form the API server
  /// sends); HTTP-date values are not used by Kubernetes and read as absent.
  public var retryAfterSeconds: Int? {
    guard let value = headers["Retry-After"]?.trimmingSpaces, let seconds = Int(value), seconds >= 0
    else { return nil }
    return seconds
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs (no Foundation needed).
  var trimmingSpaces: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" })
    else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" })!
    return String(scalars[first...last])
  }
}

/// Sends requests to a server. Implementations must allow many concurrent `send` calls
/// (meshctl applies a tier of objects at once); tests replace it with a scripted fake.
public protocol HTTPTransport: Sendable {
  /// Sends one request and returns the server's answer, whatever its status; throws
  /// `TransportError` when no answer arrived.
  func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

extension HTTPTransport {
  /// Sends every request concurrently (the transport bounds how many are in flight) and
  /// returns the outcomes in the order of `requests`.
  public func sendAll(_ requests: [HTTPRequest]) async -> [Result<HTTPResponse, any Error>] {
    await withTaskGroup(of: (Int, Result<HTTPResponse, any Error>).self) { group in
      for (index, request) in requests.enumerated() {
        group.addTask {
          do { return (index, .success(try await self.send(request))) } catch { return (index, .failure(error)) }
        }
      }
      var results = [Result<HTTPResponse, any Error>?](repeating: nil, count: requests.count)
      for await (index, result) in group { results[index] = result }
      return results.map { $0! }
    }
  }
}
