import Foundation
import KubeClient
import MeshOps
import TestSupport
import Testing

/// Linkerd's trust anchors read from the cluster's ConfigMap, against a scripted API server.
@Suite struct ClusterTrustAnchorsTests {
  /// A root certificate made for these tests; only its shape matters.
  static let certificate = """
    -----BEGIN CERTIFICATE-----
    MIIBoTCCAUegAwIBAgIUfb12Dzi1nDXaLLbmt85Usroxt6IwCgYIKoZIzj0EAwIw
    JTEjMCEGA1UEAwwacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWwwIBcNMjYxMjA2
    MDMwNTM1WhgPMjEyNjExMTIwMzA1MzVaMCUxIzAhBgNVBAMMGnJvb3QubGlua2Vy
    ZC5jbHVzdGVyLmxvY2FsMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOvk1AlVt
    PbkQz/b2hzqA0LqdO9j2fbtxu2kbSXcWVzuJSWWcv17WIFYTBhojSLvTMIj8rhXf
    iJFrpssUPBxkAqNTMFEwHQYDVR0OBBYEFE9Zqv8FSPV1yg/UMpexUHS5RodeMB8G
    A1UdIwQYMBaAFE9Zqv8FSPV1yg/UMpexUHS5RodeMA8GA1UdEwEB/wQFMAMBAf8w
    CgYIKoZIzj0EAwIDSAAwRQIhALzNgPfCP/JtMfgQo8XCVaWGOqv6vEHscWRU8B+K
    4hBDAiAAxfgWuctzTFZlQZGS169V7TF2pQSHPAnxqPHOYfvteg==
    -----END CERTIFICATE-----
    """
  static let path = "/api/v1/namespaces/linkerd/configmaps/linkerd-identity-trust-roots"

  /// The ConfigMap as the API server sends it, with `data`.
  static func configMap(_ data: [String: String]) throws -> String {
    let body = try JSONSerialization.data(withJSONObject: [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "linkerd-identity-trust-roots", "namespace": "linkerd"], "data": data,
    ])
    return String(decoding: body, as: UTF8.self)
  }

  @Test func theBundleComesFromTheConfigMapsKeyInOneRequest() async throws {
    let server = ScriptedServer(answers: [Self.path: try Self.configMap(["ca-bundle.crt": Self.certificate + "\n"])])
    let lookup = try await ClusterTrustAnchors.read(try TestKubeconfig.api(server), namespace: "linkerd")
    #expect(lookup == .found(bundle: Self.certificate + "\n", certificates: 1))
    #expect(server.requests.map(RequestLog.path) == [Self.path], "no discovery, no other request")
  }

  @Test func theControlPlaneNamespaceIsAsked() async throws {
    let server = ScriptedServer(answers: [:])
    _ = try await ClusterTrustAnchors.read(try TestKubeconfig.api(server), namespace: "mesh")
    #expect(server.requests.map(RequestLog.path) == ["/api/v1/namespaces/mesh/configmaps/linkerd-identity-trust-roots"])
  }

  @Test func noConfigMapIsMissingWithTheReason() async throws {
    let lookup = try await ClusterTrustAnchors.read(
      try TestKubeconfig.api(ScriptedServer(answers: [:])), namespace: "linkerd")
    #expect(
      lookup
        == .missing(
          "the cluster has no configmap linkerd/linkerd-identity-trust-roots (is Linkerd installed in namespace linkerd?)"
        ))
  }

  @Test func aConfigMapWithoutTheKeyIsMissing() async throws {
    let server = ScriptedServer(answers: [Self.path: try Self.configMap(["ca.crt": Self.certificate])])
    let lookup = try await ClusterTrustAnchors.read(try TestKubeconfig.api(server), namespace: "linkerd")
    #expect(lookup == .missing("configmap linkerd/linkerd-identity-trust-roots has no ca-bundle.crt key"))
  }

  @Test func aValueThatIsNotCertificatesIsInvalid() async throws {
    let server = ScriptedServer(answers: [Self.path: try Self.configMap(["ca-bundle.crt": "not a certificate"])])
    let lookup = try await ClusterTrustAnchors.read(try TestKubeconfig.api(server), namespace: "linkerd")
    #expect(
      lookup
        == .invalid(
          "configmap linkerd/linkerd-identity-trust-roots key ca-bundle.crt holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
        ))
  }

  /// An API server that answers every request with 403 Forbidden.
  final class ForbiddingServer: HTTPTransport, @unchecked Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
      HTTPResponse(
        status: 403,
        body: Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}"#.utf8))
    }
  }

  @Test func anAPIFailureIsThrownNotTakenForAMissingConfigMap() async throws {
    await #expect(throws: APIError.self) {
      _ = try await ClusterTrustAnchors.read(try TestKubeconfig.api(ForbiddingServer()), namespace: "linkerd")
    }
  }
}
