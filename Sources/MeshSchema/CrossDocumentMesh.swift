import Manifest

/// The mesh analyzers: Istio VirtualServices and Gateway API routes against the input's
/// DestinationRules, Services, ServiceEntries, Gateways and ReferenceGrants (MC2005–MC2009), and
/// VirtualService delegates (MC2011, MC2012); Service selectors against workloads (MC2010);
/// Service ports of meshed workloads against the providers' protocol detection (MC4003–MC4005);
/// Jobs that keep a classic sidecar running (MC4002).
///
/// They keep the analysis's shape: each object leaves a small record (a fact, or a query that
/// carries what was found for it so far), so memory stays within the budget however many
/// documents there are.
extension CrossDocumentAnalysis {
  /// Linkerd's annotation listing the ports whose traffic skips protocol detection.
  static let opaquePortsKey = "config.linkerd.io/opaque-ports"
  /// Run-to-completion kinds: a classic sidecar keeps their pods running after the work is done.
  static let runToCompletionKinds: Set<String> = ["Job", "CronJob"]
  static let istioNetworkingGroup = "networking.istio.io/"
  static let gatewayAPIGroup = "gateway.networking.k8s.io"
  static let gatewayRouteKinds: Set<String> = ["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"]

  // MARK: - Hosts

  /// A route's or DestinationRule's host: a Service of the cluster (a short name, resolved in
  /// the object's namespace, or `name.namespace.svc.cluster.local`), or a literal host.
  static func host(_ text: String, in namespace: StringID, namespaces: inout DocumentFacts.Namespaces) -> HostKey? {
    guard !text.isEmpty, !text.contains("*") else { return nil }
    if !text.contains(".") { return HostKey(name: text, namespace: namespace, isService: true) }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count == 5, parts[2] == "svc", parts[3] == "cluster", parts[4] == "local", !parts[0].isEmpty,
      !parts[1].isEmpty
    {
      return HostKey(name: String(parts[0]), namespace: namespaces.id(String(parts[1])), isService: true)
    }
    // Istio does not expand a name with a dot (`reviews.shop` is a literal host).
    return HostKey(name: text, namespace: StringTable.none, isService: false)
  }

  /// Whether a DestinationRule in `rule.namespace` with `exportTo` is seen from `namespace`:
  /// by default (no exportTo) everywhere; `*` everywhere; `.` its own namespace; else the named ones.
  func isVisible(_ rule: DestinationRuleRecord, from namespace: StringID) -> Bool {
    isVisible(exportTo: rule.exportTo, of: rule.namespace, from: namespace)
  }

  /// Whether an object of namespace `owner` with `exportTo` is seen from `namespace`; the rule
  /// is the same for DestinationRules, ServiceEntries and VirtualServices.
  func isVisible(exportTo: [String]?, of owner: StringID, from namespace: StringID) -> Bool {
    guard let exportTo, !exportTo.isEmpty else { return true }
    return exportTo.contains { entry in
      switch entry {
      case "*": return true
      case ".": return Self.compatible(owner, namespace)
      case "~": return false
      default: return namespace == StringTable.none || namespaces.names.id(of: entry) == namespace
      }
    }
  }

}

extension CrossDocumentAnalysis.DocumentFacts {
  // MARK: - Summaries

  /// Records a mesh object; false when `kind` is none of the analyzers' kinds.
  mutating func addMeshObject(_ object: ManifestObject, kind: String, apiVersion: String) -> Bool {
    let istio = apiVersion.hasPrefix(Analysis.istioNetworkingGroup)
    let gatewayAPI = apiVersion.hasPrefix(Analysis.gatewayAPIGroup + "/")
    switch kind {
    case "VirtualService" where istio: addVirtualService(object)
    case "DestinationRule" where istio: addDestinationRule(object)
    case "ServiceEntry" where istio: addServiceEntry(object)
    case "Gateway" where istio || gatewayAPI: addGateway(object, istio: istio)
    case "ReferenceGrant" where gatewayAPI: addReferenceGrant(object)
    case "TrafficSplit" where apiVersion.hasPrefix("split.smi-spec.io/"):
      // An SMI apex Service need not select pods: the mesh splits its traffic to the backends.
      guard let service = object.node[path: "spec", "service"]?.string else { return true }
      hold(.apexService(namespace: namespaces.id(object.namespace), name: service))
    case _ where gatewayAPI && Analysis.gatewayRouteKinds.contains(kind): addGatewayRoute(object, kind: kind)
    default: return false
    }
    return true
  }

