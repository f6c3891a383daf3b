import Manifest
import Testing

@testable import MeshctlCLI

/// What validate and inject keep while they stream: source lines re-read for cross-document
/// findings, object records only for JUnit, report lines spooled.
@Suite struct StreamingTests {
  static let splitWithoutService = """
    apiVersion: v1
    kind: Service
    metadata: {name: reviews, namespace: shop}
    spec: {ports: [{port: 80}]}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: r, namespace: shop}
    spec:
      service: reviewz
      backends:
      - {name: a, service: reviews, weight: 100}

    """

  @Test func crossDocumentFindingFromAFileShowsItsLine() {
    let world = FakeWorld()
    world.files["split.yaml"] = Self.splitWithoutService
    world.run(["validate", "-f", "split.yaml"])
    #expect(world.stdout.text.contains("split.yaml:10:12: warning: Service `reviewz` is not in the input"))
    #expect(world.stdout.text.contains("\n  service: reviewz\n           ^\n"))
    #expect(world.stdout.text.contains("(2 objects)"))
  }

  @Test func crossDocumentFindingFromStandardInputShowsItsLine() {
    let world = FakeWorld()
    world.stdin = Self.splitWithoutService
    world.run(["validate", "-f", "-"])
    #expect(world.stdout.text.contains("-:10:12: warning: Service `reviewz` is not in the input"))
    #expect(world.stdout.text.contains("\n  service: reviewz\n           ^\n"))
  }

  @Test func objectRecordsOnlyWhenAsked() {
    let world = FakeWorld()
    world.files["split.yaml"] = Self.splitWithoutService
    let frontend = InputFrontend(arguments: ["split.yaml"], recursive: false, context: world.context)
    let counted = Meshctl.Validate.report(of: frontend, options: .init(), recordsObjects: false)
    #expect(counted.objects.isEmpty)
    #expect(counted.objectCount == 2)
    #expect(counted.findings.allSatisfy { $0.objectIndex == nil })
    let recorded = Meshctl.Validate.report(of: frontend, options: .init(), recordsObjects: true)
    #expect(recorded.objects.map(\.reference) == ["Service shop/reviews", "TrafficSplit shop/r"])
    #expect(recorded.findings.map(\.objectIndex) == [1])
  }

  @Test func spoolKeepsLinesInOrderAcrossItsFile() {
    let spool = LineSpool(limit: 16)
    let lines = (0..<500).map { "deployment/web-\($0) injected: ünïcode" }
    for line in lines { spool.append(line) }
    let sink = CapturedText()
    spool.drain(into: sink)
    #expect(sink.text == lines.map { $0 + "\n" }.joined())
    spool.drain(into: sink)
    #expect(sink.text.count == lines.map { $0 + "\n" }.joined().count)
  }
}
