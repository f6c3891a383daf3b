import ArgumentParser
import Manifest
import MeshSchema

extension Meshctl {
  /// `meshctl schema`: prints the JSON Schema or CRD of one of meshctl's kinds, or lists them.
  ///
  /// With no KIND it lists the kinds, one per line, so scripts can loop over them
  /// (`for k in $(meshctl schema); do meshctl schema "$k" --crd; done`).
  public struct Schema: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema or the CRD of a meshctl kind.",
        discussion: """
          Without KIND, lists the kinds, one per line. Kinds match case-insensitively.

          Examples:
            \(Meshctl.displayName) schema
            \(Meshctl.displayName) schema TrafficSplit
            \(Meshctl.displayName) schema MTLSPolicy --crd | kubectl apply -f -
          """)
    }

    /// Output format of a schema.
    public enum Format: String, ArgumentChoice, Sendable {
      case json, yaml
    }

    /// kubectl's global flags (accepted everywhere, as kubectl does).
    @OptionGroup(title: ClusterOptions.title, visibility: .hidden) public var cluster: ClusterOptions

    /// The kind to print.
    @Argument(
      help: "The kind to print, e.g. TrafficSplit; without it, the kinds are listed.",
      completion: .list(SchemaExport.kinds))
    public var kind: String?

    /// Print the CRD.
    @Flag(help: "Print the apiextensions.k8s.io/v1 CustomResourceDefinition instead of the JSON Schema.")
    public var crd = false

    /// Output format; JSON for a schema and YAML for a CRD by default.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output format: json (default for a schema) or yaml (default for --crd).", valueName: "format")
    )
    public var output: Format?

    /// Creates the command with defaults.
    public init() {}

    public func validate() throws {
      if let kind, SchemaExport.kind(named: kind) == nil {
        throw ValidationError(
          "unknown kind \"\(kind)\"; known kinds: \(SchemaExport.kinds.joined(separator: ", "))")
      }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      guard let kind, let known = SchemaExport.kind(named: kind) else {
        context.stdout.write(SchemaExport.kinds.map { $0 + "\n" }.joined())
        return .success
      }
      let exported =
        crd ? SchemaExport.customResourceDefinition(kind: known) : SchemaExport.jsonSchema(kind: known)
      guard let node = exported else {
        throw MeshctlError.internalFailure("the schema module has no \(crd ? "CRD" : "JSON Schema") for kind \(known)")
      }
      context.stdout.write(render(node))
      return .success
    }

    /// The node in the chosen format, ending in a newline.
    func render(_ node: Node) -> String {
      let format = output ?? (crd ? .yaml : .json)
      let text = format == .yaml ? YAMLEmitter.emit(node) : JSONEmitter.emit(node, pretty: true)
      return text.hasSuffix("\n") ? text : text + "\n"
    }
  }
}
