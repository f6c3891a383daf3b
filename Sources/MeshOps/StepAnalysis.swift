import KubeClient
import Manifest
import MeshSchema
import Policy

/// The canary analysis a shift runs after each step: the specs, the canary workload they
/// measure, the mesh whose metrics they read and the Prometheus that answers.
///
/// The window of each evaluation is the step's `--interval`. A step with fewer than
/// `minRequests` requests in the window is evaluated again every `retryEvery` until
/// `trafficBound` has been waited (by default 3 × the interval); then it fails as "not enough
/// traffic".
public struct StepAnalysis: Sendable {
  /// The analyses, in order.
  public var specs: [AnalysisSpec]
  /// The canary workload whose inbound traffic is measured.
  public var target: AnalysisTarget
  /// Whose metric names and labels the queries use.
  public var mesh: MeshConfig.Provider
  /// The least requests a window needs before its values count.
  public var minRequests: Double
  /// Who answers the queries.
  public var prometheus: any PrometheusQuerying
  /// How long a step lacking traffic waits for it, at most; nil: 3 × the window.
  public var trafficBound: Duration?
  /// How often a step lacking traffic is evaluated again; nil: every window, at most every 5 s.
  public var retryEvery: Duration?

  /// Creates a step analysis.
  public init(
    specs: [AnalysisSpec], target: AnalysisTarget, mesh: MeshConfig.Provider,
    minRequests: Double = CanaryAnalysis.defaultMinRequests, prometheus: any PrometheusQuerying,
    trafficBound: Duration? = nil, retryEvery: Duration? = nil
  ) {
    self.specs = specs
    self.target = target
    self.mesh = mesh
    self.minRequests = minRequests
    self.prometheus = prometheus
    self.trafficBound = trafficBound
    self.retryEvery = retryEvery
  }

  /// How many windows a step lacking traffic waits, at most.
  public static let trafficBoundFactor = 3

  /// The wait bound for `window`: `trafficBound`, else 3 × `window`.
  public func bound(window: Duration) -> Duration { trafficBound ?? window * Self.trafficBoundFactor }

  /// The retry period for `window`: `retryEvery`, else the window capped at 5 s.
  public func retry(window: Duration) -> Duration { retryEvery ?? min(window, .seconds(5)) }

  /// Reads the specs of `--analysis` flags and a TrafficSplit's `spec.analysis`: the
  /// TrafficSplit's first, then the flags', each text once. A bad spec is
  /// `CanaryAnalysisError.invalidSpec`.
  public static func specs(flags: [String], trafficSplit: Node?) throws -> [AnalysisSpec] {
    let written = (trafficSplit?[path: "spec", "analysis"]?.sequence ?? []).compactMap { $0.string }
    var seen: Set<String> = []
    var specs: [AnalysisSpec] = []
    for text in written + flags {
      let spec = try AnalysisSpec.parse(text)
      guard seen.insert(spec.description).inserted else { continue }
      specs.append(spec)
    }
    return specs
  }
}

/// Finds the canary workload of a shift: the workload whose pods the `--to` backend routes to.
///
/// A `selector` backend's pods carry the parent Service's selector plus the backend's labels; a
/// `service` backend's pods carry that Service's selector. The Deployment or StatefulSet (in
/// the TrafficSplit's namespace) whose pod template has those labels is the canary: its name is
/// Istio's `destination_workload` and Linkerd's `deployment`. The pods' `version` label, when
/// the labels name one, is Istio's `destination_version` as well. None, or several, is
/// `MeshOpsError.invalidRequest` (the canary cannot be measured).
public enum CanaryWorkload {
  /// The analysis target of `plan`'s backend.
  public static func resolve(_ plan: ShiftPlan) async throws -> AnalysisTarget {
    let target = plan.target
    let api = target.api
    let split = target.trafficSplit
    let namespace =
      target.route[path: "metadata", "namespace"]?.string
      ?? target.reference.split(separator: "/").first.map(String.init) ?? api.defaultNamespace
    guard
      let backend = (split[path: "spec", "backends"]?.sequence ?? []).first(where: {
        $0["name"]?.string == plan.backend
      })
    else {
      throw MeshOpsError.invalidRequest("TrafficSplit \(target.reference) has no backend \"\(plan.backend)\"")
    }
    let serviceType = try await MeshOpsError.wrappingDiscovery { try await api.resource(apiVersion: "v1", kind: "Service") }
    func selector(ofService name: String) async throws -> [String: String] {
      guard let service = try await api.get(serviceType, namespace: namespace, name: name) else {
        throw MeshOpsError.notFound("Service \(namespace)/\(name) of backend \(plan.backend) does not exist")
      }
      return service[path: "spec", "selector"].stringMap
    }
    var labels: [String: String]
    if let service = backend["service"]?.string {
      labels = try await selector(ofService: service)
    } else {
      labels = try await selector(ofService: target.service)
      for (key, value) in backend["selector"].stringMap { labels[key] = value }
    }
    guard !labels.isEmpty else {
      throw MeshOpsError.invalidRequest(
        "cannot tell the canary workload of backend \(plan.backend): its Service selects no pods by label")
    }
    var found: [String] = []
    for kind in ["Deployment", "StatefulSet"] {
      let resource = try await MeshOpsError.wrappingDiscovery { try await api.resource(apiVersion: "apps/v1", kind: kind) }
      for item in try await api.list(resource, namespace: namespace)
      where LabelMatch.matches(labels, item[path: "spec", "template", "metadata", "labels"].stringMap) {
        if let name = item[path: "metadata", "name"]?.string { found.append(name) }
      }
    }
    let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    guard found.count == 1 else {
      throw MeshOpsError.invalidRequest(
        found.isEmpty
          ? "cannot tell the canary workload of backend \(plan.backend): no Deployment or StatefulSet in \(namespace) has pods labelled \(text)"
          : "cannot tell the canary workload of backend \(plan.backend): several workloads in \(namespace) have pods labelled \(text) (\(found.sorted().joined(separator: ", ")))"
      )
    }
    return AnalysisTarget(workload: found[0], namespace: namespace, version: labels["version"])
  }
}
