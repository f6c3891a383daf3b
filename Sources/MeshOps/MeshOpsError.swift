import KubeClient

/// Why a cluster operation cannot go on. Every case but `invalidRequest` is the cluster's side
/// (exit 3); `invalidRequest` is a request the cluster's state makes meaningless (a usage error).
public enum MeshOpsError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No mesh meshctl knows is installed, or not the one asked for.
  case providerMissing(String)
  /// The cluster does not have what the command needs (no TrafficSplit for the Service, ...).
  case notFound(String)
  /// A discovery failure while reading the mesh (an unknown kind or version).
  case discovery(KubeAPIError)
  /// The request does not fit what the cluster holds (a backend the TrafficSplit lacks).
  case invalidRequest(String)
  /// A shift could not put back the weights from before it (the message says what is live and
  /// the command that restores them).
  case restoreFailed(String)

  /// The message, without the `meshctl: error:` prefix.
  public var description: String {
    switch self {
    case .providerMissing(let message), .notFound(let message), .invalidRequest(let message), .restoreFailed(let message):
      return message
    case .discovery(let error): return error.description
    }
  }

  /// Whether the error is the cluster's (exit 3) rather than the request's.
  public var isClusterFailure: Bool {
    if case .invalidRequest = self { return false }
    return true
  }

  /// Runs `work`, turning discovery errors into `.discovery` so callers see one error type.
  static func wrappingDiscovery<T>(_ work: () async throws -> T) async throws -> T {
    do {
      return try await work()
    } catch let error as KubeAPIError {
      throw MeshOpsError.discovery(error)
    }
  }
}
