import Manifest
import Policy
import Testing

@Suite struct TrafficShiftTests {
  typealias Weights = [(name: String, weight: Int)]

  func names(_ weights: Weights?) -> [String] { (weights ?? []).map { "\($0.name)=\($0.weight)" } }

  @Test func othersAreRescaledInProportionAndTheSumStays100() {
    let three: Weights = [("v1", 60), ("v2", 30), ("v3", 10)]
    #expect(names(TrafficShift.setting("v3", to: 40, in: three)) == ["v1=40", "v2=20", "v3=40"])
    // 70 split 2:1 is 46.67/23.33: the larger remainder gets the extra point.
    #expect(names(TrafficShift.setting("v3", to: 30, in: three)) == ["v1=47", "v2=23", "v3=30"])
    #expect(names(TrafficShift.setting("v1", to: 100, in: three)) == ["v1=100", "v2=0", "v3=0"])
  }

  @Test(arguments: 0...100)
  func everyPercentSumsTo100(percent: Int) throws {
    let weights: Weights = [("a", 33), ("b", 33), ("c", 34), ("d", 0)]
    let shifted = try #require(TrafficShift.setting("b", to: percent, in: weights))
    #expect(shifted.reduce(0) { $0 + $1.weight } == 100)
    #expect(shifted.first { $0.name == "b" }?.weight == percent)
    #expect(shifted.allSatisfy { $0.weight >= 0 })
  }

  @Test func othersThatHadNothingShareEqually() {
    #expect(names(TrafficShift.setting("v1", to: 0, in: [("v1", 100), ("v2", 0), ("v3", 0)])) == ["v1=0", "v2=50", "v3=50"])
  }

  @Test func impossibleShiftsAreNil() {
    #expect(TrafficShift.setting("v9", to: 10, in: [("v1", 100)]) == nil)
    #expect(TrafficShift.setting("v1", to: 101, in: [("v1", 50), ("v2", 50)]) == nil)
    #expect(TrafficShift.setting("v1", to: 40, in: [("v1", 100)]) == nil)
    #expect(names(TrafficShift.setting("v1", to: 100, in: [("v1", 100)])) == ["v1=100"])
  }

  @Test func weightsAreReadAndWrittenOnTheTrafficSplit() throws {
    let text = """
      apiVersion: meshctl.io/v1alpha1
      kind: TrafficSplit
      metadata: {name: r, namespace: ns}
      spec:
        service: r
        backends:
        - {name: v1, selector: {version: v1}, weight: 90}
        - {name: v2, service: r-v2, weight: 10}
      """
    let split = try #require(ManifestReader().parse(text).documents.first?.root)
    #expect(names(TrafficShift.weights(of: split)) == ["v1=90", "v2=10"])
    let changed = TrafficShift.with([("v1", 25), ("v2", 75)], in: split)
    #expect(names(TrafficShift.weights(of: changed)) == ["v1=25", "v2=75"])
    #expect(changed[path: "spec", "backends"]?.sequence?[1]["service"]?.string == "r-v2")
    #expect(TrafficShift.describe(TrafficShift.weights(of: changed)) == "v1=25,v2=75")
  }
}
