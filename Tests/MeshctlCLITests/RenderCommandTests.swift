import Foundation
import Manifest
import MeshSchema
import Testing

@testable import MeshctlCLI

/// `meshctl render`: parsed arguments, a fake context, captured output and exit codes.
@Suite struct RenderCommandTests {
  static let service = """
    apiVersion: v1
    kind: Service
    metadata: {name: reviews, namespace: bookinfo}
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]

    """
  static let split = """
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: reviews, namespace: bookinfo}
    spec:
      service: reviews
      backends:
      - {name: v1, selector: {version: v1}, weight: 90}
      - {name: v2, selector: {version: v2}, weight: 10}

    """
  static let disable = """
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: default, namespace: shop}
    spec:
      mode: DISABLE

    """

  static func kinds(_ yaml: String) -> [String] {
    ManifestReader().parse(yaml).documents.compactMap(\.kind)
  }

  @Test func parsesIntoTheRenderCommand() throws {
    let command = try Meshctl.parseAsRoot([
      "render", "-f", "a.yaml", "-R", "--provider", "linkerd", "--routing", "gateway-api", "--config", "mc.yaml", "-o",
      "json",
    ])
    let render = try #require(command as? Meshctl.Render)
    #expect(render.input.filenames == ["a.yaml"])
    #expect(render.input.recursive)
    #expect(render.policy.mesh.provider == .linkerd)
    #expect(render.policy.routing == .gatewayAPI)
    #expect(render.policy.mesh.config == "mc.yaml")
    #expect(render.output == .json)
  }

  @Test func rendersOnlyPoliciesAsAYAMLStream() {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.service + "---\n" + Self.split
    #expect(world.run(["render", "-f", "app.yaml"]) == 0)
    // The Service is the lookup, not output; Istio gets a DestinationRule and a VirtualService.
    #expect(Self.kinds(world.stdout.text) == ["DestinationRule", "VirtualService"])
    #expect(world.stderr.text.isEmpty)
  }

  @Test func linkerdRendersPerBackendServicesAndAnHTTPRoute() {
    let world = FakeWorld()
    world.files["svc.yaml"] = Self.service
    world.files["split.yaml"] = Self.split
    #expect(world.run(["render", "-f", "split.yaml", "-f", "svc.yaml", "--provider", "linkerd"]) == 0)
    #expect(Self.kinds(world.stdout.text) == ["Service", "Service", "HTTPRoute"])
    let names = ManifestReader().parse(world.stdout.text).documents.compactMap(\.name)
    #expect(names == ["reviews-v1", "reviews-v2", "reviews"])
  }

  @Test func gatewayAPIRoutingOnIstio() {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.service + "---\n" + Self.split
    #expect(world.run(["render", "-f", "app.yaml", "--routing", "gateway-api"]) == 0)
    #expect(Self.kinds(world.stdout.text) == ["Service", "Service", "HTTPRoute"])
  }

  @Test func providerComesFromTheMeshConfig() {
    let world = FakeWorld()
    world.files["mc.yaml"] = "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nspec: {provider: linkerd}\n"
    world.files["mtls.yaml"] = Self.disable.replacingOccurrences(of: "DISABLE", with: "STRICT")
    #expect(world.run(["render", "-f", "mtls.yaml", "--config", "mc.yaml"]) == 0)
    #expect(Self.kinds(world.stdout.text) == ["Namespace"])
    #expect(world.stdout.text.contains("config.linkerd.io/default-inbound-policy: all-authenticated"))
  }

  @Test func namespaceFlagFillsAnUnsetNamespace() {
    let world = FakeWorld()
    world.files["mtls.yaml"] =
      "apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata: {name: default}\nspec: {mode: STRICT}\n"
    #expect(world.run(["render", "-n", "prod", "-f", "mtls.yaml"]) == 0)
    #expect(world.stdout.text.contains("namespace: prod\n"))
    #expect(world.stdout.text.contains("meshctl.io/source: MTLSPolicy/prod/default\n"))
  }

  @Test func aPolicyThatCannotBeRenderedPrintsNothingAndExits1() {
    let world = FakeWorld()
    world.files["mtls.yaml"] = Self.disable
    #expect(world.run(["render", "-f", "mtls.yaml", "--provider", "linkerd"]) == 1)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.hasPrefix("mtls.yaml:5:9: error: Linkerd cannot turn mTLS off"))
    #expect(world.stderr.text.contains("[MC5002]\n  mode: DISABLE\n        ^\n"))
  }

  @Test func invalidInputIsReportedBeforeRenderingAndExits1() {
    let world = FakeWorld()
    world.files["split.yaml"] = Self.split.replacingOccurrences(of: "weight: 10", with: "weigth: 10")
    #expect(world.run(["render", "-f", "split.yaml"]) == 1)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.hasPrefix("split.yaml:8:5: error: missing required field `weight` [MC1002]\n"))
    #expect(world.stderr.text.contains("split.yaml:8:41: error: unknown field `weigth` [MC1003]\n"))
  }

  @Test func allZeroWeightsAreRefused() {
    let world = FakeWorld()
    world.files["split.yaml"] = Self.split.replacingOccurrences(of: "weight: 90", with: "weight: 0")
      .replacingOccurrences(of: "weight: 10", with: "weight: 0")
    #expect(world.run(["render", "-f", "split.yaml"]) == 1)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.contains("[MC1021]"))
  }

  @Test func unreadableOrNonYAMLInputExits2() {
    let world = FakeWorld()
    world.files["bad.yaml"] = Inputs.syntaxError
    #expect(world.run(["render", "-f", "bad.yaml"]) == 2)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.contains("[MC0001]"))
    let missing = FakeWorld()
    #expect(missing.run(["render", "-f", "/no/such.yaml"]) == 2)
    #expect(missing.stderr.text.contains("/no/such.yaml"))
  }

  @Test func jsonOutputIsOneListOfTheObjects() throws {
    let world = FakeWorld()
    world.stdin = Self.split
    #expect(world.run(["render", "-o", "json"]) == 0)
    let list = try jsonObject(world.stdout.text)
    #expect(list["kind"] as? String == "List")
    #expect(
      (list["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == [
        "DestinationRule", "VirtualService",
      ])
  }

  @Test func inputWithoutPoliciesSaysSoOnStderr() {
    let world = FakeWorld()
    world.files["svc.yaml"] = Self.service
    #expect(world.run(["render", "-f", "svc.yaml"]) == 0)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.contains("nothing to render"))
  }
}
