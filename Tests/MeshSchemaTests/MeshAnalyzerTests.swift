import Manifest
import Testing
@testable import MeshSchema

/// The mesh analyzers (MC2005–MC2012, MC4002–MC4005): each fixture's finding lands on its
/// marker, and references across namespaces, `exportTo` and partial input raise no false alarm.
@Suite struct MeshAnalyzerTests {
  static let expectations: [FixtureExpectation] = [
    FixtureExpectation(
      fixture: "mesh-subset.yaml", code: "MC2005", severity: .warning, path: "spec.http[0].route[0].destination.subset",
      hint: "did you mean `v1`?"),
    FixtureExpectation(
      fixture: "mesh-route-service.yaml", code: "MC2006", severity: .warning,
      path: "spec.http[0].route[1].destination.host"),
    FixtureExpectation(
      fixture: "mesh-reference-grant.yaml", code: "MC2007", severity: .warning, path: "spec.rules[0].backendRefs[0].name",
      hint:
        "add a ReferenceGrant in namespace pay with from {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop} and to {group: \"\", kind: Service}"
    ),
    FixtureExpectation(
      fixture: "mesh-gateway-istio.yaml", code: "MC2008", severity: .warning, path: "spec.gateways[1]",
      hint: "did you mean `edge/public`?"),
    FixtureExpectation(
      fixture: "mesh-gateway-parent.yaml", code: "MC2009", severity: .warning, path: "spec.parentRefs[0].name"),
    FixtureExpectation(fixture: "mesh-service-selector.yaml", code: "MC2010", severity: .warning, path: "spec.selector"),
    FixtureExpectation(
      fixture: "mesh-mirror.yaml", code: "MC2006", severity: .warning, path: "spec.http[0].mirror.host"),
    FixtureExpectation(
      fixture: "mesh-mirror.yaml", code: "MC2005", severity: .warning,
      path: "spec.http[1].mirrors[0].destination.subset", hint: "did you mean `v1`?", marker: "2"),
    FixtureExpectation(
      fixture: "mesh-service-entry.yaml", code: "MC2006", severity: .warning, path: "spec.http[0].route[2].destination.host"),
    FixtureExpectation(fixture: "mesh-delegate.yaml", code: "MC2011", severity: .warning, path: "spec.http[0].delegate.name"),
    FixtureExpectation(
      fixture: "mesh-delegate.yaml", code: "MC2012", severity: .warning, path: "spec.http[1].delegate.name",
      hint: "remove `hosts` from the delegate (a delegate VirtualService has none), or route here directly", marker: "2"),
    FixtureExpectation(
      fixture: "mesh-job-sidecar.yaml", code: "MC4002", severity: .warning,
      path: "spec.jobTemplate.spec.template.spec.containers[1].name"),
    FixtureExpectation(fixture: "mesh-istio-port.yaml", code: "MC4003", severity: .info, path: "spec.ports[0].name"),
    FixtureExpectation(
      fixture: "mesh-istio-port.yaml", code: "MC4004", severity: .warning, path: "spec.ports[1].name",
      hint: "name the port `tcp` or `tcp-mysql` (or set appProtocol: tcp)", marker: "2"),
    FixtureExpectation(
      fixture: "mesh-linkerd-port.yaml", code: "MC4005", severity: .warning, path: "spec.ports[2].name",
      hint: "annotate the Service and its pod template with config.linkerd.io/opaque-ports: \"26379\""),
  ]

