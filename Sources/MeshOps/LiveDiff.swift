import KubeClient
import Manifest

/// What `apply` would change: each live object against the server's dry-run answer.
public enum LiveDiff {
  /// How one object compares.
  public enum Entry: Sendable {
    /// The live object and the dry run's answer.
    case compared(Comparison)
    /// The object is new in a namespace the input creates: the whole of it is added.
    case new(Comparison)
    /// The live object or the dry run failed.
    case failed(ResolvedObject, any Error)
  }

  /// One object's two sides, as YAML with the server's bookkeeping left out.
  public struct Comparison: Sendable, Equatable {
    /// `apps.v1.Deployment.shop.web`: the file name of both sides.
    public var name: String
    /// The live object (empty: it does not exist).
    public var live: String
    /// What the object would be after the apply.
    public var merged: String

    /// The unified diff, `diff -u -N live/NAME merged/NAME` style; empty when nothing would change.
    public var unified: String {
      let body = UnifiedDiff.render(old: live, new: merged, oldName: "live/\(name)", newName: "merged/\(name)")
      return body.isEmpty ? "" : "diff -u -N live/\(name) merged/\(name)\n" + body
    }
  }

  /// Fetches each object and dry-runs its apply (tier by tier); one entry per object, in order.
  public static func run(_ plan: ApplyPlan, options: ApplyOptions) async -> [Entry] {
    let api = plan.api
    let objects = plan.resolved
    var options = options
    options.dryRun = true
    let dryRun = options
    let outcomes = await ObjectBatch(api: api).inTiers(objects, order: ApplyTier.allCases) { object in
      async let live = api.get(object.resource, namespace: object.namespace, name: object.name)
      async let merged = api.apply(
        object.body, as: object.resource, namespace: object.namespace, name: object.name, options: dryRun)
      return try await (live, merged)
    }
    return zip(objects, outcomes).map { object, outcome in
      switch outcome {
      case .success(let (live, merged)): return .compared(comparison(live: live, merged: merged, name: fileName(object)))
      case .failure(let error) where plan.isDryRunInNewNamespace(error, object: object):
        // The server cannot dry-run inside a namespace the input creates: the object is new.
        return .new(comparison(live: nil, merged: object.body, name: fileName(object)))
      case .failure(let error): return .failed(object, error)
      }
    }
  }

  /// The note for an object whose type a CRD of the input defines: it cannot be compared yet.
  public static func notCompared(_ object: ManifestObject) -> String {
    "\(ObjectBatch.source(of: object)): \(object.reference): its type is defined by a CRD in the input that is not applied yet; not compared"
  }

  /// `apps.v1.Deployment.shop.web`, the name kubectl gives each compared file.
  public static func fileName(_ object: ResolvedObject) -> String {
    let groupVersion = String(object.resource.groupVersion.map { $0 == "/" ? "." : $0 })
    return [groupVersion, object.resource.kind, object.namespace, object.name].compactMap { $0 }.joined(separator: ".")
  }

  /// The live object (nil: absent) and the dry run's answer, side by side; a Secret's values
  /// show as kubectl shows them (`SecretMask.maskedPair`).
  public static func comparison(live: Node?, merged: Node, name: String) -> Comparison {
    let (live, merged) = SecretMask.maskedPair(before: live, after: merged)
    return Comparison(
      name: name, live: live.map { YAMLEmitter.emit(comparable($0)) } ?? "",
      merged: YAMLEmitter.emit(comparable(merged)))
  }


  /// The object without server bookkeeping that changes on every write, keys sorted so the
  /// two sides line up whatever order the server wrote them in.
  public static func comparable(_ node: Node) -> Node {
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
