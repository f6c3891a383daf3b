import Foundation

/// What a finished process produced.
public struct ProcessOutput: Sendable, Equatable {
  /// The exit status (for a process killed by a signal: 128 + the signal).
  public var status: Int32
  /// Everything written to standard output.
  public var standardOutput: [UInt8]
  /// Everything written to standard error (empty when it went to the terminal).
  public var standardError: [UInt8]

  /// Creates an output.
  public init(status: Int32, standardOutput: [UInt8], standardError: [UInt8] = []) {
    self.status = status
    self.standardOutput = standardOutput
    self.standardError = standardError
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

/// The real runner, on Foundation's `Process`.
public struct SystemProcessRunner: ProcessRunner {
  /// Creates the runner.
  public init() {}

  /// Runs the command with Foundation's `Process`, draining both output pipes.
  public func run(command: String, arguments: [String], environment: [String: String], interactive: Bool)
    throws(ProcessRunnerError) -> ProcessOutput
  {
    guard let executable = Self.locate(command, path: environment["PATH"]) else { throw .notFound }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    let errors = Pipe()
    if interactive {
      process.standardInput = FileHandle.standardInput
      process.standardError = FileHandle.standardError
    } else {
      process.standardInput = FileHandle.nullDevice
      process.standardError = errors
    }
    do {
      try process.run()
    } catch {
      throw .cannotStart(error.localizedDescription)
    }
    // Both pipes are drained at once: a plugin that fills one while we block on the other
    // would otherwise hang.
    let collected = PipeCollector()
    let group = DispatchGroup()
    collected.drain(output.fileHandleForReading, into: \.out, group: group)
    if !interactive { collected.drain(errors.fileHandleForReading, into: \.err, group: group) }
    process.waitUntilExit()
    group.wait()
    let status =
      process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return ProcessOutput(status: status, standardOutput: collected.out, standardError: collected.err)
  }

  /// The executable for `command`: itself when it contains a `/`, else the first executable
  /// match in `path` (as Go's `exec.LookPath`).
  static func locate(_ command: String, path: String?) -> String? {
    let files = FileManager.default
    if command.contains("/") { return files.fileExists(atPath: command) ? command : nil }
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = (String(directory) as NSString).appendingPathComponent(command)
      if files.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

/// Bytes read from two pipes on two threads.
private final class PipeCollector: @unchecked Sendable {
  // Each property is written by one reader thread and read only after `group.wait()`.
  var out: [UInt8] = []
  var err: [UInt8] = []

  func drain(_ handle: FileHandle, into keyPath: ReferenceWritableKeyPath<PipeCollector, [UInt8]>, group: DispatchGroup)
  {
    nonisolated(unsafe) let keyPath = keyPath
    DispatchQueue.global().async(group: group) {
      self[keyPath: keyPath] = [UInt8](handle.readDataToEndOfFile())
    }
  }
}
