import Foundation
import Testing

@testable import Manifest

/// `inject -i`'s write: through symbolic links, keeping owner, group and mode, never leaving a
/// temporary file behind.
@Suite final class AtomicFileTests {
  let directory: String

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func path(_ name: String) -> String { "\(directory)/\(name)" }
  func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
  func leftovers() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".meshctl-") }
  }

  @Test func aSymbolicLinkStaysAndItsTargetIsRewritten() throws {
    try "old\n".write(toFile: path("real.yaml"), atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: path("link.yaml"), withDestinationPath: "real.yaml")
    try AtomicFile.replace(path("link.yaml"), with: Array("new\n".utf8))
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.yaml")) == "real.yaml")
    #expect(try read("real.yaml") == "new\n")
    #expect(try leftovers().isEmpty)
  }

  @Test func aDanglingLinkIsRefusedAndNotReplaced() throws {
    try FileManager.default.createSymbolicLink(atPath: path("dangling.yaml"), withDestinationPath: "missing.yaml")
    #expect(throws: ManifestError.self) { try AtomicFile.replace(path("dangling.yaml"), with: Array("x".utf8)) }
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("dangling.yaml"))) == "missing.yaml")
    #expect(!FileManager.default.fileExists(atPath: path("missing.yaml")))
  }

  @Test func modeOwnerAndGroupAreKept() throws {
    let file = path("app.yaml")
    try "old\n".write(toFile: file, atomically: false, encoding: .utf8)
    #expect(chmod(file, 0o640) == 0)
    // Only root may give a file away; elsewhere the owner is already the writer's.
    let owned = getuid() == 0 && chown(file, 4321, 8765) == 0
    try AtomicFile.replace(file, with: Array("new\n".utf8))
    var info = stat()
    #expect(stat(file, &info) == 0)
    #expect(info.st_mode & 0o7777 == 0o640)
    if owned {
      #expect(info.st_uid == 4321)
      #expect(info.st_gid == 8765)
    }
    #expect(try read("app.yaml") == "new\n")
  }

  @Test func aFailedWriteLeavesTheFileAndNoTemporary() throws {
    // A name so long that the temporary name next to it cannot exist (ENAMETOOLONG), even as root.
    let name = String(repeating: "n", count: 245) + ".yaml"
    try "old\n".write(toFile: path(name), atomically: false, encoding: .utf8)
    #expect(throws: ManifestError.self) { try AtomicFile.replace(path(name), with: Array("new\n".utf8)) }
    #expect(try read(name) == "old\n")
    #expect(try leftovers().isEmpty)
  }

  @Test func temporaryPathsAreRegisteredOnlyWhileInUse() throws {
    let slot = TerminationSignals.register("/tmp/x.meshctl-ABCDEF")
    #expect(TerminationSignals.registered.contains("/tmp/x.meshctl-ABCDEF"))
    TerminationSignals.unregister(slot)
    #expect(!TerminationSignals.registered.contains("/tmp/x.meshctl-ABCDEF"))
    try AtomicFile.replace(path("done.yaml"), with: Array("x".utf8))
    #expect(!TerminationSignals.registered.contains { $0.hasPrefix(directory) })
  }
}
