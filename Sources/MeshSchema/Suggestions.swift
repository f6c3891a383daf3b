/// "Did you mean" hints for misspelled names.
public enum Suggestions {
  /// The Levenshtein distance between two strings (insertions, deletions, substitutions; a
  /// transposition of neighbours counts once, as typists make them: `weigth` → `weight` is 1).
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rows of the optimal-string-alignment table.
    var before = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          best = min(best, before[j - 2] + 1)
        }
        current[j] = best
      }
      (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
  }

  /// The candidate closest to `name`, when it is close enough to be a likely typo: within a
  /// third of the name's length (at least 1, at most 3), or equal ignoring case.
  public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
    var closest = Closest(to: name)
    for candidate in candidates { closest.consider(candidate) }
    return closest.best
  }

  /// The closest candidate so far, fed one at a time (the cross-document analysis feeds it
  /// from several parts of its input). Equal ignoring case beats any distance; among equally
  /// close candidates the first in sorted order wins, so the hint does not depend on the order
  /// candidates come in.
  public struct Closest: Sendable {
    private let name: String
    private let lowered: String
    private let limit: Int
    private var leader: (candidate: String, distance: Int)?

    /// Starts a search for the candidate closest to `name`.
    public init(to name: String) {
      self.name = name
      lowered = name.lowercased()
      limit = max(1, min(3, name.count / 3))
    }

    /// The closest candidate considered so far, when one is close enough.
    public var best: String? { leader?.candidate }

    /// Weighs one more candidate.
    public mutating func consider(_ candidate: String) {
      let distance = candidate.lowercased() == lowered ? -1 : Suggestions.editDistance(name, candidate)
      guard distance <= limit else { return }
      if let leader, (leader.distance, leader.candidate) <= (distance, candidate) { return }
      leader = (candidate, distance)
    }
  }

  /// "did you mean `weight`?", or nil when nothing is close.
  public static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String? {
    closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
  }
}
