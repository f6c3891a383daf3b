import Manifest

/// The findings that need more than one document (MC2xxx references, MC3xxx mTLS safety,
/// MC4xxx injection); the mesh analyzers (Istio and Gateway API routes, Service selectors and
/// ports, Jobs) are in `CrossDocumentMesh.swift`.
///
/// Memory stays within a budget however long the input: each object leaves a small summary,
/// and once the summaries outgrow `memoryBudget` they move to a temporary file. The findings
/// are then worked out a budget's worth of facts at a time: the queries (TrafficSplits,
/// MTLSPolicies) are streamed past each part of the facts (Services, workloads, first routes),
/// each query keeping what was found for it, and the ones already settled are dropped. The
/// result is the same, finding for finding, as with everything in memory.
///
/// Namespaces: an object without `metadata.namespace` lands in whatever namespace the command
/// runs in, so for *references* it matches an object of any namespace (no false alarms for
/// `kubectl apply -n shop -f app.yaml`); for *duplicates* only equal namespaces (both unset
/// counts as equal) conflict. A missing Service or workload is only reported when the input holds
/// at least one Service (workload) that could be in the same namespace: input without any is a
/// policy reviewed on its own, whose targets live in the cluster.
public struct CrossDocumentAnalysis: ~Copyable, Sendable {
  /// How much memory the summaries may take before they go to a temporary file.
  public static let defaultMemoryBudget = 2 << 20

  /// Whether sites keep the text of their source line; the command line turns this off and
  /// re-reads the few lines its findings need, so no document text is held.
  public let retainsSourceLines: Bool
  /// The budget, in bytes, for the summaries held in memory: the encoded records while they
  /// are read, and each part of the facts (by its estimated size) while findings are made.
  public let memoryBudget: Int

  var namespaces = NamespaceFacts()
  /// What the input holds, and the objects the checks are about, as records.
  private let facts: RecordLog
  private let queries: RecordLog
  /// Whether the logs were asked to move to disk (once: when it fails they stay in memory).
  private var movedToDisk = false
  /// The sequence number of the next query (input order).
  private var nextSequence = 0
  /// Where temporary files go; nil keeps everything in memory.
  private let spillDirectory: String?
  private var immediate: [Diagnostic] = []
  /// The mesh's sidecar settings when a MeshConfig was given: whether a Job's sidecar is classic.
  let meshConfig: MeshConfig?
  /// The Kubernetes release the input is checked against (`validate --kubernetes-version`): the
  /// fallback when the MeshConfig names none, for whether native sidecars exist (MC4002).
  let kubernetesVersion: String?

  /// Creates an empty analysis; `retainsSourceLines: false` leaves `sourceLine` of the
  /// cross-document findings nil (the caller fills it in from the file). Past `memoryBudget`
  /// the summaries go to an unlinked file in `spillDirectory` (when it cannot be written they
  /// stay in memory). `kubernetesVersion` is the cluster's release when `meshConfig` names none.
  public init(
    retainsSourceLines: Bool = true, memoryBudget: Int = Self.defaultMemoryBudget,
    spillDirectory: String? = CrossDocumentAnalysis.temporaryDirectory, meshConfig: MeshConfig? = nil,
    kubernetesVersion: String? = nil
  ) {
    self.init(
      retainsSourceLines: retainsSourceLines, memoryBudget: memoryBudget, spillDirectory: spillDirectory,
      facts: RecordLog(), queries: RecordLog(), meshConfig: meshConfig, kubernetesVersion: kubernetesVersion)
  }

  /// An analysis over given logs (tests pass logs over `/dev/full`).
  init(
    retainsSourceLines: Bool = true, memoryBudget: Int, spillDirectory: String?, facts: RecordLog, queries: RecordLog,
    meshConfig: MeshConfig? = nil, kubernetesVersion: String? = nil
  ) {
    self.meshConfig = meshConfig
    self.kubernetesVersion = kubernetesVersion
    self.retainsSourceLines = retainsSourceLines
    self.memoryBudget = max(0, memoryBudget)
    self.spillDirectory = spillDirectory
    self.facts = facts
    self.queries = queries
  }

