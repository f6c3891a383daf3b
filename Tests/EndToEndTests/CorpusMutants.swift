import Foundation
import Manifest
import TestSupport

/// Single-edit mutants of the corpus's built-in documents, each an edit the Kubernetes API server
/// refuses: misspelled fields, wrong types, invalid enums, missing required fields, invalid names
/// and formats, duplicates, selector mismatches, kind and apiVersion typos. Edits are made in the
/// text (a line replaced or removed), so every other line keeps its place, and each mutant knows
/// the lines where a finding about it belongs.
struct Mutant: Sendable {
  /// `category source-file:line`, stable across runs.
  var id: String
  var category: String
  var text: String
  /// Where an error about the edit may point (a removed field: from the owning key's line to
  /// the line the removed one had).
  var lines: ClosedRange<Int>
}

enum CorpusMutants {
  static let categories = [
    "misspelled-field", "wrong-type", "invalid-enum", "missing-required", "invalid-name", "invalid-format",
    "duplicate", "selector-mismatch", "kind-typo", "apiVersion-typo",
  ]

  /// The built-in apiVersions whose documents are mutated.
  static let builtInVersions: Set<String> = [
    "v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
    "autoscaling/v1", "autoscaling/v2", "storage.k8s.io/v1", "scheduling.k8s.io/v1", "coordination.k8s.io/v1",
    "discovery.k8s.io/v1", "admissionregistration.k8s.io/v1",
  ]

  /// Documents of the corpus (apps and peer-inject inputs), one text each, of built-in kinds.
  static func documents() -> [(source: String, text: String)] {
    var found: [(String, String)] = []
    for url in OfficialSchemas.inputs() {
      guard let text = try? String(contentsOf: url, encoding: .utf8), text.utf8.allSatisfy({ $0 < 0x80 }) else {
        continue
      }
      var chunk: [Substring] = []
      var start = 1
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      for (index, line) in lines.enumerated() {
        if line.hasPrefix("---") {
          found.append(("\(url.lastPathComponent):\(start)", chunk.joined(separator: "\n") + "\n"))
          chunk = []
          start = index + 2
        } else {
          chunk.append(line)
        }
      }
      found.append(("\(url.lastPathComponent):\(start)", chunk.joined(separator: "\n") + "\n"))
    }
    return found.filter { _, text in
      guard let root = ManifestReader().parse(text).documents.first?.root, let version = root["apiVersion"]?.string,
        let kind = root["kind"]?.string
      else { return false }
      return builtInVersions.contains(version) && !["List", "CustomResourceDefinition"].contains(kind)
    }
  }

  /// Up to `perCategory` mutants of each category over `documents`, chosen with a fixed seed.
  static func sample(_ documents: [(source: String, text: String)], perCategory: Int) -> [Mutant] {
    var byCategory: [String: [Mutant]] = [:]
    for (source, text) in documents {
      for mutant in MutantSites(source: source, text: text).mutants() {
        byCategory[mutant.category, default: []].append(mutant)
      }
    }
    var generator = SeededGenerator(seed: 20_261_206)
    return categories.flatMap { category in
      Array((byCategory[category] ?? []).shuffled(using: &generator).prefix(perCategory))
    }
  }
}

/// A small deterministic generator (SplitMix64), so the sample is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The places of one document that can be mutated, and the mutants.
struct MutantSites {
  let source: String
  let lines: [String]
  let root: Node
  let kind: String
  private var found: [Mutant] = []

  /// Maps whose keys are data, not fields (a misspelling there is a different key, not an error).
  static let freeFormParents: Set<String> = [
    "labels", "annotations", "data", "stringData", "binaryData", "matchLabels", "nodeSelector", "limits", "requests",
    "hard", "capacity", "parameters", "selector", "status", "overhead", "allocatable", "managedFields",
  ]
  /// Fields whose values are enums the schema or the server checks.
  static let enumFields: Set<String> = [
    "restartPolicy", "imagePullPolicy", "protocol", "dnsPolicy", "concurrencyPolicy", "pathType", "sessionAffinity",
    "externalTrafficPolicy", "internalTrafficPolicy", "podManagementPolicy", "terminationMessagePolicy", "operator",
    "completionMode", "mountPropagation", "ipFamilyPolicy", "fsGroupChangePolicy",
  ]

