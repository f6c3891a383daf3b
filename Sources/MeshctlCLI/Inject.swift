import ArgumentParser
import Injection
import KubeClient
import Manifest
import MeshOps
import MeshSchema

extension Meshctl {
  /// `meshctl inject`: adds the mesh sidecar to every pod template, offline.
  public struct Inject: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "inject",
        abstract: "Add the mesh sidecar to every pod template, offline.",
        discussion: """
          Renders the sidecar as the provider's own injector would (or, with --webhook, only \
          marks workloads for the cluster's injector). Documents without a pod template, and \
          workloads that are skipped, come out byte for byte. Injection is idempotent. The YAML \
          goes to standard output; the report (`deployment/web injected`, `pod/x skipped: \
          hostNetwork`) goes to standard error after it. Linkerd's proxy needs the mesh's \
          identity trust anchors: from --identity-trust-anchors, the MeshConfig, or (unless \
          --offline) the cluster's linkerd-identity-trust-roots ConfigMap. Jobs get a native \
          sidecar, so they can complete, when the target Kubernetes version \
          (--kubernetes-version) is 1.29 or later.

          Examples:
            \(Meshctl.displayName) inject -f app.yaml | kubectl apply -f -
            \(Meshctl.displayName) inject -i -R -f k8s/ --config meshconfig.yaml
            \(Meshctl.displayName) inject -f app.yaml --provider linkerd --identity-trust-anchors ca.crt
            \(Meshctl.displayName) inject -f jobs.yaml --kubernetes-version 1.31
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var transform: TransformOptions

    /// `--provider` and `--config`.
    @OptionGroup public var mesh: MeshOptions

    /// Only mark workloads for the cluster's injector.
    @Flag(help: "Only mark workloads for the cluster's injector (Istio label, Linkerd annotation).")
    public var webhook = false

    /// Native sidecar placement.
    @Option(
      name: .customLong("native-sidecar"),
      help: ArgumentHelp("Run the proxy as a native sidecar: auto, true or false.", valueName: "mode"))
    public var nativeSidecar: NativeSidecarMode?

    /// The target cluster's Kubernetes version (decides `--native-sidecar auto`).
    @Option(
      name: .customLong("kubernetes-version"),
      help: ArgumentHelp(
        "The target cluster's Kubernetes version, e.g. 1.33 (overrides the MeshConfig's kubernetesVersion); native sidecars need 1.29.",
        valueName: "version"))
    public var kubernetesVersion: String?

    /// Linkerd's identity trust anchors, from a file.
    @Option(
      name: .customLong("identity-trust-anchors"),
      help: ArgumentHelp(
        "A PEM file with Linkerd's identity trust anchors (default: the MeshConfig's, else the cluster's linkerd-identity-trust-roots ConfigMap).",
        valueName: "path"),
      completion: .file())
    public var identityTrustAnchors: String?

    /// Never ask the cluster.
    @Flag(
      name: .customLong("offline"),
      help: "Never talk to a cluster (Linkerd's trust anchors must then come from --identity-trust-anchors or the MeshConfig).")
    public var offline = false

    public init() {}

    public func validate() throws {
      try transform.validate(input: input)
      if let kubernetesVersion, let problem = StringFormat.kubernetesVersion.problem(with: kubernetesVersion) {
        throw ValidationError("invalid --kubernetes-version \"\(kubernetesVersion)\": \(problem)")
      }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      // Every configuration error surfaces here, before the first input is read: a run that
      // fails writes nothing to standard output.
      let injector = try configuredInjector(context: context)
      return try InjectionRun(transform: transform, input: input) { try injector.inject($0) }.run(in: context)
    }

    /// The injector with every setting in place and checked, trust anchors included.
    func configuredInjector(context: CommandContext) throws -> Injector {
      var options = InjectionOptions(settings: try loadSettings(context: context), webhookOnly: webhook)
      if Injector(options: options).needsTrustAnchors {
        options.settings.identityTrustAnchorsPEM = try clusterTrustAnchors(options.settings, context: context)
      }
      let injector = Injector(options: options)
      do {
        try injector.checkConfiguration()
      } catch {
        throw CommandFailure(error, status: .findings, context: context)
      }
      return injector
    }

    /// The settings: built-in defaults, then the MeshConfig file (validated first, so a mistake
    /// is reported with its line and column), then the flags.
    func loadSettings(context: CommandContext) throws -> SidecarSettings {
      var settings = SidecarSettings(config: try mesh.meshConfig(context: context), provider: mesh.provider)
      if let nativeSidecar { settings.nativeSidecar = nativeSidecar }
      if let kubernetesVersion { settings.kubernetesVersion = kubernetesVersion }
      if let identityTrustAnchors {
        guard settings.provider == .linkerd else {
          throw ValidationError("--identity-trust-anchors is for --provider linkerd (the provider is \(settings.provider.rawValue))")
        }
        settings.identityTrustAnchorsPEM = try TrustAnchorFile.read(identityTrustAnchors, context: context)
      }
      return settings
    }

    /// Linkerd's trust anchors from the cluster's ConfigMap, when a kubeconfig names a cluster
    /// and --offline is not given; the source used goes to standard error. Without them the
    /// command ends: exit 1 with the hint when there are none, the cluster's failure when it
    /// could not be asked.
    func clusterTrustAnchors(_ settings: SidecarSettings, context: CommandContext) throws -> String {
      let namespace = settings.controlPlaneNamespace
      let missing = { (reason: String) in
        CommandFailure(
          InjectionError.missingTrustAnchors(controlPlaneNamespace: namespace, reason: reason), status: .findings,
          context: context)
      }
      if offline { throw missing("--offline was given, so the cluster was not asked") }
      let lookup: ClusterTrustAnchors.Lookup
      do {
        let api = try ClusterSession(options: cluster, context: context).api
        lookup = try awaitCompletion { try await ClusterTrustAnchors.read(api, namespace: namespace) }
      } catch KubeconfigError.noConfiguration {
        throw missing("no kubeconfig was found, so the cluster was not asked")
      } catch {
        // The cluster could not be asked: its failure, with the ways around it.
        let verdict = ErrorFunnel.verdict(for: error)
        if let message = verdict.message { context.stderr.write(message + "\n") }
        context.stderr.write(
          "  hint: reading \(ClusterTrustAnchors.source(namespace: namespace)) failed; pass --identity-trust-anchors FILE, or --offline with the anchors in the MeshConfig\n")
        throw CommandFailure(status: verdict.status)
      }
      switch lookup {
      case .found(let bundle, let count):
        context.stderr.write(
          "identity trust anchors: \(count) certificate\(count == 1 ? "" : "s") from \(ClusterTrustAnchors.source(namespace: namespace)) in the cluster\n")
        return bundle
      case .missing(let reason), .invalid(let reason): throw missing(reason)
      }
    }
  }

  /// `meshctl uninject`: removes mesh sidecars, restoring the pod templates.
  public struct Uninject: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "uninject",
        abstract: "Remove mesh sidecars from every pod template, offline.",
        discussion: """
          Restores pod templates exactly as they were before `\(Meshctl.displayName) inject` \
          (from the record it leaves in the meshctl.io/injection annotation); sidecars added by \
          Istio's or Linkerd's own injector are removed by name. A proxy that is the workload \
          (Istio gateways, proxyless gRPC, a pod of proxies only) is left alone, with the reason \
          in the report.

