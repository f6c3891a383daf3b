import ArgumentParser
import KubeClient
import Manifest
import MeshSchema
import Policy

extension Meshctl {
  /// `meshctl mtls`: the workloads' effective mTLS modes, and a safe way to change them.
  public struct MTLS: ParsableCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "mtls",
        abstract: "Show the workloads' effective mTLS modes, and change them with a safety check.",
        discussion: """
          status prints, per workload, the mode in force, the policy it comes from and whether \
          the workload has a sidecar. enable applies an MTLSPolicy (rendered for the mesh the \
          cluster runs) and refuses STRICT while a workload in scope has no sidecar.

          Examples:
            \(Meshctl.displayName) mtls status -n shop
            \(Meshctl.displayName) mtls enable --mode PERMISSIVE -n shop
            \(Meshctl.displayName) mtls enable --mode STRICT -n shop --selector app=reviews
          """,
        subcommands: [Status.self, Enable.self])
    }

    public init() {}
  }
}

/// `--mode`'s values; lower case is accepted too.
public enum MTLSModeArgument: String, ArgumentChoice, Sendable {
  case STRICT, PERMISSIVE, DISABLE

  public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `-o` of `mtls status`.
public enum MTLSStatusOutput: String, ArgumentChoice, Sendable {
  /// A table.
  case text
  /// One JSON object.
  case json
  /// The same object as YAML.
  case yaml
}

extension Meshctl.MTLS {
  /// `meshctl mtls status`: per workload, the effective mode, its source and the sidecar.
  public struct Status: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "status",
        abstract: "Show each workload's effective mTLS mode, where it comes from, and its sidecar.",
        discussion: """
          Reads the Deployments, StatefulSets, DaemonSets and bare Pods of the namespace (-n, \
          else the context's; -A: every namespace) and the mesh's policies, and prints one row \
          per workload: NAMESPACE WORKLOAD MODE SOURCE SIDECAR. SOURCE names the object that \
          sets the mode, or the MTLSPolicy when meshctl rendered it. SIDECAR is `yes (injected)` \
          when the pod template holds the proxy, `yes (webhook)` when a label or annotation has \
          the injection webhook add it, `no (webhook; restart pods)` when running pods of it \
          still lack the proxy, `no` otherwise. The provider is detected from the API \
          groups the cluster serves (Istio first), unless --provider names it. How the mode is \
          computed: docs/policies.md. Exit 0, 3 when the cluster fails or runs no mesh.

          Examples:
            \(Meshctl.displayName) mtls status -n shop
            \(Meshctl.displayName) mtls status -A -o json
          """)
    }

    @OptionGroup public var cluster: ClusterOptions

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List the workloads of every namespace.")
    public var allNamespaces = false

    /// The mesh, when detection should not decide.
    @Option(
      help: ArgumentHelp("The mesh: istio or linkerd (default: detected from the cluster).", valueName: "provider"))
    public var provider: MeshConfig.Provider?

    /// A MeshConfig naming the control plane's namespace.
    @Option(
      help: ArgumentHelp(
        "A meshctl.io/v1alpha1 MeshConfig file (its controlPlaneNamespace holds mesh-wide policies).",
        valueName: "path"))
    public var config: String?

    /// `text`, `json` or `yaml`.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output: text, json or yaml.", valueName: "format"))
    public var output: MTLSStatusOutput = .text

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let meshConfig = try MeshConfigFile.load(config, context: context)
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let scope: String? = allNamespaces ? nil : (cluster.namespace ?? api.defaultNamespace)
      let forced = provider
      let configured = config == nil ? nil : meshConfig.controlPlaneNamespace
      let (mesh, rows, warnings) = try MTLSCluster.run(context: context) {
        let mesh = try await MTLSCluster.provider(api, forced: forced)
        let root = configured ?? mesh.defaultControlPlaneNamespace
        let scan = try await MTLSCluster.scan(api, provider: mesh, namespace: scope, rootNamespace: root)
        return (mesh, scan.rows, scan.warnings)
      }
      for warning in warnings { context.stderr.write("Warning: \(warning)\n") }
      switch output {
      case .text:
        if rows.isEmpty {
          let place = scope.map { "in \($0) namespace" } ?? "in any namespace"
          context.stderr.write("No workloads found \(place).\n")
        } else {
          context.stdout.write(MTLSStatusTable.text(rows))
        }
      case .json: context.stdout.write(JSONEmitter.emit(MTLSStatusTable.object(rows, provider: mesh)) + "\n")
      case .yaml: context.stdout.write(YAMLEmitter.emit(MTLSStatusTable.object(rows, provider: mesh)))
      }
      return .success
    }
  }
}

