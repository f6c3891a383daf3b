/// The version meshctl reports, and what it runs on (also sent to the API server in the
/// `User-Agent`, as kubectl sends its own).
public enum MeshctlVersion {
  /// meshctl's own version.
  public static let current = "0.1.0"

  /// The Swift language version the binary was compiled with.
  public static var swift: String {
    #if compiler(>=6.3)
      return "6.3"
    #elseif compiler(>=6.2)
      return "6.2"
    #elseif compiler(>=6.1)
      return "6.1"
    #else
      return "6.0"
    #endif
  }

  /// The operating system and architecture, e.g. `linux/x86_64`.
  public static var platform: String {
    #if os(Linux)
      let system = "linux"
    #elseif os(macOS)
      let system = "darwin"
    #else
      let system = "unknown"
    #endif
    #if arch(x86_64)
      return system + "/x86_64"
    #elseif arch(arm64)
      return system + "/arm64"
    #else
      return system + "/unknown"
    #endif
  }
}
