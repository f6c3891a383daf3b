import KubeClient

extension LiveDiff {
  /// What one `diff` run found: the comparisons made, whether anything would change, and the
  /// objects the cluster failed on.
  public struct Summary: Sendable {
    /// Every comparison made (new objects too), in the order of the input.
    public var comparisons: [Comparison] = []
    /// The unified diffs of the changed objects, one after another (`diff -u`'s output).
    public var text = ""
    /// Whether an object is new or would change.
    public var changed = false
    /// The objects that could not be compared, with why.
    public var failures: [(object: ResolvedObject, error: any Error)] = []
  }

  /// The summary of `entries`.
  public static func summarize(_ entries: [Entry]) -> Summary {
    var summary = Summary()
    for entry in entries {
      switch entry {
      case .compared(let comparison), .new(let comparison):
        if case .new = entry { summary.changed = true }
        let unified = comparison.unified
        if !unified.isEmpty { summary.changed = true }
        summary.text += unified
        summary.comparisons.append(comparison)
      case .failed(let object, let error):
        summary.failures.append((object, error))
      }
    }
    return summary
  }
}
