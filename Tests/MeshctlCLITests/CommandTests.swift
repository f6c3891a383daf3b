import Foundation
import FoundationXML
import KubeClient
import Manifest
import MeshSchema
import Testing
@testable import MeshctlCLI

/// The command tier: parsed arguments, a fake context, captured output and exit codes.
@Suite struct ValidateCommandTests {
  @Test func parsesIntoTheValidateCommand() throws {
    let command = try Meshctl.parseAsRoot(["validate", "-f", "a.yaml", "-f", "b/", "-R", "-o", "sarif", "--fail-on", "warning", "--strict"])
    let validate = try #require(command as? Meshctl.Validate)
    #expect(validate.input.filenames == ["a.yaml", "b/"])
    #expect(validate.input.recursive)
    #expect(validate.output == .sarif)
    #expect(validate.failOn == .warning)
    #expect(validate.strict)
  }

  @Test func duplicateKeyIsReportedWithCaretAndExits2() {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    let code = world.run(["validate", "-f", "cm.yaml"])
    #expect(code == 2)
    #expect(world.stdout.text.hasPrefix("cm.yaml:5:3: error: duplicate key \"name\""))
    #expect(world.stdout.text.contains("[MC0002]\n  name: b\n  ^\n"))
    #expect(world.stdout.text.hasSuffix("1 error, 0 warnings in 1 file (1 object)\n"))
    #expect(world.stderr.text.isEmpty)
  }

  @Test func validInputExits0() {
    let world = FakeWorld()
    world.files["ok.yaml"] = Inputs.valid + "---\n" + Inputs.valid
    #expect(world.run(["validate", "-f", "ok.yaml"]) == 0)
    #expect(world.stdout.text == "0 errors, 0 warnings in 1 file (2 objects)\n")
  }

  @Test func syntaxErrorExits2() {
    let world = FakeWorld()
    world.files["bad.yaml"] = Inputs.syntaxError
    #expect(world.run(["validate", "-f", "bad.yaml"]) == 2)
    #expect(world.stdout.text.contains("bad.yaml:3:2: error:"))
    #expect(world.stdout.text.contains("[MC0001]"))
  }

  @Test(arguments: ["text", "json", "junit", "sarif", "github"])
  func exitCodeIsTheSameForEveryFormat(format: String) {
    for (input, expected) in [(Inputs.valid, Int32(0)), (Inputs.duplicateKey, 2), (Inputs.syntaxError, 2)] {
      let world = FakeWorld()
      world.files["in.yaml"] = input
      #expect(world.run(["validate", "-f", "in.yaml", "-o", format]) == expected, "\(format)")
    }
  }

  @Test func unreadableFileExits2NamingThePathOnStderr() {
    let world = FakeWorld()
    world.files["ok.yaml"] = Inputs.valid
    let code = world.run(["validate", "-f", "/no/such/file.yaml", "-f", "ok.yaml", "-o", "json"])
    #expect(code == 2)
    #expect(world.stderr.text.contains("/no/such/file.yaml: no such file or directory"))
    // The other input is still validated and the JSON on stdout stays valid.
    let summary = (try? jsonObject(world.stdout.text))?["summary"] as? [String: Any]
    #expect(summary?["objects"] as? Int == 1)
    #expect((summary?["inputErrors"] as? [String])?.count == 1)
  }

  @Test func readsStandardInputWithDash() {
    let world = FakeWorld()
    world.stdin = Inputs.duplicateKey
    #expect(world.run(["validate", "-f", "-"]) == 2)
    #expect(world.stdout.text.hasPrefix("-:5:3: error:"))
  }

  @Test func readsStandardInputWithoutFilenameWhenPiped() {
    let world = FakeWorld()
    world.stdin = Inputs.valid
    #expect(world.run(["validate"]) == 0)
    #expect(world.stdout.text.contains("(1 object)"))
  }

  @Test func noFilenameOnATerminalIsAUsageError() {
    let world = FakeWorld()
    world.stdinIsTerminal = true
    #expect(world.run(["validate"]) == 64)
    #expect(world.stderr.text.contains("no input"))
    #expect(world.stdout.text.isEmpty)
  }

