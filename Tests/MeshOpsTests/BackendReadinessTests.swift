import Foundation
import KubeClient
import Manifest
import TestSupport
import Testing

@testable import MeshOps

/// Scripted namespaces for the ready-endpoint guard: Services, Pods and EndpointSlices.
enum ReadinessCluster {
  static let discoveryAPI = #"""
    {"kind":"APIResourceList","groupVersion":"discovery.k8s.io/v1","resources":[{"name":"endpointslices","namespaced":true,"kind":"EndpointSlice"}]}
    """#

  static func pod(_ name: String, _ labels: [String: String], ready: Bool, terminating: Bool = false) -> String {
    let labelText = labels.sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
    let deletion = terminating ? #","deletionTimestamp":"2026-01-01T00:00:00Z""# : ""
    return #"""
      {"metadata":{"name":"\#(name)","labels":{\#(labelText)}\#(deletion)},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"\#(ready ? "True" : "False")"}]}}
      """#
  }

  static func slice(_ service: String, ready: [Bool]) -> String {
    let endpoints = ready.enumerated().map { index, value in
      #"{"addresses":["10.0.0.\#(index + 1)"],"conditions":{"ready":\#(value)}}"#
    }.joined(separator: ",")
    return #"""
      {"metadata":{"name":"\#(service)-abc","labels":{"kubernetes.io/service-name":"\#(service)"}},"addressType":"IPv4","endpoints":[\#(endpoints)]}
      """#
  }

  static func list(_ items: [String]) -> String { #"{"kind":"List","items":[\#(items.joined(separator: ","))]}"# }

  /// Namespace `team`: Service `cart` (app=cart) and `cart-v3` (app=cart,version=v3); pods
  /// `pods`; EndpointSlices `slices`.
  static func server(pods: [String], slices: [String] = [], namespace: String = "team") -> ScriptedServer {
    ScriptedServer(
      answers: [
        "/api/v1": Discovery.core, "/apis/discovery.k8s.io/v1": discoveryAPI,
        "/api/v1/namespaces/\(namespace)/services": list([
          #"{"metadata":{"name":"cart"},"spec":{"selector":{"app":"cart"}}}"#,
          #"{"metadata":{"name":"cart-v3"},"spec":{"selector":{"app":"cart","version":"v3"}}}"#,
          #"{"metadata":{"name":"external"},"spec":{}}"#,
        ]),
        "/api/v1/namespaces/\(namespace)/pods": list(pods),
        "/apis/discovery.k8s.io/v1/namespaces/\(namespace)/endpointslices": list(slices),
      ], emptyCollections: true)
  }

  static func split(_ backends: String, name: String = "cart", namespace: String = "team") -> Node {
    ManifestReader().parse(
      """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: \(name), namespace: \(namespace)}
      spec:
        service: cart
        backends:
      \(backends)
      """
    ).documents[0].root
  }

  /// The list requests the server got, as paths.
  static func lists(_ server: ScriptedServer) -> [String] {
    server.requests.map(RequestLog.path).filter { $0.contains("/namespaces/") }
  }
}

@Suite struct BackendReadinessTests {
  @Test func aSelectorBackendWithoutReadyPodsIsEmpty() async throws {
    let server = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v1-a", ["app": "cart", "version": "v1"], ready: true),
      ReadinessCluster.pod("v3-a", ["app": "cart", "version": "v3"], ready: false),
      ReadinessCluster.pod("v3-b", ["app": "cart", "version": "v3"], ready: true, terminating: true),
      ReadinessCluster.pod("other", ["app": "shop", "version": "v3"], ready: true),
    ])
    let api = try TestKubeconfig.api(server)
    let split = ReadinessCluster.split(
      """
        - {name: v1, selector: {version: v1}, weight: 90}
        - {name: v3, selector: {version: v3}, weight: 10}
      """)
    let empty = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: api)
    #expect(
      empty.map(\.description) == [
        "backend v3 (selector version=v3) has no ready pods: 0 of 2 pods matching app=cart,version=v3 are ready"
      ])
    #expect(empty.first?.pending == false)
    #expect(empty.first?.weight == 10)
  }

  @Test func weightsGivenDecideWhichBackendsAreChecked() async throws {
    let server = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v1-a", ["app": "cart", "version": "v1"], ready: true)
    ])
    let api = try TestKubeconfig.api(server)
    let split = ReadinessCluster.split(
      """
        - {name: v1, selector: {version: v1}, weight: 100}
        - {name: v3, selector: {version: v3}, weight: 0}
      """)
    let before = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: api)
    #expect(before.isEmpty)
    let after = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [("v1", 50), ("v3", 50)], namespace: "team", api: api)
    #expect(after.map(\.backend) == ["v3"])
    #expect(after.first?.missing == "no ready pods: 0 of 0 pods matching app=cart,version=v3 are ready")
    let drained = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [("v1", 0), ("v3", 0)], namespace: "team", api: api)
    #expect(drained.isEmpty)
  }

  @Test func aServiceBackendIsReadyWhenAnEndpointSliceEndpointIs() async throws {
    let split = ReadinessCluster.split(
      """
        - {name: stable, service: cart-v3, weight: 50}
        - {name: ext, service: external, weight: 50}
      """)
    let unready = ReadinessCluster.server(
      pods: [], slices: [ReadinessCluster.slice("cart-v3", ready: [false, false])])
    let first = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: try TestKubeconfig.api(unready))
    #expect(
      first.map(\.description) == [
        "backend stable (service cart-v3) has no ready endpoints: its EndpointSlice lists 2 endpoints, none ready",
        "backend ext (service external) has no ready endpoints: Service external has no selector and no EndpointSlices",
      ])
    let ready = ReadinessCluster.server(
      pods: [],
      slices: [
        ReadinessCluster.slice("cart-v3", ready: [false, true]), ReadinessCluster.slice("external", ready: [true]),
      ])
    let second = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: try TestKubeconfig.api(ready))
    #expect(second.isEmpty)
  }

  @Test func aServiceBackendWithoutSlicesFallsBackToItsSelectorsPods() async throws {
    let split = ReadinessCluster.split("    - {name: v3, service: cart-v3, weight: 100}")
    let none = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v3-a", ["app": "cart", "version": "v3"], ready: false)
    ])
    let empty = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: try TestKubeconfig.api(none))
    #expect(empty.map(\.missing) == ["no ready pods: 0 of 1 pod matching app=cart,version=v3 is ready"])
    let some = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v3-a", ["app": "cart", "version": "v3"], ready: true)
    ])
    let fine = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: try TestKubeconfig.api(some))
    #expect(fine.isEmpty)
  }

  @Test func workloadsOfTheSameInputMakeAFindingPending() async throws {
    let server = ReadinessCluster.server(pods: [])
    let api = try TestKubeconfig.api(server)
    let split = ReadinessCluster.split("    - {name: v3, selector: {version: v3}, weight: 100}")
    let deployment = ManifestReader().parse(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: cart-v3, namespace: team}
      spec:
        template:
          metadata: {labels: {app: cart, version: v3}}
      """
    ).documents[0].root
    let empty = try await BackendReadiness.emptyBackends(
      [BackendReadiness.Check(trafficSplit: split, namespace: "team")], api: api, incoming: [deployment])
    #expect(empty.count == 1)
    #expect(empty.first?.pending == true)
    #expect(
      empty.first?.missing
        == "no ready pods yet: the input creates deployment/cart-v3 (pods matching app=cart,version=v3)")
  }

  @Test func manySplitsCostOneListPerNamespaceAndKind() async throws {
    let server = ReadinessCluster.server(pods: [])
    let api = try TestKubeconfig.api(server)
    var checks: [BackendReadiness.Check] = []
    for index in 0..<20 {
      checks.append(
        BackendReadiness.Check(
          trafficSplit: ReadinessCluster.split(
            """
              - {name: a, selector: {version: a\(index)}, weight: 50}
              - {name: b, service: cart-v3, weight: 50}
            """, name: "split-\(index)"),
          namespace: "team"))
    }
    let empty = try await BackendReadiness.emptyBackends(checks, api: api)
    #expect(empty.count == 40)
    #expect(
      ReadinessCluster.lists(server).sorted() == [
        "/api/v1/namespaces/team/pods", "/api/v1/namespaces/team/services",
        "/apis/discovery.k8s.io/v1/namespaces/team/endpointslices",
      ])
  }

