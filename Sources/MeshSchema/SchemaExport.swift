import Manifest

/// JSON Schema and CRD export of meshctl's own kinds, generated from the same definitions the
/// validator uses.
public enum SchemaExport {
  /// The kinds `meshctl schema` can print.
  public static let kinds: [String] = ["TrafficSplit", "MTLSPolicy", "MeshConfig"]

  /// The registered spelling of a kind, matched case-insensitively (`trafficsplit` → `TrafficSplit`).
  public static func kind(named name: String) -> String? {
    kinds.first { $0.lowercased() == name.lowercased() }
  }

  /// The JSON Schema (draft 2020-12) of a kind; nil for an unknown kind.
  public static func jsonSchema(kind: String) -> Node? {
    guard let registered = meshctlKind(kind) else { return nil }
    var entries: [MappingEntry] = [
      entry("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
      entry("$id", .string("https://meshctl.io/schemas/v1alpha1/\(kind.lowercased()).json")),
      entry("title", .string(kind)),
    ]
    entries += JSONSchemaWriter(dialect: .jsonSchema).schema(registered.schema).mapping ?? []
    return .mapping(entries)
  }

  /// The `apiextensions.k8s.io/v1` CustomResourceDefinition of a kind; nil for an unknown kind.
  public static func customResourceDefinition(kind: String) -> Node? {
    guard let registered = meshctlKind(kind), let names = names[kind] else { return nil }
    let openAPI = JSONSchemaWriter(dialect: .structural).schema(registered.schema, isRoot: true)
    var nameEntries: [MappingEntry] = [
      entry("kind", .string(kind)),
      entry("listKind", .string(kind + "List")),
      entry("plural", .string(names.plural)),
      entry("singular", .string(kind.lowercased())),
    ]
    if !names.shortNames.isEmpty { nameEntries.append(entry("shortNames", .sequence(names.shortNames.map(Node.string)))) }
    nameEntries.append(entry("categories", .sequence([.string("meshctl")])))
    let version: Node = .mapping([
      entry("name", .string("v1alpha1")),
      entry("served", .bool(true)),
      entry("storage", .bool(true)),
      entry("schema", .mapping([entry("openAPIV3Schema", openAPI)])),
    ])
    return .mapping([
      entry("apiVersion", .string("apiextensions.k8s.io/v1")),
      entry("kind", .string("CustomResourceDefinition")),
      entry(
        "metadata",
        .mapping([
          entry("name", .string("\(names.plural).\(SchemaRegistry.meshctlGroup)")),
          entry("labels", .mapping([entry("app.kubernetes.io/managed-by", .string("meshctl"))])),
        ])),
      entry(
        "spec",
        .mapping([
          entry("group", .string(SchemaRegistry.meshctlGroup)),
          entry("names", .mapping(nameEntries)),
          entry("scope", .string("Namespaced")),
          entry("versions", .sequence([version])),
        ])),
    ])
  }

  /// Resource names of each kind.
  static let names: [String: (plural: String, shortNames: [String])] = [
    "TrafficSplit": ("trafficsplits", ["ts"]),
    "MTLSPolicy": ("mtlspolicies", ["mtls"]),
    "MeshConfig": ("meshconfigs", []),
  ]

  static func meshctlKind(_ kind: String) -> KindSchema? {
    guard kinds.contains(kind) else { return nil }
    return SchemaRegistry.schema(apiVersion: SchemaRegistry.meshctlAPIVersion, kind: kind)
  }

  static func entry(_ key: String, _ value: Node) -> MappingEntry { MappingEntry(key: key, value: value) }
}

/// Turns a `Schema` into JSON Schema (draft 2020-12) or a Kubernetes structural OpenAPI v3 schema.
struct JSONSchemaWriter {
  enum Dialect { case jsonSchema, structural }
  let dialect: Dialect

  private func entry(_ key: String, _ value: Node) -> MappingEntry { MappingEntry(key: key, value: value) }

