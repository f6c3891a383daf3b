import Foundation
import Testing

/// Every command path that has its own help screen (version's help belongs to the version work).
private let commandPaths: [[String]] = [
  ["validate"], ["inject"], ["uninject"], ["render"], ["apply"], ["diff"], ["delete"], ["get"], ["shift"],
  ["shift", "set"], ["shift", "history"], ["shift", "status"], ["mtls", "status"], ["mtls", "check"],
  ["mtls", "enable"], ["top"], ["check"], ["schema"], ["completion"], ["help"],
]

/// Commands that never talk to a cluster: no global flags in their help, a pointer instead.
/// (`validate` talks to one for `--crd-from-cluster` only, and lists them.)
private let offlineCommands: Set<[String]> = [
  ["uninject"], ["render"], ["schema"], ["completion"], ["help"],
]

/// The sections of a help screen, by heading, in order.
private func headings(_ help: String) -> [String] {
  help.split(separator: "\n").map(String.init).filter {
    $0.hasSuffix(":") && !$0.hasPrefix(" ") && $0.uppercased() == $0
  }
}

@Suite(.tags(.slow)) struct HelpLayoutTests {
  @Test(arguments: commandPaths) func ownOptionsComeFirstAndGlobalFlagsLast(path: [String]) throws {
    let result = try Binary.run(path + ["--help"])
    #expect(result.status == 0)
    let sections = headings(result.stdout)
    if offlineCommands.contains(path) {
      #expect(!sections.contains("GLOBAL FLAGS:"), "\(path)")
      #expect(result.stdout.contains("never talks to a cluster"), "\(path)")
    } else if path != ["shift"] {
      let options = try #require(sections.firstIndex(of: "OPTIONS:"), "\(path): \(sections)")
      let global = try #require(sections.firstIndex(of: "GLOBAL FLAGS:"), "\(path): \(sections)")
      #expect(options < global, "\(path): \(sections)")
      #expect(result.stdout.contains("--kubeconfig <path>"))
    }
  }

  @Test(arguments: commandPaths) func everyCommandShowsTwoToFourExamples(path: [String]) throws {
    let help = try Binary.run(path + ["--help"]).stdout
    let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex(of: "Examples:"), "\(path) has no examples")
    let examples = lines[(start + 1)...].prefix { $0.hasPrefix("  ") }
    #expect((2...4).contains(examples.count), "\(path): \(examples.count) examples")
  }

  @Test func globalFlagsAreStillAcceptedWhereTheyAreHidden() throws {
    let scratch = try Scratch(["ok.yaml": Manifests.valid])
    let result = try Binary.run(["validate", "-n", "prod", "--context", "x", "-f", scratch.path("ok.yaml")])
    #expect(result.status == 0, "\(result.stderr)")
  }

  @Test func helpTopicsIncludeTheEnvironment() throws {
    let result = try Binary.run(["help", "environment"])
    #expect(result.status == 0)
    for name in ["KUBECONFIG", "NO_COLOR", "KUBECTL_EXTERNAL_DIFF", "MESHCTL_PROMETHEUS", "MESHCTL_PROMETHEUS_TOKEN"] {
      #expect(result.stdout.contains("  \(name)\n"), "\(name)")
    }
  }
}

