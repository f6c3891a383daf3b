import Foundation
import FoundationXML
import Testing

/// The CI formats of `validate` from the binary, on inputs that cannot be read: JUnit and SARIF
/// must fail the run too, not only the exit code; `--stdin-name` names standard input everywhere.
@Suite(.tags(.slow)) struct ReportFormatBinaryTests {
  static let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 99999}]}\n"

  func run(_ format: String, stdinName: String? = "deploy/web.yaml") throws -> ProcessResult {
    var arguments = ["validate", "-f", "-", "-f", "/nonexistent/missing.yaml", "-o", format]
    if let stdinName { arguments += ["--stdin-name", stdinName] }
    return try Binary.run(arguments, stdin: Self.service)
  }

  @Test func sarifOnAnUnreadableInputHasTheSARIF210Structure() throws {
    let result = try run("sarif")
    #expect(result.status == 2)
    let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    var problems: [String] = []
    let typed = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))
    SARIFShape.check(typed, as: "sarifLog", at: "$", problems: &problems)
    #expect(problems == [])
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
    #expect(invocation["executionSuccessful"] as? Bool == false)
    let notes = try #require(invocation["toolExecutionNotifications"] as? [[String: Any]])
    #expect(notes.count == 1)
    #expect(((notes[0]["message"] as? [String: Any])?["text"] as? String)?.contains("missing.yaml") == true)
    let results = try #require(run["results"] as? [[String: Any]])
    let location = (results.first?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
    #expect((location?["artifactLocation"] as? [String: Any])?["uri"] as? String == "deploy/web.yaml")
  }

  @Test func theStructuralCheckCatchesWhatTheSchemaForbids() throws {
    let broken = #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"m","rules":[{"id":"A","helpUri":"rules.md#a"}]}},"invocations":[{"exitCode":true}],"results":[{"level":"fatal","message":{}}],"extra":1}]}"#
    var problems: [String] = []
    SARIFShape.check(try JSONDecoder().decode(JSONValue.self, from: Data(broken.utf8)), as: "sarifLog", at: "$", problems: &problems)
    #expect(Set(problems.map { $0.split(separator: ":")[0] }) == [
      "$.runs[0].tool.driver.rules[0].helpUri", "$.runs[0].invocations[0]", "$.runs[0].invocations[0].exitCode",
      "$.runs[0].results[0].level", "$.runs[0].results[0].message", "$.runs[0].extra",
    ])
  }

  @Test func junitOnAnUnreadableInputHasAFailingTestCase() throws {
    let result = try run("junit")
    #expect(result.status == 2)
    let document = try XMLDocument(xmlString: result.stdout)
    let failures = try document.nodes(forXPath: "//testcase/failure[@type='unreadable-input']")
    #expect(failures.count == 1)
    let suites = try document.nodes(forXPath: "/testsuites/testsuite/@name").compactMap(\.stringValue)
    #expect(suites == ["deploy/web.yaml", "unreadable inputs"])
    let service = try #require(try document.nodes(forXPath: "//testcase[@classname='Service']").first as? XMLElement)
    #expect(service.attribute(forName: "name")?.stringValue == "web")
    #expect(document.rootElement()?.attribute(forName: "time")?.stringValue?.contains(".") == true)
  }

  @Test func stdinNameInEveryFormat() throws {
    for format in ["text", "json", "github", "junit", "sarif"] {
      let named = try run(format)
      #expect(named.stdout.contains("deploy/web.yaml"), "\(format)")
      let unnamed = try run(format, stdinName: nil)
      #expect(!unnamed.stdout.contains("deploy/web.yaml"), "\(format)")
    }
  }

  @Test func colorFlagAgainstNoColor() throws {
    let bad = ["validate", "-f", "-"]
    let always = try Binary.run(bad + ["--color", "always"], stdin: Self.service, environment: ["NO_COLOR": "1"])
    #expect(always.stdout.contains("\u{1B}["))
    // auto in a pipe: no colour; never: none either.
    for mode in ["auto", "never"] {
      let plain = try Binary.run(bad + ["--color", mode], stdin: Self.service)
      #expect(!plain.stdout.contains("\u{1B}["), "\(mode)")
    }
    #expect(try Binary.run(bad + ["--color", "sometimes"], stdin: Self.service).status == 64)
  }

  /// Every command that prints findings on standard error takes `--color` too.
  @Test(arguments: ["render", "apply", "diff"]) func colorFlagReachesStandardError(command: String) throws {
    let split = """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: cart, namespace: shop}
      spec:
        service: cart
        backends:
        - {name: v1, selector: {version: v1}, weight: 100, wieght: 1}

      """
    let arguments = [command, "-f", "-", "--kubeconfig", "/nonexistent/kubeconfig"]
    let always = try Binary.run(arguments + ["--color", "always"], stdin: split, environment: ["NO_COLOR": "1"])
    #expect(always.stderr.contains("\u{1B}[1;31merror:"), "\(command): \(always.stderr)")
    let never = try Binary.run(arguments + ["--color", "never"], stdin: split)
    #expect(never.stderr.contains("error:") && !never.stderr.contains("\u{1B}["), "\(command): \(never.stderr)")
  }
}