  func schema(_ schema: Schema, isRoot: Bool = false, summary: String? = nil) -> Node {
    var entries: [MappingEntry]
    switch schema {
    case .object(let object): entries = self.object(object, isRoot: isRoot)
    case .map(let map): entries = self.map(map)
    case .array(let array): entries = self.array(array)
    case .string(let string): entries = self.string(string)
    case .integer(let integer): entries = [entry("type", .string("integer"))] + bounds(integer)
    case .number(let number):
      entries = [entry("type", .string("number"))]
      if let minimum = number.minimum { entries.append(entry("minimum", .float(minimum))) }
      if let maximum = number.maximum { entries.append(entry("maximum", .float(maximum))) }
    case .boolean: entries = [entry("type", .string("boolean"))]
    case .intOrString(let intOrString):
      entries = intOrStringEntries(
        integer: [entry("type", .string("integer"))] + bounds(intOrString.integer),
        string: self.string(StringSchema(format: intOrString.format)))
    case .quantity:
      entries = intOrStringEntries(
        integer: [entry("type", .string(dialect == .structural ? "integer" : "number"))],
        string: self.string(StringSchema(format: .quantity)))
    case .anyOf(let choices, let summary): entries = anyOf(choices, summary: summary)
    case .anything:
      entries = dialect == .structural ? [entry("x-kubernetes-preserve-unknown-fields", .bool(true))] : []
    case .lazy(let definition): return self.schema(definition.schema, isRoot: isRoot, summary: summary)
    case .unchecked(let inner, _), .cel(let inner, _): return self.schema(inner, isRoot: isRoot, summary: summary)
    }
    if let summary { entries.insert(entry("description", .string(summary)), at: min(1, entries.count)) }
    return .mapping(entries)
  }

  private func bounds(_ integer: IntegerSchema) -> [MappingEntry] {
    var entries: [MappingEntry] = []
    if let minimum = integer.minimum { entries.append(entry("minimum", .int(minimum))) }
    if let maximum = integer.maximum { entries.append(entry("maximum", .int(maximum))) }
    return entries
  }

  private func object(_ object: ObjectSchema, isRoot: Bool) -> [MappingEntry] {
    var properties: [MappingEntry] = []
    for property in object.properties {
      var value = schema(property.schema, summary: property.summary)
      if dialect == .structural, isRoot {
        // The API server owns apiVersion, kind and metadata; a CRD may only say their types.
        switch property.name {
        case "apiVersion", "kind": value = .mapping([entry("type", .string("string"))])
        case "metadata": value = .mapping([entry("type", .string("object"))])
        default: break
        }
      }
      properties.append(entry(property.name, value))
    }
    var entries = [entry("type", .string("object"))]
    if !properties.isEmpty { entries.append(entry("properties", .mapping(properties))) }
    let required = object.properties.filter(\.isRequired).map(\.name).filter {
      !(dialect == .structural && isRoot && ($0 == "apiVersion" || $0 == "kind" || $0 == "metadata"))
    }
    if !required.isEmpty { entries.append(entry("required", .sequence(required.map(Node.string)))) }
    switch (object.unknownFields, dialect) {
    case (.error, .jsonSchema): entries.append(entry("additionalProperties", .bool(false)))
    case (.allow, .structural):
      entries.append(entry("x-kubernetes-preserve-unknown-fields", .bool(true)))
    default: break
    }
    entries += groupEntries(object.groups, rules: object.rules)
    return entries
  }

  private func groupEntries(_ groups: [FieldGroup], rules: [CrossFieldRule]) -> [MappingEntry] {
    switch dialect {
    case .jsonSchema:
      var constraints: [Node] = []
      for group in groups {
        let requiredEach = group.fields.map { Node.mapping([entry("required", .sequence([.string($0)]))]) }
        switch group.cardinality {
        case .exactlyOne: constraints.append(.mapping([entry("oneOf", .sequence(requiredEach))]))
        case .atLeastOne: constraints.append(.mapping([entry("anyOf", .sequence(requiredEach))]))
        case .atMostOne:
          var pairs: [Node] = []
          for (i, a) in group.fields.enumerated() {
            for b in group.fields[(i + 1)...] {
              pairs.append(.mapping([entry("required", .sequence([.string(a), .string(b)]))]))
            }
          }
          constraints.append(.mapping([entry("not", .mapping([entry("anyOf", .sequence(pairs))]))]))
        }
      }
      if !rules.isEmpty {
        let text = rules.map { "\($0.code): \($0.summary)" }.joined(separator: "; ")
        return (constraints.isEmpty ? [] : [entry("allOf", .sequence(constraints))]) + [entry("$comment", .string(text))]
      }
      return constraints.isEmpty ? [] : [entry("allOf", .sequence(constraints))]
    case .structural:
      var validations: [Node] = []
      for group in groups {
        let count = "[\(group.fields.map { "has(self.\($0))" }.joined(separator: ", "))].filter(x, x).size()"
        let rule: String
        switch group.cardinality {
        case .exactlyOne: rule = "\(count) == 1"
        case .atLeastOne: rule = "\(count) >= 1"
        case .atMostOne: rule = "\(count) <= 1"
        }
        validations.append(celNode(rule: rule, message: "set \(group.phrase)".replacingBackticks()))
      }
      for rule in rules {
        if let cel = rule.cel { validations.append(celNode(rule: cel.rule, message: cel.message)) }
      }
      return validations.isEmpty ? [] : [entry("x-kubernetes-validations", .sequence(validations))]
    }
  }

