import Foundation
import Manifest
import TestSupport
import Testing

@testable import KubeClient

@Suite struct ObjectBatchTests {
  @Test(arguments: [
    ("Namespace", "", ApplyTier.foundations), ("CustomResourceDefinition", "apiextensions.k8s.io", .foundations),
    ("Service", "", .configuration), ("ServiceAccount", "", .configuration),
    ("ClusterRoleBinding", "rbac.authorization.k8s.io", .configuration),
    ("Deployment", "apps", .workloads), ("Rollout", "argoproj.io", .workloads),
    ("VirtualService", "networking.istio.io", .routing), ("PeerAuthentication", "security.istio.io", .routing),
    ("HTTPRoute", "gateway.networking.k8s.io", .routing), ("Server", "policy.linkerd.io", .routing),
  ])
  func tiers(kind: String, group: String, tier: ApplyTier) {
    #expect(ApplyTier.of(kind: kind, group: group) == tier)
  }

  @Test func paths() {
    let deployments = APIResource(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    #expect(deployments.objectPath(namespace: "shop", name: "web") == "/apis/apps/v1/namespaces/shop/deployments/web")
    #expect(deployments.collectionPath(namespace: nil) == "/apis/apps/v1/deployments")
    #expect(deployments.resultPrefix == "deployment.apps")
    #expect(deployments.qualifiedName == "deployments.apps")
    let namespaces = APIResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)
    #expect(namespaces.objectPath(namespace: "ignored", name: "shop") == "/api/v1/namespaces/shop")
    #expect(namespaces.resultPrefix == "namespace")
  }

  @Test func namespaceIsInsertedAfterTheName() {
    let node = Node.mapping([
      "kind": .string("ConfigMap"), "metadata": .mapping(["name": .string("a"), "labels": .mapping([MappingEntry]())]),
    ])
    let placed = ObjectBatch.with(namespace: "shop", node)
    #expect(placed["metadata"]?.mapping?.map(\.key) == ["name", "namespace", "labels"])
    #expect(ObjectBatch.with(namespace: "other", placed)[path: "metadata", "namespace"]?.string == "other")
  }

  @Test func meshDetectionNeedsEveryGroupOfAMesh() {
    func group(_ name: String) -> APIGroupSummary {
      APIGroupSummary(name: name, versions: ["v1"], preferredVersion: "v1")
    }
    let halfIstio = InstalledMeshes(groups: [group("networking.istio.io")])
    #expect(!halfIstio.istio)
    let both = InstalledMeshes(groups: [
      group("networking.istio.io"), group("security.istio.io"), group("policy.linkerd.io"),
    ])
    #expect(both.istio && both.linkerd && !both.gatewayAPI)
    #expect(both.preferredProvider == "istio")
    #expect(InstalledMeshes(groups: [group("policy.linkerd.io")]).preferredProvider == "linkerd")
  }
}

@Suite struct KubeAPITests {
  static let connection: ClusterConnection = {
    var connection = ClusterConnection(source: .kubeconfig(files: []), server: "https://api.test", namespace: "shop")
    connection.impersonation = ClusterConnection.Impersonation(user: "jane", groups: ["devs"])
    return connection
  }()

  @Test func discoveryIsFetchedOncePerGroupVersion() async throws {
    let transport = ScriptedServer(answers: [
      "/apis/apps/v1":
        #"{"kind":"APIResourceList","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment"},{"name":"deployments/scale","namespaced":true,"kind":"Scale"}]}"#
    ])
    let api = KubeAPI(connection: Self.connection, transport: transport)
    async let first = api.resource(apiVersion: "apps/v1", kind: "Deployment")
    async let second = api.resource(apiVersion: "apps/v1", kind: "Deployment")
    let (a, b) = try await (first, second)
    #expect(a == b)
    #expect(a.plural == "deployments" && a.namespaced)
    #expect(transport.requests.count == 1)
    #expect(transport.requests[0].headers["Impersonate-User"] == "jane")
    #expect(transport.requests[0].headers["Impersonate-Group"] == "devs")
    await #expect(throws: KubeAPIError.self) { try await api.resource(apiVersion: "apps/v1", kind: "Scale2") }
  }

  @Test func listSendsTheSelectorAndWatchReadsEveryEvent() async throws {
    let resource = APIResource(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true)
    let transport = ScriptedServer(answers: [
      "/api/v1/namespaces/shop/pods":
        #"{"kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#,
      "/api/v1/pods": """
      {"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}
      {"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}
      {"type":"DELETED","object":{"metadata":{"name":"b"}}}

      """,
    ])
    let api = KubeAPI(connection: Self.connection, transport: transport)
    let pods = try await api.list(resource, namespace: "shop", labelSelector: "app in (web,api)")
    #expect(pods.compactMap { $0[path: "metadata", "name"]?.string } == ["a", "b"])
    #expect(transport.requests[0].url.hasSuffix("?labelSelector=app%20in%20%28web%2Capi%29"))
    let events = try await api.watch(resource, namespace: nil, resourceVersion: "4", timeoutSeconds: 5)
    #expect(events.map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
    #expect(events[1].object[path: "metadata", "resourceVersion"]?.string == "6")
    #expect(transport.requests[1].url.contains("watch=1&timeoutSeconds=5&resourceVersion=4"))
  }

  @Test func getOfAMissingObjectIsNilAndOtherErrorsThrow() async throws {
    let resource = APIResource(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    let api = KubeAPI(connection: Self.connection, transport: ScriptedServer(answers: [:]))
    #expect(try await api.get(resource, namespace: "shop", name: "gone") == nil)
    #expect(try await api.delete(resource, namespace: "shop", name: "gone") == false)
  }
}

@Suite struct ObjectBatchDiscoveryTests {
  /// Holds each discovery GET until `expected` are waiting (or 5 s pass) and records how many
  /// waited together: 1 means they were sent one after the other.
  final class DiscoveryGate: HTTPTransport, @unchecked Sendable {
    let answers: [String: String]
    private let lock = NSLock()
    private var arrived = 0
    private var waitingTogether = 0

    init(answers: [String: String]) { self.answers = answers }

    /// The most requests that were waiting at the same time.
    var mostAtOnce: Int { lock.withLock { waitingTogether } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
      let path = RequestLog.path(of: request)
      lock.withLock {
        arrived += 1
        waitingTogether = max(waitingTogether, arrived)
      }
      let deadline = ContinuousClock.now + .seconds(5)
      while lock.withLock({ arrived < answers.count }), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(5))
      }
      lock.withLock { arrived -= 1 }
      guard let answer = answers[path] else { return HTTPResponse(status: 404, body: []) }
      return ScriptedServer.json(answer)
    }
  }

  @Test func everyGroupVersionIsDiscoveredAtOnce() async throws {
    let gate = DiscoveryGate(answers: ["/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps])
    let api = KubeAPI(connection: KubeAPITests.connection, transport: gate)
    let objects = ManifestReader().parse(
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      """, file: "in.yaml"
    ).documents.map { ManifestObject(node: $0.root, document: $0, path: "") }
    let outcome = await ObjectBatch(api: api).resolve(objects)
    #expect(outcome.problems.isEmpty)
    #expect(outcome.resolved.map(\.reference) == ["namespace/shop", "deployment.apps/web", "service/web"])
    #expect(gate.mostAtOnce == 2)
  }
}
