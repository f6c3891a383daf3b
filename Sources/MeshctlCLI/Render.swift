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

    @OptionGroup(title: ClusterOptions.title, visibility: .hidden) public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions

    @OptionGroup public var policy: PolicyOptions

    /// Output format.
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: yaml or json.", valueName: "format"))
    public var output: Format = .yaml

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      let settings = try policy.settings(context: context, defaultNamespace: cluster.namespace)
      let inputs = try PolicyInputs.read(InputFrontend(input, context: context), keepsOnlyPolicies: true)
      let printer = DiagnosticPrinter(context)
      printer.print(inputs.diagnostics)
      if inputs.unreadable { return .inputError }
      if inputs.diagnostics.contains(where: { $0.severity == .error }) { return .findings }

      let objects = inputs.documents.flatMap(\.objects)
      let result = PolicyRenderer(settings: settings).render(objects, lookup: inputs.lookup)
      printer.print(result.diagnostics)
      if result.hasErrors { return .findings }
      if !objects.contains(where: { PolicyRenderer.isPolicy($0.node) }) {
        printer.note("no TrafficSplit or MTLSPolicy in the input: nothing to render")
      }
      context.stdout.write(text(of: result.objects))
      return .success
    }

    /// The objects as one YAML stream, or as JSON (one object, or a `v1` List of several).
    func text(of objects: [Node]) -> String {
      switch output {
      case .yaml: return ObjectPrinter.yamlStream(objects)
      case .json: return ObjectPrinter(format: .json, listMetadata: false).text(of: objects)
      }
    }
  }
}

extension RoutingTarget: ArgumentChoice {}

/// Every document of the inputs, checked before anything is rendered: read errors, schema
/// findings and the cross-document analysis. All of it is kept (unlike `validate`, which
/// streams): a policy may refer to a Service that comes later in the input.
struct PolicyInputs {
  /// The documents read (with `keepsOnlyPolicies`, only those holding a policy).
  var documents: [Document] = []
  /// The Services and workloads of every document, for the policies to refer to.
  var lookup = ManifestLookup()
  var diagnostics: [Diagnostic] = []
  /// Whether an input could not be read or is not YAML (exit 2).
  var unreadable = false

  /// Reads and checks the inputs `arguments` name.
  /// `onDocument` sees each document as soon as it is read.
  static func read(
    _ arguments: [String], recursive: Bool, context: CommandContext, onDocument: (Document) -> Void = { _ in }
  ) -> PolicyInputs {
    read(InputFrontend(arguments: arguments, recursive: recursive, context: context), onDocument: onDocument)
  }

  /// Reads and checks the inputs of `frontend`, with `validate`'s own session: the findings
  /// come out in the order `validate` prints them.
  /// `keepsOnlyPolicies` keeps the documents that hold a policy and only the lookup's facts of
  /// the others, so memory follows the policies, not the input (`render` of a million objects).
  static func read(
    _ frontend: InputFrontend, keepsOnlyPolicies: Bool = false, onDocument: (Document) -> Void = { _ in }
  ) -> PolicyInputs {
    var documents: [Document] = []
    var lookup = ManifestLookup()
    var session = ValidationSession(recordsObjects: false, retainsSourceLines: true)
    frontend.read(
      into: &session,
      document: { document in
        onDocument(document)
        lookup.add(document)
        if !keepsOnlyPolicies || document.objects.contains(where: { PolicyRenderer.isPolicy($0.node) }) {
          documents.append(document)
        }
      })
    let report = session.finish { _, _ in [:] }
    return PolicyInputs(
      documents: documents, lookup: lookup, diagnostics: report.diagnostics,
      unreadable: report.outcome(failOn: .never) == .unreadableInput)
  }
}
