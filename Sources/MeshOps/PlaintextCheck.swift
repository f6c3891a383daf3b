import KubeClient
import MeshSchema

extension PlaintextReport {
  /// A `--window` (`mtls check`, `mtls enable`, `top`): a duration of at least 1s, else
  /// `MeshOpsError.invalidRequest` (a usage error).
  public static func window(_ text: String) throws -> Duration {
    guard let window = try? RequestTimeout.parse(text), window >= .seconds(1) else {
      throw MeshOpsError.invalidRequest("invalid --window \"\(text)\": use a duration of at least 1s, such as 5m or 1h")
    }
    return window
  }

  /// Runs the check for `scope` on the Prometheus `located` names; none found is
  /// `MeshOpsError.notFound` saying the check was not possible (it never passes silently).
  public static func check(
    scope: PlaintextScope, mesh: MeshConfig.Provider, window: Duration, located: Result<PrometheusLocation, any Error>
  ) async throws -> PlaintextReport {
    let location: PrometheusLocation
    do {
      location = try located.get()
    } catch MeshOpsError.notFound(let message) {
      throw MeshOpsError.notFound("the plaintext traffic check was not possible: \(message)")
    }
    return try await check(
      scope: scope, mesh: mesh, window: window, prometheus: location.client, server: location.description)
  }

  /// What STRICT's traffic check comes to.
  public enum StrictVerdict: Sendable, Equatable {
    /// No plaintext caller was seen.
    case clear
    /// No Prometheus could be found: STRICT goes on, with this warning.
    case unchecked(warning: String)
    /// Plaintext callers were seen: the refusal to print (exit 1, nothing sent).
    case refused(String)
  }

  /// The traffic check of `mtls enable --mode STRICT` for `namespace`: refused when plaintext
  /// callers were seen in `window`, unchecked when no Prometheus can be found. A Prometheus that
  /// cannot answer throws (exit 3): the check was possible and failed.
  public static func strictVerdict(
    namespace: String, mesh: MeshConfig.Provider, window: Duration, located: Result<PrometheusLocation, any Error>,
    commandName: String
  ) async throws -> StrictVerdict {
    let report: PlaintextReport
    do {
      report = try await check(scope: PlaintextScope(namespace: namespace), mesh: mesh, window: window, located: located)
    } catch MeshOpsError.notFound(let message) {
      return .unchecked(warning: "\(message); STRICT is set without it")
    }
    return report.callers.isEmpty ? .clear : .refused(report.refusal(namespace: namespace, commandName: commandName))
  }
}
