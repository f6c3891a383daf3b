import Manifest
import Testing
@testable import MeshSchema

@Suite struct FormatTests {
  @Test(arguments: ["a", "web", "reviews-v2", "0abc", String(repeating: "a", count: 63)])
  func validDNSLabels(_ text: String) {
    #expect(StringFormat.dns1123Label.accepts(text))
  }

  @Test(arguments: ["", "Web", "-web", "web-", "a.b", "web_1", String(repeating: "a", count: 64)])
  func invalidDNSLabels(_ text: String) {
    #expect(!StringFormat.dns1123Label.accepts(text))
  }

  @Test func subdomains() {
    #expect(StringFormat.dns1123Subdomain.accepts("reviews.bookinfo.svc"))
    #expect(!StringFormat.dns1123Subdomain.accepts("a..b"))
    #expect(!StringFormat.dns1123Subdomain.accepts("a.-b"))
    #expect(!StringFormat.dns1123Subdomain.accepts(String(repeating: "a.", count: 127) + "a"))
  }

  @Test func dns1035LabelsStartWithALetter() {
    #expect(StringFormat.dns1035Label.accepts("web"))
    #expect(!StringFormat.dns1035Label.accepts("1web"))
  }

  @Test func labelKeysAndValues() {
    #expect(StringFormat.labelKey.accepts("app"))
    #expect(StringFormat.labelKey.accepts("app.kubernetes.io/name"))
    #expect(StringFormat.labelKey.accepts("Foo_Bar.baz"))
    #expect(!StringFormat.labelKey.accepts("/name"))
    #expect(!StringFormat.labelKey.accepts("Example.COM/name"))
    #expect(!StringFormat.labelKey.accepts("a/b/c"))
    #expect(StringFormat.labelValue.accepts(""))
    #expect(StringFormat.labelValue.accepts("v1.2_rc-1"))
    #expect(!StringFormat.labelValue.accepts("-v1"))
    #expect(!StringFormat.labelValue.accepts("a b"))
    #expect(!StringFormat.labelValue.accepts(String(repeating: "x", count: 64)))
  }

  @Test(arguments: ["1", "0.5", ".5", "500m", "1Gi", "128Mi", "1e3", "1E-3", "+1k", "-2", "1.5Ti", "100n"])
  func validQuantities(_ text: String) {
    #expect(Formats.isQuantity(text))
  }

  @Test(arguments: ["", "Gi", "1GB", "1.2.3", "1 Gi", "1mi", "e3", "1e", "m"])
  func invalidQuantities(_ text: String) {
    #expect(!Formats.isQuantity(text))
  }

  @Test(arguments: ["0", "1s", "1m30s", "250ms", "1.5h", "-3us", "2µs", "1h2m3s4ms5us6ns", ".5s"])
  func validDurations(_ text: String) {
    #expect(Formats.isDuration(text))
  }

  @Test(arguments: ["", "1", "10", "s", "1d", "1 s", "1.s.", "1m30", "ms"])
  func invalidDurations(_ text: String) {
    #expect(!Formats.isDuration(text))
  }

  @Test func portNames() {
    #expect(StringFormat.portName.accepts("http"))
    #expect(StringFormat.portName.accepts("grpc-web2"))
    #expect(!StringFormat.portName.accepts("8080"))
    #expect(!StringFormat.portName.accepts("http--x"))
    #expect(!StringFormat.portName.accepts("a-very-long-port-name"))
    #expect(!StringFormat.portName.accepts("HTTP"))
  }

  @Test func portNumbers() {
    #expect(StringFormat.portNumber.accepts("8080"))
    #expect(!StringFormat.portNumber.accepts("0"))
    #expect(!StringFormat.portNumber.accepts("65536"))
    #expect(!StringFormat.portNumber.accepts("080"))
    #expect(!StringFormat.portNumber.accepts("http"))
  }

  @Test func cidrs() {
    #expect(Formats.isCIDR("10.0.0.0/8"))
    #expect(Formats.isCIDR("0.0.0.0/0"))
    #expect(Formats.isCIDR("fd00::/8"))
    #expect(Formats.isCIDR("::ffff:10.0.0.1/128"))
    #expect(Formats.isCIDR("*"))
    #expect(!Formats.isCIDR("10.0.0.0"))
    #expect(!Formats.isCIDR("10.0.0.256/8"))
    #expect(!Formats.isCIDR("10.0.0.0/33"))
    #expect(!Formats.isCIDR("fd00:::1/8"))
    #expect(!Formats.isCIDR("1:2:3:4:5:6:7:8:9/64"))
  }

  @Test func headerNamesAndPercents() {
    #expect(Formats.isToken("x-canary"))
    #expect(!Formats.isToken("x canary"))
    #expect(Formats.isPercent("25%"))
    #expect(!Formats.isPercent("%"))
  }

  @Test func everyFormatHasADisplayNameAndRejectsGarbage() {
    for format in StringFormat.allCases {
      #expect(!format.displayName.isEmpty)
      #expect(!format.accepts(" \u{0}garbage "), "\(format)")
    }
  }
}

@Suite struct SuggestionTests {
  @Test func editDistance() {
    #expect(EditDistance.between("weigth", "weight") == 1)  // a transposition counts once
    #expect(EditDistance.between("kitten", "sitting") == 3)
    #expect(EditDistance.between("", "abc") == 3)
    #expect(EditDistance.between("same", "same") == 0)
  }

  @Test func didYouMean() {
    #expect(Suggestions.didYouMean("weigth", among: ["name", "weight"]) == "did you mean `weight`?")
    #expect(Suggestions.didYouMean("Selector", among: ["selector", "service"]) == "did you mean `selector`?")
    #expect(Suggestions.didYouMean("zzzzzz", among: ["name", "weight"]) == nil)
    #expect(Suggestions.closest(to: "contaners", among: ["containers", "initContainers"]) == "containers")
  }

  @Test func jsonPaths() {
    #expect(JSONPath.render([.key("spec"), .key("backends"), .index(1), .key("weight")]) == "spec.backends[1].weight")
    #expect(JSONPath.render([.key("spec")], prefix: "items[3]") == "items[3].spec")
    #expect(
      JSONPath.render([.key("metadata"), .key("annotations"), .key("linkerd.io/inject")])
        == "metadata.annotations[\"linkerd.io/inject\"]")
  }
}
