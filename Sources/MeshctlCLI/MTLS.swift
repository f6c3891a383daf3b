import ArgumentParser
import KubeClient
import Manifest
import MeshOps
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
          the workload has a sidecar. check lists, from Prometheus, the callers that reached \
          workloads without mTLS. enable applies an MTLSPolicy (rendered for the mesh the \
          cluster runs) and refuses STRICT while a workload in scope has no sidecar.

          Examples:
            \(Meshctl.displayName) mtls status -n shop
            \(Meshctl.displayName) mtls enable --mode PERMISSIVE -n shop
            \(Meshctl.displayName) mtls enable --mode STRICT -n shop --selector app=reviews
            \(Meshctl.displayName) mtls check -n shop --window 10m
          """,
        subcommands: [Status.self, Check.self, Enable.self])
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

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List the workloads of every namespace.")
    public var allNamespaces = false

    /// `--provider` (default: detected from the cluster) and `--config` (its
    /// controlPlaneNamespace holds mesh-wide policies).
    @OptionGroup public var mesh: MeshOptions

    /// `text`, `json` or `yaml`.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output: text, json or yaml.", valueName: "format"))
    public var output: MTLSStatusOutput = .text

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let meshConfig = try mesh.meshConfig(context: context)
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let scope: String? = allNamespaces ? nil : (cluster.namespace ?? api.defaultNamespace)
      let forced = mesh.provider
      let configured = mesh.config == nil ? nil : meshConfig.controlPlaneNamespace
      let status = try awaitCompletion {
        try await MTLSStatusScan.run(api: api, provider: forced, namespace: scope, rootNamespace: configured)
      }
      for warning in status.warnings { context.stderr.write("Warning: \(warning)\n") }
      switch output {
      case .text:
        if status.rows.isEmpty {
          let place = scope.map { "in \($0) namespace" } ?? "in any namespace"
          context.stderr.write("No workloads found \(place).\n")
        } else {
          context.stdout.write(TablePrinter.render(status.table))
        }
      case .json: context.stdout.write(JSONEmitter.emit(status.object) + "\n")
      case .yaml: context.stdout.write(YAMLEmitter.emit(status.object))
      }
      return .success
    }
  }
}

/// `-o` of `mtls check`.
public enum MTLSCheckOutput: String, ArgumentChoice, Sendable {
  /// A table.
  case text
  /// One JSON object.
  case json
}

extension Meshctl.MTLS {
  /// `meshctl mtls check`: the plaintext callers of the workloads in scope, from Prometheus.
  public struct Check: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "check",
        abstract: "List the callers that reached workloads without mTLS, from Prometheus.",
        discussion: """
          Asks Prometheus which callers reached the workloads of the namespace (-n, else the \
          context's; -A: every namespace) without mTLS in the last --window, from the mesh's \
          standard metrics (Istio: destination-reported istio_requests_total and \
          istio_tcp_connections_opened_total with connection_security_policy other than \
          mutual_tls; Linkerd: inbound request_total without tls="true", the caller named by its \
          own outbound metrics when it is meshed). One row per destination workload and caller: \
          NAMESPACE WORKLOAD SOURCE REQUESTS CONNECTIONS; SOURCE is `unknown` for a caller \
          outside the Istio mesh, `(unidentified)` when Linkerd cannot name it.

          Prometheus comes from --prometheus, else MESHCTL_PROMETHEUS, else the MeshConfig's \
          spec.prometheus.url, else istio-system/prometheus or linkerd-viz/prometheus through \
          the API server's service proxy; the one used is named on standard error. Exit 0 when \
          no plaintext caller was seen, 1 when some were, 3 when no Prometheus can be found or \
          it cannot answer (the check was not possible: it never passes silently).

          Examples:
            \(Meshctl.displayName) mtls check -n shop
            \(Meshctl.displayName) mtls check -A --window 1h -o json
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Check the workloads of every namespace.")
    public var allNamespaces = false

    /// How far back to look.
    @Option(help: ArgumentHelp("How far back to look, e.g. 5m, 1h.", valueName: "duration"))
    public var window: String = "5m"

    /// `--prometheus`.
    @OptionGroup public var prometheus: PrometheusOptions

    /// `--provider` (default: detected from the cluster) and `--config`.
    @OptionGroup public var mesh: MeshOptions

    /// `text` or `json`.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output: text or json.", valueName: "format"))
    public var output: MTLSCheckOutput = .text

    public init() {}

    public func validate() throws { _ = try usage { try PlaintextReport.window(window) } }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let (api, namespace, meshConfig, provider) = try MeshScope.resolve(
        cluster: cluster, mesh: mesh, allNamespaces: allNamespaces, context: context)
      let located = prometheus.locate(meshConfig: meshConfig, provider: provider, api: api, cluster: cluster, context: context)
      let window = try PlaintextReport.window(self.window)
      let report = try awaitCompletion {
        try await PlaintextReport.check(
          scope: PlaintextScope(namespace: namespace), mesh: provider, window: window, located: located)
      }
      switch output {
      case .text:
        if report.callers.isEmpty {
          let place = namespace.map { "namespace \($0)" } ?? "any namespace"
          context.stdout.write("No plaintext callers of workloads in \(place) in the last \(report.window).\n")
        } else {
          context.stdout.write(TablePrinter.render(report.table))
        }
      case .json: context.stdout.write(JSONEmitter.emit(report.object) + "\n")
      }
      return report.callers.isEmpty ? .success : .findings
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

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

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

    /// Set STRICT although workloads have no sidecar or plaintext callers were seen.
    @Flag(help: "Set STRICT even though workloads in scope have no sidecar or plaintext callers were seen.")
    public var force = false

    /// How far back STRICT's plaintext check looks.
    @Option(help: ArgumentHelp("How far back STRICT's plaintext traffic check looks.", valueName: "duration"))
    public var window: String = "5m"

    /// `--prometheus`.
    @OptionGroup public var prometheus: PrometheusOptions

    /// `--provider` (default: detected from the cluster) and `--config`.
    @OptionGroup public var mesh: MeshOptions

    @OptionGroup public var write: WriteOptions

    public init() {}

    public func validate() throws {
      if case .failure(let error) = LabelMatch.parse(selector) { throw ValidationError(error.description) }
      _ = try usage { try PlaintextReport.window(window) }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let labels = (try? LabelMatch.parse(selector).get()) ?? []
      let meshConfig = try mesh.meshConfig(context: context)
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let namespace = cluster.namespace ?? api.defaultNamespace
      let request = MTLSEnableRequest(
        namespace: namespace, mode: mode.rawValue, selector: labels, force: force, provider: mesh.provider,
        config: meshConfig, configGiven: mesh.config != nil)
      try request.validate()
      let plan = try awaitCompletion { try await MTLSEnablePlan.make(api: api, request: request) }
      for warning in plan.scanWarnings { context.stderr.write("Warning: \(warning)\n") }
      switch plan.decision {
      case .renderFailed(let diagnostics):
        report(diagnostics, context: context)
        return .findings
      case .refused(let unmeshed, let meshWide):
        context.stderr.write(
          MTLSEnablePlan.refusal(
            unmeshed: unmeshed, meshWide: meshWide, provider: plan.provider, namespace: namespace,
            selectorArguments: selector, commandName: Meshctl.displayName))
        return .findings
      case .apply(let objects):
        for warning in plan.warnings { context.stderr.write("Warning: \(warning)\n") }
        if mode == .STRICT, !force {
          let located = prometheus.locate(
            meshConfig: meshConfig, provider: plan.provider, api: api, cluster: cluster, context: context)
          let (window, provider) = (try PlaintextReport.window(self.window), plan.provider)
          let verdict = try awaitCompletion {
            try await PlaintextReport.strictVerdict(
              namespace: namespace, mesh: provider, window: window, located: located, commandName: Meshctl.displayName)
          }
          switch verdict {
          case .refused(let refusal):
            context.stderr.write(refusal)
            return .findings
          case .unchecked(let warning): context.stderr.write("Warning: \(warning)\n")
          case .clear: break
          }
        }
        let (plan, problems) = try awaitCompletion {
          await GeneratedObjects.plan(objects, file: "mtls enable", api: api)
        }
        guard problems.isEmpty else {
          for problem in problems { context.stderr.write("error: \(problem.description)\n") }
          DiagnosticPrinter(context).note("nothing was sent to the cluster")
          return .clusterError
        }
        let report = AppliedObjects(context: context, dryRun: write.dryRun)
        try report.apply(plan.resolved, plan: plan, write: write)
        return report.finish()
      }
    }

    /// Prints rendering errors (Linkerd's DISABLE) with their hints.
    private func report(_ diagnostics: [Diagnostic], context: CommandContext) {
      let printer = DiagnosticPrinter(context)
      printer.printMessages(diagnostics)
      if diagnostics.contains(where: { $0.severity == .error }) { printer.note("nothing was sent to the cluster") }
    }
  }
}

extension PrometheusOptions {
  /// The Prometheus to ask (`PrometheusFinder.locate` with `--prometheus`), or why none was found.
  func locate(
    meshConfig: MeshConfig, provider: MeshConfig.Provider, api: KubeAPI, cluster: ClusterOptions,
    context: CommandContext
  ) -> Result<PrometheusLocation, any Error> {
    Result {
      try PrometheusFinder.locate(
        flag: url, meshConfig: meshConfig, provider: provider, api: api, cluster: cluster, context: context)
    }
  }
}
