import FoundationEssentials
import Manifest

/// The versions of the exec credential protocol (`client.authentication.k8s.io`).
public enum ExecCredentialProtocol {
  /// `client.authentication.k8s.io/v1`.
  public static let v1 = "client.authentication.k8s.io/v1"
  /// `client.authentication.k8s.io/v1beta1`.
  public static let v1beta1 = "client.authentication.k8s.io/v1beta1"
  /// The versions meshctl speaks (v1alpha1 was removed from client-go in 1.24).
  public static let supportedVersions = [v1, v1beta1]
}

/// What an exec credential plugin returned: a token, or a client certificate and key.
public struct ExecCredential: Sendable, Equatable, CustomStringConvertible {
  /// `status.token`.
  public var token: Redacted<String>?
  /// `status.clientCertificateData` (PEM).
  public var clientCertificate: [UInt8]?
  /// `status.clientKeyData` (PEM).
  public var clientKey: Redacted<[UInt8]>?
  /// `status.expirationTimestamp`: when to run the plugin again; nil means "cache for the run".
  public var expiration: Date?

  /// Creates a credential.
  public init(
    token: Redacted<String>? = nil, clientCertificate: [UInt8]? = nil, clientKey: Redacted<[UInt8]>? = nil,
    expiration: Date? = nil
  ) {
    self.token = token
    self.clientCertificate = clientCertificate
    self.clientKey = clientKey
    self.expiration = expiration
  }

  /// A one-line summary with every secret left out.
  public var description: String {
    let kind = token != nil ? "token" : "client certificate"
    return "ExecCredential(\(kind)\(expiration.map { ", expires \($0)" } ?? ""))"
  }
}

/// The cluster as an exec plugin sees it in `KUBERNETES_EXEC_INFO` when `provideClusterInfo`
/// is set.
public struct ExecClusterInfo: Sendable, Equatable {
  /// The API server URL.
  public var server: String
  /// `tls-server-name`.
  public var tlsServerName: String?
  /// `insecure-skip-tls-verify`.
  public var insecureSkipTLSVerify = false
  /// The CA bytes (sent base64-encoded, as `certificate-authority-data`).
  public var certificateAuthority: [UInt8]?
  /// `proxy-url`.
  public var proxyURL: String?

  /// Creates cluster information.
  public init(server: String) { self.server = server }
}

/// Runs a client-go exec credential plugin and reads its `ExecCredential` (the protocol of
/// `client.authentication.k8s.io/v1` and `v1beta1`).
public struct ExecCredentialPlugin: Sendable {
  /// The plugin's configuration.
  public var config: ExecPluginConfig
  /// The kubeconfig user it belongs to (for messages).
  public var userName: String
  /// The cluster, passed to the plugin when `provideClusterInfo` is set.
  public var cluster: ExecClusterInfo?
  /// Runs the command.
  public var runner: any ProcessRunner
  /// The environment the plugin inherits and whether standard input is a terminal.
  public var environment: KubeconfigEnvironment

  /// Creates a plugin runner.
  public init(
    config: ExecPluginConfig, userName: String, cluster: ExecClusterInfo? = nil,
    runner: any ProcessRunner = SystemProcessRunner(), environment: KubeconfigEnvironment = .current
  ) {
    self.config = config
    self.userName = userName
    self.cluster = cluster
    self.runner = runner
    self.environment = environment
  }

  /// A runner for `connection`'s plugin; nil when the connection has none.
  public init?(
    connection: ClusterConnection, runner: any ProcessRunner = SystemProcessRunner(),
    environment: KubeconfigEnvironment = .current
  ) {
    guard let exec = connection.exec else { return nil }
    var cluster = ExecClusterInfo(server: connection.server)
    cluster.tlsServerName = connection.tlsServerName
    cluster.insecureSkipTLSVerify = connection.insecureSkipTLSVerify
    cluster.certificateAuthority = connection.certificateAuthority
    cluster.proxyURL = connection.proxyURL
    self.init(
      config: exec, userName: connection.userName ?? "", cluster: cluster, runner: runner, environment: environment)
  }

  /// Whether the plugin runs interactively, by client-go's rules: Never → no; IfAvailable →
  /// when standard input is a terminal; Always → yes, and without a terminal it is an error.
  public func isInteractive() throws(KubeconfigError) -> Bool {
    switch config.interactiveMode {
    case .never: return false
    case .ifAvailable: return environment.standardInputIsTerminal
    case .always:
      guard environment.standardInputIsTerminal else {
        throw .execNeedsTerminal(user: userName, command: config.command)
      }
      return true
    }
  }

  /// The `KUBERNETES_EXEC_INFO` value: an ExecCredential with only `spec`.
  public func execInfo(interactive: Bool) -> String {
    var spec: [MappingEntry] = []
    if config.provideClusterInfo, let cluster {
      var entries = [MappingEntry(key: "server", value: .string(cluster.server))]
      if let name = cluster.tlsServerName { entries.append(.init(key: "tls-server-name", value: .string(name))) }
      if cluster.insecureSkipTLSVerify { entries.append(.init(key: "insecure-skip-tls-verify", value: .bool(true))) }
      if let ca = cluster.certificateAuthority {
        entries.append(.init(key: "certificate-authority-data", value: .string(Base64.encode(ca))))
      }
      if let proxy = cluster.proxyURL { entries.append(.init(key: "proxy-url", value: .string(proxy))) }
      spec.append(.init(key: "cluster", value: .mapping(entries)))
    }
    spec.append(.init(key: "interactive", value: .bool(interactive)))
    let info = Node.mapping([
      "kind": .string("ExecCredential"), "apiVersion": .string(config.apiVersion), "spec": .mapping(spec),
    ])
    return JSONEmitter.emit(info, pretty: false)
  }

