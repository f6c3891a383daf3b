import Manifest

/// What checks an object of one apiVersion and kind.
public enum KindResolution: Sendable {
  /// A schema; `complete` when it describes every field (unknown fields are then errors).
  case schema(Schema, complete: Bool)
  /// A built-in apiVersion and kind the selected Kubernetes release does not serve; `servedAs`
  /// lists the apiVersions that serve the kind there, `releases` the releases that serve this one.
  case notServed(servedAs: [String], releases: [String])
  /// A kind that no built-in apiVersion of its group has; `known` lists the group's kinds.
  case unknownBuiltIn(known: [String])
  /// A misspelt kind in the group of a CRD meshctl carries (`VirtualServce`): `suggestion` is
  /// the kind meant. A kind that is not close to a carried one stays `unknown` (a newer CRD).
  case misspeltCustomKind(suggestion: String)
  /// A kind meshctl has no schema for (a CRD it was not given).
  case unknown
}

/// Every schema `validate` knows, for one Kubernetes release: meshctl's kinds (hand-written),
/// the built-in kinds and mesh CRDs (generated structure under the hand-written rules), and CRDs
/// given at run time (`--crd`, or found in the input). Resolutions are made once per kind and kept.
public final class SchemaCatalog: @unchecked Sendable {
  /// The Kubernetes minor releases whose built-in kinds meshctl carries, oldest first.
  public static var kubernetesVersions: [String] { GeneratedSchemas.kubernetesVersions }
  /// The release used when none is chosen: the newest carried.
  public static var defaultKubernetesVersion: String { kubernetesVersions.last! }
  /// A catalog of the default release with no CRDs added; what `Validator()` uses.
  public static let standard = SchemaCatalog()

  /// The release whose built-in kinds are served (`"1.37"`).
  public let kubernetesVersion: String
  private let lock = Lock()
  private var customResources: [String: Schema] = [:]
  private var resolved: [String: KindResolution] = [:]
  /// The generated definitions resolved so far, shared by the kinds.
  private var materializer = Materializer()
  /// The catalog a replica takes its CustomResourceDefinitions from; nil for an original.
  private let origin: SchemaCatalog?
  /// How many times CustomResourceDefinitions were added (an original's); a replica's, the
  /// origin's count its resolutions were made with.
  private var generation = 0

  /// Creates a catalog for a release (`1.33` or `v1.33.2`); nil when meshctl carries no
  /// schemas for it.
  public init?(kubernetesVersion: String) {
    guard let version = Self.minorRelease(kubernetesVersion) else { return nil }
    self.kubernetesVersion = version
    origin = nil
  }

  private init() {
    kubernetesVersion = Self.defaultKubernetesVersion
    origin = nil
  }

  private init(replicating origin: SchemaCatalog) {
    kubernetesVersion = origin.kubernetesVersion
    self.origin = origin
  }

  /// A catalog that checks what this one checks, with resolutions and schemas of its own: one
  /// per thread, so that threads checking objects at once do not share (and contend for the
  /// reference counts of) one set of schemas. CustomResourceDefinitions added to either go to
  /// this one, and the replica follows them.
  public func replica() -> SchemaCatalog {
    SchemaCatalog(replicating: origin ?? self)
  }

  /// `1.33` for `1.33`, `v1.33`, `1.33.4`; nil for a release meshctl does not carry.
  public static func minorRelease(_ text: String) -> String? {
    let digits = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
    let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
    let minor = parts[0] + "." + parts[1]
    return kubernetesVersions.contains(String(minor)) ? String(minor) : nil
  }

  /// Adds the served versions of a CustomResourceDefinition (`apiextensions.k8s.io/v1`); they
  /// replace what meshctl carries for the same kinds. Returns the kinds added (`Foo.example.com/v1`).
  @discardableResult
  public func addCustomResourceDefinition(_ node: Node) -> [String] {
    if let origin { return origin.addCustomResourceDefinition(node) }
    guard node["kind"]?.string == "CustomResourceDefinition", let spec = node["spec"],
      let group = spec["group"]?.string, let kind = spec[path: "names", "kind"]?.string,
      let versions = spec["versions"]?.sequence
    else { return [] }
    let compiler = OpenAPICompiler()
    var added: [String] = []
    lock.withLock {
      for version in versions where version["served"]?.bool != false {
        guard let name = version["name"]?.string, let schema = version[path: "schema", "openAPIV3Schema"] else {
          continue
        }
        let key = group + "/" + name + " " + kind
        customResources[key] = compiler.compileCustomResource(schema)
        resolved[key] = nil
        added.append("\(kind).\(group)/\(name)")
      }
      if !added.isEmpty { generation += 1 }
    }
    return added
  }