  /// Where temporary files go by default: `TMPDIR`, else `/tmp`.
  public static var temporaryDirectory: String { RecordLog.temporaryDirectory }

  /// Whether the summaries outgrew the budget and went to a temporary file.
  public var spilledToDisk: Bool { facts.isOnDisk || queries.isOnDisk }

  /// Records what the analysis needs from a document: its facts, worked out here and applied.
  public mutating func add(_ document: Document) {
    add(DocumentFacts(document, retainingSourceLines: retainsSourceLines))
  }

  /// Records the facts of the next document, in input order (they may have been worked out on
  /// any thread): numbers their namespaces and queries after those of the documents before,
  /// counts what each namespace holds, and keeps the summaries within the memory budget.
  public mutating func add(_ document: DocumentFacts) {
    let numbering = DocumentFacts.Numbering(
      namespaces: document.namespaces.names.map { namespaces.id($0) }, firstSequence: nextSequence)
    nextSequence += document.sequenceCount
    for object in document.namespaceObjects {
      let id = numbering.namespace(object.namespace)
      namespaces.marks[id] = object.marks
      namespaces.opaquePorts[id] = object.opaquePorts
    }
    for record in document.records {
      let record = record.renumbered(numbering)
      namespaces.count(record)
      facts.append(record)
    }
    for query in document.queries { queries.append(query.renumbered(numbering)) }
    immediate += document.immediate
    if !movedToDisk, facts.bytesInMemory + queries.bytesInMemory > memoryBudget { moveToDisk() }
  }

  /// Moves the records to temporary files, once; where that fails they stay in memory.
  private mutating func moveToDisk() {
    movedToDisk = true
    guard let directory = spillDirectory else { return }
    facts.moveToDisk(in: directory)
    queries.moveToDisk(in: directory)
  }

  /// The string map of a mapping node; nil when there is none (no selector differs from `{}`).
  static func stringMap(_ node: Node?) -> [String: String]? {
    node?.mapping != nil ? node.stringMap : nil
  }

  /// The fingerprint of one label.
  static func fingerprint(_ key: String, _ value: String) -> LabelPair {
    var hasher = Hasher()
    hasher.combine(key)
    hasher.combine(value)
    return UInt64(bitPattern: Int64(hasher.finalize()))
  }

  /// A label map as fingerprints.
  static func labelPairs(_ map: [String: String]) -> [LabelPair] {
    map.map { fingerprint($0.key, $0.value) }
  }

  // MARK: - Working the findings out

  /// The findings over everything added.
  public func findings() -> [Diagnostic] {
    var found = FoundSoFar()
    var pending = queries
    forEachCatalog { catalog, isLast in
      guard !isLast else { return reportAll(pending, against: catalog, into: &found) }
      pending = filtered(pending) { query in
        resolve(&query, against: catalog)
        guard isSettled(query, by: catalog) else { return true }
        report(query, into: &found)
        return false
      }
    }
    return immediate + found.diagnostics(hintingMissingServices: suggestions(for: found.missingServices))
  }

  /// Calls `body` with the facts, a budget's worth at a time and in input order, and whether
  /// the part is the last; at least once.
  private func forEachCatalog(_ body: (Catalog, _ isLast: Bool) -> Void) {
    var catalog = Catalog()
    func absorb(_ record: CatalogRecord) {
      catalog.absorb(record)
      guard catalog.estimatedSize > memoryBudget else { return }
      catalog.index()
      body(catalog, false)
      catalog = Catalog()
    }
    facts.forEach { absorb($0.record()) }
    catalog.index()
    body(catalog, true)
  }

