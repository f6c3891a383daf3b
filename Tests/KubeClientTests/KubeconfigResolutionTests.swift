import Foundation
import Testing

@testable import KubeClient

/// From a merged kubeconfig plus kubectl's flags to a connection: clientcmd's
/// `DirectClientConfig`, with kubectl's result noted on each case.
@Suite struct KubeconfigResolutionTests {
  /// Two contexts over two clusters and three users.
  static let twoClusters = """
    clusters:
    - name: dev
      cluster: {server: "https://dev:6443", tls-server-name: dev.internal, certificate-authority-data: \(b64("CA-DEV"))}
    - name: prod
      cluster: {server: "https://prod:6443"}
    users:
    - name: alice
      user: {token: alice-token}
    - name: bob
      user: {username: bob, password: bob-password}
    - name: robot
      user:
        exec:
          apiVersion: client.authentication.k8s.io/v1
          command: get-token
          interactiveMode: Never
    contexts:
    - name: a
      context: {cluster: dev, user: alice, namespace: team-a}
    - name: b
      context: {cluster: prod, user: bob}
    current-context: a
    """

  func resolve(_ flags: KubeconfigOverrides = KubeconfigOverrides()) throws -> ClusterConnection {
    let scratch = Scratch()
    scratch.write("config", Self.twoClusters)
    return try scratch.resolve(kubeconfig: ["config"], flags)
  }

  @Test func currentContext() throws {
    let connection = try resolve()
    #expect(connection.contextName == "a")
    #expect(connection.server == "https://dev:6443")
    #expect(connection.certificateAuthority == Array("CA-DEV".utf8))
    #expect(connection.tlsServerName == "dev.internal")
    #expect(connection.bearerToken?.value == "alice-token")
    #expect(connection.namespace == "team-a")
    #expect(connection.namespaceFromFlag == false)
    #expect(connection.warnings.isEmpty)
  }

  @Test func contextFlagPicksTheContext() throws {
    let connection = try resolve(overrides(context: "b"))
    #expect(connection.server == "https://prod:6443")
    #expect(connection.basicAuth?.username == "bob")
    #expect(connection.basicAuth?.password.value == "bob-password")
    #expect(connection.bearerToken == nil)
    #expect(connection.namespace == "default")  // context b has no namespace
  }

  @Test func clusterAndUserFlagsReplaceTheContexts() throws {
    let connection = try resolve(overrides(cluster: "prod", user: "bob"))
    #expect(connection.contextName == "a")
    #expect(connection.clusterName == "prod")
    #expect(connection.userName == "bob")
    #expect(connection.server == "https://prod:6443")
    #expect(connection.basicAuth?.username == "bob")
    #expect(connection.namespace == "team-a")  // still the context's
  }

  @Test func namespaceFlagWins() throws {
    let connection = try resolve(overrides(namespace: "other"))
    #expect(connection.namespace == "other")
    #expect(connection.namespaceFromFlag)
  }

  @Test func unknownContextListsTheKnownOnes() {
    // kubectl: "error: context was not found for specified context: prod".
    let error = kubeconfigError { _ = try resolve(overrides(context: "prod")) }
    #expect(error == .contextNotFound(name: "prod", known: ["a", "b"]))
    #expect(error?.description == "context \"prod\" not found; known contexts: a, b")
  }

  @Test func currentContextNamingNothingIsAnError() {
    // kubectl: "Error in configuration: context was not found for specified context: nope".
    let scratch = Scratch()
    scratch.write("config", "current-context: nope\ncontexts: []\n")
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    #expect(error?.description == "context \"nope\" not found; no contexts are defined")
  }

