import KubeClient
import Manifest
import Policy

/// `-o` of `get`: kubectl's spellings.
public enum GetOutput: Sendable, Equatable {
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
}

/// How `get` prints policies: the first listing, then the changes of a watch.
public final class PolicyPrinter {
  let query: PolicyQuery
  let output: GetOutput?
  let allNamespaces: Bool
  let stdout: any TextSink
  let stderr: any TextSink
  /// How many objects were written one by one (YAML separates them with `---`).
  private var written = 0

  /// A printer of `query`'s answers as `output` (nil: a table) to `stdout`; "none found" goes to `stderr`.
  public init(query: PolicyQuery, output: GetOutput?, allNamespaces: Bool, stdout: any TextSink, stderr: any TextSink) {
    self.query = query
    self.output = output
    self.allNamespaces = allNamespaces
    self.stdout = stdout
    self.stderr = stderr
  }

  /// The first answer: a table, names, or the object (for a name) or a `List`.
  public func first(_ policies: [ManagedPolicy], watching: Bool) {
    switch output {
    case nil, .wide?:
      if policies.isEmpty {
        let kind = query.kind.rawValue
        stderr.write(
          query.namespace.map { "No \(kind) found in \($0) namespace.\n" } ?? "No \(kind) found.\n")
      } else {
        stdout.write(TablePrinter.render(table(policies, header: true)))
      }
    case .name?:
      for policy in policies { stdout.write(query.reference(policy) + "\n") }
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
  public func changed(_ changes: [PolicyChange]) {
    let policies = changes.map(\.policy)
    switch output {
    case nil, .wide?:
      if !policies.isEmpty { stdout.write(TablePrinter.render(table(policies, header: false))) }
    case .name?:
      for policy in policies { stdout.write(query.reference(policy) + "\n") }
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
    case .json?: stdout.write(JSONEmitter.emit(node) + "\n")
    case .yaml?: stdout.write((written > 0 ? "---\n" : "") + YAMLEmitter.emit(node))
    case .jsonpath(let template)?:
      // validate() has read the template already.
      if let compiled = try? JSONPathTemplate(template) { stdout.write(compiled.render(node)) }
    default: break
    }
    written += 1
  }
}

extension ManagedPolicies {
  /// `get --watch`: watches `query` from `snapshot` in windows of at most `windowSeconds` (the
  /// API server ends each; the next resumes from the last resourceVersion), handing each
  /// window's changes to `changed`, until `interrupted` or past `deadline`.
  public static func watch(
    _ query: PolicyQuery, api: KubeAPI, from snapshot: PolicySnapshot, deadline: ContinuousClock.Instant?,
    windowSeconds: Int, interrupted: () -> Bool, changed: ([PolicyChange]) -> Void
  ) throws {
    var snapshot = snapshot
    while !interrupted() {
      var window = windowSeconds
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
      changed(changes)
    }
  }
}
