import Foundation
import Injection
import Manifest
import TestSupport
import Testing

/// uninject removes only what an injector added: a pod template whose proxy is the workload (an
/// Istio gateway, proxyless gRPC, a template left with no container) is skipped with the reason,
/// unchanged; and inject adds no proxy beside one.
@Suite struct UninjectTests {
  static let uninjector = Injector(options: InjectionOptions(settings: .defaults(for: .istio)))

  /// A Deployment `name` whose pod template has these annotations, init containers and containers.
  static func deployment(
    _ name: String, annotations: [String: String], initContainers: [String] = [], containers: [String]
  ) -> Document {
    let quoted = annotations.sorted { $0.key < $1.key }.map { "        \($0.key): '\($0.value)'" }.joined(
      separator: "\n")
    let list = { (names: [String]) in
      names.map { "      - {name: \($0), image: example/\($0):1}" }.joined(separator: "\n")
    }
    var text = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: \(name)}
      spec:
        template:
          metadata:
            labels: {app: \(name)}
            annotations:
      \(quoted)
          spec:
            containers:
      \(list(containers))

      """
    if !initContainers.isEmpty { text += "      initContainers:\n\(list(initContainers))\n" }
    return ManifestReader().parse(text, file: "\(name).yaml").documents[0]
  }

  static func status(containers: [String], initContainers: [String] = []) -> String {
    let json = { (names: [String]) in "[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
    return
      "{\"initContainers\":\(json(initContainers)),\"containers\":\(json(containers)),\"volumes\":[],\"revision\":\"default\"}"
  }

  /// Documents uninject must leave alone, with a phrase its reason must contain.
  static let kept: [(Document, String)] = [
    (
      deployment(
        "gateway",
        annotations: [
          "inject.istio.io/templates": "gateway", "sidecar.istio.io/status": status(containers: ["istio-proxy"]),
        ],
        containers: ["istio-proxy"]),
      "the proxy is the workload: istio-proxy is the gateway itself (inject.istio.io/templates: gateway)"
    ),
    (
      deployment("chart-gateway", annotations: ["inject.istio.io/templates": "gateway"], containers: ["istio-proxy"]),
      "gateway itself"
    ),
    (
      deployment(
        "agent",
        annotations: [
          "inject.istio.io/templates": "grpc-agent",
          "sidecar.istio.io/status": status(containers: ["app", "istio-proxy"]),
        ],
        containers: ["app", "istio-proxy"]), "proxyless gRPC (inject.istio.io/templates: grpc-agent)"
    ),
    (
      deployment(
        "simple",
        annotations: [
          "inject.istio.io/templates": "grpc-simple",
          "sidecar.istio.io/status": status(containers: ["app"], initContainers: ["grpc-bootstrap-init"]),
        ],
        initContainers: ["grpc-bootstrap-init"], containers: ["app"]), "proxyless gRPC"
    ),
    (
      deployment(
        "custom",
        annotations: [
          "inject.istio.io/templates": "sidecar, spire", "sidecar.istio.io/status": status(containers: ["istio-proxy"]),
        ],
        containers: ["app", "istio-proxy"]), "inject.istio.io/templates: sidecar, spire is not Istio's sidecar template"
    ),
    (
      deployment(
        "defaulted", annotations: ["sidecar.istio.io/status": status(containers: ["app", "istio-proxy"])],
        containers: ["app", "istio-proxy"]),
      "names the container app, which Istio's sidecar template never adds"
    ),
    (
      deployment(
        "proxies", annotations: ["sidecar.istio.io/status": status(containers: ["istio-proxy"])],
        containers: ["linkerd-proxy", "istio-proxy"]),
      "the proxy is the workload: removing linkerd-proxy, istio-proxy would leave the pod with no containers"
    ),
    (
      deployment(
        "linkerd-only", annotations: ["linkerd.io/proxy-version": "edge-24.11.8"], containers: ["linkerd-proxy"]),
      "no containers"
    ),
  ]

  @Test(arguments: 0..<kept.count) func uninjectSkipsAWorkloadProxyAndChangesNothing(index: Int) throws {
    let (document, phrase) = Self.kept[index]
    let result = try Self.uninjector.uninject(document)
    #expect(result.root == nil, "\(document.file): changed")
    #expect(result.outcomes.count == 1)
    #expect(result.outcomes.first?.status == .skipped)
    #expect(
      result.outcomes.first?.reason?.contains(phrase) == true,
      "\(document.file): \(result.outcomes.first?.line ?? "no outcome")")
  }

  @Test func aSidecarBesideTheWorkloadIsStillRemoved() throws {
    let named = Self.deployment(
      "web",
      annotations: [
        "inject.istio.io/templates": "sidecar",
        "sidecar.istio.io/status": Self.status(containers: ["istio-proxy"], initContainers: ["istio-init"]),
      ],
      initContainers: ["istio-init"], containers: ["web", "istio-proxy"])
    let linkerd = Self.deployment(
      "api", annotations: ["linkerd.io/proxy-version": "edge-24.11.8"], containers: ["linkerd-proxy", "api"])
    for document in [named, linkerd] {
      let result = try Self.uninjector.uninject(document)
      #expect(result.outcomes.map(\.status) == [.uninjected])
      let spec = result.root?[path: "spec", "template", "spec"]
      let left = ((spec?["initContainers"]?.sequence ?? []) + (spec?["containers"]?.sequence ?? [])).compactMap {
        $0["name"]?.string
      }
      #expect(left == [document.file == "web.yaml" ? "web" : "api"])
    }
  }

  /// Every way to inject: Istio and Linkerd, rendered and webhook marks.
  static let injectors: [(String, Injector)] = {
    var linkerd = SidecarSettings.defaults(for: .linkerd)
    linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    return [
      ("istio", Injector(options: InjectionOptions(settings: .defaults(for: .istio)))),
      ("istio --webhook", Injector(options: InjectionOptions(settings: .defaults(for: .istio), webhookOnly: true))),
      ("linkerd", Injector(options: InjectionOptions(settings: linkerd))),
      ("linkerd --webhook", Injector(options: InjectionOptions(settings: linkerd, webhookOnly: true))),
    ]
  }()

  @Test(arguments: 0..<injectors.count) func injectAddsNoProxyWhereTheProxyIsTheWorkload(index: Int) throws {
    let (name, injector) = Self.injectors[index]
    for (document, _) in Self.kept {
      let result = try injector.inject(document)
      #expect(result.root == nil, "\(name) changed \(document.file)")
      #expect(result.outcomes.map(\.status) == [.skipped], "\(name): \(result.outcomes.map(\.line))")
    }
  }
}

/// The corpus's Istio gateway and proxyless-gRPC goldens (istioctl's own injection test data):
/// uninject keeps every container and changes nothing; inject adds no proxy. Skipped, visibly,
/// without ../shared/corpus.
@Suite(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus")) struct UninjectCorpusTests {
  /// Every corpus document with a pod template that names Istio's gateway or a grpc template.
  static func documents() throws -> [Document] {
    var found: [Document] = []
    for url in TestPaths.files(under: TestPaths.corpus, extensions: ["yaml", "yml", "injected"]) {
      let text = try String(contentsOf: url, encoding: .utf8)
      guard text.contains("inject.istio.io/templates") else { continue }
      let relative = String(url.path.dropFirst(TestPaths.corpus.path.count + 1))
      found += ManifestReader().parse(text, file: relative).documents.filter { document in
        istioTemplates(in: document.root).contains { $0 == "gateway" || $0.hasPrefix("grpc") }
      }
    }
    return found
  }

  /// The values of every `inject.istio.io/templates` key in a tree.
  static func istioTemplates(in node: Node) -> [String] {
    if let entries = node.mapping {
      return entries.flatMap { entry in
        (entry.key == "inject.istio.io/templates" ? [entry.value.string ?? ""] : []) + istioTemplates(in: entry.value)
      }
    }
    return (node.sequence ?? []).flatMap(istioTemplates(in:))
  }

  /// The names of every container and init container in a tree, in order.
  static func containerNames(in node: Node) -> [String] {
    if let entries = node.mapping {
      return entries.flatMap { entry in
        let own =
          ["containers", "initContainers"].contains(entry.key)
          ? (entry.value.sequence ?? []).compactMap { $0["name"]?.string } : []
        return own + containerNames(in: entry.value)
      }
    }
    return (node.sequence ?? []).flatMap(containerNames(in:))
  }

  @Test func uninjectKeepsEveryContainerOfTheGatewayAndGRPCGoldens() throws {
    let documents = try Self.documents()
    let files = Set(documents.map(\.file))
    // istio's gateway.yaml and grpc-simple.yaml with their `.injected` goldens, at least.
    #expect(files.contains("peer-inject/istio/gateway.yaml.injected"), "\(files.sorted())")
    #expect(files.contains("peer-inject/istio/grpc-simple.yaml.injected"), "\(files.sorted())")
    for document in documents {
      let before = Self.containerNames(in: document.root)
      #expect(!before.isEmpty, "\(document.file) #\(document.index): no containers to keep")
      let result = try UninjectTests.uninjector.uninject(document)
      #expect(
        Self.containerNames(in: result.root ?? document.root) == before,
        "\(document.file) #\(document.index): a container was removed")
      #expect(result.root == nil, "\(document.file) #\(document.index): not passed through unchanged")
      #expect(
        !result.outcomes.isEmpty && result.outcomes.allSatisfy { $0.status == .skipped && $0.reason != nil },
        "\(result.outcomes.map(\.line))")
    }
  }

  @Test func injectAddsNoProxyToTheGatewayAndGRPCGoldens() throws {
    for document in try Self.documents() {
      for (name, injector) in UninjectTests.injectors {
        let result = try injector.inject(document)
        #expect(result.root == nil, "\(name) changed \(document.file) #\(document.index)")
        #expect(result.outcomes.allSatisfy { $0.status == .skipped }, "\(name): \(result.outcomes.map(\.line))")
      }
    }
  }
}
