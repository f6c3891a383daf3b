/// Line diffs in the unified format `diff -u` writes, for the live diff.
public enum UnifiedDiff {
  /// One line of an edit script.
  public enum Edit: Equatable, Sendable {
    /// A line both sides have.
    case same(String)
    /// A line only the old side has.
    case removed(String)
    /// A line only the new side has.
    case added(String)
  }

  /// The unified diff of `old` and `new` (texts split at newlines), with `context` unchanged
  /// lines around each change; empty when they are equal.
  public static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
    let edits = script(from: lines(old), to: lines(new))
    guard edits.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
    var out = "--- \(oldName)\n+++ \(newName)\n"
    for hunk in hunks(edits, context: context) { out += hunk }
    return out
  }

  private static func lines(_ text: String) -> [String] {
    var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if parts.last == "" { parts.removeLast() }
    return parts
  }

  /// A shortest edit script from `a` to `b` (Myers' O(ND) algorithm).
  public static func script(from a: [String], to b: [String]) -> [Edit] {
    let n = a.count
    let m = b.count
    let offset = n + m + 1
    var frontier = [Int](repeating: 0, count: 2 * offset + 1)
    var trace: [[Int]] = []
    search: for d in 0...(n + m) {
      trace.append(frontier)
      for k in stride(from: -d, through: d, by: 2) {
        var x =
          (k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]))
          ? frontier[offset + k + 1] : frontier[offset + k - 1] + 1
        var y = x - k
        while x < n, y < m, a[x] == b[y] {
          x += 1
          y += 1
        }
        frontier[offset + k] = x
        if x >= n, y >= m { break search }
      }
    }
    // Walk the trace back from the end to recover the edits.
    var edits: [Edit] = []
    var x = n
    var y = m
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      let previous = trace[d]
      let k = x - y
      let previousK =
        (k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1])) ? k + 1 : k - 1
      let previousX = previous[offset + previousK]
      let previousY = previousX - previousK
      while x > previousX, y > previousY {
        x -= 1
        y -= 1
        edits.append(.same(a[x]))
      }
      if d > 0 {
        if x == previousX {
          y -= 1
          edits.append(.added(b[y]))
        } else {
          x -= 1
          edits.append(.removed(a[x]))
        }
      }
    }
    return edits.reversed()
  }

  /// The `@@ -l,s +l,s @@` hunks of an edit script.
  private static func hunks(_ edits: [Edit], context: Int) -> [String] {
    let changed = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
    var ranges: [ClosedRange<Int>] = []
    for index in changed {
      let range = max(0, index - context)...min(edits.count - 1, index + context)
      if let last = ranges.last, range.lowerBound <= last.upperBound + 1 {
        ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        ranges.append(range)
      }
    }
    var oldLine = 1
    var newLine = 1
    var position = 0
    var result: [String] = []
    for range in ranges {
      while position < range.lowerBound {
        advance(edits[position], &oldLine, &newLine)
        position += 1
      }
      let oldStart = oldLine
      let newStart = newLine
      var body = ""
      for edit in edits[range] {
        switch edit {
        case .same(let line): body += " \(line)\n"
        case .removed(let line): body += "-\(line)\n"
        case .added(let line): body += "+\(line)\n"
        }
        advance(edit, &oldLine, &newLine)
      }
      position = range.upperBound + 1
      let oldCount = oldLine - oldStart
      let newCount = newLine - newStart
      result.append("@@ -\(span(oldStart, oldCount)) +\(span(newStart, newCount)) @@\n" + body)
    }
    return result
  }

  private static func advance(_ edit: Edit, _ oldLine: inout Int, _ newLine: inout Int) {
    switch edit {
    case .same:
      oldLine += 1
      newLine += 1
    case .removed: oldLine += 1
    case .added: newLine += 1
    }
  }

  /// `start,count` as diff writes it: the count left out when it is 1, and an empty side
  /// starting one line earlier.
  private static func span(_ start: Int, _ count: Int) -> String {
    switch count {
    case 0: return "\(start - 1),0"
    case 1: return "\(start)"
    default: return "\(start),\(count)"
    }
  }
}
