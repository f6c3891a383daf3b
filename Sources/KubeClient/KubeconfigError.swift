import FoundationEssentials

/// Everything that can go wrong while loading a kubeconfig, resolving a connection from it, or
/// running an exec credential plugin. Messages are lowercase, name the file and the field, say
/// how to fix the problem when that is known, and never contain a secret (token, key, password):
/// no case carries secret text, so no message can print one.
public enum KubeconfigError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// `--kubeconfig` named a file that does not exist (kubectl: an explicit path must exist).
  case fileNotFound(path: String)
  /// A file exists but could not be read.
  case unreadable(path: String, reason: String)
  /// A file is not YAML, or not a kubeconfig (`file:line:col: message`).
  case notAKubeconfig(path: String, line: Int, column: Int, message: String)
  /// A field has the wrong type or an invalid value; `field` is a path such as
  /// `users[dev].client-certificate-data`.
  case invalidField(path: String, field: String, problem: String)
  /// A name appears twice in one list of one file (kubectl refuses such a file).
  case duplicateName(path: String, section: String, name: String)
  /// A file named by a field (certificate-authority, tokenFile, ...) could not be read.
  case referencedFileUnreadable(field: String, definedIn: String, file: String, reason: String)
  /// The context to use is not defined.
  case contextNotFound(name: String, known: [String])
  /// `--cluster`, or the chosen context, names a cluster that is not defined.
  case clusterNotFound(name: String, known: [String], namedBy: String)
  /// `--user` names a user that is not defined.
  case userNotFound(name: String, known: [String])
  /// The chosen cluster has no `server`.
  case noServer(cluster: String)
  /// No `--context` and no `current-context`, so there is no cluster to talk to.
  case noContext(known: [String])
  /// The chosen context names no cluster.
  case contextWithoutCluster(name: String)
  /// A URL field is not a usable URL.
  case invalidURL(field: String, problem: String)
  /// No kubeconfig was found, no server was given and meshctl is not running in a pod.
  case noConfiguration(searched: [String])
  /// Two settings that cannot be combined (kubectl refuses them too).
  case conflict(field: String, problem: String)
  /// `--request-timeout` is not a duration.
  case invalidTimeout(String)
  /// The in-cluster service account could not be used.
  case inCluster(String)
  /// The user's authentication method is not supported (legacy `auth-provider`).
  case unsupportedAuthProvider(user: String, provider: String)
  /// An exec credential plugin's command was not found.
  case execNotFound(user: String, command: String, installHint: String?)
  /// An exec credential plugin could not be started.
  case execNotStarted(user: String, command: String, reason: String)
  /// An exec credential plugin exited with a non-zero status.
  case execFailed(user: String, command: String, status: Int32, stderr: String)
  /// An exec credential plugin's output is not a usable ExecCredential.
  case execBadOutput(user: String, command: String, problem: String)
  /// An exec credential plugin requires an interactive terminal and there is none.
  case execNeedsTerminal(user: String, command: String)

  /// A one-line summary with every secret left out.
  public var description: String {
    switch self {
    case .fileNotFound(let path):
      return "\(PathDisplay.short(path)): no such file (given with --kubeconfig)"
    case .unreadable(let path, let reason):
      return "\(PathDisplay.short(path)): cannot read: \(reason)"
    case .notAKubeconfig(let path, let line, let column, let message):
      let position = line > 0 ? ":\(line):\(column)" : ""
      return "\(PathDisplay.short(path))\(position): not a kubeconfig: \(message)"
    case .invalidField(let path, let field, let problem):
      return "\(PathDisplay.short(path)): \(field): \(problem)"
    case .duplicateName(let path, let section, let name):
      return "\(PathDisplay.short(path)): \(section): the name \"\(name)\" is defined twice; rename or remove one"
    case .referencedFileUnreadable(let field, let definedIn, let file, let reason):
      return "\(PathDisplay.short(definedIn)): \(field): cannot read \(PathDisplay.short(file)): \(reason)"
    case .contextNotFound(let name, let known):
      return "context \"\(name)\" not found; \(Self.knownList("contexts", known))"
    case .clusterNotFound(let name, let known, let namedBy):
      return "cluster \"\(name)\" (named by \(namedBy)) not found; \(Self.knownList("clusters", known))"
    case .userNotFound(let name, let known):
      return "user \"\(name)\" (named by --user) not found; \(Self.knownList("users", known))"
    case .noServer(let cluster):
      return "cluster \"\(cluster)\" has no server; set clusters[\(cluster)].server or pass --server"
    case .noContext(let known):
      return "no context chosen: current-context is not set and --context was not given; "
        + "pass --context or run kubectl config use-context NAME (\(Self.knownList("contexts", known)))"
    case .contextWithoutCluster(let name):
      return "context \"\(name)\" names no cluster; set contexts[\(name)].cluster, or pass --cluster or --server"
    case .invalidURL(let field, let problem):
      return "\(field): \(problem)"
    case .noConfiguration(let searched):
      let places = searched.isEmpty ? "" : " (looked in \(searched.map(PathDisplay.short).joined(separator: ", ")))"
      return "no cluster configured: no kubeconfig found\(places) and not running in a pod; "
        + "use --kubeconfig, set KUBECONFIG, or pass --server"
    case .conflict(let field, let problem):
      return "\(field): \(problem)"
    case .invalidTimeout(let text):
      return "invalid --request-timeout \"\(text)\": use 0, a number of seconds, or a duration such as 30s, 1m or 1h30m"
    case .inCluster(let problem):
      return "in-cluster configuration: \(problem)"
    case .unsupportedAuthProvider(let user, let provider):
      return
        "users[\(user)].auth-provider: the \"\(provider)\" auth provider is not supported (kubectl removed the built-in providers); "
        + "configure an exec credential plugin instead (for example gke-gcloud-auth-plugin or kubelogin)"
    case .execNotFound(let user, let command, let hint):
      var text =
        "users[\(user)].exec: executable \"\(command)\" not found; it is a client-go credential plugin that is not installed"
      if let hint, !hint.isEmpty { text += "\n\n" + hint }
      return text
    case .execNotStarted(let user, let command, let reason):
      return "users[\(user)].exec: cannot run \"\(command)\": \(reason)"
    case .execFailed(let user, let command, let status, let stderr):
      let detail = stderr.isEmpty ? "" : ": \(stderr)"
      return "users[\(user)].exec: \"\(command)\" failed with exit code \(status)\(detail)"
    case .execBadOutput(let user, let command, let problem):
      return "users[\(user)].exec: \"\(command)\" returned an unusable credential: \(problem)"
    case .execNeedsTerminal(let user, let command):
      return "users[\(user)].exec: \"\(command)\" has interactiveMode Always but standard input is not a terminal; "
        + "run in a terminal or change interactiveMode"
    }
  }

  /// The message, for `localizedDescription`.
  public var errorDescription: String? { description }

  /// "known contexts: a, b" or "no contexts are defined".
  private static func knownList(_ what: String, _ names: [String]) -> String {
    names.isEmpty ? "no \(what) are defined" : "known \(what): \(names.sorted().joined(separator: ", "))"
  }
}

/// How paths appear in messages: the home directory as `~`, as people write it.
enum PathDisplay {
  /// `path` with a leading home directory replaced by `~`.
  static func short(_ path: String) -> String {
    guard let home = homeDirectory, !home.isEmpty, home != "/" else { return path }
    if path == home { return "~" }
    if path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
    return path
  }

  /// The home directory of this process, read once (messages need not follow test overrides).
  static let homeDirectory: String? = ProcessEnvironment.variable("HOME")
}
