import KubeClient
import Manifest
import Policy

/// The kinds of meshctl policy that can be read back from the cluster.
public enum PolicyKind: String, CaseIterable, Sendable {
  /// TrafficSplits, read back from VirtualServices and HTTPRoutes.
  case trafficsplits
  /// MTLSPolicies, read back from PeerAuthentications, Servers and Namespace annotations.
  case mtlspolicies

  /// The kind a name or short name means (`ts`, `trafficsplit`, `mtls`, ...), any case.
  public init?(name: String) {
    switch name.lowercased() {
    case "trafficsplits", "trafficsplit", "ts": self = .trafficsplits
    case "mtlspolicies", "mtlspolicy", "mtls": self = .mtlspolicies
    default: return nil
    }
  }

  /// The routing or policy types a policy of this kind may have become.
  public var renderedTypes: [(apiVersion: String, kind: String)] {
    switch self {
    case .trafficsplits:
      return [("networking.istio.io/v1", "VirtualService"), ("gateway.networking.k8s.io/v1", "HTTPRoute")]
    case .mtlspolicies:
      return [
        ("security.istio.io/v1", "PeerAuthentication"), ("policy.linkerd.io/v1beta3", "Server"), ("v1", "Namespace"),
      ]
    }
  }
}

/// A policy found in the cluster and the objects it was read from.
public struct ManagedPolicy: Sendable {
  /// The policy, rebuilt.
  public var policy: Node
  /// Its namespace.
  public var namespace: String
  /// Its name.
  public var name: String
  /// `virtualservice/cart`, ...
  public var renderedAs: [String]
  /// The routing object a TrafficSplit was read from (what `shift` rewrites).
  public var route: Node?
}

/// meshctl's policies in the cluster, rebuilt from the objects they became.
public enum ManagedPolicies {
  /// Every policy of `kind` in `namespace` (nil: all), one per source, sorted by namespace and name.
  public static func list(_ kind: PolicyKind, api: KubeAPI, namespace: String?) async throws -> [ManagedPolicy] {
    try await snapshot(PolicyQuery(kind: kind, namespace: namespace), api: api).policies
  }

  /// The rows of kubectl-style columns for `policies`, the header first.
  public static func table(_ policies: [ManagedPolicy], kind: PolicyKind, wide: Bool, allNamespaces: Bool) -> [[String]] {
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
    return [header] + rows
  }
}
