import Manifest

/// Where a workload kind keeps its pod template, as a path of mapping keys from the object's
/// root. A Pod is its own template.
public enum PodTemplateLocator {
  /// The path to the pod template of `kind` in `apiVersion`; nil for kinds without one.
  public static func templatePath(kind: String, apiVersion: String?) -> [String]? {
    let group = apiVersion.map(Self.group(of:)) ?? ""
    switch (group, kind) {
    case ("", "Pod"): return []
    case ("", "ReplicationController"), ("apps", "Deployment"), ("apps", "ReplicaSet"),
      ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("batch", "Job"),
      ("argoproj.io", "Rollout"), ("apps.openshift.io", "DeploymentConfig"):
      return ["spec", "template"]
    case ("batch", "CronJob"): return ["spec", "jobTemplate", "spec", "template"]
    // extensions/v1beta1 and apps/v1beta1/2 workloads in old manifests still have the same shape.
    case ("extensions", "Deployment"), ("extensions", "ReplicaSet"), ("extensions", "DaemonSet"):
      return ["spec", "template"]
    default: return nil
    }
  }

  /// The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
  static func group(of apiVersion: String) -> String {
    guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
    return String(apiVersion[..<slash])
  }
}

extension Node {
  /// The node at a path of mapping keys.
  func value(at path: [String]) -> Node? {
    var node: Node? = self
    for key in path { node = node?[key] }
    return node
  }

  /// Replaces the node at a path of mapping keys that exists.
  mutating func setValue(_ value: Node, at path: [String]) {
    guard let key = path.first else {
      self = value
      return
    }
    guard var child = self[key] else { return }
    child.setValue(value, at: Array(path.dropFirst()))
    self[key] = child
  }
}
