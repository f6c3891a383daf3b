import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

/// kubectl's global flags, spelled as kubectl spells them, so `kubectl mesh -n prod ...` behaves
/// like kubectl. Every command takes them (commands that do not talk to a cluster ignore them).
///
/// Every long name is spelled out (`.customLong`, never `.long`): ArgumentParser derives a
/// `.long` name from the property name (camelCase to kebab-case) each time it builds the
/// option's definition, and a parse builds this group's definitions about six times.
public struct ClusterOptions: ParsableArguments {
  /// The heading of these flags in help: after each command's own arguments and options.
  public static let title = "Global Flags"

  /// Path to the kubeconfig file to use.
  @Option(
    name: .customLong("kubeconfig"),
    help: ArgumentHelp("Path to the kubeconfig file to use for CLI requests.", valueName: "path"),
    completion: .file())
  public var kubeconfig: String?

  /// The kubeconfig context to use.
  @Option(
    name: .customLong("context"),
    help: ArgumentHelp("The name of the kubeconfig context to use.", valueName: "name"),
    completion: .custom(DynamicCompletion.contexts))
  public var context: String?

  /// The kubeconfig cluster to use.
  @Option(
    name: .customLong("cluster"),
    help: ArgumentHelp("The name of the kubeconfig cluster to use.", valueName: "name"),
    completion: .custom(DynamicCompletion.clusters))
  public var cluster: String?

  /// The kubeconfig user to use.
  @Option(
    name: .customLong("user"), help: ArgumentHelp("The name of the kubeconfig user to use.", valueName: "name"),
    completion: .custom(DynamicCompletion.users))
  public var user: String?

  /// The namespace scope of the request.
  @Option(
    name: [.customShort("n"), .customLong("namespace")],
    help: ArgumentHelp("If present, the namespace scope for this CLI request.", valueName: "namespace"),
    completion: .custom(DynamicCompletion.namespaces))
  public var namespace: String?

  /// The API server address.
  @Option(
    name: [.customShort("s"), .customLong("server")],
    help: ArgumentHelp("The address and port of the Kubernetes API server.", valueName: "url"))
  public var server: String?

  /// A bearer token for the API server.
  @Option(
    name: .customLong("token"),
    help: ArgumentHelp("Bearer token for authentication to the API server.", valueName: "token"))
  public var token: String?

  /// The user to impersonate.
  @Option(name: .customLong("as"), help: ArgumentHelp("Username to impersonate for the operation.", valueName: "user"))
  public var impersonateUser: String?

  /// The groups to impersonate.
  @Option(
    name: .customLong("as-group"),
    help: ArgumentHelp("Group to impersonate for the operation; repeat for several groups.", valueName: "group"))
  public var impersonateGroups: [String] = []

  /// A CA certificate file.
  @Option(
    name: .customLong("certificate-authority"),
    help: ArgumentHelp("Path to a cert file for the certificate authority.", valueName: "path"),
    completion: .file())
  public var certificateAuthority: String?

  /// A client certificate file.
  @Option(
    name: .customLong("client-certificate"),
    help: ArgumentHelp("Path to a client certificate file for TLS.", valueName: "path"),
    completion: .file())
  public var clientCertificate: String?

  /// A client key file.
  @Option(
    name: .customLong("client-key"), help: ArgumentHelp("Path to a client key file for TLS.", valueName: "path"),
    completion: .file())
  public var clientKey: String?

  /// Skip verification of the server's certificate.
  @Flag(
    name: .customLong("insecure-skip-tls-verify"),
    help: "Do not check the server's certificate for validity (makes HTTPS connections insecure).")
  public var insecureSkipTLSVerify = false

  /// The server name to verify the certificate against.
  @Option(
    name: .customLong("tls-server-name"),
    help: ArgumentHelp("Server name to use for server certificate validation.", valueName: "name"))
  public var tlsServerName: String?

  /// How long to wait for one request.
  @Option(
    name: .customLong("request-timeout"),
    help: ArgumentHelp(
      "How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.",
      valueName: "duration"))
  public var requestTimeout: String = "0"

  /// Log verbosity; kubectl spells it `-v=N` or `--v=N`.
  @Option(
    name: [.customShort("v"), .customLong("v")],
    help: ArgumentHelp("Log verbosity, 0 to 10 (-v=N, --v=N or -v N).", valueName: "level"))
  public var verbosity: Int = 0

  /// Creates the defaults.
  public init() {}

  public func validate() throws {
    guard RequestTimeout.isValid(requestTimeout) else {
      throw ValidationError(
        "invalid --request-timeout \"\(requestTimeout)\": use 0, a number of seconds, or a duration such as 30s, 1m or 1h30m"
      )
    }
    guard (0...10).contains(verbosity) else {
      throw ValidationError("invalid -v \(verbosity): verbosity runs from 0 to 10")
    }
  }
}

