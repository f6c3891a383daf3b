import ArgumentParser
import KubeClient
import Manifest
import MeshOps

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

extension InputOptions {
  /// The `-f` values, or standard input when none is given and it is not a terminal.
  func arguments(context: CommandContext) throws -> [String] {
    try InputFrontend.arguments(filenames, context: context)
  }
}
