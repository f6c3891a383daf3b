#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file writes that a reader or a crash never sees half done (`inject -i`, reports).
public enum AtomicFile {
  /// Writes `bytes` to a temporary file next to `path` (created with the old file's mode,
  /// flushed to disk) and renames it over `path`, so a reader sees the old file or the new
  /// one, never half of either, and a crash leaves the old file in place.
  public static func replace(_ path: String, with bytes: [UInt8]) throws {
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
    var template = Array((path + ".meshctl-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw ManifestError.unreadable(
        path: path, reason: "cannot create a temporary file: \(String(cString: strerror(errno)))")
    }
    let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var failure: String?
    if fchmod(fd, mode) != 0 { failure = "chmod" }
    var offset = 0
    while failure == nil, offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0, errno != EINTR { failure = "write" } else if written > 0 { offset += written }
    }
    if failure == nil, fsync(fd) != 0 { failure = "fsync" }
    close(fd)
    if failure == nil, rename(temporary, path) != 0 { failure = "rename" }
    if let failure {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw ManifestError.unreadable(path: path, reason: "cannot write (\(failure)): \(reason)")
    }
  }
}
