import Manifest
import MeshSchema

/// Where TrafficSplit routing goes: the provider's own resources, or Gateway API.
public enum RoutingTarget: String, Sendable, Hashable, CaseIterable {
  /// The provider's routing: Istio VirtualService + DestinationRule; Linkerd has only HTTPRoute.
  case provider
  /// Gateway API `HTTPRoute` with a Service parent (GAMMA), on either provider.
  case gatewayAPI = "gateway-api"
}

/// The settings rendering takes: the MeshConfig (whose provider is the one rendered for) plus
/// what only the command line says (routing target, default namespace, cluster strictness).
public struct PolicySettings: MeshConfigView, Sendable, Hashable {
  /// The one settings model; its provider is the mesh that enforces the rendered resources.
  public var config: MeshConfig
  /// Where TrafficSplit routing goes.
  public var routing: RoutingTarget
  /// The namespace for policies that set none (`-n`); nil leaves it unset.
  public var defaultNamespace: String?
  /// Whether every Service a TrafficSplit names must be known to the lookup: against a cluster
  /// the lookup holds the cluster's Services too, so an unknown one does not exist (offline,
  /// it may simply be elsewhere).
  public var requireKnownServices = false

  /// Creates settings from their parts; the rest of the MeshConfig keeps its defaults.
  public init(
    provider: MeshConfig.Provider = .istio, routing: RoutingTarget = .provider, trustDomain: String = "cluster.local",
    controlPlaneNamespace: String? = nil, defaultNamespace: String? = nil
  ) {
    self.init(
      config: MeshConfig(provider: provider, trustDomain: trustDomain, controlPlaneNamespace: controlPlaneNamespace),
      routing: routing, defaultNamespace: defaultNamespace)
  }

  /// Settings from a MeshConfig; `provider` overrides the config's.
  public init(
    config: MeshConfig, provider: MeshConfig.Provider? = nil, routing: RoutingTarget = .provider,
    defaultNamespace: String? = nil
  ) {
    var config = config
    if let provider { config.provider = provider }
    self.config = config
    self.routing = routing
    self.defaultNamespace = defaultNamespace
  }

  /// Whether TrafficSplits become Gateway API HTTPRoutes (always on Linkerd).
  var usesGatewayAPI: Bool { config.provider == .linkerd || routing == .gatewayAPI }
}

/// What rendering one policy gave: the resources, or the errors that stopped it.
public struct RenderResult: Sendable {
  /// The rendered objects, in apply order; empty when there are errors.
  public var objects: [Node]
  /// Errors and warnings, each naming the policy and, when known, its file:line:col.
  public var diagnostics: [Diagnostic]

  /// Creates a result.
  public init(objects: [Node] = [], diagnostics: [Diagnostic] = []) {
    self.objects = objects
    self.diagnostics = diagnostics
  }

  /// Whether rendering was refused.
  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Renders meshctl's TrafficSplit and MTLSPolicy into the resources a provider enforces
/// (DESIGN.md §6). Pure: nothing is read or written; what it needs about other objects comes
/// through a `ServiceLookup`. A policy with any error renders nothing, so no half-written route
/// ever reaches a cluster.
public struct PolicyRenderer: Sendable {
  /// The settings in force.
  public var settings: PolicySettings

  /// Creates a renderer.
  public init(settings: PolicySettings) {
    self.settings = settings
  }

  /// The policy kinds meshctl renders.
  public static let policyKinds: Set<String> = ["TrafficSplit", "MTLSPolicy"]

  /// Whether an object is a meshctl policy (TrafficSplit or MTLSPolicy of `meshctl.io/v1alpha1`).
  public static func isPolicy(_ node: Node) -> Bool {
    guard let kind = node["kind"]?.string else { return false }
    return node["apiVersion"]?.string == SchemaRegistry.meshctlAPIVersion && policyKinds.contains(kind)
  }

  /// Renders every policy among `objects`; other objects render to nothing. The result is in
  /// apply order (`ApplyTier.ordered`), policies in input order within each tier.
  public func render(_ objects: [ManifestObject], lookup: some ServiceLookup) -> RenderResult {
    var result = RenderResult()
    for object in objects {
      let one = render(object, lookup: lookup)
      result.objects += one.objects
      result.diagnostics += object.document.withSourceLines(one.diagnostics)
    }
    result.objects = ApplyTier.ordered(result.objects)
    return result
  }

  /// Renders one object of an input; its document gives the file named in diagnostics.
  public func render(_ object: ManifestObject, lookup: some ServiceLookup) -> RenderResult {
    render(object.node, file: object.document.file, pathPrefix: object.path, lookup: lookup)
  }

  /// Renders one policy tree; `file` and `pathPrefix` (`items[2]` for a List item) place its
  /// diagnostics. A node that is not a policy renders to nothing.
  public func render(
    _ policy: Node, file: String = "-", pathPrefix: String = "", lookup: some ServiceLookup
  ) -> RenderResult {
    guard Self.isPolicy(policy) else { return RenderResult() }
    var context = RenderContext(policy: policy, file: file, pathPrefix: pathPrefix, settings: settings)
    let objects: [Node]
    switch policy["kind"]?.string {
    case "TrafficSplit": objects = TrafficSplitRendering.render(&context, lookup: lookup)
    default: objects = MTLSPolicyRendering.render(&context, lookup: lookup)
    }
    return RenderResult(objects: context.hasErrors ? [] : objects, diagnostics: context.diagnostics)
  }
}

/// The policy being rendered, its identity, and the findings so far.
struct RenderContext {
  let policy: Node
  let file: String
  let pathPrefix: String
  let settings: PolicySettings
  var diagnostics: [Diagnostic] = []