extension Meshctl.MTLS {
  /// `meshctl mtls enable`: apply a namespace or workload mTLS mode, refusing an unsafe STRICT.
  public struct Enable: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "enable",
        abstract: "Set the mTLS mode of a namespace or of selected workloads, refusing an unsafe STRICT.",
        discussion: """
          Builds an MTLSPolicy (named `default` for the whole namespace, else after the \
          selector: app=reviews → app-reviews), validates it, renders it for the cluster's mesh \
          (Istio PeerAuthentication; Linkerd Namespace annotation, or Server + \
          AuthorizationPolicy + MeshTLSAuthentication for a selector) and applies it with \
          server-side apply, one kubectl-style line per object.

          STRICT is refused (exit 1, nothing sent) while a workload in scope has no sidecar: \
          the meshed workloads would then accept only mTLS, which those cannot send. The \
          message lists them; migrate with PERMISSIVE first, inject them, then STRICT, or pass \
          --force. Linkerd cannot turn mTLS off: DISABLE is refused there (exit 1). Exit 3 when \
          the cluster fails or runs no mesh, 4 on a field-manager conflict, 64 for bad flags.

          Examples:
            \(Meshctl.displayName) mtls enable --mode PERMISSIVE -n shop
            \(Meshctl.displayName) mtls enable --mode STRICT -n shop --selector app=reviews
            \(Meshctl.displayName) mtls enable --mode STRICT -n shop --force --dry-run=server
          """)
    }

    @OptionGroup public var cluster: ClusterOptions

    /// The mode to set.
    @Option(help: ArgumentHelp("STRICT, PERMISSIVE or DISABLE.", valueName: "mode"))
    public var mode: MTLSModeArgument

    /// Labels choosing the workloads; none = the whole namespace.
    @Option(
      name: [.customShort("l"), .long],
      help: ArgumentHelp(
        "Only the workloads whose pod labels match key=value (comma-separated or repeated); default: the namespace.",
        valueName: "key=value"))
    public var selector: [String] = []

    /// Set STRICT although workloads have no sidecar.
    @Flag(help: "Set STRICT even though workloads in scope have no sidecar.")
    public var force = false

    /// The mesh, when detection should not decide.
    @Option(
      help: ArgumentHelp("The mesh: istio or linkerd (default: detected from the cluster).", valueName: "provider"))
    public var provider: MeshConfig.Provider?

    /// A MeshConfig with the provider settings.
    @Option(
      help: ArgumentHelp(
        "A meshctl.io/v1alpha1 MeshConfig file (trust domain, control plane namespace).", valueName: "path"))
    public var config: String?

    @OptionGroup public var write: WriteOptions

    public init() {}

    public func validate() throws {
      if case .failure(let error) = LabelMatch.parse(selector) { throw ValidationError(error.description) }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let labels = (try? LabelMatch.parse(selector).get()) ?? []
      let meshConfig = try MeshConfigFile.load(config, context: context)
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let namespace = cluster.namespace ?? api.defaultNamespace
      let policy = MTLSPolicyNaming.policy(
        name: MTLSPolicyNaming.name(for: labels), namespace: namespace, mode: mode.rawValue, selector: labels)
      try refuseInvalid(policy, context: context)

      let forced = provider
      let root = meshConfig.controlPlaneNamespace
      let rootFromConfig = config != nil
      let namespaceWide = labels.isEmpty
      let state = try MTLSCluster.run(context: context) {
        try await EnableState.read(
          api, forced: forced, namespace: namespace, rootNamespace: rootFromConfig ? root : nil,
          namespaceWide: namespaceWide)
      }
      for warning in state.warnings { context.stderr.write("Warning: \(warning)\n") }
      let settings = PolicySettings(config: meshConfig, provider: state.provider, defaultNamespace: namespace)
      let rendered = PolicyRenderer(settings: settings).render(policy, file: "mtls enable", lookup: state.lookup)
      if rendered.hasErrors {
        report(rendered.diagnostics, context: context)
        return .findings
      }
      let matchLabels = Dictionary(labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
      let scoped = state.rows.filter { LabelMatch.matches(matchLabels, $0.workload.labels) }
      let unmeshed = StrictSafety.unmeshed(mode: mode.rawValue, scoped)
      if !unmeshed.isEmpty, !force {
        let place = state.meshWide ? "the mesh (\(namespace) is Istio's root namespace)" : "namespace \(namespace)"
        refuse(unmeshed, provider: state.provider, place: place, namespace: namespace, context: context)
        return .findings
      }
      warn(scoped: scoped, unmeshed: unmeshed, labels: labels, namespace: namespace, context: context)
      return try apply(rendered.objects, api: api, context: context)
    }

    /// Schema errors in the policy built from the flags (a label value Kubernetes refuses) are
    /// usage errors: nothing is sent.
    private func refuseInvalid(_ policy: Node, context: CommandContext) throws {
      let (documents, _) = ManifestReader().parse(YAMLEmitter.emit(policy), file: "mtls enable")
      let errors = documents.flatMap { Validator().validate($0) }.filter { $0.severity == .error }
      guard !errors.isEmpty else { return }
      let messages = errors.map { "\($0.path.map { "\($0): " } ?? "")\($0.message)" }
      throw ValidationError("the flags make an invalid MTLSPolicy: " + messages.joined(separator: "; "))
    }

    /// Prints rendering errors (Linkerd's DISABLE) with their hints.
    private func report(_ diagnostics: [Diagnostic], context: CommandContext) {
      for diagnostic in diagnostics {
        context.stderr.write("\(Meshctl.displayName): \(diagnostic.severity.rawValue): \(diagnostic.message)\n")
        if let hint = diagnostic.hint { context.stderr.write("  hint: \(hint)\n") }
      }
      if diagnostics.contains(where: { $0.severity == .error }) {
        context.stderr.write("\(Meshctl.displayName): nothing was sent to the cluster\n")
      }
    }

    /// The refusal of STRICT: the workloads without a sidecar and the way to migrate.
    private func refuse(
      _ unmeshed: [WorkloadMTLS], provider: MeshConfig.Provider, place: String, namespace: String,
      context: CommandContext
    ) {
      let proxy = SidecarDetection.proxyName(provider)
      let count = unmeshed.count == 1 ? "1 workload" : "\(unmeshed.count) workloads"
      var text =
        "\(Meshctl.displayName): error: refusing STRICT mTLS: \(count) in scope in \(place) "
        + "\(unmeshed.count == 1 ? "has" : "have") no \(proxy) sidecar:\n"
      let showNamespace = Set(unmeshed.map(\.workload.namespace)).count > 1
      for row in unmeshed {
        text += "  \(showNamespace ? row.workload.namespace + "/" : "")\(row.workload.reference)\n"
      }
      let scope = (["-n \(namespace)"] + selector.map { "--selector \($0)" }).joined(separator: " ")
      text += """
        Under STRICT the meshed workloads accept only mTLS, which workloads without a sidecar cannot send.
        hint: migrate in steps: \(Meshctl.displayName) mtls enable --mode PERMISSIVE \(scope), inject the workloads \
        above (\(Meshctl.displayName) inject, or enable the injection webhook and restart them), then --mode STRICT; \
        --force sets STRICT now
        \(Meshctl.displayName): nothing was sent to the cluster

        """
      context.stderr.write(text)
    }

    /// Warnings for a forced STRICT and for a selector that matches nothing.
    private func warn(
      scoped: [WorkloadMTLS], unmeshed: [WorkloadMTLS], labels: [(key: String, value: String)], namespace: String,
      context: CommandContext
    ) {
      if !unmeshed.isEmpty {
        let names = unmeshed.map(\.workload.reference).joined(separator: ", ")
        context.stderr.write("Warning: --force: STRICT while these have no sidecar: \(names)\n")
      }
      if scoped.isEmpty, !labels.isEmpty {
        let text = labels.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        context.stderr.write("Warning: no workload in namespace \(namespace) matches \(text)\n")
      }
    }

    /// Server-side applies the rendered objects and prints kubectl's lines.
    private func apply(_ objects: [Node], api: KubeAPI, context: CommandContext) throws -> ExitStatus {
      let manifests = objects.map { ManifestObject(node: $0, document: Document(root: $0, file: "mtls enable"), path: "") }
      let batch = ObjectBatch(api: api)
      let (resolved, _, problems) = try awaitCompletion { await batch.resolve(manifests) }
      if !problems.isEmpty {
        for problem in problems { context.stderr.write("error: \(problem.description)\n") }
        context.stderr.write("\(Meshctl.displayName): nothing was sent to the cluster\n")
        return .clusterError
      }
      let suffix = [DryRunMode.client: " (dry run)", .server: " (server dry run)"][write.dryRun] ?? ""
      guard write.dryRun != .client else {
        for object in resolved { context.stdout.write("\(object.reference) serverside-applied\(suffix)\n") }
        return .success
      }
      let options = write.applyOptions
      let outcomes = try awaitCompletion { await batch.apply(resolved, options: options) }
      var failures: [any Error] = []
      for (object, outcome) in zip(resolved, outcomes) {
        switch outcome {
        case .success: context.stdout.write("\(object.reference) serverside-applied\(suffix)\n")
        case .failure(let error):
          context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
          failures.append(error)
        }
      }
      return ClusterFailure.status(of: failures)
    }
  }
}

