import Foundation
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

/// Unit tests of the public surface: policy detection, the source annotation, the lookup, and
/// that the annotation scheme is enough to rebuild a TrafficSplit from the rendered objects alone.
@Suite struct PolicyRendererTests {
  @Test func onlyMeshctlPolicyKindsArePolicies() {
    let split = roots("apiVersion: meshctl.io/v1alpha1\nkind: TrafficSplit\nmetadata: {name: a}\n")[0]
    let config = roots("apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\n")[0]
    let foreign = roots("apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: {name: a}\n")[0]
    #expect(PolicyRenderer.isPolicy(split))
    #expect(!PolicyRenderer.isPolicy(config))
    #expect(!PolicyRenderer.isPolicy(foreign))
    let result = PolicyRenderer(settings: PolicySettings()).render(foreign, lookup: ManifestLookup())
    #expect(result.objects.isEmpty && result.diagnostics.isEmpty)
  }

  @Test(
    arguments: [("TrafficSplit", "bookinfo", "reviews"), ("MTLSPolicy", nil, "default")] as [(String, String?, String)])
  func sourceAnnotationRoundTrips(kind: String, namespace: String?, name: String) throws {
    let value = Annotations.sourceValue(kind: kind, namespace: namespace, name: name)
    let parsed = try #require(Annotations.parseSource(value))
    #expect(parsed.kind == kind && parsed.namespace == namespace && parsed.name == name)
  }

