import Manifest

// Evaluates parsed CEL rules against a manifest's nodes, the way the API server would after
// defaulting: the node's schema supplies CRD defaults and tells strings from numbers. Every step
// is charged to a budget, so no rule runs long; an error (no such key, a type the subset does not
// handle, the budget spent) leaves the rule unevaluated rather than failed.

/// A CEL value.
indirect enum CELValue: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case uint(UInt)
  case double(Double)
  case string(String)
  /// A duration, in nanoseconds.
  case duration(Int)
  case list([CELValue])
  /// A map literal.
  case map([(CELValue, CELValue)])
  /// A mapping from the manifest with its schema, read field by field (defaults included).
  case object(Node, Schema)
  /// A named string format (`format.dns1123Label()`, Kubernetes' format library).
  case format(String)

  /// The type's name, for messages.
  var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "bool"
    case .int: return "int"
    case .uint: return "uint"
    case .double: return "double"
    case .string: return "string"
    case .duration: return "duration"
    case .list: return "list"
    case .map, .object: return "map"
    case .format: return "format"
    }
  }
}

/// Why an evaluation stopped without a result.
enum CELEvaluationError: Error {
  /// A field that is neither set nor defaulted (`no such key`).
  case noSuchKey(String)
  /// An operation the subset does not define for these types.
  case type(String)
  /// The step budget is spent.
  case budget
}

/// Evaluates expressions with a step budget.
struct CELEvaluator {
  /// Steps left; each node visited and each item or character scanned costs one.
  private(set) var budget: Int
  private var variables: [(String, CELValue)] = []

  /// An evaluator with `budget` steps.
  init(budget: Int) {
    self.budget = budget
  }

  /// The value of `expression` with `self` bound to `value`.
  mutating func evaluate(_ expression: CELExpr, self value: CELValue) throws -> CELValue {
    variables = [("format", .format("")), ("self", value)]
    return try eval(expression)
  }

  private mutating func charge(_ steps: Int = 1) throws {
    budget -= steps
    if budget < 0 { throw CELEvaluationError.budget }
  }

  private mutating func eval(_ expression: CELExpr) throws -> CELValue {
    try charge()
    switch expression {
    case .literal(let value): return value
    case .identifier(let name):
      guard let bound = variables.last(where: { $0.0 == name }) else {
        throw CELEvaluationError.type("unknown variable \(name)")
      }
      return bound.1
    case .select(let operand, let field): return try Self.field(field, of: try eval(operand))
    case .presence(let operand, let field): return .bool(try Self.has(field, in: try eval(operand)))
    case .index(let operand, let index): return try Self.index(try eval(operand), try eval(index))
    case .call(let name, let target, let arguments):
      let receiver = try target.map { try eval($0) }
      var values: [CELValue] = []
      for argument in arguments { values.append(try eval(argument)) }
      return try call(name, receiver: receiver, values)
    case .matches(let operand, let pattern):
      guard case .string(let text) = try eval(operand) else {
        throw CELEvaluationError.type("matches() on a non-string")
      }
      return .bool(try pattern.search(text, budget: &budget))
    case .comprehension(let macro, let range, let variable, let body):
      return try comprehension(macro, over: try eval(range), variable: variable, body: body)
    case .list(let items):
      var values: [CELValue] = []
      for item in items { values.append(try eval(item)) }
      return .list(values)
    case .map(let entries):
      var values: [(CELValue, CELValue)] = []
      for (key, value) in entries { values.append((try eval(key), try eval(value))) }
      return .map(values)
    case .unary(let op, let operand):
      let value = try eval(operand)
      switch (op, value) {
      case ("!", .bool(let b)): return .bool(!b)
      case ("-", .int(let i)):
        let (negated, overflow) = (0).subtractingReportingOverflow(i)
        if overflow { throw CELEvaluationError.type("overflow") }
        return .int(negated)
      case ("-", .double(let d)): return .double(-d)
      default: throw CELEvaluationError.type("\(op)\(value.typeName)")
      }
    case .binary(let op, let left, let right):
      return try Self.binary(op, try eval(left), try eval(right), budget: &budget)
    case .and(let left, let right): return try logical(left, right, shortCircuit: false)
    case .or(let left, let right): return try logical(left, right, shortCircuit: true)
    case .conditional(let condition, let then, let otherwise):
      guard case .bool(let test) = try eval(condition) else { throw CELEvaluationError.type("?: needs a bool") }
      return try eval(test ? then : otherwise)
    }
  }

