import ArgumentParser
import KubeClient
import Manifest
import MeshOps
import MeshSchema
import Policy

/// The flags that decide what meshctl's policies become: `render`, `apply`, `diff`, `delete`.
public struct PolicyOptions: ParsableArguments {
  /// `--provider` and `--config`.
  @OptionGroup public var mesh: MeshOptions

  /// Where TrafficSplit routing goes.
  @Option(
    help: ArgumentHelp(
      "TrafficSplit routing: provider (Istio VirtualService) or gateway-api (HTTPRoute; always on Linkerd).",
      valueName: "target"))
  public var routing: RoutingTarget = .provider

  /// Creates the defaults.
  public init() {}

  /// The settings offline: the flag, else the MeshConfig's provider, else Istio.
  func settings(context: CommandContext, defaultNamespace: String?) throws -> PolicySettings {
    let config = try mesh.meshConfig(context: context)
    return PolicySettings(config: config, provider: mesh.provider, routing: routing, defaultNamespace: defaultNamespace)
  }

  /// The MeshConfig, and the provider the flags or the MeshConfig file force (nil: detect it).
  func clusterChoice(context: CommandContext) throws -> (config: MeshConfig, provider: MeshConfig.Provider?) {
    let config = try mesh.meshConfig(context: context)
    return (config, mesh.provider ?? (mesh.config != nil ? config.provider : nil))
  }
}