  /// The environment the plugin runs with: this process's, then the config's `env` (later
  /// wins, as Go's exec does with duplicates), then `KUBERNETES_EXEC_INFO`.
  public func processEnvironment(interactive: Bool) -> [String: String] {
    var variables = environment.variables
    for entry in config.environment { variables[entry.name] = entry.value.value }
    variables["KUBERNETES_EXEC_INFO"] = execInfo(interactive: interactive)
    return variables
  }

  /// Runs the plugin and returns its credential.
  public func fetch() throws(KubeconfigError) -> ExecCredential {
    let interactive = try isInteractive()
    let output: ProcessOutput
    do {
      output = try runner.run(
        command: config.command, arguments: config.arguments,
        environment: processEnvironment(interactive: interactive), interactive: interactive)
    } catch {
      switch error {
      case .notFound:
        throw .execNotFound(user: userName, command: config.command, installHint: config.installHint)
      case .cannotStart(let reason):
        throw .execNotStarted(user: userName, command: config.command, reason: reason)
      }
    }
    guard output.status == 0 else {
      throw .execFailed(
        user: userName, command: config.command, status: output.status, stderr: Self.excerpt(output.standardError))
    }
    return try decode(output.standardOutput)
  }

  /// Reads the plugin's standard output. Problems are described by field, never by quoting the
  /// output, which holds the credential.
  public func decode(_ bytes: [UInt8]) throws(KubeconfigError) -> ExecCredential {
    let (documents, diagnostics) = ManifestReader().parse(String(decoding: bytes, as: UTF8.self), file: "plugin output")
    guard diagnostics.isEmpty, let root = documents.first?.root, root.mapping != nil else {
      throw bad("its standard output is not a JSON object")
    }
    let kind = root["kind"]?.string ?? ""
    guard kind == "ExecCredential" else { throw bad("kind is \"\(kind)\", expected ExecCredential") }
    let version = root["apiVersion"]?.string ?? ""
    guard version == config.apiVersion else {
      throw bad("apiVersion is \"\(version)\" but the kubeconfig asks for \(config.apiVersion)")
    }
    guard let status = root["status"], status.mapping != nil else { throw bad("status is missing") }
    var credential = ExecCredential()
    credential.token = try text(status, "token").map(Redacted.init)
    credential.clientCertificate = try text(status, "clientCertificateData").map { Array($0.utf8) }
    credential.clientKey = try text(status, "clientKeyData").map { Redacted(Array($0.utf8)) }
    if (credential.clientCertificate == nil) != (credential.clientKey == nil) {
      throw bad("status has only one of clientCertificateData and clientKeyData; both are needed")
    }
    if credential.token == nil && credential.clientCertificate == nil {
      throw bad("status has neither a token nor clientCertificateData and clientKeyData")
    }
    if let stamp = try text(status, "expirationTimestamp") {
      guard let date = Self.parseTimestamp(stamp) else {
        throw bad("status.expirationTimestamp is not an RFC 3339 time")
      }
      credential.expiration = date
    }
    return credential
  }

  private func text(_ status: Node, _ key: String) throws(KubeconfigError) -> String? {
    guard let node = status[key], !node.isNull else { return nil }
    guard let value = node.string else { throw bad("status.\(key) is \(node.typeName), expected a string") }
    return value.isEmpty ? nil : value
  }

  private func bad(_ problem: String) -> KubeconfigError {
    .execBadOutput(user: userName, command: config.command, problem: problem)
  }

  /// The last lines of a plugin's standard error, bounded, for the error message.
  static func excerpt(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.suffix(2_000), as: UTF8.self).trimmingSpaces
    return text
  }

  /// An RFC 3339 time, with or without fractional seconds.
  static func parseTimestamp(_ text: String) -> Date? {
    if let date = try? Date(text, strategy: .iso8601) { return date }
    return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
  }
}

extension ClusterConnection {
  /// This connection with its exec plugin run (when it has one) and the credential in place;
  /// returns the credential's expiry too, so a caller can run the plugin again after it.
  public func authenticated(
    runner: any ProcessRunner = SystemProcessRunner(), environment: KubeconfigEnvironment = .current
  ) throws(KubeconfigError) -> (connection: ClusterConnection, expiration: Date?) {
    guard let plugin = ExecCredentialPlugin(connection: self, runner: runner, environment: environment) else {
      return (self, nil)
    }
    let credential = try plugin.fetch()
    return (with(credential), credential.expiration)
  }

  /// This connection with a plugin's credential in place of the plugin.
  public func with(_ credential: ExecCredential) -> ClusterConnection {
    var copy = self
    copy.bearerToken = credential.token
    copy.clientCertificate = credential.clientCertificate
    copy.clientKey = credential.clientKey
    return copy
  }
}
