import ArgumentParser
import Dispatch
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
    public enum Shell: String, ArgumentChoice, Sendable {
      case bash, zsh, fish
    }

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

/// The completion scripts: each hands the words before the cursor to `meshctl __complete` and
/// turns its answer (cobra's protocol: one candidate per line, then `:DIRECTIVE`) into the
/// shell's candidates.
public enum CompletionScripts {
  /// The script for `shell`.
  public static func script(for shell: Meshctl.Completion.Shell) -> String {
    switch shell {
    case .bash: return bash
    case .zsh: return zsh
    case .fish: return fish
    }
  }

  static let bash = #"""
    # bash completion for meshctl: source <(meshctl completion bash)
    # Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
    # (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
    _meshctl() {
        # bash splits `--flag=value` at "=" (COMP_WORDBREAKS): join the pieces again for meshctl,
        # and complete only the part after "=" (readline's word, $2).
        local cur="${2-${COMP_WORDS[COMP_CWORD]}}" out directive line word joining=0
        local -a words=()
        for word in "${COMP_WORDS[@]:1:COMP_CWORD}"; do
            if [[ "$word" == "=" && "${words[-1]-}" == --* ]]; then
                words[-1]+="="
                joining=1
            elif (( joining )); then
                words[-1]+="$word"
                joining=0
            else
                words+=("$word")
            fi
        done
        out=$("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null) || return 0
        directive="${out##*:}"
        out="${out%:*}"
        COMPREPLY=()
        local IFS=$'\n'
        if (( directive & 8 )); then
            local pattern=""
            for line in $out; do pattern+="${pattern:+|}*.${line}"; done
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!@(${pattern})" -- "$cur"))
            return 0
        fi
        if (( directive & 16 )); then
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur"))
            return 0
        fi
        for line in $out; do
            line="${line%%$'\t'*}"
            [[ -n "$line" ]] || continue
            [[ "$line" == --*=* && "$cur" != --* ]] && line="${line#*=}"
            COMPREPLY+=("$line")
        done
        if (( directive & 4 )); then
            compopt +o default 2>/dev/null
        fi
        return 0
    }
    shopt -s extglob
    complete -o default -F _meshctl meshctl

    """#

  static let zsh = #"""
    #compdef meshctl
    # zsh completion for meshctl: meshctl completion zsh > "${fpath[1]}/_meshctl"
    # Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
    # (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
    _meshctl() {
        local out directive
        local -a lines values
        out=$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
        lines=("${(@f)out}")
        directive=${lines[-1]#:}
        lines=("${(@)lines[1,-2]}")
        if (( directive & 8 )); then
            _files -g "*.(${(j:|:)lines})"
            return
        fi
        if (( directive & 16 )); then
            _files -/
            return
        fi
        values=("${(@)lines%%$'\t'*}")
        values=("${(@)values:#}")
        if (( ${#values} )); then
            compadd -- "${(@)values}"
        elif (( ! (directive & 4) )); then
            _files
        fi
    }
    if [[ "${funcstack[1]}" == "_meshctl" ]]; then
        _meshctl "$@"
    else
        compdef _meshctl meshctl
    fi

    """#

  static let fish = #"""
    # fish completion for meshctl: meshctl completion fish > ~/.config/fish/completions/meshctl.fish
    # Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
    # (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
    function __meshctl_complete
        set -l words (commandline -opc)
        set -l current (commandline -ct)
        set -l out ($words[1] __complete $words[2..-1] "$current" 2>/dev/null)
        or return
        set -l directive (string replace -r '^:' '' -- $out[-1])
        set -e out[-1]
        if test (math "bitand($directive, 8)") -ne 0
            for path in (__fish_complete_path "$current")
                set -l name (string split -m 1 \t -- $path)[1]
                if string match -q -- '*/' $name
                    echo $name
                    continue
                end
                for extension in $out
                    string match -q -- "*.$extension" $name; and echo $name
                end
            end
            return
        end
        if test (math "bitand($directive, 16)") -ne 0
            __fish_complete_directories "$current"
            return
        end
        if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
            __fish_complete_path "$current"
            return
        end
        printf '%s\n' $out
    end
    complete -c meshctl -f -a '(__meshctl_complete)'

    """#
}

/// cobra's completion protocol, which the scripts (`meshctl __complete WORDS...`) and kubectl's
/// plugin completion (`kubectl_complete-mesh WORDS...`, kubectl 1.26 and later) both speak: the
/// words so far, the last one the word being completed (empty after a space); the answer is one
/// candidate per line (`value<TAB>description`), then `:DIRECTIVE`.
public enum CompletionProtocol {
  /// The first argument that asks for completions.
  public static let request = "__complete"

  /// cobra's `ShellCompDirective` bits meshctl uses.
  public enum Directive: Int, Sendable {
    /// Let the shell complete file names.
    case files = 0
    /// Offer only the candidates: no file names.
    case noFiles = 4
    /// File names with the extensions listed as candidates.
    case fileExtensions = 8
    /// Directory names only.
    case directories = 16
  }

  /// The executable name kubectl runs for `kubectl mesh <TAB>`: kubectl (1.26 and later) runs
  /// `kubectl_complete-mesh WORDS...` from PATH, without `__complete`, and reads cobra's answer.
  public static let kubectlPluginExecutable = "kubectl_complete-mesh"

  /// The arguments to run: a completion request when the program was started as
  /// `kubectl_complete-*` (a link to meshctl), else `arguments` as they are.
  public static func arguments(executable: String, _ arguments: [String]) -> [String] {
    let base = executable.split(separator: "/").last.map(String.init) ?? executable
    guard base.hasPrefix("kubectl_complete-"), arguments.first != request else { return arguments }
    return [request] + arguments
  }

  /// The answer to `__complete words...`: candidates, then the directive line.
  public static func respond(to words: [String]) -> String {
    let (candidates, directive) = CommandTree.root.complete(words.isEmpty ? [""] : words)
    return candidates.map { $0 + "\n" }.joined() + ":\(directive.rawValue)\n"
  }
}

/// The command tree as argument-parser describes it (`--experimental-dump-help`), read for
/// completion: the one source of subcommands, flags and their completion kinds.
struct CommandTree: Decodable {
  struct Name: Decodable {
    var kind: String
    var name: String
    /// `-n` or `--namespace`.
    var spelled: String { kind == "short" ? "-" + name : "--" + name }
  }

  struct Argument: Decodable {
    /// `positional`, `option` or `flag`.
    var kind: String
    var names: [Name]?
    var abstract: String?
    var shouldDisplay: Bool?
    var isRepeating: Bool?
    /// `{"list": {"values": [...]}}`, `{"file": {"extensions": [...]}}`, `{"custom": {}}`, ...
    var completionKind: [String: Payload]?

    struct Payload: Decodable {
      var values: [String]?
      var extensions: [String]?
    }

    /// Every spelling (`-n`, `--namespace`).
    var spellings: [String] { (names ?? []).map(\.spelled) }
  }

  struct Command: Decodable {
    var commandName: String
    var abstract: String?
    var shouldDisplay: Bool?
    var defaultSubcommand: String?
    var arguments: [Argument]?
    var subcommands: [Command]?

    /// The visible subcommands, each name once (argument-parser adds its own `help` beside
    /// meshctl's).
    var visibleSubcommands: [Command] {
      var seen = Set<String>()
      return (subcommands ?? []).filter { ($0.shouldDisplay ?? true) && seen.insert($0.commandName).inserted }
    }

    func subcommand(named name: String) -> Command? {
      visibleSubcommands.first { $0.commandName == name }
    }

    func option(spelled word: String) -> Argument? {
      (arguments ?? []).first { $0.kind != "positional" && $0.spellings.contains(word) }
    }

    var positionals: [Argument] { (arguments ?? []).filter { $0.kind == "positional" } }
  }

  var command: Command

  /// meshctl's tree, read once per process.
  static let root: Command = {
    let json = Meshctl._dumpHelp()
    return (try? JSONDecoder().decode(CommandTree.self, from: Data(json.utf8)).command)
      ?? Command(commandName: "meshctl")
  }()
}

extension CommandTree.Command {
  /// The candidates for the last of `words`, and what the shell may add.
  func complete(_ words: [String]) -> (candidates: [String], directive: CompletionProtocol.Directive) {
    var command = self
    var path: [String] = []
    var positionalIndex = 0
    var pending: CommandTree.Argument?
    var pendingSpelling = ""
    for word in words.dropLast() {
      if pending != nil {
        pending = nil
        continue
      }
      if word.hasPrefix("-"), word.count > 1 {
        let spelled = String(word.prefix { $0 != "=" })
        // `shift --to v2 cart`: the flags of the default subcommand come before its arguments.
        if command.option(spelled: spelled) == nil, let name = command.defaultSubcommand,
          let next = command.subcommand(named: name)
        {
          command = next
          path.append(name)
        }
        if let option = command.option(spelled: spelled), option.kind == "option", !word.contains("=") {
          pending = option
          pendingSpelling = spelled
        }
        continue
      }
      if positionalIndex == 0, let next = command.subcommand(named: word) {
        command = next
        path.append(word)
        continue
      }
      if positionalIndex == 0, let name = command.defaultSubcommand, let next = command.subcommand(named: name) {
        command = next
        path.append(name)
      }
      positionalIndex += 1
    }
    let current = words.last ?? ""
    if current.hasPrefix("-"), let name = command.defaultSubcommand, let next = command.subcommand(named: name) {
      command = next
      path.append(name)
    }
    if let pending {
      return values(of: pending, spelled: pendingSpelling, path: path, words: words, prefix: current, shown: "")
    }
    if current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
      let spelled = String(current[..<equals])
      let value = String(current[current.index(after: equals)...])
      guard let option = command.option(spelled: spelled), option.kind == "option" else { return ([], .noFiles) }
      return values(of: option, spelled: spelled, path: path, words: words, prefix: value, shown: spelled + "=")
    }
    if current.hasPrefix("-") {
      let flags = (command.arguments ?? []).filter { $0.kind != "positional" && ($0.shouldDisplay ?? true) }
      let spellings = flags.flatMap { flag in
        flag.spellings.filter { current.count > 1 || $0.hasPrefix("--") || flag.spellings.count == 1 }
          .map { $0 + "\t" + (flag.abstract ?? "") }
      }
      return (spellings.filter { $0.hasPrefix(current) }, .noFiles)
    }
    var candidates: [String] = []
    var target = command
    var targetPath = path
    if positionalIndex == 0 {
      candidates = command.visibleSubcommands.map { $0.commandName + "\t" + ($0.abstract ?? "") }
      if let name = command.defaultSubcommand, let next = command.subcommand(named: name) {
        target = next
        targetPath = path + [name]
      }
    }
    let positionals = target.positionals
    // A repeating last positional (`help TOPIC...`) takes every further word.
    let index = positionals.last?.isRepeating == true ? min(positionalIndex, positionals.count - 1) : positionalIndex
    if index < positionals.count {
      let (values, directive) = target.values(
        of: positionals[index], spelled: "positional@\(index)", path: targetPath, words: words, prefix: current,
        shown: "")
      if directive != .noFiles, candidates.isEmpty { return (values, directive) }
      candidates += values
    }
    return (candidates.filter { $0.hasPrefix(current) }, .noFiles)
  }

  /// The values `argument` completes to, each shown after `shown` (`--context=`).
  func values(
    of argument: CommandTree.Argument, spelled: String, path: [String], words: [String], prefix: String, shown: String
  ) -> (candidates: [String], directive: CompletionProtocol.Directive) {
    guard let kind = argument.completionKind, let (name, payload) = kind.first else { return ([], .noFiles) }
    switch name {
    case "list":
      return ((payload.values ?? []).filter { $0.hasPrefix(prefix) }.map { shown + $0 }, .noFiles)
    case "file":
      let extensions = payload.extensions ?? []
      return extensions.isEmpty ? ([], .files) : (extensions, .fileExtensions)
    case "directory":
      return ([], .directories)
    case "custom", "customAsync", "customDeprecated":
      let line = ["meshctl"] + words
      let request =
        ["---completion"] + path + ["--", spelled, String(line.count - 1), String(prefix.count)] + line
      do {
        _ = try Meshctl.parseAsRoot(request)
        return ([], .noFiles)
      } catch {
        let text = Meshctl.message(for: error)
        let values = text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
        return (values.map { shown + $0 }, .noFiles)
      }
    default:
      return ([], .files)
    }
  }
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
    let namespaces = APIResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)
    return fromCluster(words) { api in
      try await api.list(namespaces, namespace: nil).compactMap { $0[path: "metadata", "name"]?.string }
    }
  }

  /// The Services that have a TrafficSplit in the namespace.
  @Sendable static func trafficSplitServices(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    fromCluster(words) { api in
      try await ManagedPolicies.list(.trafficsplits, api: api, namespace: api.defaultNamespace)
        .compactMap { $0.policy[path: "spec", "service"]?.string }
    }
  }

  /// The backends of the TrafficSplit of the Service on the command line (all of them when
  /// none is there yet).
  @Sendable static func backends(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    let services = Set(words)
    return fromCluster(words) { api in
      let splits = try await ManagedPolicies.list(.trafficsplits, api: api, namespace: api.defaultNamespace)
      let chosen = splits.filter { services.contains($0.policy[path: "spec", "service"]?.string ?? "") }
      return (chosen.isEmpty ? splits : chosen).flatMap { split in
        (split.policy[path: "spec", "backends"]?.sequence ?? []).compactMap {
          $0["name"]?.string ?? $0["service"]?.string
        }
      }
    }
  }

  /// kubectl's global flags among `words` (the first is the program), parsed as meshctl would.
  static func clusterOptions(_ words: [String]) -> ClusterOptions {
    var kept: [String] = []
    var index = words.startIndex + 1
    while index < words.endIndex {
      let word = words[index]
      let spelled = String(word.prefix { $0 != "=" })
      if let option = CommandTree.root.option(spelled: spelled) {
        kept.append(word)
        if option.kind == "option", !word.contains("="), index + 1 < words.endIndex {
          kept.append(words[index + 1])
          index += 1
        }
      }
      index += 1
    }
    return (try? ClusterOptions.parse(kept)) ?? ClusterOptions()
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
    let box = LateResult()
    let done = DispatchSemaphore(value: 0)
    Task {
      box.values = (try? await read(api)) ?? []
      done.signal()
    }
    let (seconds, attoseconds) = bound.components
    let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    // A late answer is dropped: the process ends right after printing the candidates.
    guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return [] }
    return Array(Set(box.values)).sorted()
  }
}

/// Carries the values from the task to the waiting thread; read only after the semaphore.
private final class LateResult: @unchecked Sendable {
  var values: [String] = []
}
