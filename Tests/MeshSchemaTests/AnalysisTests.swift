import Manifest
import Testing
@testable import MeshSchema

@Suite struct AnalysisTests {
  static let app = """
    apiVersion: v1
    kind: Service
    metadata: {name: reviews, namespace: bookinfo}
    spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: reviews-v1, namespace: bookinfo}
    spec:
      template:
        metadata: {labels: {app: reviews, version: v1}}
        spec: {containers: [{name: reviews, image: reviews:1}]}

    """

  static func split(name: String = "reviews", service: String = "reviews", selector: String = "v1") -> String {
    """
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: \(name), namespace: bookinfo}
    spec:
      service: \(service)
      backends:
      - {name: a, selector: {version: \(selector)}, weight: 100}

    """
  }

  @Test func consistentInputHasNoFindings() {
    #expect(analyze(Self.app + Self.split()).isEmpty)
  }

  @Test func missingService() {
    let findings = analyze(Self.app + Self.split(service: "reviewz"))
    #expect(findings.map(\.code) == ["MC2001"])
    #expect(findings.first?.mark == SourceMark(line: 18, column: 12))
    #expect(findings.first?.path == "spec.service")
    #expect(findings.first?.object == "TrafficSplit bookinfo/reviews")
    #expect(findings.first?.hint == "did you mean `reviews`?")
    #expect(findings.first?.sourceLine == "  service: reviewz")
    #expect(findings.first?.severity == .warning)
  }

  @Test func servicesElsewhereAreNotReported() {
    // Only the policy: its Service lives in the cluster.
    #expect(analyze(String(Self.split().dropFirst(4))).isEmpty)
  }

  @Test func selectorMatchingNothing() {
    let findings = analyze(Self.app + Self.split(selector: "v9"))
    #expect(findings.map(\.code) == ["MC2002"])
    #expect(findings.first?.path == "spec.backends[0].selector")
    #expect(findings.first?.mark == SourceMark(line: 20, column: 25))
  }

  @Test func twoSplitsForOneService() {
    let findings = analyze(Self.app + Self.split() + Self.split(name: "reviews-2"))
    #expect(findings.map(\.code) == ["MC2003"])
    #expect(findings.first?.object == "TrafficSplit bookinfo/reviews-2")
    #expect(findings.first?.severity == .error)
  }

  @Test func backendServiceMissing() {
    let text = Self.app + Self.split().replacingOccurrences(of: "selector: {version: v1}", with: "service: reviews-v2")
    #expect(analyze(text).map(\.code) == ["MC2004"])
  }

  static func policy(_ name: String, mode: String = "STRICT", selector: String? = nil) -> String {
    """
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: \(name), namespace: bookinfo}
    spec:
      mode: \(mode)\(selector.map { "\n  selector: {matchLabels: {\($0)}}" } ?? "")

    """
  }

  @Test func twoNamespaceWidePolicies() {
    let findings = analyze(Self.policy("a", mode: "PERMISSIVE") + Self.policy("b", mode: "PERMISSIVE"))
    #expect(findings.map(\.code) == ["MC3001"])
    #expect(findings.first?.object == "MTLSPolicy bookinfo/b")
    #expect(findings.first?.path == "spec.mode")
    // A workload-specific policy next to a namespace-wide one is fine.
    #expect(analyze(Self.policy("a", mode: "PERMISSIVE") + Self.policy("b", mode: "PERMISSIVE", selector: "app: x")).isEmpty)
  }

  @Test func strictOverWorkloadsWithoutSidecar() {
    let findings = analyze(Self.app + Self.policy("default"))
    #expect(findings.map(\.code) == ["MC3002"])
    #expect(findings.first?.message.contains("Deployment bookinfo/reviews-v1") == true)
    #expect(findings.first?.mark == SourceMark(line: 18, column: 9))
    // Selector that excludes the workload.
    #expect(analyze(Self.app + Self.policy("default", selector: "app: ratings")).isEmpty)
    // Injection on the namespace, on the template, or the sidecar already there.
    let namespace = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: bookinfo, labels: {istio-injection: enabled}}\n"
    #expect(analyze(Self.app + Self.policy("default") + namespace).isEmpty)
    let annotated = Self.app.replacingOccurrences(
      of: "metadata: {labels: {app: reviews, version: v1}}",
      with: "metadata: {labels: {app: reviews, version: v1}, annotations: {linkerd.io/inject: enabled}}")
    #expect(analyze(annotated + Self.policy("default")).isEmpty)
    let injected = Self.app.replacingOccurrences(of: "[{name: reviews, image: reviews:1}]", with: "[{name: reviews}, {name: istio-proxy}]")
    #expect(analyze(injected + Self.policy("default")).isEmpty)
    // Opting out inside an injected namespace leaves it bare.
    let optOut = Self.app.replacingOccurrences(
      of: "metadata: {labels: {app: reviews, version: v1}}",
      with: "metadata: {labels: {app: reviews, version: v1, sidecar.istio.io/inject: \"false\"}}")
    #expect(analyze(optOut + Self.policy("default") + namespace).map(\.code) == ["MC3002"])
  }

  @Test func hostNetworkIsReportedAsInfo() {
    let text = """
      apiVersion: v1
      kind: List
      items:
      - apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          template:
            spec:
              hostNetwork: true
              containers: [{name: agent}]

      """
    let findings = analyze(text)
    #expect(findings.map(\.code) == ["MC4001"])
    #expect(findings.first?.severity == .info)
    #expect(findings.first?.path == "items[0].spec.template.spec.hostNetwork")
    #expect(findings.first?.mark == SourceMark(line: 10, column: 22))
  }
}
