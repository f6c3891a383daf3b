import Manifest

/// The findings that need more than one document (MC2xxx references, MC3xxx mTLS safety,
/// MC4xxx injection). Keeps small summaries, not documents, so memory stays flat.
///
/// Namespaces: an object without `metadata.namespace` lands in whatever namespace the command
/// runs in, so for *references* it matches an object of any namespace (no false alarms for
/// `kubectl apply -n shop -f app.yaml`); for *duplicates* only equal namespaces (both unset
/// counts as equal) conflict. A missing Service or workload is only reported when the input holds
/// at least one Service (workload) that could be in the same namespace: input without any is a
/// policy reviewed on its own, whose targets live in the cluster.
public struct CrossDocumentAnalysis: Sendable {
  /// Where an object is, for findings that point at it.
  struct Site: Sendable {
    var file: String
    var mark: SourceMark
    var path: String?
    var object: String
    var sourceLine: String?
  }

  struct ServiceSummary: Sendable {
    var namespace: String?
    var name: String
  }

  enum SidecarIntent: Sendable { case present, optedIn, optedOut, unspecified }

  struct WorkloadSummary: Sendable {
    var namespace: String?
    var reference: String
    var labels: [String: String]
    var sidecar: SidecarIntent
  }

  struct BackendSummary: Sendable {
    var name: String
    var selector: [String: String]?
    var service: String?
    var site: Site
  }

  struct TrafficSplitSummary: Sendable {
    var namespace: String?
    var reference: String
    var service: String
    var site: Site
    var backends: [BackendSummary]
  }

  struct MTLSPolicySummary: Sendable {
    var namespace: String?
    var reference: String
    var mode: String
    var matchLabels: [String: String]?
    var site: Site
  }

  private var services: [ServiceSummary] = []
  private var workloads: [WorkloadSummary] = []
  private var injectedNamespaces: Set<String> = []
  private var trafficSplits: [TrafficSplitSummary] = []
  private var mtlsPolicies: [MTLSPolicySummary] = []
  private var immediate: [Diagnostic] = []

  /// Creates an empty analysis.
  public init() {}

  /// Records what the analysis needs from a document.
  public mutating func add(_ document: Document) {
    for object in document.objects where object.node.mapping != nil {
      add(object)
    }
  }

  private mutating func add(_ object: ManifestObject) {
    guard let kind = object.kind, let apiVersion = object.apiVersion else { return }
    let isMeshctl = apiVersion == SchemaRegistry.meshctlAPIVersion
    switch kind {
    case "Service" where apiVersion == "v1":
      if let name = object.name { services.append(ServiceSummary(namespace: object.namespace, name: name)) }
    case "Namespace" where apiVersion == "v1":
      if let name = object.name, Self.namespaceInjects(object.node) { injectedNamespaces.insert(name) }
    case "TrafficSplit" where isMeshctl:
      if let summary = Self.trafficSplit(object) { trafficSplits.append(summary) }
    case "MTLSPolicy" where isMeshctl:
      if let summary = Self.mtlsPolicy(object) { mtlsPolicies.append(summary) }
    default:
      if let podSpecPath = SchemaRegistry.podSpecPath(kind: kind) { addWorkload(object, podSpecPath: podSpecPath) }
    }
  }

  /// The findings over everything added.
  public func findings() -> [Diagnostic] {
    immediate + duplicateTrafficSplits() + missingServices() + unmatchedSelectors() + duplicateNamespacePolicies()
      + strictWithoutSidecars()
  }

  // MARK: - Summaries

  private static func site(_ object: ManifestObject, _ keys: [String]) -> Site {
    var node = object.node
    var components: [PathComponent] = []
    for key in keys {
      guard let child = node[key] else { break }
      node = child
      components.append(.key(key))
    }
    let path = JSONPath.render(components, prefix: object.path)
    return Site(
      file: object.document.file, mark: node.mark, path: path.isEmpty ? nil : path, object: object.reference,
      sourceLine: object.document.sourceLine(node.mark.line))
  }

  private static func stringMap(_ node: Node?) -> [String: String]? {
    guard let entries = node?.mapping else { return nil }
    var map: [String: String] = [:]
    for entry in entries { map[entry.key] = entry.value.scalar?.text ?? "" }
    return map
  }

