import Manifest

/// What a request asked for, so an error can say it in the user's terms (the 404 for a
/// missing type names the group; the 403 falls back to it).
public struct APIRequestContext: Sendable, Equatable {
  /// The API verb: `get`, `list`, `patch`, `create`, `delete`, `watch`.
  public var verb: String
  /// The API group; empty for the core group.
  public var group: String
  /// The version, e.g. `v1`.
  public var version: String
  /// The resource (plural), e.g. `virtualservices`.
  public var resource: String
  /// The object name, if one.
  public var name: String
  /// The namespace, if namespaced.
  public var namespace: String
  /// What would provide a missing type, e.g. `the Istio CRDs (is Istio installed?)`.
  public var providerHint: String

  /// Creates a context.
  public init(
    verb: String, group: String = "", version: String = "v1", resource: String, name: String = "",
    namespace: String = "", providerHint: String = ""
  ) {
    self.verb = verb
    self.group = group
    self.version = version
    self.resource = resource
    self.name = name
    self.namespace = namespace
    self.providerHint = providerHint
  }

  /// `deployments.apps` or `services`, as kubectl names a resource.
  public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
  /// `apps/v1` or `v1`.
  public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  /// `deployments.apps "web"` (or the resource alone), with ` in namespace "x"` when namespaced.
  var subject: String {
    var text = name.isEmpty ? qualifiedResource : "\(qualifiedResource) \"\(name)\""
    if !namespace.isEmpty { text += " in namespace \"\(namespace)\"" }
    return text
  }
}

/// A field another manager owns, from a server-side apply conflict.
public struct FieldConflict: Sendable, Equatable {
  /// The other field manager, e.g. `kubectl-client-side-apply`.
  public var manager: String
  /// The field path, e.g. `.spec.replicas`.
  public var field: String
  /// The other manager's API version, e.g. `apps/v1`, when given.
  public var apiVersion: String
  /// Creates a conflict.
  public init(manager: String, field: String, apiVersion: String = "") {
    self.manager = manager
    self.field = field
    self.apiVersion = apiVersion
  }
}

