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

/// `-o` of `get`: kubectl's spellings.
public enum GetOutput: ExpressibleByArgument, Sendable, Equatable {
  /// The table with more columns.
  case wide
  /// JSON: the object, or a `List`.
  case json
  /// YAML: the object, or a `List`.
  case yaml
  /// `trafficsplit.meshctl.io/NAME` lines.
  case name
  /// `jsonpath=TEMPLATE`.
  case jsonpath(String)

  /// Reads `wide`, `json`, `yaml`, `name` or `jsonpath=TEMPLATE`.
  public init?(argument: String) {
    switch argument {
    case "wide": self = .wide
    case "json": self = .json
    case "yaml": self = .yaml
    case "name": self = .name
    default:
      guard argument.hasPrefix("jsonpath=") else { return nil }
      self = .jsonpath(String(argument.dropFirst("jsonpath=".count)))
    }
  }

  /// The values help and completions list.
  public static var allValueStrings: [String] { ["wide", "json", "yaml", "name", "jsonpath="] }

  /// Completion offers the same values.
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
      var snapshot = try awaitCompletion { try await ManagedPolicies.snapshot(query, api: api) }
      if let name, snapshot.policies.isEmpty {
        throw ObjectNotFound(resource: query.resourceName, name: name)
      }
      let printer = PolicyPrinter(query: query, output: output, allNamespaces: allNamespaces, context: context)
      printer.first(snapshot.policies, watching: watch)
      guard watch else { return .success }
      let interrupts = context.watchInterrupts()
      defer { interrupts.stop() }
      while !interrupts.fired {
        var window = Self.watchWindowSeconds
        if let deadline {
          // The transport ends every request at --request-timeout: keep each window inside it.
          let left = Int((deadline - ContinuousClock.now).components.seconds) - 1
          if left < 1 { break }
          window = min(window, left)
        }
        let (current, seconds) = (snapshot, window)
        let (changes, next) = try awaitCompletion {
          var moving = current
          let changes = try await ManagedPolicies.changes(query, api: api, after: &moving, seconds: seconds)
          return (changes, moving)
        }
        snapshot = next
        printer.changed(changes)
        context.stdout.flush()
      }
      return .success
    }
  }
}

/// How `get` prints policies: the first listing, then the changes of a watch.
final class PolicyPrinter {
  let query: PolicyQuery
  let output: GetOutput?
  let allNamespaces: Bool
  let context: CommandContext
  /// How many objects were written one by one (YAML separates them with `---`).
  private var written = 0

  init(query: PolicyQuery, output: GetOutput?, allNamespaces: Bool, context: CommandContext) {
    self.query = query
    self.output = output
    self.allNamespaces = allNamespaces
    self.context = context
  }

  /// The first answer: a table, names, or the object (for a name) or a `List`.
  func first(_ policies: [ManagedPolicy], watching: Bool) {
    switch output {
    case nil, .wide?:
      if policies.isEmpty {
        let kind = query.kind.rawValue
        context.stderr.write(
          query.namespace.map { "No \(kind) found in \($0) namespace.\n" } ?? "No \(kind) found.\n")
      } else {
        context.stdout.write(TablePrinter.render(table(policies, header: true)))
      }
    case .name?:
      for policy in policies { context.stdout.write(query.reference(policy) + "\n") }
    case .json?, .yaml?, .jsonpath?:
      // A watch prints objects one by one, as kubectl does; a list request prints one List.
      if watching {
        for policy in policies { write(policy.policy) }
      } else {
        write(query.name == nil ? PolicyQuery.list(policies) : policies[0].policy)
      }
    }
  }

  /// The policies a watch window changed, each as it is now.
  func changed(_ changes: [PolicyChange]) {
    let policies = changes.map(\.policy)
    switch output {
    case nil, .wide?:
      if !policies.isEmpty { context.stdout.write(TablePrinter.render(table(policies, header: false))) }
    case .name?:
      for policy in policies { context.stdout.write(query.reference(policy) + "\n") }
    case .json?, .yaml?, .jsonpath?:
      for policy in policies { write(policy.policy) }
    }
  }

  private func table(_ policies: [ManagedPolicy], header: Bool) -> [[String]] {
    let rows = ManagedPolicies.table(policies, kind: query.kind, wide: output == .wide, allNamespaces: allNamespaces)
    return header ? rows : Array(rows.dropFirst())
  }

  private func write(_ node: Node) {
    switch output {
    case .json?: context.stdout.write(JSONEmitter.emit(node) + "\n")
    case .yaml?: context.stdout.write((written > 0 ? "---\n" : "") + YAMLEmitter.emit(node))
    case .jsonpath(let template)?:
      // validate() has read the template already.
      if let compiled = try? JSONPathTemplate(template) { context.stdout.write(compiled.render(node)) }
    default: break
    }
    written += 1
  }
}
