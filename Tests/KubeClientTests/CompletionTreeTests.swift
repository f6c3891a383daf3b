import Manifest
import Testing

@testable import KubeClient

/// The command-tree walk behind `meshctl __complete`, on a small tree written here (as
/// argument-parser's `--experimental-dump-help` spells it), and cobra's answer encoding.
@Suite struct CompletionTreeTests {
  static let dump = #"""
    {"command": {"commandName": "tool", "arguments": [
      {"kind": "option", "names": [{"kind": "long", "name": "context"}], "abstract": "The context.",
       "completionKind": {"custom": {}}},
      {"kind": "option", "names": [{"kind": "short", "name": "n"}, {"kind": "long", "name": "namespace"}],
       "abstract": "The namespace."}],
     "subcommands": [
      {"commandName": "check", "abstract": "Check files.", "arguments": [
        {"kind": "option", "names": [{"kind": "short", "name": "f"}], "abstract": "A file.",
         "completionKind": {"file": {"extensions": ["yaml", "json"]}}},
        {"kind": "option", "names": [{"kind": "short", "name": "o"}, {"kind": "long", "name": "output"}],
         "abstract": "Output.", "completionKind": {"list": {"values": ["text", "json"]}}},
        {"kind": "positional", "completionKind": {"directory": {}}}]},
      {"commandName": "hidden", "shouldDisplay": false},
      {"commandName": "cert", "abstract": "Certificates."}]}}
    """#

  static let root = CommandTree.parse(dump: dump, fallback: "tool")

  /// The answer to `words`, with custom values answering `path|spelling|prefix`.
  static func answer(_ words: [String]) -> String {
    let (candidates, directive) = root.complete(words) { path, spelled, _, prefix in
      ["\((path + [spelled]).joined(separator: "|"))", "c-\(prefix)"]
    }
    return CompletionProtocol.encode(candidates, directive)
  }

  @Test func subcommandsCompleteWithTheirAbstractsAndHiddenOnesDoNot() {
    #expect(Self.answer([""]) == "check\tCheck files.\ncert\tCertificates.\n:4\n")
    #expect(Self.answer(["ch"]) == "check\tCheck files.\n:4\n")
  }

  @Test func optionValuesComeFromTheirCompletionKind() {
    #expect(Self.answer(["check", "-o", ""]) == "text\njson\n:4\n")
    #expect(Self.answer(["check", "--output=j"]) == "--output=json\n:4\n")
    #expect(Self.answer(["check", "-f", ""]) == "yaml\njson\n:8\n")
    #expect(Self.answer(["check", ""]) == ":16\n")
    #expect(Self.answer(["-n", ""]) == ":4\n")
  }

  @Test func customValuesAreAskedForAndFilteredByThePrefix() {
    #expect(Self.answer(["--context", "c-"]) == "c-c-\n:4\n")
    #expect(Self.answer(["--context", ""]) == "--context\nc-\n:4\n")
  }

  @Test func flagsListLongSpellingsUnlessTheWordNamesMore() {
    #expect(Self.answer(["-"]) == "--context\tThe context.\n--namespace\tThe namespace.\n:4\n")
    #expect(Self.answer(["-n"]) == "-n\tThe namespace.\n:4\n")
  }

  @Test func textThatIsNoDumpGivesABareCommand() {
    let bare = CommandTree.parse(dump: "not json", fallback: "tool")
    #expect(bare.commandName == "tool")
    #expect(bare.visibleSubcommands.isEmpty)
  }

  @Test func optionWordsKeepOnlyTheCommandsOptionsWithTheirValues() {
    #expect(Self.root.optionWords(in: ["check", "-n", "shop", "x", "--context=kind", "-f", "a.yaml"]) == [
      "-n", "shop", "--context=kind",
    ])
    #expect(Self.root.optionWords(in: ["--context"]) == ["--context"])
  }

  @Test func anUnknownSubcommandIsFoundWithItsPathAndNearestName() {
    let found = UnknownSubcommand(arguments: ["-n", "shop", "chek", "x"], root: Self.root)
    #expect(found?.word == "chek")
    #expect(found?.path == [])
    #expect(found?.suggestion == "check")
    #expect(UnknownSubcommand(arguments: ["check", "x"], root: Self.root) == nil)
    #expect(UnknownSubcommand(arguments: ["zzzzzz"], root: Self.root)?.suggestion == nil)
    #expect(EditDistance.between("kitten", "sitting") == 3)
  }

  @Test func kubectlPluginCompletionBecomesARequest() {
    #expect(CompletionProtocol.arguments(executable: "/bin/kubectl_complete-mesh", ["a"]) == ["__complete", "a"])
    #expect(CompletionProtocol.arguments(executable: "meshctl", ["a"]) == ["a"])
  }

  @Test func everyScriptAsksTheProgramForCandidates() {
    for shell in CompletionScripts.Shell.allCases {
      #expect(CompletionScripts.script(for: shell).contains("__complete"), "\(shell)")
    }
  }
}

@Suite struct HelpScreenTests {
  @Test func globalFlagsMoveAfterTheCommandsOwnOptions() {
    let text = "OVERVIEW: x\n\nGLOBAL:\n  --context\n\nOPTIONS:\n  -o\n\n  See 'tool help'.\n"
    #expect(
      HelpScreen.arrange(text, globalHeading: "GLOBAL:", pointer: "p")
        == "OVERVIEW: x\n\nOPTIONS:\n  -o\n\nGLOBAL:\n  --context\n\n  See 'tool help'.\n")
  }

  @Test func aScreenWithoutGlobalFlagsGetsThePointerAndOtherTextIsKept() {
    #expect(HelpScreen.arrange("USAGE: x\n", globalHeading: "GLOBAL:", pointer: "p") == "USAGE: x\n\np\n")
    #expect(HelpScreen.arrange("1.0\n", globalHeading: "GLOBAL:", pointer: "p") == "1.0\n")
  }
}

@Suite struct DryRunModeTests {
  @Test func theAppliedLineSaysWhatWasNotStored() {
    let deployments = APIResource(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    let object = ResolvedObject(body: .mapping([MappingEntry]()), resource: deployments, namespace: "shop", name: "web", source: "a.yaml:1")
    #expect(DryRunMode.none.appliedLine(object) == "deployment.apps/web serverside-applied\n")
    #expect(DryRunMode.client.appliedLine(object) == "deployment.apps/web serverside-applied (dry run)\n")
    #expect(
      DryRunMode.server.appliedLine(object, note: "new")
        == "deployment.apps/web serverside-applied (server dry run; new)\n")
  }
}
