import Foundation
import KubeClient
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

@testable import MeshOps

/// The STRICT guard that `apply` and `mtls enable` share, as a pure function of the cluster's
/// policies, its workloads and the incoming objects.
@Suite struct StrictGuardTests {
  static func node(_ yaml: String) -> Node { ManifestReader().parse(yaml).documents[0].root }

  static func peerAuthentication(_ name: String, mode: String, selector: String? = nil, ports: String? = nil) -> Node {
    var text = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: \(name), namespace: team}
      spec:
        mtls: {mode: \(mode)}

      """
    if let selector { text += "  selector: {matchLabels: {\(selector)}}\n" }
    if let ports { text += "  portLevelMtls: {\(ports)}\n" }
    return node(text)
  }

  static func deployment(_ name: String, labels: String = "", proxy: Bool = false) -> Node {
    node(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: \(name), namespace: team}
      spec:
        selector: {matchLabels: {app: \(name)}}
        template:
          metadata: {labels: {app: \(name)\(labels)}}
          spec:
            containers: [{name: app, ports: [{containerPort: 8080}, {containerPort: 9090}]}\(proxy ? ", {name: istio-proxy}" : "")]
      """)
  }

  static func workload(_ node: Node) -> MeshWorkload { MeshWorkload(kind: "Deployment", object: node)! }

  func guardResult(
    incoming: [Node], cluster: [Node] = [], policies: [Node] = [], provider: MeshConfig.Provider = .istio,
    namespace: NamespaceFacts? = nil
  ) -> [String] {
    var state = MTLSPolicies()
    state.peerAuthentications = policies
    if let namespace { state.namespaces[namespace.name] = namespace }
    return StrictGuard.unmeshedUnderStrict(
      after: incoming, workloads: cluster.map(Self.workload), policies: state, provider: provider,
      defaultNamespace: "team"
    ).map(\.workload.reference)
  }

  @Test func anIncomingWorkloadWithoutSidecarUnderAClusterStrictPolicyIsRefused() {
    let strict = Self.peerAuthentication("default", mode: "STRICT")
    #expect(guardResult(incoming: [Self.deployment("legacy")], policies: [strict]) == ["deployment/legacy"])
    #expect(guardResult(incoming: [Self.deployment("web", proxy: true)], policies: [strict]).isEmpty)
    #expect(guardResult(incoming: [Self.deployment("legacy")]).isEmpty, "PERMISSIVE by default")
    let injecting = NamespaceFacts(name: "team", labels: ["istio-injection": "enabled"])
    #expect(guardResult(incoming: [Self.deployment("plain")], policies: [strict], namespace: injecting).isEmpty)
    let optedOut = Self.deployment("out", labels: ", sidecar.istio.io/inject: \"false\"")
    #expect(
      guardResult(incoming: [optedOut], policies: [strict], namespace: injecting) == ["deployment/out"])
  }

  @Test func anIncomingNamespaceLabelOrPolicyIsTakenIntoAccount() {
    let strict = Self.peerAuthentication("default", mode: "STRICT")
    let namespace = Self.node(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {istio-injection: enabled}}\n")
    #expect(guardResult(incoming: [namespace, Self.deployment("plain")], policies: [strict]).isEmpty)
    let permissive = Self.peerAuthentication("default", mode: "PERMISSIVE")
    #expect(guardResult(incoming: [permissive, Self.deployment("legacy")], policies: [strict]).isEmpty)
  }

  @Test func aPortUnderStrictCounts() {
    let ports = Self.peerAuthentication(
      "legacy", mode: "PERMISSIVE", selector: "app: legacy", ports: "\"9090\": {mode: STRICT}")
    #expect(guardResult(incoming: [Self.deployment("legacy")], policies: [ports]) == ["deployment/legacy"])
  }

  @Test func clusterWorkloadsCountWhenTheIncomingPolicyChangesOrSetsTheirMode() {
    let legacy = Self.deployment("legacy")
    let strict = Self.peerAuthentication("default", mode: "STRICT")
    #expect(guardResult(incoming: [strict], cluster: [legacy]) == ["deployment/legacy"])
    // Its own PERMISSIVE policy keeps it out of the namespace's STRICT.
    let own = Self.peerAuthentication("legacy", mode: "PERMISSIVE", selector: "app: legacy")
    #expect(guardResult(incoming: [strict], cluster: [legacy], policies: [own]).isEmpty)
    // A policy for another workload leaves it alone, even when it is already under STRICT.
    let web = Self.peerAuthentication("web", mode: "STRICT", selector: "app: web")
    let forced = Self.peerAuthentication("default", mode: "STRICT")
    #expect(guardResult(incoming: [web], cluster: [legacy], policies: [forced]).isEmpty)
    // Re-applying the policy that puts it under STRICT is held to the rule again.
    #expect(guardResult(incoming: [forced], cluster: [legacy], policies: [forced]) == ["deployment/legacy"])
  }

  @Test func linkerdNamespaceAnnotationMakesStrict() {
    let patch = Self.node(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: team, annotations: {config.linkerd.io/default-inbound-policy: all-authenticated}}\n"
    )
    #expect(StrictGuard.decidesModes(patch))
    #expect(
      guardResult(incoming: [patch], cluster: [Self.deployment("legacy")], provider: .linkerd) == ["deployment/legacy"])
    let meshed = NamespaceFacts(name: "team", annotations: ["linkerd.io/inject": "enabled"])
    #expect(
      guardResult(incoming: [patch], cluster: [Self.deployment("legacy")], provider: .linkerd, namespace: meshed)
        .isEmpty)
  }

  @Test func applyGuardsReadNothingForStrictWithoutAMesh() async throws {
    let server = ScriptedServer(
      answers: [
        "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
        "/apis": #"{"kind":"APIGroupList","groups":[]}"#,
      ])
    let api = try TestKubeconfig.api(server)
    let (mesh, unmeshed, _) = try await ApplyGuards.strictGuard(
      [Self.deployment("legacy")], api: api, provider: nil, rootNamespace: nil)
    #expect(mesh == nil)
    #expect(unmeshed.isEmpty)
    #expect(server.requests.map(RequestLog.path) == ["/apis"])
  }

  @Test func applyInputReadsTheGuardsGroupListWithDiscovery() async throws {
    func paths(_ node: Node, guarded: Bool) async throws -> [String] {
      let server = ScriptedServer(
        answers: [
          "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
          "/apis": #"{"kind":"APIGroupList","groups":[]}"#,
        ])
      let api = try TestKubeconfig.api(server)
      let object = ManifestObject(node: node, document: Document(root: node, file: "in.yaml"), path: "")
      _ = try await ApplyInput.make(
        [object], api: api, config: nil, provider: nil, routing: .provider, configGiven: false, guarded: guarded)
      return server.requests.map(RequestLog.path).sorted()
    }
    // Before the guards run: a workload's apply asks for it with discovery, delete never.
    #expect(try await paths(Self.deployment("web"), guarded: true) == ["/apis", "/apis/apps/v1"])
    #expect(try await paths(Self.deployment("web"), guarded: false) == ["/apis/apps/v1"])
    let configMap = Self.node("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: team}\n")
    #expect(try await paths(configMap, guarded: true) == ["/api/v1"])
  }

  @Test func forbiddenPoliciesAreAWarningNotAFailure() async throws {
    let inner = ScriptedServer(
      answers: [
        "/apis": Discovery.istioGroups, "/api/v1": Discovery.core, "/apis/apps/v1": Discovery.apps,
        "/apis/security.istio.io/v1": Discovery.istioSecurity,
      ], emptyCollections: true)
    let server = ForbiddingServer(
      inner: inner, forbidden: ["/apis/security.istio.io/v1/namespaces/team/peerauthentications"])
    let api = try TestKubeconfig.api(server)
    let (mesh, unmeshed, warnings) = try await ApplyGuards.strictGuard(
      [Self.deployment("legacy")], api: api, provider: nil, rootNamespace: nil)
    #expect(mesh == .istio)
    #expect(unmeshed.isEmpty)
    #expect(
      warnings == ["cannot list the mesh's policies in namespace team (forbidden): the STRICT guard did not check it"])
  }
}
