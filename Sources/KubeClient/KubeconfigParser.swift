import FoundationEssentials
import Manifest

/// Reads one kubeconfig file's text into a `Kubeconfig`, the way client-go decodes it: unknown
/// fields are ignored, wrong types and bad base64 are errors naming the field, and relative paths
/// are made absolute against the directory of the file (clientcmd's `ResolveLocalPaths`).
public struct KubeconfigParser: Sendable {
  /// The file the text came from; relative paths inside resolve against its directory.
  public var path: String

  /// Creates a parser for the file at `path` (which should be absolute).
  public init(path: String) { self.path = path }

  /// Parses `text`. An empty file is an empty configuration, as in kubectl.
  public func parse(_ text: String) throws(KubeconfigError) -> Kubeconfig {
    // Small limits: a kubeconfig is a few kilobytes; anything huge or deep is not one.
    let limits = ReaderLimits(
      maxInputBytes: 16 << 20, maxDocumentBytes: 16 << 20, maxDepth: 64, maxAliasExpansion: 10_000)
    let (documents, diagnostics) = ManifestReader(limits: limits).parse(text, file: path)
    if let problem = diagnostics.first(where: { $0.severity == .error }) {
      throw .notAKubeconfig(path: path, line: problem.mark.line, column: problem.mark.column, message: problem.message)
    }
    guard let root = documents.first(where: { !$0.isEmpty })?.root else {
      var empty = Kubeconfig()
      empty.files = [path]
      return empty
    }
    return try parseRoot(root)
  }

  private func parseRoot(_ root: Node) throws(KubeconfigError) -> Kubeconfig {
    guard root.mapping != nil else {
      throw .notAKubeconfig(
        path: path, line: root.mark.line, column: root.mark.column,
        message: "expected a mapping with clusters, users and contexts, found \(root.typeName)")
    }
    if let kind = try string(root["kind"], "kind"), kind != "Config" {
      throw .invalidField(path: path, field: "kind", problem: "expected Config, found \(kind)")
    }
    var config = Kubeconfig()
    config.files = [path]
    config.clusters = try namedEntries(root["clusters"], section: "clusters", body: "cluster", parseCluster)
    config.users = try namedEntries(root["users"], section: "users", body: "user", parseUser)
    config.contexts = try namedEntries(root["contexts"], section: "contexts", body: "context", parseContext)
    // An empty current-context counts as unset: merging then takes it from a later file.
    config.currentContext = try string(root["current-context"], "current-context").flatMap { $0.isEmpty ? nil : $0 }
    config.colors = try bool(root[path: "preferences", "colors"], "preferences.colors")
    return config
  }

  // MARK: - Sections

  /// Reads a list of `{name, <body>: {...}}` into a dictionary; a repeated name is an error,
  /// as client-go's conversion makes it.
  private func namedEntries<Entry>(
    _ node: Node?, section: String, body: String,
    _ parseEntry: (Node?, String) throws(KubeconfigError) -> Entry
  ) throws(KubeconfigError) -> [String: Entry] {
    guard let node, !node.isNull else { return [:] }
    guard let items = node.sequence else {
      throw .invalidField(path: path, field: section, problem: "expected a list, found \(node.typeName)")
    }
    var entries: [String: Entry] = [:]
    for (index, item) in items.enumerated() {
      guard item.mapping != nil else {
        throw .invalidField(
          path: path, field: "\(section)[\(index)]", problem: "expected a mapping, found \(item.typeName)")
      }
      guard let name = try string(item["name"], "\(section)[\(index)].name"), !name.isEmpty else {
        throw .invalidField(
          path: path, field: "\(section)[\(index)].name", problem: "missing; every entry needs a name")
      }
      guard entries[name] == nil else { throw .duplicateName(path: path, section: section, name: name) }
      let field = "\(section)[\(name)]"
      let content = item[body]
      if let content, !content.isNull, content.mapping == nil {
        throw .invalidField(
          path: path, field: "\(field).\(body)", problem: "expected a mapping, found \(content.typeName)")
      }
      entries[name] = try parseEntry(content, field)
    }
    return entries
  }