  private func celNode(rule: String, message: String) -> Node {
    .mapping([entry("rule", .string(rule)), entry("message", .string(message))])
  }

  private func map(_ map: MapSchema) -> [MappingEntry] {
    var entries = [entry("type", .string("object")), entry("additionalProperties", schema(map.values))]
    if dialect == .jsonSchema, let keys = map.keys, let pattern = keys.pattern {
      entries.append(entry("propertyNames", .mapping([entry("pattern", .string(pattern))])))
    }
    if map.minEntries > 0 { entries.append(entry("minProperties", .int(map.minEntries))) }
    return entries
  }

  private func array(_ array: ArraySchema) -> [MappingEntry] {
    var entries = [entry("type", .string("array")), entry("items", schema(array.items))]
    if let minItems = array.minItems { entries.append(entry("minItems", .int(minItems))) }
    if let maxItems = array.maxItems { entries.append(entry("maxItems", .int(maxItems))) }
    if let key = array.uniqueBy, dialect == .structural {
      entries.append(entry("x-kubernetes-list-type", .string("map")))
      entries.append(entry("x-kubernetes-list-map-keys", .sequence([.string(key)])))
    }
    return entries
  }

  private func string(_ string: StringSchema) -> [MappingEntry] {
    var entries = [entry("type", .string("string"))]
    if let allowed = string.allowed { entries.append(entry("enum", .sequence(allowed.map(Node.string)))) }
    if let minLength = string.minLength { entries.append(entry("minLength", .int(minLength))) }
    if let maxLength = string.maxLength { entries.append(entry("maxLength", .int(maxLength))) }
    if let format = string.format {
      if let maxLength = format.maxLength { entries.append(entry("maxLength", .int(maxLength))) }
      if let pattern = format.pattern { entries.append(entry("pattern", .string(pattern))) }
    }
    return entries
  }

  private func intOrStringEntries(integer: [MappingEntry], string: [MappingEntry]) -> [MappingEntry] {
    switch dialect {
    case .jsonSchema:
      return [entry("anyOf", .sequence([.mapping(integer), .mapping(string)]))]
    case .structural:
      // Structural schemas allow int-or-string only through this extension, with typeless anyOf.
      let stringRules = string.filter { $0.key == "pattern" || $0.key == "maxLength" }
      let integerRules = integer.filter { $0.key != "type" }
      return [
        entry("x-kubernetes-int-or-string", .bool(true)),
        entry(
          "anyOf",
          .sequence([
            .mapping([entry("type", .string("integer"))] + integerRules),
            .mapping([entry("type", .string("string"))] + stringRules),
          ])),
      ]
    }
  }

  private func anyOf(_ choices: [Schema], summary: String) -> [MappingEntry] {
    switch dialect {
    case .jsonSchema:
      return [entry("anyOf", .sequence(choices.map { schema($0) }))]
    case .structural:
      // A scalar of several types has no structural form: keep it and check it with CEL.
      let checks = choices.compactMap(celTypeCheck)
      var entries = [entry("x-kubernetes-preserve-unknown-fields", .bool(true))]
      if !checks.isEmpty {
        entries.append(
          entry(
            "x-kubernetes-validations",
            .sequence([celNode(rule: checks.joined(separator: " || "), message: "must be \(summary)".replacingBackticks())])))
      }
      return entries
    }
  }

  private func celTypeCheck(_ schema: Schema) -> String? {
    switch schema {
    case .boolean: return "type(self) == bool"
    case .string(let string):
      guard let allowed = string.allowed else { return "type(self) == string" }
      return "(type(self) == string && self in [\(allowed.map { "'\($0)'" }.joined(separator: ", "))])"
    case .integer: return "type(self) == int"
    default: return nil
    }
  }
}

extension String {
  /// Removes Markdown backticks, for messages shown outside meshctl.
  fileprivate func replacingBackticks() -> String { String(filter { $0 != "`" }) }
}
