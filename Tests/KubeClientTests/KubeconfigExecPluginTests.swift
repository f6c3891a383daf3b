import Foundation
import Manifest
import Testing

@testable import KubeClient

/// A runner that answers with a canned output and records how it was called.
final class FakeProcessRunner: ProcessRunner, @unchecked Sendable {
  struct Call {
    var command: String
    var arguments: [String]
    var environment: [String: String]
    var interactive: Bool
  }

  private let lock = NSLock()
  private var recorded: [Call] = []
  let answer: Result<ProcessOutput, ProcessRunnerError>

  init(_ answer: Result<ProcessOutput, ProcessRunnerError>) { self.answer = answer }

  convenience init(stdout: String, status: Int32 = 0, stderr: String = "") {
    self.init(.success(ProcessOutput(status: status, standardOutput: Array(stdout.utf8), standardError: Array(stderr.utf8))))
  }

  var calls: [Call] { lock.withLock { recorded } }

  func run(command: String, arguments: [String], environment: [String: String], interactive: Bool) throws(ProcessRunnerError) -> ProcessOutput {
    lock.withLock { recorded.append(Call(command: command, arguments: arguments, environment: environment, interactive: interactive)) }
    return try answer.get()
  }
}

/// The exec credential plugin protocol, `client.authentication.k8s.io/v1` and `v1beta1`.
@Suite struct KubeconfigExecPluginTests {
  static let v1 = ExecCredentialProtocol.v1
  static let v1beta1 = ExecCredentialProtocol.v1beta1

  func config(_ version: String = v1, mode: ExecPluginConfig.InteractiveMode = .never) -> ExecPluginConfig {
    var config = ExecPluginConfig(command: "get-token", apiVersion: version)
    config.arguments = ["--cluster", "prod"]
    config.environment = [(name: "REGION", value: Redacted("eu-1")), (name: "HOME", value: Redacted("/plugin-home"))]
    config.interactiveMode = mode
    config.installHint = "install it with: brew install get-token"
    return config
  }

  func plugin(_ runner: FakeProcessRunner, _ config: ExecPluginConfig? = nil, terminal: Bool = false) -> ExecCredentialPlugin {
    let environment = KubeconfigEnvironment(
      variables: ["PATH": "/usr/bin", "HOME": "/home/me"], homeDirectory: "/home/me", currentDirectory: "/",
      standardInputIsTerminal: terminal)
    return ExecCredentialPlugin(config: config ?? self.config(), userName: "robot", runner: runner, environment: environment)
  }

  static func credential(_ version: String = v1, status: String) -> String {
    #"{"apiVersion":"\#(version)","kind":"ExecCredential","status":\#(status)}"#
  }

