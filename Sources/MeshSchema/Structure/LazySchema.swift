#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A schema made on first use and kept: generated definitions are compiled only when a document
/// reaches them (start-up stays fast), and a recursive definition can name itself.
public final class LazySchema: @unchecked Sendable {
  private let lock = Lock()
  private var made: Schema?
  private let make: @Sendable () -> Schema

  /// Creates a schema that `make` builds on first use.
  public init(_ make: @escaping @Sendable () -> Schema) {
    self.make = make
  }

  /// The schema, built on the first call. `make` may create other lazy schemas but must not
  /// read this one (the lock is not reentrant).
  public var schema: Schema {
    lock.withLock {
      if let made { return made }
      let schema = make()
      made = schema
      return schema
    }
  }
}

/// A mutex (pthread; the Synchronization module needs macOS 15).
final class Lock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` holding the lock.
  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}

/// Resolves lazy definitions in place, once each, so that walking a kind's schema takes no lock:
/// a definition met again inside itself (JSONSchemaProps) stays lazy, which is where recursion
/// stops. Shared definitions are resolved once and shared (the enum's payloads are references).
struct Materializer {
  private var done: [ObjectIdentifier: Schema] = [:]
  private var active: Set<ObjectIdentifier> = []

  /// `schema` with its lazy definitions resolved.
  mutating func materialize(_ schema: Schema) -> Schema {
    switch schema {
    case .lazy(let definition):
      let id = ObjectIdentifier(definition)
      if let known = done[id] { return known }
      if active.contains(id) { return schema }
      active.insert(id)
      let resolved = materialize(definition.schema)
      active.remove(id)
      done[id] = resolved
      return resolved
    case .object(let object):
      let properties = object.properties.map { property in
        Property(
          name: property.name, schema: materialize(property.schema), isRequired: property.isRequired,
          summary: property.summary, defaultValue: property.defaultValue)
      }
      return .object(
        ObjectSchema(properties, unknownFields: object.unknownFields, groups: object.groups, rules: object.rules))
    case .map(var map):
      map.values = materialize(map.values)
      return .map(map)
    case .array(var array):
      array.items = materialize(array.items)
      return .array(array)
    case .anyOf(let choices, let summary):
      return .anyOf(choices.map { materialize($0) }, summary: summary)
    case .unchecked(let inner, let what):
      return .unchecked(materialize(inner), what: what)
    case .cel(let inner, let rules):
      return .cel(materialize(inner), rules)
    case .string, .integer, .number, .boolean, .intOrString, .quantity, .anything:
      return schema
    }
  }
}