  private mutating func addDestinationRule(_ object: ManifestObject) {
    guard let spec = object.node["spec"], let hostText = spec["host"]?.string else { return }
    let namespace = namespaces.id(object.namespace)
    guard let host = Analysis.host(hostText, in: namespace, namespaces: &namespaces) else { return }
    let exportTo = spec["exportTo"]?.sequence.map { $0.compactMap(\.string) }
    let subsets = (spec["subsets"]?.sequence ?? []).compactMap { $0["name"]?.string }
    hold(.destinationRule(DestinationRuleRecord(namespace: namespace, host: host, exportTo: exportTo, subsets: subsets)))
  }

  private mutating func addServiceEntry(_ object: ManifestObject) {
    guard let spec = object.node["spec"] else { return }
    let namespace = namespaces.id(object.namespace)
    var hosts: [HostKey] = []
    var wildcards: [String] = []
    for text in (spec["hosts"]?.sequence ?? []).compactMap(\.string) {
      if text.hasPrefix("*") {
        wildcards.append(String(text.dropFirst()))
      } else if let host = Analysis.host(text, in: namespace, namespaces: &namespaces) {
        hosts.append(host)
      }
    }
    guard !hosts.isEmpty || !wildcards.isEmpty else { return }
    let exportTo = spec["exportTo"]?.sequence.map { $0.compactMap(\.string) }
    hold(
      .serviceEntry(ServiceEntryRecord(namespace: namespace, hosts: hosts, wildcardSuffixes: wildcards, exportTo: exportTo)))
  }

  private mutating func addGateway(_ object: ManifestObject, istio: Bool) {
    guard let name = object.name else { return }
    let namespace = namespaces.id(object.namespace)
    hold(.gateway(namespace: namespace, name: name, istio: istio))
  }

  private mutating func addReferenceGrant(_ object: ManifestObject) {
    guard let spec = object.node["spec"] else { return }
    let from = (spec["from"]?.sequence ?? []).map { entry in
      "\(entry["group"]?.string ?? "")/\(entry["kind"]?.string ?? "")/\(entry["namespace"]?.string ?? "")"
    }
    let to = (spec["to"]?.sequence ?? []).map { entry in
      "\(entry["group"]?.string ?? "")/\(entry["kind"]?.string ?? "")/\(entry["name"]?.string ?? "")"
    }
    hold(.referenceGrant(ReferenceGrantRecord(namespace: namespaces.id(object.namespace), from: from, to: to)))
  }

  /// The site of `node`, found at `components` below the object; `reference` is the object's
  /// (worked out once by callers that make several sites).
  func site(_ object: ManifestObject, _ node: Node, _ components: [PathComponent], reference: String? = nil) -> Site {
    Site(
      file: object.document.file, mark: node.mark, path: JSONPath.render(components, prefix: object.path),
      object: reference ?? object.reference, sourceLine: sourceLine(object, node.mark))
  }

  private mutating func addVirtualService(_ object: ManifestObject) {
    guard let spec = object.node["spec"] else { return }
    let reference = object.reference
    let namespace = namespaces.id(object.namespace)
    recordVirtualService(object, spec: spec, namespace: namespace)
    var references: [MeshReference] = []
    for (index, gateway) in (spec["gateways"]?.sequence ?? []).enumerated() {
      guard let text = gateway.string, text != "mesh", !text.contains(".") else { continue }
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count <= 2, let name = parts.last, !name.isEmpty else { continue }
      let target = parts.count == 2 ? namespaces.id(String(parts[0])) : namespace
      references.append(
        MeshReference(
          kind: .istioGateway, name: String(name), namespace: target,
          site: site(object, gateway, [.key("spec"), .key("gateways"), .index(index)], reference: reference)))
    }
    for section in ["http", "tcp", "tls"] {
      for (routeIndex, route) in (spec[section]?.sequence ?? []).enumerated() {
        let routePath: [PathComponent] = [.key("spec"), .key(section), .index(routeIndex)]
        for (index, destinationEntry) in (route["route"]?.sequence ?? []).enumerated() {
          references += destinationReferences(
            destinationEntry["destination"], at: routePath + [.key("route"), .index(index), .key("destination")],
            of: object, reference: reference)
        }
        if section == "http" {
          references += httpOnlyReferences(route, at: routePath, of: object, reference: reference)
        }
      }
    }
    guard !references.isEmpty else { return }
    hold(
      .route(
        RouteQuery(
          sequence: sequenceNumber(), namespace: namespace, kind: "VirtualService", references: references)))
  }