  @Test func selectorOnlySplitsReadNoEndpointSlices() async throws {
    let server = ReadinessCluster.server(pods: [])
    let api = try TestKubeconfig.api(server)
    let split = ReadinessCluster.split("    - {name: v3, selector: {version: v3}, weight: 100}")
    _ = try await BackendReadiness.emptyBackends(trafficSplit: split, weights: [], namespace: "team", api: api)
    #expect(
      ReadinessCluster.lists(server).sorted() == ["/api/v1/namespaces/team/pods", "/api/v1/namespaces/team/services"])
  }
}

/// A scripted server that refuses the paths in `forbidden` with 403, as RBAC does.
struct ForbiddingServer: HTTPTransport {
  let inner: ScriptedServer
  let forbidden: Set<String>

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    guard forbidden.contains(RequestLog.path(of: request)) else { return try await inner.send(request) }
    return HTTPResponse(
      status: 403,
      body: Array(
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","message":"pods is forbidden","code":403}"#
          .utf8))
  }
}

@Suite struct BackendReadinessEdgeTests {
  @Test func aBackendOnlyAMatchRouteReachesIsChecked() async throws {
    let server = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v1-a", ["app": "cart", "version": "v1"], ready: true)
    ])
    let split = ManifestReader().parse(
      """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: cart, namespace: team}
      spec:
        service: cart
        backends:
        - {name: v1, selector: {version: v1}, weight: 100}
        - {name: beta, selector: {version: beta}, weight: 0}
        match:
        - {headers: {x-beta: {exact: "1"}}, backend: beta}
      """
    ).documents[0].root
    let empty = try await BackendReadiness.emptyBackends(
      trafficSplit: split, weights: [], namespace: "team", api: try TestKubeconfig.api(server))
    #expect(empty.map(\.backend) == ["beta"])
    #expect(empty.first?.weight == 0)
  }

  @Test func aNamespaceWhosePodsAreForbiddenIsNotCheckedButSaidSo() async throws {
    let inner = ReadinessCluster.server(pods: [])
    let server = ForbiddingServer(inner: inner, forbidden: ["/api/v1/namespaces/team/pods"])
    let split = ReadinessCluster.split("    - {name: v3, selector: {version: v3}, weight: 100}")
    let outcome = try await BackendReadiness.check(
      [BackendReadiness.Check(trafficSplit: split, namespace: "team")], api: try TestKubeconfig.api(server))
    #expect(outcome.emptyBackends.isEmpty)
    #expect(
      outcome.warnings == [
        "cannot list pods in namespace team (forbidden): the backends of its TrafficSplits were not checked for "
          + "ready endpoints"
      ])
  }

  @Test func forbiddenEndpointSlicesFallBackToPods() async throws {
    let inner = ReadinessCluster.server(pods: [
      ReadinessCluster.pod("v3-a", ["app": "cart", "version": "v3"], ready: true)
    ])
    let server = ForbiddingServer(
      inner: inner, forbidden: ["/apis/discovery.k8s.io/v1/namespaces/team/endpointslices"])
    let split = ReadinessCluster.split("    - {name: v3, service: cart-v3, weight: 100}")
    let outcome = try await BackendReadiness.check(
      [BackendReadiness.Check(trafficSplit: split, namespace: "team")], api: try TestKubeconfig.api(server))
    #expect(outcome.emptyBackends.isEmpty)
    #expect(outcome.warnings.isEmpty)
  }
}
