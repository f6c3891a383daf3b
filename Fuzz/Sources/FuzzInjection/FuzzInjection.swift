// libFuzzer target: arbitrary bytes → documents → Injector (several sidecar shapes).
//
// For every document and shape it checks, besides "never crash, never hang":
//  1. injection is idempotent: injecting the injected document changes nothing;
//  2. injection is reversible: uninject(inject(x)) equals uninject(x);
//  3. the injected tree survives the emitter: written as YAML and read back, it is the same tree;
//  4. injection adds no validation error: when a workload with containers and its uninjected
//     form validate without errors, the injected one (as read back from its YAML) does too.
// A broken invariant is a crash (fatalError), so libFuzzer saves the input.

import Injection
import Manifest
import MeshSchema

let limits = ReaderLimits(maxInputBytes: 1 << 20, maxDocumentBytes: 64 << 10, maxDepth: 32, maxAliasExpansion: 2_000)

let injectors: [(String, Injector)] = {
  var native = SidecarSettings.defaults(for: .istio)
  native.nativeSidecar = .enabled
  var cni = SidecarSettings.defaults(for: .istio)
  cni.interception = .cni
  var linkerd = SidecarSettings.defaults(for: .linkerd)
  linkerd.identityTrustAnchorsPEM = "-----BEGIN CERTIFICATE-----\nFUZZ\n-----END CERTIFICATE-----\n"
  return [
    ("istio", Injector(options: InjectionOptions(settings: .defaults(for: .istio)))),
    ("istio-native", Injector(options: InjectionOptions(settings: native))),
    ("istio-cni", Injector(options: InjectionOptions(settings: cni))),
    ("linkerd", Injector(options: InjectionOptions(settings: linkerd))),
    ("webhook", Injector(options: InjectionOptions(settings: .defaults(for: .istio), webhookOnly: true))),
  ]
}()

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzInjection invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

func isValid(_ document: Document, _ validator: Validator) -> Bool {
  !validator.validate(document).contains { $0.severity == .error }
}

/// Whether the document is one workload with at least one container of its own. The validator
/// accepts a pod spec without `containers`, and injecting a native sidecar into one leaves
/// `containers: []`, which it refuses: a workload without containers has nothing to mesh, so
/// the validity invariant is about workloads that have some.
func hasContainers(_ document: Document) -> Bool {
  guard let kind = document.root["kind"]?.string, let path = WorkloadKinds.podSpecPath(kind: kind) else { return false }
  return !(document.root.value(at: path + ["containers"])?.sequence ?? []).isEmpty
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var documents: [Document] = []
  _ = try? ManifestReader(limits: limits).read(MemorySource(bytes), file: "fuzz") { documents.append($0) }
  let validator = Validator()
  for document in documents {
    let validBefore = hasContainers(document) && isValid(document, validator)
    for (shape, injector) in injectors {
      guard let once = try? injector.inject(document) else { continue }  // settings errors are not bugs
      let injected = Document(root: once.root ?? document.root, file: "fuzz", index: document.index)
      guard let twice = try? injector.inject(injected) else { fail("\(shape): second injection threw", bytes) }
      // Every input, a hand-edited injection record included: a record that does not match its
      // pod template is not followed, and the workload is skipped (regression-uninject-after-
      // reinjecting-a-tampered-record, regression-tampered-record-other-provider).
      if twice.root != nil { fail("\(shape): injecting twice changed the document", bytes) }
      if !injector.options.webhookOnly {
        let restored = (try? injector.uninject(injected))?.root ?? injected.root
        let plain = (try? injector.uninject(document))?.root ?? document.root
        if restored != plain { fail("\(shape): uninject(inject(x)) differs from uninject(x)", bytes) }
      }
      if let root = once.root {
        let text = YAMLEmitter.emit(root)
        let reread = ManifestReader().parse(text)
        if !reread.diagnostics.isEmpty || reread.documents.first?.root != root {
          fail("\(shape): injected tree does not survive emit and read:\n\(text)", bytes)
        }
        // Valid means the workload as the user wrote it: an input that is already injected
        // (perhaps in another shape) counts only when its uninjected form is valid too.
        if validBefore,
          isValid(Document(root: (try? injector.uninject(document))?.root ?? document.root, file: "fuzz"), validator),
          let errors = reread.documents.first.map({ validator.validate($0) })?.filter({ $0.severity == .error }),
          !errors.isEmpty
        {
          fail("\(shape): the injected document no longer validates: \(errors.map(\.message))\n\(text)", bytes)
        }
      }
    }
  }
  return 0
}
