import Manifest

// The schema language: a small set of value types that describe a manifest the way the spec
// reads. One definition drives validation (SchemaChecker), JSON Schema and CRD export
// (SchemaExport), so the three cannot disagree.

/// The shape a node must have.
public indirect enum Schema: Sendable {
  /// A mapping with known properties.
  case object(ObjectSchema)
  /// A mapping whose keys are free (labels, annotations, port maps) and whose values share a schema.
  case map(MapSchema)
  /// A sequence.
  case array(ArraySchema)
  /// A string, optionally with a format or a fixed set of values.
  case string(StringSchema)
  /// An integer, optionally bounded.
  case integer(IntegerSchema)
  /// Any number, optionally bounded.
  case number(NumberSchema)
  /// `true` or `false`.
  case boolean
  /// An integer in a range or a string of a format (Kubernetes `IntOrString`: ports, percentages).
  case intOrString(IntOrStringSchema)
  /// A Kubernetes resource quantity (`500m`, `1Gi`, or a bare number).
  case quantity
  /// Any of several shapes (`nativeSidecar: auto | true | false`).
  case anyOf([Schema], summary: String)
  /// Anything at all: structures meshctl does not model (affinity, volume sources, status).
  case anything
  /// A generated definition, compiled on first use (recursive definitions refer to themselves).
  case lazy(LazySchema)
  /// A schema with constraints meshctl does not evaluate (CEL rules, patterns): the rest is
  /// checked, and the object it belongs to counts as partially checked.
  case unchecked(Schema, what: String)
  /// A schema with CEL rules (`x-kubernetes-validations`) over its value: the rules run after the
  /// structure is checked; the ones meshctl's subset cannot evaluate count as unchecked.
  case cel(Schema, CELRules)
}

/// What to do with a mapping key that the schema does not list.
public enum UnknownFieldPolicy: Sendable, Hashable {
  /// Always an error (meshctl's own kinds: a typo there changes behaviour silently).
  case error
  /// A warning, or an error when validating with `--strict` (Kubernetes and provider kinds).
  case warning
  /// Accepted silently (open-ended structures).
  case allow
}

/// One named field of an object.
public struct Property: Sendable {
  /// The key.
  public var name: String
  /// The value's schema.
  public var schema: Schema
  /// Whether the key must be present (and not null).
  public var isRequired: Bool
  /// One line saying what the field is, for export and docs.
  public var summary: String?
  /// The value the API server fills in when the field is absent (CRD `default`), which CEL
  /// rules see.
  public var defaultValue: Node?

  /// Creates a property.
  public init(name: String, schema: Schema, isRequired: Bool, summary: String? = nil, defaultValue: Node? = nil) {
    self.name = name
    self.schema = schema
    self.isRequired = isRequired
    self.summary = summary
    self.defaultValue = defaultValue
  }

  /// A field that must be present.
  public static func required(_ name: String, _ schema: Schema, _ summary: String? = nil) -> Property {
    Property(name: name, schema: schema, isRequired: true, summary: summary)
  }

  /// A field that may be absent.
  public static func optional(_ name: String, _ schema: Schema, _ summary: String? = nil) -> Property {
    Property(name: name, schema: schema, isRequired: false, summary: summary)
  }
}

/// A constraint over a group of sibling fields ("exactly one of selector/service").
public struct FieldGroup: Sendable {
  /// How many of the fields may be present.
  public enum Cardinality: Sendable, Hashable {
    /// Exactly one.
    case exactlyOne
    /// Zero or one.
    case atMostOne
    /// One or more.
    case atLeastOne
  }

  /// The constraint.
  public var cardinality: Cardinality
  /// The fields, in the order messages name them.
  public var fields: [String]

  /// Creates a group.
  public init(_ cardinality: Cardinality, _ fields: [String]) {
    self.cardinality = cardinality
    self.fields = fields
  }

  /// "exactly one of `selector`, `service`".
  var phrase: String {
    let names = fields.map { "`\($0)`" }.joined(separator: ", ")
    switch cardinality {
    case .exactlyOne: return "exactly one of \(names)"
    case .atMostOne: return "at most one of \(names)"
    case .atLeastOne: return "at least one of \(names)"
    }
  }
}

