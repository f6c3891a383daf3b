/// A secret value (token, private key, password): usable by code, never printed. Its
/// `description`, `debugDescription` and mirror all say `<redacted>`, so interpolating it,
/// `dump`ing it or logging a value that holds it cannot leak it.
public struct Redacted<Value: Sendable & Equatable>: Sendable, Equatable, CustomStringConvertible,
  CustomDebugStringConvertible, CustomReflectable
{
  /// The secret itself.
  public var value: Value

  /// Wraps a secret.
  public init(_ value: Value) { self.value = value }

  /// Always `<redacted>`.
  public var description: String { "<redacted>" }
  /// Always `<redacted>`.
  public var debugDescription: String { "<redacted>" }
  /// A mirror without the stored secrets, for `dump` and debuggers.
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// One `clusters[]` entry of a kubeconfig, with paths already resolved against its file.
/// Descriptions hide the user information of its URLs (proxy URLs often carry a password).
public struct KubeconfigCluster: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// `server`: the API server URL.
  public var server: String?
  /// `tls-server-name`: the name to verify the server certificate against.
  public var tlsServerName: String?
  /// `insecure-skip-tls-verify`.
  public var insecureSkipTLSVerify = false
  /// `certificate-authority`: an absolute path.
  public var certificateAuthority: String?
  /// `certificate-authority-data`, decoded.
  public var certificateAuthorityData: [UInt8]?
  /// `proxy-url`.
  public var proxyURL: String?
  /// `disable-compression`.
  public var disableCompression = false
  /// The file that defined this entry.
  public var origin: String

  /// Creates an entry defined in `origin`.
  public init(origin: String) { self.origin = origin }

  /// A one-line summary with the URLs' user information left out.
  public var description: String {
    var parts = ["server \(server.map(URLDisplay.redactingUserInfo) ?? "none")"]
    if let tlsServerName { parts.append("tls-server-name \(tlsServerName)") }
    if insecureSkipTLSVerify { parts.append("insecure-skip-tls-verify") }
    if let certificateAuthority { parts.append("certificate-authority \(certificateAuthority)") }
    if certificateAuthorityData != nil { parts.append("certificate-authority-data") }
    if let proxyURL { parts.append("proxy-url \(URLDisplay.redactingUserInfo(proxyURL))") }
    parts.append("from \(origin)")
    return "KubeconfigCluster(\(parts.joined(separator: ", ")))"
  }

  /// The same as `description`.
  public var debugDescription: String { description }
  /// A mirror showing the description only, for `dump` and debuggers.
  public var customMirror: Mirror { Mirror(self, children: ["summary": description], displayStyle: .struct) }
}

/// The `exec` section of a user: a client-go credential plugin.
public struct ExecPluginConfig: Sendable, Equatable, CustomStringConvertible {
  /// How a plugin may use the terminal (`interactiveMode`).
  public enum InteractiveMode: String, Sendable, Equatable {
    /// Never give the plugin the terminal.
    case never = "Never"
    /// Give it the terminal when there is one.
    case ifAvailable = "IfAvailable"
    /// The plugin needs the terminal; fail without one.
    case always = "Always"
  }

  /// `command`: a name looked up in PATH, or a path (made absolute against the kubeconfig's
  /// directory when it contains a `/`).
  public var command: String
  /// `args`.
  public var arguments: [String] = []
  /// `env`: extra environment variables, in order. Values may be secrets, so they are redacted.
  public var environment: [(name: String, value: Redacted<String>)] = []
  /// `apiVersion`: `client.authentication.k8s.io/v1` or `.../v1beta1`.
  public var apiVersion: String
  /// `installHint`: printed when the command is not found.
  public var installHint: String?
  /// `provideClusterInfo`: pass the cluster in `KUBERNETES_EXEC_INFO`.
  public var provideClusterInfo = false
  /// `interactiveMode` (v1 requires it; v1beta1 defaults to IfAvailable).
  public var interactiveMode: InteractiveMode = .ifAvailable

  /// Creates a plugin configuration.
  public init(command: String, apiVersion: String) {
    self.command = command
    self.apiVersion = apiVersion
  }

