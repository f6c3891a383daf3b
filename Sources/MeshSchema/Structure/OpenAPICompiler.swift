import Manifest

/// Compiles an OpenAPI v3 / JSON-schema structural schema (a CRD's `openAPIV3Schema`, or one of
/// the generated definitions) into meshctl's `Schema`. One compiler for the built-in kinds, the
/// mesh CRDs and the CRDs given at run time, so they are checked alike.
///
/// Read: `type` (a list with `null` too), `properties`, `required`, `additionalProperties`
/// (a map), `items`, `enum` (strings), `minimum`/`maximum`, `minItems`/`maxItems`,
/// `minLength`/`maxLength`, `oneOf`/`anyOf` of types, `x-kubernetes-int-or-string`,
/// `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-embedded-resource`, and `$ref` (through
/// `resolve`), CEL rules (`x-kubernetes-validations`, evaluated by meshctl's CEL subset) and the
/// property defaults they see (`default`, or the generator's `x-defaults`). Not evaluated, and
/// counted as such: `pattern`, `not`, `allOf`, and `oneOf`/`anyOf` branches that only require fields.
public struct OpenAPICompiler: Sendable {
  /// Turns a `$ref` into the schema it names.
  public var resolve: @Sendable (String) -> Schema

  /// Creates a compiler; by default a `$ref` is anything (CRD schemas have none).
  public init(resolve: @escaping @Sendable (String) -> Schema = { _ in .anything }) {
    self.resolve = resolve
  }

  /// The schema a JSON-schema node describes.
  public func compile(_ node: Node) -> Schema {
    guard node.mapping != nil else { return .anything }
    if let reference = node["$ref"]?.string { return resolve(reference) }
    var schema = structure(node)
    if let rules = CELRules(node["x-kubernetes-validations"]) { schema = .cel(schema, rules) }
    let unchecked = uncheckedConstraints(node)
    return unchecked.isEmpty ? schema : .unchecked(schema, what: unchecked.joined(separator: ", "))
  }

  /// The schema of a CRD version's `openAPIV3Schema`: the object's own structure, with
  /// `metadata` checked as the API server does (ObjectMeta) whatever the CRD says of it.
  public func compileCustomResource(_ node: Node) -> Schema {
    Self.rootWithTypeMeta(compile(node))
  }

  /// The root object, past the markers around it, with `withTypeMeta`.
  private static func rootWithTypeMeta(_ schema: Schema) -> Schema {
    switch schema {
    case .object(let object): return .object(withTypeMeta(object))
    case .unchecked(let inner, let what): return .unchecked(rootWithTypeMeta(inner), what: what)
    case .cel(let inner, let rules): return .cel(rootWithTypeMeta(inner), rules)
    default: return schema
    }
  }

  /// A custom resource's root: `apiVersion` and `kind` always allowed, `metadata` an ObjectMeta.
  private static func withTypeMeta(_ object: ObjectSchema) -> ObjectSchema {
    var typeMeta: [Property] = [.optional("metadata", KubernetesSchemas.objectMeta())]
    for name in ["apiVersion", "kind"] where object.property(named: name) == nil {
      typeMeta.append(.optional(name, .string))
    }
    return object.adding(typeMeta)
  }

  /// Patterns that say exactly what one of meshctl's formats checks (the ones CRDs repeat most).
  static let patternFormats: [String: StringFormat] = [
    #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#:
      .quantity,
    #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#: .dns1123Label,
    #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#: .dns1123Subdomain,
  ]

  /// What the schema says of the value itself, leaving the unchecked constraints aside.
  private func structure(_ node: Node) -> Schema {
    let format = node["format"]?.string
    let known = node["pattern"]?.string.flatMap { Self.patternFormats[$0] }
    if format == "quantity" || known == .quantity { return .quantity }
    if node["x-kubernetes-int-or-string"]?.bool == true { return .intOrString(IntOrStringSchema()) }
    if format == "int-or-string" { return .intOrString(IntOrStringSchema()) }
    let type = types(node)
    if type.isEmpty, let choices = typedChoices(node) { return choices }
    if type.count > 1 {
      return .anyOf(type.map { structure(typed(node, $0)) }, summary: type.joined(separator: " or "))
    }
    switch type.first {
    case "object": return object(node)
    case "array": return array(node)
    case "string": return string(node)
    case "integer":
      return .integer(IntegerSchema(minimum: node["minimum"]?.wholeNumber, maximum: node["maximum"]?.wholeNumber))
    case "number": return .number(NumberSchema(minimum: node["minimum"]?.double, maximum: node["maximum"]?.double))
    case "boolean": return .boolean
    default: return node["properties"] != nil ? object(node) : .anything
    }
  }

