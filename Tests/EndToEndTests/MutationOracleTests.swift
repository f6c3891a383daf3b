import Foundation
import TestSupport
import Testing

/// The official schemas (`kubernetes-validate --strict`) as an oracle over the mutation set: every
/// mutant they reject, meshctl (same Kubernetes release) reports as an error at the edited line;
/// on mutants they accept, meshctl's errors come only from the rules the OpenAPI cannot express
/// (the API server rules and the hand-written formats, enums and ranges), never from the
/// structure (types, unknown or missing fields), where the two must agree.
@Suite(
  .tags(.slow, .external),
  .enabled(if: OfficialSchemas.executable != nil, "kubernetes-validate is not installed (scripts/ensure-oracles.sh)"),
  .enabled(if: OfficialSchemas.corpusExists, "needs ../shared/corpus"))
struct MutationOracleTests {
  /// Codes of the semantic layer: errors the official schemas cannot report.
  static let semanticCodes: Set<String> = [
    "MC1004", "MC1005", "MC1006", "MC1009", "MC1016", "MC1030", "MC1101", "MC1102", "MC1103", "MC1104", "MC1105",
    "MC1106", "MC1107", "MC1108", "MC1109", "MC1110", "MC1111", "MC1112",
  ]

  @Test func everyMutantTheOfficialSchemasRejectIsAnErrorAtItsLine() async throws {
    let release = String(
      OfficialSchemaOracleTests.kubernetesVersion.split(separator: ".").prefix(2).joined(separator: "."))
    let scratch = try Scratch()
    let (mutants, paths) = try MutationSet.make(
      perCategory: 40, scratch: scratch, extra: ["--kubernetes-version", release])
    let rejected = try await onOwnThread { [paths] in try OfficialSchemas.verdicts(paths.map { URL(fileURLWithPath: $0) }) }
    let run = try ValidateRun(paths, extra: ["--kubernetes-version", release])
    var missed: [String] = []
    var structuralOnAccepted: [String] = []
    var agreed = 0
    var rejectedPerCategory: [String: Int] = [:]
    for (mutant, path) in zip(mutants, paths) {
      let errors = run.errors[path] ?? []
      if let reason = rejected[path] {
        rejectedPerCategory[mutant.category, default: 0] += 1
        if errors.contains(where: { mutant.lines.contains($0.line) }) {
          agreed += 1
        } else {
          missed.append("\(mutant.id): oracle says \(reason); meshctl: \(errors.map { "\($0.line) \($0.code)" })")
        }
      } else {
        for error in errors where !Self.semanticCodes.contains(error.code) {
          structuralOnAccepted.append("\(mutant.id): \(error.line) \(error.code) \(error.message)")
        }
      }
    }
    print("oracle: \(rejected.count) of \(mutants.count) mutants rejected by kubernetes-validate; meshctl reports \(agreed) at the edited line (rejected: \(rejectedPerCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))")
    // The official schemas know types and fields, not the server's rules, enums or removed versions.
    #expect(rejected.count >= 80, "too few mutants rejected by the oracle: \(rejected.count)")
    #expect(missed.isEmpty, "\(missed.joined(separator: "\n"))")
    #expect(structuralOnAccepted.isEmpty, "\(structuralOnAccepted.joined(separator: "\n"))")
  }
}
