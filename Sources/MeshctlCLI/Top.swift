import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

/// `-o` of `top`.
public enum TopOutput: String, ArgumentChoice, Sendable {
  /// A table.
  case text
  /// One JSON object (one line per refresh with --watch).
  case json
}

extension Meshctl {
  /// `meshctl top`: request rate, success rate and latency per workload, from Prometheus.
  public struct Top: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "top",
        abstract: "Show request rate, success rate and p50/p99 latency per workload, from Prometheus.",
        discussion: """
          Reads the mesh's standard metrics (the queries of canary analysis, grouped by \
          workload) for the workloads of the namespace (-n, else the context's; -A: every \
          namespace) over the last --window, and prints NAMESPACE WORKLOAD RPS SUCCESS P50 P99 \
          (`-` where there is no value). Prometheus is found as for shift --analysis; the one \
          used is named on standard error. --watch refreshes every --refresh until Ctrl-C \
          (exit 130). Exit 0, 3 when no Prometheus can be found or it cannot answer.

          Examples:
            \(Meshctl.displayName) top -n shop
            \(Meshctl.displayName) top -A --window 5m -o json
            \(Meshctl.displayName) top -n shop --watch --refresh 5s
          """)
    }

    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Every namespace.
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Show the workloads of every namespace.")
    public var allNamespaces = false

    /// The window of the rates and quantiles.
    @Option(help: ArgumentHelp("The window rates and latencies cover, e.g. 1m, 5m.", valueName: "duration"))
    public var window: String = "1m"

    /// `--prometheus`.
    @OptionGroup public var prometheus: PrometheusOptions

    /// Refresh until interrupted.
    @Flag(help: "Refresh every --refresh until Ctrl-C.")
    public var watch = false

    /// How often --watch refreshes.
    @Option(help: ArgumentHelp("How often --watch refreshes.", valueName: "duration"))
    public var refresh: String = "2s"

    /// `--provider` (default: detected from the cluster) and `--config`.
    @OptionGroup public var mesh: MeshOptions

    /// `text` or `json`.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output: text or json.", valueName: "format"))
    public var output: TopOutput = .text

    public init() {}

    public func validate() throws {
      _ = try usage { try PlaintextReport.window(window) }
      _ = try Self.refreshPeriod(refresh)
    }

    static func refreshPeriod(_ text: String) throws -> Duration {
      guard let period = try? RequestTimeout.parse(text), period >= .milliseconds(100) else {
        throw ValidationError("invalid --refresh \"\(text)\": use a duration of at least 100ms, such as 2s")
      }
      return period
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let (api, namespace, meshConfig, provider) = try MeshScope.resolve(
        cluster: cluster, mesh: mesh, allNamespaces: allNamespaces, context: context)
      let location = try PrometheusFinder.locate(
        flag: prometheus.url, meshConfig: meshConfig, provider: provider, api: api, cluster: cluster,
        context: context)
      let duration = try PlaintextReport.window(window)
      let range = try CanaryAnalysis.range(duration)
      let client = location.client
      let screen = WorkloadTraffic.Screen(
        namespace: namespace, range: range, mesh: provider, json: output == .json, watch: watch,
        terminal: context.stdoutIsTerminal)
      let interrupts = watch ? context.watchInterrupts() : nil
      defer { interrupts?.stop() }
      let interrupted = try WorkloadTraffic.refresh(
        every: watch ? try Self.refreshPeriod(refresh) : nil, sleep: context.sleep,
        interrupted: { interrupts?.fired ?? false }
      ) { first in
        let rows = try awaitCompletion {
          try await WorkloadTraffic.read(namespace: namespace, mesh: provider, window: duration, prometheus: client)
        }
        context.stdout.write(screen.text(rows, first: first, renderTable: TablePrinter.render))
        context.stdout.flush()
      }
      return interrupted ? .interrupted : .success
    }
  }
}
