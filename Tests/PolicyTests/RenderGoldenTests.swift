import Foundation
import Manifest
import MeshSchema
import Policy
import TestSupport
import Testing

/// Every `Golden/<case>.yaml` with a `<case>.golden.yaml` is a test: rendering the input's
/// policies with the options on its first line (`# options: provider=linkerd routing=gateway-api
/// namespace=shop`), its other objects serving as the Service lookup, must give the golden byte
/// for byte: diagnostics as `# file:line:col: ...` lines, then the objects as a YAML stream.
/// `MESHCTL_UPDATE_GOLDENS=1 swift test` rewrites the goldens; a golden without an input fails.
/// Cases named `error-*` must be refused (errors, nothing rendered); the others must render
/// without errors, and every rendered object must pass the schema module.
@Suite struct RenderGoldenTests {
  static let updating = Golden.updating
  static let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.golden.path)) ?? [])
    .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".golden.yaml") }.sorted()

  @Test func thereAreGoldens() {
    #expect(Self.inputs.count >= 20)
  }

  @Test(arguments: inputs)
  func renderedOutputMatchesGolden(name: String) throws {
    let input = try String(contentsOf: TestPaths.golden.appendingPathComponent(name), encoding: .utf8)
    let result = renderStream(input, file: name, settings: Self.settings(for: input))
    let output = Self.text(of: result)
    let goldenURL = TestPaths.golden.appendingPathComponent(
      name.replacingOccurrences(of: ".yaml", with: ".golden.yaml"))
    guard let golden = try Golden.expected(output, at: goldenURL) else { return }
    #expect(
      output == golden,
      "\(name): output differs from its golden; run MESHCTL_UPDATE_GOLDENS=1 swift test and review the diff")
  }

  @Test(arguments: inputs)
  func refusedOrRenderedAsNamed(name: String) throws {
    let input = try String(contentsOf: TestPaths.golden.appendingPathComponent(name), encoding: .utf8)
    let result = renderStream(input, file: name, settings: Self.settings(for: input))
    if name.hasPrefix("error-") {
      #expect(result.hasErrors, "\(name) should be refused")
      #expect(result.objects.isEmpty, "a refused policy renders nothing")
      // Every error names its object and points into the file.
      #expect(result.diagnostics.allSatisfy { $0.object != nil && $0.mark.isKnown && $0.sourceLine != nil })
    } else {
      #expect(!result.hasErrors, "\(result.diagnostics.map(line))")
      #expect(!result.objects.isEmpty)
    }
  }

  @Test(arguments: inputs)
  func renderedObjectsPassTheSchemaModule(name: String) throws {
    let input = try String(contentsOf: TestPaths.golden.appendingPathComponent(name), encoding: .utf8)
    let result = renderStream(input, file: name, settings: Self.settings(for: input))
    for object in result.objects {
      #expect(
        schemaFindings([object]).isEmpty, "\(name): \(schemaFindings([object]).map(line))\n\(YAMLEmitter.emit(object))")
      // Every rendered object names its source policy.
      #expect(object[path: "metadata", "annotations", Annotations.source]?.string?.isEmpty == false)
      if object["kind"]?.string != "Namespace" {
        #expect(object[path: "metadata", "labels", Annotations.managedByLabel]?.string == "meshctl")
      }
    }
  }

  @Test(.disabled(if: updating, "goldens are being rewritten")) func everyGoldenHasAnInput() throws {
    let goldens = try FileManager.default.contentsOfDirectory(atPath: TestPaths.golden.path).filter {
      $0.hasSuffix(".golden.yaml")
    }
    for golden in goldens {
      #expect(
        Self.inputs.contains(golden.replacingOccurrences(of: ".golden.yaml", with: ".yaml")), "stale golden \(golden)")
    }
    #expect(goldens.count == Self.inputs.count)
  }

  // MARK: Helpers

  /// The settings a fixture's `# options:` line asks for.
  static func settings(for input: String) -> PolicySettings {
    var options: [String: String] = [:]
    if let line = input.split(separator: "\n").first, line.hasPrefix("# options:") {
      for pair in line.dropFirst("# options:".count).split(separator: " ") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { options[String(parts[0])] = String(parts[1]) }
      }
    }
    return PolicySettings(
      provider: MeshConfig.Provider(rawValue: options["provider"] ?? "istio") ?? .istio,
      routing: RoutingTarget(rawValue: options["routing"] ?? "provider") ?? .provider,
      trustDomain: options["trustDomain"] ?? "cluster.local", defaultNamespace: options["namespace"])
  }

  /// Diagnostics as comment lines, then the objects as a stream.
  static func text(of result: RenderResult) -> String {
    let comments = result.diagnostics.map { "# " + line($0) + "\n" }.joined()
    let objects = result.objects.map(YAMLEmitter.emit).joined(separator: "---\n")
    return comments + objects
  }
}
