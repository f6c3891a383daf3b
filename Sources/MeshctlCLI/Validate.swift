import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema

extension Meshctl {
  /// `meshctl validate`: checks manifests offline and reports findings.
  ///
  /// Where output goes: the report (findings and the summary line, in every format) is the
  /// command's result and goes to standard output; standard error carries only failures to do
  /// the job (an unreadable path), so `-o json > report.json` stays valid JSON.
  public struct Validate: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests against meshctl's schemas, offline.",
        discussion: """
          Reads every -f input (with no -f, standard input when it is not a terminal), one \
          document at a time, and reports findings with file, line, column, a stable rule \
          code and a hint. The report goes to standard output in every format; unreadable \
          inputs are reported on standard error. Exit codes do not depend on -o \
          (see '\(Meshctl.displayName) help exit-codes').

          --stdin-name names standard input in findings and in every format (SARIF artifact \
          URIs, JUnit suites). --color always|never overrides the terminal check; with auto, \
          NO_COLOR (any value) or TERM=dumb turn colour off. Unreadable inputs fail the run in \
          every format too: a failing JUnit test case, a SARIF invocation with \
          executionSuccessful false and a notification per input.

          Suppressed findings (--ignore CODES, or the object's meshctl.io/ignore annotation) \
          are kept and counted in every format but never fail the run; --exclude GLOB skips \
          paths among -f files and -R walks (see docs/rules.md, Suppression). \
          --crd-from-cluster reads the cluster's CustomResourceDefinitions (the global flags \
          choose the cluster; exit 3 when it cannot be reached).

          Memory does not grow with the input: each finding is written out as soon as it is \
          final (past 1 MiB of text, to an unlinked temporary file; -o junit keeps them, to \
          group them by object), and once the summaries the cross-document checks keep pass \
          2 MiB, they move to an unlinked temporary file in $TMPDIR (else /tmp).

          Examples:
            \(Meshctl.displayName) validate -f deploy/ -R
            \(Meshctl.displayName) validate -f app.yaml -o sarif > meshctl.sarif
            kustomize build . | \(Meshctl.displayName) validate -f - --fail-on warning
            \(Meshctl.displayName) validate -f deploy/ -R --exclude '**/testdata' --ignore MC2001
          """)
    }

    /// Output format.
    public enum Format: String, ArgumentChoice, Sendable {
      case text, json, junit, sarif, github
    }

    /// kubectl's global flags: the cluster `--crd-from-cluster` reads.
    @OptionGroup(title: ClusterOptions.title) public var cluster: ClusterOptions
    /// Where manifests come from.
    @OptionGroup public var input: InputOptions

    /// Output format.
    @Option(
      name: [.customShort("o"), .long],
      help: ArgumentHelp("Output format: text, json, junit, sarif or github.", valueName: "format"))
    public var output: Format = .text

    /// The lowest severity that makes the command exit 1.
    @Option(
      name: .customLong("fail-on"),
      help: ArgumentHelp(
        "Exit 1 on findings at or above this severity: error, warning or never; unchecked: errors and objects of kinds without a schema.", valueName: "severity"))
    public var failOn: FailOn = .error

    /// What standard input is called.
    @Option(
      name: .customLong("stdin-name"),
      help: ArgumentHelp("The name standard input goes by in findings and every report format.", valueName: "name"))
    public var stdinName: String?

    /// Unknown fields are errors.
    @Flag(
      help: "Treat unknown fields as errors in kinds whose schema is partial too (elsewhere they always are).")
    public var strict = false

    /// The Kubernetes release whose built-in kinds and versions are served.
    @Option(
      name: .customLong("kubernetes-version"),
      help: ArgumentHelp(
        "The Kubernetes release to check built-in kinds against: \(SchemaCatalog.kubernetesVersions.first!) to \(SchemaCatalog.defaultKubernetesVersion).",
        valueName: "version"))
    public var kubernetesVersion = SchemaCatalog.defaultKubernetesVersion

    /// CustomResourceDefinitions whose custom resources are checked.
    @Option(
      name: .customLong("crd"),
      help: ArgumentHelp(
        "A CustomResourceDefinition file, or a directory of them, whose custom resources are checked; repeat for several.",
        valueName: "path"),
      completion: .file(extensions: ["yaml", "yml", "json"]))
    public var crds: [String] = []

    /// Whether the cluster's CustomResourceDefinitions are used too.
    @Flag(
      name: .customLong("crd-from-cluster"),
      help: "Check custom resources against the cluster's CustomResourceDefinitions too (one list request).")
    public var crdFromCluster = false

    /// Rule codes suppressed everywhere.
    @Option(
      name: .customLong("ignore"),
      help: ArgumentHelp(
        "Suppress findings of these rule codes (MC2002,MC1003; repeatable): kept and counted, never failing the run.",
        valueName: "codes"))
    public var ignore: [String] = []

    /// Paths not to read.
    @Option(
      name: .customLong("exclude"),
      help: ArgumentHelp(
        "Skip input paths matching this glob (* within a directory, ** across them; repeatable).",
        valueName: "glob"))
    public var exclude: [String] = []

    /// A MeshConfig whose sidecar settings the analysis uses (a Job's classic sidecar, MC4002).
    @Option(
      name: .customLong("config"),
      help: ArgumentHelp(
        "A meshctl.io/v1alpha1 MeshConfig: how the mesh runs sidecars (nativeSidecar, kubernetesVersion), for Jobs that would never complete.",
        valueName: "path"),
      completion: .file(extensions: ["yaml", "yml", "json"]))
    public var config: String?

    /// How many threads read and check documents.
    @Option(
      name: .customLong("jobs"),
      help: ArgumentHelp(
        "Threads that read and check documents (default: one per processor); 1 reads on one thread. The report is the same.",
        valueName: "n"))
    public var jobs: Int?

    /// Creates the command with defaults.
    public init() {}

    public func validate() throws {
      if let jobs, jobs < 1 { throw ValidationError("--jobs \(jobs): give 1 or more threads") }
    }

    public func run(in context: CommandContext) throws -> ExitStatus {
      let context = input.applying(to: context)
      guard let catalog = SchemaCatalog(kubernetesVersion: kubernetesVersion) else {
        throw ValidationError(
          "--kubernetes-version \(kubernetesVersion): meshctl carries Kubernetes \(SchemaCatalog.kubernetesVersions.joined(separator: ", "))")
      }
      let suppressions = try Self.suppressions(ignore)
      let meshConfig = try config.map { try MeshConfigFile.load($0, context: context) }
      let crdErrors = try Self.addCustomResourceDefinitions(crds, to: catalog, context: context)
      if crdFromCluster {
        let api = try ClusterSession(options: cluster, context: context).api
        try awaitCompletion { try await ClusterCustomResources.addDefinitions(from: api, to: catalog) }
      }
      var frontend = try InputFrontend(input, context: context)
      frontend.standardInputName = stdinName
      frontend.exclusion = PathExclusion(exclude)
      frontend.jobs = jobs ?? ManifestReader.availableProcessors
      // For tests: pieces of a few bytes cut small inputs at every `---` line.
      if let bytes = context.environment["MESHCTL_PIECE_BYTES"].flatMap({ Int($0) }), bytes > 0 {
        frontend.pieceBytes = bytes
      }
      // Only JUnit lists objects; the other formats need their count alone, and write each
      // finding out as it becomes final.
      let stream = findingStream(color: context.stdoutAllowsColor)
      var report = Self.report(
        of: frontend, options: ValidationOptions(strict: strict, uncheckedIsError: failOn == .unchecked),
        catalog: catalog, recordsObjects: output == .junit, suppressions: suppressions, meshConfig: meshConfig,
        stream: stream)
      report.inputErrors.insert(contentsOf: crdErrors, at: 0)
      if let stream {
        stream.finish(report, into: context.stdout)
      } else {
        context.stdout.write(render(report, color: context.stdoutAllowsColor))
      }
      return report.exitStatus(failOn: failOn)
    }

    /// Validates the inputs of `frontend` one document at a time, so memory stays flat however
    /// long the input; unreadable inputs are reported on standard error as they happen. The
    /// report says how long the run and each input took (JUnit's `time`).
    static func report(
      of frontend: InputFrontend, options: ValidationOptions, catalog: SchemaCatalog? = nil, recordsObjects: Bool,
      suppressions: Suppressions = Suppressions(), meshConfig: MeshConfig? = nil, stream: (any FindingStream)? = nil
    ) -> ValidationReport {
      // Standard input cannot be read twice: only then does the analysis keep source lines.
      var session = ValidationSession(
        options: options, catalog: catalog, recordsObjects: recordsObjects, suppressions: suppressions,
        retainsSourceLines: frontend.readsStandardInput, meshConfig: meshConfig, stream: stream)
      let context = frontend.context
      let started = context.now()
      var lap = started
      var fileSeconds: [String: Double] = [:]
      frontend.read(into: &session, finished: { name in
        let now = context.now()
        fileSeconds[name, default: 0] += now.timeIntervalSince(lap)
        lap = now
      })
      // A file that vanished since it was read just loses its carets.
      var report = session.finish { file, lines in (try? SourceLines.lines(lines, in: context.openFile(file))) ?? [:] }
      report.seconds = context.now().timeIntervalSince(started)
      report.fileSeconds = fileSeconds
      return report
    }

    /// The `--ignore` values as suppressions; a code that is no rule, or cannot be ignored, is
    /// a usage error (with the closest rule).
    static func suppressions(_ values: [String]) throws -> Suppressions {
      let codes = values.flatMap(Suppressions.codes(in:))
      if let problem = codes.lazy.compactMap({ Suppressions.problem(with: $0) }).first {
        throw ValidationError(problem)
      }
      return Suppressions(ignoredCodes: Set(codes))
    }

    /// Adds the CustomResourceDefinitions of the `--crd` paths to `catalog`; returns the
    /// messages of the paths that could not be read (reported on standard error already).
    /// Throws the usage error when a path holds no CustomResourceDefinition.
    static func addCustomResourceDefinitions(_ paths: [String], to catalog: SchemaCatalog, context: CommandContext)
      throws -> [String]
    {
      var unreadable: [String] = []
      for path in paths {
        var added = 0
        let failed = try InputFrontend(arguments: [path], recursive: true, context: context).read(
          document: { document in
            for object in document.objects { added += catalog.addCustomResourceDefinition(object.node).count }
          }, unreadable: { _, message in unreadable.append(message) })
        if !failed && added == 0 {
          throw ValidationError("--crd \(path): no CustomResourceDefinition with a served version found")
        }
      }
      return unreadable
    }

    /// Where the chosen format writes findings as they become final; nil for JUnit, which
    /// groups them by file and object at the end.
    func findingStream(color: Bool) -> (any FindingStream)? {
      switch output {
      case .text: return TextReport.Stream(color: color)
      case .json: return JSONReport.Stream(failOn: failOn)
      case .junit: return nil
      case .sarif: return SARIFReport.Stream(toolVersion: MeshctlVersion.current, failOn: failOn)
      case .github: return GitHubReport.Stream()
      }
    }

    /// The report in the chosen format.
    func render(_ report: ValidationReport, color: Bool) -> String {
      switch output {
      case .text: return TextReport(color: color).render(report)
      case .json: return JSONReport.render(report, failOn: failOn)
      case .junit: return JUnitReport.render(report, failOn: failOn)
      case .sarif: return SARIFReport.render(report, toolVersion: MeshctlVersion.current, failOn: failOn)
      case .github: return GitHubReport.render(report)
      }
    }
  }
}

extension ValidationReport {
  /// The exit status the report means: 2 for unreadable input (before anything else), 1 for
  /// findings at or above `failOn`, else 0.
  public func exitStatus(failOn: FailOn) -> ExitStatus {
    switch outcome(failOn: failOn) {
    case .passed: return .success
    case .failed: return .findings
    case .unreadableInput: return .inputError
    }
  }
}

extension FailOn: ArgumentChoice {}
