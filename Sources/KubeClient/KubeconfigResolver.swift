import FoundationEssentials

extension ClusterConnection {
  /// Loads the kubeconfig by kubectl's rules and resolves the connection the command line asks
  /// for; falls back to the pod's service account when no kubeconfig exists.
  public static func resolve(
    overrides: KubeconfigOverrides, environment: KubeconfigEnvironment = .current
  ) throws(KubeconfigError) -> ClusterConnection {
    let config = try KubeconfigLoader(environment: environment).load(explicitPath: overrides.kubeconfig)
    return try ConnectionResolver(environment: environment).resolve(config, overrides: overrides)
  }
}

/// Turns a merged `Kubeconfig` plus the command-line overrides into a `ClusterConnection`, as
/// client-go's `DirectClientConfig.ClientConfig()` and `inClusterClientConfig` do.
public struct ConnectionResolver: Sendable {
  /// Environment variables, directories and the service-account mount.
  public var environment: KubeconfigEnvironment

  /// Creates a resolver.
  public init(environment: KubeconfigEnvironment) { self.environment = environment }

  /// Resolves the connection. Reads the files the configuration names (CA, certificates, keys,
  /// token files); does not run exec plugins.
  public func resolve(_ config: Kubeconfig, overrides: KubeconfigOverrides) throws(KubeconfigError) -> ClusterConnection
  {
    let timeout = try RequestTimeout.parse(overrides.requestTimeout)
    // client-go uses the service account only when the kubeconfig is empty and the pod's
    // environment and token are there; --kubeconfig or --server mean "not in-cluster".
    if config.isEmpty, overrides.kubeconfig == nil, overrides.server == nil, inClusterAvailable {
      var connection = try InClusterConfig(environment: environment).connection(overrides: overrides)
      connection.requestTimeout = timeout
      return connection
    }
    var connection = try resolveFromKubeconfig(config, overrides: overrides)
    connection.requestTimeout = timeout
    return connection
  }

  /// Whether `KUBERNETES_SERVICE_HOST`/`_PORT` are set and the service-account token exists.
  var inClusterAvailable: Bool {
    InClusterConfig(environment: environment).isAvailable
  }

  // MARK: - Kubeconfig

  private func resolveFromKubeconfig(_ config: Kubeconfig, overrides: KubeconfigOverrides) throws(KubeconfigError)
    -> ClusterConnection
  {
    var warnings: [String] = []
    let (contextName, context) = try chooseContext(config, overrides)
    let (clusterName, configCluster) = try chooseCluster(config, overrides, contextName: contextName, context: context)
    let (userName, configUser) = try chooseUser(
      config, overrides, context: context, contextName: contextName, warnings: &warnings)

    var cluster = configCluster ?? KubeconfigCluster(origin: "command line")
    applyClusterOverrides(&cluster, overrides)
    guard var server = cluster.server, !server.isEmpty else {
      throw missingServer(config, overrides, contextName: contextName, clusterName: clusterName)
    }
    // kubectl reads a server without a scheme as http:// (restclient.DefaultServerURL).
    if !server.contains("://") { server = "http://" + server }
    let serverField = nonEmpty(overrides.server) != nil ? "--server" : "clusters[\(clusterName ?? "")].server"
    try checkURL(server, field: serverField, schemes: ["http", "https"])
    if let proxy = cluster.proxyURL {
      try checkURL(proxy, field: "clusters[\(clusterName ?? "")].proxy-url", schemes: ["http", "https", "socks5"])
    }

    var connection = ClusterConnection(source: .kubeconfig(files: config.files), server: server)
    connection.contextName = contextName
    connection.clusterName = clusterName
    connection.userName = userName
    connection.namespace = namespace(overrides, context)
    connection.namespaceFromFlag = !(overrides.namespace ?? "").isEmpty
    connection.proxyURL = cluster.proxyURL
    connection.disableCompression = cluster.disableCompression

    var user = configUser ?? KubeconfigUser(origin: "command line")
    try applyUserOverrides(&user, overrides, userName: userName)
    connection.impersonation = impersonation(user)

    // client-go reads credentials and TLS settings only for https servers ("only try to read
    // the auth information if we are secure"): plain http sends neither.
    guard server.lowercased().hasPrefix("https://") else {
      if hasCredentials(user) {
        warnings.append(
          "server \(URLDisplay.redactingUserInfo(server)) is not https: the credentials of user \"\(userName ?? "")\" are not sent (as kubectl does)"
        )
      }
      connection.warnings = warnings
      return connection
    }
    try applyServerTrust(cluster, clusterName: clusterName, overrides: overrides, to: &connection, warnings: &warnings)
    try applyCredentials(user, userName: userName ?? "", to: &connection)
    connection.warnings = warnings
    return connection
  }

