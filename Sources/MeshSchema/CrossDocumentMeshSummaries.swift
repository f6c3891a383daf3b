import Manifest

/// The mesh analyzers' records (see `CrossDocumentMesh.swift`) and how they are written to the
/// analysis's temporary files.
extension CrossDocumentAnalysis {
  /// A host as Istio resolves it: a cluster Service (`name` in `namespace`) or a literal host.
  struct HostKey: Sendable, Hashable {
    var name: String
    var namespace: StringID
    var isService: Bool
  }

  /// An Istio DestinationRule, as the subset check needs it.
  struct DestinationRuleRecord: Sendable {
    var namespace: StringID
    var host: HostKey
    /// `spec.exportTo`; nil when absent (visible everywhere).
    var exportTo: [String]?
    var subsets: [String]
  }

  /// An Istio ServiceEntry, as the route checks need it: its hosts are destinations too.
  struct ServiceEntryRecord: Sendable {
    var namespace: StringID
    /// Its hosts without a wildcard, resolved as a DestinationRule's host is.
    var hosts: [HostKey]
    /// Its wildcard hosts, each without its leading `*` (`.example.com` for `*.example.com`).
    var wildcardSuffixes: [String]
    /// `spec.exportTo`; nil when absent (visible everywhere).
    var exportTo: [String]?
  }

  /// An Istio VirtualService, as a root's `delegate` needs it.
  struct VirtualServiceRecord: Sendable {
    var namespace: StringID
    var name: String
    /// Whether it has no `hosts`: only then does Istio use it as a delegate.
    var isDelegate: Bool
    /// `spec.exportTo`; nil when absent (visible everywhere).
    var exportTo: [String]?
  }

  /// A Gateway API ReferenceGrant: `from` as `group/kind/namespace`, `to` as `group/kind/name`
  /// (the name empty when the grant covers every object of the kind).
  struct ReferenceGrantRecord: Sendable {
    var namespace: StringID
    var from: [String]
    var to: [String]
  }

  /// One reference of a route, and whether it was found.
  struct MeshReference: Sendable {
    enum Kind: UInt8, Sendable {
      /// A Service (a VirtualService destination host, a backendRef, a GAMMA parentRef).
      case service
      /// A DestinationRule subset of a host: `name` is the host's, `detail` the subset.
      case subset
      /// An Istio Gateway of a VirtualService's `gateways`.
      case istioGateway
      /// A Gateway API Gateway of a route's `parentRefs`.
      case gateway
      /// A ReferenceGrant a cross-namespace backendRef needs: `detail` is the route's kind.
      case grant
      /// A VirtualService an HTTP route delegates to.
      case delegate
    }
    var kind: Kind
    var name: String
    /// Where the target is looked for.
    var namespace: StringID
    var isService = true
    /// Subsets: the subset. Grants: the route's kind. Services: `mirror` for a mirror's host.
    var detail = ""
    var site: Site
    var found = false
    /// Subsets: whether a DestinationRule for the host is visible. Delegates: whether a
    /// VirtualService of that name is in the input, though Istio cannot use it.
    var ruleSeen = false
    /// Subsets: the subsets the visible rules define. Gateways: the namespace of a Gateway of
    /// that name elsewhere in the input. Delegates: why the one seen cannot be used (`hosts`
    /// or `exportTo`).
    var known: [String] = []

    /// Whether nothing more can be found for it.
    var settled: Bool { found }
  }

  /// A VirtualService or Gateway API route and its references.
  struct RouteQuery: Sendable {
    var sequence: Int
    var namespace: StringID
    var kind: String
    var references: [MeshReference]
  }

  /// A Service port, as the protocol checks need it.
  struct ServicePort: Sendable {
    var name: String?
    var appProtocol: String?
    var port: Int?
    /// The target port when it is a number.
    var targetPort: Int?
    /// Where the port's `name` is (else its `port`).
    var site: Site
  }

  /// A Service with a selector, and what its selector matched.
  struct ServiceQuery: Sendable {
    var sequence: Int
    var namespace: StringID
    var name: String
    var selector: [LabelPair]
    var selectorText: String
    var selectorSite: Site
    /// Its `config.linkerd.io/opaque-ports` annotation.
    var opaquePorts: String?
    var ports: [ServicePort]
    var matched = false
    /// Whether an SMI TrafficSplit routes it (an apex Service may select nothing).
    var isApex = false
    var istioMeshed = false
    var linkerdMeshed = false
    /// The opaque-ports annotations of the Linkerd-meshed workloads it selects.
    var workloadOpaquePorts: [String] = []
  }

  /// A Job or CronJob, as the sidecar-completion check needs it.
  struct JobQuery: Sendable {
    var sequence: Int
    var namespace: StringID
    var kind: String
    var sidecar: PodInjectionMarks
    /// The per-workload native-sidecar overrides (Istio's and Linkerd's annotations).
    var istioNative: String?
    var linkerdNative: String?
    /// Where a proxy container sits among the regular containers, if one does.
    var classicProxy: Site?
    /// The pod spec's site.
    var site: Site
  }
}

extension CrossDocumentAnalysis.HostKey: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.string(name)
    encoder.int(Int(namespace))
    encoder.bool(isService)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(name: decoder.string(), namespace: decoder.stringID(), isService: decoder.bool())
  }
}