  /// Equal when every field is; secret values compare by value.
  public static func == (lhs: ExecPluginConfig, rhs: ExecPluginConfig) -> Bool {
    lhs.command == rhs.command && lhs.arguments == rhs.arguments
      && lhs.environment.map(\.name) == rhs.environment.map(\.name)
      && lhs.environment.map(\.value) == rhs.environment.map(\.value)
      && lhs.apiVersion == rhs.apiVersion && lhs.installHint == rhs.installHint
      && lhs.provideClusterInfo == rhs.provideClusterInfo && lhs.interactiveMode == rhs.interactiveMode
  }

  /// A one-line summary with every secret left out.
  public var description: String {
    // Arguments can hold secrets too (some plugins take a key as an argument): count only.
    "exec(\(command), \(arguments.count) args, env \(environment.map(\.name)), \(apiVersion), \(interactiveMode.rawValue))"
  }
}

/// One `users[]` entry of a kubeconfig. Its secrets are `Redacted`.
public struct KubeconfigUser: Sendable, Equatable {
  /// `client-certificate`: an absolute path.
  public var clientCertificate: String?
  /// `client-certificate-data`, decoded.
  public var clientCertificateData: [UInt8]?
  /// `client-key`: an absolute path.
  public var clientKey: String?
  /// `client-key-data`, decoded.
  public var clientKeyData: Redacted<[UInt8]>?
  /// `token`.
  public var token: Redacted<String>?
  /// `tokenFile`: an absolute path.
  public var tokenFile: String?
  /// `as`: the user to impersonate.
  public var impersonate: String?
  /// `as-uid`.
  public var impersonateUID: String?
  /// `as-groups`.
  public var impersonateGroups: [String] = []
  /// `as-user-extra`.
  public var impersonateUserExtra: [String: [String]] = [:]
  /// `username` (basic authentication).
  public var username: String?
  /// `password` (basic authentication).
  public var password: Redacted<String>?
  /// `exec`.
  public var exec: ExecPluginConfig?
  /// `auth-provider.name`: legacy in-tree providers, which meshctl does not run.
  public var authProvider: String?
  /// The file that defined this entry.
  public var origin: String

  /// Creates an entry defined in `origin`.
  public init(origin: String) { self.origin = origin }
}

/// One `contexts[]` entry of a kubeconfig.
public struct KubeconfigContext: Sendable, Equatable {
  /// `cluster`.
  public var cluster: String?
  /// `user`.
  public var user: String?
  /// `namespace`.
  public var namespace: String?
  /// The file that defined this entry.
  public var origin: String

  /// Creates an entry defined in `origin`.
  public init(origin: String) { self.origin = origin }
}

/// A kubeconfig: one file as read, or several merged by the loading rules.
public struct Kubeconfig: Sendable, Equatable {
  /// Clusters by name.
  public var clusters: [String: KubeconfigCluster] = [:]
  /// Users (kubectl's "auth infos") by name.
  public var users: [String: KubeconfigUser] = [:]
  /// Contexts by name.
  public var contexts: [String: KubeconfigContext] = [:]
  /// `current-context`, when a file set it (an empty value counts as unset, as in kubectl).
  public var currentContext: String?
  /// `preferences.colors`.
  public var colors: Bool?
  /// The files this configuration was read from, in precedence order.
  public var files: [String] = []

  /// Creates an empty configuration.
  public init() {}

  /// Whether nothing is defined (kubectl then falls back to the in-cluster configuration).
  public var isEmpty: Bool {
    clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil
  }

  /// Merges `files` by kubectl's rules: a name defined in several files keeps the entry of the
  /// first file (entries are never merged field by field); `current-context` and preferences
  /// come from the first file that sets them.
  public static func merging(_ configs: [Kubeconfig]) -> Kubeconfig {
    var merged = Kubeconfig()
    for config in configs {
      merged.clusters.merge(config.clusters) { first, _ in first }
      merged.users.merge(config.users) { first, _ in first }
      merged.contexts.merge(config.contexts) { first, _ in first }
      if merged.currentContext == nil { merged.currentContext = config.currentContext }
      if merged.colors == nil { merged.colors = config.colors }
      merged.files += config.files
    }
    return merged
  }
}
