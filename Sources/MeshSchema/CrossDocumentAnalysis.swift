import Manifest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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

  /// An interned string's number; `none` stands for an absent one (no namespace, no name).
  typealias StringID = Int32

  /// A label `key=value` as a 64-bit fingerprint (Swift's seeded hash of both strings). Labels
  /// are only ever compared, never printed, so their text is not kept; two different labels
  /// share a fingerprint with a chance of 2^-64, and a crafted input cannot aim for it.
  typealias LabelPair = UInt64

  enum SidecarIntent: Sendable { case present, optedIn, optedOut, unspecified }

  /// A workload in a few numbers: everything the selector and mTLS checks need.
  struct WorkloadSummary: Sendable {
    var namespace: StringID
    var kind: StringID
    var name: StringID
    var sidecar: SidecarIntent
    /// Its pod template labels: a range of `workloadLabels`.
    var labels: Range<Int32>
  }

  /// Which field of a backend a finding points at.
  enum BackendField: UInt8, Sendable { case selector, service }

  struct BackendSummary: Sendable {
    var name: String
    /// Its selector's labels: a range of `selectorLabels`; nil without a selector.
    var selector: Range<Int32>?
    /// The selector as messages show it: `key=value` pairs by key, comma-separated.
    var selectorText: String
    var service: String?
    /// Where the backend's `selector` or `service` is, else the split's `spec.backends`.
    var mark: SourceMark
    /// `spec.backends[i].<field>`, kept as its parts (rendered only for a finding).
    var index: Int32
    var field: BackendField?
  }

  /// A TrafficSplit in the fields its findings need; its site is rebuilt for a finding.
  struct TrafficSplitSummary: Sendable {
    var namespace: StringID
    var reference: String
    var service: String
    var file: String
    /// Where `spec.service` is.
    var serviceMark: SourceMark
    /// The object's path in its document (`items[3]`), the prefix of the findings' paths.
    var objectPath: String
    /// Its backends: a range of `backends`.
    var backends: Range<Int32>
  }

  /// A place whose source line was kept (standard input only).
  struct LineKey: Hashable, Sendable {
    var file: String
    var line: Int
  }

  struct MTLSPolicySummary: Sendable {
    var namespace: StringID
    var reference: String
    var mode: String
    var matchLabels: [LabelPair]?
    var site: Site
  }

  /// A `(namespace, label)` some workload carries.
  struct NamespacedLabel: Hashable, Sendable {
    var namespace: StringID
    var label: LabelPair
  }

  /// Whether sites keep the text of their source line; the command line turns this off and
  /// re-reads the few lines its findings need, so no document text is held.
  public let retainsSourceLines: Bool

  private var strings = StringTable()
  private var serviceCount = 0
  private var servicesPerNamespace: [StringID: Int] = [:]
  /// Every Service as `(namespace, name)` packed like a label.
  private var serviceKeys: Set<UInt64> = []
  private var serviceNames: Set<StringID> = []
  private var workloads: [WorkloadSummary] = []
  private var workloadLabels: [LabelPair] = []
  private var workloadsPerNamespace: [StringID: Int] = [:]
  private var injectedNamespaces: Set<StringID> = []
  private var trafficSplits: [TrafficSplitSummary] = []
  /// Every split's backends, split after split; and their selectors' labels.
  private var backends: [BackendSummary] = []
  private var selectorLabels: [LabelPair] = []
  /// The source lines of the splits' sites, when `retainsSourceLines`.
  private var retainedLines: [LineKey: String] = [:]
  private var mtlsPolicies: [MTLSPolicySummary] = []
  private var immediate: [Diagnostic] = []

  /// Creates an empty analysis; `retainsSourceLines: false` leaves `sourceLine` of the
  /// cross-document findings nil (the caller fills it in from the file).
  public init(retainsSourceLines: Bool = true) {
    self.retainsSourceLines = retainsSourceLines
  }

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
      if let name = object.name { addService(namespace: object.namespace, name: name) }
    case "Namespace" where apiVersion == "v1":
      if let name = object.name, Self.namespaceInjects(object.node) { injectedNamespaces.insert(strings.intern(name)) }
    case "TrafficSplit" where isMeshctl:
      if let summary = trafficSplit(object) { trafficSplits.append(summary) }
    case "MTLSPolicy" where isMeshctl:
      if let summary = mtlsPolicy(object) { mtlsPolicies.append(summary) }
    default:
      if let podSpecPath = SchemaRegistry.podSpecPath(kind: kind) {
        addWorkload(object, kind: kind, podSpecPath: podSpecPath)
      }
    }
  }

  /// The findings over everything added.
  public func findings() -> [Diagnostic] {
    immediate + duplicateTrafficSplits() + missingServices() + unmatchedSelectors() + duplicateNamespacePolicies()
      + strictWithoutSidecars()
  }

  // MARK: - Summaries

  private static func pack(_ high: StringID, _ low: StringID) -> UInt64 {
    UInt64(UInt32(bitPattern: high)) << 32 | UInt64(UInt32(bitPattern: low))
  }

  private mutating func namespaceID(_ namespace: String?) -> StringID {
    namespace.map { strings.intern($0) } ?? StringTable.none
  }

  private mutating func addService(namespace: String?, name: String) {
    let namespace = namespaceID(namespace)
    let name = strings.intern(name)
    serviceCount += 1
    servicesPerNamespace[namespace, default: 0] += 1
    serviceKeys.insert(Self.pack(namespace, name))
    serviceNames.insert(name)
  }

  private func sourceLine(_ object: ManifestObject, _ mark: SourceMark) -> String? {
    retainsSourceLines ? object.document.sourceLine(mark.line) : nil
  }

  private func site(_ object: ManifestObject, _ keys: [String], sourceLine keepLine: Bool? = nil) -> Site {
    var node = object.node
    var components: [PathComponent] = []
    for key in keys {
      guard let child = node[key] else { break }
      node = child
      components.append(.key(key))
    }
    let path = JSONPath.render(components, prefix: object.path)
    let line = (keepLine ?? retainsSourceLines) ? object.document.sourceLine(node.mark.line) : nil
    return Site(
      file: object.document.file, mark: node.mark, path: path.isEmpty ? nil : path, object: object.reference,
      sourceLine: line)
  }

  private static func stringMap(_ node: Node?) -> [String: String]? {
    guard let entries = node?.mapping else { return nil }
    var map: [String: String] = [:]
    for entry in entries { map[entry.key] = entry.value.scalar?.text ?? "" }
    return map
  }

  /// The fingerprint of one label.
  private static func fingerprint(_ key: String, _ value: String) -> LabelPair {
    var hasher = Hasher()
    hasher.combine(key)
    hasher.combine(value)
    return UInt64(bitPattern: Int64(hasher.finalize()))
  }

  /// A label map as fingerprints.
  private static func labelPairs(_ map: [String: String]) -> [LabelPair] {
    map.map { fingerprint($0.key, $0.value) }
  }

  private mutating func trafficSplit(_ object: ManifestObject) -> TrafficSplitSummary? {
    guard let spec = object.node["spec"], let serviceNode = spec["service"], let service = serviceNode.string else {
      return nil
    }
    let backendsMark = spec["backends"]?.mark ?? spec.mark
    let first = Int32(backends.count)
    for (index, backend) in (spec["backends"]?.sequence ?? []).enumerated() {
      guard let name = backend["name"]?.string else { continue }
      let field: BackendField = backend["selector"] != nil ? .selector : .service
      var summary = BackendSummary(
        name: name, selector: nil, selectorText: "", service: backend["service"]?.string, mark: backendsMark,
        index: Int32(index), field: nil)
      if let selector = Self.stringMap(backend["selector"]) {
        let start = Int32(selectorLabels.count)
        selectorLabels += Self.labelPairs(selector)
        summary.selector = start..<Int32(selectorLabels.count)
        summary.selectorText = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
          .joined(separator: ",")
      }
      if let node = backend[field == .selector ? "selector" : "service"] {
        summary.mark = node.mark
        summary.field = field
      }
      retainLine(object, summary.mark)
      backends.append(summary)
    }
    retainLine(object, serviceNode.mark)
    return TrafficSplitSummary(
      namespace: namespaceID(object.namespace), reference: object.reference, service: service,
      file: object.document.file, serviceMark: serviceNode.mark, objectPath: object.path,
      backends: first..<Int32(backends.count))
  }

  /// Keeps the source line at `mark` when lines are retained.
  private mutating func retainLine(_ object: ManifestObject, _ mark: SourceMark) {
    guard retainsSourceLines, let line = object.document.sourceLine(mark.line) else { return }
    retainedLines[LineKey(file: object.document.file, line: mark.line)] = line
  }

  private mutating func mtlsPolicy(_ object: ManifestObject) -> MTLSPolicySummary? {
    guard let spec = object.node["spec"], let mode = spec["mode"]?.string else { return nil }
    let selector = spec["selector"]
    let matchLabels = selector.map { Self.labelPairs(Self.stringMap($0["matchLabels"]) ?? [:]) }
    return MTLSPolicySummary(
      namespace: namespaceID(object.namespace), reference: object.reference, mode: mode, matchLabels: matchLabels,
      site: site(object, ["spec", "mode"]))
  }

  private mutating func addWorkload(_ object: ManifestObject, kind: String, podSpecPath: [String]) {
    var podSpec: Node? = object.node
    for key in podSpecPath { podSpec = podSpec?[key] }
    // The template's metadata sits next to its spec.
    var metadataHolder: Node? = object.node
    for key in podSpecPath.dropLast() { metadataHolder = metadataHolder?[key] }
    let metadata = metadataHolder?["metadata"]
    // Read in place: a dictionary per workload would cost more than the whole summary.
    let labels = metadata?["labels"].flatMap { $0.mapping != nil ? $0 : nil }
    let annotations = metadata?["annotations"].flatMap { $0.mapping != nil ? $0 : nil }
    let namespace = namespaceID(object.namespace)
    let start = Int32(workloadLabels.count)
    for entry in labels?.mapping ?? [] {
      let pair = Self.fingerprint(entry.key, Self.text(entry.value))
      workloadLabels.append(pair)
    }
    workloads.append(
      WorkloadSummary(
        namespace: namespace, kind: strings.intern(kind),
        name: object.name.map { strings.intern($0) } ?? StringTable.none,
        sidecar: Self.sidecarIntent(podSpec: podSpec, labels: labels, annotations: annotations),
        labels: start..<Int32(workloadLabels.count)))
    workloadsPerNamespace[namespace, default: 0] += 1
    if let hostNetwork = podSpec?["hostNetwork"], hostNetwork.bool == true {
      // Reported whatever follows, so its line is kept.
      let site = site(object, podSpecPath + ["hostNetwork"], sourceLine: true)
      immediate.append(
        diagnostic(
          .info, RuleCode.hostNetwork, "\(object.reference) uses hostNetwork: the sidecar will not be injected",
          site, hint: "a pod on the node's network cannot have its traffic redirected; run it outside the mesh"))
    }
  }

  /// `Deployment shop/web`, as `ManifestObject.reference` wrote it.
  private func reference(_ workload: WorkloadSummary) -> String {
    let name = workload.name == StringTable.none ? "<unnamed>" : strings[workload.name]
    if workload.namespace != StringTable.none {
      return "\(strings[workload.kind]) \(strings[workload.namespace])/\(name)"
    }
    return "\(strings[workload.kind]) \(name)"
  }

  private func namespaceName(_ id: StringID) -> String? {
    id == StringTable.none ? nil : strings[id]
  }

  /// Names of sidecar containers the providers inject.
  static let sidecarContainers: Set<String> = ["istio-proxy", "linkerd-proxy"]

  /// A label's or annotation's value as `stringMap` reads it: a scalar's text, else empty.
  private static func text(_ value: Node) -> String { value.scalar?.text ?? "" }

  private static func sidecarIntent(podSpec: Node?, labels: Node?, annotations: Node?) -> SidecarIntent {
    let containers = (podSpec?["containers"]?.sequence ?? []) + (podSpec?["initContainers"]?.sequence ?? [])
    if containers.contains(where: { sidecarContainers.contains($0["name"]?.string ?? "") }) { return .present }
    let label = { (key: String) in labels?[key].map(text) }
    let annotation = { (key: String) in annotations?[key].map(text) }
    // Istio: the label wins over the annotation.
    let istio = label("sidecar.istio.io/inject") ?? annotation("sidecar.istio.io/inject")
    if istio == "false" { return .optedOut }
    if istio == "true" || label("istio.io/rev") != nil { return .optedIn }
    switch annotation("linkerd.io/inject") {
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

  /// The site of a split's `spec.service`.
  private func site(of split: TrafficSplitSummary) -> Site {
    let path = JSONPath.render([.key("spec"), .key("service")], prefix: split.objectPath)
    return Site(
      file: split.file, mark: split.serviceMark, path: path, object: split.reference,
      sourceLine: retainedLines[LineKey(file: split.file, line: split.serviceMark.line)])
  }

  /// The site of a backend's `selector` or `service` (else of the split's `spec.backends`).
  private func site(_ backend: BackendSummary, of split: TrafficSplitSummary) -> Site {
    var components: [PathComponent] = [.key("spec"), .key("backends")]
    if let field = backend.field {
      components += [.index(Int(backend.index)), .key(field == .selector ? "selector" : "service")]
    }
    let path = JSONPath.render(components, prefix: split.objectPath)
    return Site(
      file: split.file, mark: backend.mark, path: path.isEmpty ? nil : path, object: split.reference,
      sourceLine: retainedLines[LineKey(file: split.file, line: backend.mark.line)])
  }

  private func backends(of split: TrafficSplitSummary) -> ArraySlice<BackendSummary> {
    backends[Int(split.backends.lowerBound)..<Int(split.backends.upperBound)]
  }

  private func selector(of backend: BackendSummary) -> ArraySlice<LabelPair>? {
    backend.selector.map { selectorLabels[Int($0.lowerBound)..<Int($0.upperBound)] }
  }

  /// Whether two namespaces can be the same at apply time (unset matches anything).
  private static func compatible(_ a: StringID, _ b: StringID) -> Bool {
    a == StringTable.none || b == StringTable.none || a == b
  }

  /// How many of the counted objects could share `namespace`.
  private static func count(compatibleWith namespace: StringID, in perNamespace: [StringID: Int], total: Int) -> Int {
    guard namespace != StringTable.none else { return total }
    return perNamespace[namespace, default: 0] + perNamespace[StringTable.none, default: 0]
  }

  private static func location(_ site: Site) -> String { "\(site.file):\(site.mark.line)" }

  private func duplicateTrafficSplits() -> [Diagnostic] {
    var first: [String: Int] = [:]
    var findings: [Diagnostic] = []
    for (index, split) in trafficSplits.enumerated() {
      let key = (namespaceName(split.namespace) ?? "") + "/" + split.service
      if let earlier = first[key].map({ trafficSplits[$0] }) {
        findings.append(
          diagnostic(
            .error, RuleCode.duplicateTrafficSplit,
            "Service `\(split.service)` is already routed by \(earlier.reference) (\(Self.location(site(of: earlier))))",
            site(of: split), hint: "merge the two into one TrafficSplit: the mesh would apply only one of them"))
      } else {
        first[key] = index
      }
    }
    return findings
  }

  /// Whether the input holds a Service `name` that could be in `namespace`.
  private func hasService(_ name: String, compatibleWith namespace: StringID) -> Bool {
    guard let name = strings.id(of: name) else { return false }
    if namespace == StringTable.none { return serviceNames.contains(name) }
    return serviceKeys.contains(Self.pack(namespace, name)) || serviceKeys.contains(Self.pack(StringTable.none, name))
  }

  /// The names of the Services that could be in `namespace`, for a did-you-mean hint.
  private func serviceNames(compatibleWith namespace: StringID) -> Set<String> {
    var names: Set<String> = []
    for key in serviceKeys where Self.compatible(StringID(bitPattern: UInt32(key >> 32)), namespace) {
      names.insert(strings[StringID(bitPattern: UInt32(key & 0xFFFF_FFFF))])
    }
    return names
  }

  private func missingServices() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    for split in trafficSplits {
      guard Self.count(compatibleWith: split.namespace, in: servicesPerNamespace, total: serviceCount) > 0 else {
        continue
      }
      if !hasService(split.service, compatibleWith: split.namespace) {
        let names = serviceNames(compatibleWith: split.namespace)
        findings.append(
          diagnostic(
            .warning, RuleCode.serviceNotFound,
            "Service `\(split.service)` is not in the input\(namespaceName(split.namespace).map { " (namespace \($0))" } ?? "")",
            site(of: split),
            hint: Suggestions.didYouMean(split.service, among: names) ?? "add the Service, or check the name"))
      }
      for backend in backends(of: split) {
        guard let service = backend.service, !hasService(service, compatibleWith: split.namespace) else { continue }
        let names = serviceNames(compatibleWith: split.namespace)
        findings.append(
          diagnostic(
            .warning, RuleCode.backendServiceNotFound,
            "backend `\(backend.name)` routes to Service `\(service)`, which is not in the input",
            site(backend, of: split),
            hint: Suggestions.didYouMean(service, among: names) ?? "add the Service, or check the name"))
      }
    }
    return findings
  }

  /// Whether a workload that could be in `namespace` carries `label`.
  /// Which selector labels the workloads carry, and in which namespaces: built once, when the
  /// findings are asked for, from one pass over the workloads' labels, keeping only the labels
  /// some selector names (a few), so no index over every workload's labels is held.
  struct SelectorLabelIndex {
    var inNamespace: Set<NamespacedLabel> = []
    var anywhere: Set<LabelPair> = []

    /// Whether a workload that could be in `namespace` carries `label`.
    func someWorkload(carries label: LabelPair, compatibleWith namespace: StringID) -> Bool {
      if namespace == StringTable.none { return anywhere.contains(label) }
      return inNamespace.contains(NamespacedLabel(namespace: namespace, label: label))
        || inNamespace.contains(NamespacedLabel(namespace: StringTable.none, label: label))
    }
  }

  private func selectorLabelIndex() -> SelectorLabelIndex {
    var wanted: Set<LabelPair> = []
    for split in trafficSplits {
      for backend in backends(of: split) { wanted.formUnion(selector(of: backend) ?? []) }
    }
    var index = SelectorLabelIndex()
    guard !wanted.isEmpty else { return index }
    for workload in workloads {
      for label in workloadLabels[Int(workload.labels.lowerBound)..<Int(workload.labels.upperBound)]
      where wanted.contains(label) {
        index.anywhere.insert(label)
        index.inNamespace.insert(NamespacedLabel(namespace: workload.namespace, label: label))
      }
    }
    return index
  }

  private func carries(_ workload: WorkloadSummary, all labels: some Collection<LabelPair>) -> Bool {
    let own = workloadLabels[Int(workload.labels.lowerBound)..<Int(workload.labels.upperBound)]
    return labels.allSatisfy { own.contains($0) }
  }

  /// Whether one workload that could be in `namespace` carries every label of `selector`. The
  /// index answers most selectors (one label, or a label nobody carries) without a scan.
  private func someWorkload(
    matches selector: ArraySlice<LabelPair>, compatibleWith namespace: StringID, in index: SelectorLabelIndex
  ) -> Bool {
    guard selector.allSatisfy({ index.someWorkload(carries: $0, compatibleWith: namespace) }) else { return false }
    if selector.count == 1 { return true }
    return workloads.contains { Self.compatible($0.namespace, namespace) && carries($0, all: selector) }
  }

  private func unmatchedSelectors() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    let index = selectorLabelIndex()
    for split in trafficSplits {
      guard Self.count(compatibleWith: split.namespace, in: workloadsPerNamespace, total: workloads.count) > 0 else {
        continue
      }
      for backend in backends(of: split) {
        guard let selector = selector(of: backend), !selector.isEmpty else { continue }
        if !someWorkload(matches: selector, compatibleWith: split.namespace, in: index) {
          findings.append(
            diagnostic(
              .warning, RuleCode.selectorMatchesNothing,
              "backend `\(backend.name)` selects \(backend.selectorText), which no pod template in the input carries",
              site(backend, of: split), hint: "check the labels against the workloads' spec.template.metadata.labels"))
        }
      }
    }
    return findings
  }

  private func duplicateNamespacePolicies() -> [Diagnostic] {
    var first: [String: MTLSPolicySummary] = [:]
    var findings: [Diagnostic] = []
    for policy in mtlsPolicies where policy.matchLabels == nil {
      let key = namespaceName(policy.namespace) ?? ""
      if let earlier = first[key] {
        findings.append(
          diagnostic(
            .error, RuleCode.duplicateNamespacePolicy,
            "namespace \(namespaceName(policy.namespace) ?? "(unset)") already has a namespace-wide MTLSPolicy: \(earlier.reference) (\(Self.location(earlier.site)))",
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
    case .unspecified: return injectedNamespaces.contains(workload.namespace)
    }
  }

  private func strictWithoutSidecars() -> [Diagnostic] {
    var findings: [Diagnostic] = []
    for policy in mtlsPolicies where policy.mode == "STRICT" {
      let bare = workloads.filter { workload in
        Self.compatible(workload.namespace, policy.namespace) && carries(workload, all: policy.matchLabels ?? [])
          && !hasSidecar(workload)
      }
      guard !bare.isEmpty else { continue }
      let names = bare.prefix(3).map(reference).joined(separator: ", ")
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

/// Strings stored once each and named by number: namespaces, kinds, names and labels repeat
/// across objects, so the summaries hold numbers instead of copies. The text lives in one byte
/// array with an open-addressing index over it: a few bytes per string beyond its text, where
/// a `[String: Int32]` would cost a heap object and a hash-table entry for each.
struct StringTable: Sendable {
  /// The number that stands for "no string" (an unset namespace, an unnamed object).
  static let none: Int32 = -1

  /// Every string's UTF-8 bytes, one after the other.
  private var bytes: [UInt8] = []
  /// Where string `id` starts in `bytes`; it ends where `id + 1` starts.
  private var starts: [UInt32] = [0]
  /// Slots holding a string's number, or `none`; at most half full.
  private var slots = [Int32](repeating: StringTable.none, count: 64)

  private var count: Int { starts.count - 1 }

  /// The number of `text`, adding it when it is new.
  mutating func intern(_ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { utf8 in
      let (slot, found) = find(utf8)
      if let found { return found }
      let id = Int32(count)
      bytes.append(contentsOf: utf8)
      starts.append(UInt32(bytes.count))
      slots[slot] = id
      if count * 2 > slots.count { rehash(capacity: slots.count * 2) }
      return id
    }
  }

  /// The number of `text` when it was interned.
  func id(of text: String) -> Int32? {
    var text = text
    return text.withUTF8 { find($0).found }
  }

  /// The string a number stands for.
  subscript(id: Int32) -> String {
    String(decoding: bytes[Int(starts[Int(id)])..<Int(starts[Int(id) + 1])], as: UTF8.self)
  }

  /// The slot of `utf8`: where it is (with its number), or the empty slot where it would go.
  private func find(_ utf8: UnsafeBufferPointer<UInt8>) -> (slot: Int, found: Int32?) {
    let mask = slots.count - 1
    var slot = Self.hash(utf8) & mask
    while true {
      let id = slots[slot]
      if id == Self.none { return (slot, nil) }
      if equals(id, utf8) { return (slot, id) }
      slot = (slot + 1) & mask
    }
  }

  private func equals(_ id: Int32, _ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = Int(starts[Int(id)])
    let end = Int(starts[Int(id) + 1])
    guard end - start == utf8.count else { return false }
    return bytes.withUnsafeBufferPointer { all in
      utf8.count == 0 || memcmp(all.baseAddress! + start, utf8.baseAddress!, utf8.count) == 0
    }
  }

  private mutating func rehash(capacity: Int) {
    slots = [Int32](repeating: Self.none, count: capacity)
    let mask = capacity - 1
    bytes.withUnsafeBufferPointer { all in
      for id in 0..<count {
        let start = Int(starts[id])
        let text = UnsafeBufferPointer(rebasing: all[start..<Int(starts[id + 1])])
        var slot = Self.hash(text) & mask
        while slots[slot] != Self.none { slot = (slot + 1) & mask }
        slots[slot] = Int32(id)
      }
    }
  }

  /// Swift's seeded hash of the bytes: a crafted input cannot make every string collide.
  private static func hash(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
    var hasher = Hasher()
    hasher.combine(bytes: UnsafeRawBufferPointer(utf8))
    return hasher.finalize()
  }
}
