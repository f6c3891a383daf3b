/// A named object that does not exist: kubectl's NotFound, which is the request's failure (exit
/// 1), not the API server's (exit 3).
public struct ObjectNotFound: Error, Sendable, Equatable, CustomStringConvertible {
  /// How kubectl names the type: `trafficsplits.meshctl.io`, `deployments.apps`, `services`.
  public var resource: String
  /// The name asked for.
  public var name: String
  /// Where it was looked for and what to run instead, said after kubectl's sentence.
  public var hint: String?

  /// Creates the error.
  public init(resource: String, name: String, hint: String? = nil) {
    self.resource = resource
    self.name = name
    self.hint = hint
  }

  /// `Error from server (NotFound): trafficsplits.meshctl.io "cart" not found (hint)`.
  public var description: String {
    "Error from server (NotFound): \(resource) \"\(name)\" not found" + (hint.map { " (\($0))" } ?? "")
  }
}
