/// What a finished process produced.
public struct ProcessOutput: Sendable, Equatable {
  /// The exit status (for a process killed by a signal: 128 + the signal).
  public var status: Int32
  /// Everything written to standard output.
  public var standardOutput: [UInt8]
  /// Everything written to standard error (empty when it went to the terminal).
  public var standardError: [UInt8]
  /// Whether it ran past its time limit (or was told to stop) and was killed.
  public var timedOut: Bool

  /// Creates an output.
  public init(status: Int32, standardOutput: [UInt8], standardError: [UInt8] = [], timedOut: Bool = false) {
    self.status = status
    self.standardOutput = standardOutput
    self.standardError = standardError
    self.timedOut = timedOut
  }
}

/// Why a process could not be run at all.
public enum ProcessRunnerError: Error, Sendable, Equatable {
  /// No executable of that name (in PATH, or at that path).
  case notFound
  /// It exists but could not be started (permissions, not executable, ...).
  case cannotStart(String)
}

/// Runs a command to completion. Exec credential plugins go through this so tests can fake it.
public protocol ProcessRunner: Sendable {
  /// Runs `command` (a path, or a name looked up in `environment["PATH"]`) with `arguments` and
  /// exactly `environment`. `interactive` gives it this process's standard input and error
  /// (a plugin may prompt); otherwise standard input is empty and standard error is captured.
  func run(command: String, arguments: [String], environment: [String: String], interactive: Bool)
    throws(ProcessRunnerError) -> ProcessOutput
}

/// The real runner, on posix_spawn.
public struct SystemProcessRunner: ProcessRunner {
  /// Creates the runner.
  public init() {}

  /// Runs the command, draining both output pipes.
  public func run(command: String, arguments: [String], environment: [String: String], interactive: Bool)
    throws(ProcessRunnerError) -> ProcessOutput
  {
    guard let executable = Self.locate(command, path: environment["PATH"]) else { throw .notFound }
    return try ChildProcess.run(
      executable, arguments: arguments, environment: environment, standardInput: interactive ? .inherit : .null,
      standardOutput: .capture, standardError: interactive ? .inherit : .capture)
  }

  /// The executable for `command`: itself when it contains a `/`, else the first executable
  /// match in `path` (as Go's `exec.LookPath`).
  public static func locate(_ command: String, path: String?) -> String? {
    if command.contains("/") { return Files.exists(command) ? command : nil }
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = Paths.join(String(directory), command)
      if Files.isExecutable(candidate) { return candidate }
    }
    return nil
  }
}
