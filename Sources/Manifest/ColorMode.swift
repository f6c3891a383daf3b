/// `--color`: when text output is in colour.
public enum ColorMode: String, CaseIterable, Sendable {
  /// On a terminal, unless `NO_COLOR` is set (any value, see no-color.org) or `TERM` is `dumb`.
  case auto
  /// Always, even in a pipe and with `NO_COLOR` (the flag is the user's explicit choice).
  case always
  /// Never.
  case never

  /// Whether output to a stream that is (or is not) a `terminal` is coloured, given `environment`.
  public func allowsColor(terminal: Bool, environment: [String: String]) -> Bool {
    switch self {
    case .always: return true
    case .never: return false
    case .auto: return terminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }
  }
}
