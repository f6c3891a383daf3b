import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What one run of a program cost and left behind: its exit status, wall time, peak resident
/// memory (the kernel's `ru_maxrss` of the child, from `wait4`), and its output.
struct MeasuredResult {
  var status: Int32
  var seconds: Double
  /// User and system CPU time of the child: what the work cost, whatever else the machine ran.
  var cpuSeconds: Double
  var peakMegabytes: Double
  /// Whether the run was killed for taking far longer than its bound (a hang).
  var killed: Bool
  var stdoutBytes: Int
  /// The first 64 KiB of each stream, enough for any assertion.
  var stdout: String
  var stderr: String
}

/// Runs a program under a small Python parent that reaps it with wait4 and writes down the
/// child's own peak memory and CPU time. Not spawned from the test process directly: a child
/// of a large process inherits that process's memory high-water mark at fork/vfork, and the
/// kernel carries it into `ru_maxrss` across exec, so the figure would be the test runner's.
enum MeasuredRun {
  /// The parent: forks, execs the program, reaps it and records `maxrss-KiB cpu-seconds`.
  private static let reaper = """
    import os, sys
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(sys.argv[1], "w") as out:
        out.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)
    """

  /// The binary the hostile-input table measures: `MESHCTL_E2E_BINARY`, else the release
  /// build when there is one (the bounds are set for it), else the debug build.
  static let meshctl: (path: String, isRelease: Bool) = {
    if let path = ProcessInfo.processInfo.environment["MESHCTL_E2E_BINARY"] {
      return (path, !path.contains("/debug/"))
    }
    let release = Binary.packageRoot.appendingPathComponent(".build/release/meshctl").path
    if FileManager.default.isExecutableFile(atPath: release) { return (release, true) }
    return (Binary.meshctl.path, false)
  }()

  /// Runs `arguments[0]` with the rest, standard input from `stdin`, standard output to
  /// `stdout` (a scratch file when nil); kills it after `killAfter` seconds.
  static func run(
    _ arguments: [String], stdin: String = "/dev/null", stdout: String? = nil, killAfter: Double
  ) throws -> MeasuredResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-measured-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outPath = stdout ?? scratch.appendingPathComponent("out").path
    let errPath = scratch.appendingPathComponent("err").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let usagePath = scratch.appendingPathComponent("usage").path
    let wrapped = ["python3", "-c", reaper, usagePath] + arguments
    let argv: [UnsafeMutablePointer<CChar>?] = wrapped.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    // Its own process group, so a kill for a hang reaches the program under the reaper too.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let start = DispatchTime.now()
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, "python3", &actions, &attributes, argv, environ)
    try #require(spawned == 0, "cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
    var status: Int32 = 0
    var usage = rusage()
    var killed = false
    while wait4(pid, &status, WNOHANG, &usage) == 0 {
      if Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 > killAfter, !killed {
        kill(-pid, SIGKILL)
        killed = true
      }
      usleep(2_000)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    // WIFEXITED / WEXITSTATUS by hand (C macros): a signal is reported as 128 + its number.
    let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    let outSize = (try? FileManager.default.attributesOfItem(atPath: outPath)[.size] as? Int) ?? 0
    // A killed run has no record: its figures are the reaper's own, and the kill already fails it.
    let recorded = (try? String(contentsOfFile: usagePath, encoding: .utf8))?.split(separator: " ").compactMap {
      Double($0)
    }
    let (peakKiB, cpuSeconds) =
      recorded?.count == 2
      ? (recorded![0], recorded![1])
      : (Double(usage.ru_maxrss), Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6)
    return MeasuredResult(
      status: exitStatus, seconds: seconds, cpuSeconds: cpuSeconds,
      peakMegabytes: peakKiB / 1024, killed: killed,
      stdoutBytes: outSize, stdout: head(of: outPath), stderr: head(of: errPath))
  }

  /// The first 64 KiB of a file, as text.
  private static func head(of path: String) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    return String(decoding: handle.readData(ofLength: 64 << 10), as: UTF8.self)
  }
}