  @Test func v1TokenWithArgsEnvAndExecInfo() throws {
    let runner = FakeProcessRunner(stdout: Self.credential(status: #"{"token":"plugin-token","expirationTimestamp":"2030-01-02T03:04:05Z"}"#))
    let credential = try plugin(runner).fetch()
    #expect(credential.token?.value == "plugin-token")
    #expect(credential.expiration == Date(timeIntervalSince1970: 1_893_553_445))
    let call = try #require(runner.calls.first)
    #expect(call.command == "get-token")
    #expect(call.arguments == ["--cluster", "prod"])
    #expect(call.interactive == false)
    #expect(call.environment["PATH"] == "/usr/bin")  // inherited
    #expect(call.environment["REGION"] == "eu-1")  // from env:
    #expect(call.environment["HOME"] == "/plugin-home")  // env: wins over the inherited value
    let info = try #require(call.environment["KUBERNETES_EXEC_INFO"])
    let root = try #require(ManifestReader().parse(info).documents.first?.root)
    #expect(root["apiVersion"]?.string == Self.v1)
    #expect(root["kind"]?.string == "ExecCredential")
    #expect(root[path: "spec", "interactive"]?.bool == false)
    #expect(root[path: "spec", "cluster"] == nil)  // provideClusterInfo not set
  }

  @Test func v1beta1ClientCertificate() throws {
    let runner = FakeProcessRunner(stdout: Self.credential(Self.v1beta1, status: #"{"clientCertificateData":"-----BEGIN CERTIFICATE-----\nX\n","clientKeyData":"-----BEGIN PRIVATE KEY-----\nY\n"}"#))
    let credential = try plugin(runner, config(Self.v1beta1)).fetch()
    #expect(credential.clientCertificate == Array("-----BEGIN CERTIFICATE-----\nX\n".utf8))
    #expect(credential.clientKey?.value == Array("-----BEGIN PRIVATE KEY-----\nY\n".utf8))
    #expect(credential.token == nil)
    #expect(credential.expiration == nil)
  }

  @Test func clusterInfoWhenAsked() throws {
    var config = config()
    config.provideClusterInfo = true
    var connection = ClusterConnection(source: .kubeconfig(files: []), server: "https://api:6443")
    connection.exec = config
    connection.userName = "robot"
    connection.certificateAuthority = Array("CA".utf8)
    connection.tlsServerName = "api.internal"
    let runner = FakeProcessRunner(stdout: Self.credential(status: #"{"token":"t"}"#))
    let plugin = try #require(ExecCredentialPlugin(connection: connection, runner: runner, environment: Scratch().environment()))
    let root = try #require(ManifestReader().parse(plugin.execInfo(interactive: false)).documents.first?.root)
    #expect(root[path: "spec", "cluster", "server"]?.string == "https://api:6443")
    #expect(root[path: "spec", "cluster", "certificate-authority-data"]?.string == b64("CA"))
    #expect(root[path: "spec", "cluster", "tls-server-name"]?.string == "api.internal")
    // The credential replaces the plugin in the connection.
    let authenticated = connection.with(try plugin.fetch())
    #expect(authenticated.bearerToken?.value == "t")
    let (ready, expiry) = try connection.authenticated(runner: runner, environment: Scratch().environment())
    #expect(ready.bearerToken?.value == "t" && expiry == nil)
    let noPlugin = ClusterConnection(source: .inCluster, server: "https://x")
    #expect(try noPlugin.authenticated(runner: FakeProcessRunner(.failure(.notFound))).connection == noPlugin)
  }

  @Test func interactiveModes() throws {
    let ok = Self.credential(status: #"{"token":"t"}"#)
    let never = FakeProcessRunner(stdout: ok)
    _ = try plugin(never, config(mode: .never), terminal: true).fetch()
    #expect(never.calls.first?.interactive == false)
    let available = FakeProcessRunner(stdout: ok)
    _ = try plugin(available, config(mode: .ifAvailable), terminal: true).fetch()
    #expect(available.calls.first?.interactive == true)
    #expect(available.calls.first?.environment["KUBERNETES_EXEC_INFO"]?.contains(#""interactive":true"#) == true)
    let unavailable = FakeProcessRunner(stdout: ok)
    _ = try plugin(unavailable, config(mode: .ifAvailable), terminal: false).fetch()
    #expect(unavailable.calls.first?.interactive == false)
    // Always without a terminal: client-go refuses before running the plugin.
    let always = FakeProcessRunner(stdout: ok)
    #expect(kubeconfigError { _ = try plugin(always, config(mode: .always), terminal: false).fetch() }
      == .execNeedsTerminal(user: "robot", command: "get-token"))
    #expect(always.calls.isEmpty)
  }

  @Test func notFoundShowsTheInstallHint() {
    let error = kubeconfigError { _ = try plugin(FakeProcessRunner(.failure(.notFound))).fetch() }
    #expect(error == .execNotFound(user: "robot", command: "get-token", installHint: "install it with: brew install get-token"))
    #expect(error?.description.hasSuffix("\n\ninstall it with: brew install get-token") == true)
  }

  @Test func nonZeroExitShowsStandardError() {
    let runner = FakeProcessRunner(stdout: "", status: 3, stderr: "error: session expired, run get-token login\n")
    let error = kubeconfigError { _ = try plugin(runner).fetch() }
    #expect(error?.description == "users[robot].exec: \"get-token\" failed with exit code 3: error: session expired, run get-token login")
  }

  @Test(arguments: [
    ("not json at all {", "its standard output is not a JSON object"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"leaky"}}"#,
      "apiVersion is \"client.authentication.k8s.io/v1beta1\" but the kubeconfig asks for client.authentication.k8s.io/v1"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}"#, "kind is \"Pod\", expected ExecCredential"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, "status is missing"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#,
      "status has neither a token nor clientCertificateData and clientKeyData"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"c"}}"#,
      "status has only one of clientCertificateData and clientKeyData; both are needed"),
    (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"leaky","expirationTimestamp":"tomorrow"}}"#,
      "status.expirationTimestamp is not an RFC 3339 time"),
  ])
  func badOutput(stdout: String, problem: String) {
    let error = kubeconfigError { _ = try plugin(FakeProcessRunner(stdout: stdout)).fetch() }
    #expect(error == .execBadOutput(user: "robot", command: "get-token", problem: problem))
    #expect(error?.description.contains("leaky") == false)
  }

  @Test func realShellScriptPlugin() throws {
    // A real plugin: a shell script next to the kubeconfig, named by a relative path, that
    // checks its argument, its env and KUBERNETES_EXEC_INFO before answering.
    let scratch = Scratch()
    scratch.write("bin/plugin.sh", """
      #!/bin/sh
      [ "$1" = "--audience" ] || { echo "bad args: $*" >&2; exit 2; }
      [ "$PLUGIN_MODE" = "test" ] || { echo "PLUGIN_MODE not set" >&2; exit 3; }
      case "$KUBERNETES_EXEC_INFO" in
        *'"interactive":false'*) ;;
        *) echo "bad exec info: $KUBERNETES_EXEC_INFO" >&2; exit 4 ;;
      esac
      printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"script-%s"}}' "$2"
      """, executable: true)
    scratch.write("config", kubeconfigText(userFields: """
      exec:
            command: ./bin/plugin.sh
            args: [--audience, meshctl]
            env: [{name: PLUGIN_MODE, value: test}]
            apiVersion: client.authentication.k8s.io/v1
            interactiveMode: IfAvailable
      """))
    let environment = scratch.environment(["KUBECONFIG": "config", "PATH": "/usr/bin:/bin"])
    let connection = try ClusterConnection.resolve(overrides: KubeconfigOverrides(), environment: environment)
    #expect(connection.exec?.command == scratch.path("./bin/plugin.sh"))
    let plugin = try #require(ExecCredentialPlugin(connection: connection, environment: environment))
    #expect(try plugin.fetch().token?.value == "script-meshctl")

    // The same script failing: its standard error is in the message.
    var failing = plugin
    failing.config.arguments = ["--wrong"]
    #expect(kubeconfigError { _ = try failing.fetch() }?.description
      == "users[u].exec: \"\(scratch.path("./bin/plugin.sh"))\" failed with exit code 2: bad args: --wrong")

    // And a command that is not on PATH.
    var missing = plugin
    missing.config.command = "no-such-plugin-\(UUID().uuidString)"
    guard case .execNotFound = kubeconfigError({ _ = try missing.fetch() }) else {
      Issue.record("expected execNotFound")
      return
    }
  }
}
