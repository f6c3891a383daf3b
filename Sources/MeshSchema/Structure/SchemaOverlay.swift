// The hand-written schemas (meaning: enums the OpenAPI omits, name formats, ranges, cross-field
// rules) laid over the generated structure (every field to the leaves). One merged schema per
// kind is walked once, so a finding is never reported twice: where both say something of a field
// the hand-written schema wins, and the generated one fills in what it does not model (its
// `.anything` parts, fields it does not list) and decides whether unknown fields are errors.

extension Schema {
  /// This hand-written schema over the generated structure `base`.
  func overlaying(_ base: Schema) -> Schema {
    switch (self, base) {
    case (_, .lazy(let definition)): return overlaying(definition.schema)
    case (_, .unchecked(let inner, let what)): return .unchecked(overlaying(inner), what: what)
    case (_, .cel(let inner, let rules)): return .cel(overlaying(inner), rules)
    case (.anything, _): return base
    case (.object(let mine), .object(let theirs)): return .object(mine.overlaying(theirs))
    case (.map(let mine), .map(let theirs)):
      return .map(
        MapSchema(keys: mine.keys, values: mine.values.overlaying(theirs.values), minEntries: mine.minEntries))
    case (.array(let mine), .array(let theirs)):
      return .array(
        ArraySchema(
          items: mine.items.overlaying(theirs.items), minItems: mine.minItems ?? theirs.minItems,
          maxItems: mine.maxItems ?? theirs.maxItems, uniqueBy: mine.uniqueBy))
    case (.string(var mine), .string(let theirs)):
      mine.allowed = mine.allowed ?? theirs.allowed
      mine.minLength = mine.minLength ?? theirs.minLength
      mine.maxLength = mine.maxLength ?? theirs.maxLength
      return .string(mine)
    default: return self
    }
  }
}

extension ObjectSchema {
  /// Both objects' properties (merged where both list one), this one's groups and rules, and
  /// the generated policy for unknown fields (meshctl's own `.error` stays).
  func overlaying(_ base: ObjectSchema) -> ObjectSchema {
    var merged: [Property] = properties.map { property in
      guard let theirs = base.property(named: property.name) else { return property }
      return Property(
        name: property.name, schema: property.schema.overlaying(theirs.schema),
        isRequired: property.isRequired || theirs.isRequired, summary: property.summary,
        defaultValue: property.defaultValue ?? theirs.defaultValue)
    }
    merged += base.properties.filter { property(named: $0.name) == nil }
    let policy = unknownFields == .error ? .error : base.unknownFields
    return ObjectSchema(merged, unknownFields: policy, groups: groups, rules: rules)
  }
}