  init(source: String, text: String) {
    self.source = source
    lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    root = ManifestReader().parse(text).documents.first?.root ?? .null
    kind = root["kind"]?.string ?? ""
  }

  func mutants() -> [Mutant] {
    var sites = self
    sites.walk(root, path: [], ownerLine: 1)
    sites.typeMetaTypos()
    return sites.found
  }

  // MARK: - Walking

  private mutating func walk(_ node: Node, path: [String], ownerLine: Int) {
    if let entries = node.mapping {
      for entry in entries {
        let childPath = path + [entry.key]
        visit(entry, in: node, path: childPath, ownerLine: ownerLine)
        walk(entry.value, path: childPath, ownerLine: entry.keyMark.line)
      }
    } else if let items = node.sequence {
      for item in items { walk(item, path: path + ["[]"], ownerLine: ownerLine) }
      duplicates(items, path: path)
    }
  }

  private mutating func visit(_ entry: MappingEntry, in mapping: Node, path: [String], ownerLine: Int) {
    let parent = path.dropLast().last(where: { $0 != "[]" }) ?? ""
    let key = entry.key
    let isTopTypeMeta = path.count == 1 && (key == "apiVersion" || key == "kind")
    if path.first == "status" || path.contains("managedFields") { return }
    if !isTopTypeMeta, !Self.freeFormParents.contains(parent), let typo = Self.misspelling(key),
      mapping[typo] == nil
    {
      replaceKey(entry, with: typo, category: "misspelled-field")
    }
    guard let scalar = entry.value.scalar, scalar.kind != .null, entry.value.mark.line == entry.keyMark.line else {
      return
    }
    if !isTopTypeMeta, !["labels", "annotations"].contains(parent) {
      replaceValue(entry, with: "{}", category: "wrong-type")
    }
    if Self.enumFields.contains(key), scalar.kind == .string {
      replaceValue(entry, with: "Bogus", category: "invalid-enum")
    }
    if isRequired(key, path: path) {
      remove(entry, ownerLine: ownerLine, category: "missing-required")
    }
    switch (parent, key) {
    case ("metadata", "name") where path.count == 2, ("containers", "name"), ("initContainers", "name"):
      replaceValue(entry, with: "Bad_Name", category: "invalid-name")
    case ("labels", _):
      replaceKey(entry, with: key + "_", category: "invalid-format")
      if scalar.kind == .string { replaceValue(entry, with: "\"\(scalar.text)_\"", category: "invalid-format") }
    case ("limits", _), ("requests", _):
      replaceValue(entry, with: "\"\(scalar.text)x\"", category: "invalid-format")
    case ("env", "name"):
      replaceValue(entry, with: "\"\(scalar.text)=X\"", category: "invalid-format")
    case (_, "containerPort"), ("ports", "port"):
      replaceValue(entry, with: "70000", category: "invalid-format")
    case (_, "clusterIP") where scalar.text != "None":
      replaceValue(entry, with: "10.0.0.300", category: "invalid-format")
    case (_, "schedule"):
      replaceValue(entry, with: "\"61 * * * *\"", category: "invalid-format")
    case ("matchLabels", _) where path.starts(with: ["spec", "selector"]) && scalar.kind == .string:
      replaceValue(entry, with: "\(scalar.text)-mismatch", category: "selector-mismatch")
    default:
      break
    }
  }

  /// Fields the schema or the server requires, which are safe to remove from one line.
  private func isRequired(_ key: String, path: [String]) -> Bool {
    let parent = path.dropLast().last(where: { $0 != "[]" }) ?? ""
    switch (parent, key) {
    case ("metadata", "name") where path.count == 2: return true
    case ("containers", "image"), ("initContainers", "image"), (_, "containerPort"), ("ports", "port"),
      ("volumeMounts", "mountPath"), ("spec", "schedule"):
      return true
    case ("spec", "restartPolicy"): return kind == "Job" || kind == "CronJob"
    default: return false
    }
  }

