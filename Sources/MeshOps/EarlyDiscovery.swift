import Dispatch
import KubeClient
import Manifest
import Policy

/// Discovery that starts while the input is still being read (bench/README.md, "Apply"): the
/// session opens on the thread that loads libcurl, and each API version the input names is looked
/// up as soon as the first document using it has been read, so the first round trip overlaps
/// reading and checking the rest of the input. Only reads go out from here; the caller writes
/// nothing before the whole input is valid, and when it is not, what was started is left to end
/// with the process. A failed read stays in the API's discovery cache, so whatever needs it
/// later reports its error as before.
public final class EarlyDiscovery: @unchecked Sendable {
  private let guarded: Bool
  private let lock = Lock()
  private let opened = DispatchSemaphore(value: 0)
  /// How opening the session went; nil while it opens. Guarded by `lock`, as are the two below.
  private var outcome: Result<ClusterSession, any Error>?
  /// The group versions asked for, and `groupList` once the guards' group list is.
  private var asked: Set<String> = []
  /// What was asked for before the session was open.
  private var pending: [String] = []
  /// The key of the server's group list (`/apis`), which no group version can be.
  private static let groupList = "/apis"

  /// Starts opening the session with `open`, after libcurl has loaded (`CurlTransport.preload`,
  /// which this starts); `open` must not write to the terminal: it runs beside the reading.
  /// `guarded`: apply's guards will run, so the group list their mesh detection reads starts
  /// with the first workload (as `ApplyInput.make` starts it otherwise).
  public init(guarded: Bool, open: @escaping @Sendable () throws -> ClusterSession) {
    self.guarded = guarded
    CurlTransport.preload { [self] in
      let outcome = Result { try open() }
      let waiting = lock.withLock {
        self.outcome = outcome
        defer { pending = [] }
        return pending
      }
      if case .success(let session) = outcome { for key in waiting { start(key, api: session.api) } }
      opened.signal()
    }
  }

  /// Starts the discovery reads that `objects` (one document's, just read) need and nothing has
  /// asked for yet. meshctl's policies are left out: they are rendered into other kinds first.
  public func read(_ objects: [ManifestObject]) {
    for object in objects where !PolicyRenderer.isPolicy(object.node) {
      if let apiVersion = object.apiVersion { ask(apiVersion) }
      if guarded, ApplyGuards.strictGuardReads(object.node) { ask(Self.groupList) }
    }
  }

  /// The session, once open (waits for it); throws what opening it threw.
  public func session() throws -> ClusterSession {
    opened.wait()
    opened.signal()  // for the next caller
    return try lock.withLock { outcome! }.get()
  }

  private func ask(_ key: String) {
    let api: KubeAPI? = lock.withLock {
      guard asked.insert(key).inserted else { return nil }
      guard let outcome else {
        pending.append(key)
        return nil
      }
      return try? outcome.get().api
    }
    if let api { start(key, api: api) }
  }

  private func start(_ key: String, api: KubeAPI) {
    Task {
      if key == Self.groupList {
        _ = try? await api.groups()
      } else {
        _ = try? await api.resources(groupVersion: key)
      }
    }
  }
}
