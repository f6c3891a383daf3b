import ArgumentParser
import KubeClient
import MeshOps
import MeshSchema

extension Meshctl {
  /// `meshctl help [TOPIC | COMMAND...]`: help topics (`exit-codes`, `environment`, `rules`) and
  /// command help.
  /// It takes the place of ArgumentParser's built-in `help`, which knows only commands.
  public struct Help: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "help",
        abstract: "Show help for a command, or a topic: exit-codes, environment, rules.",
        discussion: """
          Examples:
            \(Meshctl.displayName) help exit-codes
            \(Meshctl.displayName) help environment
            \(Meshctl.displayName) help validate
          """,
        helpNames: [.long])
    }

    /// Topics that are not commands.
    public enum Topic: String, CaseIterable, Sendable {
      case exitCodes = "exit-codes"
      case environment
      case rules
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup(title: ClusterOptions.title, visibility: .hidden) public var cluster: ClusterOptions

    /// A topic, or a command path.
    @Argument(
      help: ArgumentHelp("A topic (exit-codes, environment, rules) or a command name.", valueName: "topic"),
      completion: .list(Help.completions()))
    public var topic: [String] = []

    /// Creates the command with defaults.
    public init() {}

    /// What `help` completes to: the topics, then the commands.
    static func completions() -> [String] {
      var names = Topic.allCases.map { $0.rawValue }
      for command in Meshctl.configuration.subcommands {
        if let name = command.configuration.commandName, name != "help" { names.append(name) }
      }
      return names
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      if topic.count == 1, let known = Topic(rawValue: topic[0]) {
        context.stdout.write(Self.text(of: known))
        return .success
      }
      throw CleanExit.helpRequest(try Self.command(at: topic))
    }

    /// The text of a topic.
    public static func text(of topic: Topic, rules: [Rule] = RuleCatalog.rules) -> String {
      switch topic {
      case .exitCodes: return ExitStatus.table
      case .environment: return EnvironmentHelp.table
      case .rules: return RuleCatalog.table(rules)
      }
    }

    /// The command a path of names leads to; the root for an empty path.
    static func command(at path: [String]) throws -> ParsableCommand.Type {
      var current: ParsableCommand.Type = Meshctl.self
      for name in path {
        guard
          let next = current.configuration.subcommands.first(where: {
            $0.configuration.commandName == name || "\($0)".lowercased() == name
          })
        else {
          let topics = Topic.allCases.map(\.rawValue).joined(separator: ", ")
          throw ValidationError("unknown help topic or command \"\(name)\"; topics: \(topics)")
        }
        current = next
      }
      return current
    }
  }
}

extension Meshctl {
  /// The subcommand names that lead from the root to `command` (empty for the root).
  static func path(to command: any ParsableCommand.Type) -> [String] {
    func search(_ current: any ParsableCommand.Type, _ names: [String]) -> [String]? {
      if current == command { return names }
      for next in current.configuration.subcommands {
        if let found = search(next, names + [next.configuration.commandName ?? "\(next)".lowercased()]) {
          return found
        }
      }
      return nil
    }
    return search(Meshctl.self, []) ?? []
  }
}

/// A word where a subcommand belongs that names none (`meshctl valdate -f x`): kubectl's
/// "unknown command", with the nearest name, instead of argument-parser's complaint about
/// whatever follows the word.
struct UnknownCommand: Error, CustomStringConvertible {
  /// The word given.
  let word: String
  /// The command whose subcommands were expected.
  let parent: any ParsableCommand.Type
  /// The names of the subcommands `parent` has.
  let names: [String]

  /// The unknown command in `arguments`; nil when every command word names one (the error is
  /// elsewhere). Option values are skipped by the options' arity, read from the command tree.
  init?(arguments: [String]) {
    var command = CommandTree.root
    var parent: any ParsableCommand.Type = Meshctl.self
    var skipValue = false
    for word in arguments {
      if skipValue {
        skipValue = false
        continue
      }
      if word == "--" { return nil }
      if word.hasPrefix("-") {
        let spelled = String(word.prefix { $0 != "=" })
        skipValue = command.option(spelled: spelled)?.kind == "option" && !word.contains("=")
        continue
      }
      // A command with a default subcommand takes other words as its arguments.
      guard !command.visibleSubcommands.isEmpty, command.defaultSubcommand == nil else { return nil }
      guard let next = command.subcommand(named: word) else {
        self.word = word
        self.parent = parent
        self.names = command.visibleSubcommands.map(\.commandName)
        return
      }
      command = next
      guard let type = parent.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else {
        return nil
      }
      parent = type
    }
    return nil
  }

  /// The subcommand nearest to the word: one that starts with it, else within a third of its
  /// letters by edit distance.
  var suggestion: String? {
    if let prefixed = names.first(where: { $0.hasPrefix(word) && word.count >= 2 }) { return prefixed }
    let scored = names.map { ($0, Self.distance($0, word)) }.filter { $0.1 <= max(2, word.count / 3) }
    return scored.min { $0.1 < $1.1 }?.0
  }

  var description: String {
    let owner = ([Meshctl.displayName] + Meshctl.path(to: parent)).joined(separator: " ")
    return "unknown command \"\(word)\" for \"\(owner)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "")
  }

  /// Levenshtein distance (insertions, deletions and substitutions each cost 1).
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in stride(from: 1, through: b.count, by: 1) {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
  }
}

/// Puts a help screen in the order a reader needs it: the command's own arguments and options
/// first, kubectl's global flags after them. argument-parser lists titled groups before the
/// untitled options; a command that never talks to a cluster hides the group and gets a
/// one-line pointer instead.
enum HelpLayout {
  /// The heading argument-parser gives the global flags.
  static let globalHeading = ClusterOptions.title.uppercased() + ":"

  /// The pointer for commands that accept the global flags but do not use them.
  static let pointer =
    "Takes kubectl's global flags (--kubeconfig, --context, -n, ...) but never talks to a cluster; \(Meshctl.displayName) --help lists them."

  /// `text` rearranged; anything that is not a help screen is returned as it is.
  static func arrange(_ text: String) -> String {
    guard text.hasPrefix("OVERVIEW:") || text.hasPrefix("USAGE:") else { return text }
    let body = String(text.reversed().drop { $0 == "\n" }.reversed())
    let ending = String(repeating: "\n", count: text.count - body.count)
    var blocks = body.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map(trimmingNewlines)
    guard let global = blocks.firstIndex(where: { $0.hasPrefix(globalHeading) }) else {
      // Commands with subcommands list no flags of their own; others hide the global ones.
      if blocks.contains(where: { $0.hasPrefix("SUBCOMMANDS:") }) { return text }
      return body + "\n\n" + pointer + ending
    }
    let moved = blocks.remove(at: global)
    // After the options, before the subcommands and argument-parser's closing line.
    let target =
      blocks.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") || $0.hasPrefix("  See '") }) ?? blocks.endIndex
    blocks.insert(moved, at: target)
    return blocks.joined(separator: "\n\n") + ending
  }

  private static func trimmingNewlines(_ block: String) -> String {
    String(block.drop { $0 == "\n" }.reversed().drop { $0 == "\n" }.reversed())
  }
}
