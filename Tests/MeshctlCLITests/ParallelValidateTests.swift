import Manifest
import Testing

@testable import MeshctlCLI

/// `validate --jobs 2` prints what `--jobs 1` prints, byte for byte, with the same exit code:
/// pieces of one byte (MESHCTL_PIECE_BYTES) cut every input at every `---` line.
@Suite struct ParallelValidateTests {
  static let files: [String: String] = [
    "crd.yaml": """
      apiVersion: example.com/v1
      kind: Widget
      metadata: {name: before}
      spec: {size: big}
      ---
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: widgets.example.com}
      spec:
        group: example.com
        names: {kind: Widget, plural: widgets}
        scope: Namespaced
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties:
                    size: {type: integer}
      ---
      apiVersion: example.com/v1
      kind: Widget
      metadata: {name: after}
      spec: {size: big}

      """,
    "broken.yaml": """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: one}
      date: {a: b}
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: two
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: three}

      """,
    // The workers work out which object each finding belongs to, and its annotation.
    "suppressed.yaml": """
      apiVersion: v1
      kind: List
      items:
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, dta: {}}
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: b, annotations: {meshctl.io/ignore: "mc1003"}}, dta: {}}
      ---
      {apiVersion: v1, kind: ConfigMap, metadata: {name: c, annotations: {meshctl.io/ignore: "mc1003"}}, dta: {}}

      """,
    // Findings in many documents, written out document by document as they become final.
    "many.yaml": (0..<40).map { index in
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\(index)}\n" + (index % 3 == 0 ? "dta: {}\n" : "data: {}\n")
        + (index % 7 == 0 ? "metadata: {name: again}\n" : "")
    }.joined(separator: "---\n"),
    "mesh.yaml": StreamingTests.splitWithoutService + "---\n" + Inputs.duplicateKey + "---\n" + Inputs.valid + "---\n",
  ]

  @Test(arguments: ["text", "json", "junit", "sarif", "github"])
  func parallelPrintsWhatOneThreadPrints(format: String) {
    let arguments = ["validate", "-f", "mesh.yaml", "-f", "crd.yaml", "-f", "gone.yaml", "-f", "broken.yaml", "-f", "many.yaml", "-f", "-", "-o", format]
    let one = Self.run(arguments + ["--jobs", "1"])
    let two = Self.run(arguments + ["--jobs", "2"])
    #expect(one.status == 2)
    #expect(two.status == one.status)
    #expect(two.stdout == one.stdout)
    #expect(two.stderr == one.stderr)
  }

  @Test func annotationsSuppressTheFindingsOfTheirOwnObjectOnTwoThreads() {
    let one = Self.run(["validate", "-f", "suppressed.yaml", "--jobs", "1"])
    let two = Self.run(["validate", "-f", "suppressed.yaml", "--jobs", "2"])
    #expect(two.status == 1)
    #expect(two.stdout.contains("2 suppressed"))
    #expect(two.stdout == one.stdout)
  }

  /// Each worker checks with a replica of the catalog: it has the `--crd` definitions too.
  @Test func workersCheckCustomResourcesOfCRDsGivenWithTheFlag() {
    let definition = String(Self.files["crd.yaml"]!.split(separator: "---\n")[1])
    let arguments = ["validate", "--crd", "definition.yaml", "-f", "crd.yaml"]
    let one = Self.run(arguments + ["--jobs", "1"], adding: ["definition.yaml": definition])
    let two = Self.run(arguments + ["--jobs", "2"], adding: ["definition.yaml": definition])
    #expect(one.status == 1)
    #expect(two.stdout.contains("crd.yaml:4:"), "the Widget before the definition in the input is checked")
    #expect(two.stdout == one.stdout)
  }

  @Test func jobsBelowOneIsAUsageError() {
    #expect(Self.run(["validate", "-f", "mesh.yaml", "--jobs", "0"]).status == 64)
  }

  static func run(_ arguments: [String], adding more: [String: String] = [:]) -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let world = FakeWorld()
    world.files = files.merging(more) { $1 }
    world.stdin = files["crd.yaml"]! + "---\n" + files["mesh.yaml"]!
    world.environment["MESHCTL_PIECE_BYTES"] = "1"
    let status = world.run(arguments)
    return (status, world.stdout.text, world.stderr.text)
  }
}