  @Test func unknownClusterAndUserFlags() {
    #expect(kubeconfigError { _ = try resolve(overrides(cluster: "zz")) }?.description
      == "cluster \"zz\" (named by --cluster) not found; known clusters: dev, prod")
    #expect(kubeconfigError { _ = try resolve(overrides(user: "zz")) }?.description
      == "user \"zz\" (named by --user) not found; known users: alice, bob, robot")
  }

  @Test func contextNamingAnUndefinedUserIsAnonymousWithAWarning() throws {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(user: "ghost", userFields: "{}").replacingOccurrences(of: "- name: ghost", with: "- name: other"))
    let connection = try scratch.resolve(kubeconfig: ["config"])
    #expect(connection.authenticationSummary == "anonymous")
    #expect(connection.warnings == ["context \"ctx\" names user \"ghost\", which is not defined: requests are anonymous"])
  }

  @Test func serverFlagReplacesServerAndClearsTLSServerName() throws {
    // clientcmd: a --server override also replaces tls-server-name with the flag's (none).
    let connection = try resolve(overrides(server: "https://elsewhere:443"))
    #expect(connection.server == "https://elsewhere:443")
    #expect(connection.tlsServerName == nil)
    #expect(connection.certificateAuthority == Array("CA-DEV".utf8))
    let named = try resolve(overrides(tlsServerName: "other.name"))
    #expect(named.tlsServerName == "other.name")
  }

  @Test func certificateAuthorityFlagReplacesData() throws {
    let scratch = Scratch()
    scratch.write("config", Self.twoClusters)
    scratch.write("flag-ca.crt", "CA-FLAG")
    let connection = try scratch.resolve(kubeconfig: ["config"], overrides(certificateAuthority: "flag-ca.crt"))
    #expect(connection.certificateAuthority == Array("CA-FLAG".utf8))
    let missing = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"], overrides(certificateAuthority: "nope.crt")) }
    #expect(missing?.description == "command line: --certificate-authority: cannot read \(scratch.path("nope.crt")): no such file")
  }

  @Test func insecureFlagClearsTheCAAndWarns() throws {
    let connection = try resolve(overrides(insecure: true))
    #expect(connection.insecureSkipTLSVerify)
    #expect(connection.certificateAuthority == nil)
    #expect(connection.warnings == [
      "the server's certificate is not verified (--insecure-skip-tls-verify): the connection to https://dev:6443 is insecure"
    ])
    #expect(try resolve().insecureSkipTLSVerify == false)  // never on unless asked
  }

  @Test func insecureAndCAInTheFileConflict() {
    // kubectl: "specifying a root certificates file with the insecure flag is not allowed".
    let scratch = Scratch()
    scratch.write("config", Self.twoClusters.replacingOccurrences(of: "tls-server-name: dev.internal", with: "insecure-skip-tls-verify: true"))
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    #expect(error == .conflict(field: "clusters[dev].insecure-skip-tls-verify",
      problem: "a certificate authority and insecure-skip-tls-verify cannot both be set; remove one"))
  }

  @Test func tokenFlagOverridesAndTokenBeatsTokenFile() throws {
    #expect(try resolve(overrides(token: "flag-token")).bearerToken?.value == "flag-token")
    let scratch = Scratch()
    scratch.write("tok", "file-token")
    scratch.write("config", kubeconfigText(userFields: "{token: inline, tokenFile: tok}"))
    let connection = try scratch.resolve(kubeconfig: ["config"])
    #expect(connection.bearerToken?.value == "inline")
    #expect(connection.bearerTokenFile == scratch.path("tok"))
  }

  @Test func missingTokenFileNamesFieldAndFile() {
    let scratch = Scratch()
    let config = scratch.write("config", kubeconfigText(user: "dev", userFields: "{tokenFile: gone}"))
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    #expect(error == .referencedFileUnreadable(field: "users[dev].tokenFile", definedIn: config, file: scratch.path("gone"), reason: "no such file"))
  }

  @Test func clientCertificateFileAndDataConflictAsInKubectl() {
    // kubectl: "client-cert-data and client-cert are both specified for u1".
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(userFields: "{client-certificate: c.crt, client-certificate-data: \(b64("x")), client-key-data: \(b64("k"))}"))
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    guard case .conflict(let field, _) = error else {
      Issue.record("expected a conflict, got \(String(describing: error))")
      return
    }
    #expect(field == "users[u].client-certificate")
  }

  @Test func certificateWithoutKeyIsAnError() {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(userFields: "{client-certificate-data: \(b64("x"))}"))
    guard case .conflict(let field, _) = kubeconfigError({ _ = try scratch.resolve(kubeconfig: ["config"]) }) else {
      Issue.record("expected a conflict")
      return
    }
    #expect(field == "users[u].client-key")
  }

  @Test func execPluginIsKeptOnlyWithoutOtherCredentials() throws {
    let plugin = try resolve(overrides(user: "robot"))
    #expect(plugin.exec?.command == "get-token")
    #expect(plugin.exec?.interactiveMode == .never)
    // client-go skips the plugin when a token is given ("kubectl --token" means that token).
    let withToken = try resolve(overrides(user: "robot", token: "t"))
    #expect(withToken.exec == nil)
    #expect(withToken.bearerToken?.value == "t")
  }

  @Test func execV1RequiresInteractiveModeV1beta1DefaultsIt() throws {
    let scratch = Scratch()
    let v1 = scratch.write("v1", kubeconfigText(userFields: "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1}}"))
    #expect(kubeconfigError { _ = try scratch.load(kubeconfig: ["v1"]) } == .invalidField(
      path: v1, field: "users[u].exec.interactiveMode",
      problem: "missing; client.authentication.k8s.io/v1 requires Never, IfAvailable or Always"))
    scratch.write("beta", kubeconfigText(userFields: "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1beta1}}"))
    #expect(try scratch.load(kubeconfig: ["beta"]).users["u"]?.exec?.interactiveMode == .ifAvailable)
    let alpha = scratch.write("alpha", kubeconfigText(userFields: "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}}"))
    guard case .invalidField(let path, let field, _) = kubeconfigError({ _ = try scratch.load(kubeconfig: ["alpha"]) }) else {
      Issue.record("expected invalidField")
      return
    }
    #expect(path == alpha && field == "users[u].exec.apiVersion")
  }

  @Test func legacyAuthProviderIsRefusedWithAHint() {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(userFields: "{auth-provider: {name: gcp}}"))
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    #expect(error == .unsupportedAuthProvider(user: "u", provider: "gcp"))
    #expect(error?.description.contains("exec credential plugin") == true)
  }

  @Test func plainHTTPServerSendsNoCredentials() throws {
    // clientcmd: "only try to read the auth information if we are secure".
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(server: "http://insecure:8080", userFields: "{token: secret-value}"))
    let connection = try scratch.resolve(kubeconfig: ["config"])
    #expect(connection.bearerToken == nil)
    #expect(connection.warnings.count == 1)
    // A server without a scheme is http://, as kubectl reads it.
    scratch.write("bare", kubeconfigText(server: "localhost:8080"))
    #expect(try scratch.resolve(kubeconfig: ["bare"]).server == "http://localhost:8080")
  }

  @Test func impersonation() throws {
    var flags = KubeconfigOverrides()
    flags.impersonateUser = "jane"
    flags.impersonateGroups = ["admins", "devs"]
    let connection = try resolve(flags)
    #expect(connection.impersonation == .init(user: "jane", uid: nil, groups: ["admins", "devs"], extra: [:]))
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(userFields: "{token: t, as: sam, as-uid: \"42\", as-groups: [g1], as-user-extra: {scopes: [s1, s2]}}"))
    let fromFile = try scratch.resolve(kubeconfig: ["config"])
    #expect(fromFile.impersonation == .init(user: "sam", uid: "42", groups: ["g1"], extra: ["scopes": ["s1", "s2"]]))
  }

  @Test func proxyAndCompression() throws {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(server: "https://p:1").replacingOccurrences(
      of: "server: https://p:1", with: "server: https://p:1\n    proxy-url: socks5://proxy:1080\n    disable-compression: true"))
    let connection = try scratch.resolve(kubeconfig: ["config"])
    #expect(connection.proxyURL == "socks5://proxy:1080")
    #expect(connection.disableCompression)
  }

  @Test(arguments: [
    ("0", nil), ("", nil), ("30", 30_000_000_000), ("30s", 30_000_000_000), ("1m", 60_000_000_000),
    ("1h30m", 5_400_000_000_000), ("500ms", 500_000_000), ("1.5s", 1_500_000_000), ("0s", nil),
  ] as [(String, Int64?)])
  func requestTimeout(text: String, nanoseconds: Int64?) throws {
    #expect(try RequestTimeout.parse(text) == nanoseconds.map { .nanoseconds($0) })
  }

  @Test(arguments: ["-1s", "abc", "10x", "1.2.3s", "s"])
  func invalidRequestTimeout(text: String) {
    #expect(kubeconfigError { _ = try RequestTimeout.parse(text) } == .invalidTimeout(text))
  }

  @Test func timeoutReachesTheConnection() throws {
    #expect(try resolve(overrides(timeout: "1m")).requestTimeout == .seconds(60))
    #expect(try resolve().requestTimeout == nil)
  }
}

