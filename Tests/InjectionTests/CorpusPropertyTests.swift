import Foundation
import Injection
import Manifest
import Testing

/// inject(inject(x)) = inject(x) and uninject(inject(x)) = uninject(x) over every manifest of
/// the corpus, for each sidecar shape. Skipped, visibly, without ../shared/corpus.
@Suite(.enabled(if: PeerCorpus.exists, "needs ../shared/corpus")) struct CorpusPropertyTests {
  static let corpus = PeerCorpus.root.deletingLastPathComponent()

  static func files() -> [URL] {
    var found: [URL] = []
    let enumerator = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
      let name = url.lastPathComponent
      if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".injected") { found.append(url) }
    }
    return found.sorted { $0.path < $1.path }
  }

  static func shapes() -> [(String, Injector)] {
    var istioNative = SidecarSettings.defaults(for: .istio)
    istioNative.nativeSidecar = .enabled
    var istioCNI = SidecarSettings.defaults(for: .istio)
    istioCNI.interception = .cni
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    return [
      ("istio", Injector(options: InjectionOptions(settings: .defaults(for: .istio)))),
      ("istio-native", Injector(options: InjectionOptions(settings: istioNative))),
      ("istio-cni", Injector(options: InjectionOptions(settings: istioCNI))),
      ("linkerd", Injector(options: InjectionOptions(settings: linkerd))),
    ]
  }

  @Test func injectionIsIdempotentAndReversibleOverTheCorpus() throws {
    var workloads = 0
    for url in Self.files() {
      let documents = ManifestReader().parse(try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent).documents
      for document in documents {
        for (shape, injector) in Self.shapes() {
          let once = try injector.inject(document)
          workloads += once.outcomes.filter { $0.status == .injected }.count
          let injected = Document(root: once.root ?? document.root, file: document.file, index: document.index)
          let twice = try injector.inject(injected)
          #expect(twice.root == nil, "\(url.lastPathComponent) #\(document.index) \(shape): second injection changed it")
          let restored = try injector.uninject(injected).root ?? injected.root
          let plain = try injector.uninject(document).root ?? document.root
          #expect(restored == plain, "\(url.lastPathComponent) #\(document.index) \(shape): uninject did not restore it")
        }
      }
    }
    #expect(workloads > 200, "too few workloads injected: \(workloads)")
  }
}
