import Foundation
import Manifest
import Testing

@testable import MeshSchema

/// The analysis past its memory budget: summaries in temporary files, findings worked out a
/// part at a time, and the same result as in memory.
@Suite struct SpillTests {
  /// A reproducible generator (SplitMix64), so a failing input can be rebuilt from its seed.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// A stream of Services, Deployments, Namespaces, TrafficSplits and MTLSPolicies over a few
  /// namespaces (one of them unset), with references that sometimes miss, duplicate splits and
  /// policies, selectors that sometimes match nothing, and workloads with and without sidecars.
  static func generatedInput(seed: UInt64, objects: Int = 150) -> String {
    var random = SeededGenerator(state: seed)
    let namespaces = ["", "namespace: shop, ", "namespace: pay, "]
    var text = ""
    for index in 0..<objects {
      let namespace = namespaces.randomElement(using: &random)!
      let app = "svc\(Int.random(in: 0..<12, using: &random))"
      let version = "v\(Int.random(in: 1...3, using: &random))"
      switch Int.random(in: 0..<20, using: &random) {
      case 0..<5:
        // Services exist for svc0...svc8 only: svc9...svc11 are misses, some a typo away.
        let name = Bool.random(using: &random) ? app : "svc\(Int.random(in: 0..<9, using: &random))"
        guard name != "svc9", name != "svc10", name != "svc11" else { continue }
        text += "apiVersion: v1\nkind: Service\nmetadata: {\(namespace)name: \(name)}\n"
      case 5..<11:
        let sidecar = [
          "", "annotations: {linkerd.io/inject: enabled}, ", "labels: {sidecar.istio.io/inject: \"false\"}, ",
        ]
        .randomElement(using: &random)!
        let labels = sidecar.hasPrefix("labels") ? "" : "labels: {app: \(app), version: \(version)}"
        text += """
          apiVersion: apps/v1
          kind: Deployment
          metadata: {\(namespace)name: \(app)-\(version)-\(index)}
          spec:
            template:
              metadata: {\(sidecar)\(labels)}
              spec: {containers: [{name: app, image: app:1}]}

          """
      case 11:
        text += "apiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {istio-injection: enabled}}\n"
      case 12..<17:
        let other = "svc\(Int.random(in: 0..<12, using: &random))"
        let selector =
          Bool.random(using: &random)
          ? "{app: \(app), version: \(version)}" : "{version: v\(Int.random(in: 1...4, using: &random))}"
        text += """
          apiVersion: meshctl.io/v1alpha1
          kind: TrafficSplit
          metadata: {\(namespace)name: split-\(index)}
          spec:
            service: \(app)
            backends:
            - {name: a, selector: \(selector), weight: 50}
            - {name: b, service: \(other), weight: 50}

          """
      default:
        let mode = ["STRICT", "PERMISSIVE"].randomElement(using: &random)!
        let selector = Bool.random(using: &random) ? "\n  selector: {matchLabels: {app: \(app)}}" : ""
        text += """
          apiVersion: meshctl.io/v1alpha1
          kind: MTLSPolicy
          metadata: {\(namespace)name: policy-\(index)}
          spec:
            mode: \(mode)\(selector)

          """
      }
      text += "---\n"
    }
    return text
  }

