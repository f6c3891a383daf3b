import Foundation
import Testing

/// The binary tier: the built `meshctl`, exit codes, streams and pipes.
@Suite(.tags(.slow)) struct BinaryTests {
  @Test func version() throws {
    let result = try Binary.run(["version", "--client"])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("Client Version: 0.1.0\n"))
    #expect(result.stderr.isEmpty)
  }

  @Test func versionJSON() throws {
    let result = try Binary.run(["version", "--client", "-o", "json"])
    #expect(result.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect((object?["clientVersion"] as? [String: Any])?["version"] as? String == "0.1.0")
  }

  @Test func helpExitCodes() throws {
    let result = try Binary.run(["help", "exit-codes"])
    #expect(result.status == 0)
    for line in ["  0   success", "  2   an input is unreadable", "  64  usage error"] {
      #expect(result.stdout.contains(line), "\(line)")
    }
  }

  @Test func validFileExits0() throws {
    let scratch = try Scratch(["ok.yaml": Manifests.valid])
    let result = try Binary.run(["validate", "-f", scratch.path("ok.yaml")])
    #expect(result.status == 0)
    #expect(result.stdout == "0 errors, 0 warnings in 1 file (1 object)\n")
    #expect(result.stderr.isEmpty)
  }

  @Test func findingsGoToStdoutAndExit2ForNotYAML() throws {
    let scratch = try Scratch(["dup.yaml": Manifests.duplicateKey])
    let file = scratch.path("dup.yaml")
    let result = try Binary.run(["validate", "-f", file])
    #expect(result.status == 2)
    #expect(result.stdout.hasPrefix("\(file):5:3: error: duplicate key"))
    #expect(result.stdout.contains("  name: b\n  ^\n"))
    #expect(result.stderr.isEmpty)
  }

  @Test(arguments: ["text", "json", "junit", "sarif", "github"])
  func exitCodeDoesNotDependOnFormat(format: String) throws {
    let scratch = try Scratch(["dup.yaml": Manifests.duplicateKey, "ok.yaml": Manifests.valid])
    #expect(try Binary.run(["validate", "-f", scratch.path("dup.yaml"), "-o", format]).status == 2)
    #expect(try Binary.run(["validate", "-f", scratch.path("ok.yaml"), "-o", format]).status == 0)
  }

  @Test func stdinWithDash() throws {
    let result = try Binary.run(["validate", "-f", "-", "-o", "json"], stdin: Manifests.duplicateKey)
    #expect(result.status == 2)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let first = (object?["diagnostics"] as? [[String: Any]])?.first
    #expect(first?["file"] as? String == "-")
    #expect(first?["line"] as? Int == 5)
  }

  @Test func pipedStdinWithoutFilename() throws {
    let result = try Binary.run(["validate"], stdin: Manifests.valid + "---\n" + Manifests.valid)
    #expect(result.status == 0)
    #expect(result.stdout.contains("(2 objects)"))
  }

  @Test func recursiveDirectories() throws {
    let scratch = try Scratch([
      "a.yaml": Manifests.valid, "sub/b.yml": Manifests.valid, "sub/deeper/c.json": "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}",
      "sub/notes.txt": "not a manifest",
    ])
    let flat = try Binary.run(["validate", "-f", scratch.url.path])
    #expect(flat.status == 0)
    #expect(flat.stdout.contains("in 1 file (1 object)"))
    let deep = try Binary.run(["validate", "-R", "-f", scratch.url.path])
    #expect(deep.status == 0)
    #expect(deep.stdout.contains("in 3 files (3 objects)"))
  }

  @Test func missingFileExits2NamingThePath() throws {
    let result = try Binary.run(["validate", "-f", "/definitely/not/here.yaml", "-o", "json"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("/definitely/not/here.yaml: no such file or directory"))
    // stdout still holds a well-formed report.
    #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil)
  }

  @Test func usageErrorExits64() throws {
    let result = try Binary.run(["validate", "-o", "yaml"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("-o"))
    #expect(result.stdout.isEmpty)
    let unknown = try Binary.run(["frobnicate"])
    #expect(unknown.status == 64)
  }

  @Test func syntaxErrorExits2() throws {
    let result = try Binary.run(["validate", "-f", "-"], stdin: "a: [1, 2\n")
    #expect(result.status == 2)
    #expect(result.stdout.contains("[MC0001]"))
  }

  @Test func noColourWhenNotATerminal() throws {
    let result = try Binary.run(["validate", "-f", "-"], stdin: Manifests.duplicateKey)
    #expect(!result.stdout.contains("\u{1B}["))
  }
}

/// Completions are generated from the command tree and committed; stale ones fail here.
/// (Man pages need argument-parser's generate-manual plugin: `make check-generated` checks them.)
@Suite(.tags(.slow)) struct GeneratedFilesTests {
  @Test(arguments: [("bash", "meshctl.bash"), ("zsh", "_meshctl"), ("fish", "meshctl.fish")])
  func completionScriptIsFresh(shell: String, file: String) throws {
    let result = try Binary.run(["completion", shell])
    #expect(result.status == 0)
    let committed = try String(
      contentsOf: Binary.packageRoot.appendingPathComponent("completions/\(file)"), encoding: .utf8)
    #expect(result.stdout == committed, "completions/\(file) is stale: run `make generate` and commit it")
  }

  @Test func manPagesExistForEveryCommand() throws {
    for page in ["meshctl.1", "meshctl.validate.1", "meshctl.schema.1", "meshctl.version.1", "meshctl.help.1"] {
      let text = try String(contentsOf: Binary.packageRoot.appendingPathComponent("man/\(page)"), encoding: .utf8)
      #expect(text.contains(".Sh NAME"), "\(page)")
    }
  }
}

/// `kubectl mesh`: the same binary linked as `kubectl-mesh` on PATH, run through the real kubectl.
@Suite(.tags(.slow, .external), .enabled(if: Binary.kubectl != nil, "kubectl is not on PATH"))
struct KubectlPluginTests {
  /// A directory with `kubectl-mesh` → the built binary, and the environment that puts it first on PATH.
  func pluginEnvironment() throws -> (Scratch, [String: String]) {
    let scratch = try Scratch(["dup.yaml": Manifests.duplicateKey])
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path("kubectl-mesh"), withDestinationPath: Binary.meshctl.path)
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = scratch.url.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    // kubectl must not touch a real cluster configuration to run a plugin.
    environment["KUBECONFIG"] = scratch.path("no-kubeconfig")
    return (scratch, environment)
  }

  @Test func version() throws {
    let (scratch, environment) = try pluginEnvironment()
    // No kubeconfig at all: the client's version and a one-line note, exit 0.
    let result = try Binary.run(["mesh", "version"], executable: Binary.kubectl!, environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("Client Version: 0.1.0\n"))
    #expect(result.stderr.contains("no cluster configured"))
    _ = scratch
  }

  @Test func validatePassesArgumentsAndExitCode() throws {
    let (scratch, environment) = try pluginEnvironment()
    let result = try Binary.run(
      ["mesh", "-n", "prod", "validate", "-f", scratch.path("dup.yaml")], executable: Binary.kubectl!,
      environment: environment)
    #expect(result.status == 2)
    #expect(result.stdout.contains("dup.yaml:5:3: error: duplicate key"))
  }

  @Test func helpSaysKubectlMesh() throws {
    let (scratch, environment) = try pluginEnvironment()
    let result = try Binary.run(["mesh", "--help"], executable: Binary.kubectl!, environment: environment)
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: kubectl mesh"))
    #expect(result.stdout.contains("kubectl mesh validate -f deploy/"))
    #expect(!result.stdout.contains("meshctl validate"))
    let usage = try Binary.run(["mesh", "validate", "-o", "nope"], executable: Binary.kubectl!, environment: environment)
    #expect(usage.status == 64)
    #expect(usage.stderr.contains("kubectl mesh validate"))
    _ = scratch
  }
}
