import Foundation
import Testing

/// A program on PATH, or nil.
private func onPath(_ name: String) -> URL? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
  for directory in path.split(separator: ":") {
    let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
  }
  return nil
}

/// A kubeconfig with two contexts, clusters and users, none reachable.
private let twoContexts = """
  apiVersion: v1
  kind: Config
  current-context: dev
  clusters:
  - {name: dev-cluster, cluster: {server: "https://127.0.0.1:9"}}
  - {name: prod-cluster, cluster: {server: "https://127.0.0.1:9"}}
  users:
  - {name: alice, user: {token: a}}
  - {name: bob, user: {token: b}}
  contexts:
  - {name: dev, context: {cluster: dev-cluster, user: alice}}
  - {name: prod, context: {cluster: prod-cluster, user: bob}}
  """

/// A scratch directory with `meshctl` and its kubectl links on PATH, manifests and a kubeconfig.
private func completionWorld() throws -> (Scratch, [String: String]) {
  let scratch = try Scratch([
    "kubeconfig": twoContexts, "work/app.yaml": "", "work/notes.txt": "", "work/sub/x.yaml": "",
  ])
  for name in ["meshctl", "kubectl-mesh", "kubectl_complete-mesh"] {
    try FileManager.default.createSymbolicLink(atPath: scratch.path(name), withDestinationPath: Binary.meshctl.path)
  }
  var environment = ProcessInfo.processInfo.environment
  environment["PATH"] = scratch.url.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
  environment["KUBECONFIG"] = scratch.path("kubeconfig")
  environment.removeValue(forKey: "NO_COLOR")
  return (scratch, environment)
}

/// `meshctl __complete WORDS...`: cobra's protocol, the one the scripts and kubectl speak.
@Suite(.tags(.slow)) struct CompletionProtocolTests {
  /// The candidates (descriptions cut off) and the directive.
  func complete(_ words: [String], environment: [String: String]? = nil) throws -> ([String], Int) {
    let result = try Binary.run(["__complete"] + words, environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    let last = lines.popLast()
    let directive = try #require(last, "no directive line in \(result.stdout)")
    #expect(directive.hasPrefix(":"))
    return (lines.map { String($0.prefix { $0 != "\t" }) }, Int(directive.dropFirst()) ?? -1)
  }

  @Test func subcommandsAreOfferedOnceWithHelpOnce() throws {
    let (names, directive) = try complete([""])
    #expect(names.contains("validate") && names.contains("completion") && names.contains("shift"))
    #expect(names.filter { $0 == "help" }.count == 1)
    #expect(!names.contains("__complete"))
    #expect(directive == 4)
    #expect(try complete(["val"]).0 == ["validate"])
    #expect(try complete(["mtls", ""]).0 == ["status", "check", "enable"])
  }

  @Test func fixedValuesComeFromTheDeclarations() throws {
    #expect(try complete(["validate", "-o", ""]).0 == ["text", "json", "junit", "sarif", "github"])
    #expect(try complete(["validate", "--output=j"]).0 == ["--output=json", "--output=junit"])
    #expect(try complete(["inject", "--provider", ""]).0 == ["istio", "linkerd"])
    #expect(try complete(["schema", ""]).0 == ["TrafficSplit", "MTLSPolicy", "MeshConfig"])
    let topics = try complete(["help", ""]).0
    #expect(Array(topics.prefix(3)) == ["exit-codes", "environment", "rules"])
    #expect(topics.contains("validate") && !topics.contains("help"))
    #expect(try complete(["validate", "--fail"]).0 == ["--fail-on"])
  }

  @Test func pathsAreLeftToTheShellWithTheirExtensions() throws {
    #expect(try complete(["validate", "-f", ""]) == (["yaml", "yml", "json"], 8))
    #expect(try complete(["render", "--config", ""]) == (["yaml", "yml", "json"], 8))
    #expect(try complete(["inject", "--report", ""]) == (["json"], 8))
    #expect(try complete(["get", "ts", "--kubeconfig", ""]) == ([], 0))
  }

  @Test func contextsClustersAndUsersComeFromTheKubeconfig() throws {
    let (scratch, environment) = try completionWorld()
    #expect(try complete(["--context", ""], environment: environment).0 == ["dev", "prod"])
    #expect(try complete(["get", "ts", "--cluster", "p"], environment: environment).0 == ["prod-cluster"])
    #expect(try complete(["apply", "--user=b"], environment: environment).0 == ["--user=bob"])
    // --kubeconfig on the line wins over KUBECONFIG.
    let other = try Scratch(["config": twoContexts.replacingOccurrences(of: "prod", with: "staging")])
    #expect(
      try complete(["--kubeconfig", other.path("config"), "--context", ""], environment: environment).0 == [
        "dev", "staging",
      ])
    _ = scratch
  }

  @Test func anUnreachableClusterCompletesNothingAndSaysNothing() throws {
    let (scratch, environment) = try completionWorld()
    let result = try Binary.run(["__complete", "--request-timeout", "1s", "-n", ""], environment: environment)
    #expect((result.status, result.stdout, result.stderr) == (0, ":4\n", ""))
    _ = scratch
  }
}

