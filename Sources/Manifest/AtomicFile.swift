#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file writes that a reader or a crash never sees half done (`inject -i`, reports).
public enum AtomicFile {
  /// Writes `bytes` to a temporary file next to the file `path` names and renames it over that
  /// file, so a reader sees the old file or the new one, never half of either, and a crash leaves
  /// the old file in place. A symbolic link is followed: its target is rewritten and the link
  /// stays. The new file keeps the old one's owner, group and mode (a file that did not exist
  /// gets 0644); when the owner or group cannot be kept the file is left alone and the write
  /// fails. The temporary file is removed on every failure, and when SIGINT or SIGTERM ends a
  /// process that installed `TerminationSignals` (meshctl's `main` does; a library call never
  /// changes signal handlers, which `shift` and `top` set for themselves).
  public static func replace(_ path: String, with bytes: [UInt8]) throws {
    let target = try resolvedTarget(path)
    var info = stat()
    let existing = stat(target, &info) == 0 ? info : nil
    let (fd, temporary, slot) = try createTemporary(next: target, for: path)
    defer { TerminationSignals.unregister(slot) }
    do {
      try fill(fd, with: bytes, keeping: existing, path: path)
      close(fd)
      guard rename(temporary, target) == 0 else { throw failure(path, "cannot rename the new file", errno: errno) }
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
  }

  /// Creates `<target>.meshctl-XXXXXX` (exclusively, mode 0600) and registers it for removal on
  /// a signal *before* it exists, so no signal can come between its creation and its
  /// registration (mkstemp would leave that gap).
  private static func createTemporary(next target: String, for path: String) throws -> (Int32, String, Int) {
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    for _ in 0..<100 {
      let suffix = String((0..<6).map { _ in letters.randomElement()! })
      let temporary = target + ".meshctl-" + suffix
      let slot = TerminationSignals.register(temporary)
      let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      if fd >= 0 { return (fd, temporary, slot) }
      let code = errno
      TerminationSignals.unregister(slot)
      if code != EEXIST { throw failure(path, "cannot create a temporary file next to it", errno: code) }
    }
    throw failure(path, "cannot create a temporary file next to it", errno: EEXIST)
  }

  /// The file to rewrite: `path` itself, or the final target when it is a symbolic link (to a
  /// file that must exist: a dangling link is refused rather than replaced by a regular file).
  static func resolvedTarget(_ path: String) throws -> String {
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return path }
    guard let resolved = realpath(path, nil) else {
      throw failure(path, "it is a symbolic link whose target cannot be resolved", errno: errno)
    }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Sets the temporary file's owner, group and mode (the old file's), writes `bytes` and flushes
  /// them to disk. Owner and group come first: chown clears set-user-ID bits that chmod then sets.
  private static func fill(_ fd: Int32, with bytes: [UInt8], keeping existing: stat?, path: String) throws {
    if let existing {
      var created = stat()
      fstat(fd, &created)
      let differs = created.st_uid != existing.st_uid || created.st_gid != existing.st_gid
      if differs, fchown(fd, existing.st_uid, existing.st_gid) != 0 {
        throw failure(
          path, "cannot keep its owner \(existing.st_uid) and group \(existing.st_gid) (left unchanged)", errno: errno)
      }
    }
    let mode = existing.map { $0.st_mode & 0o7777 } ?? 0o644
    guard fchmod(fd, mode) == 0 else { throw failure(path, "cannot set the mode", errno: errno) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0, errno != EINTR { throw failure(path, "cannot write", errno: errno) }
      if written > 0 { offset += written }
    }
    guard fsync(fd) == 0 else { throw failure(path, "cannot flush to disk", errno: errno) }
  }

  private static func failure(_ path: String, _ what: String, errno code: Int32) -> ManifestError {
    ManifestError.unwritable(path: path, reason: "\(what): \(String(cString: strerror(code)))")
  }
}
