import Manifest

/// How a server-side apply is sent.
public struct ApplyOptions: Sendable, Equatable {
  /// The field manager that owns what this apply sets (`fieldManager=`).
  public var fieldManager: String
  /// Take fields from other managers instead of failing with a conflict (`force=true`).
  public var force: Bool
  /// Let the server check and answer without persisting anything (`dryRun=All`).
  public var dryRun: Bool

  /// Creates options; meshctl's field manager is `meshctl`.
  public init(fieldManager: String = "meshctl", force: Bool = false, dryRun: Bool = false) {
    self.fieldManager = fieldManager
    self.force = force
    self.dryRun = dryRun
  }
}

/// A failure that is about the request meshctl would make, not the server's answer.
public enum KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The server serves no such kind in that API version.
  case unknownKind(kind: String, apiVersion: String, hint: String)

  public var description: String {
    switch self {
    case .unknownKind(let kind, let apiVersion, let hint):
      var text = "the server has no resource type for kind \"\(kind)\" in version \"\(apiVersion)\""
      if !hint.isEmpty { text += "; install \(hint)" }
      return text
    }
  }
}

/// One event of a watch.
public struct WatchEvent: Sendable, Equatable {
  /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
  public var type: String
  /// The object (a `Status` for `ERROR`).
  public var object: Node
}

/// The Kubernetes API of one server: discovery (cached for the life of the value),
/// server-side apply, get, list, delete, watch and access reviews. Every non-2xx answer is
/// thrown as an `APIError` whose message names the object and never a secret.
public final class KubeAPI: Sendable {
  /// The API server URL.
  public let server: String
  /// The namespace for objects that name none: `-n`, else the context's, else `default`.
  public let defaultNamespace: String
  /// Whether `defaultNamespace` came from `-n` (then an object in another namespace is refused).
  public let namespaceFromFlag: Bool
  let transport: any HTTPTransport
  let headers: HTTPHeaders
  private let verbosity: Int
  let redactor: SecretRedactor
  private let discovery = DiscoveryCache()

  /// Creates a client for `connection` sending through `transport` (which already carries the
  /// TLS material and credentials); impersonation becomes headers on every request.
  public init(
    connection: ClusterConnection, transport: any HTTPTransport, verbosity: Int = 0,
    redactor: SecretRedactor = SecretRedactor()
  ) {
    server = connection.server
    defaultNamespace = connection.namespace
    namespaceFromFlag = connection.namespaceFromFlag
    self.transport = transport
    self.verbosity = verbosity
    self.redactor = redactor
    var headers = HTTPHeaders()
    headers.add("Accept", "application/json")
    if let impersonation = connection.impersonation {
      headers.add("Impersonate-User", impersonation.user)
      if let uid = impersonation.uid { headers.add("Impersonate-Uid", uid) }
      for group in impersonation.groups { headers.add("Impersonate-Group", group) }
      for (key, values) in impersonation.extra.sorted(by: { $0.key < $1.key }) {
        for value in values { headers.add("Impersonate-Extra-\(HTTPRequest.percentEncode(key))", value) }
      }
    }
    self.headers = headers
  }

  // MARK: Discovery

  /// The server's version, e.g. `v1.32.0` (`/version`'s `gitVersion`).
  public func serverVersion() async throws -> String {
    try await versionInfo()["gitVersion"]?.string ?? "unknown"
  }

  /// The server's whole `/version` answer (`gitVersion`, `platform`, `goVersion`, ...).
  public func versionInfo() async throws -> Node {
    try await json(.get, "/version", context: APIRequestContext(verb: "get", resource: "version"))
  }

  /// The API groups the server serves (`/apis`), the core group left out; cached.
  public func groups() async throws -> [APIGroupSummary] {
    try await discovery.groups {
      let list = try await self.json(.get, "/apis", context: APIRequestContext(verb: "get", resource: "apis"))
      return DiscoveryDocuments.groups(in: list)
    }
  }

  /// The resource types of one group version (`apps/v1`, `v1`); empty when the server does not
  /// serve it; cached.
  public func resources(groupVersion: String) async throws -> [APIResource] {
    try await discovery.resources(groupVersion) {
      let (group, version) = Self.split(groupVersion: groupVersion)
      let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
      let context = APIRequestContext(verb: "get", group: group, version: version, resource: "discovery")
      let request = HTTPRequest(method: .get, server: self.server, path: path, headers: self.headers)
      let response = try await self.send(request)
      if response.status == 404 { return [] }
      guard response.isSuccess else { throw self.error(response, context) }
      return DiscoveryDocuments.resources(in: try self.decode(response, to: request), group: group, version: version)
    }
  }

