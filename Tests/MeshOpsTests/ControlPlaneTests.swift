import KubeClient
import Manifest
import Testing

@testable import MeshOps

@Suite struct ControlPlaneTests {
  static func deployment(_ yaml: String) -> Node { Node.parse(yaml)! }

  @Test func imageTags() {
    #expect(ControlPlane.imageTag("docker.io/istio/pilot:1.24.0") == "1.24.0")
    #expect(ControlPlane.imageTag("localhost:5000/istio/pilot:1.24.0-distroless") == "1.24.0-distroless")
    #expect(ControlPlane.imageTag("localhost:5000/istio/pilot") == nil)
    #expect(ControlPlane.imageTag("istio/pilot@sha256:abcd") == nil)
  }

  @Test func istioVersionIsTheDiscoveryImageTag() {
    let istiod = Self.deployment(
      """
      metadata: {labels: {istio.io/rev: default}}
      spec: {template: {spec: {containers: [{name: sidecar, image: x/other:9}, {name: discovery, image: docker.io/istio/pilot:1.23.2}]}}}
      """)
    #expect(ControlPlane.version(of: istiod, provider: "istio") == "1.23.2")
  }

  @Test func linkerdVersionPrefersTheLabel() {
    let labelled = Self.deployment(
      """
      metadata: {labels: {linkerd.io/control-plane-version: stable-2.14.10}}
      spec: {template: {spec: {containers: [{name: destination, image: cr.l5d.io/linkerd/controller:edge-24.1.1}]}}}
      """)
    #expect(ControlPlane.version(of: labelled, provider: "linkerd") == "stable-2.14.10")
    let templateLabel = Self.deployment(
      """
      spec: {template: {metadata: {labels: {linkerd.io/control-plane-version: edge-24.5.1}}, spec: {containers: []}}}
      """)
    #expect(ControlPlane.version(of: templateLabel, provider: "linkerd") == "edge-24.5.1")
    let imageOnly = Self.deployment(
      "spec: {template: {spec: {containers: [{name: destination, image: cr.l5d.io/linkerd/controller@sha256:1}]}}}")
    #expect(ControlPlane.version(of: imageOnly, provider: "linkerd") == "unknown")
  }

  static let istio = InstalledMeshes(groups: [
    APIGroupSummary(name: "networking.istio.io", versions: ["v1"], preferredVersion: "v1"),
    APIGroupSummary(name: "security.istio.io", versions: ["v1"], preferredVersion: "v1"),
  ])

  static func plane(ready: Int, of pods: Int) -> ControlPlane {
    ControlPlane(
      provider: "istio", namespace: "istio-system", name: "istiod", version: "1.24.0", revision: "default",
      readyPods: ready, pods: pods)
  }

  @Test func podsReadyDecideTheCheck() {
    let statuses = [(2, 2), (1, 2), (0, 2), (0, 0)].map { ready, pods in
      Preflight.controlPlaneResults([Self.plane(ready: ready, of: pods)], meshes: Self.istio, pre: false)[0].status
    }
    #expect(statuses == [.passed, .warning, .failed, .failed])
    let passed = Preflight.controlPlaneResults([Self.plane(ready: 2, of: 2)], meshes: Self.istio, pre: false)
    #expect(passed.map(\.message) == ["istio 1.24.0 (istio-system/istiod, revision default): 2/2 pods ready"])
  }

  @Test func servedAPIsWithoutAControlPlaneFailUnlessPre() {
    let missing = Preflight.controlPlaneResults([], meshes: Self.istio, pre: false)
    #expect(missing.map(\.status) == [.failed])
    #expect(missing[0].message.contains("no istiod Deployment"))
    #expect(Preflight.controlPlaneResults([], meshes: Self.istio, pre: true).map(\.status) == [.warning])
    #expect(Preflight.controlPlaneResults([], meshes: InstalledMeshes(groups: []), pre: false).isEmpty)
  }

  @Test func versionReportShapes() {
    let client = VersionReport()
    #expect(client.text.hasPrefix("Client Version: \(MeshctlVersion.current)\n"))
    #expect(!client.text.contains("Server Version"))
    #expect(client.node.mapping?.map(\.key) == ["clientVersion"])
    let full = VersionReport(
      server: .mapping(["gitVersion": .string("v1.32.1")]), controlPlanes: [Self.plane(ready: 1, of: 1)])
    #expect(full.text.contains("Server Version: v1.32.1\nMesh Version: istio 1.24.0 (istio-system/istiod, revision default)\n"))
    #expect(full.node.mapping?.map(\.key) == ["clientVersion", "serverVersion", "meshVersions"])
    #expect(VersionReport(server: .mapping([:]), controlPlanes: []).text.contains("no Istio or Linkerd control plane found"))
  }
}

@Suite struct ExternalDiffTests {
  @Test func commandsAreSplitAtSpacesLikeKubectl() throws {
    #expect(try ExternalDiff.command(nil) == nil)
    #expect(try ExternalDiff.command("") == nil)
    #expect(try ExternalDiff.command("meld") == ["meld"])
    #expect(try ExternalDiff.command("colordiff -N -u") == ["colordiff", "-N", "-u"])
    #expect(try ExternalDiff.command("/usr/bin/diff --color=always -u") == ["/usr/bin/diff", "--color=always", "-u"])
  }

  @Test(arguments: ["diff $(rm -rf /)", "diff -u;ls", "diff 'a b'", "diff -x *.yaml"])
  func argumentsKubectlWouldRefuse(_ value: String) {
    #expect(throws: ExternalDiff.Failure.invalidCommand(value)) { try ExternalDiff.command(value) }
  }

  @Test func comparisonsGiveTheUnifiedDiffOnlyWhenTheyDiffer() {
    let same = LiveDiff.comparison(live: .mapping(["a": .int(1)]), merged: .mapping(["a": .int(1)]), name: "v1.X.n")
    #expect(same.unified == "")
    let added = LiveDiff.comparison(live: nil, merged: .mapping(["a": .int(1)]), name: "v1.X.n")
    #expect(added.live == "")
    #expect(added.unified.hasPrefix("diff -u -N live/v1.X.n merged/v1.X.n\n"))
  }
}

@Suite struct PolicyQueryTests {
  static let policy = ManagedPolicy(
    policy: .mapping(["kind": .string("TrafficSplit")]), namespace: "shop", name: "cart", renderedAs: [], route: nil)

  @Test func namesAsKubectlWouldSayThem() {
    let query = PolicyQuery(kind: .trafficsplits, name: "cart", namespace: "shop")
    #expect(query.resourceName == "trafficsplits.meshctl.io")
    #expect(query.reference(Self.policy) == "trafficsplit.meshctl.io/cart")
    #expect(PolicyQuery(kind: .mtlspolicies, namespace: nil).reference(Self.policy) == "mtlspolicy.meshctl.io/cart")
  }

  @Test func theSelectorAddsToTheManagedByLabel() {
    let query = PolicyQuery(kind: .trafficsplits, namespace: "shop", labelSelector: "tier=front")
    #expect(query.serverSelector(forType: "VirtualService") == "app.kubernetes.io/managed-by=meshctl,tier=front")
    #expect(query.serverSelector(forType: "Namespace") == "tier=front")
    #expect(PolicyQuery(kind: .mtlspolicies, namespace: nil).serverSelector(forType: "Namespace") == nil)
  }

  @Test func aListIsAListWhateverItsSize() {
    for count in 0...2 {
      let list = PolicyQuery.list(Array(repeating: Self.policy, count: count))
      #expect(list["kind"]?.string == "List")
      #expect(list["items"]?.sequence?.count == count)
    }
  }
}
