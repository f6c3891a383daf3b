import Manifest

/// The summaries the cross-document analysis keeps, and how they are written to its temporary
/// files. Two kinds: *facts* (`CatalogRecord`), what the input holds, looked up by the checks;
/// and *queries*, the objects the checks are about (TrafficSplits, MTLSPolicies), each carrying
/// what has been found for it so far.
extension CrossDocumentAnalysis {
  /// An interned string's number; `StringTable.none` stands for an absent one.
  typealias StringID = Int32

  /// A label `key=value` as a 64-bit fingerprint (Swift's seeded hash of both strings). Labels
  /// are only ever compared, never printed, so their text is not kept; two different labels
  /// share a fingerprint with a chance of 2^-64, and a crafted input cannot aim for it.
  typealias LabelPair = UInt64

  /// Which field of a backend a finding points at.
  enum BackendField: UInt8, Sendable { case selector, service }

  /// Where an object is, for findings that point at it.
  struct Site: Sendable {
    var file: String
    var mark: SourceMark
    var path: String?
    var object: String
    var sourceLine: String?
  }

  /// The first object that claimed something (a Service's routing, a namespace's policy), as
  /// the finding about a later one names it.
  struct Earlier: Sendable {
    var sequence: Int
    var reference: String
    /// `file:line`.
    var location: String
  }

  /// A workload as the selector and mTLS checks need it.
  struct WorkloadRecord: Sendable {
    var namespace: StringID
    var kind: String
    var name: String?
    /// What its pod template says about injection.
    var sidecar: PodInjectionMarks
    var labels: [LabelPair]
    /// Its pod template's `config.linkerd.io/opaque-ports` annotation.
    var opaquePorts: String? = nil
  }

  /// One fact about the input.
  enum CatalogRecord: Sendable {
    case service(namespace: StringID, name: String)
    case workload(WorkloadRecord)
    /// A TrafficSplit routing `service`: the first per Service is what duplicates name.
    case route(namespace: StringID, service: String, split: Earlier)
    /// A namespace-wide MTLSPolicy.
    case namespacePolicy(namespace: StringID, policy: Earlier)
    /// An Istio DestinationRule: the host it configures, where it is visible, its subsets.
    case destinationRule(DestinationRuleRecord)
    /// An Istio Gateway (`istio`) or a Gateway API Gateway.
    case gateway(namespace: StringID, name: String, istio: Bool)
    /// A Gateway API ReferenceGrant: what it lets refer to what in its namespace.
    case referenceGrant(ReferenceGrantRecord)
    /// The apex Service of an SMI TrafficSplit.
    case apexService(namespace: StringID, name: String)
    /// An Istio ServiceEntry: hosts routes may send traffic to.
    case serviceEntry(ServiceEntryRecord)
    /// An Istio VirtualService, for the roots that delegate to it.
    case virtualService(VirtualServiceRecord)
  }

  struct BackendQuery: Sendable {
    var name: String
    var selector: [LabelPair]?
    /// The selector as messages show it: `key=value` pairs by key, comma-separated.
    var selectorText: String
    var service: String?
    /// Where the backend's `selector` or `service` is, else the split's `spec.backends`.
    var mark: SourceMark
    var index: Int
    var field: BackendField?
    /// The source line at `mark`, kept for standard input only.
    var sourceLine: String?
    var serviceFound = false
    var selectorMatched = false
  }

  /// A TrafficSplit and what has been found for it.
  struct SplitQuery: Sendable {
    var sequence: Int
    var namespace: StringID
    var reference: String
    var service: String
    var file: String
    /// Where `spec.service` is.
    var serviceMark: SourceMark
    /// The object's path in its document (`items[3]`), the prefix of the findings' paths.
    var objectPath: String
    var serviceLine: String?
    var backends: [BackendQuery]
    var serviceFound = false
    /// The first earlier split of the same Service, once one is found.
    var duplicateOf: Earlier?
  }

  /// An MTLSPolicy and what has been found for it.
  struct PolicyQuery: Sendable {
    var sequence: Int
    var namespace: StringID
    var reference: String
    var mode: String
    /// nil for a namespace-wide policy.
    var matchLabels: [LabelPair]?
    var site: Site
    var duplicateOf: Earlier?
    /// STRICT only: how many covered workloads have no sidecar, and the first three of them.
    var bareCount = 0
    var bareReferences: [String] = []
  }

  enum Query: Sendable {
    case split(SplitQuery)
    case policy(PolicyQuery)
    /// A VirtualService or Gateway API route and its references.
    case route(RouteQuery)
    /// A Service with a selector: what it selects, and its ports.
    case service(ServiceQuery)
    /// A Job or CronJob, for its sidecar.
    case job(JobQuery)
  }
}

// MARK: - Sizes

