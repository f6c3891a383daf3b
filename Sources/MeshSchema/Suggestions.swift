import Manifest

/// "Did you mean" hints for misspelled names.
public enum Suggestions {
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
      let distance = candidate.lowercased() == lowered ? -1 : EditDistance.between(name, candidate)
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
