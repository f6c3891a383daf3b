import Foundation
import TestSupport
import Testing

extension Tag {
  /// Tests that start processes or do more than a few milliseconds of work.
  @Tag static var slow: Self
  /// Tests that need a program from the machine (kubectl).
  @Tag static var external: Self
}

/// What a finished process left behind.
struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs the built `meshctl` binary (and kubectl) as a user would.
enum Binary {
  /// The package root.
  static let packageRoot = TestPaths.packageRoot

  /// The debug binary that `swift build` (and `make test`) produces.
  static let meshctl: URL = packageRoot.appendingPathComponent(".build/debug/meshctl")

  /// kubectl, when the machine has it on PATH.
  static let kubectl: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("kubectl")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }()

  /// Runs `executable` with `arguments`, feeding `stdin` (or /dev/null), and waits for it.
  static func run(
    _ arguments: [String], executable: URL = meshctl, stdin: String? = nil,
    environment: [String: String]? = nil, directory: URL? = nil
  ) throws -> ProcessResult {
    try #require(
      FileManager.default.isExecutableFile(atPath: executable.path),
      "\(executable.path) is missing: run `swift build --product meshctl` first")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out")
    let errURL = scratch.appendingPathComponent("err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ProcessResult(
      status: process.terminationStatus,
      stdout: try String(contentsOf: outURL, encoding: .utf8),
      stderr: try String(contentsOf: errURL, encoding: .utf8))
  }
}

/// A temporary directory with files, removed when the value is dropped.
final class Scratch {
  let url: URL

  init(_ files: [String: String] = [:]) throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-e2e-\(UUID().uuidString)")
    for (path, text) in files {
      let file = url.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: file, atomically: true, encoding: .utf8)
    }
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  deinit { try? FileManager.default.removeItem(at: url) }
}

enum Manifests {
  static let valid = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n"
  /// A duplicate key at line 5, column 3 (MC0002).
  static let duplicateKey = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
}
