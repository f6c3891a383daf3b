import ArgumentParser
import Manifest
import MeshSchema
import Policy

extension Meshctl {
  /// `meshctl render`: prints the provider resources that meshctl's policies become, offline.
  public struct Render: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "render",
        abstract: "Print the provider resources that TrafficSplits and MTLSPolicies become, offline.",
        discussion: """
          Reads every -f input (with no -f, standard input when it is not a terminal), \
          validates all of it, and renders each TrafficSplit and MTLSPolicy into the resources \
          the provider enforces: what apply would send. Only the rendered objects are printed, \
          as one YAML stream; the other objects of the input are read for the Services and \
          workloads that policies refer to (selectors, ports), and are not printed. Invalid \
          input, or a policy that cannot be rendered, prints its diagnostics on standard error \
          and nothing on standard output (exit 1; 2 for unreadable input).

          Examples:
            \(Meshctl.displayName) render -f split.yaml
            \(Meshctl.displayName) render -R -f k8s/ --provider linkerd | kubectl apply --server-side -f -
            \(Meshctl.displayName) render -f bookinfo.yaml -f reviews-split.yaml --routing gateway-api
          """)
    }

    /// Output format.
    public enum Format: String, ArgumentChoice, Sendable {
      case yaml, json
    }

    @OptionGroup public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions

    @OptionGroup public var policy: PolicyOptions

    /// Output format.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: yaml or json.", valueName: "format"))
    public var output: Format = .yaml

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let settings = try policy.settings(context: context, defaultNamespace: cluster.namespace)
      let inputs = PolicyInputs.read(
        try input.arguments(context: context), recursive: input.recursive, context: context)
      let printer = TextReport(color: context.stderrAllowsColor)
      for diagnostic in inputs.diagnostics { context.stderr.write(printer.render(diagnostic)) }
      if inputs.unreadable { return .inputError }
      if inputs.diagnostics.contains(where: { $0.severity == .error }) { return .findings }

      let objects = inputs.documents.flatMap(\.objects)
      let result = PolicyRenderer(settings: settings).render(objects, lookup: ManifestLookup(objects: objects))
      for diagnostic in result.diagnostics { context.stderr.write(printer.render(diagnostic)) }
      if result.hasErrors { return .findings }
      if !objects.contains(where: { PolicyRenderer.isPolicy($0.node) }) {
        context.stderr.write("\(Meshctl.displayName): no TrafficSplit or MTLSPolicy in the input: nothing to render\n")
      }
      context.stdout.write(text(of: result.objects))
      return .success
    }

    /// The objects as one YAML stream, or as JSON (one object, or a `v1` List of several).
    func text(of objects: [Node]) -> String {
      switch output {
      case .yaml:
        return objects.map(YAMLEmitter.emit).joined(separator: "---\n")
      case .json:
        if objects.isEmpty { return "" }
        let root =
          objects.count == 1
          ? objects[0]
          : Node.mapping(["apiVersion": .string("v1"), "kind": .string("List"), "items": .sequence(objects)])
        return JSONEmitter.emit(root) + "\n"
      }
    }
  }
}

extension RoutingTarget: ArgumentChoice {}

/// Findings sorted by position, those at the same place in the order they were made (as
/// `validate` prints them).
func inPositionOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
  diagnostics.enumerated().sorted { lhs, rhs in
    lhs.element.mark != rhs.element.mark ? lhs.element.mark < rhs.element.mark : lhs.offset < rhs.offset
  }.map(\.element)
}

/// Every document of the inputs, checked before anything is rendered: read errors, schema
/// findings and the cross-document analysis. All of it is kept (unlike `validate`, which
/// streams): a policy may refer to a Service that comes later in the input.
struct PolicyInputs {
  var documents: [Document] = []
  var diagnostics: [Diagnostic] = []
  /// Whether an input could not be read or is not YAML (exit 2).
  var unreadable = false

  static func read(_ arguments: [String], recursive: Bool, context: CommandContext) -> PolicyInputs {
    var inputs = PolicyInputs()
    var analysis = CrossDocumentAnalysis()
    let validator = Validator()
    var seen = Set<InputPath>()
    for argument in arguments {
      do {
        for path in try context.expandInput(argument, recursive) where seen.insert(path).inserted {
          let source: any ByteSource
          switch path {
          case .standardInput: source = context.stdin
          case .file(let file): source = try context.openFile(file)
          }
          let summary = try ManifestReader().read(source, file: path.displayName) { document in
            inputs.documents.append(document)
            inputs.diagnostics += inPositionOrder(validator.validate(document))
            analysis.add(document)
          }
          inputs.diagnostics += summary.diagnostics
        }
      } catch let error as ManifestError {
        context.stderr.write("\(Meshctl.displayName): error: \(error.description)\n")
        inputs.unreadable = true
      } catch {
        context.stderr.write("\(Meshctl.displayName): error: \(error)\n")
        inputs.unreadable = true
      }
    }
    inputs.diagnostics += analysis.findings()
    if inputs.diagnostics.contains(where: \.isInputError) { inputs.unreadable = true }
    return inputs
  }
}
