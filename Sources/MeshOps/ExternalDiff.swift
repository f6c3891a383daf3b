import FoundationEssentials
import KubeClient

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `KUBECTL_EXTERNAL_DIFF`, as `kubectl diff` honours it: the value is a program and its
/// arguments (split at spaces; each argument only letters, digits, `-` and `=`, as kubectl
/// allows), run with two directories, `LIVE-*` and `MERGED-*`, holding one YAML file per object
/// (`apps.v1.Deployment.shop.web`). Its exit status is the comparison's: 0 no differences,
/// 1 differences, above 1 the program failed.
public enum ExternalDiff {
  /// Why the program could not compare.
  public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The variable's value is not a program with arguments kubectl would run.
    case invalidCommand(String)
    /// The program is not in PATH, or could not start.
    case cannotRun(String, String)
    /// The program ran and exited above 1.
    case failed(String, Int32)
    /// The directories could not be written.
    case cannotWrite(String)

    /// The message, naming the variable and the program.
    public var description: String {
      switch self {
      case .invalidCommand(let value):
        return
          "KUBECTL_EXTERNAL_DIFF=\"\(value)\": expected a program and arguments made of letters, digits, '-' and '='"
      case .cannotRun(let program, let reason): return "KUBECTL_EXTERNAL_DIFF: cannot run \(program): \(reason)"
      case .failed(let program, let status): return "KUBECTL_EXTERNAL_DIFF: \(program) failed with exit status \(status)"
      case .cannotWrite(let reason): return "KUBECTL_EXTERNAL_DIFF: cannot write the LIVE and MERGED directories: \(reason)"
      }
    }
  }

  /// The program and its arguments in `value`; nil when the variable is unset or blank.
  public static func command(_ value: String?) throws(Failure) -> [String]? {
    guard let value else { return nil }
    let words = value.split(separator: " ").map(String.init)
    guard let program = words.first else { return nil }
    let allowed = { (character: Character) in character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "=") }
    guard !program.isEmpty, words.dropFirst().allSatisfy({ $0.allSatisfy(allowed) }) else {
      throw .invalidCommand(value)
    }
    return words
  }

  /// Writes every comparison into fresh `LIVE-*` and `MERGED-*` directories, runs `command` on
  /// them with this process's standard streams and environment, removes them, and returns
  /// whether there were differences (exit 1) or not (exit 0).
  public static func run(_ comparisons: [LiveDiff.Comparison], command: [String], environment: [String: String])
    throws(Failure) -> Bool
  {
    let program = command[0]
    guard let executable = SystemProcessRunner.locate(program, path: environment["PATH"]) else {
      throw .cannotRun(program, "not found in PATH")
    }
    let live = try temporaryDirectory("LIVE-", environment: environment)
    defer { try? FileManager.default.removeItem(atPath: live) }
    let merged = try temporaryDirectory("MERGED-", environment: environment)
    defer { try? FileManager.default.removeItem(atPath: merged) }
    for comparison in comparisons {
      // An absent live object has no file, as with kubectl (diff -N shows it added).
      if !comparison.live.isEmpty { try write(comparison.live, to: live + "/" + comparison.name) }
      try write(comparison.merged, to: merged + "/" + comparison.name)
    }
    let output: ProcessOutput
    do {
      output = try ChildProcess.run(
        executable, arguments: Array(command.dropFirst()) + [live, merged], environment: environment,
        standardInput: .null, standardOutput: .inherit, standardError: .inherit)
    } catch {
      throw .cannotRun(program, "\(error)")
    }
    switch output.status {
    case 0: return false
    case 1: return true
    default: throw .failed(program, output.status)
    }
  }

  private static func temporaryDirectory(_ prefix: String, environment: [String: String]) throws(Failure) -> String {
    let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw .cannotWrite(String(cString: strerror(errno))) }
    return String(cString: made)
  }

  private static func write(_ text: String, to path: String) throws(Failure) {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
      throw .cannotWrite("cannot create \(path)")
    }
  }
}
