import Foundation
import TestSupport
import Testing

@testable import Manifest

/// Every `Fixtures/*.yaml` is a test: its first line says `# expect: CODE at LINE:COLUMN`, and
/// reading it must produce exactly that finding (a UTF-16 fixture carries it in UTF-16).
@Suite struct ReaderFixtureTests {
  static let fixtures = TestPaths.files(under: TestPaths.fixtures, extensions: ["yaml"])

  @Test(arguments: fixtures.map(\.lastPathComponent))
  func fixtureReportsItsFindingExactly(name: String) throws {
    let url = TestPaths.fixtures.appendingPathComponent(name)
    let data = try Data(contentsOf: url)
    let header = try #require(expectation(in: data), "\(name) has no '# expect:' line")
    var diagnostics: [Diagnostic] = []
    let summary = try ManifestReader().read(FileDescriptorSource(path: url.path), file: name) { document in
      diagnostics += document.diagnostics
    }
    diagnostics += summary.diagnostics
    let found = diagnostics.map { "\($0.code) at \($0.mark.line):\($0.mark.column)" }
    #expect(found == [header], "\(diagnostics.map(\.message))")
    #expect(diagnostics.allSatisfy { $0.file == name && $0.isInputError })
  }

  private func expectation(in data: Data) -> String? {
    let text = data.starts(with: [0xFF, 0xFE]) ? String(data: data, encoding: .utf16) ?? "" : String(decoding: data, as: UTF8.self)
    let prefix = "# expect: "
    return text.split(separator: "\n").first.flatMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil }
  }
}