extension CrossDocumentAnalysis.DestinationRuleRecord: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(Int(namespace))
    encoder.record(host)
    encoder.optional(exportTo) { $0.array($1) { $0.string($1) } }
    encoder.array(subsets) { $0.string($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      namespace: decoder.stringID(), host: decoder.record(), exportTo: decoder.optional { $0.array { $0.string() } },
      subsets: decoder.array { $0.string() })
  }
}

extension CrossDocumentAnalysis.ServiceEntryRecord: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(Int(namespace))
    encoder.array(hosts) { $0.record($1) }
    encoder.array(wildcardSuffixes) { $0.string($1) }
    encoder.optional(exportTo) { $0.array($1) { $0.string($1) } }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      namespace: decoder.stringID(), hosts: decoder.array { $0.record() }, wildcardSuffixes: decoder.array { $0.string() },
      exportTo: decoder.optional { $0.array { $0.string() } })
  }
}

extension CrossDocumentAnalysis.VirtualServiceRecord: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(Int(namespace))
    encoder.string(name)
    encoder.bool(isDelegate)
    encoder.optional(exportTo) { $0.array($1) { $0.string($1) } }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      namespace: decoder.stringID(), name: decoder.string(), isDelegate: decoder.bool(),
      exportTo: decoder.optional { $0.array { $0.string() } })
  }
}

extension CrossDocumentAnalysis.ReferenceGrantRecord: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(Int(namespace))
    encoder.array(from) { $0.string($1) }
    encoder.array(to) { $0.string($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(namespace: decoder.stringID(), from: decoder.array { $0.string() }, to: decoder.array { $0.string() })
  }
}

extension CrossDocumentAnalysis.MeshReference: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.unsigned(UInt64(kind.rawValue))
    encoder.string(name)
    encoder.int(Int(namespace))
    encoder.bool(isService)
    encoder.string(detail)
    encoder.record(site)
    encoder.bool(found)
    encoder.bool(ruleSeen)
    encoder.array(known) { $0.string($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      kind: Kind(rawValue: UInt8(truncatingIfNeeded: decoder.unsigned())) ?? .service, name: decoder.string(),
      namespace: decoder.stringID(), isService: decoder.bool(), detail: decoder.string(), site: decoder.record(),
      found: decoder.bool(), ruleSeen: decoder.bool(), known: decoder.array { $0.string() })
  }
}

extension CrossDocumentAnalysis.RouteQuery: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(sequence)
    encoder.int(Int(namespace))
    encoder.string(kind)
    encoder.array(references) { $0.record($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      sequence: decoder.int(), namespace: decoder.stringID(), kind: decoder.string(),
      references: decoder.array { $0.record() })
  }
}

extension CrossDocumentAnalysis.ServicePort: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.optional(name) { $0.string($1) }
    encoder.optional(appProtocol) { $0.string($1) }
    encoder.optional(port) { $0.int($1) }
    encoder.optional(targetPort) { $0.int($1) }
    encoder.record(site)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      name: decoder.optional { $0.string() }, appProtocol: decoder.optional { $0.string() },
      port: decoder.optional { $0.int() }, targetPort: decoder.optional { $0.int() }, site: decoder.record())
  }
}

extension CrossDocumentAnalysis.ServiceQuery: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(sequence)
    encoder.int(Int(namespace))
    encoder.string(name)
    encoder.labels(selector)
    encoder.string(selectorText)
    encoder.record(selectorSite)
    encoder.optional(opaquePorts) { $0.string($1) }
    encoder.array(ports) { $0.record($1) }
    encoder.bool(matched)
    encoder.bool(isApex)
    encoder.bool(istioMeshed)
    encoder.bool(linkerdMeshed)
    encoder.array(workloadOpaquePorts) { $0.string($1) }
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      sequence: decoder.int(), namespace: decoder.stringID(), name: decoder.string(), selector: decoder.labels(),
      selectorText: decoder.text(), selectorSite: decoder.record(), opaquePorts: decoder.optional { $0.string() },
      ports: decoder.array { $0.record() }, matched: decoder.bool(), isApex: decoder.bool(), istioMeshed: decoder.bool(),
      linkerdMeshed: decoder.bool(), workloadOpaquePorts: decoder.array { $0.string() })
  }
}

extension CrossDocumentAnalysis.JobQuery: SpillRecord {
  func encode(into encoder: inout RecordEncoder) {
    encoder.int(sequence)
    encoder.int(Int(namespace))
    encoder.string(kind)
    encoder.record(sidecar)
    encoder.optional(istioNative) { $0.string($1) }
    encoder.optional(linkerdNative) { $0.string($1) }
    encoder.optional(classicProxy) { $0.record($1) }
    encoder.record(site)
  }

  init(decoding decoder: inout RecordDecoder) {
    self.init(
      sequence: decoder.int(), namespace: decoder.stringID(), kind: decoder.string(), sidecar: decoder.record(),
      istioNative: decoder.optional { $0.string() }, linkerdNative: decoder.optional { $0.string() },
      classicProxy: decoder.optional { $0.record() }, site: decoder.record())
  }
}
