import Manifest
import MeshSchema
import Testing

/// Reading an `--identity-trust-anchors` file: bounded, because a trust bundle is small.
@Suite struct TrustAnchorFileTests {
  @Test func theTextIsReadWhole() throws {
    let text = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    #expect(try MeshConfig.TrustAnchors.text(of: MemorySource(text), path: "ca.pem") == text)
  }

  @Test func aFileLargerThanABundleIsUnreadableAndNamed() {
    let large = String(repeating: "x", count: MeshConfig.TrustAnchors.maxFileBytes + 1)
    #expect {
      try MeshConfig.TrustAnchors.text(of: MemorySource(large), path: "big.pem")
    } throws: { error in
      "\(error)".contains("big.pem")
    }
  }
}
