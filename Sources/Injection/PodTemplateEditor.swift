import Manifest
import MeshSchema

/// What a provider adds to a pod template.
struct SidecarParts {
  /// Init containers that go before the workload's own (traffic redirect, native sidecar).
  var leadingInitContainers: [Node] = []
  /// Init containers that go after the workload's own.
  var trailingInitContainers: [Node] = []
  /// Containers that go before the workload's own.
  var leadingContainers: [Node] = []
  /// Containers that go after the workload's own.
  var trailingContainers: [Node] = []
  var volumes: [Node] = []
  var labels: [(String, String)] = []
  var annotations: [(String, String)] = []
  /// Replacement probes: container name → probe field (`livenessProbe`) → new probe.
  var probes: [String: [String: Node]] = [:]

  /// `name` (a workload's) as a label value; nil when it is none: names run to 253 characters,
  /// label values to 63, and the API server refuses a template with a longer one. The mesh
  /// injectors stamp it regardless, and the workload then never gets a pod; meshctl leaves the
  /// label out (FuzzInjection).
  static func labelValue(_ name: String) -> String? {
    Formats.labelValueProblem(name) == nil ? name : nil
  }
}

/// The annotation in which meshctl records exactly what injection changed, so that `uninject`
/// (and re-injection with other settings) restores the pod template as it was.
public let injectionRecordAnnotation = "meshctl.io/injection"

/// Edits pod templates: applies sidecar parts with a record of every change, and undoes them.
enum PodTemplateEditor {
  // MARK: Reading

  /// The names of all containers and init containers.
  static func containerNames(in template: Node) -> [String] {
    let spec = template["spec"]
    return ((spec?["initContainers"]?.sequence ?? []) + (spec?["containers"]?.sequence ?? [])).compactMap {
      $0["name"]?.string
    }
  }

  /// The first part of a pod template that has the wrong type for injection to work on
  /// (`metadata.labels is a string`), or nil when its shape is fine.
  static func malformedPart(of template: Node) -> String? {
    let mappings = [["metadata"], ["metadata", "labels"], ["metadata", "annotations"], ["spec"]]
    let sequences = [["spec", "containers"], ["spec", "initContainers"], ["spec", "volumes"]]
    for path in mappings {
      if let node = template.value(at: path), node.mapping == nil, !node.isNull {
        return "\(path.joined(separator: ".")) is \(node.typeName == "object" ? "an" : "a") \(node.typeName), not an object"
      }
    }
    for path in sequences {
      if let node = template.value(at: path), node.sequence == nil, !node.isNull {
        return "\(path.joined(separator: ".")) is \(node.typeName == "object" ? "an" : "a") \(node.typeName), not a list"
      }
      for item in template.value(at: path)?.sequence ?? [] where item.mapping == nil || item["name"]?.string == nil {
        return "\(path.joined(separator: ".")) has an item without a name"
      }
    }
    // Kubernetes refuses a pod whose containers (init containers included) share a name; the
    // proxy's per-container state (rewritten probes) would mix them up.
    var seen = Set<String>()
    for name in containerNames(in: template) where !seen.insert(name).inserted {
      return "two containers are named \(name)"
    }
    return nil
  }

  /// The first container or volume the parts would add whose name the template already uses,
  /// described for a message (`a container named istio-init`); nil when there is none.
  static func nameClash(_ parts: SidecarParts, in template: Node) -> String? {
    let containers = Set(containerNames(in: template))
    let added = parts.leadingInitContainers + parts.trailingInitContainers + parts.leadingContainers + parts.trailingContainers
    if let name = added.compactMap({ $0["name"]?.string }).first(where: containers.contains) {
      return "a container named \(name)"
    }
    let volumes = Set((template[path: "spec", "volumes"]?.sequence ?? []).compactMap { $0["name"]?.string })
    if let name = parts.volumes.compactMap({ $0["name"]?.string }).first(where: volumes.contains) {
      return "a volume named \(name)"
    }
    return nil
  }

  // MARK: Applying

