import Testing

@testable import Manifest

@Suite struct JSONPathTemplateTests {
  static let list = Node.parse(
    """
    apiVersion: v1
    kind: List
    items:
    - metadata: {name: cart, namespace: shop, labels: {app: cart}}
      spec: {service: cart, backends: [{name: v1, weight: 90}, {name: v2, weight: 10}]}
    - metadata: {name: web, namespace: front}
      spec: {service: web, backends: [{name: v1, weight: 100}]}
    """)!

  static func render(_ template: String, _ node: Node = list) throws -> String {
    try JSONPathTemplate(template).render(node)
  }

  @Test func fieldsIndexesAndWildcards() throws {
    #expect(try Self.render("{.kind}") == "List")
    #expect(try Self.render("{.items[*].metadata.name}") == "cart web")
    #expect(try Self.render("{.items[0].spec.backends[0].weight}") == "90")
    #expect(try Self.render("{.items[-1].metadata.name}") == "web")
    #expect(try Self.render("{.items[0:1].metadata.name}") == "cart")
    #expect(try Self.render("{.items[0].metadata.labels['app']}") == "cart")
    #expect(try Self.render("{$.items[1].spec.service}") == "web")
  }

  @Test func aTemplateWithoutBracesIsOneExpression() throws {
    #expect(try Self.render(".items[1].metadata.namespace") == "front")
  }

  @Test func rangeLiteralsAndText() throws {
    let template = #"{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}"#
    #expect(try Self.render(template) == "shop/cart\nfront/web\n")
    #expect(try Self.render("name={.items[0].metadata.name};") == "name=cart;")
    let nested = #"{range .items[*]}{.metadata.name}:{range .spec.backends[*]} {.name}={.weight}{end}{"\n"}{end}"#
    #expect(try Self.render(nested) == "cart: v1=90 v2=10\nweb: v1=100\n")
  }

  @Test func filters() throws {
    #expect(try Self.render(#"{.items[?(@.metadata.name=="web")].spec.service}"#) == "web")
    #expect(try Self.render("{.items[?(@.metadata.labels)].metadata.name}") == "cart")
    #expect(try Self.render("{.items[0].spec.backends[?(@.weight!=90)].name}") == "v2")
  }

  @Test func missingFieldsPrintNothingAndObjectsPrintAsJSON() throws {
    #expect(try Self.render("{.items[0].status.phase}") == "")
    #expect(try Self.render("{.items[5].metadata.name}") == "")
    #expect(try Self.render("{.items[1].spec.backends[0]}") == #"{"name":"v1","weight":100}"#)
  }

  @Test(arguments: ["{.items", "{range .items[*]}{.x}", "{end}", "{.items[x]}", "{..name}", "{.items[0}"])
  func badTemplatesAreErrorsNamingThem(_ template: String) {
    #expect {
      try JSONPathTemplate(template)
    } throws: { error in
      "\(error)".contains("jsonpath template \"\(template)\"")
    }
  }
}
