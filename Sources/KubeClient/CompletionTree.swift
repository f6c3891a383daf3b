import FoundationEssentials

/// The command tree as argument-parser describes it (`--experimental-dump-help`), read for
/// completion: the one source of subcommands, flags and their completion kinds.
public struct CommandTree: Decodable, Sendable {
  /// One spelling of an option: `short` or `long`, and the name.
  public struct Name: Decodable, Sendable {
    /// `short` or `long`.
    public var kind: String
    /// The name without dashes.
    public var name: String
    /// `-n` or `--namespace`.
    public var spelled: String { kind == "short" ? "-" + name : "--" + name }
  }

  /// A positional argument, option or flag.
  public struct Argument: Decodable, Sendable {
    /// `positional`, `option` or `flag`.
    public var kind: String
    /// Its spellings (none for a positional).
    public var names: [Name]?
    /// Its one-line help.
    public var abstract: String?
    /// False when hidden from help.
    public var shouldDisplay: Bool?
    /// Whether it takes any number of values.
    public var isRepeating: Bool?
    /// `{"list": {"values": [...]}}`, `{"file": {"extensions": [...]}}`, `{"custom": {}}`, ...
    public var completionKind: [String: Payload]?

    /// What a completion kind lists.
    public struct Payload: Decodable, Sendable {
      /// The fixed values of a `list`.
      public var values: [String]?
      /// The file extensions of a `file`.
      public var extensions: [String]?
    }

    /// Every spelling (`-n`, `--namespace`).
    public var spellings: [String] { (names ?? []).map(\.spelled) }
  }

  /// A command: its name, arguments and subcommands.
  public struct Command: Decodable, Sendable {
    /// The name typed on the command line.
    public var commandName: String
    /// Its one-line help.
    public var abstract: String?
    /// False when hidden from help.
    public var shouldDisplay: Bool?
    /// The subcommand run when none is named.
    public var defaultSubcommand: String?
    /// Its arguments, options and flags.
    public var arguments: [Argument]?
    /// Its subcommands.
    public var subcommands: [Command]?

    /// The visible subcommands, each name once (argument-parser adds its own `help` beside
    /// meshctl's).
    public var visibleSubcommands: [Command] {
      var seen = Set<String>()
      return (subcommands ?? []).filter { ($0.shouldDisplay ?? true) && seen.insert($0.commandName).inserted }
    }

    /// The visible subcommand called `name`.
    public func subcommand(named name: String) -> Command? {
      visibleSubcommands.first { $0.commandName == name }
    }

    /// The option or flag spelled `word` (`-n`, `--namespace`).
    public func option(spelled word: String) -> Argument? {
      (arguments ?? []).first { $0.kind != "positional" && $0.spellings.contains(word) }
    }

    /// The positional arguments, in order.
    public var positionals: [Argument] { (arguments ?? []).filter { $0.kind == "positional" } }

    /// A command with no arguments or subcommands.
    public init(commandName: String) { self.commandName = commandName }
  }

  /// The root command.
  public var command: Command

  /// The tree in `json` (argument-parser's `--experimental-dump-help`); a bare command named
  /// `fallback` when the text is not that.
  public static func parse(dump json: String, fallback: String) -> Command {
    (try? JSONDecoder().decode(CommandTree.self, from: Data(json.utf8)).command)
      ?? Command(commandName: fallback)
  }
}

extension CommandTree {
  /// The values of a custom-completed argument: given the subcommand path, the argument's
  /// spelling (`--context`, `positional@0`), the words and the prefix being completed.
  public typealias CustomValues = (
    _ path: [String], _ spelled: String, _ words: [String], _ prefix: String
  ) -> [String]
}

extension CommandTree.Command {
  /// The candidates for the last of `words`, and what the shell may add; `custom` lists the
  /// values of an argument whose completion the program computes.
  public func complete(_ words: [String], custom: CommandTree.CustomValues) -> (
    candidates: [String], directive: CompletionProtocol.Directive
  ) {
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
      return values(
        of: pending, spelled: pendingSpelling, path: path, words: words, prefix: current, shown: "", custom: custom)
    }
    if current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
      let spelled = String(current[..<equals])
      let value = String(current[current.index(after: equals)...])
      guard let option = command.option(spelled: spelled), option.kind == "option" else { return ([], .noFiles) }
      return values(
        of: option, spelled: spelled, path: path, words: words, prefix: value, shown: spelled + "=", custom: custom)
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
        shown: "", custom: custom)
      if directive != .noFiles, candidates.isEmpty { return (values, directive) }
      candidates += values
    }
    return (candidates.filter { $0.hasPrefix(current) }, .noFiles)
  }

  /// The values `argument` completes to, each shown after `shown` (`--context=`).
  func values(
    of argument: CommandTree.Argument, spelled: String, path: [String], words: [String], prefix: String, shown: String,
    custom: CommandTree.CustomValues
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
      let values = custom(path, spelled, words, prefix).filter { $0.hasPrefix(prefix) }
      return (values.map { shown + $0 }, .noFiles)
    default:
      return ([], .files)
    }
  }
}

extension CommandTree.Command {
  /// The words among `words` that are this command's options, each with its value (`--context
  /// kind`, `-n=shop`): the rest (other commands' flags, positionals) dropped.
  public func optionWords(in words: some Collection<String>) -> [String] {
    var kept: [String] = []
    var pendingValue = false
    for word in words {
      if pendingValue {
        kept.append(word)
        pendingValue = false
        continue
      }
      guard let option = option(spelled: String(word.prefix { $0 != "=" })) else { continue }
      kept.append(word)
      pendingValue = option.kind == "option" && !word.contains("=")
    }
    return kept
  }
}
