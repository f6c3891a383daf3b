import Injection
import MeshSchema
import Testing

/// SidecarSettings is a view of one MeshConfig: the provider's defaults fill what it leaves
/// unset, and a MeshConfig written for the other provider lends only its neutral fields.
@Suite struct SettingsModelTests {
  @Test func defaultsComeFromTheProvider() {
    let istio = SidecarSettings.defaults(for: .istio)
    #expect(istio.proxyImage == "docker.io/istio/proxyv2:1.24.2" && istio.proxyUID == 1337)
    #expect(istio.logLevel == "warning" && istio.controlPlaneNamespace == "istio-system")
    #expect(istio.requests.map { "\($0)=\($1)" } == ["cpu=100m", "memory=128Mi"])
    #expect(istio.limits.map { "\($0)=\($1)" } == ["cpu=2", "memory=1Gi"])
    #expect(istio.rewriteProbes && istio.prometheusScrape)
    let linkerd = SidecarSettings.defaults(for: .linkerd)
    #expect(linkerd.proxyImage == "cr.l5d.io/linkerd/proxy:edge-24.11.8" && linkerd.proxyUID == 2102)
    #expect(linkerd.requests.isEmpty && !linkerd.rewriteProbes && !linkerd.prometheusScrape)
    #expect(linkerd.neverInjectNamespaces == MeshConfig.defaultNeverInjectNamespaces)
  }

  @Test func theConfigsProxyAppliesOnlyToItsOwnProvider() {
    var config = MeshConfig(provider: .istio, trustDomain: "corp.example", revision: "canary")
    config.proxy = MeshConfig.Proxy(
      image: "example/proxy:1", requests: MeshConfig.ResourceList(memory: "64Mi"), logLevel: .warning)
    let own = SidecarSettings(config: config)
    #expect(own.proxyImage == "example/proxy:1" && own.requests.map { "\($0)=\($1)" } == ["cpu=100m", "memory=64Mi"])
    #expect(own.revision == "canary" && own.trustDomain == "corp.example")
    let other = SidecarSettings(config: config, provider: .linkerd)
    #expect(other.proxyImage == SidecarSettings.defaults(for: .linkerd).proxyImage)
    #expect(other.trustDomain == "corp.example" && other.controlPlaneNamespace == "linkerd" && !other.rewriteProbes)
    var linkerdConfig = MeshConfig(provider: .linkerd)
    linkerdConfig.proxy.logLevel = .warning
    #expect(SidecarSettings(config: linkerdConfig).logLevel == "warn")
  }

  @Test func settersWriteTheConfig() {
    var settings = SidecarSettings.defaults(for: .istio)
    settings.kubernetesMinorVersion = 30
    settings.requests = [("cpu", "1")]
    #expect(settings.config.kubernetesVersion == "1.30" && settings.usesNativeSidecar)
    #expect(settings.config.proxy.requests == MeshConfig.ResourceList(cpu: "1"))
    #expect(settings.requests.map { "\($0)=\($1)" } == ["cpu=1", "memory=128Mi"])
  }
}
