import Foundation
import Injection
import Manifest
import MeshSchema
import Testing

/// The round-trip proof of surgical edits (issue 13, DESIGN.md §7) over every manifest of the
/// corpus, for both providers: `uninject(inject(x))` gives `x` byte for byte, and the lines that
/// injection changed or added all lie inside pod templates. Skipped, visibly, without
/// ../shared/corpus.
@Suite(.enabled(if: PeerCorpus.exists, "needs ../shared/corpus")) struct SurgicalRoundTripTests {
  static func injectors() -> [(String, Injector)] {
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    return [
      ("istio", Injector(options: InjectionOptions(settings: .defaults(for: .istio)))),
      ("linkerd", Injector(options: InjectionOptions(settings: linkerd))),
    ]
  }


  /// One file through `transform`, document by document, as the command writes it.
  static func run(_ documents: [Document], _ transform: (Document) throws -> (root: Node?, outcomes: [InjectionOutcome]))
    rethrows -> (text: String, changed: Bool)
  {
    var text = ""
    var changed = false
    for document in documents {
      let result = try transform(document)
      changed = changed || result.root != nil
      text += StreamWriter.text(of: document, replacement: result.root)
    }
    return (text, changed)
  }

  /// Reads as inject and uninject do: with the layout recorded, so splices need no second parse.
  static var reader: ManifestReader {
    var reader = ManifestReader()
    reader.recordsLayout = true
    return reader
  }

  /// The corpus files meshctl injects (no read errors: those are refused whole), read.
  static func readableFiles() throws -> [(url: URL, input: String, documents: [Document])] {
    try CorpusPropertyTests.files().compactMap { url in
      let input = try String(contentsOf: url, encoding: .utf8)
      let (documents, diagnostics) = Self.reader.parse(input, file: url.lastPathComponent)
      return diagnostics.contains { $0.severity == .error } ? nil : (url, input, documents)
    }
  }

  @Test func uninjectGivesEveryInjectedFileBackByteForByte() throws {
    var injected = 0
    var identical = 0
    var misses: [String] = []
    for (url, input, documents) in try Self.readableFiles() {
      for (provider, injector) in Self.injectors() {
        let name = "\(provider) \(Self.relativePath(url))"
        // A file that carries a sidecar already loses it to uninject, whatever inject did.
        guard try !Self.run(documents, injector.uninject).changed else { continue }
        let once = try Self.run(documents, injector.inject)
        guard once.changed else { continue }
        injected += 1
        let injectedDocuments = Self.reader.parse(once.text, file: url.lastPathComponent).documents
        let back = try Self.run(injectedDocuments, injector.uninject).text
        if back == input { identical += 1 } else { misses.append(name) }
      }
    }
    print("surgical round trip: \(identical) of \(injected) injected corpus files byte-identical after uninject")
    #expect(misses.isEmpty, "uninject(inject(x)) differs from x: \(misses.joined(separator: ", "))")
    #expect(injected > 200, "too few files injected: \(injected)")
  }

  @Test func injectionChangesOnlyLinesInsidePodTemplates() throws {
    var checked = 0
    for (url, _, documents) in try Self.readableFiles() {
      for document in documents {
        for (provider, injector) in Self.injectors() {
          // A sidecar there before is replaced (uninject, then inject): not a change to prove small.
          guard try injector.uninject(document).root == nil, let root = try injector.inject(document).root else { continue }
          checked += 1
          let output = StreamWriter.text(of: document, replacement: root)
          let name = "\(provider) \(Self.relativePath(url)) #\(document.index + 1)"
          let after = try #require(ManifestReader().parse(output).documents.first, "\(name)")
          #expect(after.root == root, "\(name): the edited text does not read back as the injected tree")
          let before = try #require(ManifestReader().parse(document.sourceText).documents.first, "\(name)")
          let inputLines = Self.lines(document.sourceText), outputLines = Self.lines(output)
          let (removed, added) = LineDiff.changes(from: inputLines, to: outputLines)
          let oldRanges = Self.templateRanges(before, lineCount: inputLines.count)
          let newRanges = Self.templateRanges(after, lineCount: outputLines.count)
          for line in removed where !oldRanges.contains(where: { $0.contains(line) }) {
            Issue.record("\(name): input line \(line) changed outside every pod template: \(inputLines[line - 1])")
          }
          for line in added where !newRanges.contains(where: { $0.contains(line) }) {
            Issue.record("\(name): output line \(line) added outside every pod template: \(outputLines[line - 1])")
          }
        }
      }
    }
    #expect(checked > 200, "too few documents injected: \(checked)")
  }

  // MARK: Helpers

  static func relativePath(_ url: URL) -> String {
    let root = CorpusPropertyTests.corpus.path + "/"
    return url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
  }

  static func lines(_ text: String) -> [Substring] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  /// The 1-based line ranges of a document's pod templates: from the template's `template:`
  /// key (its first key for a Pod) to the line before the next node after it.
  static func templateRanges(_ document: Document, lineCount: Int) -> [ClosedRange<Int>] {
    var marks: [Int] = []
    collectLines(document.root, into: &marks)
    marks.sort()
    var ranges: [ClosedRange<Int>] = []
    for object in document.objects {
      guard let kind = object.kind, let path = WorkloadKinds.templatePath(kind: kind, apiVersion: object.apiVersion),
        let template = object.node.value(at: path)
      else { continue }
      var inside: [Int] = []
      collectLines(template, into: &inside)
      let parentKey = path.last.flatMap { key in object.node.value(at: path.dropLast())?.entry(forKey: key)?.keyMark.line }
      let first = parentKey ?? inside.min() ?? 1
      let last = inside.max() ?? first
      let next = marks.first { $0 > last }.map { $0 - 1 } ?? lineCount
      ranges.append(first...max(first, next))
    }
    return ranges
  }

  static func collectLines(_ node: Node, into lines: inout [Int]) {
    if node.mark.isKnown { lines.append(node.mark.line) }
    switch node.content {
    case .scalar: break
    case .sequence(let items): for item in items { collectLines(item, into: &lines) }
    case .mapping(let entries):
      for entry in entries {
        if entry.keyMark.isKnown { lines.append(entry.keyMark.line) }
        collectLines(entry.value, into: &lines)
      }
    }
  }
}

