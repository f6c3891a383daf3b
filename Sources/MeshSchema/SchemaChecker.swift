import Manifest

/// A finding of the schema walk, before it is tied to a file and an object.
struct SchemaFinding: Sendable {
  var severity: Diagnostic.Severity
  var code: String
  var message: String
  var mark: SourceMark
  var path: [PathComponent]
  var hint: String?
}

/// Walks a node against a schema and collects findings. One checker per object; the path is a
/// stack pushed and popped while walking so that only findings pay for rendering it.
final class SchemaChecker {
  private(set) var findings: [SchemaFinding] = []
  /// Whether the walk met constraints meshctl does not evaluate (the object is partially checked).
  private(set) var reachedUnchecked = false
  private var path: [PathComponent] = []
  private let strict: Bool

  init(strict: Bool) {
    self.strict = strict
  }

  /// Checks `node` against `schema` at the current path.
  func check(_ node: Node, _ schema: Schema) {
    switch schema {
    case .anything: return
    case .object(let object): checkObject(node, object)
    case .map(let map): checkMap(node, map)
    case .array(let array): checkArray(node, array)
    case .string(let string): checkString(node, string)
    case .integer(let integer): checkInteger(node, integer)
    case .number(let number): checkNumber(node, number)
    case .boolean: checkBoolean(node)
    case .intOrString(let intOrString): checkIntOrString(node, intOrString)
    case .quantity: checkQuantity(node)
    case .anyOf(let choices, let summary): checkAnyOf(node, choices, summary: summary)
    case .lazy(let definition): check(node, definition.schema)
    case .unchecked(let schema, _):
      reachedUnchecked = true
      check(node, schema)
    case .cel(let schema, let rules):
      let before = findings.count
      check(node, schema)
      // A value with errors of its own already fails; its rules would mostly repeat them
      // (an enum typo and the rule that lists the same values).
      guard !findings[before...].contains(where: { $0.severity == .error }) else { return }
      checkRules(node, schema, rules)
    }
  }

  /// Runs the CEL rules on a value that is set (a null is unset to the API server); a rule the
  /// subset cannot evaluate makes the object partially checked.
  private func checkRules(_ node: Node, _ schema: Schema, _ rules: CELRules) {
    guard !node.isNull else { return }
    for rule in rules.rules {
      switch rule.evaluate(on: node, schema: schema) {
      case .passed: continue
      case .unevaluated: reachedUnchecked = true
      case .failed:
        let (target, extra) = rule.findingTarget(in: node)
        // Short rules are worth showing; long ones (Gateway API's 2 kB sums) only clutter.
        let hint = rule.text.count <= 120 && rule.message != nil ? "the CRD's rule: \(rule.text)" : nil
        report(RuleCode.celRule, rule.failureMessage, at: target.mark, hint: hint, extraPath: extra)
      }
    }
  }

  // MARK: - Findings

  private func report(
    _ code: String, _ message: String, at mark: SourceMark, severity: Diagnostic.Severity = .error,
    hint: String? = nil, extraPath: [PathComponent] = []
  ) {
    findings.append(
      SchemaFinding(severity: severity, code: code, message: message, mark: mark, path: path + extraPath, hint: hint))
  }

  private var fieldName: String {
    guard let last = path.last else { return "document" }
    switch last {
    case .key(let key): return "`\(key)`"
    case .index: return "`\(JSONPath.render(path))`"
    }
  }

  private func wrongType(_ node: Node, expected: String) {
    report(RuleCode.wrongType, "\(fieldName) must be \(expected), not \(node.typeName)", at: node.mark)
  }

  // MARK: - Structures

