import FoundationEssentials

/// The configuration of a process running in a pod (client-go's `rest.InClusterConfig`): the API
/// server from `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the service account's token
/// and CA from its mount, the namespace from `POD_NAMESPACE` or the mount.
struct InClusterConfig {
  let environment: KubeconfigEnvironment

  var host: String? { nonEmpty(environment.variables["KUBERNETES_SERVICE_HOST"]) }
  var port: String? { nonEmpty(environment.variables["KUBERNETES_SERVICE_PORT"]) }
  var tokenPath: String { file("token") }
  var caPath: String { file("ca.crt") }
  var namespacePath: String { file("namespace") }

  /// client-go's `Possible()`: both variables set and the token file present.
  var isAvailable: Bool {
    host != nil && port != nil && FileManager.default.fileExists(atPath: tokenPath)
  }

  /// The connection; the token, CA, server and namespace flags override what the pod provides.
  func connection(overrides: KubeconfigOverrides) throws(KubeconfigError) -> ClusterConnection {
    guard let host, let port else {
      throw .inCluster("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")
    }
    // IPv6 addresses need brackets in a URL (Go's net.JoinHostPort).
    let hostPart = host.contains(":") ? "[\(host)]" : host
    var connection = ClusterConnection(source: .inCluster, server: "https://\(hostPart):\(port)")
    if let token = overrides.token, !token.value.isEmpty {
      connection.bearerToken = token
    } else {
      guard let data = try? KubeconfigFiles.read(tokenPath) else {
        throw .inCluster("cannot read the service account token \(tokenPath)")
      }
      connection.bearerToken = Redacted(
        String(decoding: data, as: UTF8.self).trimmingSpaces)
      connection.bearerTokenFile = tokenPath
    }
    let caFile = nonEmpty(overrides.certificateAuthority).map(environment.absolute) ?? caPath
    if let data = try? KubeconfigFiles.read(caFile) {
      connection.certificateAuthority = data
    } else {
      // client-go logs this and goes on with the system trust store; so do we, visibly.
      connection.warnings.append("in-cluster: cannot read the CA \(caFile); using the system's trusted CAs")
    }
    connection.namespace = namespace(overrides)
    connection.namespaceFromFlag = nonEmpty(overrides.namespace) != nil
    if let name = nonEmpty(overrides.impersonateUser) {
      connection.impersonation = .init(user: name, groups: overrides.impersonateGroups)
    }
    return connection
  }

  /// `-n`, else `POD_NAMESPACE`, else the mounted namespace file, else `default`.
  private func namespace(_ overrides: KubeconfigOverrides) -> String {
    if let flag = nonEmpty(overrides.namespace) { return flag }
    if let variable = nonEmpty(environment.variables["POD_NAMESPACE"]) { return variable }
    if let data = try? KubeconfigFiles.read(namespacePath) {
      let text = String(decoding: data, as: UTF8.self).trimmingSpaces
      if !text.isEmpty { return text }
    }
    return "default"
  }

  private func file(_ name: String) -> String {
    Paths.join(environment.serviceAccountDirectory, name)
  }
}
