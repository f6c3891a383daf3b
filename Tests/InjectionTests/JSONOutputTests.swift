import Injection
import Manifest
import Testing

/// inject's `-o json` is written object by object into a spool (memory flat in the number of
/// documents), and its text is still the one value `ObjectPrinter` writes for all of them.
@Suite struct JSONOutputTests {
  static let printer = ObjectPrinter(format: .json, listMetadata: false, emptyIsList: true)

  static func objects(_ count: Int) -> [Node] {
    (0..<count).map { index in
      Node.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\(index)}\ndata: {text: \"a\\nb\", list: [1, {x: []}]}\n")!
    }
  }

  static func spooled(_ objects: [Node], printer: ObjectPrinter = printer, memoryLimit: Int = 1 << 20) -> String {
    let spool = JSONObjectSpool(printer: printer, memoryLimit: memoryLimit)
    for object in objects { spool.append(object) }
    let out = CapturedText()
    spool.drain(into: out)
    return out.text
  }

  @Test(arguments: [0, 1, 2, 3, 40]) func theSpoolWritesWhatThePrinterWrites(count: Int) {
    let objects = Self.objects(count)
    #expect(Self.spooled(objects) == Self.printer.text(of: objects))
    let kubectl = ObjectPrinter(format: .json)
    #expect(Self.spooled(objects, printer: kubectl) == kubectl.text(of: objects))
  }

  @Test func textPastTheMemoryLimitComesBackWhole() {
    let objects = Self.objects(200)
    #expect(Self.spooled(objects, memoryLimit: 1_000) == Self.printer.text(of: objects))
  }

  @Test func theSessionSpoolsEveryDocumentButEmptyOnes() throws {
    let stream = "---\n# only a comment\n" + (0..<3).map { "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\($0)}\n" }.joined()
    let documents = ManifestReader().parse(stream, file: "s.yaml").documents
    var session = InjectionSession(output: .json, keepsOutcomes: false) { _ in (nil, []) }
    for document in documents { #expect(try session.add(document) == "") }
    let out = CapturedText()
    session.json.drain(into: out)
    #expect(out.text == Self.printer.text(of: documents.filter { !$0.isEmpty }.map(\.root)))
    #expect(out.text.contains("\"name\": \"c2\""))
  }
}
