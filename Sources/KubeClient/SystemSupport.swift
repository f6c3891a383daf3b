// What KubeClient needs from the system beyond FoundationEssentials: a lock, a thread, bounded
// file reads, path joining and child processes. The full Foundation would give them too, but
// linking it statically into meshctl costs every start-up its conformance tables (measured: 25 M
// instructions per `meshctl version` with it, ~19 M without).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A mutual-exclusion lock over a pthread mutex.
public final class Lock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  /// Creates an unlocked lock.
  public init() {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Takes the lock (pair with `unlock`; prefer `withLock`).
  public func lock() { pthread_mutex_lock(mutex) }

  /// Releases the lock.
  public func unlock() { pthread_mutex_unlock(mutex) }

  /// Runs `body` holding the lock.
  public func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}

/// Starts `body` on a new detached thread (libcurl's multi handle wants one thread of its own).
func startThread(_ body: @escaping @Sendable () -> Void) {
  final class Body {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }
  let context = Unmanaged.passRetained(Body(body)).toOpaque()
  var thread = pthread_t()
  let started = pthread_create(
    &thread, nil,
    { context in
      Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
      return nil
    }, context)
  precondition(started == 0, "pthread_create failed: \(started)")
  pthread_detach(thread)
}

/// Paths as strings, joined the way Foundation's `appendingPathComponent` joins them.
enum Paths {
  /// `base/name`, with one slash between them.
  static func join(_ base: String, _ name: String) -> String {
    if base.isEmpty { return name }
    return base.hasSuffix("/") ? base + name : base + "/" + name
  }

  /// The directory part of `path` (empty when it has none).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}

/// File reads that tell "absent" from "unreadable".
enum Files {
  /// What reading a path found.
  enum Outcome {
    case absent
    case bytes([UInt8])
    case failed(String)
    case tooLarge
  }

  /// The bytes of `path`, at most `maxBytes` of them; pipes and process substitution work.
  static func read(_ path: String, maxBytes: Int) -> Outcome {
    var info = stat()
    guard stat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .absent : .failed(errorText()) }
    if (info.st_mode & S_IFMT) == S_IFDIR { return .failed("is a directory") }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .failed(errno == EACCES ? "permission denied" : errorText()) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .failed(errorText())
      }
      if count == 0 { return .bytes(bytes) }
      bytes += chunk[..<count]
      if bytes.count > maxBytes { return .tooLarge }
    }
  }

  /// Whether `path` is a regular file this process may execute.
  static func isExecutable(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
  }

  /// Whether anything exists at `path`.
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  /// The home directory of this user from the password database, when `HOME` says nothing.
  static func homeDirectory() -> String? {
    guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
    return String(cString: directory)
  }

  /// `strerror(errno)` as a string.
  static func errorText() -> String { String(cString: strerror(errno)) }
}

/// A child process started with posix_spawn and waited for, its output collected.
public enum ChildProcess {
  /// What to do with one of the child's standard streams.
  public enum Stream: Sendable {
    /// This process's own (the terminal, a pipe from the caller).
    case inherit
    /// Collected into the result.
    case capture
    /// `/dev/null`.
    case null
  }