  /// The resource type for `kind` in `apiVersion`, or `KubeAPIError.unknownKind`.
  public func resource(apiVersion: String, kind: String) async throws -> APIResource {
    if let found = try await resources(groupVersion: apiVersion).first(where: { $0.kind == kind }) { return found }
    let (group, _) = Self.split(groupVersion: apiVersion)
    throw KubeAPIError.unknownKind(kind: kind, apiVersion: apiVersion, hint: ProviderGroups.hint(forGroup: group))
  }

  /// Forgets what discovery found, so types created since (CRDs) are seen.
  public func refreshDiscovery() async { await discovery.clear() }

  // MARK: Objects

  /// Server-side applies `object` (a complete intent, JSON-encoded) and returns what the server
  /// answered: the object as stored, or as it would be with `dryRun`.
  public func apply(_ object: Node, as resource: APIResource, namespace: String?, name: String, options: ApplyOptions)
    async throws -> Node
  {
    var query = [("fieldManager", options.fieldManager), ("fieldValidation", "Strict")]
    if options.force { query.append(("force", "true")) }
    if options.dryRun { query.append(("dryRun", "All")) }
    var headers = self.headers
    headers.add("Content-Type", "application/apply-patch+yaml")
    let path = resource.objectPath(namespace: namespace, name: name)
    let request = HTTPRequest(
      method: .patch, server: server, path: path, query: query, headers: headers,
      body: Array(JSONEmitter.emit(object, pretty: false).utf8))
    let response = try await send(request)
    guard response.isSuccess else {
      throw error(response, resource.requestContext(verb: "patch", name: name, namespace: namespace))
    }
    return try decode(response, to: request)
  }

  /// Creates `object` (a POST of its JSON); one that exists already is an `APIError` 409
  /// (`AlreadyExists`), so of two creators exactly one wins.
  public func create(_ object: Node, as resource: APIResource, namespace: String?) async throws -> Node {
    var headers = self.headers
    headers.add("Content-Type", "application/json")
    let path = resource.collectionPath(namespace: namespace)
    let request = HTTPRequest(
      method: .post, server: server, path: path, headers: headers,
      body: Array(JSONEmitter.emit(object, pretty: false).utf8))
    let response = try await send(request)
    guard response.isSuccess else {
      throw error(response, resource.requestContext(verb: "create", name: "", namespace: namespace))
    }
    return try decode(response, to: request)
  }

  /// The object, or nil when it does not exist.
  public func get(_ resource: APIResource, namespace: String?, name: String) async throws -> Node? {
    let path = resource.objectPath(namespace: namespace, name: name)
    let request = HTTPRequest(method: .get, server: server, path: path, headers: headers)
    let response = try await send(request)
    if response.status == 404, APIStatus.decode(response.body)?.reason == "NotFound" { return nil }
    guard response.isSuccess else {
      throw error(response, resource.requestContext(verb: "get", name: name, namespace: namespace))
    }
    return try decode(response, to: request)
  }

  /// The objects of a type in `namespace` (nil: every namespace), filtered by a label selector.
  public func list(_ resource: APIResource, namespace: String?, labelSelector: String? = nil) async throws -> [Node] {
    try await listing(resource, namespace: namespace, labelSelector: labelSelector).items
  }

  /// The objects of a type and the list's `resourceVersion`, where a watch of the same type resumes.
  public func listing(_ resource: APIResource, namespace: String?, labelSelector: String? = nil) async throws
    -> (items: [Node], resourceVersion: String?)
  {
    let path = resource.collectionPath(namespace: namespace)
    let query = labelSelector.map { [("labelSelector", $0)] } ?? []
    let request = HTTPRequest(method: .get, server: server, path: path, query: query, headers: headers)
    let response = try await send(request)
    guard response.isSuccess else { throw error(response, resource.requestContext(verb: "list", namespace: namespace)) }
    let answer = try decode(response, to: request)
    let resourceVersion = answer[path: "metadata", "resourceVersion"]?.string
    guard let items = answer["items"] else { return ([], resourceVersion) }
    guard let list = items.sequence else {
      throw APIError(unreadable: response, to: request, problem: "items is not a list", redactor: redactor)
    }
    return (list, resourceVersion)
  }