/// What `mtls enable` reads before deciding: the provider, the namespace's workloads with
/// their modes, and a lookup of its Services and workloads for rendering.
struct EnableState: Sendable {
  var provider: MeshConfig.Provider
  var rows: [WorkloadMTLS]
  var lookup: ManifestLookup
  /// Whether the policy is Istio's mesh-wide one (namespace-wide in the root namespace): then
  /// every workload of the cluster is in scope.
  var meshWide: Bool
  /// What could not be read (a forbidden root namespace).
  var warnings: [String]

  static func read(
    _ api: KubeAPI, forced: MeshConfig.Provider?, namespace: String, rootNamespace: String?, namespaceWide: Bool
  ) async throws -> EnableState {
    let mesh = try await MTLSCluster.provider(api, forced: forced)
    let root = rootNamespace ?? mesh.defaultControlPlaneNamespace
    let meshWide = mesh == .istio && namespaceWide && namespace == root
    async let services = api.list(try await api.resource(apiVersion: "v1", kind: "Service"), namespace: namespace)
    async let scanned = MTLSCluster.scan(
      api, provider: mesh, namespace: meshWide ? nil : namespace, rootNamespace: root)
    let (serviceList, scan) = try await (services, scanned)
    var lookup = ManifestLookup()
    for service in serviceList { lookup.add(MTLSCluster.typed(service, apiVersion: "v1", kind: "Service")) }
    for (apiVersion, kind, object) in scan.objects where kind != "Pod" {
      let typed = MTLSCluster.typed(object, apiVersion: apiVersion, kind: kind)
      lookup.add(SidecarDetection.withoutProxies(typed, kind: kind))
    }
    return EnableState(
      provider: mesh, rows: scan.rows, lookup: lookup, meshWide: meshWide, warnings: scan.warnings)
  }
}

