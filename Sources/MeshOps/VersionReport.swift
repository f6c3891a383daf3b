import KubeClient
import Manifest

/// What `version` reports: meshctl itself, and, when a cluster was asked, the API server's
/// `/version` and the mesh control planes found (kubectl's and istioctl's `version` in one).
public struct VersionReport: Sendable {
  /// The API server's `/version` answer; nil when no cluster was asked.
  public var server: Node?
  /// The control planes found; nil when no cluster was asked or they could not be read.
  public var controlPlanes: [ControlPlane]?
  /// Why the control planes could not be read (an RBAC denial, ...).
  public var controlPlaneError: String?

  /// A report of the client alone.
  public init(server: Node? = nil, controlPlanes: [ControlPlane]? = nil, controlPlaneError: String? = nil) {
    self.server = server
    self.controlPlanes = controlPlanes
    self.controlPlaneError = controlPlaneError
  }

  /// Asks the cluster: its `/version` (a failure is thrown: the server is not there), then its
  /// control planes (a failure is noted in the report: the server answered).
  public static func read(api: KubeAPI) async throws -> VersionReport {
    let server = try await api.versionInfo()
    do {
      return VersionReport(server: server, controlPlanes: try await ControlPlane.find(api: api))
    } catch {
      return VersionReport(server: server, controlPlaneError: "\(error)")
    }
  }

  /// `Client Version: 0.1.0` and, when asked, `Server Version:` and one `Mesh Version:` line per control plane.
  public var text: String {
    var out = "Client Version: \(MeshctlVersion.current)\n"
    out += "Swift Version: \(MeshctlVersion.swift)\nPlatform: \(MeshctlVersion.platform)\n"
    guard let server else { return out }
    out += "Server Version: \(server["gitVersion"]?.string ?? "unknown")\n"
    if let controlPlaneError {
      out += "Mesh Version: unknown (\(controlPlaneError))\n"
    } else if let planes = controlPlanes, !planes.isEmpty {
      for plane in planes { out += "Mesh Version: \(plane.summary)\n" }
    } else {
      out += "Mesh Version: no Istio or Linkerd control plane found\n"
    }
    return out
  }

  /// `{clientVersion, serverVersion, meshVersions}` for `-o json|yaml` (kubectl's key names).
  public var node: Node {
    var entries = [
      MappingEntry(
        key: "clientVersion",
        value: .mapping([
          "version": .string(MeshctlVersion.current), "swiftVersion": .string(MeshctlVersion.swift),
          "platform": .string(MeshctlVersion.platform),
        ]))
    ]
    if let server { entries.append(MappingEntry(key: "serverVersion", value: server)) }
    if let planes = controlPlanes {
      entries.append(MappingEntry(key: "meshVersions", value: .sequence(planes.map(Self.node))))
    }
    if let controlPlaneError { entries.append(MappingEntry(key: "meshVersionError", value: .string(controlPlaneError))) }
    return .mapping(entries)
  }

  static func node(_ plane: ControlPlane) -> Node {
    var entries = [
      MappingEntry(key: "provider", value: .string(plane.provider)),
      MappingEntry(key: "version", value: .string(plane.version)),
      MappingEntry(key: "namespace", value: .string(plane.namespace)),
      MappingEntry(key: "name", value: .string(plane.name)),
    ]
    if let revision = plane.revision { entries.append(MappingEntry(key: "revision", value: .string(revision))) }
    entries.append(MappingEntry(key: "readyPods", value: .int(plane.readyPods)))
    entries.append(MappingEntry(key: "pods", value: .int(plane.pods)))
    return .mapping(entries)
  }
}