  @Test func jsonOutputParses() throws {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    world.run(["validate", "-f", "cm.yaml", "-o", "json"])
    let object = try jsonObject(world.stdout.text)
    let diagnostic = try #require((object["diagnostics"] as? [[String: Any]])?.first)
    #expect(diagnostic["code"] as? String == "MC0002")
    #expect(diagnostic["line"] as? Int == 5)
    #expect(diagnostic["column"] as? Int == 3)
  }

  @Test func sarifOutputParsesWithPosition() throws {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    world.run(["validate", "-f", "cm.yaml", "-o", "sarif"])
    let log = try jsonObject(world.stdout.text)
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let result = try #require((run["results"] as? [[String: Any]])?.first)
    let region = ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
    #expect(region?["startLine"] as? Int == 5)
    #expect(region?["startColumn"] as? Int == 3)
  }

  @Test func junitOutputIsWellFormed() throws {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey + "---\n" + Inputs.valid
    world.run(["validate", "-f", "cm.yaml", "-o", "junit"])
    let document = try XMLDocument(xmlString: world.stdout.text)
    let cases = try document.nodes(forXPath: "//testcase") as? [XMLElement] ?? []
    // The kind is the class, the name the test case's (issue 14).
    #expect(cases.compactMap { $0.attribute(forName: "name")?.stringValue } == ["a", "ok"])
    #expect(cases.compactMap { $0.attribute(forName: "classname")?.stringValue } == ["ConfigMap", "ConfigMap"])
    #expect(try document.nodes(forXPath: "//testcase/failure").count == 1)
  }

  @Test func githubOutput() {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    world.run(["validate", "-f", "cm.yaml", "-o", "github"])
    #expect(world.stdout.text.hasPrefix("::error file=cm.yaml,line=5,col=3,title=MC0002::duplicate key"))
  }

  @Test func colourOnlyOnATerminalWithoutNoColor() {
    for (terminal, environment, colored) in [
      (true, [String: String](), true), (false, [:], false), (true, ["NO_COLOR": ""], false),
      (true, ["NO_COLOR": "1"], false), (true, ["TERM": "dumb"], false),
    ] {
      let world = FakeWorld()
      world.files["cm.yaml"] = Inputs.duplicateKey
      world.stdoutIsTerminal = terminal
      world.environment = environment
      world.run(["validate", "-f", "cm.yaml"])
      #expect(world.stdout.text.contains("\u{1B}[") == colored, "terminal \(terminal), \(environment)")
    }
  }

  @Test func machineFormatsNeverColour() {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    world.stdoutIsTerminal = true
    world.run(["validate", "-f", "cm.yaml", "-o", "json"])
    #expect(!world.stdout.text.contains("\u{1B}"))
  }

