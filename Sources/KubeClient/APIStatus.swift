import Manifest

/// A Kubernetes `Status` object, the body of every API error
/// (kubernetes.io/docs/reference/kubernetes-api/common-definitions/status).
public struct APIStatus: Sendable, Equatable {
  /// One cause of a failure, usually a field (`details.causes[]`).
  public struct Cause: Sendable, Equatable {
    /// The field path, e.g. `spec.replicas` or `.spec.replicas`.
    public var field: String
    /// What is wrong with it.
    public var message: String
    /// A machine reason, e.g. `FieldValueInvalid`, `FieldManagerConflict`.
    public var reason: String
    /// Creates a cause.
    public init(field: String = "", message: String = "", reason: String = "") {
      self.field = field
      self.message = message
      self.reason = reason
    }
  }

  /// `Failure` or `Success`.
  public var status: String
  /// The HTTP code the server meant.
  public var code: Int
  /// A machine reason: `Conflict`, `Forbidden`, `NotFound`, `Invalid`, `AlreadyExists`, ...
  public var reason: String
  /// The server's sentence.
  public var message: String
  /// `details.name`: the object the failure is about.
  public var name: String
  /// `details.group`.
  public var group: String
  /// `details.kind` (for a request, the resource: `deployments`).
  public var kind: String
  /// `details.causes`.
  public var causes: [Cause]

  /// Creates a status.
  public init(
    status: String = "Failure", code: Int = 0, reason: String = "", message: String = "", name: String = "",
    group: String = "", kind: String = "", causes: [Cause] = []
  ) {
    self.status = status
    self.code = code
    self.reason = reason
    self.message = message
    self.name = name
    self.group = group
    self.kind = kind
    self.causes = causes
  }

  /// Reads a body as a `Status` (JSON, read as YAML); nil when it is not one.
  public static func decode(_ body: [UInt8]) -> APIStatus? {
    guard !body.isEmpty, body.count <= 1 << 20 else { return nil }
    let (documents, diagnostics) = ManifestReader().parse(String(decoding: body, as: UTF8.self), file: "<response>")
    guard diagnostics.allSatisfy({ $0.severity != .error }), documents.count == 1,
      let root = documents.first?.root, root["kind"]?.string == "Status"
    else { return nil }
    let details = root["details"]
    return APIStatus(
      status: root["status"]?.string ?? "", code: root["code"]?.int ?? 0, reason: root["reason"]?.string ?? "",
      message: root["message"]?.string ?? "", name: details?["name"]?.string ?? "",
      group: details?["group"]?.string ?? "", kind: details?["kind"]?.string ?? "",
      causes: (details?["causes"]?.sequence ?? []).map {
        Cause(
          field: $0["field"]?.string ?? "", message: $0["message"]?.string ?? "", reason: $0["reason"]?.string ?? "")
      })
  }
}
