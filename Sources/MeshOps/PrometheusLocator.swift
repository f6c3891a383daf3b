import KubeClient
import MeshSchema

/// A Prometheus that meshctl found, and how it found it (printed, so a user knows which
/// server's numbers decided a canary).
public struct PrometheusLocation: Sendable {
  /// Where the address came from.
  public enum Source: Sendable, Hashable, CustomStringConvertible {
    /// `--prometheus URL`.
    case flag
    /// The `MESHCTL_PROMETHEUS` environment variable.
    case environment
    /// The MeshConfig's `spec.prometheus.url`.
    case meshConfig
    /// A Service in the cluster, reached through the API server's service proxy.
    case serviceProxy(namespace: String, name: String, port: Int)

    /// `--prometheus`, `MESHCTL_PROMETHEUS`, `MeshConfig spec.prometheus.url`, or
    /// `service istio-system/prometheus via the API server proxy`.
    public var description: String {
      switch self {
      case .flag: return "--prometheus"
      case .environment: return PrometheusLocator.environmentVariable
      case .meshConfig: return "MeshConfig spec.prometheus.url"
      case .serviceProxy(let namespace, let name, _): return "service \(namespace)/\(name) via the API server proxy"
      }
    }
  }

  /// The client that queries it.
  public var client: PrometheusClient
  /// Where the address came from.
  public var source: Source

  /// Creates a location.
  public init(client: PrometheusClient, source: Source) {
    self.client = client
    self.source = source
  }

  /// `prometheus http://prom:9090 (from --prometheus)`, no secret.
  public var description: String { "prometheus \(client.serverDescription) (from \(source))" }
}

/// A Service where a mesh's Prometheus usually runs.
public struct PrometheusService: Sendable, Hashable {
  /// The namespace.
  public var namespace: String
  /// The Service's name.
  public var name: String
  /// The port Prometheus's HTTP API listens on.
  public var port: Int

  /// Creates a service reference.
  public init(namespace: String, name: String, port: Int) {
    self.namespace = namespace
    self.name = name
    self.port = port
  }
}

/// Finds the Prometheus to query, in this order: `--prometheus URL`, `MESHCTL_PROMETHEUS`, the
/// MeshConfig's `spec.prometheus.url`, then the usual installs in the cluster (Istio's
/// `samples/addons` Prometheus in istio-system, linkerd-viz's), reached through the API
/// server's service proxy with the kubeconfig's credentials.
public enum PrometheusLocator {
  /// The environment variable that names a Prometheus URL.
  public static let environmentVariable = "MESHCTL_PROMETHEUS"

  /// The usual installs: Istio's addon (istio-system/prometheus:9090) and linkerd-viz's
  /// (linkerd-viz/prometheus:9090).
  public static let usualServices = [
    PrometheusService(namespace: "istio-system", name: "prometheus", port: 9090),
    PrometheusService(namespace: "linkerd-viz", name: "prometheus", port: 9090),
  ]

  /// The usual services in the order to try them: the mesh's own first.
  public static func servicesToTry(provider: MeshConfig.Provider?) -> [PrometheusService] {
    guard provider == .linkerd else { return usualServices }
    return usualServices.filter { $0.namespace == "linkerd-viz" }
      + usualServices.filter { $0.namespace != "linkerd-viz" }
  }

  /// The URL given explicitly and where, when one is: the flag, else the environment, else the
  /// MeshConfig (empty values count as not given).
  public static func explicitURL(flag: String?, environment: [String: String], meshConfig: MeshConfig?)
    -> (url: String, source: PrometheusLocation.Source)?
  {
    if let flag, !flag.isEmpty { return (flag, .flag) }
    if let value = environment[environmentVariable], !value.isEmpty { return (value, .environment) }
    if let value = meshConfig?.prometheusURL, !value.isEmpty { return (value, .meshConfig) }
    return nil
  }

