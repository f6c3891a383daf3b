import ArgumentParser
import KubeClient
import Manifest
import MeshOps

extension Meshctl {
  /// `meshctl version`: meshctl's version, the API server's and the mesh control plane's.
  public struct Version: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "version",
        abstract: "Print the meshctl version, and the cluster's and its mesh's.",
        discussion: """
          Like kubectl version and istioctl version: the client, then the API server's \
          gitVersion and the version of each mesh control plane found (Istio: the istiod \
          Deployment's image tag and istio.io/rev label; Linkerd: the linkerd-destination \
          Deployment's linkerd.io/control-plane-version label, else its image tag). --client \
          asks no cluster. With no kubeconfig at all, the client is printed with a note on \
          standard error (exit 0); a configured cluster that cannot be reached prints the \
          client and the error (exit 3).

          Examples:
            \(Meshctl.displayName) version
            \(Meshctl.displayName) version --client -o json
            \(Meshctl.displayName) version --context prod -o yaml
          """)
    }

    /// Output format.
    public enum Format: String, ArgumentChoice, Sendable {
      case text, json, yaml
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Output format. The long name is spelled out for speed, as in `ClusterOptions`.
    @Option(
      name: [.customShort("o"), .customLong("output")],
      help: ArgumentHelp("Output format: text, json or yaml.", valueName: "format"))
    public var output: Format = .text

    /// The client version only.
    @Flag(name: .customLong("client"), help: "Print the client version only; ask no cluster.")
    public var clientOnly = false

    /// Creates the command with defaults.
    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      guard !clientOnly else {
        write(VersionReport(), to: context)
        return .success
      }
      let api: KubeAPI
      do {
        api = try ClusterSession(options: cluster, context: context).api
      } catch let error as KubeconfigError {
        guard case .noConfiguration = error else { throw failure(error, context: context) }
        write(VersionReport(), to: context)
        DiagnosticPrinter(context).note("no cluster configured, so no server or mesh version (\(error))")
        return .success
      }
      do {
        write(try awaitCompletion { try await VersionReport.read(api: api) }, to: context)
      } catch {
        throw failure(error, context: context)
      }
      return .success
    }

    /// The client's version is printed even when the server's cannot be (as kubectl does).
    private func failure(_ error: any Error, context: CommandContext) -> any Error {
      write(VersionReport(), to: context)
      return error
    }

    private func write(_ report: VersionReport, to context: CommandContext) {
      switch output {
      case .text: context.stdout.write(report.text)
      case .json: ObjectPrinter.write([report.node], as: .json, to: context.stdout)
      case .yaml: ObjectPrinter.write([report.node], as: .yaml, to: context.stdout)
      }
    }
  }
}
