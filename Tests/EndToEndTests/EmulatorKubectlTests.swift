import Foundation
import TestSupport
import Testing

/// The Python emulator suite (`Tests/Emulator`, driven by the real kubectl) run under `swift test`.
@Suite(
  .tags(.slow, .external),
  .enabled(if: EmulatorSuite.python != nil, "python3 is not on PATH"),
  .enabled(if: Binary.kubectl != nil, "kubectl is not on PATH"),
  .enabled(if: EmulatorSuite.openssl != nil, "openssl is not on PATH"))
struct EmulatorKubectlTests {
  @Test func pythonEmulatorSuitePasses() async throws {
    let python = try #require(EmulatorSuite.python)
    let result = try await onOwnThread {
      try Binary.run(
        ["-m", "unittest", "discover", "-s", EmulatorSuite.directory.path, "-v"], executable: python,
        directory: Binary.packageRoot)
    }
    let summary = try #require(
      UnittestSummary(output: result.stderr), "no unittest summary in:\n\(result.stderr.suffix(4000))")
    #expect(result.status == 0, "python3 -m unittest exited \(result.status):\n\(result.stderr.suffix(4000))")
    #expect(summary.passed, "\(summary.line)\n\(result.stderr.suffix(4000))")
    #expect(summary.ran > 0, "the emulator suite ran no tests")
    // Every skip in the suite is for a missing kubectl or openssl, and this suite only runs when both exist.
    #expect(summary.skipped == 0, "tests were skipped although kubectl and openssl are present: \(summary.line)")
  }

  @Test func summaryParsing() throws {
    let passed = try #require(UnittestSummary(output: "...\nRan 43 tests in 12.1s\n\nOK (skipped=2)\n"))
    #expect((passed.ran, passed.skipped, passed.passed) == (43, 2, true))
    let failed = try #require(UnittestSummary(output: "Ran 5 tests in 1s\n\nFAILED (failures=1, skipped=1)\n"))
    #expect((failed.ran, failed.skipped, failed.passed) == (5, 1, false))
    #expect(UnittestSummary(output: "Traceback (most recent call last):\n") == nil)
  }
}

/// Where the emulator suite and the programs it needs are.
enum EmulatorSuite {
  /// `Tests/Emulator` in the package.
  static let directory = Binary.packageRoot.appendingPathComponent("Tests/Emulator")
  /// python3 on PATH.
  static let python = executable(named: "python3")
  /// openssl on PATH (the emulator makes its certificates with it).
  static let openssl = executable(named: "openssl")

  /// The first executable called `name` on PATH.
  static func executable(named name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }
}

/// The last lines of a `python3 -m unittest` run: `Ran N tests in ...` then `OK` or `FAILED (...)`.
struct UnittestSummary: Equatable {
  /// How many tests ran (skipped ones included, as unittest counts them).
  var ran: Int
  /// How many were skipped.
  var skipped: Int
  /// True for `OK`, false for `FAILED`.
  var passed: Bool
  /// The verdict line as printed.
  var line: String

  init?(output: String) {
    let lines = output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    guard let ranIndex = lines.lastIndex(where: { $0.hasPrefix("Ran ") }),
      let count = Int(lines[ranIndex].split(separator: " ")[1]),
      let verdict = lines[(ranIndex + 1)...].first(where: { $0.hasPrefix("OK") || $0.hasPrefix("FAILED") })
    else { return nil }
    ran = count
    passed = verdict.hasPrefix("OK")
    line = verdict
    skipped = 0
    if let range = verdict.range(of: #"skipped=(\d+)"#, options: .regularExpression) {
      skipped = Int(verdict[range].dropFirst("skipped=".count)) ?? 0
    }
  }
}
