import ArgumentParser
import KubeClient
import MeshOps
import MeshSchema

/// `--prometheus`, for the commands that ask Prometheus (`shift --analysis`, `mtls check`,
/// `mtls enable --mode STRICT`, `top`).
public struct PrometheusOptions: ParsableArguments {
  /// Where Prometheus is.
  @Option(
    name: .customLong("prometheus"),
    help: ArgumentHelp(
      "Prometheus base URL (else MESHCTL_PROMETHEUS, the MeshConfig's spec.prometheus.url, or istio-system/prometheus, linkerd-viz/prometheus via the API server's service proxy).",
      valueName: "url"))
  public var url: String?

  /// Creates the defaults.
  public init() {}
}

/// Finding the Prometheus a command queries (MeshOps' `PrometheusLocator.find`) with this
/// process's transport; says on standard error which one is used.
enum PrometheusFinder {
  /// The Prometheus of `--prometheus` (`flag`), `MESHCTL_PROMETHEUS`, the MeshConfig, or the
  /// usual Services through `api`'s service proxy, bounded by `--request-timeout`.
  static func locate(
    flag: String?, meshConfig: MeshConfig?, provider: MeshConfig.Provider?, api: KubeAPI?, cluster: ClusterOptions,
    context: CommandContext
  ) throws -> PrometheusLocation {
    let stderr = SerializedSink(context.stderr)
    let environment = context.environment
    let explicit = try PrometheusLocator.explicitClient(
      flag: flag, environment: environment, meshConfig: meshConfig,
      requestTimeout: try RequestTimeout.parse(cluster.requestTimeout), verbosity: cluster.verbosity,
      version: MeshctlVersion.current, makeTransport: context.makeTransport, log: { stderr.write($0 + "\n") })
    let location = try awaitCompletion {
      try await PrometheusLocator.locate(
        flag: flag, environment: environment, meshConfig: meshConfig, provider: provider, api: api, explicit: explicit)
    }
    context.stderr.write("using \(location.description)\n")
    return location
  }
}
