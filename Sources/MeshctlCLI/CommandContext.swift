import FoundationEssentials
import KubeClient
import Manifest
import MeshOps

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
  public var runGate:
    @Sendable (_ command: String, _ variables: [String: String], _ timeout: Duration, _ stop: @escaping @Sendable () -> Bool)
      -> GateResult
  /// Starts watching for Ctrl-C and SIGTERM (while a shift walks its steps).
  public var watchInterrupts: () -> any InterruptSource

  /// Creates a context from its parts.
  public init(
    stdout: any TextSink, stderr: any TextSink, stdin: any ByteSource,
    environment: [String: String] = [:], stdinIsTerminal: Bool = false,
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false,
    now: @escaping () -> Date = Date.init,
    writeFile: @escaping (String, [UInt8]) throws -> Void = { try AtomicFile.replace($0, with: $1) },
    openFile: @escaping (String) throws -> any ByteSource = { try FileDescriptorSource(path: $0) },
    expandInput: @escaping (String, Bool) throws -> [InputPath] = {
      try InputCollector(recursive: $1).collect([$0])
    },
    kubeconfigEnvironment: KubeconfigEnvironment? = nil,
    makeTransport: @escaping (TransportOptions, HTTPLogger) throws -> any HTTPTransport = {
      try CurlTransport(options: $0, logger: $1)
    },
    sleep: @escaping @Sendable (Duration, @Sendable () -> Bool) -> Void = { InterruptWatch.sleep($0, interrupted: $1) },
    runGate: @escaping @Sendable (String, [String: String], Duration, @escaping @Sendable () -> Bool) -> GateResult = {
      InterruptWatch.runGate($0, variables: $1, timeout: $2, stop: $3)
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

  /// `--color`: auto (the terminal checks below), always or never.
  public var colorMode: ColorMode = .auto

  /// Whether colour may be written to standard output: `--color`; with auto, a terminal,
  /// `NO_COLOR` unset (any value turns colour off, see no-color.org) and `TERM` not `dumb`.
  public var stdoutAllowsColor: Bool { colorMode.allowsColor(terminal: stdoutIsTerminal, environment: environment) }
  /// Whether colour may be written to standard error.
  public var stderrAllowsColor: Bool { colorMode.allowsColor(terminal: stderrIsTerminal, environment: environment) }

  /// Flushes both output streams.
  public func flush() {
    stdout.flush()
    stderr.flush()
  }
}
