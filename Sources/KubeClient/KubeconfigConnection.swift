/// The command line's cluster settings (kubectl's global flags, as `ClusterOptions` parses them),
/// applied on top of the kubeconfig. `nil`/empty means "not given".
public struct KubeconfigOverrides: Sendable, Equatable, CustomStringConvertible,
  CustomDebugStringConvertible, CustomReflectable
{
  /// `--kubeconfig`.
  public var kubeconfig: String?
  /// `--context`.
  public var context: String?
  /// `--cluster`.
  public var cluster: String?
  /// `--user`.
  public var user: String?
  /// `-n/--namespace`.
  public var namespace: String?
  /// `-s/--server`.
  public var server: String?
  /// `--token`.
  public var token: Redacted<String>?
  /// `--as`.
  public var impersonateUser: String?
  /// `--as-group` (repeatable).
  public var impersonateGroups: [String] = []
  /// `--certificate-authority`.
  public var certificateAuthority: String?
  /// `--client-certificate`.
  public var clientCertificate: String?
  /// `--client-key`.
  public var clientKey: String?
  /// `--insecure-skip-tls-verify`.
  public var insecureSkipTLSVerify = false
  /// `--tls-server-name`.
  public var tlsServerName: String?
  /// `--request-timeout` (`0`, seconds, or a duration such as `30s`).
  public var requestTimeout = "0"

  /// No overrides.
  public init() {}

  /// Overrides from the command line's values, one parameter per kubectl flag.
  public init(
    kubeconfig: String? = nil, context: String? = nil, cluster: String? = nil, user: String? = nil,
    namespace: String? = nil, server: String? = nil, token: String? = nil, impersonateUser: String? = nil,
    impersonateGroups: [String] = [], certificateAuthority: String? = nil, clientCertificate: String? = nil,
    clientKey: String? = nil, insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil,
    requestTimeout: String = "0"
  ) {
    self.kubeconfig = kubeconfig
    self.context = context
    self.cluster = cluster
    self.user = user
    self.namespace = namespace
    self.server = server
    self.token = token.map(Redacted.init)
    self.impersonateUser = impersonateUser
    self.impersonateGroups = impersonateGroups
    self.certificateAuthority = certificateAuthority
    self.clientCertificate = clientCertificate
    self.clientKey = clientKey
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
    self.tlsServerName = tlsServerName
    self.requestTimeout = requestTimeout
  }

  /// A one-line summary with every secret left out.
  public var description: String {
    var parts: [String] = []
    func add(_ flag: String, _ value: String?) { if let value, !value.isEmpty { parts.append("\(flag)=\(value)") } }
    add("--kubeconfig", kubeconfig)
    add("--context", context)
    add("--cluster", cluster)
    add("--user", user)
    add("--namespace", namespace)
    add("--server", server.map(URLDisplay.redactingUserInfo))
    if token != nil { parts.append("--token=<redacted>") }
    add("--as", impersonateUser)
    for group in impersonateGroups { add("--as-group", group) }
    add("--certificate-authority", certificateAuthority)
    add("--client-certificate", clientCertificate)
    add("--client-key", clientKey)
    if insecureSkipTLSVerify { parts.append("--insecure-skip-tls-verify") }
    add("--tls-server-name", tlsServerName)
    if requestTimeout != "0" { add("--request-timeout", requestTimeout) }
    return "KubeconfigOverrides(\(parts.joined(separator: " ")))"
  }

  /// The same as `description`: debugging output must not show secrets either.
  public var debugDescription: String { description }
  /// A mirror without the stored secrets, for `dump` and debuggers.
  public var customMirror: Mirror { Mirror(self, children: ["flags": description], displayStyle: .struct) }
}