  private static func trafficSplit(_ object: ManifestObject) -> TrafficSplitSummary? {
    guard let spec = object.node["spec"], let service = spec["service"]?.string else { return nil }
    var backends: [BackendSummary] = []
    for (index, backend) in (spec["backends"]?.sequence ?? []).enumerated() {
      guard let name = backend["name"]?.string else { continue }
      let field = backend["selector"] != nil ? "selector" : "service"
      var site = site(object, ["spec", "backends"])
      if let node = backend[field] {
        site.mark = node.mark
        site.path = JSONPath.render([.key("spec"), .key("backends"), .index(index), .key(field)], prefix: object.path)
        site.sourceLine = object.document.sourceLine(node.mark.line)
      }
      backends.append(
        BackendSummary(name: name, selector: stringMap(backend["selector"]), service: backend["service"]?.string, site: site))
    }
    return TrafficSplitSummary(
      namespace: object.namespace, reference: object.reference, service: service,
      site: site(object, ["spec", "service"]), backends: backends)
  }

  private static func mtlsPolicy(_ object: ManifestObject) -> MTLSPolicySummary? {
    guard let spec = object.node["spec"], let mode = spec["mode"]?.string else { return nil }
    let selector = spec["selector"]
    let matchLabels = selector.map { stringMap($0["matchLabels"]) ?? [:] }
    return MTLSPolicySummary(
      namespace: object.namespace, reference: object.reference, mode: mode, matchLabels: matchLabels,
      site: site(object, ["spec", "mode"]))
  }

  private mutating func addWorkload(_ object: ManifestObject, podSpecPath: [String]) {
    var podSpec: Node? = object.node
    for key in podSpecPath { podSpec = podSpec?[key] }
    // The template's metadata sits next to its spec.
    var metadataHolder: Node? = object.node
    for key in podSpecPath.dropLast() { metadataHolder = metadataHolder?[key] }
    let metadata = metadataHolder?["metadata"]
    let labels = Self.stringMap(metadata?["labels"]) ?? [:]
    let annotations = Self.stringMap(metadata?["annotations"]) ?? [:]
    workloads.append(
      WorkloadSummary(
        namespace: object.namespace, reference: object.reference, labels: labels,
        sidecar: Self.sidecarIntent(podSpec: podSpec, labels: labels, annotations: annotations)))
    if let hostNetwork = podSpec?["hostNetwork"], hostNetwork.bool == true {
      let site = Self.site(object, podSpecPath + ["hostNetwork"])
      immediate.append(
        diagnostic(
          .info, RuleCode.hostNetwork, "\(object.reference) uses hostNetwork: the sidecar will not be injected",
          site, hint: "a pod on the node's network cannot have its traffic redirected; run it outside the mesh"))
    }
  }

  /// Names of sidecar containers the providers inject.
  static let sidecarContainers: Set<String> = ["istio-proxy", "linkerd-proxy"]

  private static func sidecarIntent(podSpec: Node?, labels: [String: String], annotations: [String: String])
    -> SidecarIntent
  {
    let containers = (podSpec?["containers"]?.sequence ?? []) + (podSpec?["initContainers"]?.sequence ?? [])
    if containers.contains(where: { sidecarContainers.contains($0["name"]?.string ?? "") }) { return .present }
    // Istio: the label wins over the annotation.
    let istio = labels["sidecar.istio.io/inject"] ?? annotations["sidecar.istio.io/inject"]
    if istio == "false" { return .optedOut }
    if istio == "true" || labels["istio.io/rev"] != nil { return .optedIn }
    switch annotations["linkerd.io/inject"] {
    case "enabled", "ingress": return .optedIn
    case "disabled": return .optedOut
    default: return .unspecified
    }
  }

  private static func namespaceInjects(_ node: Node) -> Bool {
    let labels = stringMap(node[path: "metadata", "labels"]) ?? [:]
    let annotations = stringMap(node[path: "metadata", "annotations"]) ?? [:]
    return labels["istio-injection"] == "enabled" || labels["istio.io/rev"] != nil
      || annotations["linkerd.io/inject"] == "enabled"
  }

  // MARK: - Findings

  private func diagnostic(
    _ severity: Diagnostic.Severity, _ code: String, _ message: String, _ site: Site, hint: String? = nil
  ) -> Diagnostic {
    var diagnostic = Diagnostic(
      severity: severity, code: code, message: message, file: site.file, mark: site.mark, path: site.path,
      object: site.object, hint: hint)
    diagnostic.sourceLine = site.sourceLine
    return diagnostic
  }

  /// Whether two namespaces can be the same at apply time (unset matches anything).
  private static func compatible(_ a: String?, _ b: String?) -> Bool { a == nil || b == nil || a == b }