  @Test(arguments: expectations)
  func findingLandsOnItsMarker(_ expected: FixtureExpectation) throws {
    let marked = try MarkedText.fixture(expected.fixture)
    let findings = analyze(marked.text, file: expected.fixture)
    let mark = try #require(marked.markers[expected.marker])
    let matching = findings.filter { $0.code == expected.code && $0.mark == mark }
    #expect(matching.count == 1, "findings: \(findings.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.path ?? "-")" })")
    guard let finding = matching.first else { return }
    #expect(finding.severity == expected.severity)
    #expect(finding.path == expected.path)
    #expect(finding.file == expected.fixture)
    if let hint = expected.hint { #expect(finding.hint == hint) }
    #expect(finding.sourceLine != nil)
  }

  /// Each fixture shows only its own findings, and is valid for the schemas.
  @Test(arguments: Set(expectations.map(\.fixture)).sorted())
  func fixtureHasNoOtherFindings(_ fixture: String) throws {
    let marked = try MarkedText.fixture(fixture)
    let expected = Self.expectations.filter { $0.fixture == fixture }
    let findings = analyze(marked.text, file: fixture)
    #expect(findings.count == expected.count, "\(findings.map { "\($0.mark.line):\($0.mark.column) \($0.code)" })")
    let errors = validate(marked.text, file: fixture).filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.message)" })")
  }

  static func destinationRule(namespace: String, host: String, exportTo: String? = nil) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: \(namespace)}
    spec:
      host: \(host)
    \(exportTo.map { "  exportTo: \($0)\n" } ?? "")  subsets: [{name: v1, labels: {version: v1}}]

    """
  }

  static func virtualService(namespace: String, host: String, subset: String = "v2") -> String {
    """
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews, namespace: \(namespace)}
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: \(host), subset: \(subset)}

    """
  }

  static func codes(_ text: String) -> [String] { analyze(text).map(\.code) }

  @Test func subsetHostsResolveByNamespace() {
    // A short host is the VirtualService's namespace: another namespace's rule is another host.
    #expect(Self.codes(Self.destinationRule(namespace: "b", host: "reviews") + Self.virtualService(namespace: "a", host: "reviews")).isEmpty)
    #expect(Self.codes(Self.destinationRule(namespace: "b", host: "reviews") + Self.virtualService(namespace: "a", host: "reviews.b.svc.cluster.local")) == ["MC2005"])
    #expect(Self.codes(Self.destinationRule(namespace: "a", host: "reviews.a.svc.cluster.local") + Self.virtualService(namespace: "a", host: "reviews")) == ["MC2005"])
    // A dotted name that is not the cluster form is a literal host, not the Service.
    #expect(Self.codes(Self.destinationRule(namespace: "b", host: "reviews") + Self.virtualService(namespace: "a", host: "reviews.b")).isEmpty)
    // A subset the rule defines, or no rule for the host in the input: nothing.
    #expect(Self.codes(Self.destinationRule(namespace: "a", host: "reviews") + Self.virtualService(namespace: "a", host: "reviews", subset: "v1")).isEmpty)
    #expect(Self.codes(Self.destinationRule(namespace: "a", host: "ratings") + Self.virtualService(namespace: "a", host: "reviews")).isEmpty)
    // Another rule for the host (Istio merges them) defining the subset.
    let second = Self.destinationRule(namespace: "a", host: "reviews").replacingOccurrences(of: "name: v1", with: "name: v2")
    #expect(Self.codes(Self.destinationRule(namespace: "a", host: "reviews") + "---\n" + second + Self.virtualService(namespace: "a", host: "reviews")).isEmpty)
  }

  @Test func subsetRulesCountWhereExportToMakesThemVisible() {
    let host = "reviews.b.svc.cluster.local"
    for (exportTo, visible) in [("[\".\"]", false), ("[a]", true), ("[c]", false), ("[\"*\"]", true), ("[c, a]", true)] {
      let text = Self.destinationRule(namespace: "b", host: "reviews", exportTo: exportTo) + Self.virtualService(namespace: "a", host: host)
      #expect(Self.codes(text) == (visible ? ["MC2005"] : []), "exportTo \(exportTo)")
    }
    // `.` is visible in its own namespace.
    #expect(Self.codes(Self.destinationRule(namespace: "a", host: "reviews", exportTo: "[\".\"]") + Self.virtualService(namespace: "a", host: "reviews")) == ["MC2005"])
  }

  static func service(_ name: String, namespace: String) -> String {
    "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {ports: [{name: http, port: 80}]}\n"
  }

  static func httpRoute(namespace: String, backend: String, backendNamespace: String? = nil) -> String {
    """
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: route, namespace: \(namespace)}
    spec:
      rules:
      - backendRefs: [{name: \(backend)\(backendNamespace.map { ", namespace: \($0)" } ?? ""), port: 80}]

    """
  }

  @Test func routeServicesAreCheckedOnlyWhereTheInputHoldsTheNamespace() {
    // Services of another namespace only: partial input, nothing said.
    #expect(Self.codes(Self.service("web", namespace: "other") + Self.httpRoute(namespace: "shop", backend: "web")).isEmpty)
    #expect(Self.codes(Self.service("web", namespace: "shop") + Self.httpRoute(namespace: "shop", backend: "api")) == ["MC2006"])
    // A backendRef's namespace is where the Service is looked for.
    #expect(Self.codes(Self.service("api", namespace: "shop") + Self.httpRoute(namespace: "edge", backend: "api", backendNamespace: "shop")) == ["MC2007"])
    #expect(Self.codes(Self.service("web", namespace: "shop") + Self.httpRoute(namespace: "edge", backend: "api", backendNamespace: "shop")) == ["MC2006", "MC2007"])
    // A cross-namespace ref into a namespace the input does not hold: no grant is asked for.
    #expect(Self.codes(Self.service("web", namespace: "shop") + Self.httpRoute(namespace: "shop", backend: "api", backendNamespace: "pay")).isEmpty)
    // An unset route namespace cannot be told cross-namespace.
    #expect(Self.codes(Self.service("api", namespace: "shop") + Self.httpRoute(namespace: "\"\"", backend: "api", backendNamespace: "shop")).isEmpty)
  }

  @Test func referenceGrantsMustAllowTheRoutesKindNamespaceAndService() {
    func grant(from: String = "edge", kind: String = "HTTPRoute", name: String? = nil) -> String {
      """
      ---
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata: {name: grant, namespace: shop}
      spec:
        from: [{group: gateway.networking.k8s.io, kind: \(kind), namespace: \(from)}]
        to: [{group: "", kind: Service\(name.map { ", name: \($0)" } ?? "")}]

      """
    }
    let base = Self.service("api", namespace: "shop") + Self.httpRoute(namespace: "edge", backend: "api", backendNamespace: "shop")
    #expect(Self.codes(base + grant()).isEmpty)
    #expect(Self.codes(base + grant(name: "api")).isEmpty)
    #expect(Self.codes(base + grant(name: "web")) == ["MC2007"])
    #expect(Self.codes(base + grant(from: "other")) == ["MC2007"])
    #expect(Self.codes(base + grant(kind: "GRPCRoute")) == ["MC2007"])
    // A consumer route (GAMMA): attached to the Service it sends the traffic on to.
    let consumer = base.replacingOccurrences(
      of: "spec:\n  rules:", with: "spec:\n  parentRefs: [{group: \"\", kind: Service, name: api, namespace: shop}]\n  rules:")
    #expect(consumer != base)
    #expect(Self.codes(consumer).isEmpty)
  }

  @Test func gatewaysAreLookedUpByNamespace() {
    let gateway = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: public, namespace: edge}
      spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}

      """
    func vs(_ gateways: String) -> String {
      "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: shop}\nspec: {hosts: [web.example.com], gateways: \(gateways), http: [{route: [{destination: {host: web}}]}]}\n"
    }
    #expect(Self.codes(gateway + vs("[edge/public, mesh]")).isEmpty)
    #expect(Self.codes(gateway + vs("[public]")) == ["MC2008"])
    #expect(Self.codes(gateway + vs("[edge/private]")) == ["MC2008"])
    // A Gateway of a namespace the input does not hold, and no namespace-less name like it: partial input.
    #expect(Self.codes(gateway + vs("[istio-system/ingress]")).isEmpty)
    #expect(Self.codes(vs("[public]")).isEmpty)
  }

  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: web:1}]}

    """

  @Test func serviceSelectorsAreCheckedWhereWorkloadsAre() {
    func service(namespace: String, selector: String) -> String {
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: \(namespace)}\nspec: {selector: \(selector), ports: [{name: http, port: 80}]}\n"
    }
    #expect(Self.codes(Self.deployment + service(namespace: "shop", selector: "{app: web}")).isEmpty)
    #expect(Self.codes(Self.deployment + service(namespace: "shop", selector: "{app: api}")) == ["MC2010"])
    // The apex Service of an SMI TrafficSplit.
    let split = "---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: {name: web, namespace: shop}\nspec: {service: web, backends: [{service: web-v1, weight: 100}]}\n"
    #expect(Self.codes(Self.deployment + service(namespace: "shop", selector: "{app: api}") + split).isEmpty)
    // No workload of that namespace in the input.
    #expect(Self.codes(Self.deployment + service(namespace: "pay", selector: "{app: api}")).isEmpty)
    // The matching workload of another namespace does not count.
    #expect(Self.codes(Self.deployment + service(namespace: "pay", selector: "{app: web}") + "---\n" + Self.deployment.replacingOccurrences(of: "{name: web, namespace: shop}", with: "{name: other, namespace: pay}").replacingOccurrences(of: "app: web", with: "app: other")) == ["MC2010"])
  }

  static let job = """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: shop}
    spec:
      template:
        metadata: {labels: {app: migrate}}
        spec:
          restartPolicy: Never
          containers: [{name: migrate, image: migrate:1}]

    """
  static let injectedNamespace = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n"

  func jobCodes(_ text: String, config: MeshConfig?) -> [Diagnostic] {
    let (documents, _) = ManifestReader().parse(text, file: "job.yaml")
    var results: [[Diagnostic]] = []
    for budget in [Int.max, 0] {
      var analysis = CrossDocumentAnalysis(memoryBudget: budget, meshConfig: config)
      for document in documents { analysis.add(document) }
      results.append(analysis.findings())
    }
    #expect(results[0] == results[1])
    return results[0]
  }

  @Test func jobsWithWebhookSidecarsAreReportedWhenTheConfigSaysClassic() {
    var classic = MeshConfig(nativeSidecar: .disabled)
    let findings = jobCodes(Self.job + Self.injectedNamespace, config: classic)
    #expect(findings.map(\.code) == ["MC4002"])
    #expect(findings.first?.path == "spec.template.spec")
    #expect(findings.first?.mark == SourceMark(line: 8, column: 7))
    #expect(findings.first?.message.contains("namespace label istio-injection is \"enabled\"") == true)
    // No MeshConfig: the cluster's injector decides.
    #expect(jobCodes(Self.job + Self.injectedNamespace, config: nil).isEmpty)
    // No injection asked for.
    #expect(jobCodes(Self.job, config: classic).isEmpty)
    // auto: classic only before Kubernetes 1.29, unknown when the version is not given.
    var auto = MeshConfig(nativeSidecar: .auto)
    #expect(jobCodes(Self.job + Self.injectedNamespace, config: auto).isEmpty)
    auto.kubernetesVersion = "1.28"
    #expect(jobCodes(Self.job + Self.injectedNamespace, config: auto).map(\.code) == ["MC4002"])
    auto.kubernetesVersion = "1.30"
    #expect(jobCodes(Self.job + Self.injectedNamespace, config: auto).isEmpty)
    // The pod's own native-sidecar annotation wins.
    let native = Self.job.replacingOccurrences(
      of: "metadata: {labels: {app: migrate}}",
      with: "metadata: {labels: {app: migrate}, annotations: {sidecar.istio.io/nativeSidecar: \"true\"}}")
    #expect(jobCodes(native + Self.injectedNamespace, config: classic).isEmpty)
    // Linkerd: its own annotation.
    classic.provider = .linkerd
    let linkerd = Self.job.replacingOccurrences(
      of: "metadata: {labels: {app: migrate}}", with: "metadata: {labels: {app: migrate}, annotations: {linkerd.io/inject: enabled}}")
    #expect(jobCodes(linkerd, config: classic).map(\.code) == ["MC4002"])
    #expect(jobCodes(Self.job + Self.injectedNamespace, config: classic).isEmpty)
  }

  @Test func portProtocolsAreCheckedOnlyForMeshedWorkloads() {
    let service = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{name: web, port: 3306}]}\n"
    // Not meshed: nothing.
    #expect(Self.codes(Self.deployment + service).isEmpty)
    #expect(Self.codes(Self.deployment + service + Self.injectedNamespace) == ["MC4004"])
    #expect(Self.codes(Self.deployment + service.replacingOccurrences(of: "port: 3306", with: "port: 80") + Self.injectedNamespace) == ["MC4003"])
    #expect(Self.codes(Self.deployment + service.replacingOccurrences(of: "name: web, port", with: "name: grpc-web, port") + Self.injectedNamespace).isEmpty)
    #expect(Self.codes(Self.deployment + service.replacingOccurrences(of: "name: web, port", with: "name: web, appProtocol: http, port") + Self.injectedNamespace).isEmpty)
    // Linkerd: a MySQL port outside the default opaque ports, until annotated.
    let linkerd = Self.deployment.replacingOccurrences(
      of: "metadata: {labels: {app: web}}", with: "metadata: {labels: {app: web}, annotations: {linkerd.io/inject: enabled}}")
    let mysql = service.replacingOccurrences(of: "name: web, port: 3306", with: "name: mysql-main, port: 3307")
    #expect(Self.codes(linkerd + mysql) == ["MC4005"])
    #expect(Self.codes(linkerd + service.replacingOccurrences(of: "name: web", with: "name: mysql")).isEmpty)
    let annotated = linkerd.replacingOccurrences(
      of: "linkerd.io/inject: enabled}", with: "linkerd.io/inject: enabled, config.linkerd.io/opaque-ports: \"3300-3310\"}")
    #expect(Self.codes(annotated + mysql).isEmpty)
  }

  static func serviceEntry(namespace: String, hosts: String, exportTo: String? = nil) -> String {
    """
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: entry, namespace: \(namespace)}
    spec:
      hosts: \(hosts)
    \(exportTo.map { "  exportTo: \($0)\n" } ?? "")  ports: [{number: 80, name: http, protocol: HTTP}]

    """
  }

  static func routeTo(_ host: String, namespace: String = "shop", field: String = "route") -> String {
    let destination = field == "route" ? "route:\n    - destination: {host: \(host)}" : field == "mirror"
      ? "route:\n    - destination: {host: web}\n    mirror: {host: \(host)}"
      : "route:\n    - destination: {host: web}\n    mirrors:\n    - destination: {host: \(host)}"
    return """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: route, namespace: \(namespace)}
      spec:
        hosts: [web]
        http:
        - \(destination)

      """
  }

  @Test func serviceEntryHostsAreKnownDestinations() {
    let web = Self.service("web", namespace: "shop")
    #expect(Self.codes(web + Self.routeTo("legacy")) == ["MC2006"])
    // Short, cluster-form and wildcard hosts; a short host is the ServiceEntry's namespace.
    #expect(Self.codes(web + Self.serviceEntry(namespace: "shop", hosts: "[legacy]") + Self.routeTo("legacy")).isEmpty)
    #expect(Self.codes(web + Self.serviceEntry(namespace: "other", hosts: "[legacy]") + Self.routeTo("legacy")) == ["MC2006"])
    #expect(
      Self.codes(web + Self.serviceEntry(namespace: "other", hosts: "[legacy.shop.svc.cluster.local]") + Self.routeTo("legacy"))
        .isEmpty)
    #expect(Self.codes(web + Self.serviceEntry(namespace: "other", hosts: "[\"*.shop.svc.cluster.local\"]") + Self.routeTo("legacy")).isEmpty)
    #expect(
      Self.codes(web + Self.serviceEntry(namespace: "other", hosts: "[\"*.pay.svc.cluster.local\"]") + Self.routeTo("legacy"))
        == ["MC2006"])
    // exportTo hides a ServiceEntry from other namespaces.
    let hidden = Self.serviceEntry(namespace: "other", hosts: "[legacy.shop.svc.cluster.local]", exportTo: "[\".\"]")
    #expect(Self.codes(web + hidden + Self.routeTo("legacy")) == ["MC2006"])
    let exported = Self.serviceEntry(namespace: "other", hosts: "[legacy.shop.svc.cluster.local]", exportTo: "[shop]")
    #expect(Self.codes(web + exported + Self.routeTo("legacy")).isEmpty)
    // Mirrors too.
    #expect(Self.codes(web + Self.routeTo("legacy", field: "mirror")) == ["MC2006"])
    #expect(Self.codes(web + Self.routeTo("legacy", field: "mirrors")) == ["MC2006"])
    #expect(Self.codes(web + Self.serviceEntry(namespace: "shop", hosts: "[legacy]") + Self.routeTo("legacy", field: "mirrors")).isEmpty)
    // A Gateway API backendRef names a Service, never a ServiceEntry's host.
    #expect(Self.codes(web + Self.serviceEntry(namespace: "shop", hosts: "[legacy]") + Self.httpRoute(namespace: "shop", backend: "legacy")) == ["MC2006"])
    // Mirrors of another namespace's Services only: partial input, nothing said.
    #expect(Self.codes(Self.service("web", namespace: "other") + Self.routeTo("legacy", field: "mirror")).isEmpty)
  }

  @Test func mirrorFindingsSayMirror() {
    let findings = analyze(Self.service("web", namespace: "shop") + Self.routeTo("shadow", field: "mirror"))
    #expect(findings.map(\.message) == ["VirtualService mirrors traffic to Service `shadow`, which is not in the input (namespace shop)"])
    #expect(findings.first?.hint == "add the Service (or a ServiceEntry for the host), or check the name and namespace")
    // A Gateway API backendRef can only name a Service.
    let backend = analyze(Self.service("web", namespace: "shop") + Self.httpRoute(namespace: "shop", backend: "api"))
    #expect(backend.first?.hint == "add the Service, or check the name and namespace")
  }

  static func delegate(_ name: String, namespace: String, hosts: String? = nil, exportTo: String? = nil) -> String {
    """
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name), namespace: \(namespace)}
    spec:
    \(hosts.map { "  hosts: \($0)\n" } ?? "")\(exportTo.map { "  exportTo: \($0)\n" } ?? "")  http:
      - route:
        - destination: {host: \(name)}

    """
  }

  static func root(delegate: String, namespace: String? = nil) -> String {
    """
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: root, namespace: shop}
    spec:
      hosts: [shop.example.com]
      http:
      - match: [{uri: {prefix: /}}]
        delegate: {name: \(delegate)\(namespace.map { ", namespace: \($0)" } ?? "")}

    """
  }

  @Test func delegatesAreLookedUpByNameAndNamespace() {
    #expect(Self.codes(Self.root(delegate: "reviews") + Self.delegate("reviews", namespace: "shop")).isEmpty)
    #expect(Self.codes(Self.root(delegate: "review") + Self.delegate("reviews", namespace: "shop")) == ["MC2011"])
    // The delegate's namespace defaults to the root's.
    #expect(Self.codes(Self.root(delegate: "reviews") + Self.delegate("reviews", namespace: "books")).isEmpty)
    #expect(Self.codes(Self.root(delegate: "reviews") + Self.delegate("ratings", namespace: "shop") + Self.delegate("reviews", namespace: "books")) == ["MC2011"])
    #expect(Self.codes(Self.root(delegate: "reviews", namespace: "books") + Self.delegate("reviews", namespace: "books")).isEmpty)
    // No delegate in that namespace in the input: the root is reviewed on its own.
    #expect(Self.codes(Self.root(delegate: "reviews")).isEmpty)
    #expect(Self.codes(Self.root(delegate: "reviews", namespace: "books") + Self.delegate("other", namespace: "shop")).isEmpty)
    // A VirtualService with hosts is no delegate.
    #expect(Self.codes(Self.root(delegate: "reviews") + Self.delegate("reviews", namespace: "shop", hosts: "[reviews]")) == ["MC2012"])
    // exportTo: visible from the root's namespace, or not.
    for (exportTo, visible) in [("[\".\"]", false), ("[shop]", true), ("[\"*\"]", true), ("[other]", false)] {
      let text = Self.root(delegate: "reviews", namespace: "books") + Self.delegate("reviews", namespace: "books", exportTo: exportTo)
      #expect(Self.codes(text) == (visible ? [] : ["MC2012"]), "exportTo \(exportTo)")
    }
    let hidden = analyze(Self.root(delegate: "reviews", namespace: "books") + Self.delegate("reviews", namespace: "books", exportTo: "[\".\"]"))
    #expect(hidden.first?.message == "delegate VirtualService `reviews` is not exported to namespace shop, the root's: Istio ignores this route")
  }

  @Test func jobSidecarsFallBackToTheKubernetesVersionValidateChecks() {
    func codes(config: MeshConfig?, kubernetesVersion: String?, _ text: String = Self.job + Self.injectedNamespace) -> [String] {
      let (documents, _) = ManifestReader().parse(text, file: "job.yaml")
      var analysis = CrossDocumentAnalysis(meshConfig: config, kubernetesVersion: kubernetesVersion)
      for document in documents { analysis.add(document) }
      return analysis.findings().map(\.code)
    }
    let auto = MeshConfig(nativeSidecar: .auto)
    // auto without a version in the MeshConfig: the release validate checks against decides.
    #expect(codes(config: auto, kubernetesVersion: "1.28") == ["MC4002"])
    #expect(codes(config: auto, kubernetesVersion: "1.29").isEmpty)
    #expect(codes(config: auto, kubernetesVersion: "1.33").isEmpty)
    // The MeshConfig's own version wins over the fallback.
    var pinned = auto
    pinned.kubernetesVersion = "1.30"
    #expect(codes(config: pinned, kubernetesVersion: "1.28").isEmpty)
    pinned.kubernetesVersion = "1.27"
    #expect(codes(config: pinned, kubernetesVersion: "1.37") == ["MC4002"])
    // Without a MeshConfig: only a release without native sidecars says classic.
    #expect(codes(config: nil, kubernetesVersion: "1.28") == ["MC4002"])
    #expect(codes(config: nil, kubernetesVersion: "1.29").isEmpty)
    #expect(codes(config: nil, kubernetesVersion: nil).isEmpty)
    // nativeSidecar: true is native whatever the release; the pod's annotation wins over all.
    #expect(codes(config: MeshConfig(nativeSidecar: .enabled), kubernetesVersion: "1.28").isEmpty)
    let native = Self.job.replacingOccurrences(
      of: "metadata: {labels: {app: migrate}}",
      with: "metadata: {labels: {app: migrate}, annotations: {sidecar.istio.io/nativeSidecar: \"true\"}}")
    #expect(codes(config: nil, kubernetesVersion: "1.28", native + Self.injectedNamespace).isEmpty)
    // A job nobody injects is never reported.
    #expect(codes(config: nil, kubernetesVersion: "1.28", Self.job).isEmpty)
  }

  /// `validate` hands its `--kubernetes-version` to the analysis: every release meshctl carries
  /// has native sidecars, so `auto` without a version of its own is native there; a MeshConfig
  /// version still wins.
  @Test func validationSessionFallsBackToItsKubernetesVersion() throws {
    func codes(_ version: String, config: MeshConfig) throws -> [String] {
      let catalog = try #require(SchemaCatalog(kubernetesVersion: version))
      var session = ValidationSession(catalog: catalog, retainsSourceLines: true, meshConfig: config)
      let (documents, _) = ManifestReader().parse(Self.job + Self.injectedNamespace, file: "job.yaml")
      for document in documents { session.add(document) }
      session.finishInput("job.yaml", readerFindings: [])
      return session.finish { _, _ in [:] }.findings.map(\.diagnostic.code).filter { $0 == "MC4002" }
    }
    #expect(SchemaCatalog.kubernetesVersions.allSatisfy { (MeshConfig.minorVersion(of: $0) ?? 0) >= 29 })
    var pinned = MeshConfig(nativeSidecar: .auto)
    for version in SchemaCatalog.kubernetesVersions {
      #expect(try codes(version, config: MeshConfig(nativeSidecar: .auto)).isEmpty, "\(version)")
      pinned.kubernetesVersion = "1.28"
      #expect(try codes(version, config: pinned) == ["MC4002"], "\(version)")
    }
  }

  @Test func opaquePortsParse() {
    #expect(CrossDocumentAnalysis.opaquePorts("25, 3306,4000-4010,x,9-1") == [25...25, 3306...3306, 4000...4010])
    #expect(CrossDocumentAnalysis.opaquePorts(nil).isEmpty)
  }
}