  /// Adds the parts to the template and records what changed in the record annotation.
  static func apply(_ parts: SidecarParts, to template: inout Node) {
    var record = Record()
    var metadata = record.take("metadata", from: template, empty: .mapping([]))
    var spec = record.take("spec", from: template, empty: .mapping([]))

    var annotations = record.take("annotations", from: metadata, empty: .mapping([]))
    var labels = record.take("labels", from: metadata, empty: .mapping([]))
    set(parts.labels, in: &labels, recording: &record.labels, raw: &record.raw, prefix: "labels/")
    set(parts.annotations, in: &annotations, recording: &record.annotations, raw: &record.raw, prefix: "annotations/")

    // Containers first: a new initContainers key goes right after them, whatever existed before.
    var containers = record.take("containers", from: spec, empty: .sequence([])).sequence ?? []
    containers = rewriteProbes(parts.probes, in: containers, recording: &record.probes)
    spec["containers"] = .sequence(parts.leadingContainers + containers + parts.trailingContainers)
    record.containers = (parts.leadingContainers + parts.trailingContainers).compactMap { $0["name"]?.string }
    let leading = parts.leadingInitContainers, trailing = parts.trailingInitContainers
    if !leading.isEmpty || !trailing.isEmpty {
      let existing = record.take("initContainers", from: spec, empty: .sequence([])).sequence ?? []
      spec.insert("initContainers", .sequence(leading + existing + trailing), after: "containers")
      record.initContainers = (leading + trailing).compactMap { $0["name"]?.string }
    }
    if !parts.volumes.isEmpty {
      let existing = record.take("volumes", from: spec, empty: .sequence([])).sequence ?? []
      spec["volumes"] = .sequence(existing + parts.volumes)
      record.volumes = parts.volumes.compactMap { $0["name"]?.string }
    }

    record.annotations[injectionRecordAnnotation] = nil
    annotations[injectionRecordAnnotation] = .string(record.json)
    // Annotations read best before labels, as kubectl prints them.
    metadata.insert("annotations", annotations, before: "labels")
    metadata["labels"] = labels
    template.insert("metadata", metadata, before: "spec")
    template["spec"] = spec
  }

