import Manifest
import Testing
@testable import MeshSchema

/// The rules, case by case, on inline documents.
@Suite struct RuleTests {
  static let split = """
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: reviews, namespace: bookinfo}
    spec:
      service: reviews
      port: 9080
      backends:
      - name: v1
        selector: {version: v1}
        weight: 90
      - name: v2
        service: reviews-v2
        weight: 10
      match:
      - headers: {x-canary: {exact: "true"}}
        backend: v2
      - path: {prefix: /beta}
        backend: v2

    """

  func codes(_ text: String, strict: Bool = false) -> [String] { validate(text, strict: strict).map(\.code) }

  @Test func designExampleIsValid() {
    #expect(validate(Self.split).isEmpty)
  }

  @Test func weightsMustSumTo100() {
    let text = Self.split.replacingOccurrences(of: "weight: 10", with: "weight: 20")
    #expect(codes(text) == ["MC1020"])
    #expect(validate(text).first?.message == "backend weights sum to 110, not 100")
  }

  @Test func allZeroIsItsOwnRule() {
    let text = Self.split.replacingOccurrences(of: "weight: 90", with: "weight: 0")
      .replacingOccurrences(of: "weight: 10", with: "weight: 0")
    #expect(codes(text) == ["MC1021"])
  }

  @Test func invalidWeightDoesNotAlsoReportTheSum() {
    let text = Self.split.replacingOccurrences(of: "weight: 10", with: "weight: ten")
    #expect(codes(text) == ["MC1001"])
  }

  @Test func backendCountIsBounded() {
    let backends = (1...11).map { "  - {name: b\($0), service: s\($0), weight: \($0 == 1 ? 100 : 0)}" }
    let text = "apiVersion: meshctl.io/v1alpha1\nkind: TrafficSplit\nmetadata: {name: x}\nspec:\n  service: x\n  backends:\n"
      + backends.joined(separator: "\n") + "\n"
    let findings = validate(text)
    #expect(findings.map(\.code) == ["MC1008"])
    #expect(findings.first?.path == "spec.backends[10]")
    #expect(codes("apiVersion: meshctl.io/v1alpha1\nkind: TrafficSplit\nmetadata: {name: x}\nspec: {service: x, backends: []}\n") == ["MC1008"])
  }

  @Test func matchNeedsHeadersOrPathAndOneOperator() {
    let noCondition = Self.split.replacingOccurrences(of: "  - path: {prefix: /beta}\n    backend: v2\n", with: "  - backend: v2\n")
    #expect(codes(noCondition) == ["MC1007"])
    let twoOperators = Self.split.replacingOccurrences(of: "{exact: \"true\"}", with: "{exact: a, prefix: b}")
    #expect(codes(twoOperators) == ["MC1007"])
    let regexPath = Self.split.replacingOccurrences(of: "{prefix: /beta}", with: "{regex: /beta}")
    #expect(codes(regexPath).sorted() == ["MC1003", "MC1007"])
  }

  @Test func emptySelectorIsRejected() {
    let text = Self.split.replacingOccurrences(of: "selector: {version: v1}", with: "selector: {}")
    #expect(codes(text) == ["MC1008"])
  }

  @Test func missingNameAndSpec() {
    let findings = validate("apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata: {namespace: x}\n")
    #expect(findings.map(\.code) == ["MC1002", "MC1002"])
    #expect(findings.map(\.path) == ["metadata", nil])
    #expect(findings.map(\.mark) == [SourceMark(line: 3, column: 11), SourceMark(line: 1, column: 1)])
  }

  @Test func mtlsPolicy() {
    let valid = """
      apiVersion: meshctl.io/v1alpha1
      kind: MTLSPolicy
      metadata: {name: default, namespace: bookinfo}
      spec:
        mode: STRICT
        selector: {matchLabels: {app: reviews}}
        portLevel: {"8080": PERMISSIVE}

      """
    #expect(validate(valid).isEmpty)
    #expect(codes(valid.replacingOccurrences(of: "\"8080\"", with: "\"http\"")) == ["MC1006"])
    #expect(codes(valid.replacingOccurrences(of: "PERMISSIVE", with: "permissive")) == ["MC1004"])
    #expect(codes(valid.replacingOccurrences(of: "matchLabels", with: "matchLabel")) == ["MC1003"])
  }

