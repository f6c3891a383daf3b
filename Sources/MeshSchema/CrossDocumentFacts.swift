import Manifest

extension CrossDocumentAnalysis {
  /// What the cross-document analysis keeps of one document, worked out from that document
  /// alone: on whatever thread read it, while its tree is at hand, so only this small value
  /// goes on to the analysis (`CrossDocumentAnalysis.add(_:)` applies it in input order).
  /// Namespaces and sequence numbers are the document's own here (its namespaces numbered in
  /// the order it names them, its queries from 0); the analysis renumbers them after those of
  /// the documents before, which gives the numbers one pass over the stream would.
  public struct DocumentFacts: Sendable {
    typealias Analysis = CrossDocumentAnalysis
    // The analysis's record types, for the extractors in extensions of this type.
    typealias StringID = Analysis.StringID
    typealias Site = Analysis.Site
    typealias CatalogRecord = Analysis.CatalogRecord
    typealias Query = Analysis.Query
    typealias Earlier = Analysis.Earlier
    typealias WorkloadRecord = Analysis.WorkloadRecord
    typealias BackendQuery = Analysis.BackendQuery
    typealias BackendField = Analysis.BackendField
    typealias SplitQuery = Analysis.SplitQuery
    typealias PolicyQuery = Analysis.PolicyQuery
    typealias DestinationRuleRecord = Analysis.DestinationRuleRecord
    typealias ServiceEntryRecord = Analysis.ServiceEntryRecord
    typealias VirtualServiceRecord = Analysis.VirtualServiceRecord
    typealias ReferenceGrantRecord = Analysis.ReferenceGrantRecord
    typealias HostKey = Analysis.HostKey
    typealias MeshReference = Analysis.MeshReference
    typealias RouteQuery = Analysis.RouteQuery
    typealias ServicePort = Analysis.ServicePort
    typealias ServiceQuery = Analysis.ServiceQuery
    typealias JobQuery = Analysis.JobQuery

    /// Whether sites keep the text of their source line (`CrossDocumentAnalysis.retainsSourceLines`).
    let retainsSourceLines: Bool
    /// The namespaces the summaries name, by the document's own numbers.
    var namespaces = Namespaces()
    /// What the document holds, in order.
    var records: [CatalogRecord] = []
    /// The objects the checks are about, in order.
    var queries: [Query] = []
    /// The document's Namespace objects, in order.
    var namespaceObjects: [NamespaceObject] = []
    /// Findings made from the document alone (hostNetwork).
    var immediate: [Diagnostic] = []
    /// How many sequence numbers the queries took.
    private(set) var sequenceCount = 0

    /// The facts of `document`; `retainingSourceLines` as the analysis they go to does.
    public init(_ document: Document, retainingSourceLines: Bool) {
      self.init(objects: document.objects, retainingSourceLines: retainingSourceLines)
    }

    /// The facts of a document's `objects` (`Document.objects`, for a caller that has them).
    init(objects: [ManifestObject], retainingSourceLines: Bool) {
      retainsSourceLines = retainingSourceLines
      for object in objects where object.node.mapping != nil { add(object) }
    }

    /// The namespaces of one document, numbered from 0 in the order it names them (a document
    /// names one or two: a list beats a hash table).
    struct Namespaces: Sendable {
      var names: [String] = []

      /// The number of a namespace; an unset or empty one is `StringTable.none`.
      mutating func id(_ namespace: String?) -> StringID {
        guard let namespace, !namespace.isEmpty else { return StringTable.none }
        if let index = names.firstIndex(of: namespace) { return StringID(index) }
        names.append(namespace)
        return StringID(names.count - 1)
      }

      func name(_ id: StringID) -> String? { id == StringTable.none ? nil : names[Int(id)] }
    }

    /// What a Namespace object says about injection and opaque ports.
    struct NamespaceObject: Sendable {
      var namespace: StringID
      var marks: NamespaceInjectionMarks
      var opaquePorts: String?
    }

    /// How the document's numbers become the analysis's.
    struct Numbering {
      /// The analysis's number of each of the document's namespaces.
      var namespaces: [StringID]
      /// The analysis's sequence number of the document's first query.
      var firstSequence: Int

      func namespace(_ id: StringID) -> StringID { id == StringTable.none ? id : namespaces[Int(id)] }
    }

    mutating func hold(_ record: CatalogRecord) { records.append(record) }

    mutating func hold(_ query: Query) { queries.append(query) }

    mutating func sequenceNumber() -> Int {
      defer { sequenceCount += 1 }
      return sequenceCount
    }
  }
}