  private func checkObject(_ node: Node, _ object: ObjectSchema) {
    guard let entries = node.mapping else {
      if !node.isNull { wrongType(node, expected: "an object") }
      return
    }
    // Entries and properties are read in place by index: copying each entry and its Property
    // (name, schema, summary, default) cost a retain and a release per field, per key. The
    // schema's parts are read through one reference, not a getter (and a retain) per field.
    let parts = object.parts
    for index in entries.indices {
      guard let position = parts.index[entries[index].key] else {
        reportUnknown(entries[index], in: object)
        continue
      }
      if entries[index].value.isNull { continue }  // null means "unset" to the API server
      path.append(.key(entries[index].key))
      check(entries[index].value, parts.properties[position].schema)
      path.removeLast()
    }
    if !parts.requiredPositions.isEmpty { checkRequired(node, entries, object) }
    for group in parts.groups { checkGroup(node, entries, group) }
    for rule in parts.rules {
      for finding in rule.check(node) {
        findings.append(
          SchemaFinding(
            severity: finding.severity, code: finding.code, message: finding.message, mark: finding.mark,
            path: path + finding.path, hint: finding.hint))
      }
    }
  }

  private func reportUnknown(_ entry: MappingEntry, in object: ObjectSchema) {
    let severity: Diagnostic.Severity
    switch object.unknownFields {
    case .allow: return
    case .error: severity = .error
    case .warning: severity = strict ? .error : .warning
    }
    let hint = Suggestions.didYouMean(entry.key, among: object.properties.map(\.name))
    report(
      RuleCode.unknownField, "unknown field `\(entry.key)`", at: entry.keyMark, severity: severity, hint: hint,
      extraPath: [.key(entry.key)])
  }

  private func checkRequired(_ node: Node, _ entries: [MappingEntry], _ object: ObjectSchema) {
    for position in object.requiredPositions {
      let name = object.properties[position].name
      if let index = entries.firstIndex(where: { $0.key == name }) {
        if entries[index].value.isNull {
          report(
            RuleCode.missingField, "`\(name)` is required and must not be null", at: entries[index].value.mark,
            extraPath: [.key(name)])
        }
      } else {
        report(
          RuleCode.missingField, "missing required field `\(name)`", at: node.mark,
          hint: Suggestions.closest(to: name, among: entries.map(\.key)).map {
            "is `\($0)` a misspelling of `\(name)`?"
          })
      }
    }
  }

  private func checkGroup(_ node: Node, _ entries: [MappingEntry], _ group: FieldGroup) {
    let present = group.fields.filter { name in entries.contains { $0.key == name && !$0.value.isNull } }
    let ok: Bool
    switch group.cardinality {
    case .exactlyOne: ok = present.count == 1
    case .atMostOne: ok = present.count <= 1
    case .atLeastOne: ok = !present.isEmpty
    }
    guard !ok else { return }
    if present.count > 1, let second = entries.first(where: { $0.key == present[1] }) {
      // Point at the second field: the first one is usually the one that was meant.
      report(
        RuleCode.fieldGroup, "set \(group.phrase), not both `\(present[0])` and `\(present[1])`",
        at: second.keyMark, extraPath: [.key(second.key)])
    } else {
      report(RuleCode.fieldGroup, "set \(group.phrase)", at: node.mark)
    }
  }

  private func checkMap(_ node: Node, _ map: MapSchema) {
    guard let entries = node.mapping else {
      if !node.isNull { wrongType(node, expected: "an object") }
      return
    }
    if entries.count < map.minEntries {
      report(RuleCode.badCount, "\(fieldName) must have at least \(map.minEntries) entries", at: node.mark)
    }
    for index in entries.indices {
      path.append(.key(entries[index].key))
      if let format = map.keys, let problem = format.problem(with: entries[index].key) {
        report(
          RuleCode.badFormat,
          "invalid key `\(entries[index].key)`: not \(format.article) \(format.displayName) (\(problem))",
          at: entries[index].keyMark)
      }
      if !entries[index].value.isNull { check(entries[index].value, map.values) }
      path.removeLast()
    }
  }