  /// Reports every query of `log` after the last part of the facts, with nothing kept for a
  /// next part. Most queries find nothing: each is first read without the text only findings
  /// print, and read whole (and resolved again) only when it has a finding.
  private func reportAll(_ log: RecordLog, against catalog: Catalog, into found: inout FoundSoFar) {
    log.forEach { decoder in
      let whole = decoder
      decoder.skipsText = true
      var query: Query = decoder.record()
      resolve(&query, against: catalog)
      var probe = FoundSoFar()
      report(query, into: &probe)
      guard !probe.isEmpty else { return }
      var reader = whole
      query = reader.record()
      resolve(&query, against: catalog)
      report(query, into: &found)
    }
  }

  /// The queries of `log` for which `keep` (which may update them) returns true, in order: on
  /// disk when `log` is (the analysis's own log is only read, so findings can be asked again).
  private func filtered(_ log: RecordLog, _ keep: (inout Query) -> Bool) -> RecordLog {
    let kept = RecordLog()
    if log.isOnDisk, let directory = spillDirectory { kept.moveToDisk(in: directory) }
    log.forEach { decoder in
      var query: Query = decoder.record()
      if keep(&query) { kept.append(query) }
    }
    kept.flush()
    return kept
  }

  /// Updates what has been found for `query` with one part of the facts.
  private func resolve(_ query: inout Query, against catalog: Catalog) {
    switch query {
    case .split(var split):
      resolve(&split, against: catalog)
      query = .split(split)
    case .policy(var policy):
      resolve(&policy, against: catalog)
      query = .policy(policy)
    case .route(var route):
      resolve(&route, against: catalog)
      query = .route(route)
    case .service(var service):
      resolve(&service, against: catalog)
      query = .service(service)
    case .job:
      break
    }
  }

  private func resolve(_ split: inout SplitQuery, against catalog: Catalog) {
    let checksServices = namespaces.hasServices(compatibleWith: split.namespace)
    let checksSelectors = namespaces.hasWorkloads(compatibleWith: split.namespace)
    if !split.serviceFound {
      split.serviceFound = !checksServices || catalog.hasService(split.service, compatibleWith: split.namespace)
    }
    for index in split.backends.indices {
      var backend = split.backends[index]
      if !backend.serviceFound {
        backend.serviceFound =
          !checksServices || backend.service.map { catalog.hasService($0, compatibleWith: split.namespace) } ?? true
      }
      if !backend.selectorMatched {
        backend.selectorMatched =
          !checksSelectors
          || backend.selector.map { $0.isEmpty || catalog.someWorkload(matches: $0, compatibleWith: split.namespace) }
            ?? true
      }
      split.backends[index] = backend
    }
    let key = RouteKey(namespace: split.namespace, service: split.service)
    if let first = catalog.firstRoute(key), first.sequence < min(split.sequence, split.duplicateOf?.sequence ?? .max) {
      split.duplicateOf = first
    }
  }

  private func resolve(_ policy: inout PolicyQuery, against catalog: Catalog) {
    if policy.matchLabels == nil, let first = catalog.firstNamespacePolicy(policy.namespace),
      first.sequence < min(policy.sequence, policy.duplicateOf?.sequence ?? .max)
    {
      policy.duplicateOf = first
    }
    guard policy.mode == "STRICT" else { return }
    for workload in catalog.workloads
    where Self.compatible(workload.namespace, policy.namespace)
      && catalog.carries(workload, all: policy.matchLabels ?? []) && !hasSidecar(workload)
    {
      policy.bareCount += 1
      if policy.bareReferences.count < 3 {
        policy.bareReferences.append(catalog.reference(workload, namespaces: namespaces))
      }
    }
  }

  /// Whether nothing more can be found for `query` after `catalog`: every reference found,
  /// and every earlier split already met. Policies wait for the last part (STRICT counts all).
  private func isSettled(_ query: Query, by catalog: Catalog) -> Bool {
    if case .job = query { return true }
    if case .route(let route) = query { return route.references.allSatisfy(\.settled) }
    guard case .split(let split) = query else { return false }
    return split.serviceFound && split.backends.allSatisfy { $0.serviceFound && $0.selectorMatched }
      && catalog.lastRouteSequence >= split.sequence
  }

