import Foundation
import Testing

@testable import Manifest

/// A source of `count` bytes made by `byte(at:)`, generated as it is read (a huge input that
/// the test never holds), counting what the reader took.
private final class GeneratedSource: ByteSource {
  let count: Int
  let byte: (Int) -> UInt8
  private(set) var offset = 0

  init(count: Int, byte: @escaping (Int) -> UInt8) {
    self.count = count
    self.byte = byte
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, count - offset)
    for i in 0..<n { buffer[i] = byte(offset + i) }
    offset += n
    return n
  }
}

/// Issue 13: a limit ends reading where it bites, so neither libyaml's time nor the reader's
/// memory grows with what follows it.
@Suite struct HostileInputTests {
  /// `x: [[[[…` 200,000 levels: libyaml's scanner is quadratic in flow depth, so after the
  /// depth limit not one more chunk may reach it.
  @Test func depthLimitStopsReadingTheStream() throws {
    let prefix = Array("x: ".utf8)
    let source = GeneratedSource(count: 400_000) { $0 < prefix.count ? prefix[$0] : ($0 < 200_003 ? 0x5B : 0x5D) }
    var documents = 0
    let summary = try ManifestReader().read(source, file: "deep.yaml") { _ in documents += 1 }
    #expect(documents == 0)
    #expect(summary.diagnostics.map(\.code) == [ReaderCode.limit])
    #expect(summary.diagnostics.first?.mark == SourceMark(line: 1, column: 103))
    #expect(source.offset < 64 << 10, "read \(source.offset) bytes past the depth limit")
  }

  @Test func documentsAfterALimitAreNotRead() {
    let deep = "a: " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + "\n"
    let (documents, diagnostics) = ManifestReader().parse(deep + "---\nb: 1\n")
    #expect(documents.isEmpty)
    #expect(diagnostics.map(\.code) == [ReaderCode.limit])
  }

  @Test func aliasBombStopsReadingTheStream() {
    var text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
    }
    let (documents, diagnostics) = ManifestReader().parse(text + "---\nb: 1\n")
    #expect(documents.isEmpty)
    #expect(diagnostics.map(\.code) == [ReaderCode.limit])
  }

  /// One 200 MB scalar: libyaml buffers a scalar whole before its event, so the document limit
  /// must bite where the bytes come in, not when the event arrives.
  @Test func documentLimitBitesWhileTheScalarIsRead() throws {
    let source = GeneratedSource(count: 200 << 20) { $0 < 3 ? Array("x: ".utf8)[$0] : 0x61 }
    let limits = ReaderLimits(maxDocumentBytes: 1 << 20)
    let summary = try ManifestReader(limits: limits).read(source, file: "big.yaml") { _ in Issue.record("a document") }
    #expect(summary.diagnostics.map(\.code) == [ReaderCode.limit])
    #expect(summary.diagnostics.first?.message.contains("document 1 is larger than the limit of 1048576 bytes") == true)
    #expect(summary.diagnostics.first?.mark == SourceMark(line: 1, column: (1 << 20) + 1))
    #expect(source.offset < (1 << 20) + (256 << 10), "read \(source.offset) bytes")
  }

  @Test func aDocumentJustUnderTheLimitIsRead() {
    let limits = ReaderLimits(maxDocumentBytes: 100_000)
    let text = "x: " + String(repeating: "a", count: 99_000) + "\n---\nb: 1\n"
    let (documents, diagnostics) = ManifestReader(limits: limits).parse(text)
    #expect(diagnostics.isEmpty)
    #expect(documents.count == 2)
  }
}

/// The spool that holds a command's output until it succeeded.
@Suite struct HeldOutputTests {
  @Test func spooledTextComesBackWholeEvenWhenChunksSplitACharacter() {
    let spool = LineSpool(limit: 7)
    var expected = ""
    for index in 0..<3_000 {
      // No line breaks at all for long stretches: the drain must cut between characters.
      let piece = index % 500 == 0 ? "\n" : "ü€\(index)"
      spool.write(piece)
      expected += piece
    }
    let sink = CapturedText()
    spool.drain(into: sink)
    #expect(sink.text == expected)
  }