/// A finding that a cross-field rule makes, relative to the object the rule is attached to.
public struct RuleFinding: Sendable {
  /// The rule code.
  public var code: String
  /// How serious it is.
  public var severity: Diagnostic.Severity
  /// What is wrong.
  public var message: String
  /// Where (the offending value node).
  public var mark: SourceMark
  /// The path below the object the rule is attached to.
  public var path: [PathComponent]
  /// How to fix it.
  public var hint: String?

  /// Creates a finding.
  public init(
    code: String, severity: Diagnostic.Severity = .error, message: String, mark: SourceMark,
    path: [PathComponent] = [], hint: String? = nil
  ) {
    self.code = code
    self.severity = severity
    self.message = message
    self.mark = mark
    self.path = path
    self.hint = hint
  }
}

/// A CEL expression for `x-kubernetes-validations`, when a rule can be expressed that way.
public struct CELValidation: Sendable, Hashable {
  /// The CEL rule, evaluated with `self` bound to the object.
  public var rule: String
  /// The message the API server returns when it fails.
  public var message: String

  /// Creates a validation.
  public init(rule: String, message: String) {
    self.rule = rule
    self.message = message
  }
}

/// A named rule over an object's fields that the type system cannot say (weights sum to 100).
/// Runs only on a mapping, after its fields were checked.
public struct CrossFieldRule: Sendable {
  /// The rule code its findings carry.
  public var code: String
  /// One line saying what it checks.
  public var summary: String
  /// The same check for the API server, when CEL can say it.
  public var cel: CELValidation?
  /// The check: the object's node in, findings out.
  public var check: @Sendable (Node) -> [RuleFinding]

  /// Creates a rule.
  public init(
    code: String, summary: String, cel: CELValidation? = nil,
    check: @escaping @Sendable (Node) -> [RuleFinding]
  ) {
    self.code = code
    self.summary = summary
    self.cel = cel
    self.check = check
  }
}

/// A mapping with known properties. Its parts live in one shared box: the checker copies the
/// schema at every mapping it walks, and one reference costs one retain where five did five.
public struct ObjectSchema: Sendable {
  /// The parts, never changed in place: a setter makes a new box (and a fresh index).
  final class Parts: Sendable {
    let properties: [Property]
    let unknownFields: UnknownFieldPolicy
    let groups: [FieldGroup]
    let rules: [CrossFieldRule]
    let index: PropertyIndex
    let requiredPositions: [Int]

    init(
      _ properties: [Property], _ unknownFields: UnknownFieldPolicy, _ groups: [FieldGroup], _ rules: [CrossFieldRule]
    ) {
      self.properties = properties
      self.unknownFields = unknownFields
      self.groups = groups
      self.rules = rules
      self.index = PropertyIndex(properties.map(\.name))
      self.requiredPositions = properties.indices.filter { properties[$0].isRequired }
    }
  }

  /// The checker reads the box once per mapping and its fields in place: through the
  /// properties' getters, each field read cost a retain and a release.
  private(set) var parts: Parts

  /// The known properties, in the order they are documented.
  public var properties: [Property] {
    get { parts.properties }
    set { parts = Parts(newValue, parts.unknownFields, parts.groups, parts.rules) }
  }
  /// What to do with keys not listed.
  public var unknownFields: UnknownFieldPolicy {
    get { parts.unknownFields }
    set { parts = Parts(parts.properties, newValue, parts.groups, parts.rules) }
  }
  /// Constraints over groups of fields.
  public var groups: [FieldGroup] {
    get { parts.groups }
    set { parts = Parts(parts.properties, parts.unknownFields, newValue, parts.rules) }
  }
  /// Cross-field rules.
  public var rules: [CrossFieldRule] {
    get { parts.rules }
    set { parts = Parts(parts.properties, parts.unknownFields, parts.groups, newValue) }
  }
  /// Property positions by name, so a lookup does not scan (PodSpec has 40 fields).
  var index: PropertyIndex { parts.index }
  /// Positions of the required properties: the checker visits these, not every property, per mapping.
  var requiredPositions: [Int] { parts.requiredPositions }

