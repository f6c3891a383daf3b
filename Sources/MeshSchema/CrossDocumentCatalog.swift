import Manifest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CrossDocumentAnalysis {
  /// What the analysis knows of every namespace: counts and injection, a few numbers per
  /// namespace, kept whole for the run (namespaces are few next to objects).
  struct NamespaceFacts: Sendable {
    var names = StringTable()
    var serviceCount = 0
    var servicesPerNamespace: [StringID: Int] = [:]
    var workloadCount = 0
    var workloadsPerNamespace: [StringID: Int] = [:]
    /// The injection labels and annotation of each Namespace in the input.
    var marks: [StringID: NamespaceInjectionMarks] = [:]
    /// The `config.linkerd.io/opaque-ports` annotation of each Namespace in the input.
    var opaquePorts: [StringID: String] = [:]
    var istioGatewayCount = 0
    var istioGatewaysPerNamespace: [StringID: Int] = [:]
    var gatewayCount = 0
    var gatewaysPerNamespace: [StringID: Int] = [:]
    /// VirtualServices without hosts (delegates), in all and per namespace.
    var delegateCount = 0
    var delegatesPerNamespace: [StringID: Int] = [:]

    /// The number of a namespace; an unset or empty one is `StringTable.none` (Kubernetes puts
    /// both in the namespace of the command).
    mutating func id(_ namespace: String?) -> StringID {
      guard let namespace, !namespace.isEmpty else { return StringTable.none }
      return names.intern(namespace)
    }

    func name(_ id: StringID) -> String? { id == StringTable.none ? nil : names[id] }

    /// Whether a Service in the input could be in `namespace`: without one, a split is a
    /// policy reviewed on its own, whose Services live in the cluster.
    func hasServices(compatibleWith namespace: StringID) -> Bool {
      Self.count(compatibleWith: namespace, in: servicesPerNamespace, total: serviceCount) > 0
    }

    /// Whether a workload in the input could be in `namespace`.
    func hasWorkloads(compatibleWith namespace: StringID) -> Bool {
      Self.count(compatibleWith: namespace, in: workloadsPerNamespace, total: workloadCount) > 0
    }

    /// Whether an Istio Gateway (`istio`) or a Gateway API Gateway in the input could be in `namespace`.
    func hasGateways(istio: Bool, compatibleWith namespace: StringID) -> Bool {
      istio
        ? Self.count(compatibleWith: namespace, in: istioGatewaysPerNamespace, total: istioGatewayCount) > 0
        : Self.count(compatibleWith: namespace, in: gatewaysPerNamespace, total: gatewayCount) > 0
    }

    /// Whether a delegate VirtualService (one without hosts) in the input could be in `namespace`.
    func hasDelegates(compatibleWith namespace: StringID) -> Bool {
      Self.count(compatibleWith: namespace, in: delegatesPerNamespace, total: delegateCount) > 0
    }

    /// Whether the input holds Services that name `namespace` itself (not merely unset ones):
    /// then that namespace's objects are taken to be in the input.
    func holdsServices(of namespace: StringID) -> Bool {
      namespace != StringTable.none && servicesPerNamespace[namespace, default: 0] > 0
    }

    private static func count(compatibleWith namespace: StringID, in perNamespace: [StringID: Int], total: Int) -> Int {
      guard namespace != StringTable.none else { return total }
      return perNamespace[namespace, default: 0] + perNamespace[StringTable.none, default: 0]
    }
  }

  /// Whether two namespaces can be the same at apply time (unset matches anything).
  static func compatible(_ a: StringID, _ b: StringID) -> Bool {
    a == StringTable.none || b == StringTable.none || a == b
  }

  /// A workload in a few numbers.
  struct WorkloadSummary: Sendable {
    var namespace: StringID
    var kind: StringID
    var name: StringID
    var sidecar: PodInjectionMarks
    /// Its pod template's `config.linkerd.io/opaque-ports` annotation.
    var opaquePorts: String?
    /// Its pod template labels: a range of `Catalog.workloadLabels`.
    var labels: Range<Int32>
  }

  /// A TrafficSplit's key for duplicates: its namespace and Service.
  struct RouteKey: Hashable, Sendable {
    var namespace: StringID
    var service: String
  }

  /// A part of the facts, in memory and indexed: the whole input when it is small, else one
  /// budget's worth of it at a time.
  struct Catalog: Sendable {
    private var names = StringTable()
    private var serviceKeys: Set<UInt64> = []
    private var serviceNames: Set<StringID> = []
    private(set) var workloads: [WorkloadSummary] = []
    private var workloadLabels: [LabelPair] = []
    /// For each label, the workloads carrying it: built by `index()`.
    private var carriers: [LabelPair: [Int32]] = [:]
    private var routes: [RouteKey: Earlier] = [:]
    private var namespacePolicies: [StringID: Earlier] = [:]
    /// The DestinationRules here, and for each host name the rules configuring it.
    private(set) var destinationRules: [DestinationRuleRecord] = []
    private var rulesByHost: [String: [Int32]] = [:]
    /// Gateways as packed (namespace, name) keys, with their names for unset namespaces.
    private var gatewayKeys: [Bool: Set<UInt64>] = [:]
    private var gatewayNames: [Bool: Set<StringID>] = [:]
    /// For each Gateway name, the namespaces holding one (Istio's under true).
    private var gatewayNamespaces: [Bool: [StringID: [StringID]]] = [:]
    private(set) var referenceGrants: [ReferenceGrantRecord] = []
    /// The ServiceEntries here; for each host name (a cluster Service's short name, else the
    /// literal host) the entries listing it; and the entries with a wildcard host.
    private var serviceEntries: [ServiceEntryRecord] = []
    private var entriesByHost: [String: [Int32]] = [:]
    private var wildcardEntries: [Int32] = []
    /// The VirtualServices here, by name.
    private var virtualServicesByName: [String: [VirtualServiceRecord]] = [:]
    /// SMI TrafficSplits' apex Services, as packed (namespace, name) keys.
    private var apexKeys: Set<UInt64> = []
    private var apexNames: Set<StringID> = []
    /// The highest sequence number of a route here: splits up to it have met every earlier one.
    private(set) var lastRouteSequence = -1
    /// What the records absorbed cost, by their estimate.
    private(set) var estimatedSize = 0

    /// Adds one fact.
    mutating func absorb(_ record: CatalogRecord) {
      estimatedSize += record.estimatedSize
      switch record {
      case .service(let namespace, let name):
        let name = names.intern(name)
        serviceKeys.insert(Self.pack(namespace, name))
        serviceNames.insert(name)
      case .workload(let workload):
        let start = Int32(workloadLabels.count)
        workloadLabels += workload.labels
        workloads.append(
          WorkloadSummary(
            namespace: workload.namespace, kind: names.intern(workload.kind),
            name: workload.name.map { names.intern($0) } ?? StringTable.none, sidecar: workload.sidecar,
            opaquePorts: workload.opaquePorts, labels: start..<Int32(workloadLabels.count)))
      case .route(let namespace, let service, let split):
        let key = RouteKey(namespace: namespace, service: service)
        if routes[key] == nil { routes[key] = split }
        lastRouteSequence = max(lastRouteSequence, split.sequence)
      case .namespacePolicy(let namespace, let policy):
        if namespacePolicies[namespace] == nil { namespacePolicies[namespace] = policy }
      case .destinationRule(let rule):
        rulesByHost[rule.host.name, default: []].append(Int32(destinationRules.count))
        destinationRules.append(rule)
      case .gateway(let namespace, let name, let istio):
        let name = names.intern(name)
        gatewayKeys[istio, default: []].insert(Self.pack(namespace, name))
        gatewayNames[istio, default: []].insert(name)
        gatewayNamespaces[istio, default: [:]][name, default: []].append(namespace)
      case .referenceGrant(let grant):
        referenceGrants.append(grant)
      case .apexService(let namespace, let name):
        let name = names.intern(name)
        apexKeys.insert(Self.pack(namespace, name))
        apexNames.insert(name)
      case .serviceEntry(let entry):
        let position = Int32(serviceEntries.count)
        serviceEntries.append(entry)
        for name in Set(entry.hosts.map(\.name)) { entriesByHost[name, default: []].append(position) }
        if !entry.wildcardSuffixes.isEmpty { wildcardEntries.append(position) }
      case .virtualService(let service):
        virtualServicesByName[service.name, default: []].append(service)
      }
    }

    /// Builds the label index, once every record is in.
    mutating func index() {
      for (position, workload) in workloads.enumerated() {
        for label in labels(of: workload) { carriers[label, default: []].append(Int32(position)) }
      }
    }

    private static func pack(_ high: StringID, _ low: StringID) -> UInt64 {
      UInt64(UInt32(bitPattern: high)) << 32 | UInt64(UInt32(bitPattern: low))
    }

    /// Whether a Service `name` here could be in `namespace`.
    func hasService(_ name: String, compatibleWith namespace: StringID) -> Bool {
      guard let name = names.id(of: name) else { return false }
      if namespace == StringTable.none { return serviceNames.contains(name) }
      return serviceKeys.contains(Self.pack(namespace, name)) || serviceKeys.contains(Self.pack(StringTable.none, name))
    }

    /// Whether a Gateway `name` here (Istio's or the Gateway API's) could be in `namespace`.
    func hasGateway(_ name: String, istio: Bool, compatibleWith namespace: StringID) -> Bool {
      guard let name = names.id(of: name) else { return false }
      if namespace == StringTable.none { return gatewayNames[istio]?.contains(name) ?? false }
      let keys = gatewayKeys[istio] ?? []
      return keys.contains(Self.pack(namespace, name)) || keys.contains(Self.pack(StringTable.none, name))
    }

    /// Whether an SMI TrafficSplit here routes a Service `name` that could be in `namespace`.
    func isApex(_ name: String, compatibleWith namespace: StringID) -> Bool {
      guard let name = names.id(of: name) else { return false }
      if namespace == StringTable.none { return apexNames.contains(name) }
      return apexKeys.contains(Self.pack(namespace, name)) || apexKeys.contains(Self.pack(StringTable.none, name))
    }

    /// The namespaces of the Gateways here named `name` (Istio's, or the Gateway API's).
    func gatewayNamespaces(named name: String, istio: Bool) -> [StringID] {
      guard let name = names.id(of: name) else { return [] }
      return gatewayNamespaces[istio]?[name] ?? []
    }

    /// The ServiceEntries here listing a host of that name (without a wildcard).
    func serviceEntries(forHostNamed name: String) -> [ServiceEntryRecord] {
      (entriesByHost[name] ?? []).map { serviceEntries[Int($0)] }
    }

    /// The ServiceEntries here with a wildcard host.
    var wildcardServiceEntries: [ServiceEntryRecord] { wildcardEntries.map { serviceEntries[Int($0)] } }

    /// The VirtualServices here named `name` that could be in `namespace`.
    func virtualServices(named name: String, compatibleWith namespace: StringID) -> [VirtualServiceRecord] {
      (virtualServicesByName[name] ?? []).filter { CrossDocumentAnalysis.compatible($0.namespace, namespace) }
    }

    /// The DestinationRules here configuring a host of that name.
    func destinationRules(forHostNamed name: String) -> [DestinationRuleRecord] {
      (rulesByHost[name] ?? []).map { destinationRules[Int($0)] }
    }

    /// The names of the Services here that could be in `namespace`, for a did-you-mean hint.
    func serviceNames(compatibleWith namespace: StringID) -> Set<String> {
      var result: Set<String> = []
      for key in serviceKeys where CrossDocumentAnalysis.compatible(StringID(bitPattern: UInt32(key >> 32)), namespace)
      {
        result.insert(names[StringID(bitPattern: UInt32(key & 0xFFFF_FFFF))])
      }
      return result
    }

    /// The first split here routing `key`'s Service.
    func firstRoute(_ key: RouteKey) -> Earlier? { routes[key] }

    /// The first namespace-wide policy here for `namespace`.
    func firstNamespacePolicy(_ namespace: StringID) -> Earlier? { namespacePolicies[namespace] }

    func labels(of workload: WorkloadSummary) -> ArraySlice<LabelPair> {
      workloadLabels[Int(workload.labels.lowerBound)..<Int(workload.labels.upperBound)]
    }

    /// The workloads here that could be in `namespace` and carry every label of `selector`.
    func workloads(matching selector: [LabelPair], compatibleWith namespace: StringID) -> [WorkloadSummary] {
      let candidates = selector.map { carriers[$0] ?? [] }.min { $0.count < $1.count } ?? []
      return candidates.map { workloads[Int($0)] }.filter { workload in
        CrossDocumentAnalysis.compatible(workload.namespace, namespace) && carries(workload, all: selector)
      }
    }

    func carries(_ workload: WorkloadSummary, all labels: some Collection<LabelPair>) -> Bool {
      let own = self.labels(of: workload)
      return labels.allSatisfy { own.contains($0) }
    }

    /// Whether a workload here that could be in `namespace` carries every label of `selector`:
    /// only the carriers of its rarest label are looked at.
    func someWorkload(matches selector: [LabelPair], compatibleWith namespace: StringID) -> Bool {
      let candidates = selector.map { carriers[$0] ?? [] }.min { $0.count < $1.count } ?? []
      return candidates.contains { position in
        let workload = workloads[Int(position)]
        return CrossDocumentAnalysis.compatible(workload.namespace, namespace) && carries(workload, all: selector)
      }
    }

    /// `Deployment shop/web`, as `ManifestObject.reference` wrote it.
    func reference(_ workload: WorkloadSummary, namespaces: NamespaceFacts) -> String {
      let name = workload.name == StringTable.none ? "<unnamed>" : names[workload.name]
      if let namespace = namespaces.name(workload.namespace) {
        return "\(names[workload.kind]) \(namespace)/\(name)"
      }
      return "\(names[workload.kind]) \(name)"
    }
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
