import Foundation
import Manifest
import Testing

@testable import KubeClient

/// The kubectl on PATH, if any.
let installedKubectl: String? = SystemProcessRunner.locate("kubectl", path: ProcessInfo.processInfo.environment["PATH"])

/// The real kubectl as the oracle: `kubectl config view` on the same files must show the same
/// merged configuration, and `--minify` the same chosen context, cluster and user. Skipped
/// (visibly) where kubectl is not installed; it works offline.
@Suite(.enabled(if: installedKubectl != nil, "needs kubectl on PATH"))
struct KubeconfigKubectlTests {
  static var kubectl: String? { installedKubectl }

  /// Three files in three directories, overlapping names, relative paths, current-context set
  /// by the second file only.
  func threeFiles() -> Scratch {
    let scratch = Scratch()
    scratch.write("one/config", """
      apiVersion: v1
      kind: Config
      clusters:
      - name: shared
        cluster: {server: "https://one:6443", certificate-authority: certs/ca.crt}
      - name: only-one
        cluster: {server: "https://only-one:6443", insecure-skip-tls-verify: true}
      users:
      - name: shared-user
        user: {token: token-one}
      contexts:
      - name: ctx-one
        context: {cluster: shared, user: shared-user, namespace: ns-one}
      current-context: ""
      """)
    scratch.write("two/nested/config", """
      apiVersion: v1
      kind: Config
      clusters:
      - name: shared
        cluster: {server: "https://two:6443", tls-server-name: two.internal}
      - name: only-two
        cluster: {server: "https://only-two:6443", certificate-authority-data: \(b64("CA-TWO")), tls-server-name: api.two}
      users:
      - name: shared-user
        user: {token: token-two}
      - name: file-user
        user: {tokenFile: ../token, client-certificate: c.crt, client-key: k.key}
      contexts:
      - name: ctx-two
        context: {cluster: only-two, user: file-user}
      - name: ctx-one
        context: {cluster: only-two, user: file-user, namespace: shadowed}
      current-context: ctx-two
      """)
    scratch.write("three/config", """
      apiVersion: v1
      kind: Config
      users:
      - name: plugin-user
        user:
          exec: {command: ./bin/plugin, apiVersion: client.authentication.k8s.io/v1beta1, args: [a]}
      - name: basic
        user: {username: bob, password: pw, client-key-data: \(b64("KEY"))}
      contexts:
      - name: ctx-three
        context: {cluster: only-one, user: plugin-user, namespace: ns-three}
      current-context: ctx-three
      """)
    return scratch
  }

  static let files = ["one/config", "two/nested/config", "three/config"]

  /// `kubectl config view --raw -o json` with `KUBECONFIG` set to `files`, plus `extra` flags.
  func kubectlView(_ scratch: Scratch, _ files: [String], _ extra: [String] = []) throws -> Node {
    let output = try SystemProcessRunner().run(
      command: Self.kubectl!, arguments: ["config", "view", "--raw", "-o", "json"] + extra,
      environment: ["KUBECONFIG": files.map(scratch.path).joined(separator: ":"), "HOME": scratch.path("home"), "PATH": "/usr/bin:/bin"],
      interactive: false)
    try #require(output.status == 0, "kubectl failed: \(String(decoding: output.standardError, as: UTF8.self))")
    return try #require(ManifestReader().parse(String(decoding: output.standardOutput, as: UTF8.self)).documents.first?.root)
  }

  /// kubectl's list `section` as name → body.
  func entries(_ view: Node, _ section: String, _ body: String) -> [String: Node] {
    var result: [String: Node] = [:]
    for item in view[section]?.sequence ?? [] {
      if let name = item["name"]?.string { result[name] = item[body] ?? .null }
    }
    return result
  }

