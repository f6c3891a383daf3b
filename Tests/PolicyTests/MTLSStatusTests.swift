import Manifest
import MeshSchema
import Policy
import Testing

/// Effective mTLS modes, sidecar detection, selectors and naming: the pure logic behind
/// `meshctl mtls status` and `mtls enable`.
@Suite struct MTLSStatusTests {
  static let web = MeshWorkload(
    kind: "Deployment", namespace: "shop", name: "web", labels: ["app": "web", "tier": "front"],
    containers: ["web", "istio-proxy"], ports: [8080, 9090])

  func policies(_ yaml: String, namespaces: [NamespaceFacts] = []) -> MTLSPolicies {
    var policies = MTLSPolicies()
    for node in roots(yaml) {
      switch node["kind"]?.string {
      case "PeerAuthentication": policies.peerAuthentications.append(node)
      case "Server": policies.servers.append(node)
      case "AuthorizationPolicy": policies.authorizationPolicies.append(node)
      default: break
      }
    }
    for namespace in namespaces { policies.namespaces[namespace.name] = namespace }
    return policies
  }

  static func peerAuthentication(
    _ namespace: String, _ name: String, mode: String, selector: String? = nil,
    created: String = "2026-01-01T00:00:00Z",
    extra: String = ""
  ) -> String {
    let selectorText = selector.map { "  selector: {matchLabels: {\($0)}}\n" } ?? ""
    return """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: \(name), namespace: \(namespace), creationTimestamp: "\(created)"}
      spec:
      \(selectorText)  mtls: {mode: \(mode)}
      \(extra)
      """
  }

  // MARK: Istio precedence

  @Test func nothingSetIsPermissiveFromTheMeshDefault() {
    let result = MTLSResolver.resolve(Self.web, policies: MTLSPolicies(), provider: .istio)
    #expect(result.mode == "PERMISSIVE")
    #expect(result.source == .meshDefault)
    #expect(result.source.text == "mesh default")
    #expect(result.sidecar == .injected)
  }

  @Test func workloadPolicyBeatsNamespaceWhichBeatsMeshWide() {
    let all = [
      Self.peerAuthentication("istio-system", "default", mode: "DISABLE"),
      Self.peerAuthentication("shop", "default", mode: "PERMISSIVE"),
      Self.peerAuthentication("shop", "web", mode: "STRICT", selector: "app: web"),
      Self.peerAuthentication("shop", "other", mode: "DISABLE", selector: "app: other"),
    ]
    func resolve(_ texts: [String]) -> (String, String) {
      let result = MTLSResolver.resolve(
        Self.web, policies: policies(texts.joined(separator: "---\n")), provider: .istio)
      return (result.mode, result.source.text)
    }
    #expect(resolve(all) == ("STRICT", "PeerAuthentication shop/web"))
    #expect(resolve(Array(all[0...1]) + [all[3]]) == ("PERMISSIVE", "PeerAuthentication shop/default"))
    #expect(resolve([all[0], all[3]]) == ("DISABLE", "PeerAuthentication istio-system/default"))
    // Another namespace's policies never apply.
    #expect(resolve([Self.peerAuthentication("cart", "default", mode: "STRICT")]) == ("PERMISSIVE", "mesh default"))
  }

  @Test func rootNamespaceComesFromTheSettings() {
    var set = policies(Self.peerAuthentication("mesh", "default", mode: "STRICT"))
    #expect(MTLSResolver.resolve(Self.web, policies: set, provider: .istio).mode == "PERMISSIVE")
    set.rootNamespace = "mesh"
    #expect(MTLSResolver.resolve(Self.web, policies: set, provider: .istio).mode == "STRICT")
  }

  @Test func unsetInheritsAndPortLevelModesAreReported() {
    let text =
      Self.peerAuthentication("shop", "default", mode: "STRICT") + "---\n"
      + Self.peerAuthentication(
        "shop", "web", mode: "UNSET", selector: "app: web",
        extra: "  portLevelMtls: {'9090': {mode: PERMISSIVE}, '8080': {mode: STRICT}}")
    let result = MTLSResolver.resolve(Self.web, policies: policies(text), provider: .istio)
    #expect(result.mode == "STRICT")
    #expect(result.source.text == "PeerAuthentication shop/default")
    #expect(result.ports.map(\.port) == [9090])
    #expect(result.ports.first?.mode == "PERMISSIVE")
    #expect(result.ports.first?.source.object == "PeerAuthentication shop/web")
  }