extension CrossDocumentAnalysis.DocumentFacts {
  private mutating func add(_ object: ManifestObject) {
    guard let kind = object.kind, let apiVersion = object.apiVersion else { return }
    let isMeshctl = apiVersion == SchemaRegistry.meshctlAPIVersion
    switch kind {
    case "Service" where apiVersion == "v1":
      if let name = object.name {
        addService(namespace: object.namespace, name: name)
        addServiceQuery(object, name: name)
      }
    case "Namespace" where apiVersion == "v1":
      if let name = object.name {
        namespaceObjects.append(
          NamespaceObject(
            namespace: namespaces.id(name), marks: NamespaceInjectionMarks(namespace: object.node),
            opaquePorts: object.node[path: "metadata", "annotations", Analysis.opaquePortsKey]?.stringMapValue))
      }
    case _ where addMeshObject(object, kind: kind, apiVersion: apiVersion):
      break
    case "TrafficSplit" where isMeshctl:
      addTrafficSplit(object)
    case "MTLSPolicy" where isMeshctl:
      addMTLSPolicy(object)
    default:
      if let podSpecPath = WorkloadKinds.podSpecPath(kind: kind) {
        addWorkload(object, kind: kind, podSpecPath: podSpecPath)
      }
    }
  }

  private mutating func addService(namespace: String?, name: String) {
    hold(.service(namespace: namespaces.id(namespace), name: name))
  }

