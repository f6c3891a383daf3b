import Manifest
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