  /// Sets string values, recording for each key its previous value (nil when it was added).
  /// A previous value that was not a string (null, a number, a mapping) is also kept as YAML
  /// text in `raw`, so uninject gives back its type and spelling, not a string.
  private static func set(
    _ pairs: [(String, String)], in map: inout Node, recording: inout [String: String?], raw: inout [String: String],
    prefix: String
  ) {
    for (key, value) in pairs {
      let node = map[key]
      let previous = node?.scalar.map(\.text)
      let isString = node?.scalar?.kind == .string
      if previous != value || (node != nil && !isString), recording.index(forKey: key) == nil {
        if let node, !isString {
          // One spelling for every null (`key:` reads as "", a restored null as "null").
          let text = YAMLEmitter.emit(node)
          raw[prefix + key] = text
          recording[key] = .some(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
        } else {
          recording[key] = .some(previous)
        }
      }
      map[key] = .string(value)
    }
  }

  private static func rewriteProbes(
    _ probes: [String: [String: Node]], in containers: [Node], recording: inout [String: [String: Node]]
  ) -> [Node] {
    containers.map { container in
      guard let name = container["name"]?.string, let replacements = probes[name] else { return container }
      var container = container
      for (field, probe) in replacements.sorted(by: { $0.key < $1.key }) {
        recording[name, default: [:]][field] = container[field]
        container[field] = probe
      }
      return container
    }
  }

  /// Marks the template for the cluster's injector: Istio's label, Linkerd's annotation.
  static func markForWebhook(_ template: inout Node, provider: MeshProvider) {
    var metadata = template["metadata"] ?? .mapping([])
    switch provider {
    case .istio:
      var labels = metadata["labels"] ?? .mapping([])
      labels["sidecar.istio.io/inject"] = .string("true")
      metadata["labels"] = labels
    case .linkerd:
      var annotations = metadata["annotations"] ?? .mapping([])
      annotations["linkerd.io/inject"] = .string("enabled")
      metadata.insert("annotations", annotations, before: "labels")
    }
    template.insert("metadata", metadata, before: "spec")
  }

  // MARK: Undoing

  /// Why the template's injection record cannot be trusted to take the sidecar out exactly, or
  /// nil (no record, or one that agrees with the template). A record edited by hand, one that
  /// lists containers, volumes or keys the template no longer has, or one beside a sidecar it
  /// does not list (another injector's, or parts of its own left behind) would have uninject
  /// remove the wrong things or leave a sidecar in place, and injecting again would stack a
  /// second sidecar on what is left: such a workload is left alone, with this reason.
  static func untrustedRecordReason(_ template: Node) -> String? {
    guard let value = template[path: "metadata", "annotations"]?[injectionRecordAnnotation] else { return nil }
    let mismatch = "its \(injectionRecordAnnotation) record does not match the pod template"
    guard let text = value.string, let record = Record(json: text) else {
      return "its \(injectionRecordAnnotation) annotation is not the record meshctl wrote"
    }
    if let missing = record.firstMissingPart(in: template) {
      return "\(mismatch): it lists \(missing), which the template does not have"
    }
    var undone = template
    undo(record, in: &undone)
    if removeForeignInjection(&undone) != .nothingToRemove {
      return "\(mismatch): taking out what it lists leaves a sidecar behind"
    }
    return nil
  }

  /// What `uninject` did to a pod template.
  enum Removal: Equatable {
    /// A sidecar was taken out.
    case removed
    /// There was no sidecar to take out.
    case nothingToRemove
    /// An injector's work is there, but its proxy is (or runs) the workload itself: taking it out
    /// would empty or break the pod, so nothing was changed. The reason is for the report.
    case kept(reason: String)
  }

  /// Removes a sidecar: exactly, from meshctl's record; by name, from a provider's own
  /// injection, but only what that injector added (see `workloadProxyReason`).
  @discardableResult
  static func uninject(_ template: inout Node) -> Removal {
    let annotations = template[path: "metadata", "annotations"].stringMap
    if let text = annotations[injectionRecordAnnotation], let record = Record(json: text) {
      undo(record, in: &template)
      return .removed
    }
    return removeForeignInjection(&template)
  }

  private static func undo(_ record: Record, in template: inout Node) {
    guard var metadata = template["metadata"], var spec = template["spec"] else { return }
    var annotations = metadata["annotations"] ?? .mapping([])
    var labels = metadata["labels"] ?? .mapping([])
    annotations[injectionRecordAnnotation] = nil
    restore(record.annotations, raw: record.raw, prefix: "annotations/", in: &annotations)
    restore(record.labels, raw: record.raw, prefix: "labels/", in: &labels)
    metadata["annotations"] = record.original("annotations", now: annotations)
    metadata["labels"] = record.original("labels", now: labels)

    let removeNames = { (items: [Node]?, names: [String]) -> [Node] in
      (items ?? []).filter { !names.contains($0["name"]?.string ?? "") }
    }
    var containers = removeNames(spec["containers"]?.sequence, record.containers)
    containers = containers.map { container in
      guard let name = container["name"]?.string, let originals = record.probes[name] else { return container }
      var container = container
      for (field, probe) in originals.sorted(by: { $0.key < $1.key }) { container[field] = probe }
      return container
    }
    spec["containers"] = record.original("containers", now: .sequence(containers))
    // Only what injection added to: a key it never touched (CNI mode adds no init container)
    // stays exactly as it is, null included.
    if spec["initContainers"] != nil, !record.initContainers.isEmpty {
      let initContainers = removeNames(spec["initContainers"]?.sequence, record.initContainers)
      spec["initContainers"] = record.original("initContainers", now: .sequence(initContainers))
    }
    if spec["volumes"] != nil, !record.volumes.isEmpty {
      let volumes = removeNames(spec["volumes"]?.sequence, record.volumes)
      spec["volumes"] = record.original("volumes", now: .sequence(volumes))
    }
    template["spec"] = record.original("spec", now: spec)
    template["metadata"] = record.original("metadata", now: metadata)
  }

  /// Puts recorded values back: removes added keys, restores replaced ones (with their own
  /// type when `raw` kept it).
  private static func restore(_ recorded: [String: String?], raw: [String: String], prefix: String, in map: inout Node) {
    for (key, previous) in recorded {
      if let text = raw[prefix + key], let node = Node.parse(text) {
        map[key] = node
      } else {
        map[key] = previous.map { .string($0) }
      }
    }
  }

  /// The containers Istio's sidecar template adds, whatever the placement (classic, native,
  /// CNI) and version: the only ones its status may name for uninject to remove them.
  static let istioSidecarContainers: Set<String> = [
    "istio-proxy", "istio-init", "istio-validation", "enable-core-dump",
  ]

  /// Why a pod template's proxy must stay, or nil: Istio's gateway template (the `istio-proxy`
  /// container is the gateway), proxyless gRPC (the template rewrote the application's own
  /// containers), any other non-sidecar template, or an Istio status naming a container its
  /// sidecar template never adds. Read from the template before anything is removed.
  static func workloadProxyReason(_ template: Node) -> String? {
    let annotations = template[path: "metadata", "annotations"].stringMap
    if let value = annotations["inject.istio.io/templates"] {
      let templates = value.split(separator: ",").map { $0.filter { !$0.isWhitespace } }.filter { !$0.isEmpty }
      if !templates.allSatisfy({ $0 == "sidecar" }) {
        let mark = "inject.istio.io/templates: \(value)"
        if templates.contains("gateway") {
          return "the proxy is the workload: istio-proxy is the gateway itself (\(mark)), not a sidecar"
        }
        if templates.contains(where: { $0.hasPrefix("grpc") }) {
          return "proxyless gRPC (\(mark)): Istio's template works inside the application's own containers, "
            + "so there is no sidecar to take out or to add beside it"
        }
        return "\(mark) is not Istio's sidecar template, so what it adds to the workload is not known"
      }
    }
    if let status = annotations["sidecar.istio.io/status"], let node = Node.parse(status) {
      let listed = ["containers", "initContainers"].flatMap { (node[$0]?.sequence ?? []).compactMap(\.string) }
      let present = Set(containerNames(in: template))
      if let name = listed.first(where: { present.contains($0) && !istioSidecarContainers.contains($0) }) {
        return "Istio's sidecar.istio.io/status names the container \(name), which Istio's sidecar template never adds "
          + "(a custom injection template?)"
      }
    }
    return nil
  }

  /// Removes a sidecar injected by Istio's or Linkerd's own injector (no meshctl record): the
  /// containers and volumes the provider's status lists, or its well-known names. Keeps the
  /// template as it is when its proxy is the workload, or when removal would leave no container.
  private static func removeForeignInjection(_ template: inout Node) -> Removal {
    if let reason = workloadProxyReason(template) { return .kept(reason: reason) }
    let annotations = template[path: "metadata", "annotations"].stringMap
    var names = Set<String>()
    var volumes = Set<String>()
    if let status = annotations["sidecar.istio.io/status"],
      let node = Node.parse(status)
    {
      for key in ["containers", "initContainers"] { names.formUnion((node[key]?.sequence ?? []).compactMap(\.string)) }
      volumes.formUnion((node["volumes"]?.sequence ?? []).compactMap(\.string))
    }
    if !Set(containerNames(in: template)).isDisjoint(with: [MeshProvider.linkerd.proxyContainerName, "linkerd-init"]) {
      names.formUnion([MeshProvider.linkerd.proxyContainerName, "linkerd-init", "linkerd-network-validator"])
      volumes.formUnion(["linkerd-proxy-init-xtables-lock", "linkerd-identity-end-entity", "linkerd-identity-token"])
    }
    guard !names.isEmpty, var spec = template["spec"] else { return .nothingToRemove }
    let keep = { (items: [Node]?, drop: Set<String>) in (items ?? []).filter { !drop.contains($0["name"]?.string ?? "") } }
    let containers = spec["containers"]?.sequence ?? []
    let kept = keep(containers, names)
    if kept.isEmpty, !containers.isEmpty {
      let proxies = containers.compactMap { $0["name"]?.string }.joined(separator: ", ")
      return .kept(reason: "the proxy is the workload: removing \(proxies) would leave the pod with no containers")
    }
    spec["containers"] = .sequence(kept)
    if spec["initContainers"] != nil { spec["initContainers"] = .sequence(keep(spec["initContainers"]?.sequence, names)) }
    if spec["volumes"] != nil { spec["volumes"] = .sequence(keep(spec["volumes"]?.sequence, volumes)) }
    template["spec"] = spec
    if var metadata = template["metadata"] {
      for field in ["annotations", "labels"] {
        guard var map = metadata[field] else { continue }
        for entry in map.mapping ?? [] where isProviderKey(entry.key) { map[entry.key] = nil }
        metadata[field] = map
      }
      template["metadata"] = metadata
    }
    return .removed
  }

  /// Keys that provider injectors add (not the opt-in/opt-out and override keys users set).
  private static func isProviderKey(_ key: String) -> Bool {
    let added = [
      "sidecar.istio.io/status", "security.istio.io/tlsMode", "service.istio.io/canonical-name",
      "service.istio.io/canonical-revision", "kubectl.kubernetes.io/default-container",
      "kubectl.kubernetes.io/default-logs-container", "linkerd.io/created-by", "linkerd.io/proxy-version",
      "linkerd.io/trust-root-sha256", "linkerd.io/control-plane-ns", "linkerd.io/workload-ns",
      "linkerd.io/identity-mode",
    ]
    return added.contains(key) || key.hasPrefix("linkerd.io/proxy-")
  }

  // MARK: The record

  /// What injection changed; stored as compact JSON in the record annotation.
  struct Record {
    /// Mapping keys injection created: `metadata`, `annotations`, `labels`, `spec`, `containers`,
    /// `initContainers`, `volumes`.
    var created: [String] = []
    /// Those of the same keys that were there but null (`labels:` with nothing after it).
    var wasNull: [String] = []
    var containers: [String] = []
    var initContainers: [String] = []
    var volumes: [String] = []
    /// Label and annotation keys injection set, with the value each had before (nil: absent).
    var labels: [String: String?] = [:]
    var annotations: [String: String?] = [:]
    /// The original probes injection rewrote: container → field → probe (kept as YAML text).
    var probes: [String: [String: Node]] = [:]
    /// Label and annotation values that were not strings before injection, as YAML text, by
    /// `labels/<key>` or `annotations/<key>`.
    var raw: [String: String] = [:]

    init() {}

    /// The value of `key` in `parent` to build on, recording whether it was absent or null.
    mutating func take(_ key: String, from parent: Node, empty: Node) -> Node {
      guard let value = parent[key] else {
        created.append(key)
        return empty
      }
      guard !value.isNull else {
        wasNull.append(key)
        return empty
      }
      return value
    }

    /// What `key` held before injection, given what it holds now with the sidecar taken out:
    /// nothing (the key goes), null, or the value now. A key injection created that holds
    /// something else by now (an annotation the user added since) stays with it: taking it out
    /// lost the user's entry, and injecting twice gave another sidecar (FuzzInjection).
    func original(_ key: String, now value: Node) -> Node? {
      let emptied = value.mapping?.isEmpty ?? value.sequence?.isEmpty ?? false
      if created.contains(key), emptied { return nil }
      if wasNull.contains(key), emptied { return .null }
      return value
    }

    var json: String {
      func strings(_ items: [String]) -> Node { .sequence(items.map(Node.string)) }
      func values(_ map: [String: String?]) -> Node {
        .mapping(map.sorted { $0.key < $1.key }.map { MappingEntry(key: $0.key, value: $0.value.map(Node.string) ?? .null) })
      }
      // Each original probe as its YAML text: JSON would respell numbers (`0x50` → 80), and the
      // probe must come back exactly as it was written, quotes included.
      let probes = Node.mapping(
        self.probes.sorted { $0.key < $1.key }.map { name, fields in
          MappingEntry(
            key: name,
            value: .mapping(
              fields.sorted { $0.key < $1.key }.map {
                MappingEntry(key: $0.key, value: .string(SurgicalEmitter.blockText(of: $0.value)))
              }))
        })
      var entries: [MappingEntry] = [
        MappingEntry(key: "created", value: strings(created)), MappingEntry(key: "wasNull", value: strings(wasNull)),
        MappingEntry(key: "containers", value: strings(containers)),
        MappingEntry(key: "initContainers", value: strings(initContainers)),
        MappingEntry(key: "volumes", value: strings(volumes)), MappingEntry(key: "labels", value: values(labels)),
        MappingEntry(key: "annotations", value: values(annotations)), MappingEntry(key: "probes", value: probes),
      ]
      // Only when there is one, so the records of string-only labels stay as they were.
      if !raw.isEmpty {
        let texts = raw.sorted { $0.key < $1.key }.map { MappingEntry(key: $0.key, value: .string($0.value)) }
        entries.append(MappingEntry(key: "raw", value: .mapping(texts)))
      }
      return JSONEmitter.emit(.mapping(entries), pretty: false)
    }

    /// The first thing the record says injection added that the template lacks (`the
    /// container istio-proxy`), or nil. Injection leaves all of them in place: a missing one
    /// means the template was edited since.
    func firstMissingPart(in template: Node) -> String? {
      guard let metadata = template["metadata"], metadata.mapping != nil else { return "the pod template's metadata" }
      guard let spec = template["spec"], spec.mapping != nil else { return "the pod spec" }
      let names = { (key: String) in Set((spec[key]?.sequence ?? []).compactMap { $0["name"]?.string }) }
      let lists = [
        ("container", containers, names("containers")), ("init container", initContainers, names("initContainers")),
        ("volume", volumes, names("volumes")),
      ]
      for (what, listed, present) in lists {
        if let name = listed.first(where: { !present.contains($0) }) { return "the \(what) \(name)" }
      }
      for (what, keys, map) in [("label", labels.keys, metadata["labels"]), ("annotation", annotations.keys, metadata["annotations"])] {
        if let key = keys.sorted().first(where: { map?[$0] == nil }) { return "the \(what) \(key)" }
      }
      // Injection rewrites probes in place: each one it recorded is still there.
      let containersByName = Dictionary(
        (spec["containers"]?.sequence ?? []).compactMap { item in item["name"]?.string.map { ($0, item) } },
        uniquingKeysWith: { first, _ in first })
      for (name, fields) in probes.sorted(by: { $0.key < $1.key }) {
        guard let container = containersByName[name] else { return "probes of the container \(name)" }
        if let field = fields.keys.sorted().first(where: { container[$0] == nil }) {
          return "the \(field) of the container \(name)"
        }
      }
      let parents = ["annotations": metadata, "labels": metadata, "containers": spec, "initContainers": spec, "volumes": spec]
      for key in created + wasNull {
        if let parent = parents[key], parent[key] == nil { return "the key \(key)" }
      }
      return nil
    }

    init?(json: String) {
      guard let node = Node.parse(json), node.mapping != nil else { return nil }
      func strings(_ key: String) -> [String] { (node[key]?.sequence ?? []).compactMap(\.string) }
      func values(_ key: String) -> [String: String?] {
        var map: [String: String?] = [:]
        for entry in node[key]?.mapping ?? [] { map[entry.key] = .some(entry.value.string) }
        return map
      }
      created = strings("created")
      wasNull = strings("wasNull")
      containers = strings("containers")
      initContainers = strings("initContainers")
      volumes = strings("volumes")
      labels = values("labels")
      // Injection never records its own annotation as replaced: one that says so would put a
      // record back on uninject.
      annotations = values("annotations").filter { $0.key != injectionRecordAnnotation }
      for entry in node["raw"]?.mapping ?? [] {
        if let text = entry.value.string { raw[entry.key] = text }
      }
      for entry in node["probes"]?.mapping ?? [] {
        for field in entry.value.mapping ?? [] {
          guard let text = field.value.string, let probe = Node.parse(text) else { continue }
          probes[entry.key, default: [:]][field.key] = probe
        }
      }
    }
  }
}

extension Node {
  /// Sets a mapping key; a new key goes before `anchor` when that key exists, else at the end.
  mutating func insert(_ key: String, _ value: Node, before anchor: String) {
    guard var entries = mapping else { return }
    if let index = entries.firstIndex(where: { $0.key == key }) {
      entries[index].value = value
    } else if let index = entries.firstIndex(where: { $0.key == anchor }) {
      entries.insert(MappingEntry(key: key, value: value), at: index)
    } else {
      entries.append(MappingEntry(key: key, value: value))
    }
    content = .mapping(entries)
  }

  /// Sets a mapping key; a new key goes right after `anchor` when that key exists, else at the end.
  mutating func insert(_ key: String, _ value: Node, after anchor: String) {
    guard var entries = mapping else { return }
    if let index = entries.firstIndex(where: { $0.key == key }) {
      entries[index].value = value
    } else if let index = entries.firstIndex(where: { $0.key == anchor }) {
      entries.insert(MappingEntry(key: key, value: value), at: index + 1)
    } else {
      entries.append(MappingEntry(key: key, value: value))
    }
    content = .mapping(entries)
  }
}
