import Foundation
import Injection
import Manifest
import TestSupport
import Testing

/// The peers' own injection goldens (`../shared/corpus/peer-inject/`) as an oracle: meshctl's
/// output must have the same structure as the peer's expected output, workload by workload.
/// Every difference must be explained in `explained` (most come from the peers' goldens being
/// from other upstream versions); an unexplained one fails. The comparison table is written to
/// `$TMPDIR/meshctl-peer-oracle.md` for the record.
@Suite(.enabled(if: PeerCorpus.exists, "needs ../shared/corpus")) struct PeerOracleTests {
  @Test func structureMatchesThePeers() throws {
    var table = ["| pair | workload | result |", "|---|---|---|"]
    var unexplained: [String] = []
    for pair in PeerCorpus.pairs() {
      let comparisons = try compare(pair)
      for comparison in comparisons {
        let differences = comparison.differences.map { difference -> String in
          let key = "\(pair.name)/\(difference.aspect)"
          guard let reason = Self.explained[key] ?? Self.explained["*/\(difference.aspect)"] else {
            unexplained.append("\(key): \(difference.detail)")
            return "**\(difference.aspect): \(difference.detail)**"
          }
          return "\(difference.aspect) differs (\(reason))"
        }
        table.append("| \(pair.name) | \(comparison.workload) | \(differences.isEmpty ? "match" : differences.joined(separator: "; ")) |")
      }
    }
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-peer-oracle.md")
    try table.joined(separator: "\n").write(to: report, atomically: true, encoding: .utf8)
    #expect(table.count > 30, "too few pairs compared")
    #expect(unexplained.isEmpty, "\(unexplained.joined(separator: "\n"))")
  }

  /// Differences that are understood, by `pair/aspect` or `*/aspect` for all pairs.
  static let explained: [String: String] = [
    // Istio's goldens come from several Istio versions (SOURCES.md); meshctl renders 1.2x.
    "*/istio-volumes": "meshctl renders Istio 1.2x's eight volumes (workload-socket, credential-socket, workload-certs, istio-data); older goldens have four to six",
    "*/istio-status": "Istio 1.2x adds \"revision\" to the status; older goldens have \"version\" or no revision",
    "*/istio-env": "env of another Istio version (JWT_POLICY, SECRET_TTL, ISTIO_META_POD_NAME were dropped in 1.2x)",
    "*/istio-sidecar-ports": "same ports",
    // Linkerd's goldens carry values of linkerd's own test configuration.
    "*/linkerd-annotations": "linkerd.io/trust-root-sha256 needs the trust root's digest, which meshctl does not compute offline; linkerd.io/created-by names meshctl",
    "*/linkerd-env": "env of another Linkerd release",
    // Per pair.
    "istio/cronjob.yaml/labels": "this golden's Istio version labelled the job template, not the pod template",
    "istio/hello-ignore.yaml/refusal": "the input now sets sidecar.istio.io/inject: \"false\" as a label, which meshctl honours; the stored golden is from a version where it was an annotation the injector ignored (SOURCES.md)",
    "istio/hello-mtls-not-ready.yaml/labels": "input and golden come from different commits: the golden's input had no security.istio.io/mtlsReady label",
    "istio/gateway.yaml/refusal": "inject.istio.io/templates: gateway is Istio's gateway template; meshctl renders only the sidecar template and skips it with that reason",
    "istio/grpc-simple.yaml/initContainers": "inject.istio.io/templates: grpc-simple (proxyless gRPC) is not rendered offline; meshctl skips it with that reason",
    "linkerd/inject_emojivoto_cronjob/refusal": "Linkerd's CLI only annotates CronJobs for its webhook; meshctl renders the sidecar in the job's pod template, as it does for every workload kind (use --native-sidecar so the jobs finish)",
    "linkerd/inject_emojivoto_cronjob_nometa/refusal": "as inject_emojivoto_cronjob",
  ]

  struct Difference {
    var aspect: String
    var detail: String
  }

  struct Comparison {
    var workload: String
    var differences: [Difference]
  }

  /// Injects the pair's input with settings taken from the peer's output and compares each workload.
  func compare(_ pair: PeerCorpus.Pair) throws -> [Comparison] {
    let expected = ManifestReader().parse(try String(contentsOf: pair.expected, encoding: .utf8)).documents
    let inputDocuments = ManifestReader().parse(try String(contentsOf: pair.input, encoding: .utf8)).documents
    let expectedWorkloads = expected.flatMap(Self.workloads)
    let settings = Self.settings(for: pair.provider, from: expectedWorkloads)
    let injector = Injector(options: InjectionOptions(settings: settings))
    var ours: [(name: String, template: Node, skipped: Bool)] = []
    for document in inputDocuments {
      let result = try injector.inject(document)
      let injected = Document(root: result.root ?? document.root, file: document.file, index: document.index)
      for workload in Self.workloads(injected) {
        let outcome = result.outcomes.first { $0.object.hasSuffix("/" + workload.name) }
        ours.append((workload.name, workload.template, outcome?.status == .skipped))
      }
    }
    if expectedWorkloads.isEmpty {
      // An empty golden: the peer refused to inject (hostNetwork, another mesh); so must meshctl.
      let injected = ours.filter { !$0.skipped }.map(\.name)
      return [Comparison(workload: "(refused)", differences: injected.isEmpty ? [] : [Difference(aspect: "refusal", detail: "meshctl injected \(injected)")])]
    }
    return expectedWorkloads.map { theirs in
      guard let mine = ours.first(where: { $0.name == theirs.name }) else {
        return Comparison(workload: theirs.name, differences: [Difference(aspect: "missing", detail: "no such workload in meshctl's output")])
      }
      let theyInjected = Self.sidecar(theirs.template, pair.provider) != nil
      if theyInjected == mine.skipped || (!theyInjected && Self.sidecar(mine.template, pair.provider) != nil) {
        let detail = theyInjected ? "peer injected, meshctl skipped" : "peer did not inject, meshctl did"
        return Comparison(workload: theirs.name, differences: [Difference(aspect: "refusal", detail: detail)])
      }
      return Comparison(workload: theirs.name, differences: Self.differences(mine.template, theirs.template, provider: pair.provider))
    }
  }

  /// What to compare, per provider.
  static func differences(_ mine: Node, _ theirs: Node, provider: MeshProvider) -> [Difference] {
    var found: [Difference] = []
    func check(_ aspect: String, _ a: some Equatable & CustomStringConvertible, _ b: some Equatable & CustomStringConvertible) {
      if "\(a)" != "\(b)" { found.append(Difference(aspect: aspect, detail: "meshctl \(a), peer \(b)")) }
    }
    let p = provider.rawValue
    check("containers", names(mine, "containers"), names(theirs, "containers"))
    check("initContainers", names(mine, "initContainers"), names(theirs, "initContainers"))
    check("\(p)-volumes", names(mine, "volumes").sorted(), names(theirs, "volumes").sorted())
    let mySidecar = sidecar(mine, provider), theirSidecar = sidecar(theirs, provider)
    check("\(p)-sidecar-ports", ports(mySidecar), ports(theirSidecar))
    let keyEnv = provider == .istio ? istioKeyEnv : linkerdKeyEnv
    let theirEnv = Set(envNames(theirSidecar)).intersection(keyEnv)
    check("\(p)-env", Set(envNames(mySidecar)).intersection(keyEnv).sorted(), theirEnv.sorted())
    check("securityContext", securityShape(mySidecar), securityShape(theirSidecar))
    check("restartPolicy", mySidecar?["restartPolicy"]?.string ?? "-", theirSidecar?["restartPolicy"]?.string ?? "-")
    switch provider {
    case .istio:
      check("istio-status", statusKeys(mine), statusKeys(theirs))
      check("labels", providerKeys(mine, "labels", "security.istio.io/"), providerKeys(theirs, "labels", "security.istio.io/"))
    case .linkerd:
      check("linkerd-annotations", providerKeys(mine, "annotations", "linkerd.io/"), providerKeys(theirs, "annotations", "linkerd.io/"))
      check("labels", providerKeys(mine, "labels", "linkerd.io/"), providerKeys(theirs, "labels", "linkerd.io/"))
    }
    return found
  }

  static let istioKeyEnv: Set<String> = [
    "PILOT_CERT_PROVIDER", "CA_ADDR", "POD_NAME", "POD_NAMESPACE", "INSTANCE_IP", "SERVICE_ACCOUNT", "HOST_IP",
    "ISTIO_META_POD_PORTS", "ISTIO_META_CLUSTER_ID", "ISTIO_META_INTERCEPTION_MODE", "ISTIO_META_WORKLOAD_NAME",
    "ISTIO_META_OWNER", "ISTIO_META_MESH_ID", "ISTIO_KUBE_APP_PROBERS", "ISTIO_META_APP_CONTAINERS", "TRUST_DOMAIN",
  ]
  static let linkerdKeyEnv: Set<String> = [
    "_pod_name", "_pod_ns", "_pod_nodeName", "LINKERD2_PROXY_LOG", "LINKERD2_PROXY_DESTINATION_SVC_ADDR",
    "LINKERD2_PROXY_POLICY_SVC_ADDR", "LINKERD2_PROXY_POLICY_WORKLOAD", "LINKERD2_PROXY_INBOUND_PORTS",
    "LINKERD2_PROXY_CONTROL_LISTEN_ADDR", "LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR",
    "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "LINKERD2_PROXY_IDENTITY_DIR", "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS",
    "LINKERD2_PROXY_IDENTITY_LOCAL_NAME", "LINKERD2_PROXY_IDENTITY_SVC_NAME", "LINKERD2_PROXY_DESTINATION_SVC_NAME",
  ]

  static func names(_ template: Node, _ field: String) -> [String] {
    (template[path: "spec", field]?.sequence ?? []).compactMap { $0["name"]?.string }
  }

  static func sidecar(_ template: Node, _ provider: MeshProvider) -> Node? {
    let spec = template["spec"]
    return ((spec?["containers"]?.sequence ?? []) + (spec?["initContainers"]?.sequence ?? [])).first {
      $0["name"]?.string == provider.proxyContainerName
    }
  }

  static func ports(_ container: Node?) -> [Int] {
    (container?["ports"]?.sequence ?? []).compactMap { $0["containerPort"]?.int }
  }

  static func envNames(_ container: Node?) -> [String] {
    (container?["env"]?.sequence ?? []).compactMap { $0["name"]?.string }
  }

  static func securityShape(_ container: Node?) -> String {
    let context = container?["securityContext"]
    return ["runAsUser", "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation"].map {
      "\($0)=\(context?[$0]?.scalar?.text ?? "-")"
    }.joined(separator: ",")
  }

  static func statusKeys(_ template: Node) -> [String] {
    guard let text = template[path: "metadata", "annotations", "sidecar.istio.io/status"]?.string,
      let status = ManifestReader().parse(text).documents.first?.root
    else { return [] }
    return (status.mapping ?? []).map(\.key).sorted()
  }

  static func providerKeys(_ template: Node, _ field: String, _ prefix: String) -> [String] {
    (template[path: "metadata", field]?.mapping ?? []).map(\.key).filter { $0.hasPrefix(prefix) }.sorted()
  }

  /// Workloads of a document: name and pod template.
  static func workloads(_ document: Document) -> [(name: String, template: Node)] {
    document.objects.compactMap { object in
      guard let kind = object.kind, let path = PodTemplateLocator.templatePath(kind: kind, apiVersion: object.apiVersion),
        var template: Node? = object.node
      else { return nil }
      for key in path { template = template?[key] }
      return template.map { (object.name ?? "", $0) }
    }
  }

  /// The MeshConfig the comparison runs with: the peer's image, and the placement (native sidecar,
  /// CNI) its output shows, as an operator would configure meshctl for that cluster.
  static func settings(for provider: MeshProvider, from workloads: [(name: String, template: Node)]) -> SidecarSettings {
    var settings = SidecarSettings.defaults(for: provider)
    settings.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    guard let template = workloads.first(where: { sidecar($0.template, provider) != nil })?.template,
      let proxy = sidecar(template, provider)
    else { return settings }
    if let image = proxy["image"]?.string { settings.proxyImage = image }
    settings.nativeSidecar = proxy["restartPolicy"]?.string == "Always" ? .enabled : .disabled
    if !names(template, "initContainers").contains(provider.initContainerName) { settings.interception = .cni }
    return settings
  }
}