/// The scripts `meshctl completion SHELL` prints, run by the shells themselves.
@Suite(.tags(.slow, .external)) struct ShellCompletionTests {
  @Test func completionPrintsAScriptForEachShell() throws {
    for (shell, marker) in [
      ("bash", "complete -o default -F _meshctl meshctl"), ("zsh", "#compdef meshctl"), ("fish", "complete -c meshctl"),
    ] {
      let result = try Binary.run(["completion", shell])
      #expect(result.status == 0)
      #expect(result.stdout.contains(marker), "\(shell)")
      #expect(result.stdout.contains("__complete"), "\(shell)")
    }
    #expect(try Binary.run(["completion", "tcsh"]).status == 64)
  }

  /// Runs bash's completion function for `words` with the cursor on the last word.
  func bash(_ words: [String], environment: [String: String], directory: URL) throws -> [String] {
    let bash = try #require(onPath("bash"))
    let quoted = words.map { "'" + $0 + "'" }.joined(separator: " ")
    let program = """
      source <(meshctl completion bash)
      COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
      _meshctl meshctl "${COMP_WORDS[COMP_CWORD]}"
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let result = try Binary.run(["-c", program], executable: bash, environment: environment, directory: directory)
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init).sorted()
  }

  @Test(.enabled(if: onPath("bash") != nil, "bash is not installed")) func bashCompletes() throws {
    let (scratch, environment) = try completionWorld()
    let work = scratch.url.appendingPathComponent("work")
    #expect(try bash(["meshctl", "val"], environment: environment, directory: work) == ["validate"])
    #expect(try bash(["meshctl", "get", "-o", "w"], environment: environment, directory: work) == ["wide"])
    #expect(try bash(["meshctl", "--context", ""], environment: environment, directory: work) == ["dev", "prod"])
    // `--context=p`: bash splits the word at "=" and completes what follows it.
    #expect(try bash(["meshctl", "--context", "=", "p"], environment: environment, directory: work) == ["prod"])
    // -f offers directories and the manifest extensions only.
    #expect(
      try bash(["meshctl", "validate", "-f", ""], environment: environment, directory: work) == ["app.yaml", "sub"])
  }

  @Test(.enabled(if: onPath("zsh") != nil, "zsh is not installed")) func zshCompletes() throws {
    let (scratch, environment) = try completionWorld()
    // compadd and _files stand in for zsh's completion system, which needs a terminal.
    let program = """
      compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
      _files() { print -- "_files $*"; }
      compdef() { :; }
      source <(meshctl completion zsh)
      words=(meshctl schema ''); CURRENT=3; _meshctl
      words=(meshctl validate -f ''); CURRENT=4; _meshctl
      words=(meshctl --context ''); CURRENT=3; _meshctl
      """
    let result = try Binary.run(
      ["-f", "-c", program], executable: try #require(onPath("zsh")), environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout == "TrafficSplit\nMTLSPolicy\nMeshConfig\n_files -g *.(yaml|yml|json)\ndev\nprod\n",
      "\(result.stderr)")
    _ = scratch
  }

  @Test(.enabled(if: onPath("fish") != nil, "fish is not installed")) func fishCompletes() throws {
    let (scratch, environment) = try completionWorld()
    let program = """
      meshctl completion fish | source
      complete -C 'meshctl sch'
      complete -C 'meshctl --context '
      complete -C 'meshctl validate -f '
      """
    let result = try Binary.run(
      ["--no-config", "-c", program], executable: try #require(onPath("fish")), environment: environment,
      directory: scratch.url.appendingPathComponent("work"))
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
    #expect(lines.sorted() == ["app.yaml", "dev", "prod", "schema", "sub/"], "\(result.stdout)")
  }
}

/// `kubectl mesh <TAB>`: the real kubectl runs `kubectl_complete-mesh` (a link to meshctl).
@Suite(.tags(.slow, .external), .enabled(if: Binary.kubectl != nil, "kubectl is not on PATH"))
struct KubectlPluginCompletionTests {
  @Test func kubectlMeshCompletesThroughKubectlCompleteMesh() throws {
    let (scratch, environment) = try completionWorld()
    func complete(_ words: [String]) throws -> [String] {
      let result = try Binary.run(
        ["__complete", "mesh"] + words, executable: Binary.kubectl!, environment: environment)
      #expect(result.status == 0, "\(result.stderr)")
      return result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
    }
    #expect(try complete(["val"]) == ["validate", ":4"])
    #expect(try complete(["schema", ""]) == ["TrafficSplit", "MTLSPolicy", "MeshConfig", ":4"])
    #expect(try complete(["--context", ""]) == ["dev", "prod", ":4"])
    #expect(try complete(["validate", "-f", ""]) == ["yaml", "yml", "json", ":8"])
    _ = scratch
  }
}
