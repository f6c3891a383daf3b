import Manifest

/// Where each workload kind keeps its pod template (group + kind → path of mapping keys): the
/// one table the schema, the cross-document analysis, injection and the mTLS scan share.
public enum WorkloadKinds {
  /// One workload kind.
  public struct Entry: Sendable, Hashable {
    /// The API group (`""` for the core group).
    public var group: String
    /// The kind.
    public var kind: String
    /// The path to the pod template (its `metadata` and `spec`); empty for a Pod, its own template.
    public var templatePath: [String]
  }

  private static let template = ["spec", "template"]

  /// Every workload kind. `extensions` and `apps/v1beta1/2` workloads in old manifests still
  /// have the same shape, so the group alone decides.
  public static let all: [Entry] = [
    Entry(group: "", kind: "Pod", templatePath: []),
    Entry(group: "apps", kind: "Deployment", templatePath: template),
    Entry(group: "apps", kind: "ReplicaSet", templatePath: template),
    Entry(group: "apps", kind: "StatefulSet", templatePath: template),
    Entry(group: "apps", kind: "DaemonSet", templatePath: template),
    Entry(group: "batch", kind: "Job", templatePath: template),
    Entry(group: "batch", kind: "CronJob", templatePath: ["spec", "jobTemplate", "spec", "template"]),
    Entry(group: "", kind: "ReplicationController", templatePath: template),
    Entry(group: "argoproj.io", kind: "Rollout", templatePath: template),
    Entry(group: "apps.openshift.io", kind: "DeploymentConfig", templatePath: template),
    Entry(group: "extensions", kind: "Deployment", templatePath: template),
    Entry(group: "extensions", kind: "ReplicaSet", templatePath: template),
    Entry(group: "extensions", kind: "DaemonSet", templatePath: template),
  ]

  /// The kinds' names.
  public static let kinds: Set<String> = Set(all.map(\.kind))

  /// The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
  public static func group(of apiVersion: String) -> String {
    guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
    return String(apiVersion[..<slash])
  }

  /// The path to the pod template of `kind` in `apiVersion`; nil for kinds without one.
  public static func templatePath(kind: String, apiVersion: String?) -> [String]? {
    let group = apiVersion.map(group(of:)) ?? ""
    return all.first { $0.group == group && $0.kind == kind }?.templatePath
  }

  /// The path to the pod template of `kind` whatever its group (API list items carry no
  /// apiVersion; the kinds' names do not clash).
  public static func templatePath(kind: String) -> [String]? {
    all.first { $0.kind == kind }?.templatePath
  }

  /// The path to the pod spec of `kind` whatever its group (`spec.template.spec`).
  public static func podSpecPath(kind: String) -> [String]? {
    templatePath(kind: kind).map { $0 + ["spec"] }
  }
}
