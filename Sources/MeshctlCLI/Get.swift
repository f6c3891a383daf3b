import ArgumentParser
import FoundationEssentials
import KubeClient
import Manifest
import MeshOps
import Policy

extension PolicyKind: ArgumentChoice {
  /// The kind a name or short name means (`ts`, `mtls`, ...).
  public init?(argument: String) { self.init(name: argument) }
}

extension GetOutput: ExpressibleByArgument {
  /// Completion offers the values help lists.
  public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension Meshctl {
  /// `meshctl get trafficsplits|mtlspolicies [NAME]`: meshctl's policies, rebuilt from the cluster.
  public struct Get: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "get",
        abstract: "List TrafficSplits or MTLSPolicies, rebuilt from the objects they became in the cluster.",
        discussion: """
          meshctl installs no CRDs: every object it renders carries the label \
          app.kubernetes.io/managed-by=meshctl and its source policy in annotations, and get \
          rebuilds the policies from those objects alone, with the weights the routes have now. \
          As with kubectl get, a list prints a List for -o json|yaml|jsonpath (also with 0 or \
          1 items), a NAME prints that object, and a NAME that does not exist exits 1. -l \
          selects by the labels of the rendered objects. --watch prints changes as they come \
          (in windows the API server closes after a few seconds, each resumed from the last \
          resourceVersion) until Ctrl-C or --request-timeout.

          Examples:
            \(Meshctl.displayName) get trafficsplits -n shop
            \(Meshctl.displayName) get ts reviews -o jsonpath='{.spec.backends[0].weight}'
            \(Meshctl.displayName) get ts -A -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'
            \(Meshctl.displayName) get mtlspolicies -n shop -o yaml --watch
          """)
    }

    /// How long one watch window lasts: the API server ends the watch then, and get resumes it.
    static let watchWindowSeconds = 5

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// What to list.
    @Argument(help: ArgumentHelp("trafficsplits (ts) or mtlspolicies (mtls).", valueName: "kind"))
    public var kind: PolicyKind

    /// One policy's name.
    @Argument(help: ArgumentHelp("The name of one policy (default: all of them).", valueName: "name"))
    public var name: String?

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    public var allNamespaces = false

    /// A label selector.
    @Option(
      name: [.customShort("l"), .customLong("selector")],
      help: ArgumentHelp("Label selector on the rendered objects (app=web,tier!=db).", valueName: "selector"))
    public var selector: String?

    /// Output format; default: a table.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output: wide, json, yaml, name or jsonpath=TEMPLATE (default: a table).", valueName: "format"))
    public var output: GetOutput?

    /// Stream changes after the first listing.
    @Flag(name: [.customShort("w"), .customLong("watch")], help: "After listing, print every change until interrupted.")
    public var watch = false

    public init() {}

    public func validate() throws {
      if name != nil, allNamespaces {
        throw ValidationError("a policy cannot be retrieved by name across all namespaces (drop -A or the name)")
      }
      if name != nil, selector != nil {
        throw ValidationError("a name cannot be given together with a selector (-l)")
      }
      if case .jsonpath(let template)? = output {
        do { _ = try JSONPathTemplate(template) } catch { throw ValidationError("\(error)") }
      }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let query = PolicyQuery(
        kind: kind, name: name, namespace: allNamespaces ? nil : api.defaultNamespace, labelSelector: selector)
      let deadline = try RequestTimeout.parse(cluster.requestTimeout).map { ContinuousClock.now + $0 }
      let snapshot = try awaitCompletion { try await query.snapshot(api: api) }
      let printer = PolicyPrinter(
        query: query, output: output, allNamespaces: allNamespaces, stdout: context.stdout, stderr: context.stderr)
      printer.first(snapshot.policies, watching: watch)
      guard watch else { return .success }
      let interrupts = context.watchInterrupts()
      defer { interrupts.stop() }
      try ManagedPolicies.watch(
        query, api: api, from: snapshot, deadline: deadline, windowSeconds: Self.watchWindowSeconds,
        interrupted: { interrupts.fired }
      ) { changes in
        printer.changed(changes)
        context.stdout.flush()
      }
      return .success
    }
  }
}
