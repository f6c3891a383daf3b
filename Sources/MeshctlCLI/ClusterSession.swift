import ArgumentParser
import Dispatch
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

/// Runs async work to completion from a synchronous command (ArgumentParser's `run` is
/// synchronous; the transport is async). The main thread waits; the work runs on the pool.
func awaitCompletion<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
  let box = ResultBox<T>()
  let done = DispatchSemaphore(value: 0)
  Task {
    do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
    done.signal()
  }
  done.wait()
  return try box.result!.get()
}

/// Carries a result from the pool thread to the waiting one; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}

extension InputOptions {
  /// The `-f` values, or standard input when none is given and it is not a terminal.
  func arguments(context: CommandContext) throws -> [String] {
    try InputFrontend.arguments(filenames, context: context)
  }
}
