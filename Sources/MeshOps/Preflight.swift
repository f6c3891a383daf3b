import KubeClient
import Manifest

/// One result of the preflight checks (`meshctl check`).
public struct CheckResult: Equatable, Sendable {
  /// How a check ended.
  public enum Status: String, Sendable {
    /// Nothing to do.
    case passed
    /// Works, with a caveat.
    case warning
    /// meshctl cannot work until it is fixed.
    case failed

    /// `√`, `‼` or `×`.
    public var symbol: String {
      switch self {
      case .passed: return "√"
      case .warning: return "‼"
      case .failed: return "×"
      }
    }
  }

  /// What was checked (`reachable`, `version`, `mesh`, `rbac`, ...).
  public var name: String
  /// How it ended.
  public var status: Status
  /// What was found.
  public var message: String
  /// What to do when it did not pass.
  public var hint = ""

  /// Creates a result.
  public init(name: String, status: Status, message: String, hint: String = "") {
    self.name = name
    self.status = status
    self.message = message
    self.hint = hint
  }
}

/// Can this cluster take meshctl: reachability, version, mesh and permissions.
public enum Preflight {
  /// The first check: the kubeconfig resolved to this connection.
  public static func connected(_ connection: ClusterConnection) -> CheckResult {
    CheckResult(
      name: "kubeconfig", status: .passed,
      message:
        "context \(connection.contextName ?? "(none)"), server \(URLDisplay.redactingUserInfo(connection.server)), namespace \(connection.namespace)"
    )
  }

  /// The first check when no connection could be made.
  public static func notConnected(_ error: any Error) -> CheckResult {
    CheckResult(
      name: "kubeconfig", status: .failed, message: "cannot connect: \(error)",
      hint: "check --kubeconfig, KUBECONFIG and --context")
  }

  /// Every check in order, from the connection (`session`: made, or why not) on; a check that
  /// cannot run because an earlier one failed is left out.
  public static func run(session: Result<ClusterSession, any Error>, pre: Bool) async -> [CheckResult] {
    switch session {
    case .failure(let error): return [notConnected(error)]
    case .success(let session):
      let namespace = session.connection.namespace
      return [connected(session.connection)] + (await run(api: session.api, pre: pre, namespace: namespace))
    }
  }

  /// The checks after the connection; a cluster that does not answer is one failed check.
  /// `pre`: before a mesh is installed (a missing mesh is a caveat).
  public static func run(api: KubeAPI, pre: Bool, namespace: String) async -> [CheckResult] {
    do {
      return try await clusterChecks(api: api, pre: pre, namespace: namespace)
    } catch {
      return [
        CheckResult(
          name: "reachable", status: .failed, message: "\(error)",
          hint: "is the cluster up, and is this the right context? (kubectl cluster-info)")
      ]
    }
  }

  /// Reachability and version, installed meshes and their control planes' pods, then permissions.
  static func clusterChecks(api: KubeAPI, pre: Bool, namespace: String) async throws -> [CheckResult] {
    let version = try await api.serverVersion()
    var results = [CheckResult(name: "reachable", status: .passed, message: "the API server answers (\(version))")]
    results.append(versionCheck(version))
    let meshes = try await api.installedMeshes()
    results.append(meshCheck(meshes, pre: pre))
    results += await controlPlaneChecks(api: api, meshes: meshes, pre: pre)
    results += try await permissionChecks(api: api, meshes: meshes, namespace: namespace)
    return results
  }

  /// Native sidecars (restartable init containers) are on by default from Kubernetes 1.29.
  public static func versionCheck(_ gitVersion: String) -> CheckResult {
    guard let (major, minor) = KubernetesVersion.parse(gitVersion) else {
      return CheckResult(
        name: "version", status: .warning, message: "cannot read the server version \"\(gitVersion)\"", hint: "")
    }
    if (major, minor) >= (1, 29) {
      return CheckResult(
        name: "version", status: .passed, message: "Kubernetes \(major).\(minor): native sidecars are available")
    }
    if (major, minor) >= (1, 26) {
      return CheckResult(
        name: "version", status: .warning, message: "Kubernetes \(major).\(minor): no native sidecars before 1.29",
        hint: "inject places the proxy as a classic sidecar (--native-sidecar=false)")
    }
    return CheckResult(
      name: "version", status: .failed,
      message: "Kubernetes \(major).\(minor) is older than 1.26, which meshctl supports",
      hint: "upgrade the cluster")
  }

