import FoundationEssentials
import KubeClient
import Manifest
import MeshOps

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a command writes text: standard output, standard error, or a buffer in tests.
public protocol TextSink: AnyObject {
  /// Writes text as it is (no newline is added).
  func write(_ text: String)
  /// Pushes buffered text out.
  func flush()
}

/// Everything a command reads from or writes to the world. Commands do all I/O through it, so
/// tests run them with a fake one and never touch process globals.
public struct CommandContext {
  /// Where results go.
  public var stdout: any TextSink
  /// Where messages for people go (errors, reports, progress).
  public var stderr: any TextSink
  /// Standard input, read for `-f -`.
  public var stdin: any ByteSource
  /// The environment variables.
  public var environment: [String: String]
  /// Whether standard input is a terminal (then nobody is piping manifests in).
  public var stdinIsTerminal: Bool
  /// Whether standard output is a terminal (colour allowed).
  public var stdoutIsTerminal: Bool
  /// Whether standard error is a terminal (colour and progress allowed).
  public var stderrIsTerminal: Bool
  /// The current time.
  public var now: () -> Date
  /// Writes a whole file (for `--in-place` and similar); the live one writes atomically.
  public var writeFile: (_ path: String, _ bytes: [UInt8]) throws -> Void
  /// Opens a file for reading.
  public var openFile: (_ path: String) throws -> any ByteSource
  /// Expands one `-f` argument into the inputs it names (directories to their manifest files).
  public var expandInput: (_ argument: String, _ recursive: Bool) throws -> [InputPath]
  /// Where kubeconfig loading looks (home and current directory, service-account mount).
  public var kubeconfigEnvironment: KubeconfigEnvironment
  /// Opens the HTTP transport to a cluster; tests put a scripted one in its place.
  public var makeTransport: (_ options: TransportOptions, _ logger: HTTPLogger) throws -> any HTTPTransport
  /// Waits a shift's interval, returning early once `interrupted` says a signal came.
  public var sleep: @Sendable (_ duration: Duration, _ interrupted: @Sendable () -> Bool) -> Void
  /// Runs a shift's gate command with extra environment variables, killed past `timeout`.
  public var runGate: @Sendable (_ command: String, _ variables: [String: String], _ timeout: Duration) -> GateResult
  /// Starts watching for Ctrl-C and SIGTERM (while a shift walks its steps).
  public var watchInterrupts: () -> any InterruptSource

  /// Creates a context from its parts.
  public init(
    stdout: any TextSink, stderr: any TextSink, stdin: any ByteSource,
    environment: [String: String] = [:], stdinIsTerminal: Bool = false,
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false,
    now: @escaping () -> Date = Date.init,
    writeFile: @escaping (String, [UInt8]) throws -> Void = CommandContext.writeAtomically,
    openFile: @escaping (String) throws -> any ByteSource = { try FileDescriptorSource(path: $0) },
    expandInput: @escaping (String, Bool) throws -> [InputPath] = {
      try InputCollector(recursive: $1).collect([$0])
    },
    kubeconfigEnvironment: KubeconfigEnvironment? = nil,
    makeTransport: @escaping (TransportOptions, HTTPLogger) throws -> any HTTPTransport = {
      try CurlTransport(options: $0, logger: $1)
    },
    sleep: @escaping @Sendable (Duration, @Sendable () -> Bool) -> Void = { InterruptWatch.sleep($0, interrupted: $1) },
    runGate: @escaping @Sendable (String, [String: String], Duration) -> GateResult = {
      InterruptWatch.runGate($0, variables: $1, timeout: $2)
    },
    watchInterrupts: @escaping () -> any InterruptSource = { InterruptWatch() }
  ) {
    self.stdout = stdout
    self.stderr = stderr
    self.stdin = stdin
    self.environment = environment
    self.stdinIsTerminal = stdinIsTerminal
    self.stdoutIsTerminal = stdoutIsTerminal
    self.stderrIsTerminal = stderrIsTerminal
    self.now = now
    self.writeFile = writeFile
    self.openFile = openFile
    self.expandInput = expandInput
    self.kubeconfigEnvironment =
      kubeconfigEnvironment
      ?? KubeconfigEnvironment(
        variables: environment, homeDirectory: environment["HOME"],
        currentDirectory: FileManager.default.currentDirectoryPath)
    self.makeTransport = makeTransport
    self.sleep = sleep
    self.runGate = runGate
    self.watchInterrupts = watchInterrupts
  }

  /// The context of this process: its standard streams, environment and file system.
  public static func live() -> CommandContext {
    let environment = ProcessInfo.processInfo.environment
    return CommandContext(
      stdout: FileDescriptorSink(descriptor: 1, buffered: true),
      stderr: FileDescriptorSink(descriptor: 2, buffered: false),
      stdin: FileDescriptorSource(descriptor: 0, name: "-"),
      environment: environment,
      stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1,
      stderrIsTerminal: isatty(2) == 1, kubeconfigEnvironment: .current(variables: environment))
  }

  /// Whether colour may be written to standard output: a terminal, `NO_COLOR` unset (any value
  /// turns colour off, see no-color.org) and `TERM` not `dumb`.
  public var stdoutAllowsColor: Bool { stdoutIsTerminal && environmentAllowsColor }
  /// Whether colour may be written to standard error.
  public var stderrAllowsColor: Bool { stderrIsTerminal && environmentAllowsColor }

  private var environmentAllowsColor: Bool {
    environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
  }

  /// Flushes both output streams.
  public func flush() {
    stdout.flush()
    stderr.flush()
  }

  /// Writes `bytes` to a temporary file next to `path` (created with the old file's mode,
  /// flushed to disk) and renames it over `path`, so a reader sees the old file or the new
  /// one, never half of either, and a crash leaves the old file in place.
  public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
    var template = Array((path + ".meshctl-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw ManifestError.unreadable(
        path: path, reason: "cannot create a temporary file: \(String(cString: strerror(errno)))")
    }
    let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var failure: String?
    if fchmod(fd, mode) != 0 { failure = "chmod" }
    var offset = 0
    while failure == nil, offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0, errno != EINTR { failure = "write" } else if written > 0 { offset += written }
    }
    if failure == nil, fsync(fd) != 0 { failure = "fsync" }
    close(fd)
    if failure == nil, rename(temporary, path) != 0 { failure = "rename" }
    if let failure {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw ManifestError.unreadable(path: path, reason: "cannot write (\(failure)): \(reason)")
    }
  }
}

/// Writes to a file descriptor, optionally buffered (standard output is; standard error is not,
/// so messages appear as they happen).
public final class FileDescriptorSink: TextSink {
  private let descriptor: Int32
  private let buffered: Bool
  private var buffer: [UInt8] = []

  /// Creates a sink over a descriptor the process owns (1 or 2).
  public init(descriptor: Int32, buffered: Bool) {
    self.descriptor = descriptor
    self.buffered = buffered
  }

  deinit { flush() }

  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if !buffered || buffer.count >= 1 << 16 { flush() }
  }

  public func flush() {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes { raw in
        #if canImport(Glibc)
          Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        #else
          Darwin.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        #endif
      }
      if written < 0 {
        if errno == EINTR { continue }
        break  // A closed pipe: nobody is reading; drop the rest.
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Collects written text in memory; for tests.
public final class CapturedText: TextSink {
  /// Everything written so far.
  public private(set) var text = ""

  /// Creates an empty buffer.
  public init() {}

  public func write(_ text: String) { self.text += text }
  public func flush() {}
}