  /// The most helpful of the errors for "no server to talk to".
  private func missingServer(
    _ config: Kubeconfig, _ overrides: KubeconfigOverrides, contextName: String?, clusterName: String?
  ) -> KubeconfigError {
    if let clusterName { return .noServer(cluster: clusterName) }
    if let contextName { return .contextWithoutCluster(name: contextName) }
    if config.isEmpty { return .noConfiguration(searched: searchedFiles(overrides)) }
    return .noContext(known: config.contexts.keys.sorted())
  }

  /// client-go parses the server and proxy URLs up front; so do we, naming the field.
  private func checkURL(_ text: String, field: String, schemes: Set<String>) throws(KubeconfigError) {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else {
      throw .invalidURL(field: field, problem: "\"\(URLDisplay.redactingUserInfo(text))\" is not a URL")
    }
    guard schemes.contains(scheme) else {
      throw .invalidURL(
        field: field, problem: "scheme \(scheme) is not supported; use \(schemes.sorted().joined(separator: ", "))")
    }
  }

  private func searchedFiles(_ overrides: KubeconfigOverrides) -> [String] {
    KubeconfigLoader(environment: environment).searchPath(explicitPath: overrides.kubeconfig).files
  }

  /// `--context`, else `current-context`. Either naming an undefined context is an error
  /// (kubectl: "context was not found for specified context").
  private func chooseContext(_ config: Kubeconfig, _ overrides: KubeconfigOverrides) throws(KubeconfigError) -> (
    String?, KubeconfigContext?
  ) {
    let name = nonEmpty(overrides.context) ?? config.currentContext
    guard let name else { return (nil, nil) }
    guard let context = config.contexts[name] else {
      throw .contextNotFound(name: name, known: config.contexts.keys.sorted())
    }
    return (name, context)
  }

  /// `--cluster`, else the context's cluster.
  private func chooseCluster(
    _ config: Kubeconfig, _ overrides: KubeconfigOverrides, contextName: String?, context: KubeconfigContext?
  ) throws(KubeconfigError) -> (String?, KubeconfigCluster?) {
    if let name = nonEmpty(overrides.cluster) {
      guard let cluster = config.clusters[name] else {
        throw .clusterNotFound(name: name, known: config.clusters.keys.sorted(), namedBy: "--cluster")
      }
      return (name, cluster)
    }
    guard let name = nonEmpty(context?.cluster) else { return (nil, nil) }
    if let cluster = config.clusters[name] { return (name, cluster) }
    // kubectl goes on with an empty cluster here and then fails for lack of a server; a
    // given --server makes it work, so only fail without one, naming the real cause.
    guard nonEmpty(overrides.server) != nil else {
      throw .clusterNotFound(
        name: name, known: config.clusters.keys.sorted(), namedBy: "context \"\(contextName ?? "")\"")
    }
    return (name, nil)
  }

  /// `--user`, else the context's user. A context naming an undefined user means anonymous
  /// requests in kubectl; that is kept, with a warning.
  private func chooseUser(
    _ config: Kubeconfig, _ overrides: KubeconfigOverrides, context: KubeconfigContext?, contextName: String?,
    warnings: inout [String]
  ) throws(KubeconfigError) -> (String?, KubeconfigUser?) {
    if let name = nonEmpty(overrides.user) {
      guard let user = config.users[name] else { throw .userNotFound(name: name, known: config.users.keys.sorted()) }
      return (name, user)
    }
    guard let name = nonEmpty(context?.user) else { return (nil, nil) }
    guard let user = config.users[name] else {
      warnings.append(
        "context \"\(contextName ?? "")\" names user \"\(name)\", which is not defined: requests are anonymous")
      return (name, nil)
    }
    return (name, user)
  }

  private func namespace(_ overrides: KubeconfigOverrides, _ context: KubeconfigContext?) -> String {
    nonEmpty(overrides.namespace) ?? nonEmpty(context?.namespace) ?? "default"
  }

  // MARK: - Overrides

  /// The cluster flags, with clientcmd's special cases: a CA flag or --insecure-skip-tls-verify
  /// replaces all three trust settings; --server or --tls-server-name replaces tls-server-name
  /// (a new server makes the file's name meaningless).
  private func applyClusterOverrides(_ cluster: inout KubeconfigCluster, _ overrides: KubeconfigOverrides) {
    if let server = nonEmpty(overrides.server) { cluster.server = server }
    let caFlag = nonEmpty(overrides.certificateAuthority).map(environment.absolute)
    if overrides.insecureSkipTLSVerify || caFlag != nil {
      cluster.insecureSkipTLSVerify = overrides.insecureSkipTLSVerify
      cluster.certificateAuthority = caFlag
      cluster.certificateAuthorityData = nil
    }
    if nonEmpty(overrides.tlsServerName) != nil || nonEmpty(overrides.server) != nil {
      cluster.tlsServerName = nonEmpty(overrides.tlsServerName)
    }
  }

