import Manifest
import Testing
@testable import MeshSchema

@Suite struct ExportTests {
  /// Walks an exported schema: every schema node has a known type (or is typeless only where the
  /// dialect allows it), `required` names listed properties, bounds are ordered.
  func walk(_ node: Node, structural: Bool, path: String, problems: inout [String]) {
    guard let entries = node.mapping else {
      problems.append("\(path): schema is not an object")
      return
    }
    let keys = Set(entries.map(\.key))
    let type = node["type"]?.string
    if let type, !["object", "array", "string", "integer", "number", "boolean"].contains(type) {
      problems.append("\(path): unknown type \(type)")
    }
    if structural, type == nil, node["x-kubernetes-preserve-unknown-fields"]?.bool != true,
      node["x-kubernetes-int-or-string"]?.bool != true, !path.hasSuffix("anyOf[]")
    {
      problems.append("\(path): structural schemas need a type")
    }
    if let properties = node["properties"]?.mapping {
      for property in properties { walk(property.value, structural: structural, path: "\(path).\(property.key)", problems: &problems) }
      for name in node["required"]?.sequence ?? [] where !properties.contains(where: { $0.key == name.string }) {
        problems.append("\(path): required \(name.string ?? "?") is not a property")
      }
    }
    if let items = node["items"] { walk(items, structural: structural, path: "\(path)[]", problems: &problems) }
    if let additional = node["additionalProperties"], additional.mapping != nil {
      walk(additional, structural: structural, path: "\(path){}", problems: &problems)
    }
    for choice in node["anyOf"]?.sequence ?? [] { walk(choice, structural: structural, path: "\(path).anyOf[]", problems: &problems) }
    if let low = node["minimum"]?.double, let high = node["maximum"]?.double, low > high {
      problems.append("\(path): minimum above maximum")
    }
    if structural, keys.contains("oneOf") || keys.contains("allOf") || keys.contains("$comment") {
      problems.append("\(path): keyword not used in CRDs here")
    }
    for validation in node["x-kubernetes-validations"]?.sequence ?? [] {
      if validation["rule"]?.string?.isEmpty != false || validation["message"]?.string == nil {
        problems.append("\(path): validation without rule or message")
      }
    }
  }

  @Test(arguments: SchemaExport.kinds)
  func jsonSchemaIsSane(kind: String) throws {
    let schema = try #require(SchemaExport.jsonSchema(kind: kind))
    #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
    #expect(schema["title"]?.string == kind)
    var problems: [String] = []
    walk(schema, structural: false, path: kind, problems: &problems)
    #expect(problems.isEmpty, "\(problems)")
    #expect(schema["additionalProperties"]?.bool == false)
  }

  @Test(arguments: SchemaExport.kinds)
  func crdIsSane(kind: String) throws {
    let crd = try #require(SchemaExport.customResourceDefinition(kind: kind))
    #expect(crd["apiVersion"]?.string == "apiextensions.k8s.io/v1")
    #expect(crd["kind"]?.string == "CustomResourceDefinition")
    #expect(crd[path: "spec", "group"]?.string == "meshctl.io")
    #expect(crd[path: "spec", "scope"]?.string == "Namespaced")
    let plural = try #require(crd[path: "spec", "names", "plural"]?.string)
    #expect(crd[path: "metadata", "name"]?.string == "\(plural).meshctl.io")
    let version = try #require(crd[path: "spec", "versions"]?.sequence?.first)
    #expect(version["name"]?.string == "v1alpha1")
    #expect(version["served"]?.bool == true)
    #expect(version["storage"]?.bool == true)
    let schema = try #require(version[path: "schema", "openAPIV3Schema"])
    var problems: [String] = []
    walk(schema, structural: true, path: kind, problems: &problems)
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test func trafficSplitCRDCarriesTheRules() throws {
    let crd = try #require(SchemaExport.customResourceDefinition(kind: "TrafficSplit"))
    #expect(crd[path: "spec", "names", "shortNames"] == .sequence([.string("ts")]))
    let spec = try #require(crd[path: "spec", "versions"]?.sequence?.first?[path: "schema", "openAPIV3Schema", "properties", "spec"])
    let rules = (spec["x-kubernetes-validations"]?.sequence ?? []).compactMap { $0["rule"]?.string }
    #expect(rules.contains("self.backends.map(b, b.weight).sum() == 100"))
    #expect(rules.contains("self.backends.exists(b, b.weight > 0)"))
    let backends = try #require(spec[path: "properties", "backends"])
    #expect(backends["maxItems"]?.int == 10)
    #expect(backends["x-kubernetes-list-map-keys"] == .sequence([.string("name")]))
    let backendRules = (backends[path: "items", "x-kubernetes-validations"]?.sequence ?? []).compactMap { $0["rule"]?.string }
    #expect(backendRules == ["[has(self.selector), has(self.service)].filter(x, x).size() == 1"])
    let weight = try #require(backends[path: "items", "properties", "weight"])
    #expect(weight == .mapping(["type": .string("integer"), "description": .string("the share of traffic, in percent"), "minimum": .int(0), "maximum": .int(100)]))
    #expect(SchemaExport.customResourceDefinition(kind: "MTLSPolicy")?[path: "spec", "names", "shortNames"] == .sequence([.string("mtls")]))
  }

  @Test func unknownKindsExportNothing() {
    #expect(SchemaExport.jsonSchema(kind: "Deployment") == nil)
    #expect(SchemaExport.customResourceDefinition(kind: "Widget") == nil)
  }
}