  /// Deletes the object, its dependents in the background (kubectl's default cascade);
  /// returns false when it did not exist. A NotFound that answers a retry counts as deleted: the
  /// attempt whose answer was lost (a dropped connection, a 5xx) may have deleted it.
  @discardableResult
  public func delete(_ resource: APIResource, namespace: String?, name: String, dryRun: Bool = false) async throws
    -> Bool
  {
    let path = resource.objectPath(namespace: namespace, name: name)
    let query = dryRun ? [("dryRun", "All")] : []
    var headers = self.headers
    headers.add("Content-Type", "application/json")
    let body = Array(#"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"#.utf8)
    let request = HTTPRequest(method: .delete, server: server, path: path, query: query, headers: headers, body: body)
    let response = try await send(request)
    if response.status == 404, APIStatus.decode(response.body)?.reason == "NotFound" { return response.attempt > 1 }
    guard response.isSuccess else {
      throw error(response, resource.requestContext(verb: "delete", name: name, namespace: namespace))
    }
    _ = try decode(response, to: request)  // a proxy's page with 200 is no deletion
    return true
  }

  /// The events of a watch that the server ends after `timeoutSeconds`: a bounded window of
  /// changes since `resourceVersion` (the transport hands over whole answers).
  public func watch(
    _ resource: APIResource, namespace: String?, labelSelector: String? = nil, resourceVersion: String? = nil,
    timeoutSeconds: Int
  ) async throws -> [WatchEvent] {
    let path = resource.collectionPath(namespace: namespace)
    var query = [("watch", "1"), ("timeoutSeconds", String(timeoutSeconds))]
    if let labelSelector { query.append(("labelSelector", labelSelector)) }
    if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
    let response = try await send(HTTPRequest(method: .get, server: server, path: path, query: query, headers: headers))
    guard response.isSuccess else {
      throw error(response, resource.requestContext(verb: "watch", namespace: namespace))
    }
    let (documents, _) = ManifestReader().parse(
      response.text.split(separator: "\n").joined(separator: "\n---\n"), file: path)
    return documents.compactMap { document in
      guard let type = document.root["type"]?.string, let object = document.root["object"] else { return nil }
      return WatchEvent(type: type, object: object)
    }
  }

  /// Whether the current user may do `verb` on `resource` (a SelfSubjectAccessReview).
  public func mayI(_ verb: String, group: String, resource: String, namespace: String?) async throws -> Bool {
    var attributes: [MappingEntry] = [
      MappingEntry(key: "verb", value: .string(verb)), MappingEntry(key: "group", value: .string(group)),
      MappingEntry(key: "resource", value: .string(resource)),
    ]
    if let namespace { attributes.append(MappingEntry(key: "namespace", value: .string(namespace))) }
    let review = Node.mapping([
      "apiVersion": .string("authorization.k8s.io/v1"), "kind": .string("SelfSubjectAccessReview"),
      "spec": .mapping(["resourceAttributes": .mapping(attributes)]),
    ])
    let path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    var headers = self.headers
    headers.add("Content-Type", "application/json")
    let request = HTTPRequest(
      method: .post, server: server, path: path, headers: headers,
      body: Array(JSONEmitter.emit(review, pretty: false).utf8))
    let response = try await send(request)
    let context = APIRequestContext(verb: "create", group: "authorization.k8s.io", resource: "selfsubjectaccessreviews")
    guard response.isSuccess else { throw error(response, context) }
    return try decode(response, to: request)[path: "status", "allowed"]?.bool ?? false
  }

  // MARK: Plumbing

  /// Sends `request`, with transport errors scrubbed of secrets.
  private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    do {
      return try await transport.send(request)
    } catch let failure as TransportError {
      throw failure.redacted(by: redactor)
    }
  }

  /// A GET (or other body-less request) whose 2xx answer is read as JSON.
  private func json(_ method: HTTPMethod, _ path: String, context: APIRequestContext) async throws -> Node {
    let request = HTTPRequest(method: method, server: server, path: path, headers: headers)
    let response = try await send(request)
    guard response.isSuccess else { throw error(response, context) }
    return try decode(response, to: request)
  }

  /// The JSON object of a 2xx answer, read from its bytes in place (no text copy); anything else
  /// (an HTML page, a cut or malformed body, a bare scalar) is an `APIError` naming what came.
  /// The transport already bounded the body (`TransportOptions.maxResponseBytes`).
  func decode(_ response: HTTPResponse, to request: HTTPRequest) throws -> Node {
    func unreadable(_ problem: String) -> APIError {
      APIError(unreadable: response, to: request, problem: problem, redactor: redactor)
    }
    guard Self.startsAsJSONObject(response.body) else { throw unreadable("it does not start with {") }
    // Read as the JSON it must be: what is not JSON is refused, and what the YAML reader would
    // read otherwise than JSON is rewritten first (JSONAnswer).
    let body: [UInt8]
    do {
      body = try JSONAnswer.readable(response.body)
    } catch {
      throw unreadable(error.message)
    }
    let limits = ReaderLimits(maxInputBytes: body.count + 1, maxDocumentBytes: body.count + 1, maxDepth: 200)
    var documents: [Document] = []
    let summary = try ManifestReader(limits: limits).read(MemorySource(body), file: "answer") {
      documents.append($0)
    }
    let errors = (summary.diagnostics + documents.flatMap(\.diagnostics)).filter { $0.severity == .error }
    if let first = errors.first { throw unreadable(first.message) }
    guard documents.count == 1, let root = documents.first?.root, root.mapping != nil else {
      throw unreadable("not exactly one JSON object")
    }
    return root
  }