          Examples:
            \(Meshctl.displayName) uninject -f injected.yaml > plain.yaml
            \(Meshctl.displayName) uninject -i -R -f k8s/
          """)
    }

    @OptionGroup(title: ClusterOptions.title, visibility: .hidden) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var transform: TransformOptions

    public init() {}

    public func validate() throws {
      try transform.validate(input: input)
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      let injector = Injector(options: InjectionOptions(settings: .defaults(for: .istio)))
      return try InjectionRun(transform: transform, input: input) { try injector.uninject($0) }.run(in: context)
    }
  }
}

/// The output flags `inject` and `uninject` share.
public struct TransformOptions: ParsableArguments {
  /// Output format.
  public enum Format: String, ArgumentChoice, Sendable {
    case yaml, json
  }

  /// Rewrite the files in place.
  @Flag(
    name: [.customShort("i"), .customLong("in-place")],
    help: "Rewrite the input files in place (atomically; unchanged files are not touched).")
  public var inPlace = false

  /// Output format.
  @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: yaml or json.", valueName: "format"))
  public var output: Format = .yaml

  /// Where to write the report as JSON.
  @Option(
    help: ArgumentHelp("Also write the report as JSON to this file (for CI).", valueName: "path"),
    completion: .file(extensions: ["json"]))
  public var report: String?

  public init() {}

  /// Checks flag combinations.
  func validate(input: InputOptions) throws {
    if inPlace, input.filenames.isEmpty || input.filenames.contains("-") {
      throw ValidationError("--in-place needs files: it cannot rewrite standard input")
    }
    if inPlace, output == .json { throw ValidationError("--in-place writes YAML; -o json goes with standard output") }
  }
}

extension NativeSidecarMode: ArgumentChoice {}

/// Runs a document transform over every input: holds the YAML for standard output (or
/// rewrites files in place) and writes it only when every input was read and transformed,
/// then prints the report on standard error.
struct InjectionRun {
  let transform: TransformOptions
  let input: InputOptions
  let change: (Document) throws -> (root: Node?, outcomes: [InjectionOutcome])

  init(
    transform: TransformOptions, input: InputOptions,
    change: @escaping (Document) throws -> (root: Node?, outcomes: [InjectionOutcome])
  ) {
    self.transform = transform
    self.input = input
    self.change = change
  }

  func run(in context: CommandContext) throws -> ExitStatus {
    var frontend = try InputFrontend(input, context: context)
    // Edits are spliced into the source text: record where the nodes are while reading.
    frontend.reader.recordsLayout = true
    let output: InjectionSession.Output = transform.inPlace ? .inPlace : transform.output == .json ? .json : .stream
    var session = InjectionSession(output: output, keepsOutcomes: transform.report != nil, transform: change)
    // All or nothing: a failure in the fifth document must not leave four on standard output
    // for `| kubectl apply -f -` to apply.
    let held = LineSpool()
    let unreadable = try frontend.read(
      document: { held.write(try session.add($0)) },
      finished: { input, summary in
        let result = session.finishInput(summary)
        DiagnosticPrinter(context).printLines(result.errors)
        if let text = result.rewrite, case .file(let path) = input {
          try context.writeFile(path, Array(text.utf8))
          session.confirmWrite()
        }
      },
      unreadable: { _, _ in session.abandonInput() })
    let failed = unreadable || session.hadErrors
    if failed {
      held.discard()
      session.json.discard()
      if output != .inPlace { DiagnosticPrinter(context).note("nothing was written to standard output") }
    } else {
      if output == .json { session.json.drain(into: context.stdout) }
      held.drain(into: context.stdout)
    }
    // The report says what was injected: only once the output is known to have arrived.
    try context.stdout.finishWriting()
    if failed, output != .inPlace { session.report.lines.discard() }
    session.report.lines.drain(into: context.stderr)
    if let path = transform.report {
      try context.writeFile(path, Array((JSONEmitter.emit(session.report.node) + "\n").utf8))
    }
    return failed ? .inputError : .success
  }
}

/// The `--identity-trust-anchors` file: a PEM bundle of certificates, checked before use.
enum TrustAnchorFile {
  /// The bundle in `path`, its source said on standard error. An unreadable file, or one that
  /// is not PEM certificates, is exit 2 with the file's name and what is wrong.
  static func read(_ path: String, context: CommandContext) throws -> String {
    let text = try MeshConfig.TrustAnchors.text(of: context.openFile(path), path: path)
    do {
      let certificates = try MeshConfig.TrustAnchors.certificates(in: text)
      context.stderr.write("identity trust anchors: \(certificates.count) certificate\(certificates.count == 1 ? "" : "s") from \(path)\n")
      return MeshConfig.TrustAnchors.bundle(certificates)
    } catch {
      context.stderr.write("\(Meshctl.displayName): error: \(path): --identity-trust-anchors \(error)\n")
      throw CommandFailure(status: .inputError)
    }
  }
}

extension CommandFailure {
  /// Prints `error` (`meshctl: error: ...` and its hint) and ends the command with `status`.
  init(_ error: InjectionError, status: ExitStatus, context: CommandContext) {
    context.stderr.write("\(Meshctl.displayName): error: \(error.message)\n")
    if let hint = error.hint { context.stderr.write("  hint: \(hint)\n") }
    self.init(status: status)
  }
}
