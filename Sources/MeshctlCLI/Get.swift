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

    @OptionGroup public var cluster: ClusterOptions

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
          context.stdout.write(Self.table(found, kind: kind, wide: output == .wide, allNamespaces: allNamespaces))
        }
      }
      return .success
    }

    /// kubectl-style columns, padded to the widest cell.
    static func table(_ policies: [ManagedPolicy], kind: PolicyKind, wide: Bool, allNamespaces: Bool) -> String {
      var header: [String] = allNamespaces ? ["NAMESPACE"] : []
      var rows: [[String]] = []
      switch kind {
      case .trafficsplits:
        header += ["NAME", "SERVICE", "BACKENDS"] + (wide ? ["MATCHES", "RENDERED AS"] : [])
        rows = policies.map { found in
          let spec = found.policy["spec"] ?? .null
          let backends = (spec["backends"]?.sequence ?? []).map {
            "\($0["name"]?.string ?? "?")=\($0["weight"]?.scalar?.text ?? "0")"
          }
          var row = allNamespaces ? [found.namespace] : []
          row += [found.name, spec["service"]?.scalar?.text ?? "", backends.joined(separator: ",")]
          if wide { row += [String(spec["match"]?.sequence?.count ?? 0), found.renderedAs.joined(separator: ",")] }
          return row
        }
      case .mtlspolicies:
        header += ["NAME", "MODE", "SCOPE"] + (wide ? ["PORTS", "RENDERED AS"] : [])
        rows = policies.map { found in
          let spec = found.policy["spec"] ?? .null
          let labels = (spec[path: "selector", "matchLabels"]?.mapping ?? []).map {
            "\($0.key)=\($0.value.scalar?.text ?? "")"
          }
          var row = allNamespaces ? [found.namespace] : []
          row += [found.name, spec["mode"]?.string ?? "", labels.isEmpty ? "namespace" : labels.joined(separator: ",")]
          if wide {
            let ports = (spec["portLevel"]?.mapping ?? []).map { "\($0.key)=\($0.value.scalar?.text ?? "")" }
            row += [ports.isEmpty ? "<none>" : ports.joined(separator: ","), found.renderedAs.joined(separator: ",")]
          }
          return row
        }
      }
      return Columns.render([header] + rows)
    }
  }
}

/// Left-aligned columns separated by three spaces, as kubectl prints tables.
enum Columns {
  static func render(_ rows: [[String]]) -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    let widths = (0..<width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
      }.joined()
    }.joined(separator: "\n") + "\n"
  }
}