  /// Keeps what a root's `delegate` needs of a VirtualService. Istio takes one without hosts
  /// for a delegate (pilot's `mergeVirtualServicesIfNeeded`).
  private mutating func recordVirtualService(_ object: ManifestObject, spec: Node, namespace: StringID) {
    guard let name = object.name else { return }
    let isDelegate = (spec["hosts"]?.sequence ?? []).isEmpty
    hold(
      .virtualService(
        VirtualServiceRecord(
          namespace: namespace, name: name, isDelegate: isDelegate,
          exportTo: spec["exportTo"]?.sequence.map { $0.compactMap(\.string) })))
  }

  /// The Service and subset a destination at `base` names; `mirror` for a mirror's.
  private mutating func destinationReferences(
    _ destination: Node?, at base: [PathComponent], of object: ManifestObject, reference: String, mirror: Bool = false
  ) -> [MeshReference] {
    guard let destination, let hostNode = destination["host"], let hostText = hostNode.string,
      let host = Analysis.host(hostText, in: namespaces.id(object.namespace), namespaces: &namespaces)
    else { return [] }
    var references: [MeshReference] = []
    if host.isService {
      references.append(
        MeshReference(
          kind: .service, name: host.name, namespace: host.namespace, detail: mirror ? "mirror" : "",
          site: site(object, hostNode, base + [.key("host")], reference: reference)))
    }
    if let subsetNode = destination["subset"], let subset = subsetNode.string {
      references.append(
        MeshReference(
          kind: .subset, name: host.name, namespace: host.namespace, isService: host.isService, detail: subset,
          site: site(object, subsetNode, base + [.key("subset")], reference: reference)))
    }
    return references
  }

  /// What only an HTTP route names: its `mirror`, its `mirrors`, and the VirtualService it delegates to.
  private mutating func httpOnlyReferences(
    _ route: Node, at routePath: [PathComponent], of object: ManifestObject, reference: String
  ) -> [MeshReference] {
    var references = destinationReferences(
      route["mirror"], at: routePath + [.key("mirror")], of: object, reference: reference, mirror: true)
    for (index, mirror) in (route["mirrors"]?.sequence ?? []).enumerated() {
      references += destinationReferences(
        mirror["destination"], at: routePath + [.key("mirrors"), .index(index), .key("destination")], of: object,
        reference: reference, mirror: true)
    }
    if let delegate = route["delegate"], let nameNode = delegate["name"], let name = nameNode.string, !name.isEmpty {
      // The delegate's namespace defaults to the root's.
      let target = delegate["namespace"]?.string.flatMap { $0.isEmpty ? nil : namespaces.id($0) }
        ?? namespaces.id(object.namespace)
      references.append(
        MeshReference(
          kind: .delegate, name: name, namespace: target,
          site: site(object, nameNode, routePath + [.key("delegate"), .key("name")], reference: reference)))
    }
    return references
  }

  private mutating func addGatewayRoute(_ object: ManifestObject, kind: String) {
    guard let spec = object.node["spec"] else { return }
    let reference = object.reference
    let namespace = namespaces.id(object.namespace)
    var references: [MeshReference] = []
    /// The Services the route is attached to (GAMMA), as `namespace/name`.
    var parentServices: Set<String> = []
    for (index, parent) in (spec["parentRefs"]?.sequence ?? []).enumerated() {
      guard let nameNode = parent["name"], let name = nameNode.string else { continue }
      let group = parent["group"]?.string ?? Analysis.gatewayAPIGroup
      let parentKind = parent["kind"]?.string ?? "Gateway"
      let target = parent["namespace"]?.string.map { namespaces.id($0) } ?? namespace
      let site = site(object, nameNode, [.key("spec"), .key("parentRefs"), .index(index), .key("name")], reference: reference)
      if group == Analysis.gatewayAPIGroup && parentKind == "Gateway" {
        references.append(MeshReference(kind: .gateway, name: name, namespace: target, site: site))
      } else if group.isEmpty && parentKind == "Service" {
        // GAMMA: a route attached to a Service configures the mesh's traffic to it. That Service
        // is the route's subject, not a destination: often elsewhere (`meshctl render` prints
        // the route without it), so it is not looked for.
        parentServices.insert("\(namespaces.name(target) ?? "")/\(name)")
      }
    }
    for (ruleIndex, rule) in (spec["rules"]?.sequence ?? []).enumerated() {
      for (index, backend) in (rule["backendRefs"]?.sequence ?? []).enumerated() {
        guard let nameNode = backend["name"], let name = nameNode.string,
          (backend["group"]?.string ?? "").isEmpty, (backend["kind"]?.string ?? "Service") == "Service"
        else { continue }
        let site = site(
          object, nameNode, [.key("spec"), .key("rules"), .index(ruleIndex), .key("backendRefs"), .index(index), .key("name")],
          reference: reference)
        let targetText = backend["namespace"]?.string
        let target = targetText.map { namespaces.id($0) } ?? namespace
        references.append(MeshReference(kind: .service, name: name, namespace: target, site: site))
        // Cross-namespace only when both namespaces are known and differ; a mesh route sending
        // a Service's traffic on to that Service itself needs no grant (GAMMA consumer routes).
        if let targetText, namespace != StringTable.none, target != namespace,
          !parentServices.contains("\(targetText)/\(name)")
        {
          references.append(
            MeshReference(kind: .grant, name: name, namespace: target, detail: kind, site: site))
        }
      }
    }
    guard !references.isEmpty else { return }
    hold(.route(RouteQuery(sequence: sequenceNumber(), namespace: namespace, kind: kind, references: references)))
  }

