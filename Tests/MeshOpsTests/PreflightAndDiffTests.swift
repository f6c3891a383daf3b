import Foundation
import KubeClient
import Manifest
import Testing

@testable import MeshOps

/// `count` lines `<prefix> N`, the ones in `changing` spelled `changed N`.
func numbered(_ prefix: String, _ count: Int, changing: Set<Int> = []) -> String {
  var text = ""
  for number in 1...count { text += changing.contains(number) ? "changed \(number)\n" : "\(prefix) \(number)\n" }
  return text
}

/// The unified diff, checked against the system's `diff -u` where the machine has it.
@Suite struct UnifiedDiffTests {
  @Test func equalTextsGiveNothing() {
    #expect(UnifiedDiff.render(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
  }

  @Test func scriptTurnsOneSideIntoTheOther() {
    let a = ["a", "b", "c", "d", "e"]
    let b = ["a", "x", "c", "e", "f"]
    let edits = UnifiedDiff.script(from: a, to: b)
    var rebuiltOld: [String] = []
    var rebuiltNew: [String] = []
    for edit in edits {
      switch edit {
      case .same(let line):
        rebuiltOld.append(line)
        rebuiltNew.append(line)
      case .removed(let line): rebuiltOld.append(line)
      case .added(let line): rebuiltNew.append(line)
      }
    }
    #expect(rebuiltOld == a)
    #expect(rebuiltNew == b)
    #expect(edits.filter { if case .same = $0 { return false } else { return true } }.count == 4)
  }

  @Test(arguments: [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("", "new\nlines\n"),
    ("old\n", ""),
    (numbered("line", 30), numbered("line", 30, changing: [5, 25])),
    (numbered("l", 12), numbered("l", 12, changing: [6]) + "tail\n"),
  ])
  func matchesDiffU(old: String, new: String) throws {
    let diff = URL(fileURLWithPath: "/usr/bin/diff")
    guard FileManager.default.isExecutableFile(atPath: diff.path) else { return }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try old.write(to: directory.appendingPathComponent("old"), atomically: true, encoding: .utf8)
    try new.write(to: directory.appendingPathComponent("new"), atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = diff
    process.currentDirectoryURL = directory
    process.arguments = ["-u", "--label", "old", "--label", "new", "old", "new"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(UnifiedDiff.render(old: old, new: new, oldName: "old", newName: "new") == expected)
  }
}

@Suite struct PreflightTests {
  @Test func kubernetesVersions() {
    #expect(KubernetesVersion.parse("v1.32.0-emulator")! == (1, 32))
    #expect(KubernetesVersion.parse("1.28+")! == (1, 28))
    #expect(KubernetesVersion.parse("latest") == nil)
  }

  @Test func versionThresholds() {
    #expect(Preflight.versionCheck("v1.29.3").status == .passed)
    #expect(Preflight.versionCheck("v1.27.1").status == .warning)
    #expect(Preflight.versionCheck("v1.24.0").status == .failed)
  }

  @Test func missingMeshFailsUnlessPre() {
    let none = InstalledMeshes(groups: [])
    #expect(Preflight.meshCheck(none, pre: false).status == .failed)
    #expect(Preflight.meshCheck(none, pre: true).status == .warning)
  }

  @Test func detectionPrefersIstioAndReturnsAProvider() {
    func group(_ name: String) -> APIGroupSummary {
      APIGroupSummary(name: name, versions: ["v1"], preferredVersion: "v1")
    }
    let istio = InstalledMeshes(groups: [group("networking.istio.io"), group("security.istio.io")])
    let linkerd = InstalledMeshes(groups: [group("policy.linkerd.io")])
    let both = InstalledMeshes(groups: [group("networking.istio.io"), group("security.istio.io"), group("policy.linkerd.io")])
    #expect(MeshDetection.detected(istio) == .istio)
    #expect(MeshDetection.detected(linkerd) == .linkerd)
    #expect(MeshDetection.detected(both) == .istio)
    #expect(MeshDetection.detected(InstalledMeshes(groups: [])) == nil)
  }
}

