import Foundation
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

/// Upstream examples written as meshctl kinds render to resources equivalent to the upstream ones:
/// the same hosts, subsets (names and labels), weights and modes. Structure is compared, not bytes.
@Suite(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"))
struct EquivalenceTests {
  /// Bookinfo's reviews canary as a TrafficSplit (bookinfo's manifests set no namespace).
  static let reviews9010 = """
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: reviews}
    spec:
      service: reviews
      backends:
      - {name: v1, selector: {version: v1}, weight: 90}
      - {name: v2, selector: {version: v2}, weight: 10}
    """

  static func corpus(_ path: String) throws -> [Node] {
    roots(try String(contentsOf: TestPaths.corpus.appendingPathComponent(path), encoding: .utf8))
  }

  static func first(_ kind: String, named name: String? = nil, in objects: [Node]) throws -> Node {
    try #require(
      objects.first { $0["kind"]?.string == kind && (name == nil || $0[path: "metadata", "name"]?.string == name) },
      "no \(kind) \(name ?? "")")
  }

  /// The (host, subset, weight) of each destination of a VirtualService route, zero weights
  /// dropped: a weight-0 destination receives nothing, as an absent one does.
  static func destinations(_ route: Node?) -> [String] {
    (route?["route"]?.sequence ?? []).compactMap { item in
      let weight = item["weight"]?.int ?? 100
      guard weight > 0 else { return nil }
      let destination = item["destination"]
      return "\(destination?["host"]?.string ?? "")/\(destination?["subset"]?.string ?? "")/\(weight)"
    }
  }

  @Test func bookinfoReviews9010MatchesUpstreamVirtualServiceAndDestinationRule() throws {
    let rendered = renderStream(Self.reviews9010, settings: PolicySettings(provider: .istio))
    #expect(!rendered.hasErrors)
    let upstreamVS = try Self.first(
      "VirtualService", in: try Self.corpus("policies/istio-bookinfo/virtual-service-reviews-90-10.yaml"))
    let upstreamDR = try Self.first(
      "DestinationRule", named: "reviews", in: try Self.corpus("policies/istio-bookinfo/destination-rule-all.yaml"))
    let ours = try Self.first("VirtualService", in: rendered.objects)
    let ourDR = try Self.first("DestinationRule", in: rendered.objects)

    #expect(ours[path: "metadata", "name"] == upstreamVS[path: "metadata", "name"])
    #expect(ours[path: "spec", "hosts"] == upstreamVS[path: "spec", "hosts"])
    let upstreamRoutes = upstreamVS[path: "spec", "http"]?.sequence ?? []
    let ourRoutes = ours[path: "spec", "http"]?.sequence ?? []
    #expect(ourRoutes.count == upstreamRoutes.count)
    #expect(Self.destinations(ourRoutes.last) == Self.destinations(upstreamRoutes.last))
    #expect(Self.destinations(ourRoutes.last) == ["reviews/v1/90", "reviews/v2/10"])

    // Same host; every subset we write exists upstream with the same labels, and every subset
    // the upstream route uses is one we write.
    #expect(ourDR[path: "spec", "host"] == upstreamDR[path: "spec", "host"])
    let upstreamSubsets = upstreamDR[path: "spec", "subsets"]?.sequence ?? []
    let ourSubsets = ourDR[path: "spec", "subsets"]?.sequence ?? []
    #expect(!ourSubsets.isEmpty)
    for subset in ourSubsets {
      let match = upstreamSubsets.first { $0["name"] == subset["name"] }
      #expect(match?["labels"] == subset["labels"], "subset \(subset["name"]?.string ?? "")")
    }
    let used = Set(
      upstreamRoutes.flatMap { $0["route"]?.sequence ?? [] }.compactMap { $0[path: "destination", "subset"]?.string })
    #expect(used.isSubset(of: Set(ourSubsets.compactMap { $0["name"]?.string })))
  }

  @Test func bookinfoHeaderCanaryMatchesUpstreamTestV2() throws {
    let split = """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: reviews}
      spec:
        service: reviews
        backends:
        - {name: v1, selector: {version: v1}, weight: 100}
        - {name: v2, selector: {version: v2}, weight: 0}
        match:
        - headers: {end-user: {exact: jason}}
          backend: v2
      """
    let rendered = renderStream(split, settings: PolicySettings(provider: .istio))
    let upstream = try Self.first(
      "VirtualService", in: try Self.corpus("policies/istio-bookinfo/virtual-service-reviews-test-v2.yaml"))
    let ours = try Self.first("VirtualService", in: rendered.objects)
    let upstreamRoutes = upstream[path: "spec", "http"]?.sequence ?? []
    let ourRoutes = ours[path: "spec", "http"]?.sequence ?? []
    #expect(ourRoutes.count == upstreamRoutes.count)
    #expect(ourRoutes.first?["match"] == upstreamRoutes.first?["match"])
    #expect(Self.destinations(ourRoutes.first) == Self.destinations(upstreamRoutes.first))
    #expect(Self.destinations(ourRoutes.last) == Self.destinations(upstreamRoutes.last))
  }

  @Test func bookinfoReviews9010OnGatewayAPIMatchesUpstreamHTTPRoute() throws {
    // The reviews Service comes from bookinfo itself, as `meshctl render -f bookinfo.yaml -f split.yaml` reads it.
    let bookinfo = try String(
      contentsOf: TestPaths.corpus.appendingPathComponent("apps/bookinfo/bookinfo.yaml"), encoding: .utf8)
    let rendered = renderStream(
      bookinfo + "\n---\n" + Self.reviews9010, settings: PolicySettings(provider: .istio, routing: .gatewayAPI))
    #expect(!rendered.hasErrors, "\(rendered.diagnostics.map(line))")
    let upstream = try Self.first(
      "HTTPRoute", in: try Self.corpus("policies/istio-bookinfo/gateway-api-route-reviews-90-10.yaml"))
    let ours = try Self.first("HTTPRoute", in: rendered.objects)

    let upstreamParent = try #require(upstream[path: "spec", "parentRefs"]?.sequence?.first)
    let ourParent = try #require(ours[path: "spec", "parentRefs"]?.sequence?.first)
    for key in ["kind", "name", "port"] { #expect(ourParent[key] == upstreamParent[key], "parentRef \(key)") }
    // Upstream leaves `group` out; meshctl writes the core group "" that GAMMA specifies.
    #expect(ourParent["group"]?.string == "")
    func refs(_ route: Node) -> [String] {
      (route[path: "spec", "rules"]?.sequence?.last?["backendRefs"]?.sequence ?? []).map {
        "\($0["name"]?.string ?? "")/\($0["port"]?.int ?? 0)/\($0["weight"]?.int ?? 1)"
      }
    }
    #expect(refs(ours) == refs(upstream))
    #expect(refs(ours) == ["reviews-v1/9080/90", "reviews-v2/9080/10"])

    // The per-backend Services select exactly the pods of bookinfo's reviews-v1 and -v2 Deployments.
    let deployments = roots(bookinfo).filter { $0["kind"]?.string == "Deployment" }
    for version in ["v1", "v2"] {
      let service = try Self.first("Service", named: "reviews-\(version)", in: rendered.objects)
      let selector = service[path: "spec", "selector"]?.mapping ?? []
      let selected = deployments.filter { deployment in
        let labels = deployment[path: "spec", "template", "metadata", "labels"]
        return selector.allSatisfy { labels?[$0.key] == $0.value }
      }
      #expect(selected.compactMap { $0[path: "metadata", "name"]?.string } == ["reviews-\(version)"])
      #expect(service[path: "spec", "ports"]?.sequence?.compactMap { $0["port"]?.int } == [9080])
    }
  }

  @Test(arguments: [
    ("policies/istio-testdata/peer-authn-strict.yaml", "testns", "STRICT"),
    ("policies/istio-testdata/authn.yaml", "default", "PERMISSIVE"),
  ])
  func namespaceMTLSMatchesUpstreamPeerAuthentication(path: String, namespace: String, mode: String) throws {
    let policy = """
      apiVersion: meshctl.io/v1alpha1
      kind: MTLSPolicy
      metadata: {name: default, namespace: \(namespace)}
      spec: {mode: \(mode)}
      """
    let rendered = renderStream(policy, settings: PolicySettings(provider: .istio))
    let upstream = try Self.first("PeerAuthentication", in: try Self.corpus(path))
    let ours = try Self.first("PeerAuthentication", in: rendered.objects)
    #expect(ours["apiVersion"] == upstream["apiVersion"])
    #expect(ours[path: "metadata", "name"] == upstream[path: "metadata", "name"])
    #expect(ours[path: "metadata", "namespace"] == upstream[path: "metadata", "namespace"])
    // The whole spec: mode, and no selector (namespace-wide) and no port-level modes.
    #expect(ours["spec"] == upstream["spec"])
  }
}
