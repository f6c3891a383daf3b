import ArgumentParser
import KubeClient
import Manifest
import MeshSchema
import Testing

@testable import MeshctlCLI

/// The CLI's shared plumbing: the input front end, the printers and the error funnel.
@Suite struct FrontendTests {
  static let noInput = "no input: give -f PATH, or pipe manifests in (-f - reads standard input)"

  @Test(arguments: [["validate"], ["inject"], ["uninject"], ["render"]])
  func everyReadingCommandRefusesATerminalWithTheSameUsageError(_ command: [String]) {
    let world = FakeWorld()
    world.stdinIsTerminal = true
    #expect(world.run(command) == 64)
    #expect(world.stderr.text.contains(Self.noInput))
    #expect(world.stdout.text.isEmpty)
  }

  @Test func aPathNamedTwiceIsReadOnceAndAMissingOneDoesNotStopTheOthers() throws {
    let world = FakeWorld()
    world.files["a.yaml"] = Inputs.valid
    var names: [String] = []
    var unreadable: [String] = []
    let frontend = InputFrontend(arguments: ["a.yaml", "gone.yaml", "a.yaml"], recursive: false, context: world.context)
    let failed = try frontend.read(
      document: { names.append($0.file) }, unreadable: { _, message in unreadable.append(message) })
    #expect(failed)
    #expect(names == ["a.yaml"])
    #expect(unreadable.count == 1)
    #expect(world.stderr.text == "meshctl: error: \(unreadable[0])\n")
  }

  @Test func errorsFromTheHandlerEndTheRun() {
    let world = FakeWorld()
    world.files["a.yaml"] = Inputs.valid
    world.files["b.yaml"] = Inputs.valid
    struct Stop: Error {}
    var seen: [String] = []
    let frontend = InputFrontend(arguments: ["a.yaml", "b.yaml"], recursive: false, context: world.context)
    #expect(throws: Stop.self) {
      try frontend.read(document: {
        seen.append($0.file)
        throw Stop()
      })
    }
    #expect(seen == ["a.yaml"])
  }

  @Test func standardInputIsTheDefaultWhenItIsNotATerminal() throws {
    let world = FakeWorld()
    world.stdin = Inputs.valid
    let frontend = try InputFrontend(InputOptions.parse([]), context: world.context)
    #expect(frontend.arguments == ["-"])
    #expect(frontend.readsStandardInput)
  }

  @Test func objectPrinterWritesOneObjectOrAList() {
    let a: Node = .mapping([MappingEntry(key: "kind", value: .string("A"))])
    let kubectl = ObjectPrinter(format: .json)
    #expect(kubectl.root(of: []) == nil)
    #expect(kubectl.root(of: [a]) == a)
    #expect(kubectl.root(of: [a, a])?["metadata"] != nil)
    #expect(kubectl.root(of: [a, a])?["items"]?.sequence?.count == 2)
    let inject = ObjectPrinter(format: .json, listMetadata: false, emptyIsList: true)
    #expect(inject.root(of: [])?["kind"]?.string == "List")
    #expect(inject.root(of: [a, a])?["metadata"] == nil)
    #expect(ObjectPrinter.yamlStream([a, a]) == "kind: A\n---\nkind: A\n")
  }

  @Test func tablePrinterPadsAllButTheLastColumn() {
    #expect(TablePrinter.render([["NAME", "MODE"], ["cart-service", "STRICT"]]) == "NAME           MODE\ncart-service   STRICT\n")
    #expect(TablePrinter.render([]) == "")
  }

  @Test func diagnosticPrinterForms() {
    let world = FakeWorld()
    var diagnostic = Diagnostic(
      severity: .error, code: "MC1003", message: "weights sum to 90", file: "s.yaml", mark: SourceMark(line: 2, column: 3),
      hint: "add up to 100")
    diagnostic.sourceLine = "  weight: 90"
    let printer = DiagnosticPrinter(world.context)
    printer.printLines([diagnostic])
    printer.printMessages([diagnostic])
    printer.error("gone")
    #expect(
      world.stderr.text
        == "s.yaml:2:3: error: weights sum to 90 [MC1003]\nmeshctl: error: weights sum to 90\n  hint: add up to 100\nmeshctl: error: gone\n"
    )
    let full = FakeWorld()
    DiagnosticPrinter(full.context).print([diagnostic])
    #expect(full.stderr.text == TextReport(color: false).render(diagnostic))
  }

  @Test func errorFunnelMapsEveryKindToItsStatus() {
    #expect(ErrorFunnel.status(for: ManifestError.notFound(path: "x")) == .inputError)
    #expect(ErrorFunnel.verdict(for: ManifestError.notFound(path: "x")).message?.hasPrefix("meshctl: error: ") == true)
    #expect(ErrorFunnel.status(for: InputFailure([])) == .inputError)
    #expect(ErrorFunnel.verdict(for: CommandFailure(status: .rolledBack)) == .init(status: .rolledBack, message: nil))
    #expect(ErrorFunnel.status(for: MeshctlError.internalFailure("bug")) == .internalError)
    #expect(ErrorFunnel.status(for: ValidationError("bad flag")) == .usage)
    #expect(ErrorFunnel.status(for: ExitCode(5)) == .rolledBack)
  }

  @Test func helpGoesToStandardOutputWithSuccess() {
    let world = FakeWorld()
    #expect(world.run(["validate", "--help"]) == 0)
    #expect(world.stdout.text.contains("USAGE"))
    #expect(world.stderr.text.isEmpty)
  }
}

