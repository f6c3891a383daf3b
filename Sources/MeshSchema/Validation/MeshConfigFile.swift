import Manifest

/// Why a MeshConfig file cannot be used.
public enum MeshConfigFileError: Error, Sendable, Equatable {
  /// The file is not YAML Kubernetes accepts: the reader's errors.
  case unreadable([Diagnostic])
  /// The file holds no document.
  case empty
  /// The first document is not a MeshConfig; `found` names what it is.
  case notMeshConfig(found: String)
  /// The MeshConfig breaks its schema: the validator's errors.
  case invalid([Diagnostic])
}

extension MeshConfig {
  /// The MeshConfig in `source` (named `file` in findings): its first document, read and
  /// validated before use, so a mistake is reported with its line and column. Throws
  /// `MeshConfigFileError`, or what the source throws when it cannot be read.
  public static func read(from source: some ByteSource, file: String) throws -> MeshConfig {
    var document: Document?
    let summary = try ManifestReader().read(source, file: file) { document = document ?? $0 }
    let readErrors = summary.diagnostics + (document?.diagnostics ?? []).filter { $0.severity == .error }
    guard readErrors.isEmpty else { throw MeshConfigFileError.unreadable(readErrors) }
    guard let document else { throw MeshConfigFileError.empty }
    guard document.kind == "MeshConfig" else {
      throw MeshConfigFileError.notMeshConfig(found: document.kind ?? "an object without a kind")
    }
    let errors = Validator().validate(document).filter { $0.severity == .error }
    guard errors.isEmpty else { throw MeshConfigFileError.invalid(errors) }
    return MeshConfig(node: document.root)
  }
}
