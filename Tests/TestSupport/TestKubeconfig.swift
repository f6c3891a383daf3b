import Foundation
import KubeClient

/// A kubeconfig for tests: `https://cluster.test`, context namespace `team`, a bearer token.
public enum TestKubeconfig {
  /// The server every test kubeconfig names.
  public static let server = "https://cluster.test"

  /// Writes the kubeconfig into a new temporary directory (returned, for the caller to
  /// remove) and returns an environment whose `KUBECONFIG` names it.
  public static func write(token: String) throws -> (KubeconfigEnvironment, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "meshctl-cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let kubeconfig = directory.appendingPathComponent("config")
    try """
    apiVersion: v1
    kind: Config
    current-context: test
    clusters: [{name: test, cluster: {server: \(server)}}]
    contexts: [{name: test, context: {cluster: test, user: test, namespace: team}}]
    users: [{name: test, user: {token: \(token)}}]
    """.write(to: kubeconfig, atomically: true, encoding: .utf8)
    let environment = KubeconfigEnvironment(
      variables: ["KUBECONFIG": kubeconfig.path], homeDirectory: directory.path, currentDirectory: directory.path)
    return (environment, directory)
  }

  /// A client of `transport` in namespace `team`, as a command would connect to it.
  public static func api(_ transport: any HTTPTransport) throws -> KubeAPI {
    let (environment, directory) = try write(token: "t")
    defer { try? FileManager.default.removeItem(at: directory) }
    let connection = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: environment)
    return KubeAPI(connection: connection, transport: transport, verbosity: 0)
  }
}
