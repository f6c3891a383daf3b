import Foundation
import Manifest
import Testing

/// `meshctl inject` and `uninject` as a user runs them: pipes, exit codes, in-place rewrites.
@Suite(.tags(.slow)) struct InjectBinaryTests {
  static let deployment = """
    # the web tier
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 80}]}]

    """
  static let configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}   # keep\ndata: {a: '1'}\n"

  @Test func stdoutIsYAMLAndTheReportFollowsOnStderr() throws {
    let result = try Binary.run(["inject", "-f", "-"], stdin: Self.deployment + "---\n" + Self.configMap)
    #expect(result.status == 0)
    #expect(result.stdout.contains("name: istio-proxy"))
    #expect(result.stdout.hasSuffix("---\n" + Self.configMap), "untouched documents come out byte for byte")
    #expect(result.stderr == "deployment/web injected\n")
    // What came out is valid YAML that meshctl itself accepts.
    let check = try Binary.run(["validate", "-f", "-"], stdin: result.stdout)
    #expect(check.status == 0, "\(check.stdout)")
  }

  @Test func injectingTwiceChangesNothing() throws {
    let once = try Binary.run(["inject"], stdin: Self.deployment)
    let twice = try Binary.run(["inject"], stdin: once.stdout)
    #expect(twice.stdout == once.stdout)
    #expect(twice.stderr.contains("unchanged"))
  }

  @Test func uninjectRestoresThePodTemplate() throws {
    let injected = try Binary.run(["inject", "--provider", "istio", "--native-sidecar", "true"], stdin: Self.deployment)
    let restored = try Binary.run(["uninject"], stdin: injected.stdout)
    #expect(restored.status == 0)
    let plain = try Binary.run(["inject", "--webhook"], stdin: restored.stdout)
    let direct = try Binary.run(["inject", "--webhook"], stdin: Self.deployment)
    // Equal as YAML: the pod template's one-line flow metadata grew too long for one line while
    // injected, so it came back in block style.
    let tree = { (text: String) in ManifestReader().parse(text).documents.map(\.root) }
    #expect(tree(plain.stdout) == tree(direct.stdout))
    #expect(!restored.stdout.contains("istio-proxy"))
  }

  /// An istioctl-injected gateway: its istio-proxy container is the workload.
  static let gateway = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ingress}   # the edge
    spec:
      template:
        metadata:
          annotations:
            inject.istio.io/templates: gateway
            sidecar.istio.io/status: '{"initContainers":null,"containers":["istio-proxy"],"volumes":[]}'
        spec:
          containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0, args: [proxy, router]}]

    """

  @Test func uninjectLeavesAGatewayByteForByteAndSaysWhy() throws {
    let result = try Binary.run(["uninject", "-f", "-"], stdin: Self.gateway)
    #expect(result.status == 0)
    #expect(result.stdout == Self.gateway)
    #expect(
      result.stderr
        == "deployment/ingress skipped: the proxy is the workload: istio-proxy is the gateway itself "
        + "(inject.istio.io/templates: gateway), not a sidecar\n")
    let injected = try Binary.run(["inject", "-f", "-"], stdin: Self.gateway)
    #expect(injected.status == 0)
    #expect(injected.stdout == Self.gateway, "inject added a proxy beside the gateway's")
    #expect(injected.stderr.hasPrefix("deployment/ingress skipped: "))
  }

  @Test func inPlaceRewritesOnlyChangedFilesAndKeepsTheirMode() throws {
    let scratch = try Scratch(["app.yaml": Self.deployment, "cm.yaml": Self.configMap])
    let app = scratch.url.appendingPathComponent("app.yaml").path
    let cm = scratch.url.appendingPathComponent("cm.yaml").path
    chmod(app, 0o640)
    let cmInode = try FileManager.default.attributesOfItem(atPath: cm)[.systemFileNumber] as? Int
    let result = try Binary.run(["inject", "-i", "-f", scratch.url.path])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    let attributes = try FileManager.default.attributesOfItem(atPath: app)
    #expect((attributes[.posixPermissions] as? Int) == 0o640)
    #expect(try String(contentsOfFile: app, encoding: .utf8).contains("istio-proxy"))
    #expect(try String(contentsOfFile: cm, encoding: .utf8) == Self.configMap)
    #expect(try FileManager.default.attributesOfItem(atPath: cm)[.systemFileNumber] as? Int == cmInode, "unchanged file was rewritten")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
    #expect(leftovers == ["app.yaml", "cm.yaml"], "no temporary files left behind")
  }

  @Test func inPlaceRefusesStandardInput() throws {
    let result = try Binary.run(["inject", "-i", "-f", "-"], stdin: Self.deployment)
    #expect(result.status == 64)
    #expect(result.stderr.contains("--in-place"))
  }

  @Test func brokenYAMLExitsTwoAndIsNotRewritten() throws {
    let broken = "apiVersion: apps/v1\nkind: Deployment\nspec: [1, 2\n"
    let scratch = try Scratch(["bad.yaml": broken])
    let path = scratch.url.appendingPathComponent("bad.yaml").path
    let result = try Binary.run(["inject", "-i", "-f", path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("bad.yaml:4:1: error:"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)
  }

  @Test func reportFileIsJSON() throws {
    let scratch = try Scratch(["host.yaml": Self.deployment.replacingOccurrences(of: "containers:", with: "hostNetwork: true\n      containers:")])
    let report = scratch.url.appendingPathComponent("report.json")
    let result = try Binary.run(["inject", "-f", scratch.url.appendingPathComponent("host.yaml").path, "--report", report.path])
    #expect(result.status == 0)
    let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [[String: String]]
    #expect(entries?.first?["status"] == "skipped")
    #expect(entries?.first?["reason"] == "hostNetwork")
    #expect(result.stderr.contains("deployment/web skipped: hostNetwork"))
  }

  @Test func meshConfigErrorsNameTheField() throws {
    let scratch = try Scratch(["mesh.yaml": "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nspec:\n  proxy:\n    uid: many\n"])
    let result = try Binary.run(["inject", "--config", scratch.url.appendingPathComponent("mesh.yaml").path], stdin: Self.deployment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("mesh.yaml:5:10: error: `uid` must be an integer, not string [MC1001]"))
  }

  @Test func jsonOutputIsAListForManyDocuments() throws {
    let result = try Binary.run(["inject", "-o", "json"], stdin: Self.deployment + "---\n" + Self.configMap)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["kind"] as? String == "List")
    #expect((object?["items"] as? [Any])?.count == 2)
  }
}