/// What a summary costs in memory, roughly: enough to keep the analysis near its budget.
extension CrossDocumentAnalysis.CatalogRecord {
  var estimatedSize: Int {
    switch self {
    case .service(_, let name): return 48 + name.utf8.count
    case .workload(let workload):
      return 64 + workload.kind.utf8.count + (workload.name?.utf8.count ?? 0) + 8 * workload.labels.count
        + workload.sidecar.estimatedSize
    case .route(_, let service, let split): return 64 + service.utf8.count + split.estimatedSize
    case .namespacePolicy(_, let policy): return 48 + policy.estimatedSize
    case .destinationRule(let rule):
      return 64 + rule.host.name.utf8.count + (rule.exportTo ?? []).reduce(0) { $0 + 16 + $1.utf8.count }
        + rule.subsets.reduce(0) { $0 + 16 + $1.utf8.count }
    case .gateway(_, let name, _), .apexService(_, let name): return 48 + name.utf8.count
    case .referenceGrant(let grant): return 48 + (grant.from + grant.to).reduce(0) { $0 + 16 + $1.utf8.count }
    case .serviceEntry(let entry):
      return 64 + entry.hosts.reduce(0) { $0 + 32 + $1.name.utf8.count }
        + (entry.wildcardSuffixes + (entry.exportTo ?? [])).reduce(0) { $0 + 16 + $1.utf8.count }
    case .virtualService(let service):
      return 64 + service.name.utf8.count + (service.exportTo ?? []).reduce(0) { $0 + 16 + $1.utf8.count }
    }
  }
}

extension CrossDocumentAnalysis.Earlier {
  var estimatedSize: Int { 48 + reference.utf8.count + location.utf8.count }
}

// MARK: - Encoding

extension CrossDocumentAnalysis.Earlier: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(sequence)
    encoder.string(reference)
    encoder.string(location)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(sequence: decoder.int(), reference: decoder.text(), location: decoder.text())
  }
}

extension PodInjectionMarks: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    for value in [istioInjectLabel, istioInjectAnnotation, istioRevision, linkerdInject] {
      encoder.optional(value) { $0.string($1) }
    }
    encoder.array(proxies.sorted()) { $0.string($1) }
    encoder.bool(hostNetwork)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      istioInjectLabel: decoder.optional { $0.string() }, istioInjectAnnotation: decoder.optional { $0.string() },
      istioRevision: decoder.optional { $0.string() }, linkerdInject: decoder.optional { $0.string() },
      proxies: Set(decoder.array { $0.string() }), hostNetwork: decoder.bool())
  }
}

extension CrossDocumentAnalysis.Site: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.file(file)
    encoder.mark(mark)
    encoder.optional(path) { $0.string($1) }
    encoder.object(object)
    encoder.optional(sourceLine) { $0.string($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      file: decoder.file(), mark: decoder.mark(), path: decoder.optional { $0.text() }, object: decoder.object(),
      sourceLine: decoder.optional { $0.text() })
  }
}

extension RecordEncoder {
  mutating func labels(_ labels: [UInt64]) { array(labels) { $0.fingerprint($1) } }
  mutating func record(_ record: some SpillRecord) { record.encode(into: &self) }
}

extension RecordDecoder {
  mutating func labels() -> [UInt64] { array { $0.fingerprint() } }
  mutating func record<T: SpillRecord>(_: T.Type = T.self) -> T { T(decoding: &self) }
  mutating func stringID() -> CrossDocumentAnalysis.StringID { Int32(truncatingIfNeeded: int()) }
}

extension CrossDocumentAnalysis.CatalogRecord: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    switch self {
    case .service(let namespace, let name):
      encoder.unsigned(0)
      encoder.int(Int(namespace))
      encoder.string(name)
    case .workload(let workload):
      encoder.unsigned(1)
      encoder.int(Int(workload.namespace))
      encoder.string(workload.kind)
      encoder.optional(workload.name) { $0.string($1) }
      encoder.record(workload.sidecar)
      encoder.labels(workload.labels)
      encoder.optional(workload.opaquePorts) { $0.string($1) }
    case .route(let namespace, let service, let split):
      encoder.unsigned(2)
      encoder.int(Int(namespace))
      encoder.string(service)
      encoder.record(split)
    case .namespacePolicy(let namespace, let policy):
      encoder.unsigned(3)
      encoder.int(Int(namespace))
      encoder.record(policy)
    case .destinationRule(let rule):
      encoder.unsigned(4)
      encoder.int(Int(rule.namespace))
      encoder.record(rule)
    case .gateway(let namespace, let name, let istio):
      encoder.unsigned(5)
      encoder.int(Int(namespace))
      encoder.string(name)
      encoder.bool(istio)
    case .referenceGrant(let grant):
      encoder.unsigned(6)
      encoder.int(Int(grant.namespace))
      encoder.record(grant)
    case .apexService(let namespace, let name):
      encoder.unsigned(7)
      encoder.int(Int(namespace))
      encoder.string(name)
    case .serviceEntry(let entry):
      encoder.unsigned(8)
      encoder.int(Int(entry.namespace))
      encoder.record(entry)
    case .virtualService(let service):
      encoder.unsigned(9)
      encoder.int(Int(service.namespace))
      encoder.record(service)
    }
  }

  init(decoding decoder: inout RecordDecoder) {
    let tag = decoder.unsigned()
    let namespace = decoder.stringID()
    switch tag {
    case 0: self = .service(namespace: namespace, name: decoder.string())
    case 1:
      self = .workload(
        CrossDocumentAnalysis.WorkloadRecord(
          namespace: namespace, kind: decoder.string(), name: decoder.optional { $0.string() },
          sidecar: decoder.record(),
          labels: decoder.labels(), opaquePorts: decoder.optional { $0.string() }))
    case 2: self = .route(namespace: namespace, service: decoder.string(), split: decoder.record())
    case 3: self = .namespacePolicy(namespace: namespace, policy: decoder.record())
    case 4: self = .destinationRule(decoder.record())
    case 5: self = .gateway(namespace: namespace, name: decoder.string(), istio: decoder.bool())
    case 6: self = .referenceGrant(decoder.record())
    case 8: self = .serviceEntry(decoder.record())
    case 9: self = .virtualService(decoder.record())
    default: self = .apexService(namespace: namespace, name: decoder.string())
    }
  }
}

