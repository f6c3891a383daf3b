import Foundation
import TestSupport
import Testing

/// What `meshctl validate -o json` said about each of many files, from one run.
struct ValidateRun {
  /// Per file: the errors, as (line, code, message).
  var errors: [String: [(line: Int, code: String, message: String)]] = [:]

  init(_ files: [String], extra: [String] = []) throws {
    let result = try Binary.run(["validate", "-o", "json"] + extra + files.flatMap { ["-f", $0] })
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let diagnostics = try #require(report["diagnostics"] as? [[String: Any]], "\(result.stderr)")
    for diagnostic in diagnostics where diagnostic["severity"] as? String == "error" {
      let file = diagnostic["file"] as? String ?? ""
      errors[file, default: []].append(
        (diagnostic["line"] as? Int ?? 0, diagnostic["code"] as? String ?? "", diagnostic["message"] as? String ?? ""))
    }
  }
}

/// Writes mutants to files of a scratch directory; the paths, in order.
func writeMutants(_ mutants: [Mutant], into scratch: Scratch) throws -> [String] {
  try mutants.enumerated().map { index, mutant in
    let path = scratch.path("m\(index).yaml")
    try mutant.text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}

/// The corpus's built-in documents that meshctl accepts, and a deterministic sample of their
/// single-edit mutants.
enum MutationSet {
  static func make(perCategory: Int, scratch: Scratch, extra: [String] = []) throws -> (mutants: [Mutant], paths: [String]) {
    let documents = CorpusMutants.documents()
    let clean = scratch.url.appendingPathComponent("clean")
    try FileManager.default.createDirectory(at: clean, withIntermediateDirectories: true)
    let paths = try documents.enumerated().map { index, document in
      let path = clean.appendingPathComponent("d\(index).yaml").path
      try document.text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let baseline = try ValidateRun(paths, extra: extra)
    let accepted = zip(documents, paths).filter { baseline.errors[$0.1] == nil }.map(\.0)
    let mutants = CorpusMutants.sample(accepted, perCategory: perCategory)
    return (mutants, try writeMutants(mutants, into: scratch))
  }
}

/// Single-edit mutants of the corpus's documents, each an edit the API server refuses, must each
/// be reported as an error (exit 1) at the edited line: at least 98%, the rest listed below.
@Suite(.tags(.slow), .enabled(if: TestPaths.corpusExists, "needs ../shared/corpus (the mutants are made from it)"))
struct MutationTests {
  /// Mutants meshctl does not report, each with why. Keys are mutant ids.
  static let explained: [String: String] = [:]

  @Test func mutantsAreReportedAsErrorsAtTheEditedLine() throws {
    let scratch = try Scratch()
    let (mutants, paths) = try MutationSet.make(perCategory: 40, scratch: scratch)
    #expect(mutants.count >= 300, "too few mutants: \(mutants.count)")
    let run = try ValidateRun(paths)
    var missed: [String] = []
    var perCategory: [String: (caught: Int, total: Int)] = [:]
    for (mutant, path) in zip(mutants, paths) {
      let errors = run.errors[path] ?? []
      let caught = errors.contains { mutant.lines.contains($0.line) }
      perCategory[mutant.category, default: (0, 0)].total += 1
      if caught {
        perCategory[mutant.category, default: (0, 0)].caught += 1
      } else if Self.explained[mutant.id] == nil {
        missed.append("\(mutant.id) (lines \(mutant.lines)): \(errors.map { "\($0.line) \($0.code)" })")
      }
    }
    let caught = perCategory.values.reduce(0) { $0 + $1.caught }
    let rate = Double(caught) / Double(max(mutants.count, 1))
    let table = CorpusMutants.categories.map { "\($0) \(perCategory[$0]?.caught ?? 0)/\(perCategory[$0]?.total ?? 0)" }
    print("mutation score: \(caught)/\(mutants.count) = \(String(format: "%.1f", rate * 100))% (\(table.joined(separator: ", ")))")
    #expect(rate >= 0.98, "caught \(caught) of \(mutants.count)")
    #expect(missed.isEmpty, "unexplained misses:\n\(missed.joined(separator: "\n"))")
    #expect(CorpusMutants.categories.allSatisfy { (perCategory[$0]?.total ?? 0) > 0 }, "\(table)")
  }
}