  /// kubectl prints paths as written; make them absolute against the file that defined them.
  func absolute(_ path: String?, origin: String) -> String? {
    guard let path else { return nil }
    let resolved = path.hasPrefix("/") ? path : ((origin as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
    return (resolved as NSString).standardizingPath
  }

  func standardized(_ path: String?) -> String? { path.map { ($0 as NSString).standardizingPath } }

  @Test(arguments: [[0, 1], [1, 0], [0, 1, 2], [2, 1, 0], [1, 2, 0]])
  func mergedConfigurationMatchesKubectl(order: [Int]) throws {
    let scratch = threeFiles()
    let files = order.map { Self.files[$0] }
    let view = try kubectlView(scratch, files)
    let ours = try scratch.load(kubeconfig: files)

    #expect(ours.currentContext == view["current-context"]?.string.flatMap { $0.isEmpty ? nil : $0 })

    let clusters = entries(view, "clusters", "cluster")
    #expect(Set(ours.clusters.keys) == Set(clusters.keys))
    for (name, theirs) in clusters {
      let mine = try #require(ours.clusters[name])
      #expect(mine.server == theirs["server"]?.string, "clusters[\(name)].server")
      #expect(mine.tlsServerName == theirs["tls-server-name"]?.string, "clusters[\(name)].tls-server-name")
      #expect(mine.insecureSkipTLSVerify == (theirs["insecure-skip-tls-verify"]?.bool ?? false))
      #expect(standardized(mine.certificateAuthority) == absolute(theirs["certificate-authority"]?.string, origin: mine.origin))
      #expect(mine.certificateAuthorityData.map(Base64.encode) == theirs["certificate-authority-data"]?.string)
    }

    let users = entries(view, "users", "user")
    #expect(Set(ours.users.keys) == Set(users.keys))
    for (name, theirs) in users {
      let mine = try #require(ours.users[name])
      #expect(mine.token?.value == theirs["token"]?.string, "users[\(name)].token")
      #expect(standardized(mine.tokenFile) == absolute(theirs["tokenFile"]?.string, origin: mine.origin))
      #expect(standardized(mine.clientCertificate) == absolute(theirs["client-certificate"]?.string, origin: mine.origin))
      #expect(standardized(mine.clientKey) == absolute(theirs["client-key"]?.string, origin: mine.origin))
      #expect(mine.clientKeyData.map { Base64.encode($0.value) } == theirs["client-key-data"]?.string)
      #expect(mine.username == theirs["username"]?.string)
      #expect(mine.password?.value == theirs["password"]?.string)
      #expect(standardized(mine.exec?.command) == absolute(theirs[path: "exec", "command"]?.string, origin: mine.origin)
        || mine.exec?.command == theirs[path: "exec", "command"]?.string)
      #expect(mine.exec?.arguments ?? [] == (theirs[path: "exec", "args"]?.sequence ?? []).compactMap(\.string))
    }

    let contexts = entries(view, "contexts", "context")
    #expect(Set(ours.contexts.keys) == Set(contexts.keys))
    for (name, theirs) in contexts {
      let mine = try #require(ours.contexts[name])
      #expect(mine.cluster == theirs["cluster"]?.string, "contexts[\(name)].cluster")
      #expect(mine.user == theirs["user"]?.string, "contexts[\(name)].user")
      #expect(mine.namespace == theirs["namespace"]?.string, "contexts[\(name)].namespace")
    }
  }

  // `config view --minify` honours --context but not --cluster/--user (it minifies the stored
  // context), so those two flags are tested in KubeconfigResolutionTests instead.
  @Test(arguments: [[String](), ["--context", "ctx-one"], ["--context", "ctx-two"], ["--context", "ctx-three"]])
  func chosenContextMatchesKubectlMinify(flags: [String]) throws {
    let scratch = threeFiles()
    let files = Self.files
    // kubectl reads these files fine; the token file and certificates need to exist only
    // when connecting, which --minify does not do, so give them content for our resolver.
    scratch.write("one/certs/ca.crt", "CA-ONE")
    scratch.write("two/token", "file-token")
    scratch.write("two/nested/c.crt", "CERT")
    scratch.write("two/nested/k.key", "KEY")
    let view = try kubectlView(scratch, files, ["--minify"] + flags)
    var chosen = KubeconfigOverrides()
    var iterator = flags.makeIterator()
    while let flag = iterator.next() {
      let value = iterator.next()
      switch flag {
      case "--context": chosen.context = value
      case "--cluster": chosen.cluster = value
      case "--user": chosen.user = value
      default: Issue.record("unexpected flag \(flag)")
      }
    }
    let connection = try scratch.resolve(kubeconfig: files, chosen)
    let context = try #require(view["contexts"]?.sequence?.first)
    #expect(connection.contextName == view["current-context"]?.string)
    #expect(connection.contextName == context["name"]?.string)
    #expect(connection.clusterName == view["clusters"]?.sequence?.first?["name"]?.string)
    #expect(connection.userName == view["users"]?.sequence?.first?["name"]?.string)
    #expect(connection.server == view["clusters"]?.sequence?.first?[path: "cluster", "server"]?.string)
    #expect(connection.namespace == (context[path: "context", "namespace"]?.string ?? "default"))
  }
}
