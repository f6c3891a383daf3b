import MeshSchema
import Policy
import Testing

/// `mtls status` classifies sidecars by the one rule `validate` and `inject` use.
@Suite struct SidecarIntentStatusTests {
  static let injected = NamespaceFacts(name: "shop", labels: ["istio-injection": "enabled"])

  static func workload(_ labels: [String: String], annotations: [String: String] = [:]) -> MeshWorkload {
    MeshWorkload(
      kind: "Deployment", namespace: "shop", name: "legacy", labels: labels, annotations: annotations,
      containers: ["app"])
  }

  @Test(arguments: ["no", "false", "off", "n", "NO"])
  func optOutsInAnInjectedNamespaceHaveNoSidecar(_ value: String) {
    let legacy = Self.workload(["sidecar.istio.io/inject": value])
    #expect(SidecarDetection.state(of: legacy, namespace: Self.injected, provider: .istio) == .none)
    #expect(
      SidecarDetection.intent(of: legacy, namespace: Self.injected, provider: .istio)
        == .optedOut("sidecar.istio.io/inject is \"\(value)\""))
  }

  @Test func theAnnotationAloneDoesNotReachTheWebhookOutsideAnInjectedNamespace() {
    let annotated = Self.workload([:], annotations: ["sidecar.istio.io/inject": "true"])
    #expect(SidecarDetection.state(of: annotated, namespace: NamespaceFacts(name: "shop"), provider: .istio) == .none)
    #expect(SidecarDetection.state(of: annotated, namespace: Self.injected, provider: .istio) == .webhook)
  }

  @Test func hostNetworkPodsGetNoSidecar() {
    var agent = Self.workload([:])
    agent.hostNetwork = true
    #expect(SidecarDetection.state(of: agent, namespace: Self.injected, provider: .istio) == .none)
  }
}