/// A line diff (longest common subsequence) for the round-trip proof.
enum LineDiff {
  /// The 1-based lines of `old` that are not in the common subsequence, and those of `new`.
  static func changes(from old: [Substring], to new: [Substring]) -> (removed: [Int], added: [Int]) {
    // Common prefix and suffix first: the table is only built for the part that changed.
    var prefix = 0
    while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
      suffix += 1
    }
    let a = Array(old[prefix..<(old.count - suffix)]), b = Array(new[prefix..<(new.count - suffix)])
    let width = b.count + 1
    var table = [Int32](repeating: 0, count: (a.count + 1) * width)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        table[i * width + j] =
          a[i] == b[j] ? table[(i + 1) * width + j + 1] + 1 : max(table[(i + 1) * width + j], table[i * width + j + 1])
      }
    }
    var removed: [Int] = [], added: [Int] = []
    var i = 0, j = 0
    while i < a.count || j < b.count {
      if i < a.count, j < b.count, a[i] == b[j] {
        i += 1
        j += 1
      } else if j < b.count, i == a.count || table[i * width + j + 1] >= table[(i + 1) * width + j] {
        added.append(prefix + j + 1)
        j += 1
      } else {
        removed.append(prefix + i + 1)
        i += 1
      }
    }
    return (removed, added)
  }
}

/// What uninject puts back takes the style of its neighbours, not the document's first block:
/// the shape of microservices-demo's manifests (the one corpus file that once came back
/// different), which indent the sequence under `containers:` but not those inside a container.
@Suite struct SurgicalLocalStyleTests {
  static let input = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      template:
        spec:
          containers:
            - name: server
              image: example/frontend:1
              ports:
              - containerPort: 8080
              readinessProbe:
                initialDelaySeconds: 10
                httpGet:
                  path: "/_healthz"
                  port: 8080
                  httpHeaders:
                  - name: "Cookie"
                    value: "shop_session-id=x-readiness-probe"

    """

  @Test func aRestoredProbeIsWrittenLikeItsNeighbours() throws {
    let injector = Injector(options: InjectionOptions(settings: .defaults(for: .istio)))
    let document = try #require(ManifestReader().parse(Self.input, file: "frontend.yaml").documents.first)
    let injected = StreamWriter.text(of: document, replacement: try #require(try injector.inject(document).root))
    #expect(injected.contains("path: \"/app-health/server/readyz\""), "Istio rewrites the probe, headers and all")
    let again = try #require(ManifestReader().parse(injected, file: "frontend.yaml").documents.first)
    let back = StreamWriter.text(of: again, replacement: try #require(try injector.uninject(again).root))
    #expect(back == Self.input)
  }
}
