import Manifest
import Testing

@testable import MeshSchema

/// One row of the sidecar-intent table: a pod template's marks, its namespace's, the provider,
/// and what the injector does.
struct IntentCase: Sendable, CustomTestStringConvertible {
  enum Verdict: Sendable { case injected, webhook, optedOut, none }
  var name: String
  var pod: PodInjectionMarks
  var namespace: NamespaceInjectionMarks?
  var provider: MeshConfig.Provider = .istio
  var expected: Verdict
  var testDescription: String { name }
}

@Suite struct SidecarIntentTests {
  static let enabled = NamespaceInjectionMarks(istioInjection: "enabled")
  static let disabled = NamespaceInjectionMarks(istioInjection: "disabled")
  static let revision = NamespaceInjectionMarks(istioRevision: "canary")

  static func label(_ value: String) -> PodInjectionMarks { PodInjectionMarks(istioInjectLabel: value) }
  static func annotation(_ value: String) -> PodInjectionMarks { PodInjectionMarks(istioInjectAnnotation: value) }

  /// Istio reads the pod value lower-cased: true/yes/y/on inject, anything else opts out.
  static let istioSpellings: [IntentCase] = {
    let on = ["true", "yes", "y", "on", "TRUE", "Yes", "Y", "ON"]
    let off = ["false", "no", "n", "off", "FALSE", "No", "N", "OFF", "enabled", "disabled", "Enabled"]
    return on.map {
      IntentCase(name: "label \($0) in an injected namespace", pod: label($0), namespace: enabled, expected: .webhook)
    }
      + off.map {
        IntentCase(
          name: "label \($0) in an injected namespace", pod: label($0), namespace: enabled, expected: .optedOut)
      }
      + off.map {
        IntentCase(
          name: "annotation \($0) in an injected namespace", pod: annotation($0), namespace: enabled,
          expected: .optedOut)
      }
      + on.map {
        IntentCase(
          name: "annotation \($0) in a revision namespace", pod: annotation($0), namespace: revision, expected: .webhook
        )
      }
  }()

  static let istioPrecedence: [IntentCase] = [
    IntentCase(name: "nothing anywhere", pod: PodInjectionMarks(), namespace: nil, expected: .none),
    IntentCase(name: "namespace enabled", pod: PodInjectionMarks(), namespace: enabled, expected: .webhook),
    IntentCase(name: "namespace revision", pod: PodInjectionMarks(), namespace: revision, expected: .webhook),
    IntentCase(name: "namespace disabled", pod: PodInjectionMarks(), namespace: disabled, expected: .optedOut),
    IntentCase(name: "namespace disabled beats pod true", pod: label("true"), namespace: disabled, expected: .optedOut),
    IntentCase(
      name: "namespace istio-injection other than enabled", pod: label("true"),
      namespace: NamespaceInjectionMarks(istioInjection: "true"), expected: .optedOut),
    IntentCase(
      name: "istio-injection wins over the namespace revision", pod: PodInjectionMarks(),
      namespace: NamespaceInjectionMarks(istioInjection: "disabled", istioRevision: "canary"), expected: .optedOut),
    IntentCase(name: "pod label true opts in anywhere", pod: label("true"), namespace: nil, expected: .webhook),
    IntentCase(name: "pod label yes needs an injected namespace", pod: label("yes"), namespace: nil, expected: .none),
    IntentCase(
      name: "pod annotation true needs an injected namespace", pod: annotation("true"), namespace: nil, expected: .none),
    IntentCase(name: "pod label false outside any namespace", pod: label("false"), namespace: nil, expected: .optedOut),
    IntentCase(
      name: "label wins over annotation (label false)",
      pod: PodInjectionMarks(istioInjectLabel: "false", istioInjectAnnotation: "true"), namespace: enabled,
      expected: .optedOut),
    IntentCase(
      name: "label wins over annotation (label true)",
      pod: PodInjectionMarks(istioInjectLabel: "true", istioInjectAnnotation: "no"), namespace: enabled,
      expected: .webhook),
    IntentCase(
      name: "an empty label leaves it to the namespace, even over the annotation",
      pod: PodInjectionMarks(istioInjectLabel: "", istioInjectAnnotation: "false"), namespace: enabled,
      expected: .webhook),
    IntentCase(
      name: "pod revision label", pod: PodInjectionMarks(istioRevision: "canary"), namespace: nil, expected: .webhook),
    IntentCase(
      name: "pod revision label but opted out",
      pod: PodInjectionMarks(istioInjectLabel: "no", istioRevision: "canary"), namespace: nil, expected: .optedOut),
    IntentCase(
      name: "pod revision label in a disabled namespace", pod: PodInjectionMarks(istioRevision: "canary"),
      namespace: disabled, expected: .optedOut),
    IntentCase(
      name: "proxy already there", pod: PodInjectionMarks(istioInjectLabel: "false", proxies: ["istio-proxy"]),
      namespace: disabled, expected: .injected),
    IntentCase(
      name: "the other provider's proxy is not Istio's", pod: PodInjectionMarks(proxies: ["linkerd-proxy"]),
      namespace: nil,
      expected: .none),
    IntentCase(name: "hostNetwork", pod: PodInjectionMarks(hostNetwork: true), namespace: enabled, expected: .none),
  ]

