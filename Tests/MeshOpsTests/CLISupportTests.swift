import KubeClient
import Manifest
import Testing

@testable import MeshOps

/// What moved out of the command line: get's printer, diff's summary, the environment list.
@Suite struct PolicyPrinterTests {
  static let policy = ManagedPolicy(
    policy: .mapping(["kind": .string("TrafficSplit")]), namespace: "shop", name: "cart", renderedAs: [], route: nil)

  static func printed(_ output: GetOutput?, name: String? = nil, watching: Bool = false, _ policies: [ManagedPolicy])
    -> (stdout: String, stderr: String)
  {
    let (stdout, stderr) = (CapturedText(), CapturedText())
    let query = PolicyQuery(kind: .trafficsplits, name: name, namespace: "shop")
    PolicyPrinter(query: query, output: output, allNamespaces: false, stdout: stdout, stderr: stderr)
      .first(policies, watching: watching)
    return (stdout.text, stderr.text)
  }

  @Test func noneFoundIsSaidOnStandardError() {
    let (stdout, stderr) = Self.printed(nil, [])
    #expect(stdout == "")
    #expect(stderr == "No trafficsplits found in shop namespace.\n")
  }

  @Test func namesAndListsAsKubectlPrintsThem() {
    #expect(Self.printed(.name, [Self.policy]).stdout == "trafficsplit.meshctl.io/cart\n")
    #expect(Self.printed(.json, [Self.policy]).stdout.contains("\"kind\": \"List\""))
    #expect(Self.printed(.yaml, name: "cart", [Self.policy]).stdout == "kind: TrafficSplit\n")
    #expect(Self.printed(.yaml, watching: true, [Self.policy, Self.policy]).stdout.contains("---\n"))
    #expect(Self.printed(.jsonpath("{.kind}"), name: "cart", [Self.policy]).stdout == "TrafficSplit")
  }

  @Test func outputSpellingsAreKubectls() {
    #expect(GetOutput(argument: "jsonpath={.a}") == .jsonpath("{.a}"))
    #expect(GetOutput(argument: "wide") == .wide)
    #expect(GetOutput(argument: "table") == nil)
  }
}

@Suite struct LiveDiffSummaryTests {
  @Test func aChangedOrNewObjectMakesTheRunChanged() {
    let same = LiveDiff.comparison(live: .mapping(["a": .int(1)]), merged: .mapping(["a": .int(1)]), name: "v1.X.a")
    let other = LiveDiff.comparison(live: .mapping(["a": .int(1)]), merged: .mapping(["a": .int(2)]), name: "v1.X.b")
    let unchanged = LiveDiff.summarize([.compared(same)])
    #expect(!unchanged.changed)
    #expect(unchanged.text == "")
    let changed = LiveDiff.summarize([.compared(same), .compared(other)])
    #expect(changed.changed)
    #expect(changed.text == other.unified)
    #expect(changed.comparisons.count == 2)
    #expect(LiveDiff.summarize([.new(same)]).changed)
  }
}

@Suite struct EnvironmentHelpTests {
  @Test func everyVariableIsListedWithItsMeaning() {
    let table = EnvironmentHelp.table
    #expect(table.hasPrefix("ENVIRONMENT:\n  KUBECONFIG\n      "))
    for variable in EnvironmentHelp.variables { #expect(table.contains("  \(variable.name)\n      \(variable.meaning)\n")) }
  }
}