  mutating func addServiceQuery(_ object: ManifestObject, name: String) {
    guard let spec = object.node["spec"], let selectorNode = spec["selector"],
      let selector = Analysis.stringMap(selectorNode), !selector.isEmpty
    else { return }
    let reference = object.reference
    var ports: [ServicePort] = []
    for (index, port) in (spec["ports"]?.sequence ?? []).enumerated() {
      let nameNode = port["name"]
      let anchor = nameNode ?? port["port"] ?? port
      ports.append(
        ServicePort(
          name: nameNode?.string, appProtocol: port["appProtocol"]?.string, port: port["port"]?.int,
          targetPort: port["targetPort"]?.int,
          site: site(
            object, anchor,
            [.key("spec"), .key("ports"), .index(index)] + (nameNode != nil ? [.key("name")] : port["port"] != nil ? [.key("port")] : []),
            reference: reference)))
    }
    hold(
      .service(
        ServiceQuery(
          sequence: sequenceNumber(), namespace: namespaces.id(object.namespace), name: name,
          selector: Analysis.labelPairs(selector),
          selectorText: selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
          selectorSite: site(object, selectorNode, [.key("spec"), .key("selector")], reference: reference),
          opaquePorts: object.node[path: "metadata", "annotations", Analysis.opaquePortsKey]?.stringMapValue,
          ports: ports)))
  }

  mutating func addJobQuery(_ object: ManifestObject, kind: String, podSpecPath: [String]) {
    let template = object.node.value(at: podSpecPath.dropLast())
    let annotations = template?[path: "metadata", "annotations"]
    // A proxy among the regular containers is a classic sidecar already.
    var classic: Site?
    for (index, container) in (template?[path: "spec", "containers"]?.sequence ?? []).enumerated() {
      if let nameNode = container["name"], let name = nameNode.string, ProxyContainer.names.contains(name) {
        classic = site(object, nameNode, podSpecPath.map { .key($0) } + [.key("containers"), .index(index), .key("name")])
      }
    }
    let podSpecNode = object.node.value(at: podSpecPath) ?? object.node
    hold(
      .job(
        JobQuery(
          sequence: sequenceNumber(), namespace: namespaces.id(object.namespace), kind: kind,
          sidecar: PodInjectionMarks(template: template),
          istioNative: annotations?["sidecar.istio.io/nativeSidecar"]?.stringMapValue,
          linkerdNative: annotations?["config.alpha.linkerd.io/proxy-enable-native-sidecar"]?.stringMapValue,
          classicProxy: classic, site: site(object, podSpecNode, podSpecPath.map { .key($0) }))))
  }

}

extension CrossDocumentAnalysis {
  // MARK: - Resolving

