import Foundation
import Testing

/// `meshctl inject`'s settings as a user meets them: Linkerd's trust anchors (from a file, the
/// cluster, or missing), all-or-nothing output when they are missing, and the warning for Jobs
/// that `nativeSidecar: auto` cannot let complete.
@Suite(.tags(.slow)) struct InjectSettingsBinaryTests {
  /// A root certificate made for these tests (EC P-256); only its shape matters.
  static let certificate = """
    -----BEGIN CERTIFICATE-----
    MIIBoTCCAUegAwIBAgIUfb12Dzi1nDXaLLbmt85Usroxt6IwCgYIKoZIzj0EAwIw
    JTEjMCEGA1UEAwwacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWwwIBcNMjYxMjA2
    MDMwNTM1WhgPMjEyNjExMTIwMzA1MzVaMCUxIzAhBgNVBAMMGnJvb3QubGlua2Vy
    ZC5jbHVzdGVyLmxvY2FsMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOvk1AlVt
    PbkQz/b2hzqA0LqdO9j2fbtxu2kbSXcWVzuJSWWcv17WIFYTBhojSLvTMIj8rhXf
    iJFrpssUPBxkAqNTMFEwHQYDVR0OBBYEFE9Zqv8FSPV1yg/UMpexUHS5RodeMB8G
    A1UdIwQYMBaAFE9Zqv8FSPV1yg/UMpexUHS5RodeMA8GA1UdEwEB/wQFMAMBAf8w
    CgYIKoZIzj0EAwIDSAAwRQIhALzNgPfCP/JtMfgQo8XCVaWGOqv6vEHscWRU8B+K
    4hBDAiAAxfgWuctzTFZlQZGS169V7TF2pQSHPAnxqPHOYfvteg==
    -----END CERTIFICATE-----

    """
  /// A ConfigMap before the first workload: the document that used to reach stdout before the
  /// missing anchors were noticed.
  static let stream = """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
    data: {a: "1"}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]

    """
  static let job = """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: migrate, image: example/migrate:2}]

    """

  /// An environment with no kubeconfig anywhere: HOME is an empty directory.
  static func noKubeconfig(_ scratch: Scratch) -> [String: String] {
    ["PATH": "/usr/bin:/bin", "HOME": scratch.url.path]
  }

  @Test func missingAnchorsWithoutAKubeconfigIsExitOneWithNothingOnStdout() throws {
    let scratch = try Scratch()
    let result = try Binary.run(
      ["inject", "--provider", "linkerd"], stdin: Self.stream, environment: Self.noKubeconfig(scratch))
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stdout.isEmpty, "documents before the first workload reached stdout")
    #expect(
      result.stderr.hasPrefix(
        "meshctl: error: linkerd injection needs the mesh's identity trust anchors: no kubeconfig was found, so the cluster was not asked\n  hint: pass --identity-trust-anchors FILE"
      ))
    #expect(result.stderr.contains("configmap linkerd/linkerd-identity-trust-roots from the cluster"))
    #expect(!result.stderr.contains("Usage:"), "not a usage error")
  }

  @Test func offlineNeverAsksTheClusterAndSaysSo() throws {
    // A kubeconfig naming a server nobody listens on: --offline must not try it.
    let scratch = try Scratch([
      "kubeconfig": """
      apiVersion: v1
      kind: Config
      current-context: c
      clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
      contexts: [{name: c, context: {cluster: c, user: u}}]
      users: [{name: u, user: {}}]
      """
    ])
    var environment = Self.noKubeconfig(scratch)
    environment["KUBECONFIG"] = scratch.path("kubeconfig")
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--offline"], stdin: Self.stream, environment: environment)
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("anchors: --offline was given, so the cluster was not asked"))
  }

  @Test func anchorsFromAFileAreUsedAndTheSourceIsSaid() throws {
    let scratch = try Scratch(["ca.crt": Self.certificate])
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--offline", "--identity-trust-anchors", scratch.path("ca.crt")],
      stdin: Self.stream, environment: Self.noKubeconfig(scratch))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("name: LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS"))
    #expect(result.stdout.contains("            MIIBoTCCAUegAwIBAgIUfb12Dzi1nDXaLLbmt85Usroxt6IwCgYIKoZIzj0EAwIw\n"))
    #expect(
      result.stderr == "identity trust anchors: 1 certificate from \(scratch.path("ca.crt"))\ndeployment/web injected\n"
    )
    let check = try Binary.run(["validate", "-f", "-"], stdin: result.stdout)
    #expect(check.status == 0, "\(check.stdout)")
  }

  @Test(arguments: [
    (
      "key.pem", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n",
      "--identity-trust-anchors block 1 is a PEM PRIVATE KEY, not a CERTIFICATE: trust anchors are the root certificates only"
    ),
    (
      "notes.txt", "the root is in the vault\n",
      "--identity-trust-anchors holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
    ),
  ])
  func aFileThatIsNotCertificatesIsExitTwoNamingIt(name: String, text: String, problem: String) throws {
    let scratch = try Scratch([name: text])
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--identity-trust-anchors", scratch.path(name)], stdin: Self.stream,
      environment: Self.noKubeconfig(scratch))
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "meshctl: error: \(scratch.path(name)): \(problem)\n")
  }

  @Test func anUnreadableAnchorsFileIsExitTwo() throws {
    let scratch = try Scratch()
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--identity-trust-anchors", scratch.path("absent.crt")], stdin: Self.stream,
      environment: Self.noKubeconfig(scratch))
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("absent.crt"))
  }

  @Test func anUnreachableClusterIsExitThreeWithTheWaysAround() throws {
    let scratch = try Scratch([
      "kubeconfig": """
      apiVersion: v1
      kind: Config
      current-context: c
      clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
      contexts: [{name: c, context: {cluster: c, user: u}}]
      users: [{name: u, user: {}}]
      """
    ])
    var environment = Self.noKubeconfig(scratch)
    environment["KUBECONFIG"] = scratch.path("kubeconfig")
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--request-timeout", "2s"], stdin: Self.stream, environment: environment)
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(
      result.stderr.contains(
        "hint: reading configmap linkerd/linkerd-identity-trust-roots failed; pass --identity-trust-anchors FILE"))
  }

  @Test func webhookModeNeedsNoAnchors() throws {
    let scratch = try Scratch()
    let result = try Binary.run(
      ["inject", "--provider", "linkerd", "--webhook"], stdin: Self.stream, environment: Self.noKubeconfig(scratch))
    #expect(result.status == 0)
    #expect(result.stdout.contains("linkerd.io/inject: enabled"))
  }

  @Test func aJobWithoutAKnownVersionIsWarnedAbout() throws {
    let result = try Binary.run(["inject"], stdin: Self.job)
    #expect(result.status == 0)
    #expect(!result.stdout.contains("restartPolicy: Always"), "classic sidecar")
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.first == "job/migrate injected")
    #expect(
      lines.dropFirst().first?.hasPrefix(
        "Warning: job/migrate will not complete: its proxy runs as a regular container and keeps the pod running")
        == true,
      "\(result.stderr)")
    #expect(result.stderr.contains("pass --kubernetes-version or set kubernetesVersion in the MeshConfig"))
  }

  @Test func kubernetesVersionGivesAJobANativeSidecarAndNoWarning() throws {
    let result = try Binary.run(["inject", "--kubernetes-version", "1.31"], stdin: Self.job)
    #expect(result.status == 0)
    #expect(result.stdout.contains("restartPolicy: Always"))
    #expect(result.stderr == "job/migrate injected\n")
    let config = try Scratch([
      "mesh.yaml": "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nspec:\n  kubernetesVersion: \"1.29\"\n"
    ])
    let fromConfig = try Binary.run(["inject", "--config", config.path("mesh.yaml")], stdin: Self.job)
    #expect(fromConfig.stdout.contains("restartPolicy: Always"))
    #expect(fromConfig.stderr == "job/migrate injected\n")
    let older = try Binary.run(
      ["inject", "--config", config.path("mesh.yaml"), "--kubernetes-version", "1.28"], stdin: Self.job)
    #expect(older.stderr.contains("the target version is 1.28"), "the flag wins over the MeshConfig")
  }

  @Test func aMalformedKubernetesVersionIsAUsageError() throws {
    let result = try Binary.run(["inject", "--kubernetes-version", "latest"], stdin: Self.job)
    #expect(result.status == 64)
    #expect(result.stderr.contains("invalid --kubernetes-version \"latest\": write e.g. `1.30`"))
    #expect(result.stdout.isEmpty)
  }

  @Test func theLinkerdExampleValidatesAndInjectsWithAnchorsFromAFile() throws {
    let example = Binary.packageRoot.appendingPathComponent("examples/meshconfig-linkerd.yaml").path
    let shop = Binary.packageRoot.appendingPathComponent("examples/shop").path
    #expect(try Binary.run(["validate", "-f", example]).status == 0)
    let scratch = try Scratch(["ca.crt": Self.certificate])
    let result = try Binary.run(
      [
        "inject", "-R", "-f", shop, "--config", example, "--offline", "--identity-trust-anchors",
        scratch.path("ca.crt"),
      ],
      environment: Self.noKubeconfig(scratch))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("name: linkerd-proxy"))
    #expect(try Binary.run(["validate", "-f", "-"], stdin: result.stdout).status == 0)
  }
}
