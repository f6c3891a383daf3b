import FoundationEssentials
import KubeClient
import Manifest
import Policy

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Lease (`coordination.k8s.io/v1`, `meshctl-shift-<service>` in the route's namespace) a
/// stepped shift holds while it walks, so a second shift of the same Service is refused up
/// front with the holder's name and start time. It records the step in progress (annotation
/// `meshctl.io/shift-step`) and is deleted when the walk ends, however it ends. A cluster that
/// does not serve Leases gets no Lease (the resourceVersion preconditions still hold).
public final class ShiftLease: @unchecked Sendable {
  /// The annotation with the step in progress, e.g. `2/4 v1=50,v2=50`.
  public static let stepAnnotation = "meshctl.io/shift-step"

  private let api: KubeAPI
  /// The Lease's namespace.
  public let namespace: String
  /// `meshctl-shift-cart`.
  public let name: String
  /// Who holds it: `alice@build-7 pid 4242`.
  public let holder: String
  private let duration: Duration
  private let clock: @Sendable () -> Date
  private let lock = Lock()
  private var resource: APIResource?
  private var version: String?
  private var acquired: String?

  /// A Lease for shifts of `target`'s Service, held by `holder` for `duration` past each
  /// renewal (at every step); `clock` gives the times written.
  public init(
    target: TrafficSplitTarget, holder: String, duration: Duration, clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    api = target.api
    namespace = target.route[path: "metadata", "namespace"]?.string ?? target.api.defaultNamespace
    name = "meshctl-shift-" + target.service
    self.holder = holder
    self.duration = duration
    self.clock = clock
  }

  /// `alice@build-7 pid 4242`: the user (from `USER`), this host and this process.
  public static func holderIdentity(user: String?) -> String {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count - 1)
    let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return "\(user ?? "unknown")@\(hostName.isEmpty ? "localhost" : hostName) pid \(getpid())"
  }

  /// A shift running now, from the Lease: who, since when, and the step it is at; nil when
  /// there is none (or the cluster serves no Leases).
  public func current() async throws -> (holder: String, since: String, step: String?)? {
    guard let resource = try await leaseResource(),
      let lease = try await api.get(resource, namespace: namespace, name: name)
    else { return nil }
    return live(lease)
  }

  /// Refuses (`ShiftRefusal.held`) when another shift holds the Lease.
  public func check() async throws {
    if let (holder, since, step) = try await current() { throw refusal(holder, since, step) }
  }

  /// Takes the Lease (creating it, or taking over an expired one, conditionally), or refuses
  /// when another shift holds it.
  public func acquire(step: String) async throws {
    guard let resource = try await leaseResource() else { return }
    let now = Self.microTime(clock())
    if let lease = try await api.get(resource, namespace: namespace, name: name) {
      if let (holder, since, running) = live(lease) { throw refusal(holder, since, running) }
      // Expired: take it over, conditional on the version read.
      lock.withLock { version = lease[path: "metadata", "resourceVersion"]?.string }
      try await write(
        step: step, acquireTime: now, transitions: (lease[path: "spec", "leaseTransitions"]?.int ?? 0) + 1)
      return
    }
    do {
      let created = try await api.create(
        body(step: step, acquireTime: now, transitions: 0), as: resource, namespace: namespace)
      lock.withLock {
        version = created[path: "metadata", "resourceVersion"]?.string
        acquired = now
      }
    } catch let error as APIError where error.httpStatus == 409 {
      // Another shift created it first.
      let lease = try await api.get(resource, namespace: namespace, name: name)
      let (holder, since, step) = lease.flatMap(live) ?? ("another shift", "just now", nil)
      throw refusal(holder, since, step)
    }
  }

  /// Records the step in progress and renews the Lease (conditional on the version written last).
  public func renew(step: String) async throws {
    guard let since = lock.withLock({ acquired }) else { return }
    try await write(step: step, acquireTime: since, transitions: nil)
  }

  /// Deletes the Lease (when it was taken).
  public func release() async {
    guard lock.withLock({ acquired }) != nil, let resource = lock.withLock({ self.resource }) else { return }
    // Only a Lease this shift still holds (another may have taken over an expired one).
    if let lease = try? await api.get(resource, namespace: namespace, name: name),
      lease[path: "spec", "holderIdentity"]?.string == holder
    {
      _ = try? await api.delete(resource, namespace: namespace, name: name)
    }
    lock.withLock { acquired = nil }
  }

  private func write(step: String, acquireTime: String, transitions: Int?) async throws {
    guard let resource = try await leaseResource() else { return }
    var node = body(step: step, acquireTime: acquireTime, transitions: transitions)
    if let version = lock.withLock({ version }) {
      node = node.settingValue(.string(version), at: ["metadata", "resourceVersion"])
    }
    do {
      let answer = try await api.apply(
        node, as: resource, namespace: namespace, name: name,
        options: ApplyOptions(fieldManager: ShiftOwnership.fieldManager, force: true))
      lock.withLock {
        version = answer[path: "metadata", "resourceVersion"]?.string
        acquired = acquireTime
      }
    } catch let error as APIError where error.category == .conflict {
      let lease = try? await api.get(resource, namespace: namespace, name: name)
      let (holder, since, running) = lease.flatMap(live) ?? ("another shift", "just now", nil)
      throw refusal(holder, since, running)
    }
  }

  private func body(step: String, acquireTime: String, transitions: Int?) -> Node {
    var spec: [MappingEntry] = [
      MappingEntry(key: "holderIdentity", value: .string(holder)),
      MappingEntry(key: "leaseDurationSeconds", value: .int(max(1, ShiftEvent.seconds(duration)))),
      MappingEntry(key: "acquireTime", value: .string(acquireTime)),
      MappingEntry(key: "renewTime", value: .string(Self.microTime(clock()))),
    ]
    if let transitions { spec.append(MappingEntry(key: "leaseTransitions", value: .int(transitions))) }
    return .mapping([
      MappingEntry(key: "apiVersion", value: .string("coordination.k8s.io/v1")),
      MappingEntry(key: "kind", value: .string("Lease")),
      MappingEntry(
        key: "metadata",
        value: .mapping([
          MappingEntry(key: "name", value: .string(name)), MappingEntry(key: "namespace", value: .string(namespace)),
          MappingEntry(
            key: "labels",
            value: .mapping([MappingEntry(key: Annotations.managedByLabel, value: .string(Annotations.managedByValue))])
          ),
          MappingEntry(
            key: "annotations", value: .mapping([MappingEntry(key: Self.stepAnnotation, value: .string(step))])),
        ])),
      MappingEntry(key: "spec", value: .mapping(spec)),
    ])
  }

  /// Holder, acquire time and step of a Lease someone holds now (renewed within its duration).
  private func live(_ lease: Node) -> (holder: String, since: String, step: String?)? {
    guard let holder = lease[path: "spec", "holderIdentity"]?.string, !holder.isEmpty else { return nil }
    let seconds = lease[path: "spec", "leaseDurationSeconds"]?.int ?? 0
    let renewed = (lease[path: "spec", "renewTime"]?.string ?? lease[path: "spec", "acquireTime"]?.string)
      .flatMap(Self.parse)
    if let renewed, renewed.addingTimeInterval(Double(seconds)) < clock() { return nil }
    return (
      holder, lease[path: "spec", "acquireTime"]?.string ?? "an unknown time",
      lease[path: "metadata", "annotations", Self.stepAnnotation]?.string
    )
  }

  private func refusal(_ holder: String, _ since: String, _ step: String?) -> ShiftRefusal {
    .held(
      "another shift of Service \"\(name.dropFirst("meshctl-shift-".count))\" is running: held by \(holder) since \(since)"
        + (step.map { " (step \($0))" } ?? "")
        + "; nothing was written. Wait for it to end, or, if it is gone, delete its Lease: "
        + "kubectl delete lease \(name) -n \(namespace)")
  }

  private func leaseResource() async throws -> APIResource? {
    if let resource = lock.withLock({ self.resource }) { return resource }
    let found = try await api.resources(groupVersion: "coordination.k8s.io/v1").first { $0.kind == "Lease" }
    lock.withLock { resource = found }
    return found
  }

  /// `2026-12-06T01:00:00.123456Z`: a MicroTime (exactly six fractional digits).
  static func microTime(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    let micros = Int((date.timeIntervalSince1970 - seconds) * 1_000_000)
    let whole = WeightHistory.timestamp(Date(timeIntervalSince1970: seconds))
    let digits = String(micros)
    return whole.dropLast() + "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "Z"
  }

  private static func parse(_ text: String) -> Date? {
    if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
    // MicroTime's six digits: drop the fraction, which a wait of seconds does not need.
    if let dot = text.firstIndex(of: ".") { return try? Date(String(text[..<dot]) + "Z", strategy: .iso8601) }
    return try? Date(text, strategy: .iso8601)
  }
}
