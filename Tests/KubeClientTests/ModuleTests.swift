import Testing
@testable import KubeClient

@Suite struct KubeClientPlaceholderTests {
  @Test func moduleLinks() { #expect(String(describing: KubeClient.self) == "KubeClient") }
}