  private func checkArray(_ node: Node, _ array: ArraySchema) {
    guard let items = node.sequence else {
      if !node.isNull { wrongType(node, expected: "a list") }
      return
    }
    if let minItems = array.minItems, items.count < minItems {
      report(RuleCode.badCount, "\(fieldName) must have at least \(minItems) item\(minItems == 1 ? "" : "s")", at: node.mark)
    }
    if let maxItems = array.maxItems, items.count > maxItems {
      report(
        RuleCode.badCount, "\(fieldName) must have at most \(maxItems) items (has \(items.count))",
        at: items[maxItems].mark, extraPath: [.index(maxItems)])
    }
    for (index, item) in items.enumerated() {
      path.append(.index(index))
      check(item, array.items)
      path.removeLast()
    }
    if let key = array.uniqueBy { checkUnique(items, by: key) }
  }

  private func checkUnique(_ items: [Node], by key: String) {
    var seen: [String: Int] = [:]
    for (index, item) in items.enumerated() {
      guard let value = item[key], let text = value.scalar?.text, !value.isNull else { continue }
      if let first = seen[text] {
        report(
          RuleCode.duplicateItem, "duplicate \(key) `\(text)`: already used by item \(first)",
          at: value.mark, extraPath: [.index(index), .key(key)])
      } else {
        seen[text] = index
      }
    }
  }

  private func checkAnyOf(_ node: Node, _ choices: [Schema], summary: String) {
    for choice in choices {
      let trial = SchemaChecker(strict: strict)
      trial.check(node, choice)
      if trial.findings.allSatisfy({ $0.severity != .error }) {
        reachedUnchecked = reachedUnchecked || trial.reachedUnchecked
        return
      }
    }
    report(RuleCode.wrongType, "\(fieldName) must be \(summary)", at: node.mark)
  }

  // MARK: - Scalars

  /// The text of a node that should be a string, reporting YAML 1.1 booleans and unquoted
  /// numbers; nil (after reporting) when it is no scalar at all.
  private func stringText(_ node: Node) -> String? {
    guard let scalar = node.scalar else {
      wrongType(node, expected: "a string")
      return nil
    }
    switch scalar.kind {
    case .string:
      return scalar.text
    case .bool where scalar.style == .plain && YAMLResolver.ambiguousBooleans.contains(scalar.text):
      report(
        RuleCode.ambiguousBoolean,
        "\(fieldName): `\(scalar.text)` is read as the boolean \(YAMLResolver.boolValue(of: scalar.text) ?? false), not a string",
        at: node.mark, severity: .warning, hint: "quote it: \"\(scalar.text)\"")
      return scalar.text
    case .bool, .int, .float:
      report(
        RuleCode.unquotedScalar, "\(fieldName) must be a string, but `\(scalar.text)` is read as \(node.typeName == "integer" ? "an integer" : "a \(node.typeName)")",
        at: node.mark, hint: "quote it: \"\(scalar.text)\"")
      return nil
    case .null:
      return nil
    }
  }

  private func checkString(_ node: Node, _ schema: StringSchema) {
    guard let text = stringText(node) else { return }
    checkStringValue(text, node, schema)
  }

  private func checkStringValue(_ text: String, _ node: Node, _ schema: StringSchema) {
    if let allowed = schema.allowed, !allowed.contains(text) {
      let list = allowed.map { "`\($0)`" }.joined(separator: ", ")
      let hint = Suggestions.didYouMean(text, among: allowed) ?? "use one of \(list)"
      report(RuleCode.badEnum, "\(fieldName) must be one of \(list), not `\(text)`", at: node.mark, hint: hint)
      return
    }
    if let minLength = schema.minLength, text.count < minLength {
      let expected = minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters long"
      report(RuleCode.badFormat, "\(fieldName) \(expected)", at: node.mark)
      return
    }
    if let maxLength = schema.maxLength, text.count > maxLength {
      report(
        RuleCode.badFormat, "\(fieldName) must be at most \(maxLength) characters long (has \(text.count))",
        at: node.mark)
      return
    }
    if let format = schema.format, let problem = format.problem(with: text) {
      report(RuleCode.badFormat, "invalid \(fieldName) `\(text)`: not \(format.article) \(format.displayName) (\(problem))", at: node.mark)
    }
  }