/// The part of the SARIF 2.1.0 JSON schema (OASIS, `sarif-schema-2.1.0.json`) that covers every
/// object meshctl writes, restated as structural checks: each definition's required properties,
/// the properties it allows (`additionalProperties: false` in the schema), enums and minimums.
/// The schema itself is not copied here; this list was written from reading it.
enum SARIFShape {
  /// What a property holds: another definition, an array of one, or a primitive.
  indirect enum Value: Sendable {
    case object(String)
    case array(Value)
    case string
    case uri
    case integer(minimum: Int)
    case boolean
    case oneOf([String])
    /// A property bag: any members (`additionalProperties: true`).
    case propertyBag
  }

  struct Definition: Sendable {
    var required: [String] = []
    var anyOfRequired: [String] = []
    var properties: [String: Value]
  }

  static let levels = ["none", "note", "warning", "error"]

  static let definitions: [String: Definition] = [
    "sarifLog": Definition(
      required: ["version", "runs"],
      properties: ["$schema": .uri, "version": .oneOf(["2.1.0"]), "runs": .array(.object("run"))]),
    "run": Definition(
      required: ["tool"],
      properties: [
        "tool": .object("tool"), "invocations": .array(.object("invocation")),
        "columnKind": .oneOf(["utf16CodeUnits", "unicodeCodePoints"]), "results": .array(.object("result")),
        "properties": .propertyBag,
      ]),
    "tool": Definition(required: ["driver"], properties: ["driver": .object("toolComponent")]),
    "toolComponent": Definition(
      required: ["name"],
      properties: [
        "name": .string, "version": .string, "informationUri": .uri, "rules": .array(.object("reportingDescriptor")),
      ]),
    "reportingDescriptor": Definition(
      required: ["id"],
      properties: [
        "id": .string, "shortDescription": .object("multiformatMessageString"), "helpUri": .uri,
        "defaultConfiguration": .object("reportingConfiguration"),
      ]),
    "reportingConfiguration": Definition(properties: ["level": .oneOf(levels)]),
    "multiformatMessageString": Definition(required: ["text"], properties: ["text": .string]),
    "invocation": Definition(
      required: ["executionSuccessful"],
      properties: [
        "executionSuccessful": .boolean, "exitCode": .integer(minimum: Int.min),
        "toolExecutionNotifications": .array(.object("notification")),
      ]),
    "notification": Definition(
      required: ["message"],
      properties: ["message": .object("message"), "level": .oneOf(levels), "locations": .array(.object("location"))]),
    "message": Definition(anyOfRequired: ["text", "id"], properties: ["text": .string, "id": .string]),
    "result": Definition(
      required: ["message"],
      properties: [
        "ruleId": .string, "ruleIndex": .integer(minimum: -1), "level": .oneOf(levels), "message": .object("message"),
        "locations": .array(.object("location")), "suppressions": .array(.object("suppression")),
      ]),
    "suppression": Definition(
      required: ["kind"],
      properties: [
        "kind": .oneOf(["inSource", "external"]), "status": .oneOf(["accepted", "underReview", "rejected"]),
        "justification": .string, "properties": .propertyBag,
      ]),
    "location": Definition(
      properties: [
        "physicalLocation": .object("physicalLocation"), "logicalLocations": .array(.object("logicalLocation")),
      ]),
    "physicalLocation": Definition(
      anyOfRequired: ["address", "artifactLocation"],
      properties: ["artifactLocation": .object("artifactLocation"), "region": .object("region")]),
    "artifactLocation": Definition(properties: ["uri": .string]),
    "region": Definition(properties: ["startLine": .integer(minimum: 1), "startColumn": .integer(minimum: 1)]),
    "logicalLocation": Definition(properties: ["fullyQualifiedName": .string, "name": .string]),
  ]

  /// Appends a line to `problems` for each way `value` breaks definition `name`.
  static func check(_ value: JSONValue, as name: String, at path: String, problems: inout [String]) {
    guard let definition = definitions[name] else { return problems.append("\(path): no definition \(name)") }
    guard case .object(let object) = value else { return problems.append("\(path): not an object") }
    for key in definition.required where object[key] == nil { problems.append("\(path): missing \(key)") }
    if !definition.anyOfRequired.isEmpty, !definition.anyOfRequired.contains(where: { object[$0] != nil }) {
      problems.append("\(path): needs one of \(definition.anyOfRequired)")
    }
    for (key, member) in object {
      guard let expected = definition.properties[key] else {
        problems.append("\(path).\(key): not allowed in \(name)")
        continue
      }
      check(member, against: expected, at: "\(path).\(key)", problems: &problems)
    }
  }

  static func check(_ value: JSONValue, against expected: Value, at path: String, problems: inout [String]) {
    switch (expected, value) {
    case (.object(let name), _): check(value, as: name, at: path, problems: &problems)
    case (.propertyBag, .object): break
    case (.array(let item), .array(let items)):
      for (index, element) in items.enumerated() { check(element, against: item, at: "\(path)[\(index)]", problems: &problems) }
    case (.string, .string): break
    case (.uri, .string(let text)):
      if URL(string: text)?.scheme == nil { problems.append("\(path): not an absolute URI") }
    case (.integer(let minimum), .integer(let number)):
      if number < minimum { problems.append("\(path): below \(minimum)") }
    case (.boolean, .bool): break
    case (.oneOf(let allowed), .string(let text)):
      if !allowed.contains(text) { problems.append("\(path): \(text) is not one of \(allowed)") }
    default: problems.append("\(path): \(value) is not \(expected)")
    }
  }
}

/// A JSON value with its JSON type kept (a boolean never passes for a number).
enum JSONValue: Decodable {
  case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }
}
