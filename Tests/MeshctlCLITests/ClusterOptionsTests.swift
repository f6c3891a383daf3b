@_spi(Reflection) import Swift
import Testing

@testable import MeshctlCLI

/// kubectl's global flags group: its hand-written mirror must stay what reflection would give.
@Suite struct ClusterOptionsTests {
  /// ArgumentParser finds options by walking `Mirror(reflecting:)`; a stored property missing
  /// from `customMirror` would be a flag that silently stops parsing.
  @Test func mirrorListsEveryStoredPropertyInOrder() {
    var fields: [(name: String, type: ObjectIdentifier)] = []
    _ = _forEachField(of: ClusterOptions.self) { name, _, type, _ in
      fields.append((String(cString: name), ObjectIdentifier(type)))
      return true
    }
    let children = Mirror(reflecting: ClusterOptions()).children.map {
      (name: $0.label ?? "", type: ObjectIdentifier(Swift.type(of: $0.value)))
    }
    #expect(!fields.isEmpty)
    #expect(children.map(\.name) == fields.map(\.name))
    #expect(children.map(\.type) == fields.map(\.type))
  }

  /// Every global flag parses after the subcommand, through the hand-written mirror.
  @Test func everyGlobalFlagParses() throws {
    let parsed = try Meshctl.parseAsRoot([
      "version", "--kubeconfig", "k", "--context", "c", "--cluster", "cl", "--user", "u", "-n", "ns", "-s", "https://h",
      "--token", "t", "--as", "a", "--as-group", "g1", "--as-group", "g2", "--certificate-authority", "ca",
      "--client-certificate", "cc", "--client-key", "ck", "--insecure-skip-tls-verify", "--tls-server-name", "tn",
      "--request-timeout", "5s", "-v", "4",
    ])
    let cluster = try #require((parsed as? Meshctl.Version)?.cluster)
    #expect(cluster.kubeconfig == "k")
    #expect(cluster.context == "c")
    #expect(cluster.cluster == "cl")
    #expect(cluster.user == "u")
    #expect(cluster.namespace == "ns")
    #expect(cluster.server == "https://h")
    #expect(cluster.token == "t")
    #expect(cluster.impersonateUser == "a")
    #expect(cluster.impersonateGroups == ["g1", "g2"])
    #expect(cluster.certificateAuthority == "ca")
    #expect(cluster.clientCertificate == "cc")
    #expect(cluster.clientKey == "ck")
    #expect(cluster.insecureSkipTLSVerify)
    #expect(cluster.tlsServerName == "tn")
    #expect(cluster.requestTimeout == "5s")
    #expect(cluster.verbosity == 4)
  }
}
