import Foundation
import Injection
import Manifest
import TestSupport
import Testing

/// A `meshctl.io/injection` record that does not agree with the pod template it sits in (edited
/// by hand, or beside a sidecar it does not list) is not trusted: inject and uninject skip the
/// workload with the reason and leave it as it is, so injecting stays idempotent and
/// `uninject(inject(x)) == uninject(x)` holds for every input (FuzzInjection's invariants).
@Suite struct InjectionRecordTrustTests {
  static let istio = Injector(options: InjectionOptions(settings: .defaults(for: .istio)))

  /// The injectors FuzzInjection checks: Istio classic, native and CNI, Linkerd, webhook-only.
  static let shapes: [(String, Injector)] = {
    var native = SidecarSettings.defaults(for: .istio)
    native.nativeSidecar = .enabled
    var cni = SidecarSettings.defaults(for: .istio)
    cni.interception = .cni
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    return [
      ("istio", istio),
      ("istio-native", Injector(options: InjectionOptions(settings: native))),
      ("istio-cni", Injector(options: InjectionOptions(settings: cni))),
      ("linkerd", Injector(options: InjectionOptions(settings: linkerd))),
      ("webhook", Injector(options: InjectionOptions(settings: .defaults(for: .istio), webhookOnly: true))),
    ]
  }()

  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx
    """

  static func document(_ text: String) throws -> Document {
    try #require(ManifestReader().parse(text, file: "test.yaml").documents.first)
  }

  /// `document` injected by `injector` (the document itself when nothing changed).
  static func injected(_ document: Document, _ injector: Injector = istio) throws -> Document {
    Document(root: try injector.inject(document).root ?? document.root, file: document.file)
  }

  /// The text of an injected document with `edit` applied to its YAML.
  static func edited(_ document: Document, _ edit: (inout Node) -> Void) throws -> Document {
    var root = document.root
    edit(&root)
    return try Self.document(YAMLEmitter.emit(root))
  }

  static let template = ["spec", "template"]

  /// What breaks FuzzInjection's idempotence and round-trip invariants for `document`.
  static func brokenInvariants(_ document: Document) throws -> [String] {
    var broken: [String] = []
    for (shape, injector) in shapes {
      guard let once = try? injector.inject(document) else { continue }
      let injected = Document(root: once.root ?? document.root, file: "test", index: document.index)
      if try injector.inject(injected).root != nil { broken.append("\(shape): injecting twice changed the document") }
      guard !injector.options.webhookOnly else { continue }
      let restored = try injector.uninject(injected).root ?? injected.root
      let plain = try injector.uninject(document).root ?? document.root
      if restored != plain { broken.append("\(shape): uninject(inject(x)) differs from uninject(x)") }
    }
    return broken
  }

  // MARK: A record that disagrees with the template

  @Test func aRecordListingAContainerTheTemplateLacksIsNotTrusted() throws {
    // The proxy was deleted by hand; the record (and the rest of the sidecar) stayed.
    let tampered = try Self.edited(try Self.injected(try Self.document(Self.deployment))) { root in
      let path = Self.template + ["spec", "containers"]
      let kept = (root.value(at: path)?.sequence ?? []).filter { $0["name"]?.string != "istio-proxy" }
      root.setValue(.sequence(kept), at: path)
    }
    let uninjected = try Self.istio.uninject(tampered)
    #expect(uninjected.root == nil, "uninject changed it")
    let line = try #require(uninjected.outcomes.first?.line)
    #expect(line.hasPrefix("deployment/web skipped: its meshctl.io/injection record does not match the pod template"))
    #expect(line.contains("istio-proxy"))
    let injected = try Self.istio.inject(tampered)
    #expect(injected.root == nil, "inject changed it")
    #expect(injected.outcomes.first?.status == .skipped)
    #expect(try Self.brokenInvariants(tampered).isEmpty)
  }

  @Test func aRecordListingAProbeTheContainerLacksIsNotTrusted() throws {
    // Fuzz/corpus/FuzzInjection/regression-cni-round-trip: Istio rewrote two probes, one was
    // deleted by hand; putting it back would append it wherever the restore order said.
    let probed = Self.deployment.replacingOccurrences(
      of: "image: nginx", with: "image: nginx\n        readinessProbe: {httpGet: {path: /ready, port: 80}}\n        startupProbe: {tcpSocket: {port: 80}}")
    let tampered = try Self.edited(try Self.injected(try Self.document(probed))) { root in
      let path = Self.template + ["spec", "containers"]
      var containers = root.value(at: path)?.sequence ?? []
      containers[0]["readinessProbe"] = nil
      root.setValue(.sequence(containers), at: path)
    }
    let uninjected = try Self.istio.uninject(tampered)
    #expect(uninjected.root == nil, "uninject changed it")
    #expect(uninjected.outcomes.first?.line.contains("it lists the readinessProbe of the container web") == true)
    #expect(try Self.brokenInvariants(tampered).isEmpty)
  }

  @Test func aRecordInATemplateWithoutASpecIsNotTrusted() throws {
    // The shape of Fuzz/corpus/FuzzInjection/regression-uninject-after-reinjecting-a-tampered-record:
    // the pod spec is gone, the record is still there.
    let tampered = try Self.edited(try Self.injected(try Self.document(Self.deployment))) { root in
      var template = root.value(at: Self.template)!
      template["spec"] = nil
      root.setValue(template, at: Self.template)
    }
    let uninjected = try Self.istio.uninject(tampered)
    #expect(uninjected.root == nil, "uninject changed it")
    #expect(uninjected.outcomes.first?.line.contains("it lists the pod spec") == true)
    #expect(try Self.brokenInvariants(tampered).isEmpty)
  }

  @Test func aRecordThatRestoresItselfIsNotRestored() throws {
    // A record naming its own annotation as replaced would put a record back on uninject.
    let annotated = Self.deployment.replacingOccurrences(of: "labels: {app: web}", with: "labels: {app: web}\n      annotations: {team: a}")
    let injected = try Self.injected(try Self.document(annotated))
    let path = Self.template + ["metadata", "annotations", "meshctl.io/injection"]
    let record = try #require(injected.root.value(at: path)?.string)
    let tampered = try Self.edited(injected) { root in
      root.setValue(.string(record.replacingOccurrences(of: "\"annotations\":{", with: "\"annotations\":{\"meshctl.io/injection\":\"x\",")), at: path)
    }
    let uninjected = try #require(try Self.istio.uninject(tampered).root)
    #expect(uninjected.value(at: path) == nil)
    #expect(uninjected.value(at: Self.template + ["metadata", "annotations", "team"])?.string == "a")
    #expect(try Self.brokenInvariants(tampered).isEmpty)
  }

  // MARK: The other provider's sidecar

  @Test func aRecordBesideTheOtherProvidersSidecarIsNotTrusted() throws {
    // Injected with Istio by meshctl, then Linkerd's proxy added by another tool.
    let tampered = try Self.edited(try Self.injected(try Self.document(Self.deployment))) { root in
      let path = Self.template + ["spec", "containers"]
      let linkerd = Node.mapping([
        MappingEntry(key: "name", value: .string("linkerd-proxy")), MappingEntry(key: "image", value: .string("cr.l5d.io/linkerd/proxy:edge")),
      ])
      root.setValue(.sequence((root.value(at: path)?.sequence ?? []) + [linkerd]), at: path)
    }
    let uninjected = try Self.istio.uninject(tampered)
    #expect(uninjected.root == nil, "uninject changed it")
    #expect(uninjected.outcomes.first?.line.contains("leaves a sidecar behind") == true)
    for (shape, injector) in Self.shapes where !injector.options.webhookOnly {
      let result = try injector.inject(tampered)
      #expect(result.root == nil, "\(shape) changed a workload that carries two meshes' proxies")
      #expect(result.outcomes.first?.status == .skipped, "\(shape)")
    }
    #expect(try Self.brokenInvariants(tampered).isEmpty)
  }

  @Test func anIntactRecordIsStillTrusted() throws {
    let plain = try Self.document(Self.deployment)
    for (shape, injector) in Self.shapes where !injector.options.webhookOnly {
      let injected = try Self.injected(plain, injector)
      #expect(try injector.uninject(injected).root == plain.root, "\(shape)")
      #expect(try Self.brokenInvariants(injected).isEmpty, "\(shape)")
    }
  }

  // MARK: FuzzInjection's regression inputs

  static let regressionFolder = TestPaths.packageRoot.appendingPathComponent("Fuzz/corpus/FuzzInjection")

  static let regressionInputs: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: regressionFolder.path)) ?? []
    return names.filter { $0.hasPrefix("regression-") }.sorted()
  }()

  @Test func theTamperedRecordRegressionInputsAreThere() {
    #expect(Self.regressionInputs.contains("regression-uninject-after-reinjecting-a-tampered-record"))
    #expect(Self.regressionInputs.contains("regression-tampered-record-other-provider"))
    #expect(Self.regressionInputs.contains("regression-cni-round-trip"))
  }

  /// Each input that once broke FuzzInjection keeps its invariants: among them
  /// `regression-uninject-after-reinjecting-a-tampered-record` (an injected DaemonSet whose pod
  /// spec was mangled into its labels, record kept) and `regression-tampered-record-other-provider`.
  @Test(arguments: regressionInputs) func aRegressionInputKeepsTheInvariants(name: String) throws {
    let bytes = try Data(contentsOf: Self.regressionFolder.appendingPathComponent(name))
    let text = String(decoding: bytes, as: UTF8.self)
    for document in ManifestReader().parse(text, file: name).documents {
      #expect(try Self.brokenInvariants(document) == [], "\(name) #\(document.index + 1)")
    }
  }
}
