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