/// Reads what mTLS status needs from the cluster.
enum MTLSCluster {
  /// The workload kinds read, in the order rows are printed within a namespace.
  static let workloadKinds: [(apiVersion: String, kind: String)] = [
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("v1", "Pod"),
  ]

  /// Runs cluster work from a command; a missing mesh or mesh kind is a cluster failure
  /// (exit 3), said in one line. API and transport errors go on to `Meshctl.report`.
  static func run<T: Sendable>(context: CommandContext, _ work: @escaping @Sendable () async throws -> T) throws -> T {
    do {
      return try awaitCompletion(work)
    } catch let error as MTLSClusterError {
      context.stderr.write("\(Meshctl.displayName): error: \(error.description)\n")
      throw CommandFailure(status: .clusterError)
    } catch let error as KubeAPIError {
      context.stderr.write("\(Meshctl.displayName): error: \(error.description)\n")
      throw CommandFailure(status: .clusterError)
    }
  }

  /// The provider: forced (its API must be served), else detected; none is a cluster failure.
  static func provider(_ api: KubeAPI, forced: MeshConfig.Provider?) async throws -> MeshConfig.Provider {
    let meshes = try await api.installedMeshes()
    if let forced {
      guard forced == .istio ? meshes.istio : meshes.linkerd else {
        let groups = (forced == .istio ? ProviderGroups.istio : ProviderGroups.linkerd).joined(separator: ", ")
        throw MTLSClusterError.providerMissing(
          "the cluster serves no \(forced == .istio ? "Istio" : "Linkerd") API (\(groups)); "
            + "install \(ProviderGroups.hint(forGroup: forced == .istio ? "security.istio.io" : "policy.linkerd.io"))")
      }
      return forced
    }
    guard let detected = meshes.preferredProvider.flatMap(MeshConfig.Provider.init(rawValue:)) else {
      throw MTLSClusterError.providerMissing(
        "the cluster runs no mesh meshctl knows: it serves neither Istio's nor Linkerd's API; "
          + "install one (meshctl check says what is there)")
    }
    return detected
  }