  func resolve(_ route: inout RouteQuery, against catalog: Catalog) {
    for index in route.references.indices where !route.references[index].settled {
      var reference = route.references[index]
      switch reference.kind {
      case .service:
        reference.found =
          !namespaces.hasServices(compatibleWith: reference.namespace)
          || catalog.hasService(reference.name, compatibleWith: reference.namespace)
          || (route.kind == "VirtualService" && serviceEntryCovers(reference, from: route.namespace, in: catalog))
      case .delegate:
        for candidate in catalog.virtualServices(named: reference.name, compatibleWith: reference.namespace) {
          if candidate.isDelegate, isVisible(exportTo: candidate.exportTo, of: candidate.namespace, from: route.namespace) {
            reference.found = true
            break
          }
          reference.ruleSeen = true
          reference.known = [candidate.isDelegate ? "exportTo" : "hosts"]
        }
      case .istioGateway, .gateway:
        let istio = reference.kind == .istioGateway
        if catalog.hasGateway(reference.name, istio: istio, compatibleWith: reference.namespace) {
          reference.found = true
        } else if reference.known.isEmpty,
          let elsewhere = catalog.gatewayNamespaces(named: reference.name, istio: istio).first.flatMap(namespaces.name)
        {
          reference.known = [elsewhere]
        }
      case .grant:
        reference.found =
          !namespaces.holdsServices(of: reference.namespace)
          || catalog.referenceGrants.contains { permits($0, route: reference.detail, from: route.namespace, to: reference) }
      case .subset:
        for rule in catalog.destinationRules(forHostNamed: reference.name)
        where rule.host.isService == reference.isService
          && Self.compatible(rule.host.namespace, reference.namespace) && isVisible(rule, from: route.namespace)
        {
          reference.ruleSeen = true
          if rule.subsets.contains(reference.detail) { reference.found = true }
          for subset in rule.subsets where !reference.known.contains(subset) { reference.known.append(subset) }
        }
      }
      route.references[index] = reference
    }
  }

  /// Whether a ServiceEntry here, visible from `namespace`, lists the Service host of
  /// `reference`: as the same host (short, or `name.namespace.svc.cluster.local`), or under a
  /// wildcard (`*.shop.svc.cluster.local`). With the namespace unknown, any wildcard that could
  /// cover a cluster Service counts.
  private func serviceEntryCovers(_ reference: MeshReference, from namespace: StringID, in catalog: Catalog) -> Bool {
    func visible(_ entry: ServiceEntryRecord) -> Bool {
      isVisible(exportTo: entry.exportTo, of: entry.namespace, from: namespace)
    }
    let exact = catalog.serviceEntries(forHostNamed: reference.name).contains { entry in
      visible(entry)
        && entry.hosts.contains { $0.isService && $0.name == reference.name && Self.compatible($0.namespace, reference.namespace) }
    }
    if exact { return true }
    let clusterSuffix = ".svc.cluster.local"
    let fqdn = namespaces.name(reference.namespace).map { "\(reference.name).\($0)\(clusterSuffix)" }
    return catalog.wildcardServiceEntries.contains { entry in
      visible(entry)
        && entry.wildcardSuffixes.contains { suffix in
          if let fqdn { return fqdn.hasSuffix(suffix) }
          return clusterSuffix.hasSuffix(suffix) || suffix.hasSuffix(clusterSuffix)
        }
    }
  }

  /// Whether `grant` lets a route of `kind` in `namespace` refer to the Service of `reference`.
  private func permits(_ grant: ReferenceGrantRecord, route kind: String, from namespace: StringID, to reference: MeshReference)
    -> Bool
  {
    guard grant.namespace == reference.namespace, let from = namespaces.name(namespace) else { return false }
    return grant.from.contains("\(Self.gatewayAPIGroup)/\(kind)/\(from)")
      && (grant.to.contains("/Service/") || grant.to.contains("/Service/\(reference.name)"))
  }

  func resolve(_ service: inout ServiceQuery, against catalog: Catalog) {
    if catalog.isApex(service.name, compatibleWith: service.namespace) { service.isApex = true }
    for workload in catalog.workloads(matching: service.selector, compatibleWith: service.namespace) {
      service.matched = true
      let marks = namespaces.marks[workload.namespace]
      if SidecarIntent.of(workload.sidecar, namespace: marks, provider: .istio).isMeshed { service.istioMeshed = true }
      if SidecarIntent.of(workload.sidecar, namespace: marks, provider: .linkerd).isMeshed {
        service.linkerdMeshed = true
        if let ports = workload.opaquePorts { service.workloadOpaquePorts.append(ports) }
      }
    }
  }

  // MARK: - Findings