  static let meshConfig = """
    apiVersion: meshctl.io/v1alpha1
    kind: MeshConfig
    spec:
      provider: linkerd
      trustDomain: cluster.local
      controlPlaneNamespace: linkerd
      proxy:
        image: cr.l5d.io/linkerd/proxy:edge-25.1.1
        resources:
          requests: {cpu: 100m, memory: 20Mi}
          limits: {cpu: 1, memory: 250Mi}
        uid: 2102
        logLevel: warning
      nativeSidecar: true
      interception: cni
      excludeInboundPorts: [4190, 4191]
      excludeOutboundPorts: [443]
      excludeOutboundCIDRs: [10.0.0.0/8, "fd00::/8"]
      rewriteProbes: false
      prometheusScrape: true
      neverInjectNamespaces: [kube-system, linkerd]
      kubernetesVersion: "1.31"
      identityTrustAnchorsPEM: |
        -----BEGIN CERTIFICATE-----
        MIIB
        -----END CERTIFICATE-----
      prometheus: {url: "http://prometheus.linkerd-viz:9090"}

    """

  @Test func meshConfigValidatesAndDecodes() {
    #expect(validate(Self.meshConfig).isEmpty)
    let node = ManifestReader().parse(Self.meshConfig).documents[0].root
    let config = MeshConfig(node: node)
    #expect(config.provider == .linkerd)
    #expect(config.nativeSidecar == .enabled)
    #expect(config.interception == .cni)
    #expect(config.proxy.uid == 2102)
    #expect(config.proxy.requests == MeshConfig.ResourceList(cpu: "100m", memory: "20Mi"))
    #expect(config.proxy.limits.cpu == "1")
    #expect(config.excludeOutboundCIDRs == ["10.0.0.0/8", "fd00::/8"])
    #expect(config.rewriteProbes == false)
    #expect(config.neverInjectNamespaces == ["kube-system", "linkerd"])
    #expect(config.effectiveControlPlaneNamespace == "linkerd")
    #expect(config.kubernetesMinorVersion == 31)
    #expect(config.identityTrustAnchorsPEM?.hasPrefix("-----BEGIN CERTIFICATE-----\n") == true)
    #expect(config.prometheusURL == "http://prometheus.linkerd-viz:9090")
    #expect(MeshConfig.defaults.prometheusURL == nil)
  }

  @Test func meshConfigPrometheusFields() {
    let misspelt = Self.meshConfig.replacingOccurrences(of: "{url: ", with: "{uri: ")
    #expect(!codes(misspelt).isEmpty, "an unknown field under spec.prometheus is an error")
    #expect(!codes(Self.meshConfig.replacingOccurrences(of: "\"http://prometheus.linkerd-viz:9090\"", with: "\"\"")).isEmpty)
  }

