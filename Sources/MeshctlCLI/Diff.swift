import ArgumentParser
import KubeClient
import Manifest

extension Meshctl {
  /// `meshctl diff`: what `apply` would change, from a server-side dry run.
  public struct Diff: ContextualCommand {
    public static var configuration: CommandConfiguration {
      CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would change in the cluster (server-side dry run).",
        discussion: """
          For every object, the live object is compared with what the server answers to a \
          server-side apply with dryRun=All, in the unified format of `diff -u` (managedFields \
          and other server bookkeeping left out). Like `kubectl diff`: exit 0 when nothing \
          would change, 1 when something would, above 1 on errors.

          Examples:
            \(Meshctl.displayName) diff -f app.yaml
            \(Meshctl.displayName) inject -f app.yaml | \(Meshctl.displayName) diff -f -
          """)
    }

    @OptionGroup public var cluster: ClusterOptions
    @OptionGroup public var input: InputOptions
    @OptionGroup public var policy: PolicyOptions

    /// Take over fields other managers own in the dry run.
    @Flag(name: .customLong("force-conflicts"), help: "Show the result of taking fields that other field managers own.")
    public var forceConflicts = false

    /// The field manager name.
    @Option(
      name: .customLong("field-manager"),
      help: ArgumentHelp("The field manager the dry-run apply uses.", valueName: "name"))
    public var fieldManager = "meshctl"

    public init() {}

    public func run(in context: CommandContext) throws -> ExitStatus {
      let target = try ClusterInput(input: input, cluster: cluster, policy: policy, context: context)
      let api = target.session.api
      let options = ApplyOptions(fieldManager: fieldManager, force: forceConflicts, dryRun: true)
      let objects = target.resolved
      let outcomes = try awaitCompletion {
        await ObjectBatch(api: api).inTiers(objects, order: ApplyTier.allCases) {
          object in
          async let live = api.get(object.resource, namespace: object.namespace, name: object.name)
          async let merged = api.apply(
            object.body, as: object.resource, namespace: object.namespace, name: object.name, options: options)
          return try await (live, merged)
        }
      }
      var failures: [any Error] = []
      var changed = false
      for (object, outcome) in zip(objects, outcomes) {
        switch outcome {
        case .success(let (live, merged)):
          let text = Self.diff(live: live, merged: merged, name: Self.fileName(object))
          if !text.isEmpty {
            changed = true
            context.stdout.write(text)
          }
        case .failure(let error) where target.isDryRunInNewNamespace(error, object: object):
          // The server cannot dry-run inside a namespace the input creates: the object is new.
          changed = true
          context.stdout.write(Self.diff(live: nil, merged: object.body, name: Self.fileName(object)))
        case .failure(let error):
          context.stderr.write(ClusterFailure.message(error, object: object) + "\n")
          failures.append(error)
        }
      }
      for object in target.deferred {
        context.stderr.write(
          "\(ObjectBatch.source(of: object)): \(object.reference): its type is defined by a CRD in the input that is not applied yet; not compared\n"
        )
      }
      if !failures.isEmpty { return ClusterFailure.status(of: failures) }
      return changed ? .findings : .success
    }

    /// `apps.v1.Deployment.shop.web`, the name kubectl gives each compared file.
    static func fileName(_ object: ResolvedObject) -> String {
      let groupVersion = object.resource.groupVersion.replacingSlashes
      return [groupVersion, object.resource.kind, object.namespace, object.name].compactMap { $0 }.joined(
        separator: ".")
    }

    /// The unified diff of the live object (nil: absent) and the dry run's answer.
    static func diff(live: Node?, merged: Node, name: String) -> String {
      let old = live.map { YAMLEmitter.emit(comparable($0)) } ?? ""
      let new = YAMLEmitter.emit(comparable(merged))
      let body = UnifiedDiff.render(old: old, new: new, oldName: "live/\(name)", newName: "merged/\(name)")
      return body.isEmpty ? "" : "diff -u -N live/\(name) merged/\(name)\n" + body
    }

    /// The object without server bookkeeping that changes on every write, keys sorted so the
    /// two sides line up whatever order the server wrote them in.
    static func comparable(_ node: Node) -> Node {
      let bookkeeping: Set<String> = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"]
      guard var entries = node.mapping else { return sorted(node) }
      if let index = entries.firstIndex(where: { $0.key == "metadata" }), let metadata = entries[index].value.mapping {
        entries[index].value = .mapping(metadata.filter { !bookkeeping.contains($0.key) })
      }
      return sorted(.mapping(entries))
    }

    private static func sorted(_ node: Node) -> Node {
      switch node.content {
      case .scalar: return node
      case .sequence(let items): return .sequence(items.map(sorted))
      case .mapping(let entries):
        return .mapping(entries.sorted { $0.key < $1.key }.map { MappingEntry(key: $0.key, value: sorted($0.value)) })
      }
    }
  }
}

extension String {
  /// The string with `/` replaced by `.` (`apps/v1` → `apps.v1`).
  fileprivate var replacingSlashes: String { String(map { $0 == "/" ? "." : $0 }) }
}