/// A non-2xx answer from the API server, as an error a person can act on (kubectl's
/// `cmdutil.CheckErr` style). `description` never contains credentials.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of failure it is.
  public enum Category: Sendable, Equatable {
    /// 409 from server-side apply: fields owned by other managers (CLI exit 4).
    case applyConflict
    /// 409 for other reasons: `AlreadyExists`, a stale `resourceVersion`.
    case conflict
    /// 401: credentials rejected.
    case unauthorized
    /// 403: RBAC denied.
    case forbidden
    /// 404 for a named object.
    case notFound
    /// 404 for the resource type itself: the group or its CRDs are not installed.
    case resourceTypeMissing
    /// 422: the object is invalid.
    case invalid
    /// A 2xx answer that is not the JSON object asked for (a proxy's login page, a cut body).
    case unreadableAnswer
    /// Anything else (5xx, 400, 429 after retries, ...).
    case other
  }

  /// Whether the CLI reports this as an apply conflict (exit 4) or a cluster failure (exit 3).
  public enum FailureClass: Sendable, Equatable {
    /// Re-running with `--force-conflicts` would succeed (exit 4).
    case conflict
    /// The cluster or API refused or failed (exit 3).
    case cluster
  }

  /// The HTTP status.
  public var httpStatus: Int
  /// The decoded `Status`, when the body was one.
  public var status: APIStatus?
  /// The kind of failure.
  public var category: Category
  /// Fields in conflict (apply conflicts only).
  public var conflicts: [FieldConflict]
  /// The message for people.
  public var description: String

  /// Whether this is a server-side apply conflict (exit 4).
  public var isConflict: Bool { category == .applyConflict }
  /// The exit-code class.
  public var failureClass: FailureClass { isConflict ? .conflict : .cluster }

  /// Builds the error for `response` to the request described by `context`. A body that is not
  /// a `Status` is quoted (first 200 bytes, scrubbed) only at `verbosity` 8 and above.
  public init(
    response: HTTPResponse, context: APIRequestContext, verbosity: Int = 0, redactor: SecretRedactor = SecretRedactor()
  ) {
    self.init(
      response: response, status: APIStatus.decode(response.body), context: context, verbosity: verbosity,
      redactor: redactor)
  }

  /// The error for `response` whose body was already decoded (`APIStatus.decode`) as `status`:
  /// a caller that builds several errors from one answer decodes it once.
  public init(
    response: HTTPResponse, status: APIStatus?, context: APIRequestContext, verbosity: Int = 0,
    redactor: SecretRedactor = SecretRedactor()
  ) {
    httpStatus = response.status
    self.status = status
    conflicts = []
    category = .other
    description = ""
    guard let status else {
      description = redactor.redact(Self.nonStatusMessage(response, context: context, verbosity: verbosity))
      category = Self.category(forNonStatus: response.status)
      return
    }
    let code = status.code != 0 ? status.code : response.status
    switch (code, status.reason) {
    case (409, _) where Self.isApplyConflict(status):
      category = .applyConflict
      conflicts = Self.fieldConflicts(status)
      description = Self.applyConflictMessage(conflicts, status: status, context: context)
    case (409, _):
      category = .conflict
      description = status.message
    case (401, _):
      category = .unauthorized
      description =
        "unauthorized: the server rejected the credentials (\(status.message.isEmpty ? "Unauthorized" : status.message)); "
        + "check the token or client certificate in the kubeconfig (it may have expired)"
    case (403, _):
      category = .forbidden
      description = Self.forbiddenMessage(status, context: context)
    case (404, _)
    where status.name.isEmpty
      && (context.name.isEmpty || status.message.contains("could not find the requested resource")):
      category = .resourceTypeMissing
      description = Self.missingTypeMessage(context)
    case (404, _):
      category = .notFound
      description = status.message.isEmpty ? "\(context.subject) not found" : status.message
    case (422, _), (_, "Invalid"):
      category = .invalid
      description = Self.invalidMessage(status, context: context)
    default:
      description = status.message.isEmpty ? "the server answered \(Self.statusText(code))" : status.message
    }
    if description.isEmpty {
      // A Status without a message (409, 422 without causes) still says what failed; fuzzing
      // found the empty one.
      description = "\(context.verb) \(context.subject): the server answered \(Self.statusText(code))"
    }
    description = redactor.redact(description)
  }

  /// The error for a 2xx answer to `request` that is not a JSON object: it names the URL, the
  /// status, the content type and the first bytes (elided, scrubbed), and `problem` (why it
  /// could not be read). A cluster failure (exit 3), never an empty success.
  public init(
    unreadable response: HTTPResponse, to request: HTTPRequest, problem: String,
    redactor: SecretRedactor = SecretRedactor()
  ) {
    httpStatus = response.status
    status = nil
    conflicts = []
    category = .unreadableAnswer
    let type = response.headers["Content-Type"].map { "Content-Type \($0)" } ?? "no Content-Type"
    // What loggableBody would mask is exactly what mentions a Secret: a byte search says so
    // without reading the body (which was a sixth of the time spent on an unreadable answer).
    let shown =
      SecretMask.mentionsSecret(response.body)
      ? "(not shown: it mentions a Secret)" : Self.firstBytes(response.body, limit: 80)
    let text =
      "the server's answer to \(request.method) \(redactor.redactURL(request.url)) is not a Kubernetes JSON object "
      + "(\(problem)): \(Self.statusText(response.status)), \(type), \(response.body.count) bytes, starting \(shown); "
      + "is a proxy or login page between meshctl and the API server? check the server address in the kubeconfig"
    description = redactor.redact(text)
  }

  /// The first `limit` bytes of `body` on one line, quoted, control characters escaped and `…`
  /// when elided, so an HTML page or binary junk cannot flood or garble the terminal.
  static func firstBytes(_ body: [UInt8], limit: Int) -> String {
    var shown = ""
    for scalar in String(decoding: body.prefix(limit), as: UTF8.self).unicodeScalars {
      switch scalar {
      case "\n": shown += "\\n"
      case "\r": shown += "\\r"
      case "\t": shown += "\\t"
      case "\"": shown += "\\\""
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        shown += "\\x" + String(scalar.value, radix: 16, uppercase: true)
      default: shown.unicodeScalars.append(scalar)
      }
    }
    return "\"" + shown + (body.count > limit ? "…\"" : "\"")
  }

  static func statusText(_ code: Int) -> String {
    let phrase = HTTPStatusText.phrase(code)
    return phrase.isEmpty ? "HTTP \(code)" : "HTTP \(code) \(phrase)"
  }

  static func category(forNonStatus code: Int) -> Category {
    switch code {
    case 401: .unauthorized
    case 403: .forbidden
    default: .other
    }
  }

  /// A body that is not a `Status` (a proxy's HTML page, a load balancer's text).
  static func nonStatusMessage(_ response: HTTPResponse, context: APIRequestContext, verbosity: Int) -> String {
    var text = "\(context.verb) \(context.subject): the server answered \(statusText(response.status))"
    if response.body.isEmpty { return text }
    if verbosity >= 8 {
      text += " with a body that is not a Kubernetes Status: " + HTTPLogger.shownBody(response.body, limit: 200)
    } else {
      text += " (not a Kubernetes Status; run with -v=8 to see the body)"
    }
    return text
  }

  // MARK: server-side apply conflicts

  /// kube-apiserver answers an apply conflict with 409, reason `Conflict`, a message starting
  /// "Apply failed with", and one `FieldManagerConflict` cause per field
  /// (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager, `NewConflictError`).
  static func isApplyConflict(_ status: APIStatus) -> Bool {
    status.causes.contains { $0.reason == "FieldManagerConflict" } || status.message.hasPrefix("Apply failed with")
  }

  /// The conflicts from the causes, else from the message's lines.
  static func fieldConflicts(_ status: APIStatus) -> [FieldConflict] {
    let fromCauses = status.causes.filter { $0.reason == "FieldManagerConflict" }.compactMap {
      cause -> FieldConflict? in
      guard let manager = quoted(after: "conflict with ", in: cause.message) else { return nil }
      return FieldConflict(manager: manager, field: cause.field, apiVersion: after(" using ", in: cause.message) ?? "")
    }
    return fromCauses.isEmpty ? conflictsFromMessage(status.message) : fromCauses
  }

  /// Reads "Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas" and
  /// the multi-line form "conflicts with "m" using apps/v1:\n- .a\n- .b".
  static func conflictsFromMessage(_ message: String) -> [FieldConflict] {
    var result: [FieldConflict] = []
    var manager = ""
    var apiVersion = ""
    for rawLine in message.split(separator: "\n") {
      let line = String(rawLine).trimmingSpaces
      if line.hasPrefix("- ") {
        result.append(FieldConflict(manager: manager, field: String(line.dropFirst(2)), apiVersion: apiVersion))
        continue
      }
      guard let found = quoted(after: "with \"", in: line, includeQuote: false) else { continue }
      manager = found
      let rest = after(" using ", in: line) ?? ""
      let pieces = rest.split(separator: ":", maxSplits: 1).map { String($0).trimmingSpaces }
      apiVersion = pieces.first ?? ""
      if pieces.count == 2, !pieces[1].isEmpty {
        result.append(FieldConflict(manager: manager, field: pieces[1], apiVersion: apiVersion))
      }
    }
    return result
  }

  static func applyConflictMessage(_ conflicts: [FieldConflict], status: APIStatus, context: APIRequestContext)
    -> String
  {
    guard !conflicts.isEmpty else {
      return
        "apply conflict on \(context.subject): \(status.message)\nre-run with --force-conflicts to take the fields over"
    }
    let managers = Array(Set(conflicts.map(\.manager))).sorted()
    let names = managers.map { "\"\($0)\"" }.joined(separator: ", ")
    let noun = conflicts.count == 1 ? "1 field is" : "\(conflicts.count) fields are"
    var lines = [
      "apply conflict on \(context.subject): \(noun) managed by \(managers.count == 1 ? "field manager" : "field managers") \(names):"
    ]
    for conflict in conflicts {
      let using = conflict.apiVersion.isEmpty ? "" : " using \(conflict.apiVersion)"
      lines.append("  - \(conflict.field) (\"\(conflict.manager)\"\(using))")
    }
    lines.append(
      "re-run with --force-conflicts to take these fields over, or remove them from your manifest "
        + "(kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts)")
    return lines.joined(separator: "\n")
  }

  // MARK: 403, 404, 422

  /// RBAC's message: `deployments.apps "web" is forbidden: User "alice" cannot patch resource
  /// "deployments" in API group "apps" in the namespace "prod"`.
  static func forbiddenMessage(_ status: APIStatus, context: APIRequestContext) -> String {
    let message = status.message
    let user = quoted(after: "User ", in: message) ?? quoted(after: "user ", in: message)
    let verb = word(after: "cannot ", in: message) ?? context.verb
    let resource = quoted(after: "resource ", in: message) ?? context.resource
    let group = quoted(after: "API group ", in: message) ?? context.group
    let namespace = quoted(after: "namespace ", in: message) ?? context.namespace
    let qualified = group.isEmpty ? resource : "\(resource).\(group)"
    let scope = namespace.isEmpty ? " at the cluster scope" : " in namespace \"\(namespace)\""
    let who = user.map { "user \"\($0)\"" } ?? "the current user"
    let check = "kubectl auth can-i \(verb) \(qualified)" + (namespace.isEmpty ? "" : " -n \(namespace)")
    return "forbidden: \(who) cannot \(verb) \(qualified)\(scope); "
      + "ask a cluster administrator for that RBAC permission (check with: \(check))"
  }

  static func missingTypeMessage(_ context: APIRequestContext) -> String {
    var text = "the server has no \(context.resource) in \(context.groupVersion)"
    if context.group.isEmpty {
      text += " (the core API group)"
    } else {
      text += ": the API group \(context.group) (or its CRDs) is not installed"
    }
    if !context.providerHint.isEmpty { text += "; install \(context.providerHint)" }
    return text
  }

  /// kubectl's form: `The Deployment "web" is invalid:` and `* field: message` per cause.
  static func invalidMessage(_ status: APIStatus, context: APIRequestContext) -> String {
    guard !status.causes.isEmpty else { return status.message }
    let kind = status.kind.isEmpty ? context.qualifiedResource : status.kind
    let name = status.name.isEmpty ? context.name : status.name
    var lines = ["The \(kind) \"\(name)\" is invalid:"]
    for cause in status.causes {
      lines.append(cause.field.isEmpty ? "* \(cause.message)" : "* \(cause.field): \(cause.message)")
    }
    return lines.joined(separator: "\n")
  }

  // MARK: text helpers

  /// The double-quoted text right after `marker` in `text` (marker may end with the quote).
  static func quoted(after marker: String, in text: String, includeQuote: Bool = true) -> String? {
    guard let range = text.scalarRange(of: marker) else { return nil }
    var rest = text[range.upperBound...]
    if includeQuote {
      guard rest.hasPrefix("\"") else { return nil }
      rest = rest.dropFirst()
    }
    guard let close = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<close])
  }

  /// Everything after `marker`, trimmed.
  static func after(_ marker: String, in text: String) -> String? {
    guard let range = text.scalarRange(of: marker) else { return nil }
    return String(text[range.upperBound...]).trimmingSpaces
  }

  /// The word right after `marker`.
  static func word(after marker: String, in text: String) -> String? {
    guard let rest = after(marker, in: text) else { return nil }
    return rest.split(separator: " ").first.map(String.init)
  }
}
