import Manifest

/// An input object matched to its resource type, namespace and name: ready to send.
public struct ResolvedObject: Sendable {
  /// The object as it will be sent (its namespace filled in when the input left it out).
  public var body: Node
  /// Its resource type.
  public var resource: APIResource
  /// Its namespace; nil for cluster-scoped types.
  public var namespace: String?
  /// Its name.
  public var name: String
  /// Where it came from, `file:line`, for messages.
  public var source: String

  /// `deployment.apps/web`, the form of kubectl's result lines.
  public var reference: String { "\(resource.resultPrefix)/\(name)" }

  /// `deployments.apps "web"`, the form of kubectl's error lines.
  public var quotedReference: String { "\(resource.qualifiedName) \"\(name)\"" }
}

/// Why an input object cannot be sent.
public struct ObjectProblem: Error, Sendable, CustomStringConvertible {
  /// Where the object came from, `file:line`.
  public var source: String
  /// The object, as the input names it (`Deployment shop/web`).
  public var object: String
  /// What is wrong.
  public var reason: String
  /// Whether the cluster said so (its type is unknown there) rather than the input.
  public var fromCluster: Bool

  /// Creates a problem.
  public init(source: String, object: String, reason: String, fromCluster: Bool) {
    self.source = source
    self.object = object
    self.reason = reason
    self.fromCluster = fromCluster
  }

  public var description: String { "\(source): \(object): \(reason)" }
}

/// Sends many objects to one server: resolves their types through discovery before the first
/// write, then applies or deletes them tier by tier, concurrently within a tier.
public struct ObjectBatch: Sendable {
  /// The server.
  public let api: KubeAPI

  /// Creates a batch against `api`.
  public init(api: KubeAPI) { self.api = api }

  /// Matches every object to its type and namespace. Objects whose type a
  /// CustomResourceDefinition in the same input defines are resolved after that CRD is applied
  /// (`deferred`); everything else unknown is a problem, reported before anything is sent.
  public func resolve(_ objects: [ManifestObject]) async -> (
    resolved: [ResolvedObject], deferred: [ManifestObject], problems: [ObjectProblem]
  ) {
    let definedHere = Set(objects.compactMap(Self.definedType))
    await fetchDiscovery(for: objects)
    var resolved: [ResolvedObject] = []
    var deferred: [ManifestObject] = []
    var problems: [ObjectProblem] = []
    for object in objects {
      do {
        resolved.append(try await resolve(object))
      } catch let problem as ObjectProblem {
        let (group, _) = KubeAPI.split(groupVersion: object.apiVersion ?? "")
        if problem.fromCluster, definedHere.contains(TypeKey(group: group, kind: object.kind ?? "")) {
          deferred.append(object)
        } else {
          problems.append(problem)
        }
      } catch {
        problems.append(
          ObjectProblem(
            source: Self.source(of: object), object: object.reference, reason: "\(error)", fromCluster: true))
      }
    }
    return (resolved, deferred, problems)
  }

  /// Fetches the discovery document of every group version `objects` use at the same time (one
  /// round trip, not one per group version in turn). Failures stay in the discovery cache, so
  /// resolving an object reports them as before.
  func fetchDiscovery(for objects: [ManifestObject]) async {
    await withTaskGroup(of: Void.self) { group in
      for apiVersion in Set(objects.compactMap(\.apiVersion)) {
        group.addTask { _ = try? await api.resources(groupVersion: apiVersion) }
      }
    }
  }

  /// Matches one object to its type, namespace and name.
  public func resolve(_ object: ManifestObject) async throws -> ResolvedObject {
    let source = Self.source(of: object)
    func problem(_ reason: String, fromCluster: Bool = false) -> ObjectProblem {
      ObjectProblem(source: source, object: object.reference, reason: reason, fromCluster: fromCluster)
    }
    guard let apiVersion = object.apiVersion, let kind = object.kind else {
      throw problem("apiVersion and kind are required")
    }
    guard let name = object.name, !name.isEmpty else { throw problem("metadata.name is required") }
    let resource: APIResource
    do {
      resource = try await api.resource(apiVersion: apiVersion, kind: kind)
    } catch let error as KubeAPIError {
      throw problem(error.description, fromCluster: true)
    }
    guard resource.namespaced else {
      return ResolvedObject(body: object.node, resource: resource, namespace: nil, name: name, source: source)
    }
    let namespace = object.namespace ?? api.defaultNamespace
    if api.namespaceFromFlag, namespace != api.defaultNamespace {
      throw problem(
        "the namespace from the object (\"\(namespace)\") does not match the namespace \"\(api.defaultNamespace)\" given with -n; "
          + "pass -n \(namespace) or remove -n")
    }
    return ResolvedObject(
      body: Self.with(namespace: namespace, object.node), resource: resource, namespace: namespace, name: name,
      source: source)
  }