  static let linkerd: [IntentCase] = {
    let injected = NamespaceInjectionMarks(linkerdInject: "enabled")
    let off = NamespaceInjectionMarks(linkerdInject: "disabled")
    func pod(_ value: String?) -> PodInjectionMarks { PodInjectionMarks(linkerdInject: value) }
    return [
      IntentCase(name: "linkerd: nothing", pod: pod(nil), namespace: nil, provider: .linkerd, expected: .none),
      IntentCase(
        name: "linkerd: pod enabled", pod: pod("enabled"), namespace: nil, provider: .linkerd, expected: .webhook),
      IntentCase(
        name: "linkerd: pod ingress", pod: pod("ingress"), namespace: nil, provider: .linkerd, expected: .webhook),
      IntentCase(
        name: "linkerd: pod disabled", pod: pod("disabled"), namespace: injected, provider: .linkerd,
        expected: .optedOut),
      IntentCase(
        name: "linkerd: namespace enabled", pod: pod(nil), namespace: injected, provider: .linkerd, expected: .webhook),
      IntentCase(
        name: "linkerd: namespace ingress", pod: pod(nil), namespace: NamespaceInjectionMarks(linkerdInject: "ingress"),
        provider: .linkerd, expected: .webhook),
      IntentCase(
        name: "linkerd: pod enabled beats namespace disabled", pod: pod("enabled"), namespace: off, provider: .linkerd,
        expected: .webhook),
      IntentCase(
        name: "linkerd: namespace disabled", pod: pod(nil), namespace: off, provider: .linkerd, expected: .optedOut),
      IntentCase(
        name: "linkerd: values are case-sensitive", pod: pod("Enabled"), namespace: nil, provider: .linkerd,
        expected: .none),
      IntentCase(
        name: "linkerd: true is not a Linkerd value", pod: pod("true"), namespace: nil, provider: .linkerd,
        expected: .none),
      IntentCase(
        name: "linkerd: Istio's marks do not count", pod: label("true"), namespace: enabled, provider: .linkerd,
        expected: .none),
      IntentCase(
        name: "linkerd: proxy already there",
        pod: PodInjectionMarks(linkerdInject: "disabled", proxies: ["linkerd-proxy"]),
        namespace: nil, provider: .linkerd, expected: .injected),
    ]
  }()

  @Test(arguments: istioSpellings + istioPrecedence + linkerd)
  func intent(_ row: IntentCase) {
    let intent = SidecarIntent.of(row.pod, namespace: row.namespace, provider: row.provider)
    let verdict: IntentCase.Verdict
    switch intent {
    case .injected: verdict = .injected
    case .webhook: verdict = .webhook
    case .optedOut: verdict = .optedOut
    case .none: verdict = .none
    }
    #expect(verdict == row.expected, "\(intent)")
    #expect(!intent.reason.isEmpty)
  }

  @Test func reasonsNameTheMarkAndItsValue() {
    let no = SidecarIntent.of(Self.label("no"), namespace: Self.enabled, provider: .istio)
    #expect(no == .optedOut("sidecar.istio.io/inject is \"no\""))
    let enabled = SidecarIntent.of(Self.label("enabled"), namespace: Self.enabled, provider: .istio)
    #expect(enabled.reason == "sidecar.istio.io/inject is \"enabled\" (Istio injects only for true, yes, y or on)")
    #expect(
      SidecarIntent.of(PodInjectionMarks(), namespace: Self.disabled, provider: .istio).reason
        == "namespace label istio-injection is \"disabled\"")
  }

  @Test func marksAreReadFromATemplate() throws {
    let text = """
      metadata:
        labels: {sidecar.istio.io/inject: "no", istio.io/rev: canary, app: web}
        annotations: {sidecar.istio.io/inject: "true", linkerd.io/inject: ~}
      spec:
        hostNetwork: true
        initContainers: [{name: linkerd-proxy}]
        containers: [{name: web}, {name: istio-proxy}]
      """
    let template = try #require(Node.parse(text))
    let marks = PodInjectionMarks(template: template)
    #expect(
      marks
        == PodInjectionMarks(
          istioInjectLabel: "no", istioInjectAnnotation: "true", istioRevision: "canary", linkerdInject: "",
          proxies: ["istio-proxy", "linkerd-proxy"], hostNetwork: true))
    let namespace = try #require(
      Node.parse(
        "metadata: {name: shop, labels: {istio-injection: enabled}, annotations: {linkerd.io/inject: disabled}}"))
    #expect(
      NamespaceInjectionMarks(namespace: namespace)
        == NamespaceInjectionMarks(istioInjection: "enabled", linkerdInject: "disabled"))
    #expect(ProxyContainer.names == ["istio-proxy", "linkerd-proxy"])
  }

  /// The reported case: `"no"` in an injected namespace under STRICT is MC3002, like `"false"`.
  @Test(arguments: ["\"no\"", "\"false\"", "\"off\"", "\"N\""])
  func strictOverAnOptedOutTemplateIsReported(_ spelling: String) throws {
    let marked = try MarkedText.fixture("strict-opt-out-no.yaml")
    let text = marked.text.replacingOccurrences(
      of: "sidecar.istio.io/inject: \"no\"", with: "sidecar.istio.io/inject: \(spelling)")
    #expect(validate(text, file: "strict-opt-out-no.yaml").isEmpty)
    let findings = analyze(text, file: "strict-opt-out-no.yaml")
    #expect(findings.map(\.code) == ["MC3002"])
    let finding = try #require(findings.first)
    #expect(finding.mark == marked.markers["1"])
    #expect(finding.mark == SourceMark(line: 24, column: 9))
    #expect(finding.path == "spec.mode")
    #expect(finding.message.contains("Deployment shop/legacy"))
  }

  @Test func theSameTemplateOptedInIsNotReported() throws {
    let marked = try MarkedText.fixture("strict-opt-out-no.yaml")
    let text = marked.text.replacingOccurrences(
      of: "sidecar.istio.io/inject: \"no\"", with: "sidecar.istio.io/inject: \"yes\"")
    #expect(analyze(text).isEmpty)
  }
}
