import Foundation
import TestSupport
import Testing

@testable import Manifest

/// `ParallelManifestReader` hands back what one `ManifestReader` reads, in the same order:
/// documents with their numbers, lines, text, marks and findings, and each input's summary;
/// pieces of one byte cut every stream at every `---` line, the hardest case.
@Suite struct ParallelReaderTests {
  /// Streams where cutting at `---` lines could go wrong.
  static let streams: [(name: String, text: String)] = [
    ("plain", "a: 1\n---\nb: 2\n---\nc: 3\n"),
    ("leading comments", "# header\n---\na: 1\n---\nb: 2\n"),
    ("leading document marker", "---\na: 1\n---\nb: 2\n--- \nc: 3\n"),
    ("block scalar", "a: |\n  x\n---\nb: >-\n  y\n---\nc: 1\n"),
    ("root block scalar", "--- |\n  text\n---\nb: 1\n"),
    ("quoted scalar across a marker", "a: \"one\n---\ntwo\"\n---\nb: 1\n"),
    ("flow across a marker", "a: [1,\n---\n2]\n---\nb: 1\n"),
    ("directive", "a: 1\n---\n%YAML 1.1\n---\nb: 2\n---\nc: 3\n"),
    ("crlf", "a: 1\r\n---\r\nb: [1, 2\r\n---\r\nc: 3\r\n"),
    ("lone cr", "a: 1\r---\rb: 2\n---\nc: 3\n"),
    ("byte-order mark", "\u{FEFF}a: 1\n---\nb: 2\n---\nc: 3\n"),
    ("document end then implicit document", "a: 1\n...\nb: 2\n---\nc: 3\n---\nd: 4\n"),
    ("syntax error in the middle", "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n---\ne: 5\n"),
    ("duplicate key", "a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n"),
    ("depth limit", "a: 1\n---\nb: " + String(repeating: "[", count: 150) + "\n---\nc: 3\n"),
    ("alias to an earlier document", "a: &x 1\n---\nb: *x\n---\nc: 3\n"),
    ("empty documents", "---\n---\n---\na: 1\n---\n"),
    ("only comments", "# nothing\n# here\n"),
    ("control character", "a: 1\n---\nb: \u{1}\n---\nc: 3\n"),
    ("no line break at the end", "a: 1\n---\nb: 2\n---"),
    ("line separator", "a: 1\n---\nb: \"x\u{2028}y\"\n---\nc: 3\n"),
  ]

  @Test(arguments: streams.map(\.name))
  func piecesReadAsOneStream(name: String) throws {
    let text = try #require(Self.streams.first { $0.name == name }).text
    #expect(Self.parallel([text], pieceBytes: 1) == Self.sequential([text]))
  }

  @Test func manyInputsKeepTheirOrder() {
    let inputs = Self.streams.map(\.text) + Self.streams.map(\.text).reversed()
    #expect(Self.parallel(inputs, pieceBytes: 1) == Self.sequential(inputs))
    #expect(Self.parallel(inputs, pieceBytes: 16) == Self.sequential(inputs))
  }

  @Test func aLongStreamInPieces() {
    let documents = (0..<400).map { "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\($0)\n" }
    var text = documents.joined(separator: "---\n")
    text += "---\nbroken: [\n---\nafter: 1\n"
    let read = Self.parallel([text], pieceBytes: 200)
    #expect(read == Self.sequential([text]))
    #expect(read.filter { $0.hasPrefix("document") }.count == 400)
  }

  @Test func runsAlonePiecesSeeEveryEarlierDocumentFirst() {
    // The transform counts documents as it sees them: a piece that runs alone sees all before it.
    final class Counter: @unchecked Sendable {
      let lock = NSLock()
      var seen = 0
      func next() -> Int { lock.withLock { seen += 1; return seen } }
    }
    let counter = Counter()
    let text = (0..<50).map { $0 == 30 ? "special: \($0)\n" : "a: \($0)\n" }.joined(separator: "---\n")
    var order: [Int: Int] = [:]
    let reader = ParallelManifestReader<(index: Int, seen: Int)>(
      reader: ManifestReader(), jobs: 2, pieceBytes: 1, transform: { ($0.index, counter.next()) },
      runsAlone: { bytes in String(decoding: bytes, as: UTF8.self).contains("special") })
    let handle: (ParallelManifestReader<(index: Int, seen: Int)>.Event) -> Void = { event in
      if case .document(let output) = event { order[output.index] = output.seen }
    }
    try? reader.read(MemorySource(text), file: "s.yaml", handle)
    try? reader.finish(handle)
    #expect(order.count == 50)
    #expect(order[30] == 31)
  }

