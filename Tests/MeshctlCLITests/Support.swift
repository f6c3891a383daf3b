import Foundation
import KubeClient
import Manifest
import TestSupport
import Testing

@testable import MeshctlCLI

/// A fake context: captured output, in-memory standard input, files from a dictionary.
final class FakeWorld {
  let stdout = CapturedText()
  let stderr = CapturedText()
  var stdin: String = ""
  var files: [String: String] = [:]
  var environment: [String: String] = [:]
  var stdinIsTerminal = false
  var stdoutIsTerminal = false

  var context: CommandContext {
    let files = self.files
    return CommandContext(
      stdout: stdout, stderr: stderr, stdin: MemorySource(stdin), environment: environment,
      stdinIsTerminal: stdinIsTerminal, stdoutIsTerminal: stdoutIsTerminal,
      now: { Date(timeIntervalSince1970: 0) },
      writeFile: { path, _ in throw ManifestError.unreadable(path: path, reason: "read-only test world") },
      openFile: { path in
        guard let text = files[path] else { throw ManifestError.unreadable(path: path, reason: "no such file") }
        return MemorySource(text)
      },
      expandInput: { argument, _ in
        if argument == "-" { return [.standardInput] }
        guard files[argument] != nil else { throw ManifestError.notFound(path: argument) }
        return [.file(argument)]
      })
  }

  /// Parses and runs like the binary does; returns the exit code.
  @discardableResult
  func run(_ arguments: [String]) -> Int32 {
    Meshctl.run(arguments: arguments, context: context)
  }
}

/// Inputs whose findings come from the reader (the schema module is a stub here).
enum Inputs {
  /// A duplicate key at line 3, column 3: MC0002, an error, not YAML Kubernetes accepts.
  static let duplicateKey = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
  /// A valid object.
  static let valid = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n"
  /// A syntax error: MC0001.
  static let syntaxError = "a: 1\nb: [1, 2\nc: 3\n"
}

func jsonObject(_ text: String) throws -> [String: Any] {
  let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
  guard let object = value as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
  return object
}

struct TestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

extension FakeWorld {
  /// This world's context connected to `transport`: a kubeconfig in a new temporary directory
  /// (returned, for the caller to remove) names `https://cluster.test`, context namespace
  /// `team`, bearer `token`; every transport opened must carry that token.
  func clusterContext(transport: any HTTPTransport, token: String) throws -> (CommandContext, URL) {
    let (environment, directory) = try TestKubeconfig.write(token: token)
    var context = self.context
    context.kubeconfigEnvironment = environment
    context.makeTransport = { options, _ in
      #expect(options.bearerToken == token)
      return transport
    }
    return (context, directory)
  }
}
