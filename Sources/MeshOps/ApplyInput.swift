import KubeClient
import Manifest
import MeshSchema
import Policy

/// What `apply`, `diff` and `delete` make of their input against a cluster before the first
/// request: which findings stop them, the settings their policies render with, the plan, and
/// the guards.
public struct ApplyInput: Sendable {
  /// The input's objects as read (meshctl's policies not yet rendered).
  public let objects: [ManifestObject]
  /// The objects matched to their types, ready to send.
  public let plan: ApplyPlan
  /// The mesh the policies were rendered for (nil: none in the input, or no policy flags).
  public let provider: MeshConfig.Provider?
  /// The control plane namespace a `--config` MeshConfig sets.
  public let rootNamespace: String?

  /// The findings to show for the input, and whether they stop the command (exit 1): its errors,
  /// and `validate`'s warnings too (MC2002: a backend selecting nothing). Without `validate`
  /// (`delete`) only errors reading the input count.
  public static func findings(_ diagnostics: [Diagnostic], validate: Bool) -> (shown: [Diagnostic], stop: Bool) {
    let stopping = { (finding: Diagnostic) in finding.severity == .error && (validate || finding.isInputError) }
    let shown = diagnostics.filter { stopping($0) || (validate && $0.severity == .warning) }
    return (shown, diagnostics.contains(where: stopping))
  }

  /// Renders the policies among `objects` (when there are any and the command takes policy
  /// flags: `config` and the `provider` they force, nil: detect it) and resolves every object.
  /// `configGiven`: the MeshConfig came from `--config` (its control plane namespace counts).
  /// `guarded`: `guardVerdict` will run (apply, diff), so what the guards read starts now, with
  /// discovery.
  public static func make(
    _ objects: [ManifestObject], api: KubeAPI, config: MeshConfig?, provider: MeshConfig.Provider?,
    routing: RoutingTarget, configGiven: Bool, guarded: Bool = true
  ) async throws -> Result<ApplyInput, ApplyPlan.Refusal> {
    async let prefetched: Void = guarded ? ApplyGuards.prefetchGroups(for: objects, api: api) : ()
    var settings: PolicySettings?
    if let config, ClusterPolicies.containsPolicies(objects) {
      settings = try await ClusterPolicies.settings(config: config, provider: provider, routing: routing, api: api)
    }
    let planned = try await ApplyPlan.make(objects, api: api, settings: settings)
    await prefetched
    return planned.map { plan in
      ApplyInput(
        objects: objects, plan: plan, provider: settings?.config.provider ?? provider,
        rootNamespace: configGiven ? config?.controlPlaneNamespace : nil)
    }
  }

  /// Runs apply's guards (`ApplyGuards`) under the override flags; `warnOnly` (diff) makes
  /// every finding a warning.
  public func guardVerdict(allowEmpty: Bool, force: Bool, warnOnly: Bool, commandName: String) async throws
    -> GuardVerdict
  {
    try await ApplyGuards.check(input: objects, plan: plan, provider: provider, rootNamespace: rootNamespace)
      .verdict(allowEmpty: allowEmpty, force: force, warnOnly: warnOnly, commandName: commandName)
  }
}
