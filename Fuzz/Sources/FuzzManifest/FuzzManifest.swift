// libFuzzer target: arbitrary bytes → ManifestReader → Validator.
//
// Besides "never crash, never hang", it checks invariants that must hold for every input:
//  1. reading from memory never throws (MemorySource cannot fail, the body does not throw);
//  2. documents arrive in order: indexes strictly increase, start lines never decrease,
//     `documentCount` equals the number delivered;
//  3. byte-exact slicing: when reading produced no reader finding and at least one document,
//     the documents' `sourceText`s concatenated are exactly the input bytes;
//  4. chunking is invisible: reading the same bytes through a source that hands out a few bytes
//     at a time gives the same documents and the same findings (and, without findings, the
//     same byte count);
//  5. each document's `sourceText`, read on its own, gives one document with the same tree;
//  6. every finding the validator returns names the file it was given and has a rule code;
//  7. the cross-document analysis, spilled to temporary files past a tiny budget, finds exactly
//     what it finds with everything in memory.
// A broken invariant is a crash (fatalError), so libFuzzer saves the input.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Manifest
import MeshSchema

/// Small limits, so that the limit paths (document size, depth, aliases) are reached by
/// inputs of a few kilobytes.
let fuzzLimits = ReaderLimits(
  maxInputBytes: 1 << 20, maxDocumentBytes: 16 << 10, maxDepth: 32, maxAliasExpansion: 2_000)

/// A source that returns at most `chunk` bytes per read, to move libyaml's buffer refills
/// (and so the reader's window bookkeeping) to other places than MemorySource does.
final class ChunkedSource: ByteSource {
  private let bytes: [UInt8]
  private let chunk: Int
  private var offset = 0

  init(_ bytes: [UInt8], chunk: Int) {
    self.bytes = bytes
    self.chunk = chunk
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, chunk, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
    }
    offset += count
    return count
  }
}

/// What one read produced, in a form that can be compared across sources.
struct Outcome: Equatable {
  struct Doc: Equatable {
    var index: Int
    var startLine: Int
    var sourceText: String
    var root: Node
    var findings: [Finding]
  }
  struct Finding: Equatable {
    var code: String
    var mark: SourceMark
    var message: String
  }
  var documents: [Doc] = []
  var findings: [Finding] = []
  var documentCount = 0
  var byteCount = 0
}

func finding(_ d: Diagnostic) -> Outcome.Finding {
  Outcome.Finding(code: d.code, mark: d.mark, message: d.message)
}

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzManifest invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

func readAll(_ source: some ByteSource, _ bytes: [UInt8], validate: Bool) -> Outcome {
  var outcome = Outcome()
  let validator = Validator()
  var inMemory = CrossDocumentAnalysis(memoryBudget: .max)
  var spilled = CrossDocumentAnalysis(memoryBudget: 256)
  let summary: ReadSummary
  do {
    summary = try ManifestReader(limits: fuzzLimits).read(source, file: "fuzz") { document in
      if let last = outcome.documents.last {
        if document.index <= last.index { fail("document index \(document.index) after \(last.index)", bytes) }
        if document.startLine < last.startLine {
          fail("document start line \(document.startLine) before \(last.startLine)", bytes)
        }
      }
      if document.startLine < 1 { fail("start line \(document.startLine)", bytes) }
      if validate {
        for d in validator.validate(document) {
          if d.code.isEmpty { fail("finding without a rule code: \(d.message)", bytes) }
          if d.file != "fuzz" { fail("finding names file \(d.file)", bytes) }
        }
        _ = document.objects
        _ = document.objectReference
        inMemory.add(document)
        spilled.add(document)
      }
      outcome.documents.append(
        Outcome.Doc(
          index: document.index, startLine: document.startLine, sourceText: document.sourceText,
          root: document.root, findings: document.diagnostics.map(finding)))
    }
  } catch {
    fail("reading from memory threw \(error)", bytes)
  }
  outcome.findings = summary.diagnostics.map(finding)
  if validate {
    let fromMemory = inMemory.findings()
    let fromDisk = spilled.findings()
    if fromDisk != fromMemory {
      fail("spilled analysis differs:\n memory: \(fromMemory)\n spilled: \(fromDisk)", bytes)
    }
  }
  outcome.documentCount = summary.documentCount
  outcome.byteCount = summary.byteCount
  if summary.documentCount != outcome.documents.count {
    fail("documentCount \(summary.documentCount) but \(outcome.documents.count) delivered", bytes)
  }
  return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let whole = readAll(MemorySource(bytes), bytes, validate: true)

  if whole.findings.isEmpty {
    if whole.byteCount != bytes.count { fail("byteCount \(whole.byteCount) of \(bytes.count)", bytes) }
    if !whole.documents.isEmpty {
      var joined: [UInt8] = []
      joined.reserveCapacity(bytes.count)
      for document in whole.documents { joined.append(contentsOf: document.sourceText.utf8) }
      if joined != bytes {
        let at = zip(joined, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
          ?? min(joined.count, bytes.count)
        fail("sourceText concatenation differs from the input at byte \(at) (\(joined.count) vs \(bytes.count) bytes)", bytes)
      }
      // Each document's text read on its own is that document again (anchors, tags and
      // directives are per document, so nothing may leak from its neighbours).
      for document in whole.documents {
        let alone = readAll(MemorySource(document.sourceText), bytes, validate: false)
        if !alone.findings.isEmpty || alone.documents.count != 1 || alone.documents[0].root != document.root {
          fail("document \(document.index) read on its own differs: \(alone)\n text: \(document.sourceText.debugDescription)", bytes)
        }
      }
    }
  }

  let chunk = 1 + size % 13
  let chunked = readAll(ChunkedSource(bytes, chunk: chunk), bytes, validate: false)
  if whole.findings.isEmpty != chunked.findings.isEmpty {
    fail("reading in chunks of \(chunk) bytes: reader findings \(chunked.findings), whole: \(whole.findings)", bytes)
  }
  if whole.findings.isEmpty {
    if chunked != whole {
      fail("reading in chunks of \(chunk) bytes gave a different result:\n whole:   \(whole)\n chunked: \(chunked)", bytes)
    }
  } else if chunked.documents != whole.documents || chunked.findings != whole.findings {
    // With findings too: what was delivered before the first error, and the error itself.
    fail("reading in chunks of \(chunk) bytes gave another result:\n whole:   \(whole)\n chunked: \(chunked)", bytes)
  }
  return 0
}
