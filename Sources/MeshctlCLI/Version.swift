import ArgumentParser
import Manifest

/// The version meshctl reports.
public enum MeshctlVersion {
  /// meshctl's own version.
  public static let current = "0.1.0"

  /// The Swift language version the binary was compiled with.
  public static var swift: String {
    #if compiler(>=6.3)
      return "6.3"
    #elseif compiler(>=6.2)
      return "6.2"
    #elseif compiler(>=6.1)
      return "6.1"
    #else
      return "6.0"
    #endif
  }

  /// The operating system and architecture, e.g. `linux/x86_64`.
  public static var platform: String {
    #if os(Linux)
      let system = "linux"
    #elseif os(macOS)
      let system = "darwin"
    #else
      let system = "unknown"
    #endif
    #if arch(x86_64)
      return system + "/x86_64"
    #elseif arch(arm64)
      return system + "/arm64"
    #else
      return system + "/unknown"
    #endif
  }
}

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
    @OptionGroup public var cluster: ClusterOptions

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
