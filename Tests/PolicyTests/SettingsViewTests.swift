import MeshSchema
import Policy
import Testing

/// PolicySettings holds one MeshConfig plus the command line's extras.
@Suite struct SettingsViewTests {
  @Test func providerOverrideKeepsTheRestOfTheConfig() {
    let config = MeshConfig(provider: .istio, trustDomain: "corp.example", controlPlaneNamespace: "mesh")
    let settings = PolicySettings(config: config, provider: .linkerd, routing: .gatewayAPI, defaultNamespace: "shop")
    #expect(settings.provider == .linkerd && settings.config.provider == .linkerd)
    #expect(settings.trustDomain == "corp.example" && settings.controlPlaneNamespace == "mesh")
    #expect(settings.routing == .gatewayAPI && settings.defaultNamespace == "shop")
    #expect(PolicySettings(provider: .linkerd).controlPlaneNamespace == "linkerd")
    #expect(PolicySettings(config: MeshConfig()).provider == .istio)
  }
}
