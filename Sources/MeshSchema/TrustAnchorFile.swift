import Manifest

extension MeshConfig.TrustAnchors {
  /// A trust bundle is a few kilobytes; anything past this is not one.
  public static let maxFileBytes = 1 << 20

  /// The text of the bundle file `path` read from `source`; a file past `maxFileBytes` is
  /// unreadable (it cannot be a PEM trust bundle).
  public static func text(of source: any ByteSource, path: String) throws -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if count == 0 { break }
      bytes += buffer[..<count]
      if bytes.count > maxFileBytes {
        throw ManifestError.unreadable(path: path, reason: "larger than \(maxFileBytes) bytes: not a PEM trust bundle")
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