  @Test func lookupMatchesUnsetNamespacesEitherWay() {
    let lookup = ManifestLookup(
      objects: ManifestReader().parse(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {selector: {app: reviews}, ports: [{port: 9080}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ratings, namespace: bookinfo}
        spec: {ports: [{port: 9080}]}
        """
      ).documents.flatMap(\.objects))
    #expect(lookup.service(namespace: "anywhere", name: "reviews")?.portNumbers == [9080])
    #expect(lookup.service(namespace: nil, name: "ratings") != nil)
    #expect(lookup.service(namespace: "other", name: "ratings") == nil)
    #expect(lookup.service(namespace: "bookinfo", name: "missing") == nil)
  }

  @Test func containerPortsComeFromMatchingPodTemplates() {
    let lookup = ManifestLookup(
      objects: ManifestReader().parse(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: a, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: a, version: v1}}
            spec: {containers: [{name: a, image: a, ports: [{containerPort: 9102}, {containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: shop, labels: {app: b}}
        spec: {containers: [{name: b, image: b, ports: [{containerPort: 7000}]}]}
        """
      ).documents.flatMap(\.objects))
    #expect(lookup.containerPorts(namespace: "shop", matchLabels: ["app": "a"]) == [8080, 9102])
    #expect(lookup.containerPorts(namespace: "shop", matchLabels: ["app": "b"]) == [7000])
    #expect(lookup.containerPorts(namespace: "shop", matchLabels: ["app": "a", "version": "v2"]) == nil)
    #expect(lookup.containerPorts(namespace: "prod", matchLabels: ["app": "a"]) == nil)
  }

  @Test func diagnosticsOfAListItemNameItsPathInTheList() throws {
    let text = """
      apiVersion: v1
      kind: List
      items:
      - apiVersion: meshctl.io/v1alpha1
        kind: MTLSPolicy
        metadata: {name: default, namespace: shop}
        spec: {mode: DISABLE}
      """
    let result = renderStream(text, file: "list.yaml", settings: PolicySettings(provider: .linkerd))
    let error = try #require(result.diagnostics.first)
    #expect(error.path == "items[0].spec.mode")
    #expect(error.object == "MTLSPolicy shop/default")
    #expect((error.file, error.mark) == ("list.yaml", SourceMark(line: 7, column: 16)))
    #expect(error.sourceLine == "  spec: {mode: DISABLE}")
  }

  @Test func objectsComeInApplyOrderWhateverTheInputOrder() {
    let text = """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: reviews, namespace: shop}
      spec:
        service: reviews
        backends: [{name: v1, selector: {version: v1}, weight: 100}]
      ---
      apiVersion: meshctl.io/v1alpha1
      kind: MTLSPolicy
      metadata: {name: default, namespace: shop}
      spec: {mode: STRICT}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: shop}
      spec: {selector: {app: reviews}, ports: [{port: 9080}]}
      """
    let result = renderStream(text, settings: PolicySettings(provider: .linkerd))
    #expect(result.objects.compactMap { $0["kind"]?.string } == ["Namespace", "Service", "HTTPRoute"])
  }

  // MARK: Rebuilding a TrafficSplit from the cluster objects alone

  static let rebuildCases: [(String, PolicySettings)] = [
    ("ts-istio-selector.yaml", PolicySettings(provider: .istio)),
    ("ts-istio-service.yaml", PolicySettings(provider: .istio)),
    ("ts-istio-header-match.yaml", PolicySettings(provider: .istio)),
    ("ts-linkerd-selector.yaml", PolicySettings(provider: .linkerd)),
    ("ts-linkerd-service.yaml", PolicySettings(provider: .linkerd)),
    ("ts-gateway-service.yaml", PolicySettings(provider: .istio, routing: .gatewayAPI)),
  ]

  @Test(arguments: ["ts-istio-selector.yaml", "ts-linkerd-selector.yaml", "ts-gateway-service.yaml"])
  func analysisTravelsOnTheRouteAndComesBack(name: String) throws {
    let settings = Self.rebuildCases.first { $0.0 == name }!.1
    let plain = try String(contentsOf: TestPaths.golden.appendingPathComponent(name), encoding: .utf8)
    let input = plain.replacingOccurrences(
      of: "spec:\n  service:", with: "spec:\n  analysis: [success-rate>=99.5, latency-p99<=300ms]\n  service:")
    #expect(input != plain)
    let result = renderStream(input, settings: settings)
    let route = try #require(result.objects.first { ["VirtualService", "HTTPRoute"].contains($0["kind"]?.string) })
    #expect(
      route[path: "metadata", "annotations", Annotations.analysis]?.string == #"["success-rate>=99.5","latency-p99<=300ms"]"#)
    let rebuilt = try #require(RenderedPolicies.trafficSplitSpec(fromRoute: route))
    #expect(rebuilt["analysis"]?.sequence?.compactMap(\.string) == ["success-rate>=99.5", "latency-p99<=300ms"])
    // Without spec.analysis, no annotation.
    let bare = renderStream(plain, settings: settings).objects.first {
      ["VirtualService", "HTTPRoute"].contains($0["kind"]?.string)
    }
    #expect(bare?[path: "metadata", "annotations", Annotations.analysis] == nil)
  }

  @Test(arguments: rebuildCases.map(\.0))
  func trafficSplitRebuildsFromItsRenderedRoute(name: String) throws {
    let settings = Self.rebuildCases.first { $0.0 == name }!.1
    let input = try String(contentsOf: TestPaths.golden.appendingPathComponent(name), encoding: .utf8)
    let result = renderStream(input, settings: settings)
    let route = try #require(result.objects.first { ["VirtualService", "HTTPRoute"].contains($0["kind"]?.string) })
    let original = try #require(roots(input).first { $0["kind"]?.string == "TrafficSplit" })
    var expected = original["spec"]!
    // The parent port is written when the Service has one port, so it comes back even if unset.
    if expected["port"] == nil, let port = route[path: "spec", "parentRefs"]?.sequence?.first?["port"] {
      expected = .mapping(
        [MappingEntry(key: "service", value: expected["service"]!), MappingEntry(key: "port", value: port)]
          + (expected.mapping ?? []).filter { $0.key != "service" })
    }
    #expect(RenderedPolicies.trafficSplitSpec(fromRoute: route) == expected)
  }
}