  func sourceLine(_ object: ManifestObject, _ mark: SourceMark) -> String? {
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

  private func location(file: String, _ mark: SourceMark) -> String { "\(file):\(mark.line)" }

  private mutating func addTrafficSplit(_ object: ManifestObject) {
    guard let spec = object.node["spec"], let serviceNode = spec["service"], let service = serviceNode.string else {
      return
    }
    let backendsMark = spec["backends"]?.mark ?? spec.mark
    var backends: [BackendQuery] = []
    for (index, backend) in (spec["backends"]?.sequence ?? []).enumerated() {
      guard let name = backend["name"]?.string else { continue }
      let field: BackendField = backend["selector"] != nil ? .selector : .service
      var query = BackendQuery(
        name: name, selector: nil, selectorText: "", service: backend["service"]?.string, mark: backendsMark,
        index: index, field: nil)
      if let selector = Analysis.stringMap(backend["selector"]) {
        query.selector = Analysis.labelPairs(selector)
        query.selectorText = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
          .joined(separator: ",")
      }
      if let node = backend[field == .selector ? "selector" : "service"] {
        query.mark = node.mark
        query.field = field
      }
      query.sourceLine = sourceLine(object, query.mark)
      backends.append(query)
    }
    let namespace = namespaces.id(object.namespace)
    let sequence = sequenceNumber()
    let file = object.document.file
    hold(
      .split(
        SplitQuery(
          sequence: sequence, namespace: namespace, reference: object.reference, service: service, file: file,
          serviceMark: serviceNode.mark, objectPath: object.path, serviceLine: sourceLine(object, serviceNode.mark),
          backends: backends)))
    let earlier = Earlier(
      sequence: sequence, reference: object.reference, location: location(file: file, serviceNode.mark))
    hold(.route(namespace: namespace, service: service, split: earlier))
  }

  private mutating func addMTLSPolicy(_ object: ManifestObject) {
    guard let spec = object.node["spec"], let mode = spec["mode"]?.string else { return }
    let selector = spec["selector"]
    let matchLabels = selector.map { Analysis.labelPairs(Analysis.stringMap($0["matchLabels"]) ?? [:]) }
    let namespace = namespaces.id(object.namespace)
    let sequence = sequenceNumber()
    let site = site(object, ["spec", "mode"])
    hold(
      .policy(
        PolicyQuery(
          sequence: sequence, namespace: namespace, reference: object.reference, mode: mode,
          matchLabels: matchLabels, site: site)))
    if matchLabels == nil {
      let earlier = Earlier(
        sequence: sequence, reference: object.reference, location: location(file: site.file, site.mark))
      hold(.namespacePolicy(namespace: namespace, policy: earlier))
    }
  }

  private mutating func addWorkload(_ object: ManifestObject, kind: String, podSpecPath: [String]) {
    // The template's metadata sits next to its spec.
    let template = object.node.value(at: podSpecPath.dropLast())
    let podSpec = template?["spec"]
    // Read in place: a dictionary per workload would cost more than the whole summary.
    let labels = template?[path: "metadata", "labels"]
    let namespace = namespaces.id(object.namespace)
    hold(
      .workload(
        WorkloadRecord(
          namespace: namespace, kind: kind, name: object.name,
          sidecar: PodInjectionMarks(template: template),
          labels: (labels?.mapping ?? []).compactMap { entry in
            entry.value.stringMapValue.map { Analysis.fingerprint(entry.key, $0) }
          },
          opaquePorts: template?[path: "metadata", "annotations", Analysis.opaquePortsKey]?.stringMapValue)))
    if Analysis.runToCompletionKinds.contains(kind) { addJobQuery(object, kind: kind, podSpecPath: podSpecPath) }
    if let hostNetwork = podSpec?["hostNetwork"], hostNetwork.bool == true {
      // Reported whatever follows, so its line is kept.
      let site = site(object, podSpecPath + ["hostNetwork"], sourceLine: true)
      immediate.append(
        Analysis.diagnostic(
          .info, RuleCode.hostNetwork, "\(object.reference) uses hostNetwork: the sidecar will not be injected",
          site, hint: "a pod on the node's network cannot have its traffic redirected; run it outside the mesh"))
    }
  }
}

extension CrossDocumentAnalysis.NamespaceFacts {
  /// Counts what `record` adds to its namespace (Services, workloads, Gateways, delegates).
  mutating func count(_ record: CrossDocumentAnalysis.CatalogRecord) {
    switch record {
    case .service(let namespace, _):
      serviceCount += 1
      servicesPerNamespace[namespace, default: 0] += 1
    case .workload(let workload):
      workloadCount += 1
      workloadsPerNamespace[workload.namespace, default: 0] += 1
    case .gateway(let namespace, _, istio: true):
      istioGatewayCount += 1
      istioGatewaysPerNamespace[namespace, default: 0] += 1
    case .gateway(let namespace, _, istio: false):
      gatewayCount += 1
      gatewaysPerNamespace[namespace, default: 0] += 1
    case .virtualService(let service) where service.isDelegate:
      delegateCount += 1
      delegatesPerNamespace[service.namespace, default: 0] += 1
    default:
      break
    }
  }
}

// MARK: - Renumbering

extension CrossDocumentAnalysis.CatalogRecord {
  /// The record with the analysis's numbers for the document's.
  func renumbered(_ numbering: CrossDocumentAnalysis.DocumentFacts.Numbering) -> Self {
    let id = numbering.namespace
    switch self {
    case .service(let namespace, let name): return .service(namespace: id(namespace), name: name)
    case .workload(var workload):
      workload.namespace = id(workload.namespace)
      return .workload(workload)
    case .route(let namespace, let service, var split):
      split.sequence += numbering.firstSequence
      return .route(namespace: id(namespace), service: service, split: split)
    case .namespacePolicy(let namespace, var policy):
      policy.sequence += numbering.firstSequence
      return .namespacePolicy(namespace: id(namespace), policy: policy)
    case .destinationRule(var rule):
      rule.namespace = id(rule.namespace)
      rule.host.namespace = id(rule.host.namespace)
      return .destinationRule(rule)
    case .gateway(let namespace, let name, let istio): return .gateway(namespace: id(namespace), name: name, istio: istio)
    case .referenceGrant(var grant):
      grant.namespace = id(grant.namespace)
      return .referenceGrant(grant)
    case .apexService(let namespace, let name): return .apexService(namespace: id(namespace), name: name)
    case .serviceEntry(var entry):
      entry.namespace = id(entry.namespace)
      for index in entry.hosts.indices { entry.hosts[index].namespace = id(entry.hosts[index].namespace) }
      return .serviceEntry(entry)
    case .virtualService(var service):
      service.namespace = id(service.namespace)
      return .virtualService(service)
    }
  }
}

extension CrossDocumentAnalysis.Query {
  /// The query with the analysis's numbers for the document's (nothing is found for it yet).
  func renumbered(_ numbering: CrossDocumentAnalysis.DocumentFacts.Numbering) -> Self {
    let id = numbering.namespace
    let first = numbering.firstSequence
    switch self {
    case .split(var split):
      split.sequence += first
      split.namespace = id(split.namespace)
      return .split(split)
    case .policy(var policy):
      policy.sequence += first
      policy.namespace = id(policy.namespace)
      return .policy(policy)
    case .route(var route):
      route.sequence += first
      route.namespace = id(route.namespace)
      for index in route.references.indices {
        route.references[index].namespace = id(route.references[index].namespace)
      }
      return .route(route)
    case .service(var service):
      service.sequence += first
      service.namespace = id(service.namespace)
      return .service(service)
    case .job(var job):
      job.sequence += first
      job.namespace = id(job.namespace)
      return .job(job)
    }
  }
}