  @Test func theOldestOfSeveralMatchingWorkloadPoliciesWins() {
    let text =
      Self.peerAuthentication("shop", "young", mode: "DISABLE", selector: "app: web", created: "2026-03-01T00:00:00Z")
      + "---\n"
      + Self.peerAuthentication("shop", "old", mode: "STRICT", selector: "tier: front", created: "2025-03-01T00:00:00Z")
    #expect(
      MTLSResolver.resolve(Self.web, policies: policies(text), provider: .istio).source.text
        == "PeerAuthentication shop/old")
  }

  @Test func meshctlManagedPoliciesAreNamedByTheirMTLSPolicy() {
    let managed = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata:
        name: default
        namespace: shop
        labels: {app.kubernetes.io/managed-by: meshctl}
        annotations: {meshctl.io/source: MTLSPolicy/shop/default}
      spec: {mtls: {mode: STRICT}}
      """
    let result = MTLSResolver.resolve(Self.web, policies: policies(managed), provider: .istio)
    #expect(result.source.text == "MTLSPolicy shop/default")
    #expect(result.source.object == "PeerAuthentication shop/default")
    // The annotation without the label (copied by hand) does not make it meshctl's.
    let copied = managed.replacingOccurrences(of: "app.kubernetes.io/managed-by: meshctl", with: "team: a")
    #expect(MTLSResolver.resolve(Self.web, policies: policies(copied), provider: .istio).source.policy == nil)
  }

  // MARK: Linkerd

  static let linkerdWeb = MeshWorkload(
    kind: "Deployment", namespace: "shop", name: "web", labels: ["app": "web"], containers: ["web", "linkerd-proxy"],
    ports: [8080])

  @Test func linkerdDefaultsFromTemplateThenNamespaceThenCluster() {
    let annotated = NamespaceFacts(
      name: "shop",
      annotations: [
        "config.linkerd.io/default-inbound-policy": "all-authenticated",
        "meshctl.io/source": "MTLSPolicy/shop/default",
      ])
    let none = MTLSResolver.resolve(Self.linkerdWeb, policies: MTLSPolicies(), provider: .linkerd)
    #expect((none.mode, none.source.text) == ("PERMISSIVE", "mesh default"))
    let namespaced = MTLSResolver.resolve(
      Self.linkerdWeb, policies: policies("", namespaces: [annotated]), provider: .linkerd)
    #expect((namespaced.mode, namespaced.source.text) == ("STRICT", "MTLSPolicy shop/default"))
    #expect(namespaced.source.object == "Namespace shop")
    var overridden = Self.linkerdWeb
    overridden.annotations["config.linkerd.io/default-inbound-policy"] = "all-unauthenticated"
    let workload = MTLSResolver.resolve(overridden, policies: policies("", namespaces: [annotated]), provider: .linkerd)
    #expect((workload.mode, workload.source.text) == ("PERMISSIVE", "Deployment shop/web (annotation)"))
  }

  @Test(arguments: [
    ("all-authenticated", "STRICT"), ("cluster-authenticated", "STRICT"), ("deny", "STRICT"),
    ("all-unauthenticated", "PERMISSIVE"), ("cluster-unauthenticated", "PERMISSIVE"), ("audit", "PERMISSIVE"),
  ])
  func linkerdPolicyValuesAsModes(value: String, mode: String) {
    #expect(MTLSResolver.inboundPolicyMode(value) == mode)
  }

  static func server(_ name: String, port: Int, access: String, selector: String = "matchLabels: {app: web}") -> String
  {
    """
    apiVersion: policy.linkerd.io/v1beta3
    kind: Server
    metadata: {name: \(name), namespace: shop}
    spec: {podSelector: {\(selector)}, port: \(port), accessPolicy: \(access)}
    """
  }

  @Test func serversCoveringEveryPortSetTheWorkloadsMode() {
    let result = MTLSResolver.resolve(
      Self.linkerdWeb, policies: policies(Self.server("web-8080", port: 8080, access: "deny")), provider: .linkerd)
    #expect((result.mode, result.source.text, result.ports) == ("STRICT", "Server shop/web-8080", []))
  }

  @Test func serversNamingAContainerPortApplyToThatPort() throws {
    let node = roots(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - {name: web, ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: metrics}]}
      """)[0]
    let workload = try #require(MeshWorkload(kind: "Deployment", object: node))
    #expect(workload.portNames == ["http": 8080, "metrics": 9090])
    let text =
      Self.server("metrics", port: 0, access: "all-authenticated").replacingOccurrences(
        of: "port: 0", with: "port: metrics") + "\n---\n"
      + Self.server("grpc", port: 0, access: "deny").replacingOccurrences(of: "port: 0", with: "port: grpc")
    let result = MTLSResolver.resolve(workload, policies: policies(text), provider: .linkerd)
    #expect(result.mode == "PERMISSIVE")
    #expect(result.ports.map { "\($0.port)=\($0.mode)" } == ["9090=STRICT"])
  }

  @Test func serversOnSomePortsAreOverrides() {
    var workload = Self.linkerdWeb
    workload.ports = [8080, 9090]
    let text =
      Self.server("metrics", port: 9090, access: "all-authenticated") + "\n---\n"
      + Self.server("other", port: 8080, access: "deny", selector: "matchLabels: {app: other}")
    let result = MTLSResolver.resolve(workload, policies: policies(text), provider: .linkerd)
    #expect(result.mode == "PERMISSIVE")
    #expect(result.ports.map { "\($0.port)=\($0.mode)" } == ["9090=STRICT"])
  }

  @Test func aDenyServerOpenedByNetworkAuthenticationIsPermissive() {
    let text =
      Self.server("web-8080", port: 8080, access: "deny") + "\n---\n"
        + """
        apiVersion: policy.linkerd.io/v1alpha1
        kind: AuthorizationPolicy
        metadata: {name: open, namespace: shop}
        spec:
          targetRef: {group: policy.linkerd.io, kind: Server, name: web-8080}
          requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: all}]
        """
    #expect(MTLSResolver.resolve(Self.linkerdWeb, policies: policies(text), provider: .linkerd).mode == "PERMISSIVE")
  }

  // MARK: Sidecars

  @Test func istioSidecarFromContainersLabelsAndNamespace() {
    func state(_ workload: MeshWorkload, _ labels: [String: String] = [:]) -> SidecarState {
      SidecarDetection.state(of: workload, namespace: NamespaceFacts(name: "shop", labels: labels), provider: .istio)
    }
    let plain = MeshWorkload(kind: "Deployment", namespace: "shop", name: "a", containers: ["a"])
    #expect(state(plain) == .none)
    #expect(state(plain, ["istio-injection": "enabled"]) == .webhook)
    #expect(state(plain, ["istio.io/rev": "canary"]) == .webhook)
    var optIn = plain
    optIn.labels["sidecar.istio.io/inject"] = "true"
    #expect(state(optIn) == .webhook)
    #expect(state(optIn, ["istio-injection": "disabled"]) == .none)
    var optOut = plain
    optOut.labels["sidecar.istio.io/inject"] = "false"
    #expect(state(optOut, ["istio-injection": "enabled"]) == .none)
    var native = plain
    native.sidecarInitContainers = ["istio-proxy"]
    #expect(state(native) == .injected)
    // Linkerd's proxy is not Istio's.
    var other = plain
    other.containers.append("linkerd-proxy")
    #expect(state(other) == .none)
  }

  @Test func linkerdSidecarFromAnnotations() {
    let plain = MeshWorkload(kind: "Deployment", namespace: "shop", name: "a", containers: ["a"])
    let injected = NamespaceFacts(name: "shop", annotations: ["linkerd.io/inject": "enabled"])
    #expect(SidecarDetection.state(of: plain, namespace: nil, provider: .linkerd) == .none)
    #expect(SidecarDetection.state(of: plain, namespace: injected, provider: .linkerd) == .webhook)
    var optOut = plain
    optOut.annotations["linkerd.io/inject"] = "disabled"
    #expect(SidecarDetection.state(of: optOut, namespace: injected, provider: .linkerd) == .none)
    #expect(SidecarState.webhook.text == "yes (webhook)" && SidecarState.none.text == "no")
  }

  @Test func webhookWorkloadsWhosePodsLackTheProxyNeedARestart() {
    let namespace = NamespaceFacts(name: "shop", labels: ["istio-injection": "enabled"])
    let deployment = MeshWorkload(
      kind: "Deployment", namespace: "shop", name: "web", labels: ["app": "web", "pod-template-hash": "1"],
      containers: ["web"], selector: ["app": "web"])
    let fresh = MeshWorkload(
      kind: "Pod", namespace: "shop", name: "web-1", labels: ["app": "web"], containers: ["web", "istio-proxy"])
    var stale = fresh
    stale.containers = ["web"]
    var elsewhere = stale
    elsewhere.namespace = "cart"
    func state(_ pods: [MeshWorkload]) -> SidecarState {
      SidecarDetection.state(of: deployment, namespace: namespace, provider: .istio, pods: pods)
    }
    #expect(state([]) == .webhook)
    #expect(state([fresh, elsewhere]) == .webhook)
    #expect(state([fresh, stale]) == .restartNeeded)
    #expect(!SidecarState.restartNeeded.isMeshed)
    // A bare Pod is the running pod itself.
    #expect(SidecarDetection.state(of: stale, namespace: namespace, provider: .istio) == .restartNeeded)
  }

  @Test func proxiesAreLeftOutOfPortsAndOfTheLookup() throws {
    let node = roots(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - {name: web, ports: [{containerPort: 8080}]}
            - {name: linkerd-proxy, ports: [{containerPort: 4143}, {containerPort: 4191}]}
      """)[0]
    let workload = try #require(MeshWorkload(kind: "Deployment", object: node))
    #expect(workload.ports == [8080] && workload.selector == ["app": "web"])
    #expect(workload.containers == ["web", "linkerd-proxy"])
    let stripped = SidecarDetection.withoutProxies(node, kind: "Deployment")
    #expect(stripped[path: "spec", "template", "spec", "containers"]?.sequence?.count == 1)
    #expect(ManifestLookup(objects: []).containerPorts(namespace: "shop", matchLabels: ["app": "web"]) == nil)
    var lookup = ManifestLookup()
    lookup.add(stripped)
    #expect(lookup.containerPorts(namespace: "shop", matchLabels: ["app": "web"]) == [8080])
  }

  @Test func workloadsAreReadFromTheirPodTemplates() throws {
    let node = roots(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          metadata:
            labels: {app: web}
            annotations: {linkerd.io/inject: enabled}
          spec:
            initContainers:
            - {name: linkerd-proxy, restartPolicy: Always}
            - {name: migrate}
            containers:
            - {name: web, ports: [{containerPort: 9090}, {containerPort: 8080}]}
      """)[0]
    let workload = try #require(MeshWorkload(kind: "Deployment", object: node, defaultNamespace: "shop"))
    #expect(workload.namespace == "shop" && workload.reference == "deployment/web")
    #expect(workload.labels == ["app": "web"] && workload.annotations["linkerd.io/inject"] == "enabled")
    #expect(workload.containers == ["web"] && workload.sidecarInitContainers == ["linkerd-proxy"])
    #expect(workload.ports == [8080, 9090])
    #expect(MeshWorkload(kind: "Service", object: node) == nil)
  }

  // MARK: Selectors, naming, safety

  @Test func selectorsMatchLabelsAndExpressions() {
    let labels = ["app": "web", "tier": "front"]
    #expect(LabelMatch.matches(selector: roots("{}")[0], labels))
    #expect(LabelMatch.matches(selector: roots("matchLabels: {app: web}")[0], labels))
    #expect(!LabelMatch.matches(selector: roots("matchLabels: {app: api}")[0], labels))
    let expressions =
      "matchExpressions: [{key: tier, operator: In, values: [front, back]}, {key: x, operator: DoesNotExist}]"
    #expect(LabelMatch.matches(selector: roots(expressions)[0], labels))
    #expect(
      !LabelMatch.matches(selector: roots("matchExpressions: [{key: app, operator: NotIn, values: [web]}]")[0], labels))
  }

  @Test func selectorArgumentsParse() throws {
    let pairs = try LabelMatch.parse(["app=reviews,version==v2", "tier= front"]).get()
    #expect(pairs.map { "\($0.key)=\($0.value)" } == ["app=reviews", "version=v2", "tier=front"])
    for bad in ["app", "=x", "a!=b", "a=b=c"] {
      #expect(throws: SelectorError.self) { try LabelMatch.parse([bad]).get() }
    }
  }

  @Test func policyNamesAreDNSLabels() {
    #expect(MTLSPolicyNaming.name(for: []) == "default")
    #expect(MTLSPolicyNaming.name(for: [("app", "reviews")]) == "app-reviews")
    #expect(MTLSPolicyNaming.name(for: [("app.kubernetes.io/name", "Cart_API")]) == "app-kubernetes-io-name-cart-api")
    let long = MTLSPolicyNaming.name(for: [("k", String(repeating: "a", count: 80))])
    #expect(long.count <= 57 && !long.hasSuffix("-"))
  }

  @Test func builtPoliciesAreValidMTLSPolicies() {
    let policy = MTLSPolicyNaming.policy(name: "app-web", namespace: "shop", mode: "STRICT", selector: [("app", "web")])
    #expect(schemaFindings([policy]).isEmpty)
    #expect(policy[path: "spec", "selector", "matchLabels", "app"]?.string == "web")
    let wide = MTLSPolicyNaming.policy(name: "default", namespace: "shop", mode: "PERMISSIVE", selector: [])
    #expect(wide[path: "spec", "selector"] == nil && schemaFindings([wide]).isEmpty)
  }
}
