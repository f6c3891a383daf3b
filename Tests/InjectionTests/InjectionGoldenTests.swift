import Foundation
import Injection
import Manifest
import TestSupport
import Testing

/// Every `Golden/<case>.yaml` with a `<case>.golden.yaml` is a test: injecting the input with the
/// options on its first line (`# options: provider=linkerd native=true cni=true webhook=true
/// kubernetes=1.30`) must give the golden byte for byte; with `uninject=true` the golden is what
/// uninject gives instead. `MESHCTL_UPDATE_GOLDENS=1 swift test` rewrites the goldens; a golden
/// without an input fails.
@Suite struct InjectionGoldenTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  static let updating = Golden.updating
  static let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".golden.yaml") }.sorted()

  @Test(arguments: inputs)
  func injectedOutputMatchesGolden(name: String) throws {
    let input = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
    let injector = try Self.injector(for: input)
    let uninject = Self.options(of: input)["uninject"] == "true"
    let output = try Self.run(injector, on: input, file: name, uninject: uninject).text
    let goldenURL = Self.folder.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".golden.yaml"))
    guard let golden = try Golden.expected(output, at: goldenURL) else { return }
    #expect(output == golden, "\(name): output differs from its golden; run MESHCTL_UPDATE_GOLDENS=1 swift test and review the diff")
  }

  @Test(arguments: inputs)
  func injectionIsIdempotent(name: String) throws {
    let input = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
    let injector = try Self.injector(for: input)
    let once = try Self.run(injector, on: input, file: name)
    let twice = try Self.run(injector, on: once.text, file: name)
    #expect(twice.text == once.text)
    #expect(twice.outcomes.allSatisfy { $0.status != .injected && $0.status != .marked })
  }

  /// uninject(inject(x)) = uninject(x): injection adds nothing that uninject leaves behind (an
  /// input may carry a sidecar already, which uninject removes either way).
  @Test(arguments: inputs)
  func uninjectRestoresEveryPodTemplate(name: String) throws {
    let input = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
    let injector = try Self.injector(for: input)
    guard !injector.options.webhookOnly else { return }  // a webhook mark is not a sidecar
    let injected = try Self.run(injector, on: input, file: name).text
    let restored = try Self.run(injector, on: injected, file: name, uninject: true).text
    let uninjectedInput = try Self.run(injector, on: input, file: name, uninject: true).text
    let before = ManifestReader().parse(uninjectedInput).documents.map(\.root)
    let after = ManifestReader().parse(restored).documents.map(\.root)
    #expect(after == before)
  }

  @Test(.disabled(if: updating, "goldens are being rewritten")) func everyGoldenHasAnInput() throws {
    let goldens = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".golden.yaml") }
    for golden in goldens {
      #expect(Self.inputs.contains(golden.replacingOccurrences(of: ".golden.yaml", with: ".yaml")), "stale golden \(golden)")
    }
    #expect(goldens.count == Self.inputs.count)
  }

  // MARK: Helpers

  /// A fixture's `# options:` line, as keys and values.
  static func options(of input: String) -> [String: String] {
    var options: [String: String] = [:]
    if let line = input.split(separator: "\n").first, line.hasPrefix("# options:") {
      for pair in line.dropFirst("# options:".count).split(separator: " ") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { options[String(parts[0])] = String(parts[1]) }
      }
    }
    return options
  }

  /// The injector a fixture's `# options:` line asks for.
  static func injector(for input: String) throws -> Injector {
    let options = options(of: input)
    let provider = MeshProvider(rawValue: options["provider"] ?? "istio") ?? .istio
    var settings = SidecarSettings.defaults(for: provider)
    settings.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"
    if let native = options["native"] { settings.nativeSidecar = NativeSidecarMode(rawValue: native) ?? .auto }
    if options["cni"] == "true" { settings.interception = .cni }
    if let version = options["kubernetes"], let minor = Int(version.split(separator: ".").last ?? "") {
      settings.kubernetesMinorVersion = minor
    }
    return Injector(options: InjectionOptions(settings: settings, webhookOnly: options["webhook"] == "true"))
  }

  /// Injects (or uninjects) a whole stream as the command does, document by document.
  static func run(_ injector: Injector, on input: String, file: String, uninject: Bool = false) throws -> (
    text: String, outcomes: [InjectionOutcome]
  ) {
    var text = ""
    var outcomes: [InjectionOutcome] = []
    let (documents, diagnostics) = ManifestReader().parse(input, file: file)
    #expect(diagnostics.isEmpty)
    for document in documents {
      let result = uninject ? try injector.uninject(document) : try injector.inject(document)
      text += StreamWriter.text(of: document, replacement: result.root)
      outcomes += result.outcomes
    }
    return (text, outcomes)
  }
}

