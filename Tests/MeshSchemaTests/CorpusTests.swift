import Foundation
import Manifest
import TestSupport
import Testing
@testable import MeshSchema

/// Real manifests written by others: nothing crashes, and objects of kinds meshctl knows raise no
/// errors (an error there is a meshctl bug, unless the upstream file is invalid: see allowList).
@Suite(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"))
struct CorpusTests {
  /// Files that are invalid upstream, with the reason. Paths relative to the corpus.
  static let allowList: [String: String] = [
    // Not valid YAML upstream: a flow mapping used as a key (`{{ ... }}` template syntax).
    "policies/argo-rollouts/rollout-linkerd.yaml": "upstream template, not YAML",
    // Not valid YAML upstream: a mis-indented block mapping.
    "policies/linkerd-policy/ipfamilies-policy.yml": "upstream file is not valid YAML",
  ]

  /// Upstream files that use apiVersions Kubernetes no longer serves: their MC1016 is right.
  static let removedAPIVersions: [String: String] = [
    "policies/smi-trafficsplit/emojivoto-training/nginx-ing.yml": "extensions/v1beta1 Ingress, removed in 1.22",
    "apps/cockroachdb/cockroachdb-statefulset.yaml": "policy/v1beta1 PodDisruptionBudget, removed in 1.25",
  ]

  static func files(under directory: String) -> [URL] {
    let root = TestPaths.corpus.appendingPathComponent(directory)
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { $0 as? URL }.filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
      .sorted { $0.path < $1.path }
  }

  static func relative(_ url: URL) -> String {
    String(url.path.dropFirst(TestPaths.corpus.path.count + 1))
  }

  /// Validates one file through the streaming reader, as the command line does.
  static func validate(_ url: URL, strict: Bool = false) throws -> (documents: [Document], findings: [Diagnostic]) {
    let source = try FileDescriptorSource(path: url.path)
    var documents: [Document] = []
    var findings: [Diagnostic] = []
    let validator = Validator(options: ValidationOptions(strict: strict))
    let summary = try ManifestReader().read(source, file: relative(url)) { document in
      documents.append(document)
      findings += validator.validate(document)
    }
    return (documents, summary.diagnostics + findings)
  }

  @Test func everyFileValidatesWithoutCrashing() throws {
    var count = 0
    var checkedObjects = 0
    for url in Self.files(under: "") {
      let (documents, _) = try Self.validate(url, strict: true)
      checkedObjects += documents.flatMap(\.objects).filter { object in
        guard let apiVersion = object.apiVersion, let kind = object.kind else { return false }
        return SchemaRegistry.schema(apiVersion: apiVersion, kind: kind) != nil
      }.count
      // Spilled a fact at a time, the analysis must find exactly what it finds in memory.
      #expect(
        analyze(documents, memoryBudget: 0) == analyze(documents, memoryBudget: .max), "\(url.path)")
      count += 1
    }
    #expect(count > 100)
    // The corpus exercises the schemas, not just the reader.
    #expect(checkedObjects > 200, "only \(checkedObjects) objects of known kinds")
    print("corpus: \(count) files, \(checkedObjects) objects of kinds meshctl knows")
  }

  @Test(arguments: ["policies", "apps"])
  func knownKindsHaveNoErrors(directory: String) throws {
    var unexpected: [String] = []
    var listed: [String] = []
    for url in Self.files(under: directory) {
      let path = Self.relative(url)
      let (_, findings) = try Self.validate(url)
      for finding in findings where finding.severity == .error {
        let line = "\(finding.file):\(finding.mark.line):\(finding.mark.column): \(finding.code) \(finding.object ?? "") \(finding.path ?? ""): \(finding.message)"
        listed.append(line)
        if Self.allowList[path] != nil { continue }
        if finding.code == RuleCode.notServed, Self.removedAPIVersions[path] != nil { continue }
        if finding.code == RuleCode.missingTypeMeta, finding.object?.hasPrefix("document") == true {
          continue  // not a Kubernetes object at all (kustomization.yaml): not a kind meshctl knows
        }
        unexpected.append(line)
      }
    }
    if !listed.isEmpty { print("corpus \(directory) errors:\n" + listed.joined(separator: "\n")) }
    #expect(unexpected.isEmpty, "\(unexpected.joined(separator: "\n"))")
  }

  /// Warnings, and unknown fields under `--strict`, are reviewed by hand: print them so a run shows them.
  @Test(arguments: ["policies", "apps"])
  func listWarnings(directory: String) throws {
    var lines: [String] = []
    for url in Self.files(under: directory) {
      let (_, findings) = try Self.validate(url, strict: true)
      for finding in findings where finding.severity == .warning || finding.code == RuleCode.unknownField {
        lines.append("\(finding.file):\(finding.mark.line):\(finding.mark.column): \(finding.code) \(finding.path ?? ""): \(finding.message)")
      }
    }
    print("corpus \(directory) warnings (\(lines.count)):\n" + lines.joined(separator: "\n"))
  }
}
