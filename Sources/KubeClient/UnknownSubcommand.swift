import Manifest

/// A word where a subcommand belongs that names none (`meshctl valdate -f x`), found by walking
/// the command tree, with the nearest subcommand name: kubectl's "unknown command".
public struct UnknownSubcommand: Sendable, Equatable {
  /// The word given.
  public let word: String
  /// The names of the subcommands that lead from the root to the command expecting one.
  public let path: [String]
  /// The names of the subcommands that command has.
  public let names: [String]

  /// The unknown command in `arguments` under `root`; nil when every command word names one
  /// (the error is elsewhere). Option values are skipped by the options' arity, read from the tree.
  public init?(arguments: [String], root: CommandTree.Command) {
    var command = root
    var path: [String] = []
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
        (self.word, self.path, self.names) = (word, path, command.visibleSubcommands.map(\.commandName))
        return
      }
      command = next
      path.append(word)
    }
    return nil
  }

  /// The subcommand nearest to the word: one that starts with it, else within a third of its
  /// letters by edit distance.
  public var suggestion: String? {
    if let prefixed = names.first(where: { $0.hasPrefix(word) && word.count >= 2 }) { return prefixed }
    let scored = names.map { ($0, EditDistance.between($0, word)) }.filter { $0.1 <= max(2, word.count / 3) }
    return scored.min { $0.1 < $1.1 }?.0
  }
}