/// The per-input error policy and the `--config` file, as the commands apply them.
@Suite struct InputPolicyCommandTests {
  /// A Deployment in flow style: one pod template to inject.
  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}}

    """

  /// All or nothing (issue 13): the other inputs are still read and checked, but a failure
  /// leaves standard output empty, so `| kubectl apply -f -` applies nothing.
  @Test func injectReportsAMissingInputAndWritesNothing() {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.deployment
    #expect(world.run(["inject", "-f", "gone.yaml", "-f", "app.yaml"]) == 2)
    #expect(world.stderr.text.hasPrefix("meshctl: error: "))
    #expect(world.stderr.text.contains("gone.yaml"))
    #expect(world.stderr.text.contains("nothing was written to standard output"))
    #expect(!world.stderr.text.contains("injected"))
    #expect(world.stdout.text.isEmpty)
  }

  @Test func injectReportsReadErrorsOnOneLineEachAndExits2() {
    let world = FakeWorld()
    world.files["bad.yaml"] = Inputs.duplicateKey
    #expect(world.run(["inject", "-f", "bad.yaml"]) == 2)
    #expect(world.stderr.text.hasPrefix("bad.yaml:5:3: error: "))
  }

  @Test func renderReadsEveryInputBeforeGivingUpOnAnUnreadableOne() {
    let world = FakeWorld()
    world.files["cm.yaml"] = Inputs.valid
    #expect(world.run(["render", "-f", "gone.yaml", "-f", "cm.yaml"]) == 2)
    #expect(world.stdout.text.isEmpty)
    #expect(world.stderr.text.contains("gone.yaml"))
  }

  @Test func configThatIsNotAMeshConfigIsAUsageError() {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.deployment
    world.files["mc.yaml"] = Inputs.valid
    #expect(world.run(["inject", "-f", "app.yaml", "--config", "mc.yaml"]) == 64)
    #expect(world.stderr.text.contains("mc.yaml: --config needs a meshctl.io/v1alpha1 MeshConfig, not ConfigMap"))
    #expect(world.stdout.text.isEmpty)
  }

  @Test func configWithErrorsIsReportedLikeFindings() {
    let world = FakeWorld()
    world.files["app.yaml"] = Self.deployment
    world.files["mc.yaml"] = "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\nspec: {provider: consul}\n"
    #expect(world.run(["inject", "-f", "app.yaml", "--config", "mc.yaml"]) == 2)
    #expect(world.stderr.text.hasPrefix("mc.yaml:3:"))
  }
}