  /// Creates an object schema.
  public init(
    _ properties: [Property], unknownFields: UnknownFieldPolicy = .warning, groups: [FieldGroup] = [],
    rules: [CrossFieldRule] = []
  ) {
    parts = Parts(properties, unknownFields, groups, rules)
  }

  /// The property with a name.
  public func property(named name: String) -> Property? {
    index[name].map { properties[$0] }
  }

  /// A copy with more properties (later ones replace earlier ones of the same name).
  public func adding(_ more: [Property]) -> ObjectSchema {
    var merged = properties
    for property in more {
      if let position = index[property.name] { merged[position] = property } else { merged.append(property) }
    }
    return ObjectSchema(merged, unknownFields: unknownFields, groups: groups, rules: rules)
  }
}

/// Positions of names, found by a cheap hash of a name's length and a few of its bytes, then
/// one whole comparison: the validator looks up every key of every mapping, and the seeded
/// hash of a `[String: Int]` was a few percent of `validate`. A repeated name keeps its last
/// position, as a dictionary built in order would.
struct PropertyIndex: Sendable {
  /// Position + 1 of the name hashed to each slot, 0 for an empty slot; at most half full.
  private var slots: [Int32]
  private var names: [String]

  /// Indexes `names` by position.
  init(_ names: [String]) {
    self.names = names
    var capacity = 4
    while capacity < names.count * 2 { capacity *= 2 }
    slots = [Int32](repeating: 0, count: capacity)
    for (position, name) in names.enumerated() {
      let slot = find(name)
      slots[slot] = Int32(position + 1)
    }
  }

  /// The (last) position of `name`.
  subscript(name: String) -> Int? {
    let position = Int(slots[find(name)])
    return position == 0 ? nil : position - 1
  }

  /// The slot holding `name`, or the empty slot where it would go.
  private func find(_ name: String) -> Int {
    let mask = slots.count - 1
    var slot = Self.hash(name) & mask
    while slots[slot] != 0, names[Int(slots[slot]) - 1] != name { slot = (slot + 1) & mask }
    return slot
  }

  /// Length, first, middle and last byte: property names of one object differ in these.
  private static func hash(_ name: String) -> Int {
    // On the contiguous bytes: the UTF-8 view's `last` and offset indexing cost ~150
    // instructions per lookup. Not `withUTF8`, which needs a copy of the name to mutate (a
    // retain and a release per lookup); a Swift string's bytes are always contiguous.
    if let hash = name.utf8.withContiguousStorageIfAvailable(hash(bytes:)) { return hash }
    var copy = name
    return copy.withUTF8(hash(bytes:))
  }

  private static func hash(bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let count = bytes.count
    guard count > 0 else { return 0 }
    let (first, middle, last) = (Int(bytes[0]), Int(bytes[count / 2]), Int(bytes[count - 1]))
    return (count &* 0x9E37 ^ first &* 0x3F1 ^ middle &* 0x65 ^ last &* 0x1B7) >> 3
  }
}

/// A mapping with free keys and values of one schema.
public struct MapSchema: Sendable {
  /// The format every key must have; nil for any key.
  public var keys: StringFormat?
  /// The schema of every value.
  public var values: Schema
  /// The fewest entries allowed.
  public var minEntries: Int

  /// Creates a map schema.
  public init(keys: StringFormat? = nil, values: Schema, minEntries: Int = 0) {
    self.keys = keys
    self.values = values
    self.minEntries = minEntries
  }
}

/// A sequence.
public struct ArraySchema: Sendable {
  /// The schema of every item.
  public var items: Schema
  /// The fewest items allowed.
  public var minItems: Int?
  /// The most items allowed.
  public var maxItems: Int?
  /// A field of the items whose value must be unique (`name`).
  public var uniqueBy: String?

  /// Creates an array schema.
  public init(items: Schema, minItems: Int? = nil, maxItems: Int? = nil, uniqueBy: String? = nil) {
    self.items = items
    self.minItems = minItems
    self.maxItems = maxItems
    self.uniqueBy = uniqueBy
  }
}