  /// The origin's CustomResourceDefinitions when they changed since `generation`.
  private func customResources(after generation: Int) -> (resources: [String: Schema], generation: Int)? {
    lock.withLock { self.generation == generation ? nil : (customResources, self.generation) }
  }

  /// What checks objects of an apiVersion and kind.
  public func resolve(apiVersion: String, kind: String) -> KindResolution {
    let key = apiVersion + " " + kind
    return lock.withLock {
      if let origin, let changed = origin.customResources(after: generation) {
        (customResources, generation) = changed
        resolved = [:]
      }
      if let known = resolved[key] { return known }
      let resolution = make(apiVersion: apiVersion, kind: kind, key: key)
      resolved[key] = resolution
      return resolution
    }
  }

  private func make(apiVersion: String, kind: String, key: String) -> KindResolution {
    let handWritten = SchemaRegistry.schema(apiVersion: apiVersion, kind: kind)?.schema
    if apiVersion.hasPrefix(SchemaRegistry.meshctlGroup + "/") {
      return handWritten.map { .schema($0, complete: true) } ?? .unknown
    }
    if let structure = customResources[key] ?? generatedStructure(key) {
      let schema = handWritten.map { $0.overlaying(structure) } ?? structure
      return .schema(materializer.materialize(schema), complete: true)
    }
    if case .builtIn(let releases) = GeneratedSchemas.index[key] {
      return .notServed(servedAs: servingAPIVersions(of: kind), releases: releases.keys.sorted(by: Self.olderRelease))
    }
    if let handWritten { return .schema(handWritten, complete: false) }
    if isBuiltInGroup(apiGroup(apiVersion)) {
      let served = servingAPIVersions(of: kind)
      if !served.isEmpty { return .notServed(servedAs: served, releases: []) }
      return .unknownBuiltIn(known: kinds(inGroup: apiGroup(apiVersion)))
    }
    // A carried kind at a version meshctl does not carry may be newer than the pinned CRDs.
    let carried = carriedCustomKinds(inGroup: apiGroup(apiVersion))
    if !carried.contains(kind), let suggestion = Suggestions.closest(to: kind, among: carried) {
      return .misspeltCustomKind(suggestion: suggestion)
    }
    return .unknown
  }

  /// The kinds of the CRDs meshctl carries in a group, any version.
  private func carriedCustomKinds(inGroup group: String) -> Set<String> {
    var kinds = Set<String>()
    for (key, generated) in GeneratedSchemas.index {
      guard case .customResource = generated, apiGroup(String(key.prefix { $0 != " " })) == group else { continue }
      kinds.insert(String(key.drop { $0 != " " }.dropFirst()))
    }
    return kinds
  }

  /// The generated structure of a kind in this release.
  private func generatedStructure(_ key: String) -> Schema? {
    switch GeneratedSchemas.index[key] {
    case .builtIn(let releases)?:
      return releases[kubernetesVersion].map { .lazy(GeneratedSchemas.definitions[$0]) }
    case .customResource(let number)?:
      return GeneratedSchemas.compiler.compileCustomResource(
        Node.parse(GeneratedSchemas.definitionText(number)) ?? .null)
    case nil:
      return nil
    }
  }

  /// A group whose every kind is built in: one the generated kinds use, or one without a dot
  /// (a CRD's group must have one; `extensions`, `policy`).
  private func isBuiltInGroup(_ group: String) -> Bool {
    !group.contains(".") || GeneratedSchemas.builtInGroups.contains(group)
  }

  /// The built-in apiVersions that serve a kind in this release.
  private func servingAPIVersions(of kind: String) -> [String] {
    GeneratedSchemas.index.compactMap { key, generated -> String? in
      guard case .builtIn(let releases) = generated, releases[kubernetesVersion] != nil,
        key.hasSuffix(" " + kind)
      else { return nil }
      return String(key.prefix { $0 != " " })
    }.sorted()
  }

  /// The kinds built-in apiVersions of a group serve in this release.
  private func kinds(inGroup group: String) -> [String] {
    let kinds = GeneratedSchemas.index.compactMap { key, generated -> String? in
      guard case .builtIn(let releases) = generated, releases[kubernetesVersion] != nil else { return nil }
      let apiVersion = String(key.prefix { $0 != " " })
      return apiGroup(apiVersion) == group ? String(key.drop { $0 != " " }.dropFirst()) : nil
    }
    return Set(kinds).sorted()
  }

  /// `1.9` before `1.10`.
  static func olderRelease(_ lhs: String, _ rhs: String) -> Bool {
    let (l, r) = (lhs.split(separator: ".").compactMap { Int($0) }, rhs.split(separator: ".").compactMap { Int($0) })
    return l.lexicographicallyPrecedes(r)
  }
}