extension CrossDocumentAnalysis.BackendQuery: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.string(name)
    encoder.optional(selector) { $0.labels($1) }
    encoder.string(selectorText)
    encoder.optional(service) { $0.string($1) }
    encoder.mark(mark)
    encoder.int(index)
    encoder.optional(field) { $0.unsigned(UInt64($1.rawValue)) }
    encoder.optional(sourceLine) { $0.string($1) }
    encoder.bool(serviceFound)
    encoder.bool(selectorMatched)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      name: decoder.text(), selector: decoder.optional { $0.labels() }, selectorText: decoder.text(),
      service: decoder.optional { $0.string() }, mark: decoder.mark(), index: decoder.int(),
      field: decoder.optional { CrossDocumentAnalysis.BackendField(rawValue: UInt8(truncatingIfNeeded: $0.unsigned())) }
        ?? nil,
      sourceLine: decoder.optional { $0.text() }, serviceFound: decoder.bool(), selectorMatched: decoder.bool())
  }
}

extension CrossDocumentAnalysis.Query: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    switch self {
    case .split(let split):
      encoder.unsigned(0)
      encoder.int(split.sequence)
      encoder.int(Int(split.namespace))
      encoder.object(split.reference)
      encoder.string(split.service)
      encoder.file(split.file)
      encoder.mark(split.serviceMark)
      encoder.string(split.objectPath)
      encoder.optional(split.serviceLine) { $0.string($1) }
      encoder.array(split.backends) { $0.record($1) }
      encoder.bool(split.serviceFound)
      encoder.optional(split.duplicateOf) { $0.record($1) }
    case .policy(let policy):
      encoder.unsigned(1)
      encoder.int(policy.sequence)
      encoder.int(Int(policy.namespace))
      encoder.object(policy.reference)
      encoder.string(policy.mode)
      encoder.optional(policy.matchLabels) { $0.labels($1) }
      encoder.record(policy.site)
      encoder.optional(policy.duplicateOf) { $0.record($1) }
      encoder.int(policy.bareCount)
      encoder.array(policy.bareReferences) { $0.string($1) }
    case .route(let route):
      encoder.unsigned(2)
      encoder.record(route)
    case .service(let service):
      encoder.unsigned(3)
      encoder.record(service)
    case .job(let job):
      encoder.unsigned(4)
      encoder.record(job)
    }
  }

  init(decoding decoder: inout RecordDecoder) {
    let tag = decoder.unsigned()
    switch tag {
    case 2: self = .route(decoder.record())
    case 3: self = .service(decoder.record())
    case 4: self = .job(decoder.record())
    case 0:
      self = .split(
        CrossDocumentAnalysis.SplitQuery(
          sequence: decoder.int(), namespace: decoder.stringID(), reference: decoder.object(),
          service: decoder.string(), file: decoder.file(), serviceMark: decoder.mark(),
          objectPath: decoder.text(), serviceLine: decoder.optional { $0.text() },
          backends: decoder.array { $0.record() }, serviceFound: decoder.bool(),
          duplicateOf: decoder.optional { $0.record() }))
    default:
      self = .policy(
        CrossDocumentAnalysis.PolicyQuery(
          sequence: decoder.int(), namespace: decoder.stringID(), reference: decoder.object(), mode: decoder.string(),
          matchLabels: decoder.optional { $0.labels() }, site: decoder.record(),
          duplicateOf: decoder.optional { $0.record() }, bareCount: decoder.int(),
          bareReferences: decoder.array { $0.text() }))
    }
  }
}