  /// Two items of `containers` or Service `ports` given the same name.
  private mutating func duplicates(_ items: [Node], path: [String]) {
    guard let last = path.last, last == "containers" || (last == "ports" && kind == "Service"), items.count >= 2,
      let first = items[0]["name"]?.string, let second = items[1].mapping?.first(where: { $0.key == "name" })
    else { return }
    replaceValue(second, with: first, category: "duplicate")
  }

  private mutating func typeMetaTypos() {
    guard let entries = root.mapping else { return }
    if let kindEntry = entries.first(where: { $0.key == "kind" }), let kind = kindEntry.value.string, kind.count > 3 {
      var letters = Array(kind)
      letters.swapAt(letters.count - 1, letters.count - 2)
      if letters[letters.count - 1] != letters[letters.count - 2] {
        replaceValue(kindEntry, with: String(letters), category: "kind-typo")
      }
    }
    if let versionEntry = entries.first(where: { $0.key == "apiVersion" }), let version = versionEntry.value.string {
      let typo = version.hasSuffix("/v1") || version == "v1" ? String(version.dropLast()) + "3" : version + "beta9"
      replaceValue(versionEntry, with: typo, category: "apiVersion-typo")
    }
  }

  /// A misspelling of a field name: two middle letters swapped, or a letter doubled.
  static func misspelling(_ key: String) -> String? {
    var letters = Array(key)
    guard letters.count >= 4, letters.allSatisfy({ $0.isLetter }) else { return nil }
    let middle = letters.count / 2
    if letters[middle] != letters[middle - 1] {
      letters.swapAt(middle, middle - 1)
    } else {
      letters.insert(letters[middle], at: middle)
    }
    return String(letters)
  }

  // MARK: - Edits

  private mutating func add(_ category: String, _ edited: [String], line: Int, window: ClosedRange<Int>) {
    found.append(
      Mutant(
        id: "\(category) \(source)+\(line - 1)", category: category, text: edited.joined(separator: "\n"),
        lines: window))
  }

  /// The key at its mark replaced (the line must read `key:` there).
  private mutating func replaceKey(_ entry: MappingEntry, with key: String, category: String) {
    let index = entry.keyMark.line - 1
    guard index < lines.count else { return }
    let line = Array(lines[index])
    let start = entry.keyMark.column - 1
    guard start >= 0, start + entry.key.count < line.count,
      String(line[start..<start + entry.key.count]) == entry.key, line[start + entry.key.count] == ":"
    else { return }
    var edited = lines
    edited[index] = String(line[..<start]) + key + String(line[(start + entry.key.count)...])
    add(category, edited, line: entry.keyMark.line, window: entry.keyMark.line...entry.keyMark.line)
  }

  /// A one-line block scalar value replaced (the rest of its line must be exactly the value).
  private mutating func replaceValue(_ entry: MappingEntry, with value: String, category: String) {
    guard let scalar = entry.value.scalar, entry.value.mark.line == entry.keyMark.line else { return }
    let index = entry.value.mark.line - 1
    let line = Array(lines[index])
    let start = entry.value.mark.column - 1
    guard start >= 0, start <= line.count else { return }
    var rest = String(line[start...])
    if let comment = rest.range(of: " #") { rest = String(rest[..<comment.lowerBound]) }
    rest = String(rest.reversed().drop { $0 == " " }.reversed())
    let forms = [scalar.text, "\"\(scalar.text)\"", "'\(scalar.text)'"]
    guard forms.contains(rest) else { return }
    var edited = lines
    edited[index] = String(line[..<start]) + value
    add(category, edited, line: entry.value.mark.line, window: entry.value.mark.line...entry.value.mark.line)
  }

  /// A one-line entry removed (its key must begin its line, not follow a `- `).
  private mutating func remove(_ entry: MappingEntry, ownerLine: Int, category: String) {
    let index = entry.keyMark.line - 1
    let line = lines[index]
    let indent = line.prefix { $0 == " " }.count
    guard indent == entry.keyMark.column - 1, line.dropFirst(indent).hasPrefix(entry.key + ":") else { return }
    var edited = lines
    edited.remove(at: index)
    add(category, edited, line: entry.keyMark.line, window: min(ownerLine, entry.keyMark.line)...entry.keyMark.line)
  }
}
