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
    let lowered = name.lowercased()
    let limit = max(1, min(3, name.count / 3))
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
      if candidate.lowercased() == lowered { return candidate }
      let distance = editDistance(name, candidate)
      if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.candidate
  }

  /// "did you mean `weight`?", or nil when nothing is close.
  public static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String? {
    closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
  }
}