  /// Applies every object, tier by tier; the outcomes come back in the order of `objects`.
  public func apply(_ objects: [ResolvedObject], options: ApplyOptions) async -> [Result<Node, any Error>] {
    await inTiers(objects, order: ApplyTier.allCases) { object in
      try await api.apply(
        object.body, as: object.resource, namespace: object.namespace, name: object.name, options: options)
    }
  }

  /// Deletes every object, the tiers in reverse (policies before the workloads they govern,
  /// namespaces last); each outcome says whether the object existed.
  public func delete(_ objects: [ResolvedObject], dryRun: Bool) async -> [Result<Bool, any Error>] {
    await inTiers(objects, order: ApplyTier.allCases.reversed()) { object in
      try await api.delete(object.resource, namespace: object.namespace, name: object.name, dryRun: dryRun)
    }
  }

  /// Runs `operation` on every object, one tier after the other in `order`, up to `window`
  /// objects of a tier at a time (a request each, as many as the transport keeps in flight).
  /// A task starts as another ends, rather than all of a tier's at once: building hundreds of
  /// request bodies up front kept both cores from the transport thread until the last was
  /// built, so the first request of a tier went out only after all of them (bench/README.md,
  /// "Apply").
  public func inTiers<T: Sendable>(
    _ objects: [ResolvedObject], order: [ApplyTier], window: Int = TransportOptions.clusterRequestsInFlight,
    _ operation: @escaping @Sendable (ResolvedObject) async throws -> T
  ) async -> [Result<T, any Error>] {
    var results = [Result<T, any Error>?](repeating: nil, count: objects.count)
    for tier in order {
      var indices = objects.indices.filter {
        ApplyTier.of(kind: objects[$0].resource.kind, group: objects[$0].resource.group) == tier
      }.makeIterator()
      await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
        func start(_ index: Int) {
          let object = objects[index]
          group.addTask {
            do { return (index, .success(try await operation(object))) } catch { return (index, .failure(error)) }
          }
        }
        for _ in 0..<max(1, window) {
          guard let index = indices.next() else { break }
          start(index)
        }
        for await (index, result) in group {
          results[index] = result
          if let next = indices.next() { start(next) }
        }
      }
    }
    return results.map { $0! }
  }

  // MARK: Helpers

  private struct TypeKey: Hashable {
    var group: String
    var kind: String
  }

  /// The type a CustomResourceDefinition defines.
  private static func definedType(_ object: ManifestObject) -> TypeKey? {
    guard object.kind == "CustomResourceDefinition", let group = object.node[path: "spec", "group"]?.string,
      let kind = object.node[path: "spec", "names", "kind"]?.string
    else { return nil }
    return TypeKey(group: group, kind: kind)
  }

  /// `file:line` of the object.
  public static func source(of object: ManifestObject) -> String {
    object.node.mark.isKnown ? "\(object.document.file):\(object.node.mark.line)" : object.document.file
  }

  /// `node` with `metadata.namespace` set (added after `name` when missing).
  static func with(namespace: String, _ node: Node) -> Node {
    guard var entries = node.mapping, let metadataIndex = entries.firstIndex(where: { $0.key == "metadata" }),
      var metadata = entries[metadataIndex].value.mapping
    else { return node }
    if let existing = metadata.firstIndex(where: { $0.key == "namespace" }) {
      metadata[existing].value = .string(namespace)
    } else {
      let position = (metadata.firstIndex { $0.key == "name" } ?? -1) + 1
      metadata.insert(MappingEntry(key: "namespace", value: .string(namespace)), at: position)
    }
    entries[metadataIndex].value = Node(.mapping(metadata), mark: entries[metadataIndex].value.mark)
    return Node(.mapping(entries), mark: node.mark)
  }
}