  /// Whether the first byte after white space is `{`.
  static func startsAsJSONObject(_ body: [UInt8]) -> Bool {
    body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
  }

  private func error(_ response: HTTPResponse, _ context: APIRequestContext) -> APIError {
    APIError(response: response, context: context, verbosity: verbosity, redactor: redactor)
  }

  /// `("apps", "v1")` for `apps/v1`, `("", "v1")` for `v1`.
  public static func split(groupVersion: String) -> (group: String, version: String) {
    guard let slash = groupVersion.firstIndex(of: "/") else { return ("", groupVersion) }
    return (String(groupVersion[..<slash]), String(groupVersion[groupVersion.index(after: slash)...]))
  }
}

/// Discovery answers for one run, each fetched once even when many tasks ask at the same time.
private actor DiscoveryCache {
  private var groupList: Task<[APIGroupSummary], any Error>?
  private var resourceLists: [String: Task<[APIResource], any Error>] = [:]

  func groups(_ fetch: @escaping @Sendable () async throws -> [APIGroupSummary]) async throws -> [APIGroupSummary] {
    if let groupList { return try await groupList.value }
    let task = Task { try await fetch() }
    groupList = task
    return try await task.value
  }

  func resources(_ groupVersion: String, _ fetch: @escaping @Sendable () async throws -> [APIResource]) async throws
    -> [APIResource]
  {
    if let known = resourceLists[groupVersion] { return try await known.value }
    let task = Task { try await fetch() }
    resourceLists[groupVersion] = task
    return try await task.value
  }

  func clear() {
    groupList = nil
    resourceLists = [:]
  }
}

extension TransportOptions {
  /// Requests in flight to an API server: what bounds a big apply is its number of round trips,
  /// ceil(objects in a tier / this) per tier (bench/README.md, "Apply": 500 objects at 10 ms a
  /// request took 0.81 s over 8, 0.42 s over 32; at 100 a tier of 250 takes 3 round trips).
  /// Over HTTP/2, what API servers speak, they are streams of one connection, and 100 is what
  /// kube-apiserver itself announces as SETTINGS_MAX_CONCURRENT_STREAMS (since the CVE-2023-44487
  /// fix); to a server that announces fewer, libcurl opens another connection for the rest rather
  /// than go past them. A small share of what an API server
  /// admits at once from all its clients (`--max-mutating-requests-inflight` 200 and
  /// `--max-requests-inflight` 400 by default; past them it answers 429, which is retried).
  public static let clusterRequestsInFlight = 100

  /// Connections to an API server that speaks only HTTP/1.1, one request in flight on each, as
  /// client-go opens them: fewer than `clusterRequestsInFlight`, each costing a TLS setup.
  public static let clusterConnectionsPerHost = 64

  /// The transport settings for a resolved connection (exec plugins already run): up to
  /// `clusterRequestsInFlight` requests multiplexed on one connection over HTTP/2, up to
  /// `clusterConnectionsPerHost` connections over HTTP/1.1.
  public init(
    connection: ClusterConnection, version: String, maxConcurrentRequests: Int = clusterRequestsInFlight,
    maxConnectionsPerHost: Int = clusterConnectionsPerHost
  ) {
    self.init(
      certificateAuthorityPEM: connection.certificateAuthority, clientCertificatePEM: connection.clientCertificate,
      clientKeyPEM: connection.clientKey?.value, bearerToken: connection.bearerToken?.value,
      basicAuth: connection.basicAuth.map { BasicAuth(username: $0.username, password: $0.password.value) },
      insecureSkipTLSVerify: connection.insecureSkipTLSVerify, tlsServerName: connection.tlsServerName,
      proxy: connection.proxyURL.map { .url($0) } ?? .environment, requestTimeout: connection.requestTimeout,
      version: version, maxConcurrentRequests: maxConcurrentRequests, maxConnectionsPerHost: maxConnectionsPerHost)
  }
}
