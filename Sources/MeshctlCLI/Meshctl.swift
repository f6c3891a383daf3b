import ArgumentParser
import KubeClient
import Manifest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The root command: `meshctl`, or `kubectl mesh` when installed as the kubectl plugin.
public struct Meshctl: ParsableCommand {
  /// The name help and usage show: `kubectl mesh` when run as `kubectl-mesh`, else `meshctl`.
  public static let displayName = commandName(forExecutable: CommandLine.arguments.first ?? "meshctl")

  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: displayName,
      abstract: "Validate, inject and apply service-mesh manifests on Kubernetes.",
      discussion: """
        Reads Kubernetes and meshctl manifests (files, directories, standard input) and checks \
        them offline with compiler-grade diagnostics. Takes kubectl's global flags.

        Examples:
          \(displayName) validate -f deploy/ -R
          cat app.yaml | \(displayName) validate -o json
          \(displayName) inject -f app.yaml | kubectl apply -f -
          \(displayName) render -f split.yaml --provider linkerd
          \(displayName) schema TrafficSplit --crd
          \(displayName) help exit-codes
        """,
      version: MeshctlVersion.current,
      // Every subcommand names itself (`commandName:`): ArgumentParser would otherwise derive
      // the name from the type's name, a runtime demangle per subcommand on every start-up.
      subcommands: [
        Validate.self, Inject.self, Uninject.self, Render.self, Apply.self, Diff.self, Delete.self, Get.self,
        Shift.self, MTLS.self, Top.self, Check.self, Schema.self, Version.self, Completion.self, Help.self,
      ])
  }

  /// kubectl's global flags given before the subcommand (`kubectl mesh -n prod validate ...`).
  @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

  /// Creates the root command.
  public init() {}

  /// The command name for an executable path: kubectl runs plugins by their file name
  /// `kubectl-<name>`, so `kubectl-mesh` (or a link with that name) is `kubectl mesh`.
  public static func commandName(forExecutable path: String) -> String {
    let base = path.split(separator: "/").last.map(String.init) ?? path
    if base.hasPrefix("kubectl-"), base.count > "kubectl-".count {
      let plugin = base.dropFirst("kubectl-".count)
      // kubectl maps `_` in plugin file names to `-` in the command.
      let words = plugin.split(separator: "-").map { String($0.map { $0 == "_" ? "-" : $0 }) }
      return "kubectl " + words.joined(separator: " ")
    }
    return "meshctl"
  }

  /// Runs the program: parses `CommandLine.arguments`, runs the command against the live
  /// context, and exits with a code from the exit-code table.
  public static func main() {
    // SIGINT and SIGTERM end any command with 130 (shift and top watch them themselves).
    TerminationSignals.install()
    if namesClusterCommand(Array(CommandLine.arguments.dropFirst())) { CurlTransport.preload() }
    let context = CommandContext.live()
    let arguments = CompletionProtocol.arguments(
      executable: CommandLine.arguments.first ?? "meshctl", Array(CommandLine.arguments.dropFirst()))
    let status = run(arguments: arguments, context: context)
    context.flush()
    fflush(nil)
    // _exit, not exit: the transport's libcurl thread may still be waiting in curl_multi_poll,
    // and exit's atexit handlers (OpenSSL's cleanup among them) would free what it touches when
    // it wakes (seen: a segfault in pthread_rwlock_rdlock after a refused apply). Everything
    // meshctl writes has been flushed by now, and atomic writes are complete.
    #if canImport(Glibc)
      Glibc._exit(status)
    #else
      Darwin._exit(status)
    #endif
  }

  /// The subcommands that talk to a cluster (`version` does too, but is one round trip that
  /// `--client` skips).
  static let clusterCommands: [any ParsableCommand.Type] = [
    Apply.self, Diff.self, Delete.self, Get.self, Shift.self, MTLS.self, Top.self, Check.self,
  ]

  /// Whether the first argument naming a subcommand names one that talks to a cluster: such a
  /// command starts loading libcurl (about 30 libraries, 5–8 ms) before the arguments are even
  /// parsed, so the load overlaps parsing them and reading the input, and the first request
  /// goes out sooner (bench/README.md, "Apply"). Global flags and their values may come first.
  static func namesClusterCommand(_ arguments: [String]) -> Bool {
    let cluster = Set(clusterCommands.map { command in command.configuration.commandName ?? "" })
    let local = Set(configuration.subcommands.map { command in command.configuration.commandName ?? "" })
      .subtracting(cluster)
    for argument in arguments where !argument.hasPrefix("-") {
      if cluster.contains(argument) { return true }
      if local.contains(argument) { return false }
    }
    return false
  }

  /// Parses `arguments`, runs the command against `context`, reports any error on
  /// `context.stderr` (help on `context.stdout`) and returns the exit code.
  public static func run(arguments: [String], context: CommandContext) -> Int32 {
    // Shells and kubectl (`kubectl_complete-mesh __complete ...`) ask for completions.
    if arguments.first == CompletionProtocol.request {
      context.stdout.write(CompletionProtocol.respond(to: Array(arguments.dropFirst())))
      return ExitStatus.success.rawValue
    }
    var command: any ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      if let unknown = UnknownCommand(arguments: arguments) { return ErrorFunnel.report(unknown, context: context) }
      return ErrorFunnel.report(error, context: context)
    }
    do {
      if let status = try run(contextual: command, in: context) {
        // Output that did not all arrive (a full disk, a closed stdout) fails the command.
        try context.stdout.finishWriting()
        return status.rawValue
      }
      try command.run()
      return ExitStatus.success.rawValue
    } catch {
      return ErrorFunnel.report(error, command: type(of: command), context: context)
    }
  }

  /// `meshctl: error: ` (`kubectl mesh: error: ` as the plugin): the one prefix of every error,
  /// argument-parser's own included.
  public static var _errorPrefix: String { "\(displayName): error: " }

  /// Runs `command` with `run(in:)` when it is a `ContextualCommand`; nil when it is not.
  /// Generic so the cast starts from the command's own type: cast from the `any ParsableCommand`
  /// box, the runtime first looks up (and scans every conformance record for) the box's type.
  static func run(contextual command: some ParsableCommand, in context: CommandContext) throws -> ExitStatus? {
    guard let command = command as? any ContextualCommand else { return nil }
    return try command.run(in: context)
  }
}

/// A command whose work runs against a `CommandContext`: `run()` builds the live context and
/// calls `run(in:)`, which tests call directly with a fake one.
public protocol ContextualCommand: ParsableCommand {
  /// Does the command's work, with all I/O through `context`; returns the exit status.
  func run(in context: CommandContext) throws -> ExitStatus
}

extension ContextualCommand {
  /// Runs against the live context (used when ArgumentParser's own `main` drives the command).
  public mutating func run() throws {
    let context = CommandContext.live()
    defer { context.flush() }
    let status = try run(in: context)
    if status != .success { throw ExitCode(status.rawValue) }
  }
}

/// What the command line itself can fail with (input and usage errors come from their modules
/// and from ArgumentParser).
public enum MeshctlError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A part meshctl relies on produced nothing: a bug.
  case internalFailure(String)

  /// The exit status the error means.
  public var exitStatus: ExitStatus {
    switch self {
    case .internalFailure: return .internalError
    }
  }

  public var description: String {
    switch self {
    case .internalFailure(let message): return message
    }
  }
}