  @Test(arguments: 0..<12 as Range<UInt64>)
  func spilledFindingsEqualInMemoryOnes(seed: UInt64) {
    let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: seed), file: "generated-\(seed).yaml")
    let inMemory = analyze(documents, memoryBudget: .max)
    for budget in [0, 700, 4000, 20000] {
      #expect(analyze(documents, memoryBudget: budget) == inMemory, "seed \(seed), budget \(budget)")
    }
  }

  @Test func generatedInputsReachEveryCrossDocumentRule() {
    var codes: Set<String> = []
    for seed in 0..<12 as Range<UInt64> {
      let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: seed), file: "g.yaml")
      codes.formUnion(analyze(documents, memoryBudget: 0).map(\.code))
    }
    // Otherwise the equivalence above would compare empty lists.
    #expect(codes.isSuperset(of: ["MC2001", "MC2002", "MC2003", "MC2004", "MC3001", "MC3002"]), "\(codes.sorted())")
  }

  @Test func aSmallBudgetSpillsAndALargeOneDoesNot() {
    let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: 1), file: "g.yaml")
    var small = CrossDocumentAnalysis(memoryBudget: 1000)
    var large = CrossDocumentAnalysis(memoryBudget: .max)
    for document in documents {
      small.add(document)
      large.add(document)
    }
    let (smallSpilled, largeSpilled) = (small.spilledToDisk, large.spilledToDisk)
    #expect(smallSpilled && !largeSpilled)
    // Asking twice gives the same answer: the findings only read the files.
    let (first, second) = (small.findings(), small.findings())
    #expect(first == second)
  }

  @Test func withoutASpillDirectoryEverythingStaysInMemory() {
    let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: 2), file: "g.yaml")
    var analysis = CrossDocumentAnalysis(memoryBudget: 0, spillDirectory: "/nonexistent/meshctl")
    for document in documents { analysis.add(document) }
    let (spilled, findings) = (analysis.spilledToDisk, analysis.findings())
    #expect(!spilled)
    #expect(findings == analyze(documents, memoryBudget: .max))
  }

  @Test func aFullDiskLosesNothing() throws {
    let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: 3), file: "g.yaml")
    let facts = RecordLog(descriptor: open("/dev/full", O_WRONLY))
    let queries = RecordLog(descriptor: open("/dev/full", O_WRONLY))
    var analysis = CrossDocumentAnalysis(
      memoryBudget: 0, spillDirectory: CrossDocumentAnalysis.temporaryDirectory, facts: facts, queries: queries)
    for document in documents { analysis.add(document) }
    // Writes happen at 64 KiB or when the budget is passed; force the last ones to fail too.
    facts.flush()
    queries.flush()
    #expect(facts.writeFailed && queries.writeFailed)
    let findings = analysis.findings()
    #expect(findings == analyze(documents, memoryBudget: .max))
  }

  @Test func temporaryFilesLeaveNothingBehind() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-spill-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let (documents, _) = ManifestReader().parse(Self.generatedInput(seed: 4), file: "g.yaml")
    do {
      var analysis = CrossDocumentAnalysis(memoryBudget: 0, spillDirectory: directory.path)
      for document in documents { analysis.add(document) }
      let spilled = analysis.spilledToDisk
      #expect(spilled)
      // Unlinked when made: the directory is empty even while the files are open.
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
      _ = analysis.findings()
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  struct Sample: SpillRecord, Equatable {
    var number: Int
    var text: String
    var labels: [UInt64]
    var mark: SourceMark
    var note: String?

    func encode(into encoder: inout RecordEncoder) {
      encoder.int(number)
      encoder.string(text)
      encoder.labels(labels)
      encoder.mark(mark)
      encoder.optional(note) { $0.string($1) }
    }

    init(number: Int, text: String, labels: [UInt64], mark: SourceMark, note: String?) {
      (self.number, self.text, self.labels, self.mark, self.note) = (number, text, labels, mark, note)
    }

    init(decoding decoder: inout RecordDecoder) {
      self.init(
        number: decoder.int(), text: decoder.string(), labels: decoder.labels(), mark: decoder.mark(),
        note: decoder.optional { $0.string() })
    }
  }

  @Test(arguments: [false, true])
  func recordsComeBackAsWritten(onDisk: Bool) throws {
    let file = RecordLog()
    if onDisk { #expect(file.moveToDisk(in: CrossDocumentAnalysis.temporaryDirectory)) }
    // Sizes from empty to 40 KiB, so records straddle the write buffer and the read blocks.
    let samples = (0..<600).map { index in
      Sample(
        number: index % 2 == 0 ? index * 1_000_003 : -index, text: String(repeating: "é", count: (index * 37) % 20_000),
        labels: (0..<(index % 5)).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }, mark: SourceMark(line: index, column: 3),
        note: index % 3 == 0 ? nil : "n\(index)")
    }
    for sample in samples { file.append(sample) }
    var first: [Sample] = []
    file.forEach { first.append($0.record()) }
    file.flush()
    var second: [Sample] = []
    file.forEach { second.append($0.record()) }
    #expect(first == samples)
    #expect(second == samples)
    #expect(file.count == samples.count && !file.writeFailed)
    #expect(file.isOnDisk == onDisk)
    #expect(file.bytesInMemory < (onDisk ? 1 << 16 : .max))
  }

  @Test func repeatedFilesAndObjectsComeBackAndTextCanBeSkipped() {
    let first = CrossDocumentAnalysis.Site(
      file: "a.yaml", mark: SourceMark(line: 1, column: 2), path: "spec", object: "Service web", sourceLine: "x")
    var second = first
    second.path = "spec.ports[0]"
    var third = first
    (third.file, third.object) = ("b.yaml", "Service api")
    var encoder = RecordEncoder()
    for site in [first, second, third, first] { encoder.record(site) }
    encoder.bytes.withUnsafeBytes { bytes in
      var decoder = RecordDecoder(bytes)
      var sites: [CrossDocumentAnalysis.Site] = []
      for _ in 0..<4 { sites.append(decoder.record()) }
      #expect(sites.map(\.file) == ["a.yaml", "a.yaml", "b.yaml", "a.yaml"])
      #expect(sites.map(\.object) == ["Service web", "Service web", "Service api", "Service web"])
      #expect(sites.map(\.path) == ["spec", "spec.ports[0]", "spec", "spec"])
      var light = RecordDecoder(bytes)
      light.skipsText = true
      var skipped: [CrossDocumentAnalysis.Site] = []
      for _ in 0..<4 { skipped.append(light.record()) }
      #expect(skipped.allSatisfy { $0.file.isEmpty && $0.object.isEmpty && $0.path == "" && $0.sourceLine == "" })
      #expect(skipped.map(\.mark) == sites.map(\.mark))
    }
  }

  @Test func aShortRecordReadsAsZerosWithoutTrapping() {
    var encoder = RecordEncoder()
    encoder.string("a long string that will be cut")
    encoder.labels([1, 2, 3])
    let cut = Array(encoder.bytes.prefix(9))
    cut.withUnsafeBytes { bytes in
      var decoder = RecordDecoder(bytes)
      #expect(decoder.string() == "a long s")
      #expect(decoder.labels() == [])
      #expect(decoder.int() == 0)
    }
  }

  @Test func theClosestSuggestionDoesNotDependOnOrder() {
    let candidates = ["reviewa", "reviewb", "Reviews", "ratings"]
    for order in [candidates, candidates.reversed(), candidates.shuffled()] {
      #expect(Suggestions.closest(to: "reviews", among: order) == "Reviews")
      #expect(Suggestions.closest(to: "reviewc", among: order.filter { $0 != "Reviews" }) == "reviewa")
    }
  }
}
