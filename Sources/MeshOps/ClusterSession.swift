import KubeClient

/// A connection to the cluster a kubeconfig and its overrides name, for one command run.
public struct ClusterSession: Sendable {
  /// The API client (requests retried as kubectl retries them).
  public let api: KubeAPI
  /// What connected (for `check` and `-v`), secrets left out.
  public let connection: ClusterConnection

  /// Resolves the kubeconfig, runs the exec plugin if there is one, and opens the transport.
  /// Connection warnings (insecure TLS, ignored credentials) go to `warn`; request logs (`-v`)
  /// to `log`, which tasks may call at the same time.
  public init(
    overrides: KubeconfigOverrides, verbosity: Int, clientVersion: String, environment: KubeconfigEnvironment,
    makeTransport: (TransportOptions, HTTPLogger) throws -> any HTTPTransport,
    warn: (String) -> Void, log: @escaping @Sendable (String) -> Void
  ) throws {
    try self.init(
      resolved: try ClusterConnection.resolve(overrides: overrides, environment: environment), verbosity: verbosity,
      clientVersion: clientVersion, environment: environment, makeTransport: makeTransport, warn: warn, log: log)
  }

  /// Opens a session on a connection already resolved from the kubeconfig (`ClusterConnection.resolve`):
  /// runs its exec plugin if it has one, and opens the transport.
  public init(
    resolved: ClusterConnection, verbosity: Int, clientVersion: String, environment: KubeconfigEnvironment,
    makeTransport: (TransportOptions, HTTPLogger) throws -> any HTTPTransport,
    warn: (String) -> Void, log: @escaping @Sendable (String) -> Void
  ) throws {
    let connection = try resolved.authenticated(environment: environment).connection
    for warning in connection.warnings { warn(warning) }
    let transportOptions = TransportOptions(connection: connection, version: clientVersion)
    let logger = HTTPLogger(verbosity: verbosity, redactor: SecretRedactor(secrets: transportOptions.secrets), write: log)
    let transport = try makeTransport(transportOptions, logger)
    let retrying = RetryingTransport(base: transport, logger: logger)
    api = KubeAPI(connection: connection, transport: retrying, verbosity: verbosity, redactor: logger.redactor)
    self.connection = connection
  }
}