  @Test func longLinesListsAndPercentsKeepTheirLines() {
    // Long lines, `-` and `%` at line starts and inside lines, blank lines, comments after
    // `---`: every piece size must give one reader's lines and documents.
    let long = String(repeating: "x", count: 70)
    let documents = (0..<60).map { index in
      "a\(index): \(long)\n- item\n-x: 1\nb: \"50%\"\n\n" + String(repeating: "c: \(long) - d\n", count: index % 5)
    }
    let text = documents.enumerated().map { $0 % 2 == 0 ? "---\n" + $1 : "--- # next\n" + $1 }.joined() + "---\nlast: 1"
    for pieceBytes in [1, 40, 100, 333, 4096] {
      #expect(Self.parallel([text], pieceBytes: pieceBytes) == Self.sequential([text]), "pieces of \(pieceBytes)")
    }
  }

  @Test func splitterCutsOnlyAtDocumentStartLines() {
    var splitter = StreamSplitter(pieceBytes: 1, maxPieceBytes: 1 << 20)
    let source = MemorySource("# c\n---\na: 1\n---x\n--- b\n---\n")
    var pieces: [String] = []
    while true {
      let cut = splitter.nextCut(source)
      guard case .piece(_, _, _, let isLast) = cut else { break }
      pieces.append(String(decoding: splitter.take(cut), as: UTF8.self))
      if isLast { break }
    }
    #expect(pieces == ["# c\n---\na: 1\n---x\n", "--- b\n", "---\n"])
    #expect(splitter.origin == StreamPosition(byteOffset: 28, line: 7, documentIndex: 3))
  }

  // MARK: - Helpers

  /// What one reader reads from each input, as lines to compare.
  static func sequential(_ inputs: [String]) -> [String] {
    var lines: [String] = []
    for (index, text) in inputs.enumerated() {
      let summary = try? ManifestReader().read(MemorySource(text), file: "in\(index).yaml") {
        lines.append(describe($0))
      }
      lines.append(describe(summary))
    }
    return lines
  }

  /// What the parallel reader hands back from the same inputs.
  static func parallel(_ inputs: [String], pieceBytes: Int) -> [String] {
    var lines: [String] = []
    // The transform describes the document on the worker thread, where the document stays.
    let reader = ParallelManifestReader<String>(
      reader: ManifestReader(), jobs: 2, pieceBytes: pieceBytes, transform: { describe($0) })
    let handle: (ParallelManifestReader<String>.Event) -> Void = { event in
      switch event {
      case .document(let description):
        lines.append(description)
      case .finished(let summary): lines.append(describe(summary))
      case .failed(let error): lines.append("failed \(error)")
      }
    }
    for (index, text) in inputs.enumerated() {
      try? reader.read(MemorySource(text), file: "in\(index).yaml", handle)
    }
    try? reader.finish(handle)
    return lines
  }

  static func describe(_ document: Document) -> String {
    "document \(document.file) #\(document.index) line \(document.startLine) \(document.holdsOnlyComments) "
      + "\(document.sourceText.debugDescription) \(document.diagnostics) \(marks(document.root))"
  }

  static func describe(_ summary: ReadSummary?) -> String {
    guard let summary else { return "threw" }
    return "summary \(summary.documentCount) \(summary.diagnostics)"
  }

  /// Every mark in a tree, in document order.
  static func marks(_ node: Node) -> [String] {
    var marks = ["\(node.mark.line):\(node.mark.column)"]
    switch node.content {
    case .scalar: break
    case .sequence(let items): marks += items.flatMap(Self.marks)
    case .mapping(let entries):
      for entry in entries { marks += ["\(entry.keyMark.line):\(entry.keyMark.column)"] + Self.marks(entry.value) }
    }
    return marks
  }
}
