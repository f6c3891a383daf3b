import Injection
import Manifest
import Testing

/// `inject` skips by the one sidecar rule: every spelling Istio reads as "no" opts out.
@Suite struct OptOutSpellingTests {
  static func outcome(label: String, provider: MeshProvider = .istio) throws -> String {
    let document = ManifestReader().parse(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        template:
          metadata:
            labels: {app: web, sidecar.istio.io/inject: \(label)}
            annotations: {linkerd.io/inject: disabled}
          spec:
            containers: [{name: web, image: nginx}]
      """
    ).documents[0]
    var settings = SidecarSettings.defaults(for: provider)
    settings.identityTrustAnchorsPEM = "PEM"
    let result = try Injector(options: InjectionOptions(settings: settings)).inject(document)
    return result.outcomes.map(\.line).joined(separator: "\n")
  }

  @Test(arguments: ["\"false\"", "\"no\"", "\"No\"", "\"n\"", "\"OFF\"", "\"disabled\""])
  func istioOptOutsSkip(_ spelling: String) throws {
    let text = spelling.dropFirst().dropLast()
    #expect(try Self.outcome(label: spelling) == "deployment/web skipped: sidecar.istio.io/inject is \"\(text)\"")
  }

  @Test func aValueIstioDoesNotReadAsTrueSkipsAndSaysSo() throws {
    #expect(
      try Self.outcome(label: "\"enabled\"")
        == "deployment/web skipped: sidecar.istio.io/inject is \"enabled\" (Istio injects only for true, yes, y or on)")
  }

  @Test(arguments: ["\"true\"", "\"yes\"", "\"Y\"", "\"on\"", "\"\""])
  func istioOptInsAndEmptyInject(_ spelling: String) throws {
    #expect(try Self.outcome(label: spelling) == "deployment/web injected")
  }

  @Test func linkerdReadsItsOwnAnnotationOnly() throws {
    #expect(
      try Self.outcome(label: "\"true\"", provider: .linkerd)
        == "deployment/web skipped: linkerd.io/inject is \"disabled\"")
  }
}
