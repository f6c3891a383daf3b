import Manifest

/// Weight arithmetic for `meshctl shift`: whole percentages that always add up to 100.
public enum TrafficShift {
  /// `weights` with `backend` set to `percent` and the others rescaled in proportion to what
  /// they had (equally when they all had 0), rounded by largest remainder so the sum stays 100.
  /// Nil when `backend` is unknown, `percent` is outside 0...100, or the others cannot take
  /// what is left (no other backend, and `percent` below 100).
  public static func setting(_ backend: String, to percent: Int, in weights: [(name: String, weight: Int)]) -> [(
    name: String, weight: Int
  )]? {
    guard (0...100).contains(percent), weights.contains(where: { $0.name == backend }) else { return nil }
    let others = weights.filter { $0.name != backend }
    let rest = 100 - percent
    if others.isEmpty { return rest == 0 ? weights.map { ($0.name, 100) } : nil }
    let total = others.reduce(0) { $0 + $1.weight }
    let shares: [Double] = others.map {
      total == 0 ? Double(rest) / Double(others.count) : Double(rest) * Double($0.weight) / Double(total)
    }
    var given = shares.map { Int($0.rounded(.down)) }
    var left = rest - given.reduce(0, +)
    // Largest remainders first; ties go to the earlier backend, so the result is stable.
    for index in shares.indices.sorted(by: { shares[$0] - Double(given[$0]) > shares[$1] - Double(given[$1]) })
    where left > 0 {
      given[index] += 1
      left -= 1
    }
    var next = 0
    return weights.map { entry in
      if entry.name == backend { return (entry.name, percent) }
      defer { next += 1 }
      return (entry.name, given[next])
    }
  }

  /// The backends' weights of a TrafficSplit node, in order.
  public static func weights(of trafficSplit: Node) -> [(name: String, weight: Int)] {
    (trafficSplit[path: "spec", "backends"]?.sequence ?? []).compactMap { backend in
      backend["name"]?.string.map { ($0, backend["weight"]?.int ?? 0) }
    }
  }

  /// The TrafficSplit with its backends' weights replaced by `weights` (by name).
  public static func with(_ weights: [(name: String, weight: Int)], in trafficSplit: Node) -> Node {
    let byName = Dictionary(weights.map { ($0.name, $0.weight) }, uniquingKeysWith: { first, _ in first })
    return trafficSplit.replacing(path: ["spec", "backends"]) { backends in
      .sequence(
        (backends.sequence ?? []).map { backend in
          guard let name = backend["name"]?.string, let weight = byName[name] else { return backend }
          return backend.replacing(path: ["weight"]) { _ in .int(weight) }
        })
    }
  }

  /// `v1=90,v2=10`, for messages.
  public static func describe(_ weights: [(name: String, weight: Int)]) -> String {
    weights.map { "\($0.name)=\($0.weight)" }.joined(separator: ",")
  }
}
