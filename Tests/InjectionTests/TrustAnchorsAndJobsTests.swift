import Foundation
import Injection
import Manifest
import MeshSchema
import Testing

/// A root certificate made for these tests (EC P-256, CN root.linkerd.cluster.local); only its
/// shape matters.
let testRootCertificate = """
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

/// Linkerd's trust anchors as a PEM bundle: what is accepted, and what is refused with a reason.
@Suite struct TrustAnchorBundleTests {
  typealias Anchors = MeshConfig.TrustAnchors

  @Test func aBundleOfCertificatesIsKeptBlockByBlock() throws {
    let bundle =
      "# the current root\n" + testRootCertificate + "\n\n# the next root\r\n"
      + testRootCertificate.replacingOccurrences(of: "\n", with: "\r\n") + "\n"
    let certificates = try Anchors.certificates(in: bundle)
    #expect(certificates == [testRootCertificate, testRootCertificate])
    #expect(Anchors.bundle(certificates) == testRootCertificate + "\n" + testRootCertificate + "\n")
  }

  @Test(arguments: [
    ("", MeshConfig.TrustAnchorError.noCertificate),
    ("just some text\n", .noCertificate),
    (
      "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----\n",
      .notACertificate(block: 1, label: "EC PRIVATE KEY")
    ),
    (
      testRootCertificate + "\n-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n",
      .notACertificate(block: 2, label: "PRIVATE KEY")
    ),
    ("-----BEGIN CERTIFICATE-----\nMIIBoTCCAUeg\n", .unterminated(1)),
    ("-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n", .notDER(1)),
    ("-----BEGIN CERTIFICATE-----\nMIIB oTCC\n-----END CERTIFICATE-----\n", .notDER(1)),
    ("-----END CERTIFICATE-----\n", .unexpectedEnd("CERTIFICATE")),
  ])
  func whatIsNotABundleOfCertificatesSaysWhy(text: String, expected: MeshConfig.TrustAnchorError) {
    #expect(throws: expected) { try Anchors.certificates(in: text) }
  }

  @Test func messagesNameTheProblem() {
    #expect(
      MeshConfig.TrustAnchorError.notACertificate(block: 1, label: "PRIVATE KEY").description
        == "block 1 is a PEM PRIVATE KEY, not a CERTIFICATE: trust anchors are the root certificates only")
    #expect(
      Anchors.kubectlCommand(namespace: "linkerd")
        == #"kubectl -n linkerd get configmap linkerd-identity-trust-roots -o jsonpath='{.data.ca-bundle\.crt}'"#)
  }
}

/// Configuration errors are found before any document is read.
@Suite struct InjectorConfigurationTests {
  @Test func linkerdWithoutAnchorsIsAConfigurationErrorWithBothWaysInTheHint() {
    let injector = Injector(options: InjectionOptions(settings: .defaults(for: .linkerd)))
    #expect(injector.needsTrustAnchors)
    do {
      try injector.checkConfiguration()
      Issue.record("no error")
    } catch {
      #expect(error.message == "linkerd injection needs the mesh's identity trust anchors")
      let hint = error.hint ?? ""
      #expect(hint.contains("--identity-trust-anchors FILE"))
      #expect(hint.contains("configmap linkerd/linkerd-identity-trust-roots from the cluster"))
      #expect(hint.contains("no --offline"))
    }
  }

  @Test func theControlPlaneNamespaceIsTheOneNamed() {
    var settings = SidecarSettings.defaults(for: .linkerd)
    settings.controlPlaneNamespace = "mesh"
    let error = InjectionError.missingTrustAnchors(controlPlaneNamespace: "mesh", reason: "--offline was given")
    #expect(error.message.hasSuffix(": --offline was given"))
    #expect(error.hint?.contains("kubectl -n mesh get configmap") == true)
    #expect(Injector(options: InjectionOptions(settings: settings)).needsTrustAnchors)
  }

  @Test func nothingIsNeededForIstioTheWebhookOrAnchorsInTheConfig() throws {
    var withAnchors = SidecarSettings.defaults(for: .linkerd)
    withAnchors.identityTrustAnchorsPEM = testRootCertificate
    for injector in [
      Injector(options: InjectionOptions(settings: .defaults(for: .istio))),
      Injector(options: InjectionOptions(settings: .defaults(for: .linkerd), webhookOnly: true)),
      Injector(options: InjectionOptions(settings: withAnchors)),
    ] {
      #expect(!injector.needsTrustAnchors)
      try injector.checkConfiguration()
    }
  }
}

/// `nativeSidecar: auto` and Jobs: native from Kubernetes 1.29, else a warning that the Job
/// will not complete (the goldens `classic-job-before-1-29` and `linkerd-native-cronjob` hold
/// the rendered output).
@Suite struct JobCompletionTests {
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
  static let cronJob = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers: [{name: report, image: example/report:1}]
    """
  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers: [{name: web, image: nginx}]
    """

  static func outcome(
    _ text: String, provider: MeshProvider = .istio, version: String? = nil, mode: NativeSidecarMode = .auto
  )
    throws -> InjectionOutcome
  {
    var settings = SidecarSettings.defaults(for: provider)
    settings.identityTrustAnchorsPEM = testRootCertificate
    settings.kubernetesVersion = version
    settings.nativeSidecar = mode
    let document = ManifestReader().parse(text).documents[0]
    return try #require(Injector(options: InjectionOptions(settings: settings)).inject(document).outcomes.first)
  }

  @Test(arguments: [job, cronJob])
  func autoWithoutAKnownVersionWarnsThatTheJobWillNotComplete(text: String) throws {
    let outcome = try Self.outcome(text)
    #expect(outcome.status == .injected)
    let line = try #require(outcome.warningLine)
    #expect(line.hasPrefix("Warning: \(outcome.object) will not complete: its proxy runs as a regular container"))
    #expect(line.contains("the target version is not known"))
    #expect(line.contains("pass --kubernetes-version or set kubernetesVersion in the MeshConfig"))
    #expect(line.contains("POST localhost:15020/quitquitquit"))
  }

  @Test func anOlderVersionIsNamedAndLinkerdGetsNoIstioAdvice() throws {
    let line = try #require(try Self.outcome(Self.job, provider: .linkerd, version: "1.28").warningLine)
    #expect(line.contains("the target version is 1.28"))
    #expect(!line.contains("quitquitquit"))
  }

  @Test(arguments: ["1.29", "1.33", "v1.31.2"])
  func fromKubernetes129TheSidecarIsNativeAndNothingIsSaid(version: String) throws {
    for text in [Self.job, Self.cronJob] {
      #expect(try Self.outcome(text, version: version).warning == nil)
    }
  }

  @Test func onlyAutoWarnsAndOnlyForRunToCompletionKinds() throws {
    #expect(
      try Self.outcome(Self.job, mode: .disabled).warning == nil, "a classic sidecar asked for is not second-guessed")
    #expect(try Self.outcome(Self.job, mode: .enabled).warning == nil)
    #expect(try Self.outcome(Self.deployment).warning == nil)
  }

  @Test(arguments: [
    ("classic-job-before-1-29.yaml", true), ("linkerd-native-cronjob.yaml", false), ("native-job.yaml", false),
  ])
  func theJobGoldensWarnOnlyWhenTheSidecarIsClassic(name: String, warns: Bool) throws {
    let input = try String(contentsOf: InjectionGoldenTests.folder.appendingPathComponent(name), encoding: .utf8)
    let injector = try InjectionGoldenTests.injector(for: input)
    let outcomes = try InjectionGoldenTests.run(injector, on: input, file: name).outcomes
    #expect(outcomes.map(\.status) == [.injected])
    #expect((outcomes.first?.warning != nil) == warns)
  }

  @Test func theWarningFollowsItsLineInTheReport() throws {
    var report = InjectionReport(keepsOutcomes: true)
    report.add([try Self.outcome(Self.job)])
    let captured = CapturedText()
    report.lines.drain(into: captured)
    let lines = captured.text.split(separator: "\n").map(String.init)
    #expect(lines.count == 2)
    #expect(lines.first == "job/migrate injected")
    #expect(lines.last?.hasPrefix("Warning: job/migrate will not complete") == true)
    let entry = try #require(report.node.sequence?.first)
    #expect(entry["warning"]?.string?.hasPrefix("will not complete") == true)
  }
}
