import Foundation
import Testing

/// `meshctl render` as a user runs it: the bundled examples, pipes into `validate`, exit codes,
/// and nothing on stdout when rendering is refused.
@Suite(.tags(.slow)) struct RenderBinaryTests {
  static let shop = Binary.packageRoot.appendingPathComponent("examples/shop").path

  @Test(arguments: [["--provider", "istio"], ["--provider", "linkerd"], ["--routing", "gateway-api"]])
  func theShopRendersToObjectsMeshctlAccepts(flags: [String]) throws {
    let result = try Binary.run(["render", "-R", "-f", Self.shop] + flags)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("app.kubernetes.io/managed-by: meshctl"))
    #expect(!result.stdout.contains("kind: Deployment"), "input objects are not printed")
    let check = try Binary.run(["validate", "--strict", "--fail-on", "warning", "-f", "-"], stdin: result.stdout)
    #expect(check.status == 0, "\(check.stdout)")
  }

  @Test func aRefusedPolicyExitsOneWithNothingOnStdout() throws {
    let policy =
      "apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata: {name: d, namespace: s}\nspec: {mode: DISABLE}\n"
    let result = try Binary.run(["render", "--provider", "linkerd"], stdin: policy)
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("-:4:14: error: Linkerd cannot turn mTLS off"))
  }

  @Test func theBrokenExampleIsReportedWithPositions() throws {
    let broken = Binary.packageRoot.appendingPathComponent("examples/broken/cart-split.yaml").path
    let result = try Binary.run(["render", "-f", broken])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("cart-split.yaml:16:5: error: unknown field `weigth` [MC1003]"))
  }
}
