import Foundation

/// Paths the tests read: this target's fixtures and the shared corpus beside the project.
enum TestPaths {
  /// The package root (three levels above this file).
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// This target's fixture folder.
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  /// The public test corpus (`../shared/corpus`, or `$MESHCTL_CORPUS`); absent on a user's clone.
  static let corpus: URL = {
    if let path = ProcessInfo.processInfo.environment["MESHCTL_CORPUS"] { return URL(fileURLWithPath: path) }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
  }()

  /// Whether the corpus is present; corpus tests are skipped (and say so) when it is not.
  static let corpusExists = FileManager.default.fileExists(atPath: corpus.path)

  /// Every file below a folder with one of the given extensions, sorted.
  static func files(under folder: URL, extensions: Set<String> = ["yaml", "yml", "json"]) -> [URL] {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    var found: [URL] = []
    while let url = enumerator?.nextObject() as? URL {
      if extensions.contains(url.pathExtension) { found.append(url) }
    }
    return found.sorted { $0.path < $1.path }
  }
}
