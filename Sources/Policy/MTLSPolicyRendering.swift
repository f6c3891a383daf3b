import Manifest
import MeshSchema

/// An MTLSPolicy read for rendering.
struct MTLSPolicyModel {
  struct PortMode {
    var port: Int
    var mode: String
    var node: Node
  }

  var mode: String
  var modeNode: Node
  /// `selector.matchLabels`; nil (or empty) means the whole namespace.
  var matchLabels: [MappingEntry]?
  var portLevel: [PortMode]

  var isNamespaceWide: Bool { matchLabels?.isEmpty != false }
}

/// MTLSPolicy → Istio PeerAuthentication, or Linkerd's default-inbound-policy annotation on the
/// Namespace and Server + AuthorizationPolicy + MeshTLSAuthentication for workloads and ports.
enum MTLSPolicyRendering {
  static func render(_ context: inout RenderContext, lookup: some ServiceLookup) -> [Node] {
    guard let model = read(&context) else { return [] }
    switch context.settings.provider {
    case .istio: return istio(model, &context)
    case .linkerd: return LinkerdMTLSRendering.render(model, &context, lookup: lookup)
    }
  }

  static func read(_ context: inout RenderContext) -> MTLSPolicyModel? {
    let spec = context.spec
    guard let modeNode = spec["mode"], let mode = modeNode.string, MeshctlSchemas.mtlsModes.contains(mode) else {
      context.error(
        RuleCode.badEnum, "the MTLSPolicy has no valid mode", at: spec["mode"] ?? spec,
        path: [.key("spec"), .key("mode")],
        hint: "set `spec.mode` to STRICT, PERMISSIVE or DISABLE")
      return nil
    }
    var portLevel: [MTLSPolicyModel.PortMode] = []
    for entry in spec["portLevel"]?.mapping ?? [] {
      guard let port = Int(entry.key), let portMode = entry.value.string else { continue }
      portLevel.append(MTLSPolicyModel.PortMode(port: port, mode: portMode, node: entry.value))
    }
    return MTLSPolicyModel(
      mode: mode, modeNode: modeNode, matchLabels: spec[path: "selector", "matchLabels"]?.mapping, portLevel: portLevel)
  }

  /// The `meshctl.io/mtls` annotation: the policy's spec, so `get` can rebuild it from the cluster.
  static func specAnnotation(_ context: RenderContext) -> MappingEntry {
    MappingEntry(key: Annotations.mtls, value: .string(JSONEmitter.emit(context.spec, pretty: false)))
  }

  /// One PeerAuthentication named after the policy. Istio rejects `portLevelMtls` without a
  /// workload selector, so a namespace-wide policy with ports is refused here, before any request.
  static func istio(_ model: MTLSPolicyModel, _ context: inout RenderContext) -> [Node] {
    if model.isNamespaceWide, let first = model.portLevel.first {
      context.error(
        RuleCode.portLevelNeedsSelector, "Istio applies port-level mTLS only to workloads chosen by a selector",
        at: context.spec["portLevel"] ?? first.node, path: [.key("spec"), .key("portLevel")],
        hint: "add `selector.matchLabels`, or move the ports into a second MTLSPolicy with a selector")
      return []
    }
    var spec: [MappingEntry] = []
    if let labels = model.matchLabels, !labels.isEmpty {
      spec.append(MappingEntry(key: "selector", value: .mapping(["matchLabels": .mapping(labels)])))
    }
    spec.append(MappingEntry(key: "mtls", value: .mapping(["mode": .string(model.mode)])))
    if !model.portLevel.isEmpty {
      let ports = model.portLevel.map {
        MappingEntry(key: String($0.port), value: .mapping(["mode": .string($0.mode)]))
      }
      spec.append(MappingEntry(key: "portLevelMtls", value: .mapping(ports)))
    }
    return [
      context.object(
        apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", name: context.name,
        annotations: [specAnnotation(context)], spec: .mapping(spec))
    ]
  }
}

