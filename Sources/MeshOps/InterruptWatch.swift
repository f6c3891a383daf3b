import FoundationEssentials
import KubeClient
import Manifest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether SIGINT or SIGTERM has come; watching starts when it is made.
public protocol InterruptSource: Sendable {
  /// Whether a signal came.
  var fired: Bool { get }
  /// Stops watching (meshctl's own handlers come back: a later signal still ends it with 130).
  func stop()
}

/// Watches SIGINT and SIGTERM for a shift walking its steps; the live clock and gate runner.
public final class InterruptWatch: InterruptSource {
  /// Installs the handlers and starts watching.
  public init() {
    interruptReceived = 0
    signal(SIGINT, onInterrupt)
    signal(SIGTERM, onInterrupt)
    TerminationSignals.unblock()
  }

  public var fired: Bool { interruptReceived != 0 }

  public func stop() {
    TerminationSignals.install()
  }

  /// Sleeps `duration` in short naps, waking early when `interrupted` says so.
  public static func sleep(_ duration: Duration, interrupted: () -> Bool) {
    let end = ContinuousClock.now + duration
    while !interrupted(), ContinuousClock.now < end { usleep(20_000) }
  }

  /// Runs the gate command with `/bin/sh -c`, this process's environment plus `variables` and
  /// its standard streams, in its own process group; returns its exit status (127 when it cannot
  /// start). Past `timeout` the gate's group is killed and it `timedOut`; once `stop` says so
  /// (nil: once a signal came to meshctl) it is killed the same way at once and its status is
  /// the signal's (the walk then restores the weights).
  public static func runGate(
    _ command: String, variables: [String: String], timeout: Duration,
    stop: (() -> Bool)? = nil
  ) -> GateResult {
    let shouldStop: () -> Bool = stop ?? { interruptReceived != 0 }
    var environment = ProcessInfo.processInfo.environment
    environment.merge(variables) { _, new in new }
    do {
      let output = try ChildProcess.run(
        "/bin/sh", arguments: ["-c", command], environment: environment, standardInput: .inherit,
        standardOutput: .inherit, standardError: .inherit, timeout: timeout, stop: shouldStop)
      return output.timedOut && !shouldStop() ? .timedOut : .exited(output.status)
    } catch {
      return .exited(127)
    }
  }
}

/// Set by the signal handler; read by the shift loop (a signal handler may only touch such a flag).
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0

private func onInterrupt(_ signal: Int32) { interruptReceived = 1 }