  /// The workloads in `namespace` (nil: every namespace) with their modes, and the objects
  /// they were read from. Pods owned by a controller are not rows (their controller is the
  /// workload) but tell whether its running pods have the proxy.
  static func scan(
    _ api: KubeAPI, provider: MeshConfig.Provider, namespace: String?, rootNamespace: String
  ) async throws -> (rows: [WorkloadMTLS], objects: [(String, String, Node)], warnings: [String]) {
    async let listed = workloadObjects(api, namespace: namespace)
    async let read = policies(api, provider: provider, namespace: namespace, rootNamespace: rootNamespace)
    var (objects, policies) = try await (listed, read)
    let fallback = namespace ?? "default"
    policies.pods = objects.filter { $0.1 == "Pod" }.compactMap {
      MeshWorkload(kind: "Pod", object: $0.2, defaultNamespace: fallback)
    }
    objects = objects.filter { $0.1 != "Pod" || ($0.2[path: "metadata", "ownerReferences"]?.sequence ?? []).isEmpty }
    let workloads = objects.compactMap { MeshWorkload(kind: $0.1, object: $0.2, defaultNamespace: fallback) }
    let rows = workloads.sorted(by: order).map { MTLSResolver.resolve($0, policies: policies, provider: provider) }
    return (rows, objects, policies.warnings)
  }

  /// Rows by namespace, then kind (Deployments first), then name.
  static func order(_ lhs: MeshWorkload, _ rhs: MeshWorkload) -> Bool {
    (lhs.namespace, kindOrder(lhs.kind), lhs.name) < (rhs.namespace, kindOrder(rhs.kind), rhs.name)
  }

  static func kindOrder(_ kind: String) -> Int { workloadKinds.firstIndex { $0.kind == kind } ?? workloadKinds.count }

  /// The workload objects and every Pod, with their apiVersion and kind (list items carry
  /// neither).
  static func workloadObjects(_ api: KubeAPI, namespace: String?) async throws -> [(String, String, Node)] {
    try await withThrowingTaskGroup(of: [(String, String, Node)].self) { group in
      for (apiVersion, kind) in workloadKinds {
        group.addTask {
          let items = try await api.list(
            try await api.resource(apiVersion: apiVersion, kind: kind), namespace: namespace)
          return items.map { (apiVersion, kind, $0) }
        }
      }
      var all: [(String, String, Node)] = []
      for try await part in group { all += part }
      return all
    }
  }

  /// The policies and Namespaces that decide modes in `namespace` (nil: all).
  static func policies(
    _ api: KubeAPI, provider: MeshConfig.Provider, namespace: String?, rootNamespace: String
  ) async throws -> MTLSPolicies {
    var policies = MTLSPolicies(rootNamespace: rootNamespace)
    async let namespaces = namespaceFacts(api, namespace: namespace)
    switch provider {
    case .istio:
      let resource = try await meshResource(api, group: "security.istio.io", kind: "PeerAuthentication")
      policies.peerAuthentications = try await api.list(resource, namespace: namespace)
      if let namespace, namespace != rootNamespace {
        // Users with rights in their own namespace only still get a status: the mesh-wide
        // policy is then unknown, and they are told so.
        do {
          policies.peerAuthentications += try await api.list(resource, namespace: rootNamespace)
        } catch let error as APIError where error.httpStatus == 403 {
          policies.warnings.append(
            "cannot list PeerAuthentications in \(rootNamespace) (forbidden): a mesh-wide policy there is not "
              + "taken into account")
        }
      }
    case .linkerd:
      let servers = try await meshResource(api, group: "policy.linkerd.io", kind: "Server")
      let authorizations = try await meshResource(api, group: "policy.linkerd.io", kind: "AuthorizationPolicy")
      async let serverList = api.list(servers, namespace: namespace)
      async let authorizationList = api.list(authorizations, namespace: namespace)
      (policies.servers, policies.authorizationPolicies) = try await (serverList, authorizationList)
    }
    for facts in try await namespaces { policies.namespaces[facts.name] = facts }
    return policies
  }