  private func parseCluster(_ node: Node?, _ field: String) throws(KubeconfigError) -> KubeconfigCluster {
    var cluster = KubeconfigCluster(origin: path)
    cluster.server = try string(node?["server"], "\(field).server")
    cluster.tlsServerName = try string(node?["tls-server-name"], "\(field).tls-server-name")
    cluster.insecureSkipTLSVerify =
      try bool(node?["insecure-skip-tls-verify"], "\(field).insecure-skip-tls-verify") ?? false
    cluster.certificateAuthority = try filePath(node?["certificate-authority"], "\(field).certificate-authority")
    cluster.certificateAuthorityData = try base64(
      node?["certificate-authority-data"], "\(field).certificate-authority-data")
    cluster.proxyURL = try string(node?["proxy-url"], "\(field).proxy-url")
    cluster.disableCompression = try bool(node?["disable-compression"], "\(field).disable-compression") ?? false
    return cluster
  }

  private func parseUser(_ node: Node?, _ field: String) throws(KubeconfigError) -> KubeconfigUser {
    var user = KubeconfigUser(origin: path)
    user.clientCertificate = try filePath(node?["client-certificate"], "\(field).client-certificate")
    user.clientCertificateData = try base64(node?["client-certificate-data"], "\(field).client-certificate-data")
    user.clientKey = try filePath(node?["client-key"], "\(field).client-key")
    user.clientKeyData = try base64(node?["client-key-data"], "\(field).client-key-data").map(Redacted.init)
    user.token = try string(node?["token"], "\(field).token").flatMap { $0.isEmpty ? nil : Redacted($0) }
    user.tokenFile = try filePath(node?["tokenFile"], "\(field).tokenFile")
    user.impersonate = try string(node?["as"], "\(field).as")
    user.impersonateUID = try string(node?["as-uid"], "\(field).as-uid")
    user.impersonateGroups = try strings(node?["as-groups"], "\(field).as-groups")
    user.impersonateUserExtra = try extra(node?["as-user-extra"], "\(field).as-user-extra")
    user.username = try string(node?["username"], "\(field).username")
    user.password = try string(node?["password"], "\(field).password").map(Redacted.init)
    if let provider = node?["auth-provider"], !provider.isNull {
      user.authProvider = try string(provider["name"], "\(field).auth-provider.name") ?? ""
    }
    if let exec = node?["exec"], !exec.isNull {
      user.exec = try parseExec(exec, "\(field).exec")
    }
    return user
  }

  private func parseContext(_ node: Node?, _ field: String) throws(KubeconfigError) -> KubeconfigContext {
    var context = KubeconfigContext(origin: path)
    context.cluster = try string(node?["cluster"], "\(field).cluster")
    context.user = try string(node?["user"], "\(field).user")
    context.namespace = try string(node?["namespace"], "\(field).namespace")
    return context
  }

  /// The exec section, validated as clientcmd's `validateAuthInfo` does.
  private func parseExec(_ node: Node, _ field: String) throws(KubeconfigError) -> ExecPluginConfig {
    guard node.mapping != nil else {
      throw .invalidField(path: path, field: field, problem: "expected a mapping, found \(node.typeName)")
    }
    guard let command = try string(node["command"], "\(field).command"), !command.isEmpty else {
      throw .invalidField(path: path, field: "\(field).command", problem: "missing; the exec plugin needs a command")
    }
    guard let apiVersion = try string(node["apiVersion"], "\(field).apiVersion"), !apiVersion.isEmpty else {
      throw .invalidField(
        path: path, field: "\(field).apiVersion", problem: "missing; use client.authentication.k8s.io/v1")
    }
    guard ExecCredentialProtocol.supportedVersions.contains(apiVersion) else {
      throw .invalidField(
        path: path, field: "\(field).apiVersion",
        problem:
          "\"\(apiVersion)\" is not supported; use \(ExecCredentialProtocol.supportedVersions.joined(separator: " or "))"
      )
    }
    // A command with a `/` is a path relative to the kubeconfig (client-go), a bare name is
    // looked up in PATH.
    let resolved = command.contains("/") ? resolve(command) : command
    var exec = ExecPluginConfig(command: resolved, apiVersion: apiVersion)
    exec.arguments = try strings(node["args"], "\(field).args")
    exec.installHint = try string(node["installHint"], "\(field).installHint")
    exec.provideClusterInfo = try bool(node["provideClusterInfo"], "\(field).provideClusterInfo") ?? false
    exec.environment = try execEnvironment(node["env"], "\(field).env")
    let mode = try string(node["interactiveMode"], "\(field).interactiveMode")
    if let mode, !mode.isEmpty {
      guard let parsed = ExecPluginConfig.InteractiveMode(rawValue: mode) else {
        throw .invalidField(
          path: path, field: "\(field).interactiveMode", problem: "\"\(mode)\" is not one of Never, IfAvailable, Always"
        )
      }
      exec.interactiveMode = parsed
    } else if apiVersion == ExecCredentialProtocol.v1 {
      throw .invalidField(
        path: path, field: "\(field).interactiveMode",
        problem: "missing; client.authentication.k8s.io/v1 requires Never, IfAvailable or Always")
    }
    return exec
  }