  /// `&&` (short-circuits on false) and `||` (on true); an error on one side is absorbed when
  /// the other side decides, as the spec's commutative logic requires.
  private mutating func logical(_ left: CELExpr, _ right: CELExpr, shortCircuit: Bool) throws -> CELValue {
    var leftError: Error?
    do {
      guard case .bool(let value) = try eval(left) else { throw CELEvaluationError.type("&&/|| need bools") }
      if value == shortCircuit { return .bool(value) }
    } catch CELEvaluationError.budget {
      throw CELEvaluationError.budget
    } catch {
      leftError = error
    }
    guard case .bool(let value) = try eval(right) else { throw CELEvaluationError.type("&&/|| need bools") }
    if value == shortCircuit { return .bool(value) }
    if let leftError { throw leftError }
    return .bool(value)
  }

  private mutating func comprehension(
    _ macro: CELMacro, over range: CELValue, variable: String, body: CELExpr
  ) throws -> CELValue {
    let items = try Self.iterationItems(range)
    try charge(items.count)
    var matched = 0
    var results: [CELValue] = []
    var firstError: Error?
    for item in items {
      variables.append((variable, item))
      defer { variables.removeLast() }
      let value: CELValue
      do {
        value = try eval(body)
      } catch CELEvaluationError.budget {
        throw CELEvaluationError.budget
      } catch {
        // `all` and `exists` absorb errors when another item decides (spec: macros use && / ||).
        guard macro == .all || macro == .exists else { throw error }
        firstError = firstError ?? error
        continue
      }
      if macro == .map {
        results.append(value)
        continue
      }
      guard case .bool(let test) = value else { throw CELEvaluationError.type("\(macro.rawValue) needs a bool") }
      switch macro {
      case .all where !test: return .bool(false)
      case .exists where test: return .bool(true)
      case .existsOne where test: matched += 1
      case .filter where test: results.append(item)
      default: break
      }
    }
    if let firstError { throw firstError }
    switch macro {
    case .all: return .bool(true)
    case .exists: return .bool(false)
    case .existsOne: return .bool(matched == 1)
    case .filter, .map: return .list(results)
    }
  }

  // MARK: - Reading the manifest

  /// The value of a node under a schema: scalars by the schema's type (a YAML number in a string
  /// field is a type error, as it is to the API server), mappings read lazily.
  static func value(of node: Node, schema: Schema) throws -> CELValue {
    let schema = schema.celStructure
    if let items = node.sequence {
      var itemSchema = Schema.anything
      if case .array(let array) = schema { itemSchema = array.items }
      return .list(try items.map { try value(of: $0, schema: itemSchema) })
    }
    if node.mapping != nil { return .object(node, schema) }
    guard let scalar = node.scalar else { return .null }
    switch (scalar.kind, schema) {
    case (.null, _): return .null
    case (.string, .string), (.string, .intOrString), (.string, .anything), (.string, .quantity):
      return .string(scalar.text)
    case (.bool, .boolean), (.bool, .anything): return .bool(YAMLResolver.boolValue(of: scalar.text) ?? false)
    case (.int, .integer), (.int, .intOrString), (.int, .anything):
      guard let int = YAMLResolver.intValue(of: scalar.text) else { throw CELEvaluationError.type("integer") }
      return .int(int)
    case (.int, .number), (.float, .number), (.float, .anything):
      guard let double = node.double else { throw CELEvaluationError.type("number") }
      return .double(double)
    case (.float, .integer):
      guard let double = node.double, double.rounded() == double, abs(double) < 1e15 else {
        throw CELEvaluationError.type("integer")
      }
      return .int(Int(double))
    default:
      throw CELEvaluationError.type("\(node.typeName) where the schema wants another type")
    }
  }