  /// Runs `executable` (a path) with `arguments` and exactly `environment` and waits for it.
  /// Both captured streams are read at once (poll), so a child that fills one while we read
  /// the other cannot hang. The status of a child killed by a signal is 128 + the signal.
  /// With a `timeout` (or a `stop` that turns true), the child runs in its own process group,
  /// and the whole group gets SIGTERM when the time is up (SIGKILL two seconds later if it is
  /// still there); the output then says `timedOut`.
  public static func run(
    _ executable: String, arguments: [String], environment: [String: String], standardInput: Stream = .null,
    standardOutput: Stream = .capture, standardError: Stream = .capture, timeout: Duration? = nil,
    stop: (() -> Bool)? = nil
  ) throws(ProcessRunnerError) -> ProcessOutput {
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    if standardOutput == .capture, pipe(&outPipe) != 0 { throw .cannotStart(Files.errorText()) }
    if standardError == .capture, pipe(&errPipe) != 0 { throw .cannotStart(Files.errorText()) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if standardInput == .null { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
    for (stream, pipe, target) in [(standardOutput, outPipe, Int32(1)), (standardError, errPipe, Int32(2))] {
      switch stream {
      case .capture:
        posix_spawn_file_actions_adddup2(&actions, pipe[1], target)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
      case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
      case .inherit: break
      }
    }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    let limited = timeout != nil || stop != nil
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    if limited {
      // Its own group, so a shell's children go with it when the time is up.
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
      posix_spawnattr_setpgroup(&attributes, 0)
    }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    for descriptor in [outPipe[1], errPipe[1]] where descriptor >= 0 { close(descriptor) }
    guard spawned == 0 else {
      for descriptor in [outPipe[0], errPipe[0]] where descriptor >= 0 { close(descriptor) }
      if spawned == ENOENT { throw .notFound }
      throw .cannotStart(String(cString: strerror(spawned)))
    }
    guard limited else {
      let (out, err) = drain(outPipe[0], errPipe[0])
      return ProcessOutput(status: wait(for: pid), standardOutput: out, standardError: err)
    }
    let limit = TimeLimit(group: pid, deadline: timeout.map { ContinuousClock.now + $0 }, stop: stop)
    let (out, err) = drain(outPipe[0], errPipe[0], limit: limit)
    while true {
      var status: Int32 = 0
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid {
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return ProcessOutput(status: code, standardOutput: out, standardError: err, timedOut: limit.expired)
      }
      if waited < 0, errno != EINTR {
        return ProcessOutput(status: 127, standardOutput: out, standardError: err, timedOut: limit.expired)
      }
      limit.check()
      usleep(20_000)
    }
  }

  /// A child's time limit: once the deadline passes (or `stop` says so) its process group gets
  /// SIGTERM, and SIGKILL two seconds later.
  private final class TimeLimit {
    let group: pid_t
    let deadline: ContinuousClock.Instant?
    let stop: (() -> Bool)?
    private(set) var expired = false
    private var killAt: ContinuousClock.Instant?

    init(group: pid_t, deadline: ContinuousClock.Instant?, stop: (() -> Bool)?) {
      self.group = group
      self.deadline = deadline
      self.stop = stop
    }

    /// Signals the group when its time is up.
    func check() {
      let now = ContinuousClock.now
      if !expired, (deadline.map { now >= $0 } ?? false) || (stop?() ?? false) {
        expired = true
        kill(-group, SIGTERM)
        killAt = now + .seconds(2)
      } else if let killAt, now >= killAt {
        kill(-group, SIGKILL)
        self.killAt = nil
      }
    }
  }

  /// Reads both descriptors (either may be -1) to their end, then closes them.
  private static func drain(_ first: Int32, _ second: Int32, limit: TimeLimit? = nil) -> ([UInt8], [UInt8]) {
    var collected: [[UInt8]] = [[], []]
    var open = [first, second]
    var chunk = [UInt8](repeating: 0, count: 16 << 10)
    while open.contains(where: { $0 >= 0 }) {
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      limit?.check()
      if poll(&fds, nfds_t(fds.count), limit == nil ? -1 : 20) < 0 {
        if errno == EINTR { continue }
        break
      }
      for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
        let count = chunk.withUnsafeMutableBytes { Glibc.read(open[index], $0.baseAddress, $0.count) }
        if count > 0 {
          collected[index] += chunk[..<count]
        } else if count == 0 || errno != EINTR {
          close(open[index])
          open[index] = -1
        }
      }
    }
    for descriptor in open where descriptor >= 0 { close(descriptor) }
    return (collected[0], collected[1])
  }

  /// Waits for `pid` and decodes its status.
  private static func wait(for pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return 127 }
    }
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }
}
