import ArgumentParser
import FoundationEssentials
import KubeClient
import Manifest
import MeshOps
import Policy

extension Meshctl {
  /// `meshctl completion bash|zsh|fish`: prints the shell completion script, as kubectl does.
  public struct Completion: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script: bash, zsh or fish.",
        discussion: """
          The script asks meshctl itself for candidates (`meshctl __complete WORDS...`, the \
          protocol kubectl's plugin completion uses), so subcommands, flags, kubeconfig \
          contexts, namespaces and TrafficSplits complete from one source. Namespaces and \
          TrafficSplits come from the cluster, bounded by --request-timeout (2s when not \
          given); a cluster that does not answer completes nothing.

          Examples:
            source <(\(Meshctl.displayName) completion bash)
            \(Meshctl.displayName) completion zsh > "${fpath[1]}/_meshctl"
            \(Meshctl.displayName) completion fish > ~/.config/fish/completions/meshctl.fish
          """)
    }

    /// The shells there is a script for.
    public typealias Shell = CompletionScripts.Shell

    /// kubectl's global flags (accepted everywhere, as kubectl does; unused here).
    @OptionGroup(title: ClusterOptions.title, visibility: .hidden) public var cluster: ClusterOptions

    /// The shell to print the script for.
    @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"))
    public var shell: Shell

    /// Creates the command with defaults.
    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      context.stdout.write(CompletionScripts.script(for: shell))
      return .success
    }
  }
}

extension CompletionScripts.Shell: ArgumentChoice {}

extension CompletionProtocol {
  /// The answer to `__complete words...`: candidates, then the directive line.
  public static func respond(to words: [String]) -> String {
    let (candidates, directive) = CommandTree.root.complete(words.isEmpty ? [""] : words, custom: customValues)
    return encode(candidates, directive)
  }

  /// What argument-parser's own completion (`---completion`) answers for a custom argument.
  static func customValues(path: [String], spelled: String, words: [String], prefix: String) -> [String] {
    let line = ["meshctl"] + words
    let request = ["---completion"] + path + ["--", spelled, String(line.count - 1), String(prefix.count)] + line
    do {
      _ = try Meshctl.parseAsRoot(request)
      return []
    } catch {
      return Meshctl.message(for: error).split(separator: "\n").map(String.init)
    }
  }
}

extension CommandTree {
  /// meshctl's tree, read once per process.
  static let root = CommandTree.parse(dump: Meshctl._dumpHelp(), fallback: "meshctl")
}

/// Values completed from the kubeconfig and the cluster. Each reads the kubeconfig flags
/// already on the command line; a cluster that fails or does not answer within
/// --request-timeout (2s when not given) completes nothing.
enum DynamicCompletion {
  /// The kubeconfig's contexts.
  @Sendable static func contexts(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    kubeconfig(words).map { $0.contexts.keys.sorted() } ?? []
  }

  /// The kubeconfig's clusters.
  @Sendable static func clusters(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    kubeconfig(words).map { $0.clusters.keys.sorted() } ?? []
  }

  /// The kubeconfig's users.
  @Sendable static func users(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    kubeconfig(words).map { $0.users.keys.sorted() } ?? []
  }

  /// The cluster's namespaces.
  @Sendable static func namespaces(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    fromCluster(words) { try await CompletionValues.namespaces(api: $0) }
  }

  /// The Services that have a TrafficSplit in the namespace.
  @Sendable static func trafficSplitServices(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    fromCluster(words) { try await CompletionValues.trafficSplitServices(api: $0) }
  }

  /// The backends of the TrafficSplit of the Service on the command line.
  @Sendable static func backends(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    let services = Set(words)
    return fromCluster(words) { try await CompletionValues.backends(of: services, api: $0) }
  }

  /// kubectl's global flags among `words` (the first is the program), parsed as meshctl would.
  static func clusterOptions(_ words: [String]) -> ClusterOptions {
    (try? ClusterOptions.parse(CommandTree.root.optionWords(in: words.dropFirst()))) ?? ClusterOptions()
  }

  /// The merged kubeconfig the flags on the line name; nil when it cannot be read.
  static func kubeconfig(_ words: [String]) -> Kubeconfig? {
    let options = clusterOptions(words)
    return try? KubeconfigLoader(environment: CommandContext.live().kubeconfigEnvironment)
      .load(explicitPath: options.kubeconfig)
  }

  /// What `read` finds in the cluster the flags name, sorted and unique; nothing on any failure
  /// or when it takes longer than --request-timeout (2s when not given), retries included.
  static func fromCluster(_ words: [String], read: @escaping @Sendable (KubeAPI) async throws -> [String]) -> [String] {
    var options = clusterOptions(words)
    if options.requestTimeout == "0" { options.requestTimeout = "2s" }
    let bound = ((try? RequestTimeout.parse(options.requestTimeout)) ?? nil) ?? .seconds(2)
    var context = CommandContext.live()
    context.stderr = CapturedText()
    guard let session = try? ClusterSession(options: options, context: context) else { return [] }
    let api = session.api
    let values = awaitCompletion(within: bound) { try await read(api) } ?? []
    return Array(Set(values)).sorted()
  }
}