  private func execEnvironment(_ node: Node?, _ field: String) throws(KubeconfigError) -> [(
    name: String, value: Redacted<String>
  )] {
    guard let node, !node.isNull else { return [] }
    guard let items = node.sequence else {
      throw .invalidField(path: path, field: field, problem: "expected a list of {name, value}, found \(node.typeName)")
    }
    var result: [(name: String, value: Redacted<String>)] = []
    for (index, item) in items.enumerated() {
      guard let name = try string(item["name"], "\(field)[\(index)].name"), !name.isEmpty else {
        throw .invalidField(path: path, field: "\(field)[\(index)].name", problem: "missing")
      }
      let value = try string(item["value"], "\(field)[\(index)].value") ?? ""
      result.append((name, Redacted(value)))
    }
    return result
  }

  // MARK: - Scalars

  private func string(_ node: Node?, _ field: String) throws(KubeconfigError) -> String? {
    guard let node, !node.isNull else { return nil }
    guard let text = node.string else {
      // Deliberately not quoting the value: the field may be a secret.
      throw .invalidField(path: path, field: field, problem: "expected a string, found \(node.typeName)")
    }
    return text
  }

  private func bool(_ node: Node?, _ field: String) throws(KubeconfigError) -> Bool? {
    guard let node, !node.isNull else { return nil }
    guard let value = node.bool else {
      throw .invalidField(path: path, field: field, problem: "expected true or false, found \(node.typeName)")
    }
    return value
  }

  private func strings(_ node: Node?, _ field: String) throws(KubeconfigError) -> [String] {
    guard let node, !node.isNull else { return [] }
    guard let items = node.sequence else {
      throw .invalidField(path: path, field: field, problem: "expected a list of strings, found \(node.typeName)")
    }
    var result: [String] = []
    for (index, item) in items.enumerated() {
      guard let text = item.string else {
        throw .invalidField(
          path: path, field: "\(field)[\(index)]", problem: "expected a string, found \(item.typeName)")
      }
      result.append(text)
    }
    return result
  }

  private func extra(_ node: Node?, _ field: String) throws(KubeconfigError) -> [String: [String]] {
    guard let node, !node.isNull else { return [:] }
    guard let entries = node.mapping else {
      throw .invalidField(path: path, field: field, problem: "expected a mapping of lists, found \(node.typeName)")
    }
    var result: [String: [String]] = [:]
    for entry in entries { result[entry.key] = try strings(entry.value, "\(field).\(entry.key)") }
    return result
  }

  /// A path field, made absolute against the file's directory; empty counts as unset.
  private func filePath(_ node: Node?, _ field: String) throws(KubeconfigError) -> String? {
    guard let text = try string(node, field), !text.isEmpty else { return nil }
    return resolve(text)
  }

  private func base64(_ node: Node?, _ field: String) throws(KubeconfigError) -> [UInt8]? {
    guard let text = try string(node, field), !text.isEmpty else { return nil }
    guard let bytes = Base64.decode(text) else {
      throw .invalidField(path: path, field: field, problem: "invalid base64")
    }
    return bytes
  }

  /// `relative` made absolute against the directory of this file.
  func resolve(_ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    let directory = Paths.directory(of: path)
    return Paths.join(directory.isEmpty ? "." : directory, relative)
  }
}

/// Standard base64 as Go's `encoding/base64.StdEncoding` reads `[]byte` fields: padding
/// required, `\r` and `\n` ignored, anything else outside the alphabet rejected.
enum Base64 {
  /// The decoded bytes, or nil when `text` is not valid base64.
  static func decode(_ text: String) -> [UInt8]? {
    let cleaned = text.filter { $0 != "\n" && $0 != "\r" }
    guard cleaned.utf8.count % 4 == 0, let data = Data(base64Encoded: cleaned) else { return nil }
    return [UInt8](data)
  }

  /// The standard base64 encoding of `bytes`.
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
