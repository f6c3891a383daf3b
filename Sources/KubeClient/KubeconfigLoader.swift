import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads environment variables of this process.
enum ProcessEnvironment {
  /// The value of `name`, or nil.
  static func variable(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
}

/// What loading and resolving look at outside the kubeconfig files: environment variables, the
/// home and current directories, where the service account is mounted, whether standard input
/// is a terminal. Tests build one; the CLI uses `.current`.
public struct KubeconfigEnvironment: Sendable {
  /// Environment variables (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`, `POD_NAMESPACE`, `PATH`, ...).
  public var variables: [String: String]
  /// The home directory (`~/.kube/config`); nil when there is none.
  public var homeDirectory: String?
  /// Relative paths in `KUBECONFIG` and `--kubeconfig` resolve against this.
  public var currentDirectory: String
  /// Where a pod's service account is mounted (`token`, `ca.crt`, `namespace`).
  public var serviceAccountDirectory: String
  /// Whether standard input is a terminal (exec plugins' interactive mode).
  public var standardInputIsTerminal: Bool

  /// Creates an environment.
  public init(
    variables: [String: String], homeDirectory: String?, currentDirectory: String,
    serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount",
    standardInputIsTerminal: Bool = false
  ) {
    self.variables = variables
    self.homeDirectory = homeDirectory
    self.currentDirectory = currentDirectory
    self.serviceAccountDirectory = serviceAccountDirectory
    self.standardInputIsTerminal = standardInputIsTerminal
  }

  /// This process's environment.
  public static var current: KubeconfigEnvironment { current(variables: ProcessInfo.processInfo.environment) }

  /// This process's environment, with its variables already read by the caller: ProcessInfo
  /// builds a new dictionary on every read, which start-up should pay for only once.
  public static func current(variables: [String: String]) -> KubeconfigEnvironment {
    KubeconfigEnvironment(
      variables: variables,
      homeDirectory: variables["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? Files.homeDirectory(),
      currentDirectory: FileManager.default.currentDirectoryPath,
      standardInputIsTerminal: isatty(0) != 0)
  }

  /// `path` made absolute against the current directory.
  func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : Paths.join(currentDirectory, path)
  }
}

/// The file system reads loading needs: "absent" is a normal answer, not an error.
enum KubeconfigFiles {
  /// The most bytes read from one file: kubeconfigs, certificates and tokens are small, and a
  /// path such as /dev/zero must not hang the command or exhaust memory.
  static let maxBytes = 16 << 20

  /// The bytes of `path`, nil when it does not exist. Pipes work (`--kubeconfig <(...)`).
  static func read(_ path: String) throws(KubeconfigError) -> [UInt8]? {
    switch Files.read(path, maxBytes: maxBytes) {
    case .absent: return nil
    case .bytes(let bytes): return bytes
    case .failed(let reason): throw .unreadable(path: path, reason: reason)
    case .tooLarge:
      throw .unreadable(
        path: path, reason: "larger than \(maxBytes >> 20) MiB, which no kubeconfig or credential file is")
    }
  }
}

/// Finds and merges kubeconfig files exactly as kubectl (client-go's `ClientConfigLoadingRules`)
/// does: `--kubeconfig` (one file, which must exist), else every file of `KUBECONFIG` (missing
/// ones skipped, duplicates ignored, merged first-wins), else `~/.kube/config` (absent means an
/// empty configuration).
public struct KubeconfigLoader: Sendable {
  /// Where files are looked for.
  public var environment: KubeconfigEnvironment

  /// Creates a loader.
  public init(environment: KubeconfigEnvironment) { self.environment = environment }

  /// The files to read, in precedence order, and whether they must exist.
  public func searchPath(explicitPath: String?) -> (files: [String], mustExist: Bool) {
    if let explicitPath, !explicitPath.isEmpty { return ([environment.absolute(explicitPath)], true) }
    if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
      var seen = Set<String>()
      let files = list.split(separator: ":", omittingEmptySubsequences: true)
        .map { environment.absolute(String($0)) }
        .filter { seen.insert($0).inserted }
      return (files, false)
    }
    guard let home = environment.homeDirectory else { return ([], false) }
    return ([Paths.join(home, ".kube/config")], false)
  }

  /// Loads and merges the configuration; `explicitPath` is `--kubeconfig`.
  public func load(explicitPath: String?) throws(KubeconfigError) -> Kubeconfig {
    let (files, mustExist) = searchPath(explicitPath: explicitPath)
    var configs: [Kubeconfig] = []
    for file in files {
      guard let bytes = try KubeconfigFiles.read(file) else {
        if mustExist { throw .fileNotFound(path: file) }
        continue
      }
      configs.append(try KubeconfigParser(path: file).parse(String(decoding: bytes, as: UTF8.self)))
    }
    return Kubeconfig.merging(configs)
  }
}
