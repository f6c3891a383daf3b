import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

extension ClusterOptions {
  /// The flags as kubeconfig overrides, exactly as kubectl passes them on.
  var overrides: KubeconfigOverrides {
    KubeconfigOverrides(
      kubeconfig: kubeconfig, context: context, cluster: cluster, user: user, namespace: namespace, server: server,
      token: token, impersonateUser: impersonateUser, impersonateGroups: impersonateGroups,
      certificateAuthority: certificateAuthority, clientCertificate: clientCertificate, clientKey: clientKey,
      insecureSkipTLSVerify: insecureSkipTLSVerify, tlsServerName: tlsServerName, requestTimeout: requestTimeout)
  }
}

extension ClusterSession {
  /// Connects as the flags and the context's kubeconfig say; connection warnings and `-v`
  /// request logs go to standard error.
  init(options: ClusterOptions, context: CommandContext) throws {
    let stderr = SerializedSink(context.stderr)
    try self.init(
      overrides: options.overrides, verbosity: options.verbosity, clientVersion: MeshctlVersion.current,
      environment: context.kubeconfigEnvironment, makeTransport: context.makeTransport,
      warn: { context.stderr.write("Warning: \($0)\n") }, log: { stderr.write($0 + "\n") })
  }
}

/// A session opened beside the reading of the input (`EarlyDiscovery`), and the connection
/// warnings to print once the input has been found valid.
struct EarlySession {
  let discovery: EarlyDiscovery
  let warnings: [String]

  /// Starts opening the session the flags name, unless the kubeconfig cannot be resolved (its
  /// error then comes after the input's, from the usual path) or names an exec plugin (which
  /// may prompt or be slow: it runs once the input is valid, as before). Loads libcurl
  /// (`CurlTransport.preload`) when it starts.
  init?(options: ClusterOptions, context: CommandContext, guarded: Bool) {
    let environment = context.kubeconfigEnvironment
    guard let resolved = try? ClusterConnection.resolve(overrides: options.overrides, environment: environment),
      resolved.exec == nil
    else { return nil }
    let (verbosity, stderr) = (options.verbosity, SerializedSink(context.stderr))
    let maker = TransportMaker(make: context.makeTransport)
    discovery = EarlyDiscovery(guarded: guarded) {
      try ClusterSession(
        resolved: resolved, verbosity: verbosity, clientVersion: MeshctlVersion.current, environment: environment,
        makeTransport: maker.make, warn: { _ in }, log: { stderr.write($0 + "\n") })
    }
    warnings = resolved.warnings
  }

  /// The session, its connection warnings printed first (as `ClusterSession(options:context:)` prints them).
  func session(context: CommandContext) throws -> ClusterSession {
    for warning in warnings { context.stderr.write("Warning: \(warning)\n") }
    return try discovery.session()
  }
}

/// The context's transport factory, handed to the task that opens the session early: the
/// command's own thread does not call it until that task is done.
private struct TransportMaker: @unchecked Sendable {
  let make: (TransportOptions, HTTPLogger) throws -> any HTTPTransport
}

extension InputOptions {
  /// The `-f` values, or standard input when none is given and it is not a terminal.
  func arguments(context: CommandContext) throws -> [String] {
    try InputFrontend.arguments(filenames, context: context)
  }
}

/// What the commands that read a mesh's workloads share (`mtls check`, `top`): the API, the
/// namespace scope (`-n`, else the context's; nil for `-A`), the MeshConfig and the mesh
/// (`--provider`, else detected).
enum MeshScope {
  static func resolve(cluster: ClusterOptions, mesh: MeshOptions, allNamespaces: Bool, context: CommandContext) throws
    -> (api: KubeAPI, namespace: String?, meshConfig: MeshConfig, provider: MeshConfig.Provider)
  {
    let meshConfig = try mesh.meshConfig(context: context)
    let api = try ClusterSession(options: cluster, context: context).api
    let forced = mesh.provider
    let provider = try awaitCompletion { try await MeshDetection.provider(api, forced: forced) }
    return (api, allNamespaces ? nil : (cluster.namespace ?? api.defaultNamespace), meshConfig, provider)
  }
}

