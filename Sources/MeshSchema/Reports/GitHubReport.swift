import Manifest

/// `validate -o github`: GitHub Actions workflow commands, which the runner turns into
/// annotations on the pull request: `::error file=F,line=L,col=C,title=CODE::message`.
public enum GitHubReport {
  /// The workflow commands of a report (suppressed findings are only counted), a `::notice::`
  /// when some object was not fully checked, then the summary as a plain line.
  public static func render(_ report: ValidationReport) -> String {
    var text = ""
    for finding in report.reported {
      text += command(finding.diagnostic) + "\n"
    }
    if let notice = coverageNotice(report) { text += notice + "\n" }
    return text + report.summaryLine + "\n"
  }

  /// `::notice title=meshctl coverage::12 objects: 10 checked, 1 partially, …`; nil when every
  /// object was fully checked.
  static func coverageNotice(_ report: ValidationReport) -> String? {
    let phrase = report.coverage.phrase(objectCount: report.objectCount)
    guard !phrase.isEmpty else { return nil }
    let message = plural(report.objectCount, "object") + phrase
    return "::notice title=\(escapeProperty("meshctl coverage"))::\(escapeData(message))"
  }

  /// One workflow command.
  public static func command(_ diagnostic: Diagnostic) -> String {
    var properties = ["file=" + escapeProperty(diagnostic.file)]
    if diagnostic.mark.isKnown {
      properties.append("line=\(diagnostic.mark.line)")
      properties.append("col=\(diagnostic.mark.column)")
    }
    properties.append("title=" + escapeProperty(diagnostic.code))
    var message = diagnostic.message
    if let hint = diagnostic.hint { message += "\nhint: " + hint }
    return "::\(name(diagnostic.severity)) \(properties.joined(separator: ","))::\(escapeData(message))"
  }

  static func name(_ severity: Diagnostic.Severity) -> String {
    switch severity {
    case .error: return "error"
    case .warning: return "warning"
    case .info: return "notice"
    }
  }

  /// Escapes a command's message as the runner expects (actions/toolkit `escapeData`).
  public static func escapeData(_ text: String) -> String {
    escape(text, Array("%\r\n".utf8))
  }

  /// Escapes a property value (actions/toolkit `escapeProperty`): also `:` and `,`.
  public static func escapeProperty(_ text: String) -> String {
    escape(text, Array("%\r\n:,".utf8))
  }

  /// Replaces each of `escaped` (ASCII bytes) by `%` and its two hex digits. Bytes, not
  /// characters: `\r\n` is one Swift `Character` but two escapes, and an ASCII byte is never part
  /// of another character's UTF-8 (a report escapes every finding's message: one pass over bytes).
  private static func escape(_ text: String, _ escaped: [UInt8]) -> String {
    guard text.utf8.contains(where: escaped.contains) else { return text }
    let hex = Array("0123456789ABCDEF".utf8)
    var result: [UInt8] = []
    result.reserveCapacity(text.utf8.count + 8)
    for byte in text.utf8 {
      if escaped.contains(byte) {
        result += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      } else {
        result.append(byte)
      }
    }
    return String(decoding: result, as: UTF8.self)
  }
}