  /// Istio or Linkerd must be served (a caveat only with `pre`).
  public static func meshCheck(_ meshes: InstalledMeshes, pre: Bool) -> CheckResult {
    var found: [String] = []
    if meshes.istio { found.append("Istio") }
    if meshes.linkerd { found.append("Linkerd") }
    if meshes.gatewayAPI { found.append("Gateway API") }
    if MeshDetection.detected(meshes) != nil {
      return CheckResult(name: "mesh", status: .passed, message: "installed: \(found.joined(separator: ", "))")
    }
    let message =
      found.isEmpty
      ? "no Istio or Linkerd APIs are served" : "only \(found.joined(separator: ", ")); no Istio or Linkerd APIs"
    return CheckResult(
      name: "mesh", status: pre ? .warning : .failed, message: message,
      hint: "install Istio or Linkerd (inject and render work offline meanwhile)")
  }

  /// The verbs meshctl needs, each asked with a SelfSubjectAccessReview.
  static func permissionChecks(api: KubeAPI, meshes: InstalledMeshes, namespace: String) async throws -> [CheckResult] {
    var needs: [(verb: String, group: String, resource: String, namespaced: Bool)] = [
      ("patch", "", "namespaces", false), ("patch", "", "services", true), ("patch", "apps", "deployments", true),
      ("delete", "apps", "deployments", true), ("list", "", "pods", true),
    ]
    if meshes.istio {
      needs += [
        ("patch", "networking.istio.io", "virtualservices", true),
        ("patch", "networking.istio.io", "destinationrules", true),
        ("patch", "security.istio.io", "peerauthentications", true),
      ]
    }
    if meshes.gatewayAPI { needs.append(("patch", "gateway.networking.k8s.io", "httproutes", true)) }
    if meshes.linkerd {
      needs += [
        ("patch", "policy.linkerd.io", "servers", true),
        ("patch", "policy.linkerd.io", "authorizationpolicies", true),
        ("patch", "policy.linkerd.io", "meshtlsauthentications", true),
      ]
    }
    let answers = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
      for (index, need) in needs.enumerated() {
        group.addTask {
          (
            index,
            try await api.mayI(
              need.verb, group: need.group, resource: need.resource, namespace: need.namespaced ? namespace : nil)
          )
        }
      }
      var allowed = [Bool](repeating: false, count: needs.count)
      for try await (index, answer) in group { allowed[index] = answer }
      return allowed
    }
    return zip(needs, answers).map { need, allowed in
      let resource = need.group.isEmpty ? need.resource : "\(need.resource).\(need.group)"
      let scope = need.namespaced ? " in namespace \(namespace)" : ""
      if allowed {
        return CheckResult(name: "rbac", status: .passed, message: "can \(need.verb) \(resource)\(scope)")
      }
      return CheckResult(
        name: "rbac", status: .failed, message: "cannot \(need.verb) \(resource)\(scope)",
        hint: "ask for a \(need.namespaced ? "Role" : "ClusterRole") that allows \(need.verb) on \(resource)")
    }
  }
}

/// Kubernetes version strings.
public enum KubernetesVersion {
  /// `(1, 32)` for `v1.32.0`, `v1.32.0-emulator`, `1.32+`.
  public static func parse(_ text: String) -> (Int, Int)? {
    let trimmed = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
    let parts = trimmed.split(separator: ".")
    guard parts.count >= 2, let major = Int(parts[0]) else { return nil }
    guard let minor = Int(parts[1].prefix { $0.isNumber }) else { return nil }
    return (major, minor)
  }
}

extension CheckResult {
  /// The text report: a symbol line per check, hints under the ones that need them, a verdict.
  public static func text(_ results: [CheckResult]) -> String {
    var out = ""
    for result in results {
      out += "\(result.status.symbol) \(result.name): \(result.message)\n"
      if !result.hint.isEmpty, result.status != .passed { out += "    hint: \(result.hint)\n" }
    }
    let failed = results.filter { $0.status == .failed }.count
    let warnings = results.filter { $0.status == .warning }.count
    out += failed == 0 ? "\nStatus check results are √" : "\nStatus check results are ×"
    out += " (\(results.count) checks, \(failed) failed, \(warnings) warnings)\n"
    return out
  }

  /// The JSON report.
  public static func json(_ results: [CheckResult]) -> Node {
    .mapping([
      "success": .bool(!results.contains { $0.status == .failed }),
      "checks": .sequence(
        results.map { result in
          var entries = [
            MappingEntry(key: "name", value: .string(result.name)),
            MappingEntry(key: "status", value: .string(result.status.rawValue)),
            MappingEntry(key: "message", value: .string(result.message)),
          ]
          if !result.hint.isEmpty { entries.append(MappingEntry(key: "hint", value: .string(result.hint))) }
          return .mapping(entries)
        }),
    ])
  }
}