  /// The Prometheus to query. An explicit URL is used as given (`makeClient` builds its
  /// transport: credentials, CA, timeouts, retries); otherwise the usual Services are looked up
  /// through `api` (nil: no cluster, so none) and the first that exists is used through the
  /// service proxy, on port 9090 when the Service has it, else its first port. Throws
  /// `MeshOpsError.notFound` saying where it looked when there is none.
  public static func locate(
    flag: String?, environment: [String: String], meshConfig: MeshConfig?, provider: MeshConfig.Provider?,
    api: KubeAPI?, makeClient: (PrometheusAccess) throws -> PrometheusClient
  ) async throws -> PrometheusLocation {
    if let (url, source) = explicitURL(flag: flag, environment: environment, meshConfig: meshConfig) {
      guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
        throw MeshOpsError.invalidRequest(
          "the Prometheus URL from \(source) must start with http:// or https:// (got \(url))")
      }
      return PrometheusLocation(client: try makeClient(PrometheusAccess(url: url)), source: source)
    }
    let candidates = servicesToTry(provider: provider)
    if let api {
      let serviceType = try await MeshOpsError.wrappingDiscovery {
        try await api.resource(apiVersion: "v1", kind: "Service")
      }
      for candidate in candidates {
        // Only a Service counts (a stand-in server may answer something else).
        guard let service = try await api.get(serviceType, namespace: candidate.namespace, name: candidate.name),
          (service["kind"]?.string ?? "Service") == "Service"
        else { continue }
        let ports = (service[path: "spec", "ports"]?.sequence ?? []).compactMap { $0["port"]?.int }
        let port = ports.contains(candidate.port) ? candidate.port : (ports.first ?? candidate.port)
        return PrometheusLocation(
          client: api.prometheusThroughServiceProxy(namespace: candidate.namespace, name: candidate.name, port: port),
          source: .serviceProxy(namespace: candidate.namespace, name: candidate.name, port: port))
      }
    }
    let looked = candidates.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", ")
    throw MeshOpsError.notFound(
      "no Prometheus found: pass --prometheus URL, set \(environmentVariable), or set spec.prometheus.url in the "
        + "MeshConfig" + (api == nil ? "" : " (no Service \(looked) in the cluster)"))
  }
}

extension PrometheusLocator {
  /// The client of the explicit URL (`--prometheus`, `MESHCTL_PROMETHEUS`, the MeshConfig), if
  /// there is one: the credentials of `MESHCTL_PROMETHEUS_TOKEN` and `MESHCTL_PROMETHEUS_CA`,
  /// `requestTimeout`, and `makeTransport`'s transport retried as for the API server; `log` takes
  /// `-v` request logs. Pass it to `locate(flag:environment:meshConfig:provider:api:explicit:)`.
  public static func explicitClient(
    flag: String?, environment: [String: String], meshConfig: MeshConfig?, requestTimeout: Duration?, verbosity: Int,
    version: String, makeTransport: (TransportOptions, HTTPLogger) throws -> any HTTPTransport,
    log: @escaping @Sendable (String) -> Void
  ) throws -> PrometheusClient? {
    guard let (url, _) = explicitURL(flag: flag, environment: environment, meshConfig: meshConfig),
      url.hasPrefix("http://") || url.hasPrefix("https://")
    else { return nil }
    let access = try PrometheusAccess.fromEnvironment(url: url, environment: environment, requestTimeout: requestTimeout)
    let options = TransportOptions(prometheus: access, version: version)
    let logger = HTTPLogger(verbosity: verbosity, redactor: SecretRedactor(secrets: options.secrets), write: log)
    return PrometheusClient(
      baseURL: access.url, transport: RetryingTransport(base: try makeTransport(options, logger), logger: logger),
      redactor: logger.redactor)
  }

  /// `locate` with the explicit URL's client built already (`explicitClient`).
  public static func locate(
    flag: String?, environment: [String: String], meshConfig: MeshConfig?, provider: MeshConfig.Provider?,
    api: KubeAPI?, explicit: PrometheusClient?
  ) async throws -> PrometheusLocation {
    try await locate(
      flag: flag, environment: environment, meshConfig: meshConfig, provider: provider, api: api,
      makeClient: { access in
        guard let explicit else { throw MeshOpsError.invalidRequest("cannot reach Prometheus at \(access.url)") }
        return explicit
      })
  }
}
