import ArgumentParser
import KubeClient
import Manifest

extension Meshctl {
  /// `meshctl version`: prints the version; does no other work, so it starts fast.
  public struct Version: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(commandName: "version", abstract: "Print the meshctl version.")
    }

    /// Output format.
    public enum Format: String, ArgumentChoice, Sendable {
      case text, json
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions

    /// Output format. The long name is spelled out for speed, as in `ClusterOptions`.
    @Option(
      name: [.customShort("o"), .customLong("output")],
      help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    public var output: Format = .text

    /// Creates the command with defaults.
    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      switch output {
      case .text:
        context.stdout.write(
          "meshctl version \(MeshctlVersion.current)\nswift \(MeshctlVersion.swift)\nplatform \(MeshctlVersion.platform)\n"
        )
      case .json:
        let object: Node = .mapping([
          MappingEntry(key: "version", value: .string(MeshctlVersion.current)),
          MappingEntry(key: "swiftVersion", value: .string(MeshctlVersion.swift)),
          MappingEntry(key: "platform", value: .string(MeshctlVersion.platform)),
        ])
        ObjectPrinter.write([object], as: .json, to: context.stdout)
      }
      return .success
    }
  }
}
