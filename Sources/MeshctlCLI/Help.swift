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
  /// The word, the subcommands expected and the nearest of them.
  let found: UnknownSubcommand
  /// The command whose subcommands were expected.
  let parent: any ParsableCommand.Type

  /// The unknown command in `arguments`; nil when every command word names one (the error is
  /// elsewhere).
  init?(arguments: [String]) {
    guard let found = UnknownSubcommand(arguments: arguments, root: CommandTree.root) else { return nil }
    var parent: any ParsableCommand.Type = Meshctl.self
    for name in found.path {
      guard let next = parent.configuration.subcommands.first(where: { $0.configuration.commandName == name }) else {
        return nil
      }
      parent = next
    }
    self.found = found
    self.parent = parent
  }

  /// The subcommand nearest to the word.
  var suggestion: String? { found.suggestion }

  var description: String {
    let owner = ([Meshctl.displayName] + Meshctl.path(to: parent)).joined(separator: " ")
    return "unknown command \"\(found.word)\" for \"\(owner)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "")
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
    HelpScreen.arrange(text, globalHeading: globalHeading, pointer: pointer)
  }
}
