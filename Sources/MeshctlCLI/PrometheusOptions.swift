import ArgumentParser
import KubeClient
import MeshOps
import MeshSchema

/// Finding the Prometheus a command queries, as `PrometheusLocator` orders the sources, with
/// this process's transport (libcurl, retried as for the API server).
enum PrometheusFinder {
  /// The Prometheus of `--prometheus` (`flag`), `MESHCTL_PROMETHEUS`, the MeshConfig, or the
  /// usual Services through `api`'s service proxy; says on standard error which one is used. A
  /// URL gets the credentials of `MESHCTL_PROMETHEUS_TOKEN` and `MESHCTL_PROMETHEUS_CA`, and
  /// `--request-timeout`.
  static func locate(
    flag: String?, meshConfig: MeshConfig?, provider: MeshConfig.Provider?, api: KubeAPI?, cluster: ClusterOptions,
    context: CommandContext
  ) throws -> PrometheusLocation {
    let stderr = SerializedSink(context.stderr)
    let environment = context.environment
    // An explicit URL's client is built here, with this process's transport; the locator
    // checks the URL and says where it came from.
    var explicit: PrometheusClient?
    if let (url, _) = PrometheusLocator.explicitURL(flag: flag, environment: environment, meshConfig: meshConfig),
      url.hasPrefix("http://") || url.hasPrefix("https://")
    {
      let access = try PrometheusAccess.fromEnvironment(
        url: url, environment: environment, requestTimeout: try RequestTimeout.parse(cluster.requestTimeout))
      let options = TransportOptions(prometheus: access, version: MeshctlVersion.current)
      let logger = HTTPLogger(
        verbosity: cluster.verbosity, redactor: SecretRedactor(secrets: options.secrets), write: { stderr.write($0 + "\n") })
      let transport = try context.makeTransport(options, logger)
      explicit = PrometheusClient(
        baseURL: access.url, transport: RetryingTransport(base: transport, logger: logger), redactor: logger.redactor)
    }
    let client = explicit
    let location = try awaitCompletion {
      try await PrometheusLocator.locate(
        flag: flag, environment: environment, meshConfig: meshConfig, provider: provider, api: api,
        makeClient: { access in
          guard let client else { throw MeshOpsError.invalidRequest("cannot reach Prometheus at \(access.url)") }
          return client
        })
    }
    context.stderr.write("using \(location.description)\n")
    return location
  }
}