  private static func location(_ site: Site) -> String { "\(site.file):\(site.mark.line)" }

  private func duplicateTrafficSplits() -> [Diagnostic] {
    var first: [String: TrafficSplitSummary] = [:]
    var findings: [Diagnostic] = []
    for split in trafficSplits {
      let key = (split.namespace ?? "") + "/" + split.service
      if let earlier = first[key] {
        findings.append(
          diagnostic(
            .error, RuleCode.duplicateTrafficSplit,
            "Service `\(split.service)` is already routed by \(earlier.reference) (\(Self.location(earlier.site)))",
            split.site, hint: "merge the two into one TrafficSplit: the mesh would apply only one of them"))
      } else {
        first[key] = split
      }
    }
    return findings
  }

  private func missingServices() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    for split in trafficSplits {
      let candidates = services.filter { Self.compatible($0.namespace, split.namespace) }
      guard !candidates.isEmpty else { continue }
      let names = Set(candidates.map(\.name))
      if !names.contains(split.service) {
        findings.append(
          diagnostic(
            .warning, RuleCode.serviceNotFound,
            "Service `\(split.service)` is not in the input\(split.namespace.map { " (namespace \($0))" } ?? "")",
            split.site, hint: Suggestions.didYouMean(split.service, among: names) ?? "add the Service, or check the name"))
      }
      for backend in split.backends {
        guard let service = backend.service, !names.contains(service) else { continue }
        findings.append(
          diagnostic(
            .warning, RuleCode.backendServiceNotFound,
            "backend `\(backend.name)` routes to Service `\(service)`, which is not in the input", backend.site,
            hint: Suggestions.didYouMean(service, among: names) ?? "add the Service, or check the name"))
      }
    }
    return findings
  }

  private func unmatchedSelectors() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    for split in trafficSplits {
      let candidates = workloads.filter { Self.compatible($0.namespace, split.namespace) }
      guard !candidates.isEmpty else { continue }
      for backend in split.backends {
        guard let selector = backend.selector, !selector.isEmpty else { continue }
        let matched = candidates.contains { workload in selector.allSatisfy { workload.labels[$0.key] == $0.value } }
        if !matched {
          let labels = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
          findings.append(
            diagnostic(
              .warning, RuleCode.selectorMatchesNothing,
              "backend `\(backend.name)` selects \(labels), which no pod template in the input carries", backend.site,
              hint: "check the labels against the workloads' spec.template.metadata.labels"))
        }
      }
    }
    return findings
  }

  private func duplicateNamespacePolicies() -> [Diagnostic] {
    var first: [String: MTLSPolicySummary] = [:]
    var findings: [Diagnostic] = []
    for policy in mtlsPolicies where policy.matchLabels == nil {
      let key = policy.namespace ?? ""
      if let earlier = first[key] {
        findings.append(
          diagnostic(
            .error, RuleCode.duplicateNamespacePolicy,
            "namespace \(policy.namespace ?? "(unset)") already has a namespace-wide MTLSPolicy: \(earlier.reference) (\(Self.location(earlier.site)))",
            policy.site, hint: "keep one namespace-wide policy; use `selector` for workload-specific modes"))
      } else {
        first[key] = policy
      }
    }
    return findings
  }

  private func hasSidecar(_ workload: WorkloadSummary) -> Bool {
    switch workload.sidecar {
    case .present, .optedIn: return true
    case .optedOut: return false
    case .unspecified: return workload.namespace.map(injectedNamespaces.contains) ?? false
    }
  }

  private func strictWithoutSidecars() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    for policy in mtlsPolicies where policy.mode == "STRICT" {
      let inScope = workloads.filter { workload in
        Self.compatible(workload.namespace, policy.namespace)
          && (policy.matchLabels ?? [:]).allSatisfy { workload.labels[$0.key] == $0.value }
      }
      let bare = inScope.filter { !hasSidecar($0) }
      guard !bare.isEmpty else { continue }
      let names = bare.prefix(3).map(\.reference).joined(separator: ", ")
      let more = bare.count > 3 ? " and \(bare.count - 3) more" : ""
      findings.append(
        diagnostic(
          .warning, RuleCode.strictWithoutSidecar,
          "STRICT mTLS covers workloads without a sidecar: \(names)\(more); they cannot speak mTLS, so traffic between them and meshed pods will fail",
          policy.site, hint: "inject them first (`meshctl inject`), or use PERMISSIVE until they are"))
    }
    return findings
  }
}
