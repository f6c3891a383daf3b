import Foundation

/// Whether the tools the local HTTPS server needs exist; tests that need them are skipped
/// (visibly) otherwise.
enum TestTools {
  static let openssl = "/usr/bin/openssl"
  static let python: String? = {
    let candidates =
      ["/usr/bin/python3"]
      + (ProcessInfo.processInfo.environment["PATH"] ?? "")
      .split(separator: ":").map { "\($0)/python3" }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()
  static let available = python != nil && FileManager.default.isExecutableFile(atPath: openssl)

  /// A python3 that has the `h2` package (for the HTTP/2 test), if any.
  static let pythonWithH2: String? = {
    guard FileManager.default.isExecutableFile(atPath: openssl) else { return nil }
    // scripts/ensure-oracles.sh installs h2 beside kubernetes-validate and names that Python.
    let oracle = ProcessInfo.processInfo.environment["MESHCTL_ORACLE_PYTHON"].map { [$0] } ?? []
    let candidates =
      oracle + ["/usr/bin/python3"]
      + (ProcessInfo.processInfo.environment["PATH"] ?? "")
      .split(separator: ":").map { "\($0)/python3" }
    return candidates.first { candidate in
      guard FileManager.default.isExecutableFile(atPath: candidate) else { return false }
      return (try? TestPKI.run(candidate, ["-c", "import h2"])) != nil
    }
  }()
}

/// A throw-away PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1 and
/// localhost, one for `kube.example` only (name-mismatch tests), a client certificate
/// (CN alice), and an unrelated CA (wrong-CA tests). Generated once per test process.
struct TestPKI: Sendable {
  let directory: String
  let caPEM: [UInt8]
  let otherCAPEM: [UInt8]
  let clientCertificatePEM: [UInt8]
  let clientKeyPEM: [UInt8]

  static let shared: Result<TestPKI, any Error> = Result {
    let pki = try TestPKI()
    createdDirectory = pki.directory
    // Remove the keys and the script when the test process ends.
    atexit {
      if let directory = TestPKI.createdDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
    return pki
  }
  nonisolated(unsafe) static var createdDirectory: String?

  func path(_ name: String) -> String { "\(directory)/\(name)" }

  private init() throws {
    directory =
      NSTemporaryDirectory()
      + "meshctl-pki-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Self.makeCA(in: directory, name: "ca")
    try Self.makeCA(in: directory, name: "other-ca")
    try Self.makeLeaf(
      in: directory, name: "server", subject: "/CN=127.0.0.1",
      extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
    try Self.makeLeaf(
      in: directory, name: "named", subject: "/CN=kube.example",
      extensions: "subjectAltName=DNS:kube.example\nextendedKeyUsage=serverAuth")
    try Self.makeLeaf(
      in: directory, name: "client", subject: "/CN=alice/O=system:masters", extensions: "extendedKeyUsage=clientAuth")
    let dir = directory
    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))) }
    caPEM = try read("ca.crt")
    otherCAPEM = try read("other-ca.crt")
    clientCertificatePEM = try read("client.crt")
    clientKeyPEM = try read("client.key")
  }

  private static func makeCA(in directory: String, name: String) throws {
    try run(
      TestTools.openssl,
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt", "-days", "2",
        "-subj", "/CN=meshctl-test-\(name)", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      ])
  }

  private static func makeLeaf(in directory: String, name: String, subject: String, extensions: String) throws {
    let extFile = "\(directory)/\(name).ext"
    try (extensions + "\n").write(toFile: extFile, atomically: true, encoding: .utf8)
    try run(
      TestTools.openssl,
      [
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr", "-subj", subject,
      ])
    try run(
      TestTools.openssl,
      [
        "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/ca.crt", "-CAkey",
        "\(directory)/ca.key",
        "-CAcreateserial", "-out", "\(directory)/\(name).crt", "-days", "2", "-extfile", extFile,
      ])
  }

  static func run(_ tool: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let detail = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw TestServerError.toolFailed(
        "\(tool) \(arguments.prefix(2).joined(separator: " ")): \(String(decoding: detail, as: UTF8.self))")
    }
  }
}

enum TestServerError: Error {
  case toolFailed(String)
  case noPort(String)
}

/// The Python HTTPS server on 127.0.0.1 and a free port, for one test. `stop()` (also run on
/// deinit) terminates it; its watchdog ends it if the test process dies.
final class TestHTTPSServer: @unchecked Sendable {
  /// Which certificate the server presents.
  enum Certificate: String { case server, named }
  /// Whether the server asks for a client certificate.
  enum ClientCertificates: String { case none, optional, required }

  let port: Int
  private let process: Process

  /// Starts the HTTP/1.1 server.
  convenience init(certificate: Certificate = .server, clients: ClientCertificates = .optional) throws {
    let pki = try TestPKI.shared.get()
    try self.init(
      python: TestTools.python!, scriptName: "server.py", source: TestHTTPSServerScript.source,
      arguments: [
        pki.path("\(certificate.rawValue).crt"), pki.path("\(certificate.rawValue).key"), pki.path("ca.crt"),
        clients.rawValue,
      ])
  }

  /// Starts the HTTP/2-only server (needs `TestTools.pythonWithH2`).
  static func http2() throws -> TestHTTPSServer {
    let pki = try TestPKI.shared.get()
    return try TestHTTPSServer(
      python: TestTools.pythonWithH2!, scriptName: "h2server.py", source: TestH2ServerScript.source,
      arguments: [pki.path("server.crt"), pki.path("server.key")])
  }

  /// Starts the CONNECT proxy (plain HTTP on 127.0.0.1).
  static func proxy() throws -> TestHTTPSServer {
    try TestHTTPSServer(
      python: TestTools.python!, scriptName: "proxy.py", source: TestProxyScript.source, arguments: [])
  }

  private init(python: String, scriptName: String, source: String, arguments: [String]) throws {
    let pki = try TestPKI.shared.get()
    let script = pki.path(scriptName)
    if !FileManager.default.fileExists(atPath: script) {
      try source.write(toFile: script, atomically: true, encoding: .utf8)
    }
    process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let port = Int(text) else {
      process.terminate()
      throw TestServerError.noPort(text)
    }
    self.port = port
  }

  deinit { stop() }

  /// `https://127.0.0.1:<port><path>`.
  func url(_ path: String) -> String { "https://127.0.0.1:\(port)\(path)" }

  /// Ends the server process (SIGKILL: nothing to clean up, and no signal mask can stop it)
  /// and waits for it.
  func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}
