import Foundation
import Manifest
import TestSupport
import Testing

/// The official Kubernetes JSON schemas (`kubernetes-validate --strict`, PyPI) as an oracle for
/// injection: for every corpus input the official schemas accept, meshctl's injected output
/// (Istio classic, Istio native sidecar, Linkerd) must be accepted too.
@Suite(
  .tags(.slow, .external),
  .enabled(if: OfficialSchemas.executable != nil, "kubernetes-validate is not installed (scripts/ensure-oracles.sh)"),
  .enabled(if: OfficialSchemas.corpusExists, "needs ../shared/corpus"))
struct OfficialSchemaOracleTests {
  static let kubernetesVersion = "1.33.0"

  @Test func injectedCorpusPassesTheOfficialSchemas() async throws {
    let scratch = try Scratch([
      "linkerd.yaml": """
        apiVersion: meshctl.io/v1alpha1
        kind: MeshConfig
        spec:
          provider: linkerd
          identityTrustAnchorsPEM: |
            -----BEGIN CERTIFICATE-----
            TEST
            -----END CERTIFICATE-----

        """
    ])
    let variants: [(String, [String])] = [
      ("istio", []), ("istio-native", ["--native-sidecar", "true"]),
      ("linkerd", ["--config", scratch.url.appendingPathComponent("linkerd.yaml").path]),
    ]
    let inputs = OfficialSchemas.inputs()
    let inputVerdicts = try await onOwnThread { try OfficialSchemas.verdicts(inputs) }
    var outputs: [URL] = []
    var invalidUpstream: [String] = []
    for input in inputs {
      guard inputVerdicts[input.path] == nil else {
        invalidUpstream.append(input.lastPathComponent)
        continue
      }
      for (name, flags) in variants {
        let result = try Binary.run(["inject", "-f", input.path] + flags)
        #expect(result.status == 0, "\(input.lastPathComponent) \(name): \(result.stderr)")
        let output = scratch.url.appendingPathComponent("\(outputs.count)-\(name)-\(input.lastPathComponent)")
        try result.stdout.write(to: output, atomically: true, encoding: .utf8)
        outputs.append(output)
      }
    }
    let failures = try await onOwnThread { [outputs] in try OfficialSchemas.verdicts(outputs) }
    #expect(outputs.count > 100, "too few outputs checked")
    #expect(failures.isEmpty, "\(failures.values.sorted().joined(separator: "\n"))")
    // Upstream inputs the official schemas reject themselves (not meshctl's doing).
    #expect(invalidUpstream.sorted() == ["inject_gettest_deployment.bad.input.yml", "inject_gettest_deployment.good.input.yml"])
  }
}

/// Where the oracle and its inputs are.
enum OfficialSchemas {
  /// A Python that can import kubernetes_validate (scripts/ensure-oracles.sh finds or installs one).
  static let executable: String? = {
    if let path = ProcessInfo.processInfo.environment["MESHCTL_ORACLE_PYTHON"], !path.isEmpty { return path }
    let venv = Binary.packageRoot.appendingPathComponent(".build/oracles/bin/python3").path
    return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
  }()

  static let corpus = TestPaths.corpus
  static let corpusExists = TestPaths.corpusExists

  /// The application manifests and the peers' injection inputs.
  static func inputs() -> [URL] {
    var found: [URL] = []
    for folder in ["apps", "peer-inject"] {
      let enumerator = FileManager.default.enumerator(at: corpus.appendingPathComponent(folder), includingPropertiesForKeys: nil)
      while let url = enumerator?.nextObject() as? URL {
        let name = url.lastPathComponent
        guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { continue }
        if name.contains(".golden.") || name.contains("kustomization") { continue }
        found.append(url)
      }
    }
    return found.sorted { $0.path < $1.path }
  }

  /// The files the official schemas reject, with the reason; one Python process for all.
  static func verdicts(_ files: [URL]) throws -> [String: String] {
    let script = Binary.packageRoot.appendingPathComponent("scripts/kubernetes-validate-many.py").path
    let result = try Binary.run(
      [script, OfficialSchemaOracleTests.kubernetesVersion] + files.map(\.path), executable: URL(fileURLWithPath: executable!))
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == files.count, "the oracle answered for \(lines.count) of \(files.count) files: \(result.stderr)")
    var rejected: [String: String] = [:]
    for line in lines where line.hasPrefix("FAIL ") {
      let rest = line.dropFirst(5)
      let path = rest.prefix { $0 != ":" }
      rejected[String(path)] = String(rest)
    }
    return rejected
  }
}

/// The same oracle for what `render` writes in the core API group: the per-backend Services of
/// Gateway API routing and Linkerd's Namespace patches must be objects the official schemas
/// accept. (Provider CRDs are not in those schemas; the schema module checks them.)
@Suite(
  .tags(.slow, .external),
  .enabled(if: OfficialSchemas.executable != nil, "kubernetes-validate is not installed (scripts/ensure-oracles.sh)"),
  .enabled(if: OfficialSchemas.corpusExists, "needs ../shared/corpus"))
struct RenderedCoreObjectsOracleTests {
  @Test func renderedServicesAndNamespacesPassTheOfficialSchemas() async throws {
    let split = """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: reviews}
      spec:
        service: reviews
        backends:
        - {name: v1, selector: {version: v1}, weight: 90}
        - {name: v2, selector: {version: v2}, weight: 10}

      """
    let mtls =
      "apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata: {name: default, namespace: shop}\nspec: {mode: STRICT}\n"
    let scratch = try Scratch(["split.yaml": split, "mtls.yaml": mtls])
    let bookinfo = OfficialSchemas.corpus.appendingPathComponent("apps/bookinfo/bookinfo.yaml").path
    let shop = Binary.packageRoot.appendingPathComponent("examples/shop").path
    let runs: [[String]] = [
      ["render", "-f", bookinfo, "-f", scratch.path("split.yaml"), "--provider", "linkerd"],
      ["render", "-f", bookinfo, "-f", scratch.path("split.yaml"), "--routing", "gateway-api"],
      ["render", "-f", scratch.path("mtls.yaml"), "--provider", "linkerd"],
      ["render", "-R", "-f", shop, "--provider", "linkerd"],
    ]
    var outputs: [URL] = []
    for arguments in runs {
      let result = try Binary.run(arguments)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
      let core = ManifestReader().parse(result.stdout).documents.filter {
        ["Service", "Namespace"].contains($0.kind ?? "")
      }
      for document in core {
        let output = scratch.url.appendingPathComponent("rendered-\(outputs.count).yaml")
        try YAMLEmitter.emit(document.root).write(to: output, atomically: true, encoding: .utf8)
        outputs.append(output)
      }
    }
    #expect(outputs.count >= 6, "too few core objects rendered")
    let failures = try await onOwnThread { [outputs] in try OfficialSchemas.verdicts(outputs) }
    #expect(failures.isEmpty, "\(failures.values.sorted().joined(separator: "\n"))")
  }
}
