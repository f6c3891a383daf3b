// libFuzzer target: arbitrary bytes → kubeconfig → resolved connection, with no overrides.
//
// Besides "never crash, never hang", it checks for every input:
//  1. parsing is deterministic: the same text parses to the same configuration or error;
//  2. every error has a non-empty, single-word-or-more message that names what it is about;
//  3. a resolved connection has a server with a scheme and a non-empty namespace, and its
//     descriptions (plain, debug, dump) can be produced;
//  4. the same bytes read as an exec plugin's standard output never crash the decoder, and a
//     decoded credential has a token or a certificate/key pair.
// (API `Status` bodies have their own target, FuzzAPIStatus.)
// A broken invariant is a crash (fatalError), so libFuzzer saves the input.
//
// Referenced files (certificate-authority, tokenFile, ...) are real paths: the resolver reads
// them with a size bound, so /dev/zero and friends are refused rather than hanging.

import Foundation
import KubeClient

/// An environment that finds nothing: no variables, no home, no service account.
let fuzzEnvironment = KubeconfigEnvironment(
  variables: [:], homeDirectory: nil, currentDirectory: "/nonexistent-fuzz",
  serviceAccountDirectory: "/nonexistent-fuzz/serviceaccount", standardInputIsTerminal: false)

let fuzzPath = "/nonexistent-fuzz/kubeconfig"

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzKubeconfig invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

/// Checks an error's message.
func checkError(_ error: KubeconfigError, _ bytes: [UInt8]) {
  let message = error.description
  if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fail("empty error message for \(error)", bytes) }
}

/// Parses, returning the configuration or the error.
func parse(_ text: String) -> Result<Kubeconfig, KubeconfigError> {
  do throws(KubeconfigError) {
    return .success(try KubeconfigParser(path: fuzzPath).parse(text))
  } catch {
    return .failure(error)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let text = String(decoding: bytes, as: UTF8.self)

  let first = parse(text)
  let second = parse(text)
  if first != second { fail("parsing twice differs: \(first) vs \(second)", bytes) }

  switch first {
  case .failure(let error):
    checkError(error, bytes)
  case .success(let config):
    do throws(KubeconfigError) {
      let connection = try ConnectionResolver(environment: fuzzEnvironment).resolve(config, overrides: KubeconfigOverrides())
      if !connection.server.contains("://") { fail("server without a scheme: \(connection.server)", bytes) }
      if connection.namespace.isEmpty { fail("empty namespace", bytes) }
      var dumped = ""
      dump(connection, to: &dumped)
      _ = String(reflecting: connection)
      _ = connection.description
    } catch {
      checkError(error, bytes)
    }
  }

  // The same bytes as a plugin's answer.
  let plugin = ExecCredentialPlugin(
    config: ExecPluginConfig(command: "fuzz-plugin", apiVersion: ExecCredentialProtocol.v1), userName: "fuzz",
    runner: NoProcessRunner(), environment: fuzzEnvironment)
  do throws(KubeconfigError) {
    let credential = try plugin.decode(bytes)
    if credential.token == nil && (credential.clientCertificate == nil || credential.clientKey == nil) {
      fail("a credential with neither a token nor a certificate and key", bytes)
    }
  } catch {
    checkError(error, bytes)
  }
  return 0
}

/// The decoder never runs a process; this runner only satisfies the type.
struct NoProcessRunner: ProcessRunner {
  func run(command: String, arguments: [String], environment: [String: String], interactive: Bool) throws(ProcessRunnerError) -> ProcessOutput {
    throw .notFound
  }
}