/// A string.
public struct StringSchema: Sendable {
  /// The format the text must have.
  public var format: StringFormat?
  /// The only values allowed, when the field is an enum.
  public var allowed: [String]?
  /// The shortest text allowed.
  public var minLength: Int?
  /// The longest text allowed.
  public var maxLength: Int?

  /// Creates a string schema.
  public init(format: StringFormat? = nil, allowed: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil) {
    self.format = format
    self.allowed = allowed
    self.minLength = minLength
    self.maxLength = maxLength
  }
}

/// An integer.
public struct IntegerSchema: Sendable {
  /// The smallest value allowed.
  public var minimum: Int?
  /// The largest value allowed.
  public var maximum: Int?

  /// Creates an integer schema.
  public init(minimum: Int? = nil, maximum: Int? = nil) {
    self.minimum = minimum
    self.maximum = maximum
  }
}

/// A number.
public struct NumberSchema: Sendable {
  /// The smallest value allowed.
  public var minimum: Double?
  /// The largest value allowed.
  public var maximum: Double?

  /// Creates a number schema.
  public init(minimum: Double? = nil, maximum: Double? = nil) {
    self.minimum = minimum
    self.maximum = maximum
  }
}

/// An integer or a string (Kubernetes `IntOrString`).
public struct IntOrStringSchema: Sendable {
  /// The range of the integer form.
  public var integer: IntegerSchema
  /// The format of the string form; nil for any string.
  public var format: StringFormat?

  /// Creates an int-or-string schema.
  public init(integer: IntegerSchema = IntegerSchema(), format: StringFormat? = nil) {
    self.integer = integer
    self.format = format
  }
}

// MARK: - Building schemas so that definitions read like the spec

extension Schema {
  /// An object whose unknown fields are warnings (errors with `--strict`).
  public static func object(
    _ properties: [Property], unknown: UnknownFieldPolicy = .warning, groups: [FieldGroup] = [],
    rules: [CrossFieldRule] = []
  ) -> Schema {
    .object(ObjectSchema(properties, unknownFields: unknown, groups: groups, rules: rules))
  }

  /// Any string.
  public static let string = Schema.string(StringSchema())

  /// A string of a format.
  public static func string(_ format: StringFormat) -> Schema {
    .string(StringSchema(format: format))
  }

  /// A string that is one of fixed values.
  public static func oneOf(_ values: String...) -> Schema {
    .string(StringSchema(allowed: values))
  }

  /// Any integer.
  public static let integer = Schema.integer(IntegerSchema())

  /// An integer in a closed range.
  public static func integer(_ range: ClosedRange<Int>) -> Schema {
    .integer(IntegerSchema(minimum: range.lowerBound, maximum: range.upperBound))
  }

  /// An integer at least `minimum`.
  public static func integer(atLeast minimum: Int) -> Schema {
    .integer(IntegerSchema(minimum: minimum))
  }

  /// Any number.
  public static let number = Schema.number(NumberSchema())

  /// A TCP/UDP port number.
  public static let port = Schema.integer(1...65535)

  /// A port number or an IANA service name (`targetPort`, probe ports).
  public static let portNumberOrName = Schema.intOrString(
    IntOrStringSchema(integer: IntegerSchema(minimum: 1, maximum: 65535), format: .portName))

  /// A sequence of items.
  public static func array(
    _ items: Schema, count: ClosedRange<Int>? = nil, minItems: Int? = nil, uniqueBy: String? = nil
  ) -> Schema {
    .array(
      ArraySchema(
        items: items, minItems: count?.lowerBound ?? minItems, maxItems: count?.upperBound, uniqueBy: uniqueBy))
  }

  /// A list of strings.
  public static let strings = Schema.array(.string)

  /// A string → string map (annotations, node selectors).
  public static let stringMap = Schema.map(MapSchema(values: .string))

  /// Kubernetes labels (and label selectors' `matchLabels`): label keys → label values.
  public static let labels = Schema.map(MapSchema(keys: .labelKey, values: .string(.labelValue)))

  /// Kubernetes annotations: qualified-name keys → any string.
  public static let annotations = Schema.map(MapSchema(keys: .labelKey, values: .string))
}