/// Linkerd has no mTLS mode to set: meshed traffic is always mTLS. What a mode means there is
/// which clients a workload accepts: STRICT = only authenticated mesh clients, PERMISSIVE = any.
enum LinkerdMTLSRendering {
  static let inboundPolicyAnnotation = "config.linkerd.io/default-inbound-policy"
  static let policyGroup = "policy.linkerd.io"

  static func render(_ model: MTLSPolicyModel, _ context: inout RenderContext, lookup: some ServiceLookup) -> [Node] {
    refuseDisable(model, &context)
    guard !context.hasErrors else { return [] }
    var objects: [Node] = []
    var ports = model.portLevel.map { PortMode(port: $0.port, mode: $0.mode) }
    if model.isNamespaceWide {
      guard let namespace = context.namespace else {
        context.error(
          RuleCode.namespaceRequired, "a namespace-wide policy on Linkerd annotates its Namespace, and it names none",
          at: context.policy["metadata"], path: [.key("metadata")], hint: "set `metadata.namespace`, or pass -n")
        return []
      }
      objects.append(namespacePatch(namespace, mode: model.mode, &context))
    } else {
      guard let workloadPorts = workloadPorts(model, &context, lookup: lookup) else { return [] }
      ports = workloadPorts
    }
    if ports.contains(where: { $0.mode == "STRICT" }) { objects.append(meshTLSAuthentication(&context)) }
    for entry in ports {
      objects += server(port: entry.port, mode: entry.mode, matchLabels: model.matchLabels ?? [], &context)
    }
    return objects
  }

  typealias PortMode = (port: Int, mode: String)

  /// The ports of a workload policy, sorted, each with its mode: `portLevel`, then the container
  /// ports of the matching workloads in the input with the policy's mode. Nil (with an error)
  /// when there are none.
  static func workloadPorts(
    _ model: MTLSPolicyModel, _ context: inout RenderContext, lookup: some ServiceLookup
  ) -> [PortMode]? {
    var ports = model.portLevel.map { PortMode(port: $0.port, mode: $0.mode) }
    let labels = Node.mapping(model.matchLabels!).stringMap
    let found = lookup.containerPorts(namespace: context.namespace, matchLabels: labels)
    for port in found ?? [] where !ports.contains(where: { $0.port == port }) { ports.append((port, model.mode)) }
    if found == nil, !ports.isEmpty, !ports.contains(where: { $0.mode == model.mode }) {
      // Only `portLevel` is rendered and none of it has the policy's own mode: a STRICT policy
      // with a PERMISSIVE metrics port would enforce nothing, easy to miss when the workloads
      // live in another directory.
      context.warning(
        RuleCode.onlyPortLevelCovered,
        "no workload in the input matches the selector: only the `portLevel` ports get Servers, and the "
          + "policy's mode \(model.mode) reaches none", at: context.spec["selector"],
        path: [.key("spec"), .key("selector")],
        hint: "render with the workloads' manifests in the input, or list every port in `portLevel`")
    }
    guard !ports.isEmpty else {
      context.error(
        RuleCode.portsUnknown,
        "Linkerd sets a workload's policy per port (Server), and no port is known for this selector",
        at: context.spec["selector"], path: [.key("spec"), .key("selector")],
        hint: "list the ports in `portLevel`, or render with the workloads' manifests in the input")
      return nil
    }
    return ports.sorted { $0.port < $1.port }
  }

  /// DISABLE anywhere in the policy is an error: Linkerd always uses mTLS between meshed pods.
  static func refuseDisable(_ model: MTLSPolicyModel, _ context: inout RenderContext) {
    let message = "Linkerd cannot turn mTLS off: traffic between meshed pods is always mTLS"
    let hint = "use PERMISSIVE to also accept clients outside the mesh, or remove the workload from the mesh"
    if model.mode == "DISABLE" {
      context.error(
        RuleCode.linkerdCannotDisable, message, at: model.modeNode, path: [.key("spec"), .key("mode")], hint: hint)
    }
    for entry in model.portLevel where entry.mode == "DISABLE" {
      context.error(
        RuleCode.linkerdCannotDisable, message + " (port \(entry.port))", at: entry.node,
        path: [.key("spec"), .key("portLevel"), .key(String(entry.port))], hint: hint)
    }
  }

