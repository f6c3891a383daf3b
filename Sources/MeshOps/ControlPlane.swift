import KubeClient
import Manifest

/// One mesh control-plane Deployment found in the cluster, its version and how many of its pods are ready.
///
/// Istio: Deployments labelled `app=istiod`; the version is the image tag of the `discovery`
/// container (istiod's image is `.../pilot:<version>`), the revision the `istio.io/rev` label.
/// Linkerd: the Deployment labelled `linkerd.io/control-plane-component=destination`; the version
/// is its `linkerd.io/control-plane-version` label (on the Deployment or its pod template), else
/// the image tag of its `destination` container. An image named by digest has no version to read:
/// it shows as `unknown`.
public struct ControlPlane: Sendable, Equatable {
  /// `istio` or `linkerd`.
  public var provider: String
  /// The Deployment's namespace.
  public var namespace: String
  /// The Deployment's name.
  public var name: String
  /// The control plane's version (`1.24.0`, `stable-2.14.10`), or `unknown`.
  public var version: String
  /// Istio's revision (`istio.io/rev`); nil for Linkerd or when unlabelled.
  public var revision: String?
  /// Pods of the Deployment that are Ready.
  public var readyPods: Int
  /// Pods of the Deployment.
  public var pods: Int

  /// Creates a value.
  public init(
    provider: String, namespace: String, name: String, version: String, revision: String? = nil, readyPods: Int,
    pods: Int
  ) {
    self.provider = provider
    self.namespace = namespace
    self.name = name
    self.version = version
    self.revision = revision
    self.readyPods = readyPods
    self.pods = pods
  }

  /// `istio 1.24.0 (istio-system/istiod, revision default)`.
  public var summary: String {
    var place = "\(namespace)/\(name)"
    if let revision { place += ", revision \(revision)" }
    return "\(provider) \(version) (\(place))"
  }

  /// The label selector of each provider's control-plane Deployment.
  static let selectors = [
    ("istio", "app=istiod"), ("linkerd", "linkerd.io/control-plane-component=destination"),
  ]

  /// The control planes in the cluster (every namespace), Istio first, each with its pods counted.
  public static func find(api: KubeAPI) async throws -> [ControlPlane] {
    let deployments = try await api.resource(apiVersion: "apps/v1", kind: "Deployment")
    let pods = try await api.resource(apiVersion: "v1", kind: "Pod")
    var found: [ControlPlane] = []
    for (provider, selector) in selectors {
      let items = try await api.list(deployments, namespace: nil, labelSelector: selector)
      for item in items.sorted(by: { reference($0) < reference($1) }) {
        let namespace = item[path: "metadata", "namespace"]?.string ?? ""
        let podSelector = (item[path: "spec", "selector", "matchLabels"]?.mapping ?? [])
          .map { "\($0.key)=\($0.value.scalar?.text ?? "")" }.joined(separator: ",")
        let members = podSelector.isEmpty ? [] : try await api.list(pods, namespace: namespace, labelSelector: podSelector)
        found.append(
          ControlPlane(
            provider: provider, namespace: namespace, name: item[path: "metadata", "name"]?.string ?? "",
            version: version(of: item, provider: provider),
            revision: provider == "istio" ? item[path: "metadata", "labels", "istio.io/rev"]?.string : nil,
            readyPods: members.filter(isReady).count, pods: members.count))
      }
    }
    return found
  }

  private static func reference(_ item: Node) -> String {
    "\(item[path: "metadata", "namespace"]?.string ?? "")/\(item[path: "metadata", "name"]?.string ?? "")"
  }

  /// The version a control-plane Deployment declares (see the type's summary for where it is read).
  public static func version(of deployment: Node, provider: String) -> String {
    if provider == "linkerd" {
      for labels in [deployment[path: "metadata", "labels"], deployment[path: "spec", "template", "metadata", "labels"]] {
        if let version = labels?["linkerd.io/control-plane-version"]?.string, !version.isEmpty { return version }
      }
    }
    let containers = deployment[path: "spec", "template", "spec", "containers"]?.sequence ?? []
    let wanted = provider == "istio" ? "discovery" : "destination"
    let container = containers.first { $0["name"]?.string == wanted } ?? containers.first
    return container?["image"]?.string.flatMap(imageTag) ?? "unknown"
  }

  /// `1.24.0` for `docker.io/istio/pilot:1.24.0`; nil for an image without a tag (or by digest).
  public static func imageTag(_ image: String) -> String? {
    if image.contains("@") { return nil }
    let lastPart = image.split(separator: "/").last ?? Substring(image)
    guard let colon = lastPart.lastIndex(of: ":") else { return nil }
    let tag = lastPart[lastPart.index(after: colon)...]
    return tag.isEmpty ? nil : String(tag)
  }

  /// Whether a Pod's `Ready` condition is `True`.
  static func isReady(_ pod: Node) -> Bool {
    (pod[path: "status", "conditions"]?.sequence ?? []).contains {
      $0["type"]?.string == "Ready" && $0["status"]?.string == "True"
    }
  }
}

extension Preflight {
  /// One result per control plane (its pods ready or not), and a failure for a mesh whose APIs
  /// are served but whose control plane is nowhere (a caveat only with `pre`). A control plane
  /// meshctl may not read is a caveat, not a failure of the whole check.
  public static func controlPlaneChecks(api: KubeAPI, meshes: InstalledMeshes, pre: Bool) async -> [CheckResult] {
    let planes: [ControlPlane]
    do {
      planes = try await ControlPlane.find(api: api)
    } catch {
      return [
        CheckResult(
          name: "control-plane", status: .warning, message: "cannot read the control plane: \(error)",
          hint: "meshctl needs to list Deployments and Pods in the control plane's namespace")
      ]
    }
    return controlPlaneResults(planes, meshes: meshes, pre: pre)
  }

  /// The results for the control planes found.
  public static func controlPlaneResults(_ planes: [ControlPlane], meshes: InstalledMeshes, pre: Bool) -> [CheckResult] {
    var results: [CheckResult] = []
    for (provider, served, name) in [("istio", meshes.istio, "Istio"), ("linkerd", meshes.linkerd, "Linkerd")]
    where served && !planes.contains(where: { $0.provider == provider }) {
      results.append(
        CheckResult(
          name: "control-plane", status: pre ? .warning : .failed,
          message: "\(name)'s APIs are served but no \(provider == "istio" ? "istiod" : "linkerd-destination") Deployment was found",
          hint: "install or repair the \(name) control plane"))
    }
    for plane in planes {
      let counts = "\(plane.readyPods)/\(plane.pods) pods ready"
      if plane.pods > 0, plane.readyPods == plane.pods {
        results.append(CheckResult(name: "control-plane", status: .passed, message: "\(plane.summary): \(counts)"))
      } else {
        results.append(
          CheckResult(
            name: "control-plane", status: plane.readyPods == 0 ? .failed : .warning,
            message: "\(plane.summary): \(counts)",
            hint: "kubectl get pods -n \(plane.namespace) shows why; injection and routing need a running control plane"))
      }
    }
    return results
  }
}