  /// The Namespace (nil when it does not exist), or every Namespace.
  static func namespaceFacts(_ api: KubeAPI, namespace: String?) async throws -> [NamespaceFacts] {
    let resource = try await api.resource(apiVersion: "v1", kind: "Namespace")
    guard let namespace else { return try await api.list(resource, namespace: nil).map(NamespaceFacts.init(object:)) }
    return try await api.get(resource, namespace: nil, name: namespace).map { [NamespaceFacts(object: $0)] } ?? []
  }

  /// A mesh kind in whichever version of its group the server serves (preferred first).
  static func meshResource(_ api: KubeAPI, group: String, kind: String) async throws -> APIResource {
    let summary = try await api.groups().first { $0.name == group }
    for version in [summary?.preferredVersion].compactMap({ $0 }) + (summary?.versions ?? []) {
      if let found = try await api.resources(groupVersion: "\(group)/\(version)").first(where: { $0.kind == kind }) {
        return found
      }
    }
    throw KubeAPIError.unknownKind(
      kind: kind, apiVersion: "\(group)/\(summary?.preferredVersion ?? "v1")",
      hint: ProviderGroups.hint(forGroup: group))
  }

  /// A list item with its apiVersion and kind put back.
  static func typed(_ node: Node, apiVersion: String, kind: String) -> Node {
    var node = node
    node["apiVersion"] = .string(apiVersion)
    node["kind"] = .string(kind)
    return node
  }
}

/// Why mTLS commands cannot run against a cluster.
enum MTLSClusterError: Error, CustomStringConvertible {
  /// The mesh is not installed.
  case providerMissing(String)

  var description: String {
    switch self {
    case .providerMissing(let message): return message
    }
  }
}

/// `mtls status`'s table and its JSON/YAML object.
enum MTLSStatusTable {
  /// `STRICT`, or `STRICT (port 9090: PERMISSIVE)` with port overrides.
  static func modeText(_ row: WorkloadMTLS) -> String {
    guard !row.ports.isEmpty else { return row.mode }
    return row.mode + " (" + row.ports.map { "port \($0.port): \($0.mode)" }.joined(separator: ", ") + ")"
  }

  /// Columns padded as kubectl pads them (three spaces between).
  static func text(_ rows: [WorkloadMTLS]) -> String {
    let table =
      [["NAMESPACE", "WORKLOAD", "MODE", "SOURCE", "SIDECAR"]]
      + rows.map { [$0.workload.namespace, $0.workload.reference, modeText($0), $0.source.text, $0.sidecar.text] }
    let widths = (0..<5).map { column in table.map { $0[column].count }.max() ?? 0 }
    return table.map { cells in
      cells.enumerated().map { index, cell in
        index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
      }.joined()
    }.joined(separator: "\n") + "\n"
  }

  /// `{provider, workloads: [...]}`.
  static func object(_ rows: [WorkloadMTLS], provider: MeshConfig.Provider) -> Node {
    .mapping([
      "provider": .string(provider.rawValue),
      "workloads": .sequence(rows.map(workload)),
    ])
  }

  static func workload(_ row: WorkloadMTLS) -> Node {
    .mapping([
      "namespace": .string(row.workload.namespace), "kind": .string(row.workload.kind),
      "name": .string(row.workload.name), "mode": .string(row.mode), "source": source(row.source),
      "ports": .sequence(
        row.ports.map {
          .mapping(["port": .int($0.port), "mode": .string($0.mode), "source": source($0.source)])
        }),
      "sidecar": .string(row.sidecar.rawValue), "meshed": .bool(row.sidecar.isMeshed),
    ])
  }

  static func source(_ source: ModeSource) -> Node {
    var entries = [MappingEntry(key: "text", value: .string(source.text))]
    entries.append(MappingEntry(key: "object", value: source.object.map(Node.string) ?? .null))
    entries.append(MappingEntry(key: "policy", value: source.policy.map(Node.string) ?? .null))
    entries.append(MappingEntry(key: "managed", value: .bool(source.policy != nil)))
    return .mapping(entries)
  }
}