  @Test func kubernetesVersionFormat() {
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "\"1.31\"", with: "\"2.0\"")) == ["MC1006"])
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "\"1.31\"", with: "v1.31.4")) == [])
  }

  @Test func meshConfigDefaults() {
    let defaults = MeshConfig.defaults
    #expect(defaults.provider == .istio)
    #expect(defaults.nativeSidecar == .auto)
    #expect(defaults.neverInjectNamespaces == ["kube-system", "kube-public", "kube-node-lease"])
    #expect(defaults.effectiveProxyUID == 1337)
    #expect(MeshConfig(node: .null) == defaults)
  }

  @Test func nativeSidecarAcceptsBooleansAndAuto() {
    for value in ["true", "false", "auto", "\"true\""] {
      #expect(validate(Self.meshConfig.replacingOccurrences(of: "nativeSidecar: true", with: "nativeSidecar: \(value)")).isEmpty, "\(value)")
    }
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "nativeSidecar: true", with: "nativeSidecar: sometimes")) == ["MC1001"])
    let autoConfig = ManifestReader().parse(Self.meshConfig.replacingOccurrences(of: "nativeSidecar: true", with: "nativeSidecar: auto"))
    #expect(MeshConfig(node: autoConfig.documents[0].root).nativeSidecar == .auto)
  }

  @Test func meshConfigRejectsBadValues() {
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "cni", with: "ebpf")) == ["MC1004"])
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "cpu: 100m", with: "cpu: lots")) == ["MC1006"])
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "10.0.0.0/8", with: "10.0.0.0")) == ["MC1006"])
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "[4190, 4191]", with: "[4190, 70000]")) == ["MC1005"])
    #expect(codes(Self.meshConfig.replacingOccurrences(of: "logLevel: warning", with: "logLevel: warn")) == ["MC1004"])
  }

  @Test func yamlBooleansInStringFields() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {linkerd.io/inject: on}\nspec:\n  containers: [{name: c, image: i, env: [{name: DEBUG, value: true}, {name: NUM, value: 3}, {name: Q, value: no}]}]\n"
    let findings = validate(pod)
    #expect(findings.map(\.code) == ["MC1010", "MC1011", "MC1011", "MC1010"])
    #expect(findings.map(\.severity) == [.warning, .error, .error, .warning])
    #expect(findings[0].hint == "quote it: \"on\"")
    #expect(findings[1].path == "spec.containers[0].env[0].value")
  }

  @Test func quotedNumbersInIntegerFields() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: c, ports: [{containerPort: \"8080\"}]}]\n"
    let findings = validate(pod)
    #expect(findings.map(\.code) == ["MC1001"])
    #expect(findings.first?.hint == "remove the quotes")
  }

  @Test func integralFloatsAreIntegers() {
    // sigs.k8s.io/yaml turns 3.0 into the JSON number 3, which the API server accepts.
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3.0\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers: [{name: c, image: c}]\n"
    #expect(validate(deployment).isEmpty)
    #expect(codes(deployment.replacingOccurrences(of: "3.0", with: "3.5")) == ["MC1001"])
    #expect(codes(deployment.replacingOccurrences(of: "3.0", with: "99999999999999999999")) == ["MC1005"])
  }

  @Test func podSpecChecks() {
    let pod = """
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        hostNetwork: "true"
        initContainers:
        - {name: proxy, image: proxy, restartPolicy: Always}
        - {name: bad, image: x, restartPolicy: OnFailure}
        containers:
        - name: app
          image: app
          ports: [{containerPort: 8080, protocol: tcp, name: HTTP}]
          resources: {requests: {cpu: 1 core}}
          readinessProbe: {httpGet: {port: http-web}, tcpSocket: {port: 80}}
          livenessProbe: {grpc: {port: grpc}}
        volumes: [{name: data, emptyDir: {}}, {configMap: {name: x}}]

      """
    let findings = validate(pod)
    #expect(
      findings.map { "\($0.code) \($0.path ?? "")" } == [
        "MC1001 spec.hostNetwork",
        "MC1004 spec.initContainers[1].restartPolicy",
        "MC1004 spec.containers[0].ports[0].protocol",
        "MC1006 spec.containers[0].ports[0].name",
        "MC1006 spec.containers[0].resources.requests.cpu",
        "MC1007 spec.containers[0].readinessProbe.tcpSocket",
        "MC1001 spec.containers[0].livenessProbe.grpc.port",
        "MC1002 spec.volumes[1]",
      ])
  }

  @Test func podSpecNeedsContainers() {
    #expect(codes("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n") == ["MC1008"])
    #expect(
      codes("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {}}}\n")
        == ["MC1002"])
  }

  @Test func cronJobTemplateAndRolloutWorkloadRef() {
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: Bad, image: i}]\n"
    let findings = validate(cron)
    #expect(findings.map(\.path) == ["spec.jobTemplate.spec.template.spec.containers[0].name"])
    let rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
    #expect(validate(rollout).isEmpty)
    #expect(codes("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {replicas: 1}\n") == ["MC1007"])
  }

  @Test func serviceChecks() {
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec:\n  type: Cluster\n  ports: [{name: a, port: 80, targetPort: http}, {name: b, port: 81, targetPort: 8081}, {name: c, targetPort: 0}]\n"
    #expect(validate(service).map { "\($0.code) \($0.path ?? "")" } == [
      "MC1006 metadata.name", "MC1004 spec.type", "MC1005 spec.ports[2].targetPort", "MC1002 spec.ports[2]",
    ])
  }

  @Test func nullListItemsAreEmptyWarnings() {
    let findings = validate("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n-\n- 3\n")
    #expect(findings.map { "\($0.code) \($0.severity) \($0.path ?? "")" } == ["MC1013 warning items[1]", "MC1014 error items[2]"])
  }

  @Test func unknownKindsOnlyNeedTypeMeta() {
    #expect(validate("apiVersion: example.com/v1\nkind: Widget\nspec: {anything: [1, 2]}\n").isEmpty)
    #expect(codes("kind: Widget\n") == ["MC1012"])
    #expect(codes("apiVersion: v1\nkind: 3\n") == ["MC1012"])
    #expect(codes("apiVersion: meshctl.io/v1\nkind: TrafficSplit\n") == ["MC1015"])
  }

  @Test func providerResources() {
    let virtualService = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1, port: {number: 99999}}
            weight: 90
          - destination: {subset: v2}
          timeout: 10 seconds
        tpc: []

      """
    #expect(validate(virtualService).map { "\($0.code) \($0.path ?? "")" } == [
      "MC1005 spec.http[0].route[0].destination.port.number",
      "MC1002 spec.http[0].route[1].destination",
      "MC1006 spec.http[0].timeout",
      "MC1003 spec.tpc",
    ])
    let peer = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d}\nspec: {mtls: {mode: strict}}\n"
    #expect(codes(peer) == ["MC1004"])
    let server = "apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s}\nspec: {podSelector: {matchLabels: {app: web}}, port: http, proxyProtocol: HTTP/3}\n"
    #expect(codes(server) == ["MC1004"])
    let route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{group: '', kind: Service, name: web, port: 80}]\n  rules: [{backendRefs: [{name: web-v1, port: 80, weight: 90}, {port: 80}]}]\n"
    #expect(codes(route) == ["MC1002"])
    let authn = "apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: a}\nspec: {identities: ['*'], identityRefs: [{kind: ServiceAccount, name: web}]}\n"
    #expect(codes(authn) == ["MC1007"])
  }

  /// Any tree, however wrong, yields findings and never traps.
  @Test func survivesHostileTrees() {
    var generator = SystemRandomNumberGenerator()
    let validator = Validator()
    func randomNode(depth: Int) -> Node {
      let keys = ["apiVersion", "kind", "metadata", "spec", "name", "backends", "weight", "selector", "containers",
                  "template", "match", "headers", "ports", "labels", "items", "mode", "portLevel", "x"]
      switch Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &generator) {
      case 0: return .int(Int.random(in: -5...70000, using: &generator))
      case 1: return .string(["", "v1", "TrafficSplit", "apps/v1", "Deployment", "meshctl.io/v1alpha1", "STRICT"].randomElement()!)
      case 2: return .bool(Bool.random(using: &generator))
      case 3: return .null
      case 4, 5:
        return .mapping((0..<Int.random(in: 0...5, using: &generator)).map { _ in
          MappingEntry(key: keys.randomElement()!, value: randomNode(depth: depth + 1))
        })
      default: return .sequence((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomNode(depth: depth + 1) })
      }
    }
    for _ in 0..<3000 {
      var root = randomNode(depth: 0)
      if Bool.random(using: &generator), root.mapping != nil {
        root["apiVersion"] = .string(["meshctl.io/v1alpha1", "apps/v1", "v1", "networking.istio.io/v1"].randomElement()!)
        root["kind"] = .string(["TrafficSplit", "MTLSPolicy", "MeshConfig", "Deployment", "Pod", "List", "VirtualService"].randomElement()!)
      }
      let document = Document(root: root, file: "fuzz.yaml")
      _ = validator.validate(document)
      var analysis = CrossDocumentAnalysis()
      analysis.add(document)
      _ = analysis.findings()
      _ = MeshConfig(node: root)
    }
  }
}
