import KubeClient
import Manifest
import Testing

@testable import MeshctlCLI

@Suite struct CompletionProtocolUnitTests {
  @Test func answersInCobrasFormat() {
    #expect(CompletionProtocol.respond(to: ["schema", "T"]) == "TrafficSplit\n:4\n")
    #expect(CompletionProtocol.respond(to: ["validate", "-f", ""]) == "yaml\nyml\njson\n:8\n")
    #expect(CompletionProtocol.respond(to: ["get", "ts", "--kubeconfig", ""]) == ":0\n")
  }

  @Test func optionValuesAreSkippedWhenFindingTheCommand() {
    // `-n validate` is a namespace called validate, not the command.
    #expect(CompletionProtocol.respond(to: ["-n", "validate", "sch"]).hasPrefix("schema\t"))
    #expect(CompletionProtocol.respond(to: ["shift", "cart", "-o", ""]) == "text\njson\n:4\n")
  }

  @Test func kubectlsCompletionExecutableIsARequest() {
    #expect(
      CompletionProtocol.arguments(executable: "/usr/local/bin/kubectl_complete-mesh", ["val"]) == [
        "__complete", "val",
      ])
    #expect(
      CompletionProtocol.arguments(executable: "kubectl_complete-mesh", ["__complete", "val"]) == ["__complete", "val"])
    #expect(CompletionProtocol.arguments(executable: "/usr/bin/kubectl-mesh", ["val"]) == ["val"])
  }
}

@Suite struct UnknownCommandTests {
  @Test func suggestsTheNearestCommand() {
    #expect(UnknownCommand(arguments: ["valdate", "-f", "x"])?.suggestion == "validate")
    #expect(UnknownCommand(arguments: ["--context", "prod", "aply"])?.suggestion == "apply")
    #expect(UnknownCommand(arguments: ["mtls", "stat"])?.suggestion == "status")
    #expect(UnknownCommand(arguments: ["qqqqqq"])?.suggestion == nil)
  }

  @Test func knownCommandsAndDefaultSubcommandsAreNotUnknown() {
    #expect(UnknownCommand(arguments: ["validate", "-o", "nope"]) == nil)
    #expect(UnknownCommand(arguments: ["-n", "valdate", "validate"]) == nil)
    #expect(UnknownCommand(arguments: ["shift", "cart", "--to", "v2"]) == nil)
  }

  @Test func editDistance() {
    #expect(EditDistance.between("validate", "valdate") == 1)
    #expect(EditDistance.between("", "abc") == 3)
    #expect(EditDistance.between("kitten", "sitting") == 3)
  }
}

@Suite struct HelpLayoutUnitTests {
  @Test func movesGlobalFlagsAfterTheOptions() {
    let text = "OVERVIEW: x\n\nUSAGE: y\n\nGLOBAL FLAGS:\n  --context <name>\n\nOPTIONS:\n  -o <format>\n"
    #expect(
      HelpLayout.arrange(text)
        == "OVERVIEW: x\n\nUSAGE: y\n\nOPTIONS:\n  -o <format>\n\nGLOBAL FLAGS:\n  --context <name>\n")
  }

  @Test func hiddenGlobalFlagsGetThePointerAndOtherTextIsLeftAlone() {
    let text = "OVERVIEW: x\n\nOPTIONS:\n  -o <format>\n"
    #expect(HelpLayout.arrange(text) == "OVERVIEW: x\n\nOPTIONS:\n  -o <format>\n\n" + HelpLayout.pointer + "\n")
    #expect(HelpLayout.arrange("0.1.0") == "0.1.0")
    let parent = "OVERVIEW: x\n\nSUBCOMMANDS:\n  a\n"
    #expect(HelpLayout.arrange(parent) == parent)
  }
}
