import Testing
@testable import MeshctlCLI

/// `validate --config`: the MeshConfig's sidecar settings reach the analysis (MC4002).
@Suite struct ValidateConfigTests {
  static let job = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {istio-injection: enabled}}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: shop}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: migrate, image: migrate:1}]

    """

  static func config(_ nativeSidecar: String) -> String {
    "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nmetadata: {name: mesh}\nspec: {nativeSidecar: \"\(nativeSidecar)\"}\n"
  }

  @Test func aClassicSidecarConfigReportsTheJob() {
    let world = FakeWorld()
    world.files["job.yaml"] = Self.job
    world.files["classic.yaml"] = Self.config("false")
    world.files["native.yaml"] = Self.config("true")
    #expect(world.run(["validate", "-f", "job.yaml", "--config", "classic.yaml", "--fail-on", "warning"]) == 1)
    #expect(world.stdout.text.hasPrefix("job.yaml:11:7: warning: Job shop/migrate will not complete:"))
    #expect(world.stdout.text.contains("[MC4002]"))
    let native = FakeWorld()
    native.files = world.files
    #expect(native.run(["validate", "-f", "job.yaml", "--config", "native.yaml", "--fail-on", "warning"]) == 0)
    let none = FakeWorld()
    none.files = world.files
    #expect(none.run(["validate", "-f", "job.yaml", "--fail-on", "warning"]) == 0)
  }

  @Test func aMissingConfigIsAnError() {
    let world = FakeWorld()
    world.files["job.yaml"] = Self.job
    #expect(world.run(["validate", "-f", "job.yaml", "--config", "absent.yaml"]) == 2)
    #expect(world.stderr.text.contains("absent.yaml"))
    #expect(world.stdout.text.isEmpty)
  }
}