  private func applyUserOverrides(_ user: inout KubeconfigUser, _ overrides: KubeconfigOverrides, userName: String?)
    throws(KubeconfigError)
  {
    if let token = overrides.token, !token.value.isEmpty { user.token = token }
    if let file = nonEmpty(overrides.clientCertificate) { user.clientCertificate = environment.absolute(file) }
    if let file = nonEmpty(overrides.clientKey) { user.clientKey = environment.absolute(file) }
    if let name = nonEmpty(overrides.impersonateUser) { user.impersonate = name }
    if !overrides.impersonateGroups.isEmpty { user.impersonateGroups = overrides.impersonateGroups }
    // Like kubectl's validateAuthInfo: a file and data for the same certificate or key is an
    // error (the flag does not silently lose to the file's data).
    let field = "users[\(userName ?? "")]"
    if user.clientCertificate != nil && user.clientCertificateData != nil {
      throw .conflict(
        field: "\(field).client-certificate",
        problem:
          "client-certificate and client-certificate-data are both set; keep one (a --client-certificate flag counts as the file)"
      )
    }
    if user.clientKey != nil && user.clientKeyData != nil {
      throw .conflict(
        field: "\(field).client-key",
        problem: "client-key and client-key-data are both set; keep one (a --client-key flag counts as the file)")
    }
    if (user.clientCertificate != nil || user.clientCertificateData != nil) && user.clientKey == nil
      && user.clientKeyData == nil
    {
      throw .conflict(
        field: "\(field).client-key",
        problem: "a client certificate is set but no client-key or client-key-data; both are needed")
    }
  }

  private func impersonation(_ user: KubeconfigUser) -> ClusterConnection.Impersonation? {
    guard let name = nonEmpty(user.impersonate) else { return nil }
    return ClusterConnection.Impersonation(
      user: name, uid: nonEmpty(user.impersonateUID), groups: user.impersonateGroups, extra: user.impersonateUserExtra)
  }

  private func hasCredentials(_ user: KubeconfigUser) -> Bool {
    user.token != nil || user.tokenFile != nil || user.clientCertificate != nil || user.clientCertificateData != nil
      || user.username != nil || user.exec != nil
  }

  // MARK: - Reading what the settings name

  private func applyServerTrust(
    _ cluster: KubeconfigCluster, clusterName: String?, overrides: KubeconfigOverrides,
    to connection: inout ClusterConnection, warnings: inout [String]
  ) throws(KubeconfigError) {
    let field = "clusters[\(clusterName ?? "")]"
    if cluster.insecureSkipTLSVerify && (cluster.certificateAuthority != nil || cluster.certificateAuthorityData != nil)
    {
      throw .conflict(
        field: "\(field).insecure-skip-tls-verify",
        problem: "a certificate authority and insecure-skip-tls-verify cannot both be set; remove one")
    }
    if let data = cluster.certificateAuthorityData {
      connection.certificateAuthority = data  // data wins over a file, as in client-go
    } else if let file = cluster.certificateAuthority {
      let isFlag = nonEmpty(overrides.certificateAuthority) != nil
      connection.certificateAuthority = try readReferenced(
        file, field: isFlag ? "--certificate-authority" : "\(field).certificate-authority",
        definedIn: isFlag ? "command line" : cluster.origin)
    }
    connection.tlsServerName = nonEmpty(cluster.tlsServerName)
    if cluster.insecureSkipTLSVerify {
      connection.insecureSkipTLSVerify = true
      let by = overrides.insecureSkipTLSVerify ? "--insecure-skip-tls-verify" : "\(field).insecure-skip-tls-verify"
      warnings.append(
        "the server's certificate is not verified (\(by)): the connection to \(URLDisplay.redactingUserInfo(connection.server)) is insecure"
      )
    }
  }