  /// A field: set (not null), else the CRD default, else `no such key`.
  private static func field(_ name: String, of value: CELValue) throws -> CELValue {
    switch value {
    case .object(let node, let schema):
      if let entry = node.entry(forKey: name), !entry.value.isNull {
        return try Self.value(of: entry.value, schema: propertySchema(name, in: schema))
      }
      if case .object(let object) = schema, let property = object.property(named: name),
        let fallback = property.defaultValue
      {
        return try Self.value(of: fallback, schema: property.schema)
      }
      throw CELEvaluationError.noSuchKey(name)
    case .map(let entries):
      guard let entry = entries.first(where: { if case .string(name) = $0.0 { return true } else { return false } })
      else { throw CELEvaluationError.noSuchKey(name) }
      return entry.1
    default:
      throw CELEvaluationError.type("field of \(value.typeName)")
    }
  }

  private static func propertySchema(_ name: String, in schema: Schema) -> Schema {
    switch schema {
    case .object(let object): return object.property(named: name)?.schema ?? .anything
    case .map(let map): return map.values
    default: return .anything
    }
  }

  /// `has(value.name)`: set and not null, or defaulted.
  private static func has(_ name: String, in value: CELValue) throws -> Bool {
    switch value {
    case .object(let node, let schema):
      if let entry = node.entry(forKey: name), !entry.value.isNull { return true }
      if case .object(let object) = schema, object.property(named: name)?.defaultValue != nil { return true }
      return false
    case .map(let entries):
      return entries.contains { if case .string(name) = $0.0 { return true } else { return false } }
    default:
      throw CELEvaluationError.type("has() on \(value.typeName)")
    }
  }

  /// The entries of a manifest mapping as CEL sees them: set fields, then defaulted ones.
  private static func entries(of node: Node, schema: Schema) throws -> [(CELValue, CELValue)] {
    var result: [(CELValue, CELValue)] = []
    for entry in node.mapping ?? [] where !entry.value.isNull {
      result.append((.string(entry.key), try value(of: entry.value, schema: propertySchema(entry.key, in: schema))))
    }
    if case .object(let object) = schema {
      for property in object.properties where property.defaultValue != nil {
        if let entry = node.entry(forKey: property.name), !entry.value.isNull { continue }
        result.append((.string(property.name), try value(of: property.defaultValue!, schema: property.schema)))
      }
    }
    return result
  }

  private static func index(_ container: CELValue, _ index: CELValue) throws -> CELValue {
    switch (container, index) {
    case (.list(let items), .int(let i)):
      guard i >= 0, i < items.count else { throw CELEvaluationError.type("index out of range") }
      return items[i]
    case (.list(let items), .uint(let i)):
      guard i < items.count else { throw CELEvaluationError.type("index out of range") }
      return items[Int(i)]
    case (.object, .string(let key)), (.map, .string(let key)): return try field(key, of: container)
    default: throw CELEvaluationError.type("\(container.typeName)[\(index.typeName)]")
    }
  }

  /// What a macro iterates: a list's items, a map's keys.
  private static func iterationItems(_ range: CELValue) throws -> [CELValue] {
    switch range {
    case .list(let items): return items
    case .map(let entries): return entries.map(\.0)
    case .object(let node, let schema): return try entries(of: node, schema: schema).map(\.0)
    default: throw CELEvaluationError.type("a macro over \(range.typeName)")
    }
  }

  // MARK: - Operators

