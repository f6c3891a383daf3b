/// `--dry-run`'s values, as kubectl spells them.
public enum DryRunMode: String, CaseIterable, Sendable {
  /// Send and persist.
  case none
  /// Resolve types and namespaces, send nothing.
  case client
  /// The server checks everything and persists nothing (`dryRun=All`).
  case server

  /// kubectl's line for an applied object: `deployment.apps/web serverside-applied`, with
  /// `(dry run)` or `(server dry run; <note>)` when nothing was stored.
  public func appliedLine(_ object: ResolvedObject, note: String? = nil) -> String {
    let mode = self == .server ? "server dry run" : "dry run"
    let suffix = self == .none ? "" : " (\(([mode] + [note].compactMap { $0 }).joined(separator: "; ")))"
    return "\(object.reference) serverside-applied\(suffix)\n"
  }
}
