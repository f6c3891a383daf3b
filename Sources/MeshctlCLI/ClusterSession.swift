import ArgumentParser
import Dispatch
import KubeClient
import Manifest
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

/// A connection to the cluster the flags and kubeconfig name, for one command run.
struct ClusterSession {
  /// The API client.
  let api: KubeAPI
  /// What connected (for `check` and `-v`), secrets left out.
  let connection: ClusterConnection

  /// Resolves the kubeconfig, runs the exec plugin if there is one, and opens the transport.
  /// Connection warnings (insecure TLS, ignored credentials) go to standard error.
  init(options: ClusterOptions, context: CommandContext) throws {
    let environment = context.kubeconfigEnvironment
    let resolved = try ClusterConnection.resolve(overrides: options.overrides, environment: environment)
    let connection = try resolved.authenticated(environment: environment).connection
    for warning in connection.warnings { context.stderr.write("Warning: \(warning)\n") }
    let transportOptions = TransportOptions(connection: connection, version: MeshctlVersion.current)
    let stderr = SerializedSink(context.stderr)
    let logger = HTTPLogger(verbosity: options.verbosity, redactor: SecretRedactor(secrets: transportOptions.secrets)) {
      stderr.write($0 + "\n")
    }
    let transport = try context.makeTransport(transportOptions, logger)
    let retrying = RetryingTransport(base: transport, logger: logger)
    api = KubeAPI(connection: connection, transport: retrying, verbosity: options.verbosity, redactor: logger.redactor)
    self.connection = connection
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
    guard filenames.isEmpty else { return filenames }
    guard !context.stdinIsTerminal else {
      throw ValidationError("no input: give -f PATH, or pipe manifests in (-f - reads standard input)")
    }
    return ["-"]
  }
}

/// A sink that many tasks may write to at once (request logs come from the transport's tasks).
final class SerializedSink: @unchecked Sendable {
  private let sink: any TextSink
  private let lock = Lock()

  init(_ sink: any TextSink) { self.sink = sink }

  /// Writes `text` whole, never interleaved with another task's write.
  func write(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    sink.write(text)
  }
}
