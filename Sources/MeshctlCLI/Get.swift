import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import Policy

extension PolicyKind: ArgumentChoice {
  /// The kind a name or short name means (`ts`, `mtls`, ...).
  public init?(argument: String) { self.init(name: argument) }
}

/// `-o` of `get`.
public enum GetOutput: String, ArgumentChoice, Sendable {
  case wide, json, yaml
}

extension Meshctl {
  /// `meshctl get trafficsplits|mtlspolicies`: meshctl's policies, rebuilt from the cluster.
  public struct Get: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "get",
        abstract: "List TrafficSplits or MTLSPolicies, rebuilt from the objects they became in the cluster.",
        discussion: """
          meshctl installs no CRDs: every object it renders carries the label \
          app.kubernetes.io/managed-by=meshctl and its source policy in annotations, and get \
          rebuilds the policies from those objects alone, with the weights the routes have now.

          Examples:
            \(Meshctl.displayName) get trafficsplits -n shop
            \(Meshctl.displayName) get ts -A -o wide
            \(Meshctl.displayName) get mtlspolicies -n shop -o yaml
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// What to list.
    @Argument(help: ArgumentHelp("trafficsplits (ts) or mtlspolicies (mtls).", valueName: "kind"))
    public var kind: PolicyKind

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    public var allNamespaces = false

    /// `wide`, `json` or `yaml`; default: a table.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output: wide, json or yaml (default: a table).", valueName: "format"))
    public var output: GetOutput?

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let session = try ClusterSession(options: cluster, context: context)
      let api = session.api
      let namespace = allNamespaces ? nil : api.defaultNamespace
      let kind = self.kind
      let found = try awaitCompletion { try await ManagedPolicies.list(kind, api: api, namespace: namespace) }
      switch output {
      case .json?, .yaml?:
        ObjectOutput.write(found.map(\.policy), as: output == .json ? .json : .yaml, to: context.stdout)
      case nil, .wide?:
        if found.isEmpty {
          context.stderr.write(
            namespace.map { "No \(kind.rawValue) found in \($0) namespace.\n" } ?? "No \(kind.rawValue) found.\n")
        } else {
          context.stdout.write(
            TablePrinter.render(ManagedPolicies.table(found, kind: kind, wide: output == .wide, allNamespaces: allNamespaces)))
        }
      }
      return .success
    }
  }
}
