import Manifest

// Reading the generated tables (Generated/, written by scripts/generate-schemas.py): the kind
// index on first lookup, each definition on first use.

/// Where a kind's generated structure comes from.
enum GeneratedKind: Sendable {
  /// A built-in kind: its definition per Kubernetes minor release that serves it (`"1.33"`).
  case builtIn([String: Int])
  /// A CRD kind (any Kubernetes release).
  case customResource(Int)
}

extension GeneratedSchemas {
  /// How many definitions there are.
  static let definitionCount = pages.reduce(0) { $0 + $1.count }

  /// Every definition, compiled on first use; `$ref: "#N"` is definition N.
  static let definitions: [LazySchema] = (0..<definitionCount).map { number in
    LazySchema { compileDefinition(number) }
  }

  /// The compiler for generated definitions: refs are lazy definitions.
  static let compiler = OpenAPICompiler { reference in
    guard reference.hasPrefix("#"), let number = Int(reference.dropFirst()), number < definitionCount else {
      return .anything
    }
    return .lazy(definitions[number])
  }

  /// The text of definition `number`.
  static func definitionText(_ number: Int) -> String {
    string(pages[number / pageSize][number % pageSize])
  }

  private static func compileDefinition(_ number: Int) -> Schema {
    guard let node = Node.parse(definitionText(number), file: "<generated schema \(number)>") else { return .anything }
    return compiler.compile(node)
  }

  /// The kind index: `apiVersion kind` → where its structure is.
  static let index: [String: GeneratedKind] = {
    var table: [String: GeneratedKind] = [:]
    for line in string(kinds).split(separator: ";") {
      let fields = line.split(separator: " ")
      guard fields.count == 3 else { continue }
      let key = String(fields[0] + " " + fields[1])
      let served = fields[2].split(separator: ",")
      if served.count == 1, served[0].hasPrefix("*=") {
        table[key] = .customResource(Int(served[0].dropFirst(2)) ?? 0)
        continue
      }
      var byVersion: [String: Int] = [:]
      for pair in served {
        let parts = pair.split(separator: "=")
        guard parts.count == 2, let number = Int(parts[1]) else { continue }
        byVersion["1." + parts[0]] = number
      }
      table[key] = .builtIn(byVersion)
    }
    return table
  }()

  /// The API groups of the built-in kinds (`""` for the core group).
  static let builtInGroups: Set<String> = Set(
    index.compactMap { key, kind in
      guard case .builtIn = kind else { return nil }
      return apiGroup(String(key.prefix { $0 != " " }))
    })

  /// The text of a static string literal.
  static func string(_ literal: StaticString) -> String {
    String(decoding: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount), as: UTF8.self)
  }
}

/// The group of an apiVersion (`""` for the core group's `v1`).
func apiGroup(_ apiVersion: String) -> String {
  guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
  return String(apiVersion[..<slash])
}
