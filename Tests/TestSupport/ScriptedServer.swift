import Foundation
import KubeClient

/// The requests a scripted cluster received, in order; commands send from several tasks.
public final class RequestLog: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [HTTPRequest] = []

  /// Creates an empty log.
  public init() {}

  /// Every request so far.
  public var requests: [HTTPRequest] {
    lock.lock()
    defer { lock.unlock() }
    return entries
  }

  /// Adds a request.
  public func record(_ request: HTTPRequest) {
    lock.lock()
    entries.append(request)
    lock.unlock()
  }

  /// A request's path (`/api/v1/...`) without the server and the query.
  public static func path(of request: HTTPRequest) -> String {
    let url = request.url
    let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
    let path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? ""
    return String(path.split(separator: "?", omittingEmptySubsequences: false)[0])
  }
}

/// A scripted API server: GETs answered from a table of paths, every PATCH answered with its
/// body (or a conflict for the names in `conflicting`), every request recorded in order.
public final class ScriptedServer: HTTPTransport, @unchecked Sendable {
  private let log = RequestLog()
  private let lock = NSLock()
  private var table: [String: String]
  private var conflictingNames: Set<String> = []
  private var patchHandler: (@Sendable (HTTPRequest) -> HTTPResponse?)?
  /// Whether a GET of a collection not in the table is an empty list (else 404).
  public let emptyCollections: Bool

  /// A server answering GETs of `answers`' paths with their JSON.
  public init(answers: [String: String], emptyCollections: Bool = false) {
    table = answers
    self.emptyCollections = emptyCollections
  }

  /// Every request so far.
  public var requests: [HTTPRequest] { log.requests }

  /// The PATCH requests' paths, without the query.
  public var patchedPaths: [String] { requests.filter { $0.method == .patch }.map(RequestLog.path) }

  /// The PATCH requests' bodies, as text.
  public var patchedBodies: [String] {
    requests.filter { $0.method == .patch }.map { String(decoding: $0.body, as: UTF8.self) }
  }

  /// Object names whose PATCH is refused with a field-manager conflict.
  public var conflicting: Set<String> {
    get { lock.withLock { conflictingNames } }
    set { lock.withLock { conflictingNames = newValue } }
  }

  /// Answers PATCH requests before the default (nil: the default answer); for races and
  /// refusals a test scripts.
  public var onPatch: (@Sendable (HTTPRequest) -> HTTPResponse?)? {
    get { lock.withLock { patchHandler } }
    set { lock.withLock { patchHandler = newValue } }
  }

  /// Sets (or replaces) the answer to a GET of `path`.
  public func answer(_ path: String, with json: String) {
    lock.withLock { table[path] = json }
  }

  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    log.record(request)
    let path = RequestLog.path(of: request)
    if request.method == .patch {
      let name = String(path.split(separator: "/").last ?? "")
      if conflicting.contains(name) { return Self.conflict(name) }
      if let answer = onPatch?(request) { return answer }
      return HTTPResponse(status: 200, body: request.body)
    }
    if request.method == .get {
      if let answer = lock.withLock({ table[path] }) { return Self.json(answer) }
      if emptyCollections, path.hasSuffix("s") { return Self.json(#"{"kind":"List","items":[]}"#) }
    }
    return HTTPResponse(
      status: 404,
      body: Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#.utf8))
  }

  /// A 200 answer with `text` as its body.
  public static func json(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, body: Array(text.utf8)) }

  /// The 409 a server-side apply gets when another field manager owns `.spec.replicas`.
  static func conflict(_ name: String) -> HTTPResponse {
    HTTPResponse(
      status: 409,
      body: Array(
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Apply failed with 1 conflict: conflict with \"autoscaler\" using apps/v1: .spec.replicas","reason":"Conflict","details":{"name":"\#(name)","group":"apps","kind":"deployments","causes":[{"reason":"FieldManagerConflict","message":"conflict with \"autoscaler\" using apps/v1","field":".spec.replicas"}]},"code":409}"#
          .utf8))
  }
}

/// Discovery answers the scripted servers share.
public enum Discovery {
  /// `/api/v1` with Namespaces, Services, ConfigMaps and Pods.
  public static let core = #"""
    {"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","namespaced":false,"kind":"Namespace"},{"name":"services","namespaced":true,"kind":"Service"},{"name":"configmaps","namespaced":true,"kind":"ConfigMap"},{"name":"pods","namespaced":true,"kind":"Pod"}]}
    """#
  /// `/apis/apps/v1` with the workload kinds.
  public static let apps = #"""
    {"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment"},{"name":"deployments/scale","namespaced":true,"kind":"Scale"},{"name":"statefulsets","namespaced":true,"kind":"StatefulSet"},{"name":"daemonsets","namespaced":true,"kind":"DaemonSet"}]}
    """#
  /// `/apis` serving apps and Istio's networking and security groups.
  public static let istioGroups = #"""
    {"kind":"APIGroupList","groups":[
      {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
      {"name":"networking.istio.io","versions":[{"groupVersion":"networking.istio.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"networking.istio.io/v1","version":"v1"}},
      {"name":"security.istio.io","versions":[{"groupVersion":"security.istio.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"security.istio.io/v1","version":"v1"}}]}
    """#
  /// `/apis/networking.istio.io/v1`.
  public static let istioNetworking = #"""
    {"kind":"APIResourceList","groupVersion":"networking.istio.io/v1","resources":[{"name":"virtualservices","namespaced":true,"kind":"VirtualService"},{"name":"destinationrules","namespaced":true,"kind":"DestinationRule"}]}
    """#
  /// `/apis/security.istio.io/v1`.
  public static let istioSecurity = #"""
    {"kind":"APIResourceList","groupVersion":"security.istio.io/v1","resources":[{"name":"peerauthentications","namespaced":true,"kind":"PeerAuthentication"}]}
    """#
}
