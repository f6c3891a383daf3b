import Foundation
import TestSupport

extension TestPaths {
  /// `Tests/ManifestTests/Fixtures`.
  static let fixtures = testsDirectory("ManifestTests").appendingPathComponent("Fixtures")
}