  /// The integer value of a node: an integer, or a float with an integral value (sigs.k8s.io/yaml
  /// turns `1.0` into the JSON number 1, which the API server accepts for an integer field).
  private func integerValue(_ node: Node) -> Int? {
    if let value = node.int { return value }
    if let value = node.double, node.scalar?.kind == .float, value.rounded() == value, abs(value) < 1e15 {
      return Int(value)
    }
    return nil
  }

  private func checkInteger(_ node: Node, _ schema: IntegerSchema) {
    guard let value = integerValue(node) else {
      if node.scalar?.kind == .int {
        report(RuleCode.outOfRange, "\(fieldName) `\(node.scalar!.text)` is too large", at: node.mark)
      } else if node.scalar?.kind == .string, node.scalar.map({ YAMLResolver.intValue(of: $0.text) != nil }) == true {
        report(
          RuleCode.wrongType, "\(fieldName) must be an integer, not the string \"\(node.scalar!.text)\"",
          at: node.mark, hint: "remove the quotes")
      } else {
        wrongType(node, expected: "an integer")
      }
      return
    }
    checkRange(value, node, schema)
  }

  private func checkRange(_ value: Int, _ node: Node, _ schema: IntegerSchema) {
    if let minimum = schema.minimum, value < minimum {
      report(RuleCode.outOfRange, "\(fieldName) must be \(rangePhrase(schema)), not \(value)", at: node.mark)
    } else if let maximum = schema.maximum, value > maximum {
      report(RuleCode.outOfRange, "\(fieldName) must be \(rangePhrase(schema)), not \(value)", at: node.mark)
    }
  }

  private func rangePhrase(_ schema: IntegerSchema) -> String {
    switch (schema.minimum, schema.maximum) {
    case let (low?, high?): return "between \(low) and \(high)"
    case let (low?, nil): return "at least \(low)"
    case let (nil, high?): return "at most \(high)"
    case (nil, nil): return "an integer"
    }
  }

  private func checkNumber(_ node: Node, _ schema: NumberSchema) {
    guard let value = node.double else {
      wrongType(node, expected: "a number")
      return
    }
    if let minimum = schema.minimum, value < minimum {
      report(RuleCode.outOfRange, "\(fieldName) must be at least \(minimum), not \(value)", at: node.mark)
    } else if let maximum = schema.maximum, value > maximum {
      report(RuleCode.outOfRange, "\(fieldName) must be at most \(maximum), not \(value)", at: node.mark)
    }
  }

  private func checkBoolean(_ node: Node) {
    guard node.bool != nil else {
      if let text = node.string, text == "true" || text == "false" {
        report(RuleCode.wrongType, "\(fieldName) must be a boolean, not the string \"\(text)\"", at: node.mark,
               hint: "remove the quotes")
      } else {
        wrongType(node, expected: "a boolean")
      }
      return
    }
  }

  private func checkIntOrString(_ node: Node, _ schema: IntOrStringSchema) {
    if let value = integerValue(node) {
      checkRange(value, node, schema.integer)
      return
    }
    guard let scalar = node.scalar, scalar.kind == .string else {
      wrongType(node, expected: "an integer or a string")
      return
    }
    checkStringValue(scalar.text, node, StringSchema(format: schema.format))
  }

  private func checkQuantity(_ node: Node) {
    guard let scalar = node.scalar, scalar.kind == .string || scalar.kind == .int || scalar.kind == .float else {
      wrongType(node, expected: "a quantity")
      return
    }
    if !Formats.isQuantity(scalar.text) {
      report(RuleCode.badFormat, "\(fieldName) `\(scalar.text)` is not a quantity", at: node.mark,
             hint: "write e.g. `500m` or `0.5` for CPU, `128Mi` or `1Gi` for memory")
    }
  }
}