/// The peers' injection test data.
enum PeerCorpus {
  static let root = TestPaths.corpus.appendingPathComponent("peer-inject")
  static let exists = FileManager.default.fileExists(atPath: root.path)

  struct Pair {
    var name: String
    var provider: MeshProvider
    var input: URL
    var expected: URL
  }

  /// Istio's `X.yaml` + `X.yaml.injected` and Linkerd's `X.input.yml` + `X.golden.yml`.
  static func pairs() -> [Pair] {
    let manager = FileManager.default
    let istio = root.appendingPathComponent("istio"), linkerd = root.appendingPathComponent("linkerd")
    let istioPairs = ((try? manager.contentsOfDirectory(atPath: istio.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
      .compactMap { name -> Pair? in
        let expected = istio.appendingPathComponent(name + ".injected")
        guard manager.fileExists(atPath: expected.path) else { return nil }
        return Pair(name: "istio/" + name, provider: .istio, input: istio.appendingPathComponent(name), expected: expected)
      }
    let linkerdPairs = ((try? manager.contentsOfDirectory(atPath: linkerd.path)) ?? []).filter { $0.hasSuffix(".input.yml") }.sorted()
      .compactMap { name -> Pair? in
        let base = String(name.dropLast(".input.yml".count))
        let expected = linkerd.appendingPathComponent(base + ".golden.yml")
        guard manager.fileExists(atPath: expected.path) else { return nil }
        return Pair(name: "linkerd/" + base, provider: .linkerd, input: linkerd.appendingPathComponent(name), expected: expected)
      }
    return istioPairs + linkerdPairs
  }
}