/// A pod's service account: client-go's `InClusterConfig`.
@Suite struct KubeconfigInClusterTests {
  func pod(namespaceFile: String? = "from-file") -> Scratch {
    let scratch = Scratch()
    scratch.write("serviceaccount/token", "sa-token\n")
    scratch.write("serviceaccount/ca.crt", "SA-CA")
    if let namespaceFile { scratch.write("serviceaccount/namespace", namespaceFile) }
    return scratch
  }

  let podVariables = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

  @Test func usedWhenNoKubeconfigExists() throws {
    let scratch = pod()
    let connection = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: scratch.environment(podVariables))
    #expect(connection.source == .inCluster)
    #expect(connection.server == "https://10.96.0.1:443")
    #expect(connection.bearerToken?.value == "sa-token")
    #expect(connection.bearerTokenFile == scratch.path("serviceaccount/token"))
    #expect(connection.certificateAuthority == Array("SA-CA".utf8))
    #expect(connection.namespace == "from-file")
  }

  @Test func namespacePrecedence() throws {
    let scratch = pod()
    var variables = podVariables
    variables["POD_NAMESPACE"] = "from-env"
    #expect(try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: scratch.environment(variables)).namespace == "from-env")
    #expect(try ClusterConnection.resolve(overrides: overrides(namespace: "flag"), environment: scratch.environment(variables)).namespace == "flag")
    let bare = pod(namespaceFile: nil)
    #expect(try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: bare.environment(podVariables)).namespace == "default")
  }

  @Test func ipv6HostAndTokenFlag() throws {
    let scratch = pod()
    let connection = try ClusterConnection.resolve(
      overrides: overrides(token: "flag-token"),
      environment: scratch.environment(["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"]))
    #expect(connection.server == "https://[fd00::1]:6443")
    #expect(connection.bearerToken?.value == "flag-token")
  }

  @Test func aKubeconfigWinsOverThePod() throws {
    let scratch = pod()
    scratch.write("home/.kube/config", kubeconfigText(server: "https://from-file:1"))
    let connection = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: scratch.environment(podVariables))
    #expect(connection.server == "https://from-file:1")
  }

  @Test func notInAPodWithoutTheTokenOrVariables() {
    let noToken = Scratch()
    #expect(kubeconfigError {
      _ = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: noToken.environment(podVariables))
    }.map { if case .noConfiguration = $0 { true } else { false } } == true)
    let noVariables = pod()
    #expect(kubeconfigError {
      _ = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: noVariables.environment())
    }.map { if case .noConfiguration = $0 { true } else { false } } == true)
  }
}