  private static func binary(_ op: String, _ left: CELValue, _ right: CELValue, budget: inout Int) throws -> CELValue {
    switch op {
    case "==": return .bool(try equal(left, right, budget: &budget))
    case "!=": return .bool(!(try equal(left, right, budget: &budget)))
    case "<", "<=", ">", ">=":
      let order = try compare(left, right)
      switch op {
      case "<": return .bool(order < 0)
      case "<=": return .bool(order <= 0)
      case ">": return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    case "in":
      switch right {
      case .list(let items):
        budget -= items.count
        for item in items where try equal(left, item, budget: &budget) { return .bool(true) }
        return .bool(false)
      case .map, .object:
        for key in try iterationItems(right) where try equal(left, key, budget: &budget) { return .bool(true) }
        return .bool(false)
      default: throw CELEvaluationError.type("in \(right.typeName)")
      }
    default: return try arithmetic(op, left, right, budget: &budget)
    }
  }

  private static func arithmetic(_ op: String, _ left: CELValue, _ right: CELValue, budget: inout Int) throws
    -> CELValue
  {
    switch (left, right) {
    case (.int(let a), .int(let b)):
      let result: (Int, Bool)
      switch op {
      case "+": result = a.addingReportingOverflow(b)
      case "-": result = a.subtractingReportingOverflow(b)
      case "*": result = a.multipliedReportingOverflow(by: b)
      case "/" where b != 0: result = a.dividedReportingOverflow(by: b)
      case "%" where b != 0: result = a.remainderReportingOverflow(dividingBy: b)
      default: throw CELEvaluationError.type("int \(op) int")
      }
      if result.1 { throw CELEvaluationError.type("overflow") }
      return .int(result.0)
    case (.double(let a), .double(let b)):
      switch op {
      case "+": return .double(a + b)
      case "-": return .double(a - b)
      case "*": return .double(a * b)
      case "/": return .double(a / b)
      default: throw CELEvaluationError.type("double \(op) double")
      }
    case (.string(let a), .string(let b)) where op == "+":
      budget -= a.utf8.count + b.utf8.count
      if budget < 0 { throw CELEvaluationError.budget }
      return .string(a + b)
    case (.list(let a), .list(let b)) where op == "+":
      budget -= a.count + b.count
      if budget < 0 { throw CELEvaluationError.budget }
      return .list(a + b)
    case (.duration(let a), .duration(let b)) where op == "+" || op == "-":
      let result = op == "+" ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
      if result.overflow { throw CELEvaluationError.type("overflow") }
      return .duration(result.partialValue)
    default:
      throw CELEvaluationError.type("\(left.typeName) \(op) \(right.typeName)")
    }
  }

  /// Equality: numbers across int, uint and double; lists and maps deeply; other mixed types
  /// are unequal (the spec's heterogeneous equality).
  static func equal(_ left: CELValue, _ right: CELValue, budget: inout Int) throws -> Bool {
    budget -= 1
    if budget < 0 { throw CELEvaluationError.budget }
    switch (left, right) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.duration(let a), .duration(let b)): return a == b
    case (.int, _), (.uint, _), (.double, _):
      guard let order = try? numericOrder(left, right) else { return false }
      return order == 0
    case (.list(let a), .list(let b)):
      guard a.count == b.count else { return false }
      for (x, y) in zip(a, b) where !(try equal(x, y, budget: &budget)) { return false }
      return true
    case (.map, .map), (.map, .object), (.object, .map), (.object, .object):
      let a = try mapEntries(left)
      let b = try mapEntries(right)
      guard a.count == b.count else { return false }
      for (key, value) in a {
        var found = false
        for (otherKey, otherValue) in b where try equal(key, otherKey, budget: &budget) {
          found = try equal(value, otherValue, budget: &budget)
          break
        }
        if !found { return false }
      }
      return true
    default: return false
    }
  }

  private static func mapEntries(_ value: CELValue) throws -> [(CELValue, CELValue)] {
    switch value {
    case .map(let entries): return entries
    case .object(let node, let schema): return try entries(of: node, schema: schema)
    default: return []
    }
  }

  private static func numericOrder(_ left: CELValue, _ right: CELValue) throws -> Int {
    func double(_ value: CELValue) throws -> Double {
      switch value {
      case .int(let i): return Double(i)
      case .uint(let u): return Double(u)
      case .double(let d): return d
      default: throw CELEvaluationError.type("not a number")
      }
    }
    switch (left, right) {
    case (.int(let a), .int(let b)): return a < b ? -1 : a == b ? 0 : 1
    case (.uint(let a), .uint(let b)): return a < b ? -1 : a == b ? 0 : 1
    default:
      let (a, b) = (try double(left), try double(right))
      guard !a.isNaN, !b.isNaN else { throw CELEvaluationError.type("NaN") }
      return a < b ? -1 : a == b ? 0 : 1
    }
  }

  private static func compare(_ left: CELValue, _ right: CELValue) throws -> Int {
    switch (left, right) {
    case (.string(let a), .string(let b)):
      // Code point order, as the spec orders strings.
      let (x, y) = (Array(a.unicodeScalars), Array(b.unicodeScalars))
      for (p, q) in zip(x, y) where p != q { return p.value < q.value ? -1 : 1 }
      return x.count < y.count ? -1 : x.count == y.count ? 0 : 1
    case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
    case (.duration(let a), .duration(let b)): return a < b ? -1 : a == b ? 0 : 1
    default: return try numericOrder(left, right)
    }
  }

  // MARK: - Functions

  private mutating func call(_ name: String, receiver: CELValue?, _ arguments: [CELValue]) throws -> CELValue {
    switch (name, receiver, arguments.count) {
    case ("size", nil, 1): return try size(arguments[0])
    case ("size", let target?, 0): return try size(target)
    case ("int", nil, 1):
      switch arguments[0] {
      case .int: return arguments[0]
      case .uint(let u):
        guard let i = Int(exactly: u) else { throw CELEvaluationError.type("overflow") }
        return .int(i)
      case .double(let d):
        guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
          throw CELEvaluationError.type("overflow")
        }
        return .int(i)
      case .string(let s):
        guard let i = Int(s) else { throw CELEvaluationError.type("int(\"\(s)\")") }
        return .int(i)
      default: throw CELEvaluationError.type("int(\(arguments[0].typeName))")
      }
    case ("string", nil, 1):
      switch arguments[0] {
      case .string: return arguments[0]
      case .int(let i): return .string(String(i))
      case .uint(let u): return .string(String(u))
      case .bool(let b): return .string(String(b))
      default: throw CELEvaluationError.type("string(\(arguments[0].typeName))")
      }
    case ("duration", nil, 1):
      guard case .string(let text) = arguments[0], let nanoseconds = Self.duration(text) else {
        throw CELEvaluationError.type("duration()")
      }
      return .duration(nanoseconds)
    case ("isIP", nil, 1):
      guard case .string(let text) = arguments[0] else { throw CELEvaluationError.type("isIP()") }
      return .bool(
        Formats.isIPv4(text[...]) || (text.contains(":") && !text.contains("%") && Formats.isIPv6(text[...])))
    case ("dns1123Label", .format?, 0), ("dns1123Subdomain", .format?, 0), ("dns1035Label", .format?, 0):
      return .format(name)
    case ("validate", .format(let format)?, 1):
      guard case .string(let text) = arguments[0] else { throw CELEvaluationError.type("validate()") }
      let problem: String?
      switch format {
      case "dns1123Label": problem = Formats.dns1123LabelProblem(text)
      case "dns1123Subdomain": problem = Formats.dns1123SubdomainProblem(text)
      default: problem = Formats.dns1035LabelProblem(text)
      }
      return problem.map { .list([.string($0)]) } ?? .null
    case (_, .string(let text)?, _): return try stringMethod(name, text, arguments)
    default:
      throw CELEvaluationError.type("\(name)() on \(receiver?.typeName ?? "nothing")")
    }
  }

  private mutating func size(_ value: CELValue) throws -> CELValue {
    switch value {
    case .string(let text):
      try charge(text.utf8.count / 16)
      return .int(text.unicodeScalars.count)
    case .list(let items): return .int(items.count)
    case .map(let entries): return .int(entries.count)
    case .object(let node, let schema): return .int(try Self.entries(of: node, schema: schema).count)
    default: throw CELEvaluationError.type("size(\(value.typeName))")
    }
  }

  private mutating func stringMethod(_ name: String, _ text: String, _ arguments: [CELValue]) throws -> CELValue {
    try charge(1 + text.utf8.count)
    let strings = arguments.compactMap { if case .string(let s) = $0 { s } else { nil } }
    switch (name, arguments.count, strings.count) {
    case ("contains", 1, 1): return .bool(Self.occurrences(of: strings[0], in: text).first != nil)
    case ("startsWith", 1, 1): return .bool(text.unicodeScalars.starts(with: strings[0].unicodeScalars))
    case ("endsWith", 1, 1):
      return .bool(text.unicodeScalars.reversed().starts(with: strings[0].unicodeScalars.reversed()))
    case ("matches", 1, 1):
      guard let pattern = try? CELRegex(strings[0]) else { throw CELEvaluationError.type("regex") }
      return .bool(try pattern.search(text, budget: &budget))
    case ("lowerAscii", 0, 0):
      return .string(String(text.unicodeScalars.map { $0.isASCII ? Character($0).lowercased() : String($0) }.joined()))
    case ("upperAscii", 0, 0):
      return .string(String(text.unicodeScalars.map { $0.isASCII ? Character($0).uppercased() : String($0) }.joined()))
    case ("split", 1, 1):
      guard !strings[0].isEmpty else { throw CELEvaluationError.type("split by empty") }
      let scalars = Array(text.unicodeScalars)
      let width = strings[0].unicodeScalars.count
      var parts: [CELValue] = []
      var start = 0
      for found in Self.occurrences(of: strings[0], in: text) where found >= start {
        parts.append(.string(Self.text(scalars[start..<found])))
        start = found + width
      }
      parts.append(.string(Self.text(scalars[start...])))
      return .list(parts)
    case ("substring", 1, 0), ("substring", 2, 0):
      let scalars = Array(text.unicodeScalars)
      var bounds: [Int] = []
      for argument in arguments {
        guard case .int(let i) = argument else { throw CELEvaluationError.type("substring()") }
        bounds.append(i)
      }
      let start = bounds[0]
      let end = bounds.count > 1 ? bounds[1] : scalars.count
      guard start >= 0, end <= scalars.count, start <= end else { throw CELEvaluationError.type("substring range") }
      return .string(Self.text(scalars[start..<end]))
    default:
      throw CELEvaluationError.type("string.\(name)()")
    }
  }

  /// A Go duration (`1h30m`, `300ms`, `1.5s`, `0`) in nanoseconds.
  static func duration(_ text: String) -> Int? {
    var rest = Substring(text)
    var sign = 1
    if rest.first == "-" || rest.first == "+" {
      sign = rest.first == "-" ? -1 : 1
      rest = rest.dropFirst()
    }
    if rest == "0" { return 0 }
    guard !rest.isEmpty else { return nil }
    let units: [(String, Double)] = [
      ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]
    var total = 0.0
    while !rest.isEmpty {
      let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
      rest = rest.dropFirst(unit.0.count)
      total += value * unit.1
    }
    guard total.isFinite, abs(total) < 9.2e18 else { return nil }
    return sign * Int(total)
  }
}

extension CELEvaluator {
  /// The scalar offsets where `needle` starts in `text` (every one; overlapping ones too).
  fileprivate static func occurrences(of needle: String, in text: String) -> [Int] {
    let (haystack, wanted) = (Array(text.unicodeScalars), Array(needle.unicodeScalars))
    guard wanted.count <= haystack.count else { return [] }
    return (0...(haystack.count - wanted.count)).filter { start in
      (0..<wanted.count).allSatisfy { haystack[start + $0] == wanted[$0] }
    }
  }

  /// A string of scalars.
  fileprivate static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    var result = ""
    result.unicodeScalars.append(contentsOf: scalars)
    return result
  }
}

extension Schema {
  /// The schema that says what a value is, past laziness and markers.
  var celStructure: Schema {
    switch self {
    case .lazy(let definition): return definition.schema.celStructure
    case .unchecked(let inner, _), .cel(let inner, _): return inner.celStructure
    default: return self
    }
  }
}
