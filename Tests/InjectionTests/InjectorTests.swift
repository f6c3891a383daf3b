import Injection
import Manifest
import MeshSchema
import Testing

@Suite struct InjectorTests {
  static let deployment = ManifestReader().parse(
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx}]
    """
  ).documents[0]

  static func inject(_ document: Document, _ settings: SidecarSettings) throws -> Document {
    let result = try Injector(options: InjectionOptions(settings: settings)).inject(document)
    return Document(root: result.root ?? document.root, file: document.file)
  }

  @Test func aChangedMeshConfigReplacesTheSidecar() throws {
    var newer = SidecarSettings.defaults(for: .istio)
    newer.proxyImage = "docker.io/istio/proxyv2:1.25.0"
    newer.nativeSidecar = .enabled
    let old = try Self.inject(Self.deployment, .defaults(for: .istio))
    let replaced = try Self.inject(old, newer)
    let direct = try Self.inject(Self.deployment, newer)
    #expect(replaced.root == direct.root)
    let containers = replaced.root[path: "spec", "template", "spec", "containers"]?.sequence ?? []
    #expect(containers.compactMap { $0["name"]?.string } == ["web"])
  }

  @Test func theOtherMeshsSidecarMeansSkip() throws {
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "PEM"
    let istio = try Self.inject(Self.deployment, .defaults(for: .istio))
    let result = try Injector(options: InjectionOptions(settings: linkerd)).inject(istio)
    #expect(result.root == nil)
    #expect(result.outcomes.map(\.line) == ["deployment/web skipped: it already has the istio sidecar (istio-proxy)"])
  }

  /// Found by FuzzInjection (peer-inject/istio/traffic-annotations.yaml): a `proxyCPU: 4000m`
  /// request beside the default 2-CPU limit made the injected pod invalid. As Istio's template
  /// does, a workload's resource annotations replace the defaults whole.
  @Test func istioResourceAnnotationsReplaceTheDefaultResources() throws {
    let text = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          metadata:
            annotations: {sidecar.istio.io/proxyCPU: 4000m, sidecar.istio.io/proxyMemoryLimit: 2Gi}
          spec:
            containers: [{name: web, image: nginx}]
      """
    let injected = try Self.inject(ManifestReader().parse(text).documents[0], .defaults(for: .istio))
    let containers = injected.root[path: "spec", "template", "spec", "containers"]?.sequence ?? []
    let proxy = try #require(containers.first { $0["name"]?.string == "istio-proxy" })
    let resources = proxy["resources"]
    #expect(resources?.mapping?.map(\.key) == ["limits", "requests"])
    #expect(resources?[path: "requests"]?.mapping?.map(\.key) == ["cpu"])
    #expect(resources?[path: "requests", "cpu"]?.string == "4000m")
    #expect(resources?[path: "limits"]?.mapping?.map(\.key) == ["memory"])
    #expect(resources?[path: "limits", "memory"]?.string == "2Gi")
  }

  /// Found by FuzzInjection (regression-annotation-added-to-the-annotations-injection-created):
  /// the deployment has no annotations, so injection creates them; an annotation the user adds
  /// afterwards (here a proxy CPU request) was taken out with the ones injection added, so
  /// injecting again changed the sidecar and uninject lost the user's annotation.
  @Test func anAnnotationAddedAfterInjectionStaysWithTheMappingInjectionCreated() throws {
    let injector = Injector(options: InjectionOptions(settings: .defaults(for: .istio)))
    let path = ["spec", "template", "metadata", "annotations", "sidecar.istio.io/proxyCPU"]
    let root = try Self.inject(Self.deployment, .defaults(for: .istio)).root.settingValue(.string("250m"), at: path)
    let edited = Document(root: root, file: "edited.yaml")
    let again = try injector.inject(edited)
    let twice = Document(root: again.root ?? root, file: "edited.yaml")
    #expect(try injector.inject(twice).root == nil)
    let uninjected = try #require(try injector.uninject(edited).root)
    #expect(uninjected[path: "spec", "template", "metadata", "annotations"]?.stringMap == ["sidecar.istio.io/proxyCPU": "250m"])
  }

  @Test func aNameLongerThanALabelValueIsNotStampedAsALabel() throws {
    // FuzzInjection's input: Fuzz/corpus/FuzzInjection/regression-name-longer-than-a-label-value.
    let long = String(repeating: "x", count: 64) + "legacy"  // a valid name, no valid label value
    let document = ManifestReader().parse(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: \(long)}
      spec:
        selector: {matchLabels: {tier: web}}
        template:
          metadata: {labels: {tier: web}}
          spec:
            containers: [{name: web, image: nginx}]
      """
    ).documents[0]
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    for settings in [linkerd, .defaults(for: .istio)] {
      let injected = try Self.inject(document, settings)
      let labels = injected.root.value(at: ["spec", "template", "metadata", "labels"])?.stringMap ?? [:]
      #expect(!labels.values.contains(long), "\(settings.config.provider)")
      #expect(labels["tier"] == "web")
      let errors = Validator().validate(injected).filter { $0.severity == .error }
      #expect(errors.isEmpty, "\(settings.config.provider): \(errors.map(\.message))")
    }
    // A name that is a label value is still stamped.
    let short = try Self.inject(Self.deployment, linkerd)
    #expect(short.root.value(at: ["spec", "template", "metadata", "labels", "linkerd.io/proxy-deployment"])?.string == "web")
  }

  @Test func reportNamesObjectsLikeKubectl() throws {
    let outcomes = try Injector(options: InjectionOptions(settings: .defaults(for: .istio))).inject(Self.deployment).outcomes
    #expect(outcomes.map(\.line) == ["deployment/web injected"])
  }

  @Test func linkerdWithoutTrustAnchorsFailsWithAHint() {
    let injector = Injector(options: InjectionOptions(settings: .defaults(for: .linkerd)))
    #expect(throws: InjectionError.self) { try injector.inject(Self.deployment) }
  }
}
