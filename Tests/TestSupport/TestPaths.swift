import Foundation

/// Paths the tests read: the package, each test target's folder, and the shared corpus.
public enum TestPaths {
  /// The package root (two levels above `Tests/TestSupport`).
  public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// `Tests/<target>`, where a test target keeps its fixtures and goldens.
  public static func testsDirectory(_ target: String) -> URL {
    packageRoot.appendingPathComponent("Tests").appendingPathComponent(target)
  }

  /// The public test corpus (`../shared/corpus`, or `$MESHCTL_CORPUS`); absent on a user's clone.
  public static let corpus: URL = {
    if let path = ProcessInfo.processInfo.environment["MESHCTL_CORPUS"] { return URL(fileURLWithPath: path) }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
  }()

  /// Whether the corpus is present; corpus tests are skipped (and say so) when it is not.
  public static let corpusExists = FileManager.default.fileExists(atPath: corpus.path)

  /// Every file below a folder with one of the given extensions, sorted.
  public static func files(under folder: URL, extensions: Set<String> = ["yaml", "yml", "json"]) -> [URL] {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    var found: [URL] = []
    while let url = enumerator?.nextObject() as? URL {
      if extensions.contains(url.pathExtension) { found.append(url) }
    }
    return found.sorted { $0.path < $1.path }
  }
}
