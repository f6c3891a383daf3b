import Foundation
import Testing

@testable import KubeClient

/// Secrets (tokens, keys, passwords, plugin env values) never appear in any message or
/// description, whatever goes wrong and however a value is printed (DESIGN.md §5).
@Suite struct KubeconfigSecretsTests {
  static let token = "s3cr3t-token-value"
  static let key = "PRIVATE-KEY-BYTES-xyz"
  static let password = "hunter2-password"
  static let envSecret = "env-secret-value"
  static let flagToken = "flag-token-value"
  static let pluginToken = "plugin-token-value"
  static let proxyPassword = "proxy-pass-value"
  static let secrets = [token, key, password, envSecret, flagToken, pluginToken, b64(key), proxyPassword]

  static let config = """
    clusters:
    - name: c
      cluster: {server: "https://api:6443"}
    - name: plain
      cluster: {server: "http://api:8080", proxy-url: "http://proxy-user:\(proxyPassword)@proxy:3128"}
    - name: badproxy
      cluster: {server: "https://api:6443", proxy-url: "ftp://u:\(proxyPassword)@proxy"}
    users:
    - name: tok
      user: {token: \(token), as: admin}
    - name: cert
      user: {client-certificate-data: \(b64("CERT")), client-key-data: \(b64(key))}
    - name: basic
      user: {username: bob, password: \(password)}
    - name: plugin
      user:
        exec:
          command: get-token
          apiVersion: client.authentication.k8s.io/v1beta1
          env: [{name: SECRET, value: \(envSecret)}]
    contexts:
    - name: tok
      context: {cluster: c, user: tok}
    - name: plain
      context: {cluster: plain, user: basic}
    current-context: tok
    """

  /// Every way a value may be turned into text.
  func renderings(_ value: Any) -> [String] {
    var dumped = ""
    dump(value, to: &dumped)
    var strings = [String(describing: value), String(reflecting: value), dumped, "\(value)"]
    if let error = value as? Error { strings.append(error.localizedDescription) }
    return strings
  }

  @Test func nothingProducedContainsASecret() throws {
    let scratch = Scratch()
    scratch.write("config", Self.config)
    var produced: [String] = []
    func record(_ value: Any) { produced += renderings(value) }
    func recordError(_ body: () throws -> Void) {
      if let error = kubeconfigError(body) { record(error) } else { Issue.record("expected an error") }
    }

    // Successful resolutions, every user, with and without flags.
    let loaded = try scratch.load(kubeconfig: ["config"])
    record(loaded)
    for (name, user) in loaded.users {
      record(user)
      record(try scratch.resolve(kubeconfig: ["config"], overrides(user: name)))
      if let exec = user.exec { record(exec) }
    }
    var flags = overrides(context: "plain", token: Self.flagToken)
    flags.impersonateGroups = ["g"]
    record(flags)
    let plain = try scratch.resolve(kubeconfig: ["config"], flags)
    record(plain)
    produced += plain.warnings
    let insecure = try scratch.resolve(kubeconfig: ["config"], overrides(insecure: true))
    produced += insecure.warnings

    // Failures next to the secrets.
    recordError { _ = try scratch.resolve(kubeconfig: ["config"], overrides(context: "nope")) }
    recordError { _ = try scratch.resolve(kubeconfig: ["config"], overrides(user: "nope")) }
    recordError { _ = try scratch.resolve(kubeconfig: ["config"], overrides(cluster: "nope")) }
    recordError { _ = try scratch.resolve(kubeconfig: ["config"], overrides(cluster: "badproxy")) }
    var withPasswordServer = overrides(server: "https://admin:\(Self.proxyPassword)@api:6443", insecure: true)
    withPasswordServer.impersonateUser = "x"
    record(withPasswordServer)
    let passwordServer = try scratch.resolve(kubeconfig: ["config"], withPasswordServer)
    record(passwordServer)
    produced += passwordServer.warnings
    scratch.write("badkey", Self.config.replacingOccurrences(of: b64(Self.key), with: Self.key + "!"))
    recordError { _ = try scratch.load(kubeconfig: ["badkey"]) }
    scratch.write("numeric", Self.config.replacingOccurrences(of: "token: \(Self.token)", with: "token: [\(Self.token)]"))
    recordError { _ = try scratch.load(kubeconfig: ["numeric"]) }
    scratch.write("syntax", Self.config.replacingOccurrences(of: "password: \(Self.password)}", with: "password: \(Self.password)} ]]"))
    recordError { _ = try scratch.load(kubeconfig: ["syntax"]) }
    scratch.write("both", Self.config.replacingOccurrences(of: "client-key-data:", with: "client-key: k, client-key-data:"))
    recordError { _ = try scratch.resolve(kubeconfig: ["both"], overrides(user: "cert")) }

    // The plugin: bad outputs that carry the token, a failure, a credential.
    let pluginConnection = try scratch.resolve(kubeconfig: ["config"], overrides(user: "plugin"))
    for stdout in [
      #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"\#(Self.pluginToken)"}}"#,
      #"{"token": "\#(Self.pluginToken)" "#,
      #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"\#(Self.pluginToken)","expirationTimestamp":"\#(Self.pluginToken)"}}"#,
    ] {
      let plugin = ExecCredentialPlugin(connection: pluginConnection, runner: FakeProcessRunner(stdout: stdout), environment: scratch.environment())!
      recordError { _ = try plugin.fetch() }
    }
    let good = ExecCredentialPlugin(
      connection: pluginConnection,
      runner: FakeProcessRunner(stdout: #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"\#(Self.pluginToken)"}}"#),
      environment: scratch.environment())!
    let credential = try good.fetch()
    record(credential)
    record(pluginConnection.with(credential))

    #expect(produced.count > 50)
    for text in produced {
      for secret in Self.secrets {
        #expect(!text.contains(secret), "a secret leaked into: \(text)")
      }
    }
  }

  @Test func redactedStillHoldsTheValue() {
    let secret = Redacted("value")
    #expect(secret.value == "value")
    #expect("\(secret)" == "<redacted>")
    #expect(String(reflecting: secret) == "<redacted>")
  }
}