/// Messages for configurations with nothing to talk to, and bad URLs.
@Suite struct KubeconfigMissingPiecesTests {
  @Test func noCurrentContext() {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(current: nil))
    #expect(kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) } == .noContext(known: ["ctx"]))
  }

  @Test func contextWithoutCluster() {
    let scratch = Scratch()
    scratch.write("config", "contexts:\n- name: lonely\n  context: {namespace: x}\ncurrent-context: lonely\n")
    let error = kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
    #expect(error?.description == "context \"lonely\" names no cluster; set contexts[lonely].cluster, or pass --cluster or --server")
  }

  @Test func clusterWithoutServer() {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText().replacingOccurrences(of: "server: https://api.example:6443", with: "tls-server-name: x"))
    #expect(kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }?.description
      == "cluster \"c\" has no server; set clusters[c].server or pass --server")
  }

  @Test func badServerAndProxyURLs() {
    let scratch = Scratch()
    scratch.write("config", kubeconfigText(server: "\"https://\""))
    #expect(kubeconfigError { _ = try scratch.resolve(kubeconfig: ["config"]) }
      == .invalidURL(field: "clusters[c].server", problem: "\"https://\" is not a URL"))
    scratch.write("proxy", kubeconfigText().replacingOccurrences(of: "server: https://api.example:6443", with: "server: https://api.example:6443\n    proxy-url: ftp://proxy"))
    #expect(kubeconfigError { _ = try scratch.resolve(kubeconfig: ["proxy"]) }
      == .invalidURL(field: "clusters[c].proxy-url", problem: "scheme ftp is not supported; use http, https, socks5"))
  }

  @Test(arguments: [
    ("http://user:pw@proxy:3128", "http://<redacted>@proxy:3128"),
    ("https://api:6443/path@x", "https://api:6443/path@x"),
    ("socks5://proxy:1080", "socks5://proxy:1080"),
    ("user:pw@host", "<redacted>@host"),
  ])
  func urlUserInfoIsHidden(url: String, shown: String) {
    #expect(URLDisplay.redactingUserInfo(url) == shown)
  }
}