  /// Credentials in client-go's precedence: token, else token file; client certificate; basic
  /// auth; the exec plugin only when none of those is set.
  private func applyCredentials(_ user: KubeconfigUser, userName: String, to connection: inout ClusterConnection)
    throws(KubeconfigError)
  {
    let field = "users[\(userName)]"
    if let token = user.token {
      connection.bearerToken = token
      connection.bearerTokenFile = user.tokenFile
    } else if let file = user.tokenFile {
      let bytes = try readReferenced(file, field: "\(field).tokenFile", definedIn: user.origin)
      connection.bearerToken = Redacted(
        String(decoding: bytes, as: UTF8.self).trimmingSpaces)
      connection.bearerTokenFile = file
    }
    if user.clientCertificate != nil || user.clientCertificateData != nil {
      // applyUserOverrides made sure a certificate comes with a key, as data or as a file.
      if let data = user.clientCertificateData {
        connection.clientCertificate = data
      } else if let file = user.clientCertificate {
        connection.clientCertificate = try readReferenced(
          file, field: "\(field).client-certificate", definedIn: user.origin)
      }
      if let data = user.clientKeyData {
        connection.clientKey = data
      } else if let file = user.clientKey {
        connection.clientKey = Redacted(try readReferenced(file, field: "\(field).client-key", definedIn: user.origin))
      }
    }
    if let username = nonEmpty(user.username) {
      connection.basicAuth = .init(username: username, password: user.password ?? Redacted(""))
    }
    if let provider = user.authProvider {
      throw .unsupportedAuthProvider(user: userName, provider: provider)
    }
    let hasOther = connection.bearerToken != nil || connection.clientCertificate != nil || connection.basicAuth != nil
    if let exec = user.exec, !hasOther { connection.exec = exec }
  }

  private func readReferenced(_ file: String, field: String, definedIn: String) throws(KubeconfigError) -> [UInt8] {
    let bytes: [UInt8]?
    do {
      bytes = try KubeconfigFiles.read(file)
    } catch {
      var reason = "\(error)"
      if case .unreadable(_, let why) = error { reason = why }
      throw .referencedFileUnreadable(field: field, definedIn: definedIn, file: file, reason: reason)
    }
    guard let bytes else {
      throw .referencedFileUnreadable(field: field, definedIn: definedIn, file: file, reason: "no such file")
    }
    return bytes
  }
}

/// `value` unless it is nil or empty (kubectl treats an empty flag or field as unset).
func nonEmpty(_ value: String?) -> String? {
  guard let value, !value.isEmpty else { return nil }
  return value
}

/// kubectl's `--request-timeout`: `0` (none), a whole number of seconds, or a Go duration
/// (`1h30m`, `1.5s`, `500ms`); negative values are refused (clientcmd's `ParseTimeout`).
public enum RequestTimeout {
  /// The timeout, nil for none.
  public static func parse(_ text: String) throws(KubeconfigError) -> Duration? {
    let trimmed = text.trimmingSpaces
    if trimmed.isEmpty || trimmed == "0" { return nil }
    let spelled = trimmed.allSatisfy(\.isASCIIDigit) ? trimmed + "s" : trimmed
    guard let nanoseconds = goDurationNanoseconds(spelled) else { throw .invalidTimeout(text) }
    return nanoseconds == 0 ? nil : .nanoseconds(nanoseconds)
  }

  /// Whether `text` is a request timeout kubectl takes: a whole number of seconds, or a Go
  /// duration made of `<number><unit>` parts (units ns, us, µs, ms, s, m, h).
  public static func isValid(_ text: String) -> Bool {
    guard !text.isEmpty else { return false }
    return text.allSatisfy(\.isASCIIDigit) || goDurationNanoseconds(text) != nil
  }

  /// Nanoseconds of a non-negative Go duration, or nil when it is not one.
  static func goDurationNanoseconds(_ text: String) -> Int64? {
    var rest = Substring(text)
    if rest.hasPrefix("+") { rest = rest.dropFirst() }
    guard !rest.isEmpty else { return nil }
    let units: [(String, Double)] = [
      ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12),
    ]
    var total = 0.0
    while !rest.isEmpty {
      let number = rest.prefix { $0.isASCIIDigit || $0 == "." }
      guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else {
        return nil
      }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { !$0.isASCIIDigit && $0 != "." }
      guard let scale = units.first(where: { $0.0 == unit })?.1 else { return nil }
      rest = rest.dropFirst(unit.count)
      total += value * scale
    }
    guard total < Double(Int64.max) else { return nil }
    return Int64(total)
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// URLs as they appear in messages: a `user:password@` part is replaced, since proxy URLs
/// (and, rarely, server URLs) carry credentials there.
/// URLs as meshctl shows them: user information never appears.
public enum URLDisplay {
  /// `text` with any user information in its authority replaced by `<redacted>`.
  public static func redactingUserInfo(_ text: String) -> String {
    guard let schemeEnd = text.scalarRange(of: "://") else {
      return text.contains("@") ? "<redacted>@" + text[text.index(after: text.lastIndex(of: "@")!)...] : text
    }
    let authorityStart = schemeEnd.upperBound
    let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
    guard let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") else { return text }
    return String(text[..<authorityStart]) + "<redacted>" + String(text[at...])
  }
}