  @Test func caretUnderTabbedAndNonASCIILines() throws {
    // libyaml rejects tabs in indentation, but they are fine inside values; the duplicate
    // key `k` on line 2 follows a value with a tab and non-ASCII characters on line 1.
    let world = FakeWorld()
    // A kind without a schema, so that the free top-level keys are not findings themselves.
    world.files["t.yaml"] = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: t}\na: \"é\tx\"\nb: { ü: 1, ü: 2 }\n"
    world.run(["validate", "-f", "t.yaml"])
    let lines = world.stdout.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    try #require(lines.count >= 3)
    #expect(lines[0].hasPrefix("t.yaml:5:12: error: duplicate key"))
    #expect(lines[1] == "b: { ü: 1, ü: 2 }")
    #expect(lines[2] == String(repeating: " ", count: 11) + "^")
  }

  @Test func failOnSemantics() {
    // Reader findings are errors; use a fake report for warnings via the exit-status table.
    func report(_ severity: Diagnostic.Severity) -> ValidationReport {
      let finding = Diagnostic(
        severity: severity, code: "MC1003", message: "weights sum to 90", file: "s.yaml", mark: SourceMark(line: 1, column: 1))
      return ValidationReport(findings: [Finding(finding)], files: ["s.yaml"])
    }
    let warning = report(.warning)
    #expect(warning.exitStatus(failOn: .error) == .success)
    #expect(warning.exitStatus(failOn: .warning) == .findings)
    #expect(warning.exitStatus(failOn: .never) == .success)
    let error = report(.error)
    #expect(error.exitStatus(failOn: .error) == .findings)
    #expect(error.exitStatus(failOn: .never) == .success)
    // An input error stays 2 even with --fail-on never.
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.duplicateKey
    #expect(world.run(["validate", "-f", "cm.yaml", "--fail-on", "never"]) == 2)
  }

  @Test func directoryArgumentsReadRealDirectories() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try Inputs.valid.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
    try Inputs.duplicateKey.write(to: directory.appendingPathComponent("sub/b.yml"), atomically: true, encoding: .utf8)
    let world = FakeWorld()
    var context = world.context
    context.openFile = { try FileDescriptorSource(path: $0) }
    context.expandInput = { try InputCollector(recursive: $1).collect([$0]) }
    #expect(Meshctl.run(arguments: ["validate", "-f", directory.path], context: context) == 0)
    #expect(world.stdout.text.contains("in 1 file (1 object)"))
    let recursive = FakeWorld()
    var recursiveContext = recursive.context
    recursiveContext.openFile = { try FileDescriptorSource(path: $0) }
    recursiveContext.expandInput = { try InputCollector(recursive: $1).collect([$0]) }
    #expect(Meshctl.run(arguments: ["validate", "-R", "-f", directory.path], context: recursiveContext) == 2)
    #expect(recursive.stdout.text.contains("in 2 files (2 objects)"))
  }
}

@Suite struct UsageTests {
  @Test(arguments: [
    ["validate", "-o", "xml"], ["validate", "--fail-on", "sometimes"], ["no-such-command"],
    ["validate", "--request-timeout", "soon"], ["validate", "-v", "11"], ["schema", "Pod"],
    ["validate", "--no-such-flag"], ["help", "nonsense"],
  ])
  func usageErrorsExit64(arguments: [String]) {
    let world = FakeWorld()
    #expect(world.run(arguments) == 64)
    #expect(!world.stderr.text.isEmpty)
    #expect(world.stdout.text.isEmpty)
  }

  @Test func kubectlSpellingsOfVerbosity() throws {
    for arguments in [["-v", "3"], ["-v=3"], ["--v=3"], ["--v", "3"]] {
      let command = try Meshctl.parseAsRoot(["validate"] + arguments)
      #expect((command as? Meshctl.Validate)?.cluster.verbosity == 3, "\(arguments)")
    }
  }

  @Test func globalFlagsParseEverywhere() throws {
    let arguments = [
      "--kubeconfig", "/k", "--context", "c", "--cluster", "cl", "--user", "u", "-n", "ns", "-s", "https://s",
      "--token", "t", "--as", "me", "--as-group", "g1", "--as-group", "g2", "--certificate-authority", "ca",
      "--client-certificate", "cc", "--client-key", "ck", "--insecure-skip-tls-verify",
      "--tls-server-name", "tls", "--request-timeout", "1m30s",
    ]
    for command in ["validate", "schema", "version"] {
      let parsed = try Meshctl.parseAsRoot([command] + arguments)
      let cluster: ClusterOptions? =
        (parsed as? Meshctl.Validate)?.cluster ?? (parsed as? Meshctl.Schema)?.cluster ?? (parsed as? Meshctl.Version)?.cluster
      #expect(cluster?.namespace == "ns", "\(command)")
      #expect(cluster?.impersonateGroups == ["g1", "g2"])
      #expect(cluster?.insecureSkipTLSVerify == true)
      #expect(cluster?.requestTimeout == "1m30s")
    }
  }

  @Test func globalFlagsBeforeTheSubcommand() throws {
    let parsed = try Meshctl.parseAsRoot(["-n", "prod", "validate"])
    #expect((parsed as? Meshctl.Validate)?.cluster.namespace == "prod")
  }