  /// The non-null types a node allows (`type: [string, "null"]` is a nullable string).
  private func types(_ node: Node) -> [String] {
    if let one = node["type"]?.string { return [one] }
    return node["type"]?.sequence?.compactMap(\.string).filter { $0 != "null" } ?? []
  }

  /// The node with one of its types.
  private func typed(_ node: Node, _ type: String) -> Node {
    node.settingValue(.string(type), at: ["type"])
  }

  /// `oneOf`/`anyOf` whose branches are types (`integer` or `string`); nil for other branches.
  private func typedChoices(_ node: Node) -> Schema? {
    guard let branches = node["oneOf"]?.sequence ?? node["anyOf"]?.sequence, !branches.isEmpty,
      branches.allSatisfy({ $0["type"] != nil || $0["$ref"] != nil })
    else { return nil }
    let choices = branches.map(compile)
    let names = branches.map { branch in branch["type"]?.string ?? "an object" }
    return .anyOf(choices, summary: names.joined(separator: " or "))
  }

  private func object(_ node: Node) -> Schema {
    let preserves = node["x-kubernetes-preserve-unknown-fields"]?.bool == true
    let additional = node["additionalProperties"]
    guard let entries = node["properties"]?.mapping, !entries.isEmpty else {
      if let additional, additional.mapping != nil { return .map(MapSchema(values: compile(additional))) }
      return .anything
    }
    let required = Set(node["required"]?.sequence?.compactMap(\.string) ?? [])
    let defaults = node["x-defaults"]
    var properties = entries.map { entry in
      Property(
        name: entry.key, schema: compile(entry.value), isRequired: required.contains(entry.key),
        defaultValue: entry.value["default"] ?? defaults?[entry.key])
    }
    if node["x-kubernetes-embedded-resource"]?.bool == true {
      for name in ["apiVersion", "kind"] where !entries.contains(where: { $0.key == name }) {
        properties.append(.optional(name, .string))
      }
      if !entries.contains(where: { $0.key == "metadata" }) { properties.append(.optional("metadata", .anything)) }
    }
    // Without preserve-unknown-fields the API server prunes unknown fields, and with
    // fieldValidation=Strict (kubectl's default) it refuses them.
    let opensUp = preserves || additional?.bool == true || additional?.mapping != nil
    return .object(properties, unknown: opensUp ? .allow : .error)
  }

  private func array(_ node: Node) -> Schema {
    .array(
      ArraySchema(
        items: node["items"].map(compile) ?? .anything, minItems: node["minItems"]?.wholeNumber,
        maxItems: node["maxItems"]?.wholeNumber))
  }

  private func string(_ node: Node) -> Schema {
    let values = node["enum"]?.sequence?.filter { !$0.isNull }
    let allowed = values.flatMap { values in
      values.allSatisfy({ $0.scalar?.kind == .string }) ? values.compactMap(\.string) : nil
    }
    return .string(
      StringSchema(
        format: node["format"]?.string == "byte" ? .base64 : node["pattern"]?.string.flatMap { Self.patternFormats[$0] },
        allowed: allowed?.isEmpty == false ? allowed : nil, minLength: node["minLength"]?.wholeNumber,
        maxLength: node["maxLength"]?.wholeNumber))
  }

  /// The constraints of a node that meshctl does not evaluate, by name.
  private func uncheckedConstraints(_ node: Node) -> [String] {
    var names: [String] = node["x-unchecked"]?.sequence?.compactMap(\.string) ?? []
    let keywords = [("not", "not"), ("allOf", "allOf")]
    for (keyword, name) in keywords where node[keyword] != nil { names.append(name) }
    if let pattern = node["pattern"]?.string, Self.patternFormats[pattern] == nil { names.append("patterns") }
    let branches = node["oneOf"]?.sequence ?? node["anyOf"]?.sequence
    if let branches, node["x-kubernetes-int-or-string"]?.bool != true,
      !branches.allSatisfy({ $0["type"] != nil || $0["$ref"] != nil })
    {
      names.append("oneOf/anyOf constraints")
    }
    return names
  }
}

extension Node {
  /// An integer written as an integer or as a float with an integral value (`maximum: 65535.0`).
  fileprivate var wholeNumber: Int? {
    if let value = int { return value }
    guard let value = double, value.rounded() == value, abs(value) < 1e15 else { return nil }
    return Int(value)
  }
}
