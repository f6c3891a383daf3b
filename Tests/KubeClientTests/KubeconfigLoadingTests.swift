import Foundation
import Testing

@testable import KubeClient

/// Which files are read and how they merge: client-go's `ClientConfigLoadingRules`.
@Suite struct KubeconfigLoadingTests {
  @Test func explicitMissingFileIsAnError() {
    // kubectl --kubeconfig missing.yaml get ns → "stat missing.yaml: no such file or directory".
    let scratch = Scratch()
    var flags = KubeconfigOverrides()
    flags.kubeconfig = "missing.yaml"
    let error = kubeconfigError { _ = try ClusterConnection.resolve(overrides: flags, environment: scratch.environment()) }
    #expect(error == .fileNotFound(path: scratch.path("missing.yaml")))
    #expect(error?.description.contains("missing.yaml: no such file (given with --kubeconfig)") == true)
  }

  @Test func explicitFileWinsOverKUBECONFIG() throws {
    let scratch = Scratch()
    scratch.write("env.yaml", kubeconfigText(server: "https://env:1"))
    scratch.write("flag.yaml", kubeconfigText(server: "https://flag:1"))
    var flags = KubeconfigOverrides()
    flags.kubeconfig = "flag.yaml"
    let connection = try ClusterConnection.resolve(overrides: flags, environment: scratch.environment(["KUBECONFIG": "env.yaml"]))
    #expect(connection.server == "https://flag:1")
    #expect(connection.source == .kubeconfig(files: [scratch.path("flag.yaml")]))
  }

  @Test func missingFilesInKUBECONFIGAreSkipped() throws {
    let scratch = Scratch()
    scratch.write("b.yaml", kubeconfigText(server: "https://b:1"))
    let config = try scratch.load(kubeconfig: ["nope.yaml", "b.yaml", "also-missing.yaml"])
    #expect(config.files == [scratch.path("b.yaml")])
    #expect(config.clusters["c"]?.server == "https://b:1")
  }

  @Test func twoFilesFirstDefinitionWinsWholeEntry() throws {
    // kubectl config view --merge: c1 keeps a.yaml's entry whole (no field from b.yaml leaks
    // in), names only in b.yaml are added.
    let scratch = Scratch()
    scratch.write("a.yaml", """
      clusters:
      - name: c1
        cluster: {server: "https://a:1"}
      users:
      - name: u1
        user: {token: from-a}
      """)
    scratch.write("b.yaml", """
      clusters:
      - name: c1
        cluster: {server: "https://b:1", tls-server-name: b.internal, certificate-authority-data: \(b64("ca-b"))}
      - name: c2
        cluster: {server: "https://b:2"}
      users:
      - name: u1
        user: {token: from-b, username: admin}
      current-context: ctx-b
      """)
    let config = try scratch.load(kubeconfig: ["a.yaml", "b.yaml"])
    #expect(config.clusters["c1"]?.server == "https://a:1")
    #expect(config.clusters["c1"]?.tlsServerName == nil)
    #expect(config.clusters["c1"]?.certificateAuthorityData == nil)
    #expect(config.clusters["c2"]?.server == "https://b:2")
    #expect(config.users["u1"]?.token?.value == "from-a")
    #expect(config.users["u1"]?.username == nil)
    #expect(config.currentContext == "ctx-b")
  }

  @Test func threeFilesCurrentContextFromFirstFileThatSetsIt() throws {
    let scratch = Scratch()
    scratch.write("1.yaml", "current-context: \"\"\npreferences: {}\n")
    scratch.write("2.yaml", "current-context: second\npreferences: {colors: true}\n")
    scratch.write("3.yaml", "current-context: third\npreferences: {colors: false}\n")
    let config = try scratch.load(kubeconfig: ["1.yaml", "2.yaml", "3.yaml"])
    #expect(config.currentContext == "second")
    #expect(config.colors == true)
    let reversed = try scratch.load(kubeconfig: ["3.yaml", "2.yaml", "1.yaml"])
    #expect(reversed.currentContext == "third")
  }

  @Test func threeFilesUnionOfNames() throws {
    let scratch = Scratch()
    for (file, name) in [("1.yaml", "one"), ("2.yaml", "two"), ("3.yaml", "three")] {
      scratch.write(file, kubeconfigText(cluster: "c-\(name)", user: "u-\(name)", context: name, current: nil))
    }
    let config = try scratch.load(kubeconfig: ["1.yaml", "2.yaml", "3.yaml", "2.yaml"])
    #expect(Set(config.contexts.keys) == ["one", "two", "three"])
    #expect(config.contexts["three"]?.origin == scratch.path("3.yaml"))
    // A file listed twice is read once (client-go deduplicates the list).
    #expect(config.files.count == 3)
  }