/// Everything needed to talk to one API server, resolved from the kubeconfig, the command line
/// and the environment: where, how to trust it, who to be. Files have been read; exec plugins
/// have not run yet (run them with `ExecCredentialPlugin` when a request needs credentials).
/// Its descriptions and mirror never show a secret.
public struct ClusterConnection: Sendable, Equatable, CustomStringConvertible,
  CustomDebugStringConvertible, CustomReflectable
{
  /// Where the settings came from.
  public enum Source: Sendable, Equatable {
    /// Kubeconfig files, in precedence order (empty when only flags were given).
    case kubeconfig(files: [String])
    /// The pod's service account (`KUBERNETES_SERVICE_HOST`/`_PORT`).
    case inCluster
  }

  /// Basic authentication.
  public struct BasicAuth: Sendable, Equatable {
    /// The user name.
    public var username: String
    /// The password.
    public var password: Redacted<String>
  }

  /// Impersonation headers (`Impersonate-User`, `-Uid`, `-Group`, `-Extra-*`).
  public struct Impersonation: Sendable, Equatable {
    /// The user to act as.
    public var user: String
    /// The UID to act as.
    public var uid: String?
    /// The groups to act as.
    public var groups: [String] = []
    /// Extra attributes.
    public var extra: [String: [String]] = [:]
  }

  /// Where the settings came from.
  public var source: Source
  /// The context used, if any.
  public var contextName: String?
  /// The cluster used, if any.
  public var clusterName: String?
  /// The user used, if any.
  public var userName: String?
  /// The API server URL (a scheme is always present: kubectl reads a bare host as `http://`).
  public var server: String
  /// PEM bytes of the CA to trust; nil means the system's trust store.
  public var certificateAuthority: [UInt8]?
  /// Skip checking the server's certificate (only when the kubeconfig or the flag asked).
  public var insecureSkipTLSVerify = false
  /// The name to check the server's certificate against, instead of the URL's host.
  public var tlsServerName: String?
  /// `proxy-url`.
  public var proxyURL: String?
  /// `disable-compression`.
  public var disableCompression = false
  /// PEM bytes of the client certificate.
  public var clientCertificate: [UInt8]?
  /// PEM bytes of the client key.
  public var clientKey: Redacted<[UInt8]>?
  /// The bearer token.
  public var bearerToken: Redacted<String>?
  /// The file the token came from, so a long-running client can re-read it when it rotates.
  public var bearerTokenFile: String?
  /// Basic authentication.
  public var basicAuth: BasicAuth?
  /// The exec credential plugin; set only when no token, basic auth or certificate is
  /// configured (client-go skips the plugin then).
  public var exec: ExecPluginConfig?
  /// Impersonation.
  public var impersonation: Impersonation?
  /// The namespace for namespaced requests: `-n`, else the context's, else `default`.
  public var namespace: String
  /// Whether the namespace came from `-n`.
  public var namespaceFromFlag = false
  /// Per-request timeout; nil means none (`--request-timeout=0`).
  public var requestTimeout: Duration?
  /// Things the user should be told (insecure TLS, ignored credentials), one line each.
  public var warnings: [String] = []

  /// Creates a connection to `server` with no credentials.
  public init(source: Source, server: String, namespace: String = "default") {
    self.source = source
    self.server = server
    self.namespace = namespace
  }

  /// Which authentication is configured, by name only.
  public var authenticationSummary: String {
    var kinds: [String] = []
    if bearerToken != nil { kinds.append(bearerTokenFile == nil ? "token" : "token file") }
    if clientCertificate != nil { kinds.append("client certificate") }
    if basicAuth != nil { kinds.append("basic auth") }
    if let exec { kinds.append("exec plugin \(exec.command)") }
    return kinds.isEmpty ? "anonymous" : kinds.joined(separator: ", ")
  }

  /// A one-line summary with every secret left out.
  public var description: String {
    var parts = [
      "server \(URLDisplay.redactingUserInfo(server))", "namespace \(namespace)", "auth \(authenticationSummary)",
    ]
    if let contextName { parts.append("context \(contextName)") }
    if let clusterName { parts.append("cluster \(clusterName)") }
    if let userName { parts.append("user \(userName)") }
    if certificateAuthority != nil { parts.append("custom CA") }
    if insecureSkipTLSVerify { parts.append("INSECURE (TLS not verified)") }
    if let tlsServerName { parts.append("tls-server-name \(tlsServerName)") }
    if let proxyURL { parts.append("proxy \(URLDisplay.redactingUserInfo(proxyURL))") }
    if let impersonation { parts.append("as \(impersonation.user)") }
    if let requestTimeout { parts.append("timeout \(requestTimeout)") }
    return "ClusterConnection(\(parts.joined(separator: ", ")))"
  }

  /// The same as `description`: debugging output must not show secrets either.
  public var debugDescription: String { description }

  /// A mirror without the stored secrets, for `dump` and debuggers.
  public var customMirror: Mirror { Mirror(self, children: ["summary": description], displayStyle: .struct) }
}
