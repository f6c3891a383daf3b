import Testing

@testable import Manifest

@Suite struct NodePathsTests {
  static let deployment = Node.parse(
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web, version: null, tier: 3, bad: [x]}}
    spec: {template: {spec: {containers: []}}}
    """)!

  @Test func valuesAreReadAlongAPath() {
    #expect(Self.deployment.value(at: ["metadata", "name"])?.string == "web")
    #expect(Self.deployment.value(at: [String]()) == Self.deployment)
    #expect(Self.deployment.value(at: ["spec", "missing", "x"]) == nil)
  }

  @Test func setValueReplacesOnlyWhatExists() {
    var node = Self.deployment
    node.setValue(.string("api"), at: ["metadata", "name"])
    #expect(node[path: "metadata", "name"]?.string == "api")
    node.setValue(.string("x"), at: ["metadata", "annotations", "a"])
    #expect(node[path: "metadata", "annotations"] == nil)
  }

  @Test func settingValueAddsMissingKeysLastAndKeepsOrder() {
    let node = Self.deployment.settingValue(.string("v"), at: ["metadata", "annotations", "a"])
    #expect(node[path: "metadata", "annotations", "a"]?.string == "v")
    #expect(node["metadata"]?.mapping?.map(\.key) == ["name", "labels", "annotations"])
    let replaced = node.settingValue(.string("w"), at: ["metadata", "labels", "app"])
    #expect(replaced[path: "metadata", "labels"]?.mapping?.map(\.key) == ["app", "version", "tier", "bad"])
    #expect(replaced[path: "metadata", "labels", "app"]?.string == "w")
    #expect(Node.null.settingValue(.int(1), at: ["a", "b"]) == .mapping(["a": .mapping(["b": .int(1)])]))
  }

  @Test func stringMapsReadNullAsEmptyAndSkipCollections() {
    #expect(Self.deployment[path: "metadata", "labels"].stringMap == ["app": "web", "version": "", "tier": "3"])
    #expect(Self.deployment[path: "metadata", "annotations"].stringMap == [:])
    #expect(Node.string("x").stringMap == [:])
  }

  @Test func oneValueParses() {
    #expect(Node.parse("[1, 2]") == .sequence([.int(1), .int(2)]))
    #expect(Node.parse(#"{"a": "b"}"#) == .mapping(["a": .string("b")]))
    #expect(Node.parse(#"{"a": ["#) == nil)
    #expect(Node.parse("") == nil)
  }

  @Test func applyOrderIsByTierAndStableWithinOne() {
    func object(_ apiVersion: String, _ kind: String, _ name: String) -> Node {
      .mapping([
        "apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .mapping(["name": .string(name)]),
      ])
    }
    let input = [
      object("networking.istio.io/v1", "VirtualService", "a"), object("v1", "Service", "b"),
      object("apps/v1", "Deployment", "c"), object("policy.linkerd.io/v1beta3", "Server", "d"),
      object("v1", "Namespace", "e"), object("v1", "Service", "f"),
    ]
    let names = ApplyTier.ordered(input).map { $0[path: "metadata", "name"]?.string ?? "" }
    #expect(names == ["e", "b", "f", "c", "a", "d"])
    #expect(ApplyTier.of(object("split.smi-spec.io/v1alpha4", "TrafficSplit", "x")) == .routing)
  }
}