  @Test func requestTimeoutSpellings() {
    for good in ["0", "30", "1s", "1m30s", "1.5h", "250ms"] { #expect(RequestTimeout.isValid(good), "\(good)") }
    for bad in ["", "s", "1x", "1.2.3s", "-1s", "1 s"] { #expect(!RequestTimeout.isValid(bad), "\(bad)") }
  }

  @Test func pluginName() {
    #expect(Meshctl.commandName(forExecutable: "/usr/local/bin/kubectl-mesh") == "kubectl mesh")
    #expect(Meshctl.commandName(forExecutable: "kubectl-mesh") == "kubectl mesh")
    #expect(Meshctl.commandName(forExecutable: "/usr/bin/meshctl") == "meshctl")
    #expect(Meshctl.commandName(forExecutable: "kubectl-service_mesh") == "kubectl service-mesh")
  }

  @Test func clusterCommandsStartLoadingLibcurlEarly() {
    for cluster in [["apply", "-f", "x.yaml"], ["-n", "prod", "diff"], ["--context=kind", "shift", "web"], ["mtls"]] {
      #expect(Meshctl.namesClusterCommand(cluster), "\(cluster)")
    }
    // The first subcommand decides: a file named like a cluster command is not one.
    for local in [["validate", "-f", "apply"], ["inject", "delete"], [], ["--help"], ["version"], ["render", "get"]] {
      #expect(!Meshctl.namesClusterCommand(local), "\(local)")
    }
  }
}

@Suite struct OtherCommandTests {
  @Test func versionText() {
    let world = FakeWorld()
    #expect(world.run(["version", "--client"]) == 0)
    #expect(world.stdout.text.hasPrefix("Client Version: \(MeshctlVersion.current)\n"))
    #expect(world.stdout.text.contains("Swift Version: 6."))
    #expect(!world.stdout.text.contains("Server Version"))
  }

  @Test func versionJSON() throws {
    let world = FakeWorld()
    #expect(world.run(["version", "--client", "-o", "json"]) == 0)
    let object = try jsonObject(world.stdout.text)
    let client = object["clientVersion"] as? [String: Any]
    #expect(client?["version"] as? String == "0.1.0")
    #expect(client?["swiftVersion"] as? String == MeshctlVersion.swift)
    #expect(object["serverVersion"] == nil)
  }

  @Test func helpExitCodesListsTheWholeTable() {
    let world = FakeWorld()
    #expect(world.run(["help", "exit-codes"]) == 0)
    for status in ExitStatus.allCases {
      #expect(world.stdout.text.contains("  \(status.rawValue) "), "\(status)")
    }
    #expect(world.stdout.text.contains("64  usage error"))
  }

  @Test func helpRulesListsTheCatalog() {
    let rules = [Rule(code: "MC1001", severity: .error, summary: "required field missing")]
    #expect(Meshctl.Help.text(of: .rules, rules: rules) == "MC1001  error    required field missing\n")
    let world = FakeWorld()
    #expect(world.run(["help", "rules"]) == 0)
    #expect(world.stdout.text == Meshctl.Help.text(of: .rules))
  }

  @Test func helpForACommandGoesToStdout() {
    let world = FakeWorld()
    #expect(world.run(["help", "validate"]) == 0)
    #expect(world.stdout.text.contains("USAGE: meshctl validate"))
    #expect(world.stdout.text.contains("--fail-on"))
  }

  @Test func schemaListsKinds() {
    let world = FakeWorld()
    #expect(world.run(["schema"]) == 0)
    #expect(world.stdout.text == SchemaExport.kinds.map { $0 + "\n" }.joined())
  }

  @Test func schemaUnknownKindNamesKnownKinds() {
    let world = FakeWorld()
    #expect(world.run(["schema", "Deployment"]) == 64)
    #expect(world.stderr.text.contains("known kinds: TrafficSplit, MTLSPolicy, MeshConfig"))
  }

  @Test
  func schemaPrintsJSONSchema() throws {
    let world = FakeWorld()
    #expect(world.run(["schema", "trafficsplit"]) == 0)
    _ = try jsonObject(world.stdout.text)
  }

  @Test
  func schemaPrintsCRDAsYAML() {
    let world = FakeWorld()
    #expect(world.run(["schema", "TrafficSplit", "--crd"]) == 0)
    #expect(world.stdout.text.contains("kind: CustomResourceDefinition"))
  }
}
