import Foundation
import TestSupport
import Testing

/// `validate` with the generated structure, as a user runs it: `--crd`, `--kubernetes-version`,
/// `--fail-on unchecked` and the coverage counts in the summary.
@Suite(.tags(.slow))
struct SchemaCoverageBinaryTests {
  static let crd = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: foos.example.com}
    spec:
      group: example.com
      names: {kind: Foo, plural: foos}
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
                  size: {type: integer, maximum: 10}

    """
  static let foo = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec:\n  size: 11\n"
  static let bar = "apiVersion: example.com/v1\nkind: Bar\nmetadata: {name: b}\n"
  static let configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"

  @Test func unknownKindsAreCountedAndFailOnlyWhenAsked() throws {
    let scratch = try Scratch(["in.yaml": Self.configMap + "---\n" + Self.foo + "---\n" + Self.bar])
    let plain = try Binary.run(["validate", "-f", scratch.path("in.yaml")])
    #expect(plain.status == 0, "\(plain.stdout)")
    #expect(
      plain.stdout.hasSuffix(
        "0 errors, 0 warnings in 1 file (3 objects: 1 checked, 2 unknown kinds Foo.example.com/v1, Bar.example.com/v1)\n"
      ),
      "\(plain.stdout)")
    let strict = try Binary.run(["validate", "-f", scratch.path("in.yaml"), "--fail-on", "unchecked"])
    #expect(strict.status == 1)
    #expect(
      strict.stdout.contains("in.yaml:7:7: error: no schema for Foo.example.com/v1: the object is not checked [MC1017]")
    )
    let json = try Binary.run(["validate", "-f", scratch.path("in.yaml"), "-o", "json"])
    let summary = try #require(
      (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Any])
    let coverage = try #require(summary["coverage"] as? [String: Any])
    #expect(coverage["checked"] as? Int == 1 && coverage["partially"] as? Int == 0 && coverage["unknown"] as? Int == 2)
  }

  @Test func crdFilesAndDirectoriesCheckTheirResources() throws {
    let scratch = try Scratch(["crds/foo.yaml": Self.crd, "foo.yaml": Self.foo, "empty.yaml": Self.configMap])
    for crd in [scratch.path("crds/foo.yaml"), scratch.path("crds")] {
      let result = try Binary.run(["validate", "-f", scratch.path("foo.yaml"), "--crd", crd])
      #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
      #expect(
        result.stdout.contains("foo.yaml:5:9: error: `size` must be at most 10, not 11 [MC1005]"), "\(result.stdout)")
      #expect(result.stdout.hasSuffix("1 error, 0 warnings in 1 file (1 object)\n"), "\(result.stdout)")
    }
    // The CRD in the input, before its resource, does the same.
    let inline = try Scratch(["all.yaml": Self.crd + "---\n" + Self.foo])
    let result = try Binary.run(["validate", "-f", inline.path("all.yaml")])
    #expect(result.status == 1 && result.stdout.contains("[MC1005]"), "\(result.stdout)")
    // A --crd path without a CRD is a usage error; a missing one is unreadable input.
    #expect(
      try Binary.run(["validate", "-f", scratch.path("foo.yaml"), "--crd", scratch.path("empty.yaml")]).status == 64)
    let missing = try Binary.run(["validate", "-f", scratch.path("foo.yaml"), "--crd", scratch.path("nope.yaml")])
    #expect(missing.status == 2, "\(missing.stdout)\(missing.stderr)")
  }

  @Test func kubernetesVersionChoosesTheServedKinds() throws {
    let claim = "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: gpu}\nspec: {}\n"
    let scratch = try Scratch(["claim.yaml": claim])
    #expect(try Binary.run(["validate", "-f", scratch.path("claim.yaml")]).status == 0)
    let old = try Binary.run(["validate", "-f", scratch.path("claim.yaml"), "--kubernetes-version", "1.33"])
    #expect(old.status == 1)
    #expect(
      old.stdout.contains(
        "claim.yaml:1:13: error: `resource.k8s.io/v1` `ResourceClaim` is not served by Kubernetes 1.33 (only by 1.34–1.37) [MC1016]"
      ),
      "\(old.stdout)")
    let unsupported = try Binary.run(["validate", "-f", scratch.path("claim.yaml"), "--kubernetes-version", "1.20"])
    #expect(unsupported.status == 64)
    #expect(unsupported.stderr.contains("1.33, 1.34, 1.35, 1.36, 1.37"), "\(unsupported.stderr)")
  }
}

/// The official schemas as an oracle for `validate` itself: on every corpus file that
/// `kubernetes-validate --strict` accepts, meshctl (same Kubernetes release) reports no error.
@Suite(
  .tags(.slow, .external),
  .enabled(if: OfficialSchemas.executable != nil, "kubernetes-validate is not installed (scripts/ensure-oracles.sh)"),
  .enabled(if: OfficialSchemas.corpusExists, "needs ../shared/corpus"))
struct ValidateOracleTests {
  /// Corpus files the official schemas accept and the API server refuses, and the rule that says so.
  static let serverRefuses: [String: String] = [
    // Linkerd's test input for "already injected" leaves out the proxy containers' images; the
    // server requires an image for every container (validateContainerCommon).
    "inject_emojivoto_already_injected.input.yml": "MC1105"
  ]

  @Test func filesTheOfficialSchemasAcceptHaveNoErrors() throws {
    let files = OfficialSchemas.inputs() + CorpusPolicies.files()
    let rejected = try OfficialSchemas.verdicts(files)
    let accepted = files.filter { rejected[$0.path] == nil }
    #expect(accepted.count > 150, "too few files accepted: \(accepted.count) of \(files.count)")
    let release = String(
      OfficialSchemaOracleTests.kubernetesVersion.split(separator: ".").prefix(2).joined(separator: "."))
    let result = try Binary.run(
      ["validate", "-o", "json", "--kubernetes-version", release] + accepted.flatMap { ["-f", $0.path] })
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
    var errors: [String] = []
    var removed: [String] = []
    for diagnostic in diagnostics where diagnostic["severity"] as? String == "error" {
      let file = diagnostic["file"] as? String ?? ""
      // The oracle has no schema for apiVersions Kubernetes removed and lets them pass (with a
      // warning); the API server refuses them, and so does meshctl (MC1016).
      if diagnostic["code"] as? String == "MC1016" {
        removed.append(URL(fileURLWithPath: file).lastPathComponent)
        continue
      }
      // The API server's own rules (MC11xx), which the OpenAPI cannot express: each file the
      // official schemas accept but the server refuses, with why.
      let name = URL(fileURLWithPath: file).lastPathComponent
      if let code = diagnostic["code"] as? String, Self.serverRefuses[name] == code { continue }
      errors.append(
        "\(file):\(diagnostic["line"] ?? ""):\(diagnostic["column"] ?? ""): \(diagnostic["code"] ?? "") \(diagnostic["message"] ?? "")"
      )
    }
    #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
    #expect(
      removed.sorted() == [
        "cockroachdb-statefulset.yaml", "cronjob.yaml", "inject_emojivoto_cronjob.input.yml",
        "inject_emojivoto_cronjob_nometa.input.yml", "nginx-ing.yml",
      ])
  }
}

/// The corpus's policy and routing manifests (mesh CRDs, with the built-in kinds around them).
enum CorpusPolicies {
  static func files() -> [URL] {
    let root = OfficialSchemas.corpus.appendingPathComponent("policies")
    let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    var found: [URL] = []
    while let url = walker?.nextObject() as? URL {
      if ["yaml", "yml"].contains(url.pathExtension) { found.append(url) }
    }
    return found.sorted { $0.path < $1.path }
  }
}
