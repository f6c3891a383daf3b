import Foundation
import TestSupport
import Testing

/// `validate` on two threads prints, byte for byte, what it prints on one, with the same exit
/// code, on the examples, the test fixtures and (when present) ../shared/corpus. Pieces of one
/// byte (MESHCTL_PIECE_BYTES) cut every stream at every `---` line, the hardest case; the
/// default pieces are checked too.
@Suite(.tags(.slow)) struct ParallelValidateBinaryTests {
  static let fixtureDirectories = [
    "examples", "Tests/ManifestTests/Fixtures", "Tests/MeshSchemaTests/Fixtures", "Tests/InjectionTests/Golden",
    "Tests/PolicyTests/Golden",
  ]

  @Test(arguments: ["text", "json", "sarif", "github"])
  func fixturesPrintTheSameOnTwoThreads(format: String) throws {
    let inputs = Self.fixtureDirectories.flatMap { ["-f", Binary.packageRoot.appendingPathComponent($0).path] }
    try Self.expectSameOutput(["validate", "-R", "-o", format] + inputs)
  }

  @Test(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"), arguments: ["text", "sarif"])
  func corpusPrintsTheSameOnTwoThreads(format: String) throws {
    try Self.expectSameOutput(["validate", "-R", "-o", format, "-f", TestPaths.corpus.path])
  }

  @Test(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"))
  func corpusAsOneStreamPrintsTheSameOnTwoThreads() throws {
    // One long multi-document stream: the case pieces are for. A file, not standard input: a
    // syntax error stops the reading, and the rest of a pipe would never be read.
    let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.corpus.path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
    let stream = try files.map {
      try String(contentsOf: TestPaths.corpus.appendingPathComponent($0), encoding: .utf8)
    }.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "---\n")
    let scratch = try Scratch(["stream.yaml": stream])
    try Self.expectSameOutput(["validate", "-o", "json", "-f", scratch.path("stream.yaml")])
  }

  static func expectSameOutput(_ arguments: [String], stdin: String? = nil) throws {
    let one = try Binary.run(arguments + ["--jobs", "1"], stdin: stdin)
    for pieceBytes in ["1", "65536"] {
      var environment = ProcessInfo.processInfo.environment
      environment["MESHCTL_PIECE_BYTES"] = pieceBytes
      let two = try Binary.run(arguments + ["--jobs", "2"], stdin: stdin, environment: environment)
      #expect(two.status == one.status, "exit code, pieces of \(pieceBytes) bytes")
      #expect(two.stdout == one.stdout, "standard output, pieces of \(pieceBytes) bytes")
      #expect(two.stderr == one.stderr, "standard error, pieces of \(pieceBytes) bytes")
    }
  }
}