  @Test func discardedTextNeverArrives() {
    let spool = LineSpool(limit: 4)
    spool.write("apiVersion: v1\nkind: ConfigMap\n")
    spool.discard()
    let sink = CapturedText()
    spool.drain(into: sink)
    #expect(sink.text.isEmpty)
  }
}

/// Write failures are kept and reported, never dropped silently.
@Suite struct WriteFailureTests {
  @Test func aFullDeviceIsAWriteFailure() throws {
    let descriptor = open("/dev/full", O_WRONLY)
    try #require(descriptor >= 0, "/dev/full is missing")
    defer { close(descriptor) }
    let sink = FileDescriptorSink(descriptor: descriptor, buffered: true)
    sink.write("apiVersion: v1\n")
    #expect(throws: ManifestError.unwritable(path: "standard output", reason: "No space left on device")) {
      try sink.finishWriting()
    }
  }

  @Test func aDescriptorNotOpenForWritingIsAWriteFailure() throws {
    let descriptor = open("/dev/null", O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let sink = FileDescriptorSink(descriptor: descriptor, buffered: false)
    sink.write("x")
    #expect(sink.writeFailure == "Bad file descriptor")
    #expect(ManifestError.unwritable(path: "standard output", reason: "Bad file descriptor").description
      == "writing standard output: Bad file descriptor")
  }

  @Test func aWorkingDescriptorHasNoFailure() throws {
    let descriptor = open("/dev/null", O_WRONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let sink = FileDescriptorSink(descriptor: descriptor, buffered: true)
    sink.write("x")
    try sink.finishWriting()
    #expect(sink.writeFailure == nil)
  }
}

/// Directory walks (issue 13): each real file once, every unreadable path reported.
@Suite struct DirectoryWalkTests {
  let root: String

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-walk-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
    try "a: 1\n".write(toFile: root + "/a.yaml", atomically: true, encoding: .utf8)
    try "b: 1\n".write(toFile: root + "/sub/b.yaml", atomically: true, encoding: .utf8)
  }

  private func cleanUp() { try? FileManager.default.removeItem(atPath: root) }

  @Test func aSymlinkLoopEndsAndEachFileComesOnce() throws {
    defer { cleanUp() }
    try FileManager.default.createSymbolicLink(atPath: root + "/sub/loop", withDestinationPath: root)
    try FileManager.default.createSymbolicLink(atPath: root + "/again.yaml", withDestinationPath: root + "/a.yaml")
    let inputs = try InputCollector(recursive: true).collect([root])
    #expect(inputs == [.file(root + "/a.yaml"), .file(root + "/sub/b.yaml")])
  }

  @Test func aDanglingLinkIsReportedAndTheRestStillRead() throws {
    defer { cleanUp() }
    try FileManager.default.createSymbolicLink(atPath: root + "/gone.yaml", withDestinationPath: root + "/nowhere")
    let inputs = try InputCollector(recursive: true).collect([root])
    #expect(
      inputs == [
        .file(root + "/a.yaml"), .unreadable(path: root + "/gone.yaml", reason: "No such file or directory"),
        .file(root + "/sub/b.yaml"),
      ])
  }

  @Test func aFIFOInATreeIsReportedNotOpened() throws {
    defer { cleanUp() }
    try #require(mkfifo(root + "/sub/pipe.yaml", 0o644) == 0)
    let inputs = try InputCollector(recursive: true).collect([root])
    #expect(inputs.contains(.unreadable(path: root + "/sub/pipe.yaml", reason: "not a regular file")))
    #expect(inputs.contains(.file(root + "/sub/b.yaml")))
  }
}