extension ClusterOptions: CustomReflectable {
  /// The option wrappers under the names of their stored properties, in declaration order:
  /// exactly what ArgumentParser would find by reflection (`ClusterOptionsTests` checks).
  ///
  /// Listed by hand because every command includes this group and a parse reflects it about
  /// six times, and the runtime's reflection decodes each stored property's type from its
  /// mangled name on every walk (~16 k instructions a property). The children are a lazy map
  /// over their indices, the collection type the runtime's own mirrors use, so the walk reuses
  /// generic metadata the process already has instead of looking up conformances for new boxes.
  public var customMirror: Mirror {
    let children: [Mirror.Child] = [
      ("_kubeconfig", _kubeconfig),
      ("_context", _context),
      ("_cluster", _cluster),
      ("_user", _user),
      ("_namespace", _namespace),
      ("_server", _server),
      ("_token", _token),
      ("_impersonateUser", _impersonateUser),
      ("_impersonateGroups", _impersonateGroups),
      ("_certificateAuthority", _certificateAuthority),
      ("_clientCertificate", _clientCertificate),
      ("_clientKey", _clientKey),
      ("_insecureSkipTLSVerify", _insecureSkipTLSVerify),
      ("_tlsServerName", _tlsServerName),
      ("_requestTimeout", _requestTimeout),
      ("_verbosity", _verbosity),
    ]
    return Mirror(self, children: children.indices.lazy.map { children[$0] })
  }
}

/// Where manifests come from: `-f` (files, directories, `-` for standard input) and `-R`.
public struct InputOptions: ParsableArguments {
  /// Files, directories, or `-`.
  @Option(
    name: [.customShort("f"), .customLong("filename")],
    help: ArgumentHelp(
      "A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.",
      valueName: "path"),
    completion: .file(extensions: ["yaml", "yml", "json"]))
  public var filenames: [String] = []

  /// Search directories all the way down. The long name is spelled out for speed, as in
  /// `ClusterOptions`.
  @Flag(
    name: [.customShort("R"), .customLong("recursive")],
    help: "Process the directories given with -f recursively.")
  public var recursive = false

  /// When findings are in colour.
  @Option(
    name: .customLong("color"),
    help: ArgumentHelp(
      "Colour findings and reports: auto (a terminal, and NO_COLOR unset), always or never.", valueName: "when"))
  public var color: ColorMode = .auto

  /// Creates the defaults.
  public init() {}

  /// `context` with the colour choice of `--color`.
  public func applying(to context: CommandContext) -> CommandContext {
    var context = context
    context.colorMode = color
    return context
  }
}

/// Which mesh, and the MeshConfig file with its settings: `--provider` and `--config`, for the
/// commands that render or inject for a mesh.
public struct MeshOptions: ParsableArguments {
  /// The mesh; overrides the MeshConfig's provider (and, against a cluster, detection).
  @Option(
    name: .customLong("provider"),
    help: ArgumentHelp(
      "The mesh: istio or linkerd (default: the MeshConfig's; against a cluster, the one installed there; else istio).",
      valueName: "provider"))
  public var provider: MeshConfig.Provider?

  /// A MeshConfig file with the mesh's settings.
  @Option(
    name: .customLong("config"),
    help: ArgumentHelp(
      "A meshctl.io/v1alpha1 MeshConfig file (provider, sidecar settings, trust domain, control plane namespace).",
      valueName: "path"),
    completion: .file(extensions: ["yaml", "yml", "json"]))
  public var config: String?

  /// Creates the defaults.
  public init() {}

  /// The MeshConfig file, validated, or the built-in defaults when `--config` is not given.
  func meshConfig(context: CommandContext) throws -> MeshConfig {
    try MeshConfigFile.load(config, context: context)
  }
}

extension MeshConfig.Provider: ArgumentChoice {}

/// The `--config` file of the commands that take one: a MeshConfig, validated before use.
enum MeshConfigFile {
  /// The MeshConfig at `path`, or the built-in defaults when there is none. A file that is not
  /// one MeshConfig is a usage error; one with errors is reported like findings (exit 2).
  static func load(_ path: String?, context: CommandContext) throws -> MeshConfig {
    guard let path else { return MeshConfig.defaults }
    do {
      return try MeshConfig.read(from: context.openFile(path), file: path)
    } catch MeshConfigFileError.unreadable(let diagnostics), MeshConfigFileError.invalid(let diagnostics) {
      throw InputFailure(diagnostics)
    } catch MeshConfigFileError.empty {
      throw ValidationError("\(path): --config file holds no MeshConfig")
    } catch MeshConfigFileError.notMeshConfig(let found) {
      throw ValidationError("\(path): --config needs a meshctl.io/v1alpha1 MeshConfig, not \(found)")
    }
  }
}

/// Runs `check`, turning a request a library finds wrong (`MeshOpsError.invalidRequest`) into
/// the usage error `validate` must throw.
func usage<T>(_ check: () throws -> T) throws -> T {
  do {
    return try check()
  } catch let error as MeshOpsError {
    throw ValidationError(error.description)
  }
}

/// An input that cannot be used, with the findings that say why: reported like findings, exit 2.
struct InputFailure: Error, CustomStringConvertible {
  let diagnostics: [Diagnostic]
  init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
  var description: String { diagnostics.map(TextReport.line).joined(separator: "\n") }
}
