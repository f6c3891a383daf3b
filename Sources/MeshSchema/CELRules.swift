import Manifest

// The CEL rules of one schema node (`x-kubernetes-validations`), evaluated by SchemaChecker on
// every value the node describes. A rule is parsed when a value first reaches it, once per
// distinct text (the carried CRDs repeat 133 rules 762 times), so neither start-up nor compiling
// a kind's schema pays for rules no object uses.

/// The CEL validation rules of a schema node.
public struct CELRules: Sendable {
  /// The rules, in the schema's order.
  let rules: [CELRule]

  /// The steps one rule may take on one value: the API server's per-call cost limit.
  static let budget = 1_000_000

  /// The rules of an `x-kubernetes-validations` list; nil when there are none.
  init?(_ node: Node?) {
    guard let items = node?.sequence, !items.isEmpty else { return nil }
    rules = items.compactMap(CELRule.init)
    guard !rules.isEmpty else { return nil }
  }
}

/// One rule: its text, what the API server says when it fails, and its parsed program.
final class CELRule: @unchecked Sendable {
  /// How a rule is evaluated offline.
  enum Program: Sendable {
    /// Parsed and in the subset.
    case expression(CELExpr)
    /// A transition rule (it reads `oldSelf`): the API server runs it only on updates, so it
    /// holds for the objects meshctl sees (creations).
    case transition
    /// Outside the subset: not checked.
    case unsupported(String)
  }

  /// The CEL text.
  let text: String
  /// The `message` (nil when the schema gives none).
  let message: String?
  /// Where the finding points, relative to the node (`.spec.port`, `['a.b']`).
  let fieldPath: String?
  /// Whether the rule also runs on creation, with `oldSelf` unset.
  let optionalOldSelf: Bool
  private let lock = Lock()
  private var parsed: Program?

  init(text: String, message: String?, fieldPath: String?, optionalOldSelf: Bool) {
    self.text = text
    self.message = message
    self.fieldPath = fieldPath
    self.optionalOldSelf = optionalOldSelf
  }

  /// A rule of an `x-kubernetes-validations` item; nil without a rule text.
  convenience init?(_ node: Node) {
    guard let text = node["rule"]?.string else { return nil }
    // A messageExpression is CEL too; without a plain message the rule text stands in.
    let message = node["message"]?.string.flatMap { $0.isEmpty ? nil : $0 }
    self.init(
      text: text, message: message, fieldPath: node["fieldPath"]?.string,
      optionalOldSelf: node["optionalOldSelf"]?.bool ?? false)
  }

  /// The parsed rule, parsed on first use.
  var program: Program {
    lock.withLock {
      if let parsed { return parsed }
      let program = CELPrograms.shared.program(text, optionalOldSelf: optionalOldSelf)
      parsed = program
      return program
    }
  }

  /// Parses a rule's text.
  static func parse(_ text: String, optionalOldSelf: Bool) -> Program {
    do {
      let tokens = try CELLexer.tokens(text)
      if tokens.contains(.identifier("oldSelf")) {
        // With optionalOldSelf the rule also runs on creation, with oldSelf unset.
        return optionalOldSelf ? .unsupported("optionalOldSelf") : .transition
      }
      return .expression(try CELParser.parse(tokens: tokens))
    } catch let error as CELUnsupported {
      return .unsupported(error.reason)
    } catch {
      return .unsupported("\(error)")
    }
  }

  /// Whether meshctl decides this rule offline (evaluates it, or knows it holds).
  var isDecided: Bool {
    if case .unsupported = program { return false }
    return true
  }

  /// What the finding says: the rule's message, or `failed rule: <rule>` as the API server says.
  var failureMessage: String {
    message ?? "failed rule: \(text)"
  }
}

/// The parsed rules by text, shared by every schema node that carries the same rule.
final class CELPrograms: @unchecked Sendable {
  /// The process's table.
  static let shared = CELPrograms()
  private let lock = Lock()
  private var programs: [String: CELRule.Program] = [:]

  /// The program of a rule text, parsed on its first request.
  func program(_ text: String, optionalOldSelf: Bool) -> CELRule.Program {
    let key = optionalOldSelf ? "?" + text : text
    if let known = lock.withLock({ programs[key] }) { return known }
    let program = CELRule.parse(text, optionalOldSelf: optionalOldSelf)
    lock.withLock { programs[key] = program }
    return program
  }
}

/// The outcome of one rule on one value.
enum CELOutcome: Equatable {
  case passed
  case failed
  /// Not evaluated: outside the subset, a runtime error, or the budget spent.
  case unevaluated
}

extension CELRule {
  /// Evaluates the rule with `self` bound to `node`, read under `schema`.
  func evaluate(on node: Node, schema: Schema, budget: Int = CELRules.budget) -> CELOutcome {
    switch program {
    case .transition: return .passed
    case .unsupported: return .unevaluated
    case .expression(let expression):
      var evaluator = CELEvaluator(budget: budget)
      guard let value = try? CELEvaluator.value(of: node, schema: schema),
        case .bool(let result)? = try? evaluator.evaluate(expression, self: value)
      else { return .unevaluated }
      return result ? .passed : .failed
    }
  }

  /// The node a finding points at and its path below the rule's node: `fieldPath` followed as
  /// far as the object has it (`.a.b`, `['a.b']`), else the node itself.
  func findingTarget(in node: Node) -> (Node, [PathComponent]) {
    guard let fieldPath, let keys = Self.keys(of: fieldPath) else { return (node, []) }
    var current = node
    var path: [PathComponent] = []
    for key in keys {
      guard let next = current[key] else { break }
      current = next
      path.append(.key(key))
    }
    return (current, path)
  }

  /// The keys of a relative JSON path of fields; nil when it has other steps.
  static func keys(of fieldPath: String) -> [String]? {
    var keys: [String] = []
    var rest = Substring(fieldPath)
    while !rest.isEmpty {
      if rest.hasPrefix(".") {
        rest = rest.dropFirst()
        let name = rest.prefix { $0 != "." && $0 != "[" }
        guard !name.isEmpty else { return nil }
        keys.append(String(name))
        rest = rest.dropFirst(name.count)
      } else if rest.hasPrefix("['") {
        rest = rest.dropFirst(2)
        guard let end = rest.firstIndex(of: "'"), rest[end...].hasPrefix("']") else { return nil }
        keys.append(String(rest[..<end]))
        rest = rest[end...].dropFirst(2)
      } else {
        return nil
      }
    }
    return keys
  }
}

extension GeneratedSchemas {
  /// The distinct CEL rules of the generated schemas and how many of them meshctl decides
  /// offline (evaluated, or transition rules that hold on creation).
  static func celRuleCoverage() -> (decided: Int, total: Int, unsupported: [String: String]) {
    var texts = Set<String>()
    func collect(_ node: Node) {
      switch node.content {
      case .mapping(let entries):
        for entry in entries {
          if entry.key == "x-kubernetes-validations" {
            for rule in entry.value.sequence ?? [] { if let text = rule["rule"]?.string { texts.insert(text) } }
          } else {
            collect(entry.value)
          }
        }
      case .sequence(let items): items.forEach(collect)
      case .scalar: break
      }
    }
    for number in 0..<definitionCount {
      if let node = Node.parse(definitionText(number), file: "<generated schema \(number)>") { collect(node) }
    }
    var unsupported: [String: String] = [:]
    for text in texts {
      if case .unsupported(let reason) = CELRule.parse(text, optionalOldSelf: false) {
        unsupported[text] = reason
      }
    }
    return (texts.count - unsupported.count, texts.count, unsupported)
  }
}
