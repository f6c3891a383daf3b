import Foundation

/// Golden files: one switch (`MESHCTL_UPDATE_GOLDENS=1`) rewrites them all.
public enum Golden {
  /// Whether this run rewrites the goldens instead of comparing with them.
  public static let updating = ProcessInfo.processInfo.environment["MESHCTL_UPDATE_GOLDENS"] == "1"

  /// The golden at `url` to compare `output` with; nil when this run rewrote it with `output`.
  public static func expected(_ output: String, at url: URL) throws -> String? {
    guard !updating else {
      try output.write(to: url, atomically: true, encoding: .utf8)
      return nil
    }
    return try String(contentsOf: url, encoding: .utf8)
  }
}
