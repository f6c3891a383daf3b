import Manifest

/// The human format of `validate`: compiler-style findings with the source line and a caret,
/// then a summary line; colour only when asked for. Suppressed findings are not shown, only
/// counted in the summary (`3 suppressed`).
public struct TextReport: Sendable {
  /// Whether to write ANSI colour (the caller decides: a terminal and no `NO_COLOR`).
  public var color: Bool

  /// Creates a formatter.
  public init(color: Bool) {
    self.color = color
  }

  /// The whole report.
  public func render(_ report: ValidationReport) -> String {
    var text = ""
    for finding in report.reported {
      text += render(finding.diagnostic)
    }
    text += report.summaryLine + "\n"
    return text
  }

  /// One finding: `file:line:col: severity: message [CODE]`, the source line, the caret, the hint.
  public func render(_ diagnostic: Diagnostic) -> String {
    let mark = diagnostic.mark
    let location =
      mark.isKnown ? "\(diagnostic.file):\(mark.line):\(mark.column):" : "\(diagnostic.file):"
    var text = style(location, Style.bold) + " "
    text += style(diagnostic.severity.rawValue + ":", severityStyle(diagnostic.severity)) + " "
    text += style(Self.printable(diagnostic.message), Style.bold) + " [\(diagnostic.code)]\n"
    // An empty line (an error at the end of the input) would show nothing but the caret.
    if mark.isKnown, let sourceLine = diagnostic.sourceLine, !sourceLine.isEmpty {
      let excerpt = SourceExcerpt(sourceLine: sourceLine, column: mark.column)
      text += excerpt.line + "\n"
      text += style(excerpt.caret, Style.caret) + "\n"
    }
    if let hint = diagnostic.hint {
      text += "  " + style("hint:", Style.hint) + " " + Self.printable(hint) + "\n"
    }
    return text
  }

  /// `file:line:col: severity: message [CODE]`: a finding on one line, without source, caret
  /// or hint (how a `--config` file's errors are reported).
  public static func line(_ diagnostic: Diagnostic) -> String {
    let mark = diagnostic.mark
    let place = mark.isKnown ? "\(diagnostic.file):\(mark.line):\(mark.column)" : diagnostic.file
    return "\(place): \(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.code)]"
  }

  /// ANSI select-graphic-rendition codes.
  enum Style {
    static let bold = "1"
    static let red = "1;31"
    static let yellow = "1;33"
    static let cyan = "1;36"
    static let caret = "1;32"
    static let hint = "36"
  }

  private func severityStyle(_ severity: Diagnostic.Severity) -> String {
    switch severity {
    case .error: return Style.red
    case .warning: return Style.yellow
    case .info: return Style.cyan
    }
  }

  private func style(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// Text from the input with control characters (escape sequences, line breaks) made visible,
  /// so a hostile manifest cannot drive the terminal.
  static func printable(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: SourceExcerpt.isControl) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default:
        if SourceExcerpt.isControl(scalar) { result += "\u{FFFD}" } else { result.unicodeScalars.append(scalar) }
      }
    }
    return result
  }
}
