import ArgumentParser
import Injection
import Manifest
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
          hostNetwork`) goes to standard error after it.

          Examples:
            \(Meshctl.displayName) inject -f app.yaml | kubectl apply -f -
            \(Meshctl.displayName) inject -i -R -f k8s/ --config meshconfig.yaml
            \(Meshctl.displayName) inject -f app.yaml --provider linkerd --webhook
          """)
    }

    @OptionGroup public var cluster: ClusterOptions
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

    public init() {}

    public func validate() throws {
      try transform.validate(input: input)
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let settings = try loadSettings(context: context)
      let injector = Injector(options: InjectionOptions(settings: settings, webhookOnly: webhook))
      return try InjectionRun(transform: transform, input: input) { try injector.inject($0) }.run(in: context)
    }

    /// The settings: built-in defaults, then the MeshConfig file (validated first, so a mistake
    /// is reported with its line and column), then the flags.
    func loadSettings(context: CommandContext) throws -> SidecarSettings {
      var settings = SidecarSettings(config: try mesh.meshConfig(context: context), provider: mesh.provider)
      if let nativeSidecar { settings.nativeSidecar = nativeSidecar }
      return settings
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

    @OptionGroup public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var transform: TransformOptions

    public init() {}

    public func validate() throws {
      try transform.validate(input: input)
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
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
  @Option(help: ArgumentHelp("Also write the report as JSON to this file (for CI).", valueName: "path"))
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

/// Runs a document transform over every input: streams YAML to standard output (or rewrites
/// files in place), then prints the report on standard error.
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
    let frontend = try InputFrontend(input, context: context)
    let output: InjectionSession.Output = transform.inPlace ? .inPlace : transform.output == .json ? .json : .stream
    var session = InjectionSession(output: output, keepsOutcomes: transform.report != nil, transform: change)
    let unreadable: Bool
    do {
      unreadable = try frontend.read(
        document: { context.stdout.write(try session.add($0)) },
        finished: { input, summary in
          let result = session.finishInput(summary)
          DiagnosticPrinter(context).printLines(result.errors)
          if let text = result.rewrite, case .file(let path) = input {
            try context.writeFile(path, Array(text.utf8))
            session.confirmWrite()
          }
        },
        unreadable: { _, _ in session.abandonInput() })
    } catch let error as InjectionError {
      throw ValidationError(error.message)
    }
    if output == .json {
      ObjectPrinter(format: .json, listMetadata: false, emptyIsList: true).write(session.jsonItems, to: context.stdout)
    }
    context.stdout.flush()
    session.report.lines.drain(into: context.stderr)
    if let path = transform.report {
      try context.writeFile(path, Array((JSONEmitter.emit(session.report.node) + "\n").utf8))
    }
    return unreadable || session.hadErrors ? .inputError : .success
  }
}
