import Foundation
import Testing

@testable import KubeClient

/// A scratch directory with kubeconfig files, removed when the test ends.
final class Scratch {
  let root: String

  init() {
    root = (NSTemporaryDirectory() as NSString).appendingPathComponent("kubeconfig-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  /// Writes `text` to `relative` (creating directories) and returns the absolute path.
  @discardableResult
  func write(_ relative: String, _ text: String, executable: Bool = false) -> String {
    let path = (root as NSString).appendingPathComponent(relative)
    try! FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
    if executable { try! FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    return path
  }

  /// The absolute path of `relative`.
  func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

  /// An environment rooted here: home is `home/`, the current directory is the root, the
  /// service account directory is `serviceaccount/`, and nothing else is set.
  func environment(_ variables: [String: String] = [:], terminal: Bool = false) -> KubeconfigEnvironment {
    KubeconfigEnvironment(
      variables: variables, homeDirectory: path("home"), currentDirectory: root,
      serviceAccountDirectory: path("serviceaccount"), standardInputIsTerminal: terminal)
  }

  /// Loads with `KUBECONFIG` set to `files` (relative to the root), joined by `:`.
  func load(kubeconfig files: [String]) throws -> Kubeconfig {
    try KubeconfigLoader(environment: environment(["KUBECONFIG": files.joined(separator: ":")])).load(explicitPath: nil)
  }

  /// Resolves with `KUBECONFIG` set to `files` and the given overrides.
  func resolve(kubeconfig files: [String], _ overrides: KubeconfigOverrides = KubeconfigOverrides()) throws -> ClusterConnection {
    let environment = environment(["KUBECONFIG": files.joined(separator: ":")])
    return try ClusterConnection.resolve(overrides: overrides, environment: environment)
  }
}

/// Overrides built the way the CLI's `ClusterOptions` would fill them.
func overrides(
  context: String? = nil, cluster: String? = nil, user: String? = nil, namespace: String? = nil,
  server: String? = nil, token: String? = nil, certificateAuthority: String? = nil,
  insecure: Bool = false, tlsServerName: String? = nil, timeout: String = "0"
) -> KubeconfigOverrides {
  KubeconfigOverrides(
    context: context, cluster: cluster, user: user, namespace: namespace, server: server, token: token,
    certificateAuthority: certificateAuthority, insecureSkipTLSVerify: insecure, tlsServerName: tlsServerName,
    requestTimeout: timeout)
}

/// The error a throwing expression produced, as a KubeconfigError (nil when it did not throw).
func kubeconfigError(_ body: () throws -> Void) -> KubeconfigError? {
  do {
    try body()
    return nil
  } catch let error as KubeconfigError {
    return error
  } catch {
    Issue.record("unexpected error type: \(error)")
    return nil
  }
}

/// base64 of a string, for writing `*-data` fields.
func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

/// A minimal kubeconfig with one cluster, user and context.
func kubeconfigText(
  cluster: String = "c", server: String = "https://api.example:6443", user: String = "u",
  userFields: String = "token: abc", context: String = "ctx", namespace: String? = nil,
  current: String? = "ctx"
) -> String {
  """
  apiVersion: v1
  kind: Config
  clusters:
  - name: \(cluster)
    cluster:
      server: \(server)
  users:
  - name: \(user)
    user:
      \(userFields)
  contexts:
  - name: \(context)
    context:
      cluster: \(cluster)
      user: \(user)\(namespace.map { "\n      namespace: \($0)" } ?? "")
  \(current.map { "current-context: \($0)" } ?? "")

  """
}