@Suite(.tags(.slow)) struct UsageErrorTests {
  @Test func aMistypedCommandGetsASuggestion() throws {
    let result = try Binary.run(["valdate", "-f", "x.yaml"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    #expect(
      result.stderr.hasPrefix(#"meshctl: error: unknown command "valdate" for "meshctl"; did you mean "validate"?"#))
    #expect(!result.stderr.contains("Unknown option"))
    #expect(result.stderr.contains("Usage: meshctl"))
  }

  @Test func aMistypedNestedCommandNamesItsParent() throws {
    let result = try Binary.run(["-n", "shop", "mtls", "stauts"])
    #expect(result.status == 64)
    #expect(
      result.stderr.hasPrefix(#"meshctl: error: unknown command "stauts" for "meshctl mtls"; did you mean "status"?"#))
    #expect(result.stderr.contains("See 'meshctl mtls --help'"))
    let nothingClose = try Binary.run(["frobnicate"])
    #expect(nothingClose.status == 64)
    #expect(nothingClose.stderr.hasPrefix(#"meshctl: error: unknown command "frobnicate" for "meshctl"\#n"#))
  }

  @Test func everyErrorHasOnePrefixAndTheFailingCommandsUsage() throws {
    let scratch = try Scratch(["ok.yaml": Manifests.valid, "empty.yaml": "# nothing\n"])
    // A parse error, a validate() error, and one thrown while the command ran.
    let cases: [([String], String)] = [
      (["validate", "-o", "nope"], "Usage: meshctl validate "),
      (["schema", "NoSuchKind"], "Usage: meshctl schema "),
      (["render", "-f", scratch.path("ok.yaml"), "--config", scratch.path("empty.yaml")], "Usage: meshctl render "),
    ]
    for (arguments, usage) in cases {
      let result = try Binary.run(arguments)
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("meshctl: error: "), "\(arguments): \(result.stderr)")
      #expect(!result.stderr.contains("Error: "), "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(usage), "\(arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty)
    }
  }
}

/// The committed man pages, linted (`make generate` writes them with scripts/man-postprocess.awk).
@Suite(.tags(.slow, .external)) struct ManPageTests {
  static let man: URL? = ["/usr/bin/man", "/bin/man"].map(URL.init(fileURLWithPath:)).first {
    FileManager.default.isExecutableFile(atPath: $0.path)
  }

  var pages: [URL] {
    get throws {
      let directory = Binary.packageRoot.appendingPathComponent("man")
      return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "1" }.sorted { $0.path < $1.path }
    }
  }

  @Test(.enabled(if: man != nil, "man is not installed")) func manWarningsAreClean() throws {
    for page in try pages {
      let result = try Binary.run(["--warnings", "-l", page.path], executable: Self.man!)
      #expect(result.stderr.isEmpty, "\(page.lastPathComponent): \(result.stderr)")
    }
  }

  @Test func pagesListTheRealExitCodesTheEnvironmentAndEachPageOnce() throws {
    for page in try pages {
      let text = try String(contentsOf: page, encoding: .utf8)
      let name = page.lastPathComponent
      #expect(text.contains(".Sh ENVIRONMENT\n"), "\(name)")
      #expect(text.contains(".It Ev KUBECONFIG\n") && text.contains(".It Ev NO_COLOR\n"), "\(name)")
      #expect(!text.contains(".Ex -std"), "\(name)")
      for code in ["0", "1", "2", "3", "4", "5", "64"] { #expect(text.contains("\n.It \(code)\n"), "\(name): \(code)") }
      let seeAlso = text.split(separator: "\n").filter { $0.hasPrefix(".Xr ") }
      #expect(Set(seeAlso).count == seeAlso.count, "\(name): \(seeAlso)")
    }
  }
}

/// `make dist`'s script, run on the debug binary: the archive, its checksum and the krew manifest.
@Suite(.tags(.slow, .external)) struct DistributionTests {
  @Test func archiveChecksumAndKrewManifestAgree() throws {
    let scratch = try Scratch()
    let manifestPath = scratch.path("mesh.yaml")
    let script = Binary.packageRoot.appendingPathComponent("scripts/dist.sh")
    let built = try Binary.run(
      [Binary.meshctl.path, scratch.path("dist"), manifestPath], executable: script, directory: Binary.packageRoot)
    try #require(built.status == 0, "\(built.stderr)")
    let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
    func field(_ key: String) -> String? {
      manifest.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") }
        .map { String($0.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces) }
    }
    #expect(field("apiVersion") == "krew.googlecontainertools.github.com/v1alpha2")
    #expect(field("kind") == "Plugin")
    #expect(field("name") == "mesh")
    #expect(field("version") == "v0.1.0")
    #expect(field("homepage")?.hasPrefix("https://") == true)
    #expect(field("shortDescription")?.isEmpty == false)
    #expect(manifest.contains("matchLabels:\n        os: linux\n"))
    let uri = try #require(field("uri"))
    let archiveName = String(try #require(uri.split(separator: "/").last))
    let archive = scratch.path("dist/\(archiveName)")
    #expect(FileManager.default.fileExists(atPath: archive), "\(uri)")

    // The checksum in the manifest is the archive's, and so is the .sha256 file.
    let sha256sum = try #require(
      ["/usr/bin/sha256sum", "/bin/sha256sum"].first { FileManager.default.isExecutableFile(atPath: $0) })
    let sum = try Binary.run([archive], executable: URL(fileURLWithPath: sha256sum)).stdout.prefix(64)
    #expect(field("sha256") == String(sum))
    let sumFile = try String(contentsOfFile: archive + ".sha256", encoding: .utf8)
    #expect(sumFile == "\(sum)  \(archiveName)\n")

    // The `bin` and every `files` entry exist in the archive.
    let tar = URL(fileURLWithPath: "/bin/tar")
    let listing = try Binary.run(["-tzf", archive], executable: tar).stdout.split(separator: "\n").map(String.init)
    let bin = try #require(field("bin"))
    #expect(listing.contains(bin), "\(bin) is not in \(listing)")
    for entry in ["kubectl-mesh", "kubectl_complete-mesh", "LICENSE", "completions/meshctl.bash", "man/meshctl.1"] {
      #expect(listing.contains(entry), "\(entry)")
    }
    let froms = manifest.split(separator: "\n").filter { $0.contains("- from: ") }.map {
      String($0.split(separator: " ").last!)
    }
    #expect(!froms.isEmpty)
    for from in froms { #expect(listing.contains(from) || listing.contains(from + "/"), "\(from)") }

    // Unpacked, the plugin runs and kubectl_complete-mesh answers kubectl's completion protocol.
    let unpacked = scratch.url.appendingPathComponent("unpacked")
    try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
    #expect(try Binary.run(["-xzf", archive, "-C", unpacked.path], executable: tar).status == 0)
    let plugin = try Binary.run(["--help"], executable: unpacked.appendingPathComponent("kubectl-mesh"))
    #expect(plugin.stdout.contains("USAGE: kubectl mesh"))
    let completion = try Binary.run(["val"], executable: unpacked.appendingPathComponent("kubectl_complete-mesh"))
    #expect(completion.stdout.hasPrefix("validate\t") && completion.stdout.hasSuffix("\n:4\n"), "\(completion.stdout)")
  }
}