  init(policy: Node, file: String, pathPrefix: String, settings: PolicySettings) {
    self.policy = policy
    self.file = file
    self.pathPrefix = pathPrefix
    self.settings = settings
  }

  var kind: String { policy["kind"]?.string ?? "" }
  var name: String { policy[path: "metadata", "name"]?.string ?? "" }
  /// The policy's namespace, else the default one (`-n`); nil when neither is set.
  var namespace: String? { policy[path: "metadata", "namespace"]?.string ?? settings.defaultNamespace }
  var spec: Node { policy["spec"] ?? .null }

  /// `TrafficSplit bookinfo/reviews`, as diagnostics name objects.
  var reference: String { namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)" }

  var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

  /// Records an error at `node` (the policy itself when nil); `path` is relative to the policy.
  mutating func error(
    _ code: String, _ message: String, at node: Node?, path: [PathComponent], hint: String? = nil
  ) {
    report(.error, code, message, at: node, path: path, hint: hint)
  }

  /// Records a warning.
  mutating func warning(
    _ code: String, _ message: String, at node: Node?, path: [PathComponent], hint: String? = nil
  ) {
    report(.warning, code, message, at: node, path: path, hint: hint)
  }

  private mutating func report(
    _ severity: Diagnostic.Severity, _ code: String, _ message: String, at node: Node?, path: [PathComponent],
    hint: String?
  ) {
    let mark = (node?.mark.isKnown == true ? node?.mark : nil) ?? policy.mark
    let rendered = JSONPath.render(path, prefix: pathPrefix)
    diagnostics.append(
      Diagnostic(
        severity: severity, code: code, message: message, file: file, mark: mark,
        path: rendered.isEmpty ? nil : rendered, object: reference, hint: hint))
  }

  /// `metadata` for a rendered object: name, the policy's namespace, the managed-by label and
  /// the source annotation, then `annotations`.
  func metadata(name: String, annotations: [MappingEntry] = []) -> Node {
    var entries = [MappingEntry(key: "name", value: .string(name))]
    if let namespace { entries.append(MappingEntry(key: "namespace", value: .string(namespace))) }
    entries.append(
      MappingEntry(key: "labels", value: .mapping([Annotations.managedByLabel: .string(Annotations.managedByValue)])))
    entries.append(MappingEntry(key: "annotations", value: .mapping(sourceAnnotations + annotations)))
    return .mapping(entries)
  }

  /// The annotation naming the policy an object was rendered from.
  var sourceAnnotations: [MappingEntry] {
    [
      MappingEntry(
        key: Annotations.source, value: .string(Annotations.sourceValue(kind: kind, namespace: namespace, name: name)))
    ]
  }

  /// A whole object: apiVersion, kind, metadata, spec.
  func object(apiVersion: String, kind: String, name: String, annotations: [MappingEntry] = [], spec: Node) -> Node {
    .mapping([
      "apiVersion": .string(apiVersion), "kind": .string(kind),
      "metadata": metadata(name: name, annotations: annotations), "spec": spec,
    ])
  }

  /// Checks that a rendered name is a DNS-1123 label Kubernetes accepts (names of Services must
  /// be, and meshctl keeps every rendered name within it).
  mutating func checkName(_ name: String, at node: Node?, path: [PathComponent]) {
    guard name.utf8.count > 63 else { return }
    error(
      RuleCode.renderedNameTooLong, "rendered name `\(name)` is longer than 63 characters", at: node, path: path,
      hint: "shorten the policy, Service or backend name")
  }
}

/// The labels and annotations rendered objects carry (docs/policies.md describes the scheme).
public enum Annotations {
  /// The label every rendered object carries (except a Namespace patch).
  public static let managedByLabel = "app.kubernetes.io/managed-by"
  /// Its value.
  public static let managedByValue = "meshctl"
  /// The policy an object was rendered from: `TrafficSplit/<namespace>/<name>`.
  public static let source = "meshctl.io/source"
  /// On routing objects: the TrafficSplit's backends and what each became (JSON array).
  public static let backends = "meshctl.io/backends"
  /// On routing objects of a TrafficSplit with `spec.analysis`: its specs (JSON array).
  public static let analysis = "meshctl.io/analysis"
  /// On a per-backend Service: the backend it serves.
  public static let backend = "meshctl.io/backend"
  /// On objects rendered from an MTLSPolicy: the policy's spec (JSON object).
  public static let mtls = "meshctl.io/mtls"

  /// `TrafficSplit/bookinfo/reviews`; `TrafficSplit/reviews` when the namespace is unset.
  public static func sourceValue(kind: String, namespace: String?, name: String) -> String {
    [kind, namespace, name].compactMap { $0 }.joined(separator: "/")
  }

  /// Parses a `meshctl.io/source` value back into kind, namespace and name.
  public static func parseSource(_ value: String) -> (kind: String, namespace: String?, name: String)? {
    let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    switch parts.count {
    case 2: return (parts[0], nil, parts[1])
    case 3: return (parts[0], parts[1], parts[2])
    default: return nil
    }
  }
}