  func report(_ route: RouteQuery, into found: inout FoundSoFar) {
    for (place, reference) in route.references.enumerated() {
      let order = FindingOrder(sequence: route.sequence, place: place)
      let namespace = namespaces.name(reference.namespace).map { " (namespace \($0))" } ?? ""
      switch reference.kind {
      case .service where !reference.found:
        let verb = reference.detail == "mirror" ? "mirrors traffic" : "routes"
        // Only Istio routes to a ServiceEntry's host; a Gateway API backendRef names a Service.
        let add = route.kind == "VirtualService" ? "the Service (or a ServiceEntry for the host)" : "the Service"
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.routeServiceNotFound,
              "\(route.kind) \(verb) to Service `\(reference.name)`, which is not in the input\(namespace)",
              reference.site, hint: "add \(add), or check the name and namespace")
          ))
      case .delegate where !reference.found && reference.ruleSeen:
        found.mesh.append((order, unusableDelegate(reference, route: route)))
      case .delegate where !reference.found && namespaces.hasDelegates(compatibleWith: reference.namespace):
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.delegateNotFound,
              "VirtualService delegates to VirtualService `\(reference.name)`, which is not in the input\(namespace): Istio ignores this route",
              reference.site,
              hint: "add the delegate VirtualService (one without hosts), or check `delegate.name` and `delegate.namespace`")
          ))
      case .subset where reference.ruleSeen && !reference.found:
        let known = reference.known.isEmpty ? "none" : reference.known.map { "`\($0)`" }.joined(separator: ", ")
        var closest = Suggestions.Closest(to: reference.detail)
        for subset in reference.known { closest.consider(subset) }
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.subsetNotDefined,
              "subset `\(reference.detail)` of `\(reference.name)` is defined by no DestinationRule for that host in the input (its subsets: \(known))",
              reference.site,
              hint: closest.best.map { "did you mean `\($0)`?" }
                ?? "add the subset to the DestinationRule, or route to a subset it defines")
          ))
      case .istioGateway where isMissingGateway(reference, istio: true):
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.istioGatewayNotFound,
              "VirtualService is bound to Gateway `\(reference.name)`, which is not in the input\(namespace)",
              reference.site,
              hint: reference.known.first.map { "did you mean `\($0)/\(reference.name)`?" }
                ?? "write `namespace/name` for a Gateway of another namespace; `mesh` means the sidecars")
          ))
      case .gateway where isMissingGateway(reference, istio: false):
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.parentGatewayNotFound,
              "\(route.kind) is attached to Gateway `\(reference.name)`, which is not in the input\(namespace)",
              reference.site,
              hint: reference.known.first.map { "it is in namespace \($0): add `namespace: \($0)` to the parentRef" }
                ?? "add the Gateway, or check the parentRef's name and namespace")
          ))
      case .grant where !reference.found:
        let target = namespaces.name(reference.namespace) ?? ""
        let from = namespaces.name(route.namespace) ?? ""
        found.mesh.append(
          (
            order,
            diagnostic(
              .warning, RuleCode.referenceGrantMissing,
              "\(route.kind) in namespace \(from) refers to Service `\(reference.name)` in namespace \(target), and no ReferenceGrant in the input allows it",
              reference.site,
              hint:
                "add a ReferenceGrant in namespace \(target) with from {group: \(Self.gatewayAPIGroup), kind: \(reference.detail), namespace: \(from)} and to {group: \"\", kind: Service}"
            )
          ))
      default: break
      }
    }
  }

  /// MC2012: the delegate is in the input, but Istio does not use it for this root.
  private func unusableDelegate(_ reference: MeshReference, route: RouteQuery) -> Diagnostic {
    if reference.known.first == "exportTo" {
      let from = namespaces.name(route.namespace) ?? "(unset)"
      return diagnostic(
        .warning, RuleCode.delegateNotUsable,
        "delegate VirtualService `\(reference.name)` is not exported to namespace \(from), the root's: Istio ignores this route",
        reference.site, hint: "add the root's namespace (or `*`) to the delegate's exportTo")
    }
    return diagnostic(
      .warning, RuleCode.delegateNotUsable,
      "VirtualService `\(reference.name)` has `hosts`, so it is not a delegate: Istio ignores this route",
      reference.site, hint: "remove `hosts` from the delegate (a delegate VirtualService has none), or route here directly")
  }

  /// Whether a Gateway reference is reported: not found, and either the input holds Gateways
  /// that could be in its namespace, or one of that name in another namespace (the namespace
  /// was left out). Partial input is no false alarm.
  private func isMissingGateway(_ reference: MeshReference, istio: Bool) -> Bool {
    !reference.found
      && (!reference.known.isEmpty || namespaces.hasGateways(istio: istio, compatibleWith: reference.namespace))
  }

  func report(_ service: ServiceQuery, into found: inout FoundSoFar) {
    if !service.matched, !service.isApex, namespaces.hasWorkloads(compatibleWith: service.namespace) {
      found.mesh.append(
        (
          FindingOrder(sequence: service.sequence, place: 0),
          diagnostic(
            .warning, RuleCode.serviceSelectsNothing,
            "Service `\(service.name)` selects \(service.selectorText), which no pod template in the input carries",
            service.selectorSite, hint: "check the selector against the workloads' spec.template.metadata.labels")
        ))
    }
    // Two places per port, so the order does not rest on the sort being stable.
    for (index, port) in service.ports.enumerated() {
      if service.istioMeshed, let finding = istioPortFinding(port, service: service) {
        found.mesh.append((FindingOrder(sequence: service.sequence, place: 2 * index + 1), finding))
      }
      if service.linkerdMeshed, let finding = linkerdPortFinding(port, service: service) {
        found.mesh.append((FindingOrder(sequence: service.sequence, place: 2 * index + 2), finding))
      }
    }
  }

  /// The protocols Istio reads from a port's name prefix or `appProtocol`.
  static let istioProtocols: Set<String> = [
    "http", "http2", "https", "grpc", "grpc-web", "h2c", "tcp", "tls", "udp", "mongo", "mysql", "redis",
  ]
  /// Well-known ports of server-first protocols (SMTP, MySQL): the server speaks before the client.
  static let serverFirstPorts: [Int: String] = [25: "SMTP", 587: "SMTP", 3306: "MySQL"]

  /// Istio's protocol of a port, from `appProtocol` or the name's prefix; nil when neither declares one.
  static func istioProtocol(_ port: ServicePort) -> String? {
    if let appProtocol = port.appProtocol, !appProtocol.isEmpty { return appProtocol }
    guard let name = port.name?.lowercased() else { return nil }
    if istioProtocols.contains(name) { return name }
    let prefix = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
    if name.hasPrefix("grpc-web") { return "grpc-web" }
    return istioProtocols.contains(prefix) ? prefix : nil
  }

  private func portLabel(_ port: ServicePort) -> String {
    port.name.map { "`\($0)`" } ?? port.port.map(String.init) ?? "(unnamed)"
  }

  private func istioPortFinding(_ port: ServicePort, service: ServiceQuery) -> Diagnostic? {
    guard Self.istioProtocol(port) == nil else { return nil }
    let serverFirst = [port.port, port.targetPort].compactMap { $0 }.lazy.compactMap { Self.serverFirstPorts[$0] }.first
    if let serverFirst {
      return diagnostic(
        .warning, RuleCode.istioServerFirstUndeclared,
        "port \(portLabel(port)) of Service `\(service.name)` serves \(serverFirst), whose server speaks first, and declares no protocol: Istio's protocol detection waits for the client, so connections stall",
        port.site, hint: "name the port `tcp` or `tcp-\(serverFirst.lowercased())` (or set appProtocol: tcp)")
    }
    return diagnostic(
      .info, RuleCode.istioProtocolUndeclared,
      "port \(portLabel(port)) of Service `\(service.name)` declares no protocol: Istio detects HTTP and HTTP/2 on it and treats anything else as plain TCP",
      port.site,
      hint: "name it `<protocol>[-<suffix>]` (http, http2, https, grpc, grpc-web, tcp, tls, udp, mongo, mysql, redis) or set appProtocol")
  }

  /// Protocols whose traffic Linkerd's protocol detection cannot read (the server speaks first,
  /// or the client sends nothing Linkerd can detect in time), by the names ports give them.
  static let linkerdOpaqueProtocols: [String: String] = [
    "smtp": "SMTP", "mysql": "MySQL", "mariadb": "MySQL", "galera": "Galera", "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL", "redis": "Redis", "memcache": "Memcache", "memcached": "Memcache",
  ]
  /// Linkerd's default opaque ports (SMTP, MySQL, Galera, PostgreSQL, Redis, Elasticsearch, Memcache).
  static let linkerdDefaultOpaquePorts: Set<Int> = [25, 587, 3306, 4444, 5432, 6379, 9300, 11211]

  /// The ports of a `config.linkerd.io/opaque-ports` value: numbers and `low-high` ranges, comma-separated.
  static func opaquePorts(_ text: String?) -> [ClosedRange<Int>] {
    (text ?? "").split(separator: ",").compactMap { item in
      let bounds = item.filter { $0 != " " }.split(separator: "-").compactMap { Int($0) }
      guard let low = bounds.first, let high = bounds.last, low <= high else { return nil }
      return low...high
    }
  }

  private func linkerdPortFinding(_ port: ServicePort, service: ServiceQuery) -> Diagnostic? {
    let declared = [port.appProtocol, port.name].compactMap { $0?.lowercased() }.lazy.compactMap { text in
      Self.linkerdOpaqueProtocols[text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text]
    }.first
    guard let protocolName = declared, let number = port.targetPort ?? port.port else { return nil }
    let annotated = ([service.opaquePorts, namespaces.opaquePorts[service.namespace]] + service.workloadOpaquePorts)
      .flatMap { Self.opaquePorts($0) }
    let numbers = Set([port.port, port.targetPort].compactMap { $0 })
    let opaque = numbers.contains { number in
      Self.linkerdDefaultOpaquePorts.contains(number) || annotated.contains { $0.contains(number) }
    }
    guard !opaque else { return nil }
    return diagnostic(
      .warning, RuleCode.linkerdPortNotOpaque,
      "port \(portLabel(port)) of Service `\(service.name)` carries \(protocolName) on port \(number), which is not an opaque port: Linkerd's protocol detection cannot read it and connections stall until detection times out",
      port.site, hint: "annotate the Service and its pod template with \(Self.opaquePortsKey): \"\(number)\"")
  }

  /// The first Kubernetes minor release with native sidecars on by default (beta in 1.29, GA in 1.33).
  static let nativeSidecarMinorVersion = 29

  /// The Kubernetes minor release the cluster runs, as far as the run knows: the MeshConfig's
  /// `kubernetesVersion`, else the release the input is checked against.
  var clusterMinorVersion: Int? {
    meshConfig?.kubernetesMinorVersion ?? kubernetesVersion.flatMap(MeshConfig.minorVersion(of:))
  }

  /// Whether the injected proxy runs as a classic container. The pod's own annotation decides
  /// first; then the MeshConfig (`nativeSidecar: false`, or `auto` on a release before 1.29);
  /// without a MeshConfig the cluster's injector decides, and only a release before 1.29, where
  /// no native sidecar exists, says classic. Unknown is not classic.
  private func injectsClassicSidecar(override: String?) -> Bool {
    if let override { return override != "true" }
    let beforeNative = clusterMinorVersion.map { $0 < Self.nativeSidecarMinorVersion } ?? false
    guard let meshConfig else { return beforeNative }
    switch meshConfig.nativeSidecar {
    case .enabled: return false
    case .disabled: return true
    case .auto: return beforeNative
    }
  }

  func report(_ job: JobQuery, into found: inout FoundSoFar) {
    let order = FindingOrder(sequence: job.sequence, place: 0)
    let reference = job.site.object
    let ending =
      "keeps the pod running after the job's containers finish, so the \(job.kind) never completes"
    if let classic = job.classicProxy {
      found.mesh.append(
        (
          order,
          diagnostic(
            .warning, RuleCode.jobClassicSidecar,
            "\(reference) will not complete: its proxy runs as a regular container and \(ending)", classic,
            hint: "inject it as a native sidecar (Kubernetes 1.29+), or make the job stop the proxy when it is done")
        ))
      return
    }
    let marks = namespaces.marks[job.namespace]
    let providers: [MeshConfig.Provider] = meshConfig.map { [$0.provider] } ?? MeshConfig.Provider.allCases
    for provider in providers {
      let intent = SidecarIntent.of(job.sidecar, namespace: marks, provider: provider)
      guard case .webhook = intent,
        injectsClassicSidecar(override: provider == .istio ? job.istioNative : job.linkerdNative)
      else { continue }
      let stopProxy = provider == .istio ? " (POST localhost:15020/quitquitquit)" : ""
      found.mesh.append(
        (
          order,
          diagnostic(
            .warning, RuleCode.jobClassicSidecar,
            "\(reference) will not complete: \(intent.reason), and its proxy would run as a regular container, which \(ending)",
            job.site,
            hint: "use native sidecars (nativeSidecar: true, or Kubernetes 1.29+ with auto), opt the job out of injection, or make it stop the proxy itself\(stopProxy)")
        ))
      return
    }
  }
}
