import Foundation
import MeshOps
import MeshSchema
import TestSupport
import Testing

/// Every `Golden/<case>.analysis` with a `<case>.golden.promql` is a test: the first line holds
/// the options (`# mesh=istio workload=reviews-v2 namespace=shop version=v2 window=10s`, or
/// `check=mtls` for the plaintext-caller queries), every other line an analysis spec; the
/// PromQL meshctl builds for them must equal the golden byte for byte (the request-count query
/// first, then one query per spec, each under a `# <spec>` line).
/// `MESHCTL_UPDATE_GOLDENS=1 swift test --filter PromQLGoldenTests` rewrites the goldens; a
/// golden without an input fails. The queries themselves run on the real Prometheus in
/// PrometheusAnalysisTests.
@Suite struct PromQLGoldenTests {
  static let directory = TestPaths.testsDirectory("MeshOpsTests").appendingPathComponent("Golden")
  static let updating = Golden.updating
  static let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
  static let inputs = files.filter { $0.hasSuffix(".analysis") }.sorted()

  @Test func thereAreGoldensForEveryMeshAndKind() {
    #expect(Self.inputs.count >= 10)
    for mesh in ["istio", "linkerd"] {
      for kind in ["success-rate", "latency", "request-rate", "mtls"] {
        #expect(Self.inputs.contains { $0.hasPrefix("\(mesh)-\(kind)") }, "no golden for \(mesh) \(kind)")
      }
    }
  }

  @Test func everyGoldenHasItsInput() {
    for golden in Self.files where golden.hasSuffix(".golden.promql") {
      let input = golden.replacingOccurrences(of: ".golden.promql", with: ".analysis")
      #expect(Self.inputs.contains(input), "\(golden) has no input \(input)")
    }
  }

  @Test(arguments: inputs)
  func promqlMatchesGolden(name: String) throws {
    let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
    let output = try Self.render(text)
    let goldenURL = Self.directory.appendingPathComponent(
      name.replacingOccurrences(of: ".analysis", with: ".golden.promql"))
    guard let golden = try Golden.expected(output, at: goldenURL) else { return }
    #expect(
      output == golden,
      "\(name): PromQL differs from its golden; run MESHCTL_UPDATE_GOLDENS=1 swift test --filter PromQLGoldenTests and review the diff"
    )
  }

  /// The queries for one input, each under a comment line.
  static func render(_ text: String) throws -> String {
    let lines = text.split(separator: "\n").map(String.init)
    let options = Dictionary(
      uniqueKeysWithValues: lines[0].dropFirst(2).split(separator: " ").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1)
        return (String(parts[0]), String(parts[1]))
      })
    let mesh = try #require(options["mesh"].flatMap(MeshConfig.Provider.init(rawValue:)))
    let window = try #require(options["window"].flatMap(Self.duration))
    let namespace = try #require(options["namespace"])
    var out = ""
    if options["check"] == "mtls" {
      let scope = PlaintextScope(namespace: namespace, workload: options["workload"])
      for query in try PlaintextCallers.queries(scope: scope, mesh: mesh, window: window) {
        out += "# \(query.role.rawValue)\n\(query.promql)\n"
      }
      return out
    }
    let target = AnalysisTarget(
      workload: try #require(options["workload"]), namespace: namespace, version: options["version"])
    let specs = try lines.dropFirst().map(AnalysisSpec.parse)
    let queries = try CanaryAnalysis.queries(specs: specs, target: target, mesh: mesh, window: window)
    out += "# request count\n\(queries[0])\n"
    for (spec, query) in zip(specs, queries.dropFirst()) { out += "# \(spec.text)\n\(query)\n" }
    return out
  }

  /// `10s`, `1500ms`, `1m`, `1h`.
  static func duration(_ text: String) -> Duration? {
    for (suffix, scale) in [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)] where text.hasSuffix(suffix) {
      if let value = Int(text.dropLast(suffix.count)) { return .milliseconds(value * scale) }
    }
    return nil
  }
}