  @Test func homeConfigWhenKUBECONFIGIsUnset() throws {
    let scratch = Scratch()
    scratch.write("home/.kube/config", kubeconfigText(server: "https://home:1"))
    let connection = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: scratch.environment())
    #expect(connection.server == "https://home:1")
  }

  @Test func absentHomeConfigIsEmptyUntilAClusterIsNeeded() throws {
    let scratch = Scratch()
    let config = try KubeconfigLoader(environment: scratch.environment()).load(explicitPath: nil)
    #expect(config.isEmpty)
    let error = kubeconfigError { _ = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: scratch.environment()) }
    guard case .noConfiguration(let searched) = error else {
      Issue.record("expected noConfiguration, got \(String(describing: error))")
      return
    }
    #expect(searched == [scratch.path("home/.kube/config")])
    #expect(error!.description.contains("use --kubeconfig, set KUBECONFIG, or pass --server"))
    // With --server alone there is something to talk to (kubectl -s works without a file).
    let connection = try ClusterConnection.resolve(overrides: overrides(server: "https://flag:6443"), environment: scratch.environment())
    #expect(connection.server == "https://flag:6443")
    #expect(connection.namespace == "default")
  }

  @Test func emptyFileIsAnEmptyConfig() throws {
    let scratch = Scratch()
    scratch.write("empty.yaml", "")
    scratch.write("real.yaml", kubeconfigText())
    let config = try scratch.load(kubeconfig: ["empty.yaml", "real.yaml"])
    #expect(config.currentContext == "ctx")
  }

  @Test func relativePathsResolveAgainstTheFileThatNamesThem() throws {
    let scratch = Scratch()
    scratch.write("team/certs/ca.crt", "CA-TEAM")
    scratch.write("me/creds/client.crt", "CERT-ME")
    scratch.write("me/creds/client.key", "KEY-ME")
    scratch.write("me/token", "tok-from-file\n")
    scratch.write("team/config", """
      clusters:
      - name: team
        cluster: {server: "https://team:6443", certificate-authority: certs/ca.crt}
      contexts:
      - name: team
        context: {cluster: team, user: me}
      current-context: team
      """)
    scratch.write("me/config", """
      users:
      - name: me
        user: {client-certificate: creds/client.crt, client-key: ./creds/client.key, tokenFile: token}
      - name: plugin
        user:
          exec: {command: ./bin/get-token, apiVersion: client.authentication.k8s.io/v1beta1}
      - name: plugin-on-path
        user:
          exec: {command: get-token, apiVersion: client.authentication.k8s.io/v1beta1}
      """)
    let config = try scratch.load(kubeconfig: ["team/config", "me/config"])
    #expect(config.clusters["team"]?.certificateAuthority == scratch.path("team/certs/ca.crt"))
    #expect(config.users["me"]?.clientCertificate == scratch.path("me/creds/client.crt"))
    #expect(config.users["me"]?.clientKey == scratch.path("me/./creds/client.key"))
    #expect(config.users["me"]?.tokenFile == scratch.path("me/token"))
    #expect(config.users["plugin"]?.exec?.command == scratch.path("me/./bin/get-token"))
    #expect(config.users["plugin-on-path"]?.exec?.command == "get-token")

    let connection = try scratch.resolve(kubeconfig: ["team/config", "me/config"])
    #expect(connection.certificateAuthority == Array("CA-TEAM".utf8))
    #expect(connection.clientCertificate == Array("CERT-ME".utf8))
    #expect(connection.clientKey?.value == Array("KEY-ME".utf8))
    #expect(connection.bearerToken?.value == "tok-from-file")
    #expect(connection.bearerTokenFile == scratch.path("me/token"))
  }

  @Test func badBase64NamesFileAndField() {
    let scratch = Scratch()
    let file = scratch.write("bad.yaml", kubeconfigText(user: "dev", userFields: "client-certificate-data: not*base64"))
    let error = kubeconfigError { _ = try scratch.load(kubeconfig: ["bad.yaml"]) }
    #expect(error == .invalidField(path: file, field: "users[dev].client-certificate-data", problem: "invalid base64"))
    #expect(error?.description == "\(file): users[dev].client-certificate-data: invalid base64")
  }

  @Test func base64WithLineBreaksIsAccepted() throws {
    // Go's base64 decoder skips \r and \n, so wrapped data works in kubectl.
    let scratch = Scratch()
    let wrapped = b64("0123456789abcdef0123456789").enumerated().map { $0.offset == 8 ? "\\n\($0.element)" : "\($0.element)" }.joined()
    scratch.write("wrapped.yaml", kubeconfigText(userFields: "client-certificate-data: \"\(wrapped)\""))
    let config = try scratch.load(kubeconfig: ["wrapped.yaml"])
    #expect(config.users["u"]?.clientCertificateData == Array("0123456789abcdef0123456789".utf8))
  }

  @Test func homeDirectoryIsShownAsTilde() {
    let home = PathDisplay.homeDirectory ?? "/root"
    let error = KubeconfigError.invalidField(
      path: home + "/.kube/config", field: "users[dev].client-certificate-data", problem: "invalid base64")
    #expect(error.description == "~/.kube/config: users[dev].client-certificate-data: invalid base64")
  }

  @Test func wrongTypesAndDuplicatesAreErrors() {
    let scratch = Scratch()
    let numeric = scratch.write("numeric.yaml", kubeconfigText(server: "12345"))
    #expect(kubeconfigError { _ = try scratch.load(kubeconfig: ["numeric.yaml"]) }
      == .invalidField(path: numeric, field: "clusters[c].server", problem: "expected a string, found integer"))
    // YAML 1.1, as kubectl reads it: `name: y` is a boolean, so kubectl refuses it too
    // ("cannot unmarshal bool into Go struct field NamedContext.contexts.name of type string").
    let yes = scratch.write("yes.yaml", kubeconfigText(context: "y", current: nil))
    #expect(kubeconfigError { _ = try scratch.load(kubeconfig: ["yes.yaml"]) }
      == .invalidField(path: yes, field: "contexts[0].name", problem: "expected a string, found boolean"))
    let twice = scratch.write("twice.yaml", "users:\n- name: a\n- name: a\n")
    #expect(kubeconfigError { _ = try scratch.load(kubeconfig: ["twice.yaml"]) }
      == .duplicateName(path: twice, section: "users", name: "a"))
    let notYAML = scratch.write("broken.yaml", "clusters: [\n")
    guard case .notAKubeconfig(let path, let line, _, _) = kubeconfigError({ _ = try scratch.load(kubeconfig: ["broken.yaml"]) }) else {
      Issue.record("expected notAKubeconfig")
      return
    }
    #expect(path == notYAML)
    #expect(line >= 1)
  }

  @Test func aBadFileInKUBECONFIGFailsTheLoad() {
    // client-go collects the error and kubectl stops: a broken file is not skipped.
    let scratch = Scratch()
    scratch.write("good.yaml", kubeconfigText())
    let bad = scratch.write("bad.yaml", "kind: Pod\n")
    #expect(kubeconfigError { _ = try scratch.load(kubeconfig: ["good.yaml", "bad.yaml"]) }
      == .invalidField(path: bad, field: "kind", problem: "expected Config, found Pod"))
  }
}

/// Files that are not ordinary kubeconfigs: pipes, devices, directories.
@Suite struct KubeconfigUnusualFilesTests {
  @Test func endlessFileIsRefusedNotRead() throws {
    // tokenFile: /dev/zero would otherwise hang or exhaust memory.
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(userFields: "{tokenFile: /dev/zero}"))
    guard case .referencedFileUnreadable(let field, _, let file, let reason) = kubeconfigError({ _ = try scratch.resolve(kubeconfig: ["config"]) }) else {
      Issue.record("expected referencedFileUnreadable")
      return
    }
    #expect(field == "users[u].tokenFile" && file == "/dev/zero")
    #expect(reason.contains("larger than 16 MiB"))
  }

  @Test func directoryAsKubeconfig() {
    let scratch = Scratch()
    scratch.write("dir/file", "")
    var flags = KubeconfigOverrides()
    flags.kubeconfig = "dir"
    #expect(kubeconfigError { _ = try ClusterConnection.resolve(overrides: flags, environment: scratch.environment()) }
      == .unreadable(path: scratch.path("dir"), reason: "is a directory"))
  }
}