  /// `all-authenticated` for STRICT, `all-unauthenticated` for PERMISSIVE.
  static func inboundPolicy(_ mode: String) -> String {
    mode == "STRICT" ? "all-authenticated" : "all-unauthenticated"
  }

  /// A patch of the Namespace for server-side apply: only its name and annotations. It carries
  /// no managed-by label on purpose: the Namespace is the user's, and `meshctl delete` selects
  /// what it removes by that label.
  static func namespacePatch(_ namespace: String, mode: String, _ context: inout RenderContext) -> Node {
    let annotations =
      [MappingEntry(key: inboundPolicyAnnotation, value: .string(inboundPolicy(mode)))] + context.sourceAnnotations
      + [MTLSPolicyRendering.specAnnotation(context)]
    return .mapping([
      "apiVersion": .string("v1"), "kind": .string("Namespace"),
      "metadata": .mapping(["name": .string(namespace), "annotations": .mapping(annotations)]),
    ])
  }

  /// The mesh identities of this control plane: `<sa>.<ns>.serviceaccount.identity.<control
  /// plane namespace>.<trust domain>`; Linkerd matches a leading `*.` as any prefix.
  static func meshTLSAuthentication(_ context: inout RenderContext) -> Node {
    let identity = "*.identity.\(context.settings.controlPlaneNamespace).\(context.settings.trustDomain)"
    context.checkName(context.name, at: context.policy["metadata"], path: [.key("metadata"), .key("name")])
    return context.object(
      apiVersion: "\(policyGroup)/v1alpha1", kind: "MeshTLSAuthentication", name: context.name,
      annotations: [MTLSPolicyRendering.specAnnotation(context)],
      spec: .mapping(["identities": .sequence([.string(identity)])]))
  }

  /// A Server for one port of the selected pods (all pods of the namespace for a namespace-wide
  /// policy's ports). STRICT: the Server denies by default and an AuthorizationPolicy admits the
  /// mesh's identities. PERMISSIVE: the Server admits everyone (`all-unauthenticated`), which
  /// is what PERMISSIVE means for clients outside the mesh.
  static func server(port: Int, mode: String, matchLabels: [MappingEntry], _ context: inout RenderContext) -> [Node] {
    let name = "\(context.name)-\(port)"
    context.checkName(name, at: context.policy["metadata"], path: [.key("metadata"), .key("name")])
    let selector: Node =
      matchLabels.isEmpty ? .mapping([MappingEntry]()) : .mapping(["matchLabels": .mapping(matchLabels)])
    let strict = mode == "STRICT"
    let server = context.object(
      apiVersion: "\(policyGroup)/v1beta3", kind: "Server", name: name,
      annotations: [MTLSPolicyRendering.specAnnotation(context)],
      spec: .mapping([
        "podSelector": selector, "port": .int(port), "accessPolicy": .string(strict ? "deny" : "all-unauthenticated"),
      ]))
    guard strict else { return [server] }
    let authorization = context.object(
      apiVersion: "\(policyGroup)/v1alpha1", kind: "AuthorizationPolicy", name: name,
      annotations: [MTLSPolicyRendering.specAnnotation(context)],
      spec: .mapping([
        "targetRef": .mapping(["group": .string(policyGroup), "kind": .string("Server"), "name": .string(name)]),
        "requiredAuthenticationRefs": .sequence([
          .mapping([
            "group": .string(policyGroup), "kind": .string("MeshTLSAuthentication"), "name": .string(context.name),
          ])
        ]),
      ]))
    return [server, authorization]
  }
}
