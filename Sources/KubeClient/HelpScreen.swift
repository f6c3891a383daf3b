/// Puts a help screen in the order a reader needs it: the command's own arguments and options
/// first, kubectl's global flags after them. argument-parser lists titled groups before the
/// untitled options; a command that never talks to a cluster hides the group and gets a
/// one-line pointer instead.
public enum HelpScreen {
  /// `text` rearranged: the block headed `globalHeading` after the command's own options, or
  /// `pointer` in its place when the screen has no such block and no subcommands; anything
  /// that is not a help screen is returned as it is.
  public static func arrange(_ text: String, globalHeading: String, pointer: String) -> String {
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