  /// Whether either provider meshes the workload in its namespace (the one rule, `SidecarIntent`).
  private func hasSidecar(_ workload: WorkloadSummary) -> Bool {
    SidecarIntent.ofAnyProvider(workload.sidecar, namespace: namespaces.marks[workload.namespace]).isMeshed
  }

  /// A did-you-mean hint per missing Service, from the Services of every part of the facts.
  private func suggestions(for missing: [MissingService]) -> [String?] {
    guard !missing.isEmpty else { return [] }
    var closest = missing.map { Suggestions.Closest(to: $0.name) }
    forEachCatalog { catalog, _ in
      var namesByNamespace: [StringID: Set<String>] = [:]
      for (index, item) in missing.enumerated() {
        let names = namesByNamespace[item.namespace] ?? catalog.serviceNames(compatibleWith: item.namespace)
        namesByNamespace[item.namespace] = names
        for name in names { closest[index].consider(name) }
      }
    }
    return closest.map { $0.best.map { "did you mean `\($0)`?" } }
  }

  // MARK: - Findings

  /// A missing Service's finding, waiting for its hint.
  struct MissingService {
    var order: FindingOrder
    var diagnostic: Diagnostic
    var name: String
    var namespace: StringID
  }

  /// Input order: the query's sequence number, then the finding's place within it.
  struct FindingOrder: Comparable {
    var sequence: Int
    var place: Int
    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.sequence, lhs.place) < (rhs.sequence, rhs.place) }
  }

  /// The findings made so far, by rule, each in input order once sorted.
  struct FoundSoFar {
    var duplicateSplits: [(FindingOrder, Diagnostic)] = []
    var missingServices: [MissingService] = []
    var unmatchedSelectors: [(FindingOrder, Diagnostic)] = []
    var duplicatePolicies: [(FindingOrder, Diagnostic)] = []
    var strictWithoutSidecars: [(FindingOrder, Diagnostic)] = []
    /// The mesh analyzers' findings (routes, Service selectors and ports, Jobs), in input order.
    var mesh: [(FindingOrder, Diagnostic)] = []

    /// Whether nothing was found.
    var isEmpty: Bool {
      duplicateSplits.isEmpty && missingServices.isEmpty && unmatchedSelectors.isEmpty && duplicatePolicies.isEmpty
        && strictWithoutSidecars.isEmpty && mesh.isEmpty
    }

    /// Everything, rule after rule; `hints` lines up with `missingServices`.
    func diagnostics(hintingMissingServices hints: [String?]) -> [Diagnostic] {
      var missing = missingServices.enumerated().map { index, item in
        var diagnostic = item.diagnostic
        diagnostic.hint = hints[index] ?? "add the Service, or check the name"
        return (item.order, diagnostic)
      }
      missing.sort { $0.0 < $1.0 }
      return [duplicateSplits, missing, unmatchedSelectors, duplicatePolicies, strictWithoutSidecars, mesh]
        .flatMap { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }
  }

  private func report(_ query: Query, into found: inout FoundSoFar) {
    switch query {
    case .split(let split): report(split, into: &found)
    case .policy(let policy): report(policy, into: &found)
    case .route(let route): report(route, into: &found)
    case .service(let service): report(service, into: &found)
    case .job(let job): report(job, into: &found)
    }
  }

  private func report(_ split: SplitQuery, into found: inout FoundSoFar) {
    if let earlier = split.duplicateOf {
      found.duplicateSplits.append(
        (
          FindingOrder(sequence: split.sequence, place: 0),
          diagnostic(
            .error, RuleCode.duplicateTrafficSplit,
            "Service `\(split.service)` is already routed by \(earlier.reference) (\(earlier.location))",
            site(of: split), hint: "merge the two into one TrafficSplit: the mesh would apply only one of them")
        ))
    }
    if !split.serviceFound {
      found.missingServices.append(
        MissingService(
          order: FindingOrder(sequence: split.sequence, place: 0),
          diagnostic: diagnostic(
            .warning, RuleCode.serviceNotFound,
            "Service `\(split.service)` is not in the input\(namespaces.name(split.namespace).map { " (namespace \($0))" } ?? "")",
            site(of: split)),
          name: split.service, namespace: split.namespace))
    }
    for (place, backend) in split.backends.enumerated() {
      let order = FindingOrder(sequence: split.sequence, place: place + 1)
      if !backend.serviceFound, let service = backend.service {
        found.missingServices.append(
          MissingService(
            order: order,
            diagnostic: diagnostic(
              .warning, RuleCode.backendServiceNotFound,
              "backend `\(backend.name)` routes to Service `\(service)`, which is not in the input",
              site(backend, of: split)),
            name: service, namespace: split.namespace))
      }
      if !backend.selectorMatched {
        found.unmatchedSelectors.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.selectorMatchesNothing,
              "backend `\(backend.name)` selects \(backend.selectorText), which no pod template in the input carries",
              site(backend, of: split), hint: "check the labels against the workloads' spec.template.metadata.labels")
          ))
      }
    }
  }

  private func report(_ policy: PolicyQuery, into found: inout FoundSoFar) {
    let order = FindingOrder(sequence: policy.sequence, place: 0)
    if let earlier = policy.duplicateOf {
      found.duplicatePolicies.append(
        (
          order,
          diagnostic(
            .error, RuleCode.duplicateNamespacePolicy,
            "namespace \(namespaces.name(policy.namespace) ?? "(unset)") already has a namespace-wide MTLSPolicy: \(earlier.reference) (\(earlier.location))",
            policy.site, hint: "keep one namespace-wide policy; use `selector` for workload-specific modes")
        ))
    }
    if policy.bareCount > 0 {
      let names = policy.bareReferences.joined(separator: ", ")
      let more = policy.bareCount > 3 ? " and \(policy.bareCount - 3) more" : ""
      found.strictWithoutSidecars.append(
        (
          order,
          diagnostic(
            .warning, RuleCode.strictWithoutSidecar,
            "STRICT mTLS covers workloads without a sidecar: \(names)\(more); they cannot speak mTLS, so traffic between them and meshed pods will fail",
            policy.site, hint: "inject them first (`meshctl inject`), or use PERMISSIVE until they are")
        ))
    }
  }

  func diagnostic(
    _ severity: Diagnostic.Severity, _ code: String, _ message: String, _ site: Site, hint: String? = nil
  ) -> Diagnostic {
    Self.diagnostic(severity, code, message, site, hint: hint)
  }

  /// A finding at `site`.
  static func diagnostic(
    _ severity: Diagnostic.Severity, _ code: String, _ message: String, _ site: Site, hint: String? = nil
  ) -> Diagnostic {
    var diagnostic = Diagnostic(
      severity: severity, code: code, message: message, file: site.file, mark: site.mark, path: site.path,
      object: site.object, hint: hint)
    diagnostic.sourceLine = site.sourceLine
    return diagnostic
  }

  /// The site of a split's `spec.service`.
  private func site(of split: SplitQuery) -> Site {
    let path = JSONPath.render([.key("spec"), .key("service")], prefix: split.objectPath)
    return Site(
      file: split.file, mark: split.serviceMark, path: path, object: split.reference, sourceLine: split.serviceLine)
  }

  /// The site of a backend's `selector` or `service` (else of the split's `spec.backends`).
  private func site(_ backend: BackendQuery, of split: SplitQuery) -> Site {
    var components: [PathComponent] = [.key("spec"), .key("backends")]
    if let field = backend.field {
      components += [.index(backend.index), .key(field == .selector ? "selector" : "service")]
    }
    let path = JSONPath.render(components, prefix: split.objectPath)
    return Site(
      file: split.file, mark: backend.mark, path: path.isEmpty ? nil : path, object: split.reference,
      sourceLine: backend.sourceLine)
  }
}
