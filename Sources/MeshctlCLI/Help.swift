import ArgumentParser
import MeshSchema

extension Meshctl {
  /// `meshctl help [TOPIC | COMMAND...]`: help topics (`exit-codes`, `rules`) and command help.
  /// It takes the place of ArgumentParser's built-in `help`, which knows only commands.
  public struct Help: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "help",
        abstract: "Show help for a command, or a topic: exit-codes, rules.",
        discussion: """
          Examples:
            \(Meshctl.displayName) help exit-codes
            \(Meshctl.displayName) help rules
            \(Meshctl.displayName) help validate
          """,
        helpNames: [.long])
    }

    /// Topics that are not commands.
    public enum Topic: String, CaseIterable, Sendable {
      case exitCodes = "exit-codes"
      case rules
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup public var cluster: ClusterOptions

    /// A topic, or a command path.
    @Argument(
      help: ArgumentHelp("A topic (exit-codes, rules) or a command name.", valueName: "topic"),
      completion: .list(Topic.allCases.map(\.rawValue) + ["validate", "schema", "version"]))
    public var topic: [String] = []

    /// Creates the command with defaults.
    public init() {}

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
