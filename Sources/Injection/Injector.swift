import Manifest
import MeshSchema

/// What happened to one workload.
public struct InjectionOutcome: Sendable, Hashable {
  /// The verdict.
  public enum Status: String, Sendable, Hashable {
    case injected, uninjected, unchanged, skipped, marked
  }

  /// `deployment/web`, as kubectl names objects.
  public var object: String
  /// The namespace, when the manifest names one.
  public var namespace: String?
  /// The file it came from.
  public var file: String
  /// The verdict.
  public var status: Status
  /// Why it was skipped or unchanged.
  public var reason: String?
  /// What will go wrong with the injected workload, and how to avoid it (a Job whose proxy
  /// keeps it from completing).
  public var warning: String?

  /// The report line: `deployment/web injected`, `pod/x skipped: hostNetwork`.
  public var line: String {
    reason.map { "\(object) \(status.rawValue): \($0)" } ?? "\(object) \(status.rawValue)"
  }

  /// The warning line, kubectl-style: `Warning: job/migrate will not complete: ...`.
  public var warningLine: String? { warning.map { "Warning: \(object) \($0)" } }
}

/// What to do to pod templates.
public struct InjectionOptions: Sendable {
  /// Sidecar settings (provider, image, ...).
  public var settings: SidecarSettings
  /// Only mark workloads for the cluster's injector instead of rendering the sidecar.
  public var webhookOnly: Bool

  /// Creates options.
  public init(settings: SidecarSettings, webhookOnly: Bool = false) {
    self.settings = settings
    self.webhookOnly = webhookOnly
  }
}

/// A failure that stops injection of the whole input (not a skip): settings that cannot work.
/// `Injector.checkConfiguration()` finds it before any document is read.
public struct InjectionError: Error, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// How to fix it.
  public var hint: String?

  /// Creates an error.
  public init(message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }

  /// Linkerd's proxy cannot be rendered without the identity trust anchors; `reason` says why
  /// none were found (`--offline was given`). The hint names every way to supply them.
  public static func missingTrustAnchors(controlPlaneNamespace: String, reason: String? = nil) -> InjectionError {
    let anchors = MeshConfig.TrustAnchors.self
    return InjectionError(
      message: "linkerd injection needs the mesh's identity trust anchors" + (reason.map { ": \($0)" } ?? ""),
      hint:
        "pass --identity-trust-anchors FILE with the PEM bundle (\(anchors.kubectlCommand(namespace: controlPlaneNamespace)) > ca.crt), "
        + "or let meshctl read configmap \(controlPlaneNamespace)/\(anchors.configMapName) from the cluster "
        + "(a kubeconfig for it, and no --offline); or set identityTrustAnchorsPEM in the MeshConfig, "
        + "or use --webhook to leave injection to the cluster's injector")
  }
}

/// Injects and removes mesh sidecars in every pod template of a document: a pure function of
/// documents and options, returning the new tree (nil when nothing changed) and a report.
public struct Injector: Sendable {
  /// The options in force.
  public var options: InjectionOptions

  /// Creates an injector.
  public init(options: InjectionOptions) {
    self.options = options
  }

  /// Whether rendering the sidecar needs Linkerd's identity trust anchors, which the settings lack.
  public var needsTrustAnchors: Bool {
    !options.webhookOnly && options.settings.provider == .linkerd && options.settings.identityTrustAnchorsPEM == nil
  }

  /// Throws the first setting that cannot work. Call it before reading any input: a run that
  /// fails must fail before its first byte of output (issue 13: all or nothing on stdout).
  public func checkConfiguration() throws(InjectionError) {
    if needsTrustAnchors {
      throw .missingTrustAnchors(controlPlaneNamespace: options.settings.controlPlaneNamespace)
    }
  }

  /// The document with every workload injected; `root` is nil when nothing changed.
  public func inject(_ document: Document) throws -> (root: Node?, outcomes: [InjectionOutcome]) {
    try transform(document) { template, object in try injectTemplate(&template, object: object) }
  }

  /// The document with every meshctl- or provider-injected sidecar removed. A pod template whose
  /// proxy is the workload (an Istio gateway, proxyless gRPC, or one that would be left with no
  /// containers) is skipped with the reason, unchanged.
  public func uninject(_ document: Document) throws -> (root: Node?, outcomes: [InjectionOutcome]) {
    try transform(document) { template, _ in
      if let reason = Self.untrustedRecord(template) { return (.skipped, reason, nil) }
      switch PodTemplateEditor.uninject(&template) {
      case .removed: return (.uninjected, nil, nil)
      case .nothingToRemove: return (.unchanged, "no sidecar", nil)
      case .kept(let reason): return (.skipped, reason, nil)
      }
    }
  }

  /// Applies `change` to the pod template of each workload object of the document.
  private func transform(
    _ document: Document,
    _ change: (inout Node, WorkloadObject) throws -> (InjectionOutcome.Status, String?, String?)
  ) throws -> (root: Node?, outcomes: [InjectionOutcome]) {
    var root = document.root
    var outcomes: [InjectionOutcome] = []
    var changed = false
    for object in document.objects {
      guard let kind = object.kind,
        let path = WorkloadKinds.templatePath(kind: kind, apiVersion: object.apiVersion)
      else { continue }
      let workload = WorkloadObject(node: object.node, kind: kind, templatePath: path)
      var outcome = InjectionOutcome(
        object: workload.reference, namespace: object.namespace, file: document.file, status: .unchanged)
      guard var template = object.node.value(at: path), template.mapping != nil else {
        outcome.status = .skipped
        outcome.reason = "no pod template at \(path.joined(separator: "."))"
        outcomes.append(outcome)
        continue
      }
      let original = template
      (outcome.status, outcome.reason, outcome.warning) = try change(&template, workload)
      if template != original {
        var node = object.node
        node.setValue(template, at: path)
        root = Self.replacing(object: object, with: node, in: root)
        changed = true
      } else if outcome.status == .injected || outcome.status == .marked {
        outcome.status = .unchanged
        outcome.reason = "already injected with these settings"
      }
      outcomes.append(outcome)
    }
    return (changed ? root : nil, outcomes)
  }

  private static func replacing(object: ManifestObject, with node: Node, in root: Node) -> Node {
    guard object.path.hasPrefix("items["), let index = Int(object.path.dropFirst(6).dropLast()),
      var items = root["items"]?.sequence
    else { return node }
    items[index] = node
    var root = root
    root["items"] = Node(.sequence(items), mark: root["items"]!.mark)
    return root
  }

  private func injectTemplate(_ template: inout Node, object: WorkloadObject) throws -> (
    InjectionOutcome.Status, String?, String?
  ) {
    let settings = effectiveSettings(for: template)
    if let reason = skipReason(template: template, object: object, settings: settings) {
      return (.skipped, reason, nil)
    }
    var candidate = template
    // A proxy that is the workload (a gateway, proxyless gRPC) is neither replaced nor joined by
    // a second one.
    if case .kept(let reason) = PodTemplateEditor.uninject(&candidate) { return (.skipped, reason, nil) }
    if options.webhookOnly {
      PodTemplateEditor.markForWebhook(&candidate, provider: settings.provider)
      template = candidate
      return (.marked, nil, nil)
    }
    let parts: SidecarParts
    switch settings.provider {
    case .istio: parts = IstioSidecar(settings: settings).parts(for: candidate, object: object)
    case .linkerd: parts = try LinkerdSidecar(settings: settings).parts(for: candidate, object: object)
    }
    if let clash = PodTemplateEditor.nameClash(parts, in: candidate) {
      // Adding it would make the pod invalid, and undoing it would take the workload's own away.
      return (.skipped, "it already has \(clash) that no injector added", nil)
    }
    PodTemplateEditor.apply(parts, to: &candidate)
    template = candidate
    return (.injected, nil, Self.completionWarning(kind: object.kind, settings: settings))
  }

  /// Run-to-completion kinds: a classic sidecar keeps their pods running after the work is done.
  static let runToCompletionKinds: Set<String> = ["Job", "CronJob"]

  /// The warning for a Job or CronJob that `nativeSidecar: auto` gave a classic sidecar: its
  /// proxy never exits, so the Job never completes. Native sidecars (Kubernetes 1.29+) are
  /// stopped by the kubelet once the main containers finish.
  static func completionWarning(kind: String, settings: SidecarSettings) -> String? {
    guard runToCompletionKinds.contains(kind), settings.nativeSidecar == .auto, !settings.usesNativeSidecar else {
      return nil
    }
    let target = settings.kubernetesVersion.map { "the target version is \($0)" } ?? "the target version is not known"
    let stopProxy = settings.provider == .istio ? " (POST localhost:15020/quitquitquit)" : ""
    return "will not complete: its proxy runs as a regular container and keeps the pod running after the job's "
      + "containers finish (nativeSidecar auto is native from Kubernetes 1.29; \(target)); if the cluster runs "
      + "1.29 or later, pass --kubernetes-version or set kubernetesVersion in the MeshConfig, "
      + "else the job must stop the proxy itself when it is done\(stopProxy)"
  }

  /// The settings for one workload: the MeshConfig's, with the provider's per-workload
  /// override annotations applied.
  private func effectiveSettings(for template: Node) -> SidecarSettings {
    let annotations = template[path: "metadata", "annotations"].stringMap
    return WorkloadOverrides.apply(annotations, to: options.settings)
  }

  /// Why a workload's injection record is not followed (see `PodTemplateEditor.untrustedRecordReason`),
  /// with what to do; nil when there is no record or it agrees with the template.
  static func untrustedRecord(_ template: Node) -> String? {
    PodTemplateEditor.untrustedRecordReason(template).map {
      "\($0), so the sidecar cannot be removed or replaced exactly (remove the sidecar and the annotation by hand)"
    }
  }

  /// Why a workload must not be injected, or nil.
  private func skipReason(template: Node, object: WorkloadObject, settings: SidecarSettings) -> String? {
    if let reason = Self.untrustedRecord(template) { return reason }
    if let problem = PodTemplateEditor.malformedPart(of: template) {
      return "the pod template is malformed: \(problem) (see meshctl validate)"
    }
    let annotations = template[path: "metadata", "annotations"].stringMap
    var marks = PodInjectionMarks(template: template)
    // Injection replaces a sidecar it finds, so what counts is whether the template without it
    // would get one. Offline the Namespace is not known: only the template's own marks opt out.
    let proxies = marks.proxies
    marks.proxies = []
    if case .optedOut(let reason) = SidecarIntent.of(marks, namespace: nil, provider: settings.provider) {
      return reason
    }
    if settings.provider == .istio {
      if let templates = annotations["inject.istio.io/templates"], templates != "sidecar" {
        return "inject.istio.io/templates is \"\(templates)\"; only Istio's sidecar template is rendered offline (use --webhook)"
      }
      if annotations["sidecar.istio.io/status"] == nil, annotations[injectionRecordAnnotation] == nil,
        proxies.contains(ProxyContainer.name(for: .istio))
      {
        return "it already has a container named istio-proxy that no injector added (a gateway?)"
      }
    }
    if marks.hostNetwork { return "hostNetwork" }
    if let namespace = object.namespace, settings.neverInjectNamespaces.contains(namespace) {
      return "namespace \(namespace) is never injected"
    }
    let other: MeshProvider = settings.provider == .istio ? .linkerd : .istio
    if proxies.contains(other.proxyContainerName) {
      return "it already has the \(other.rawValue) sidecar (\(other.proxyContainerName))"
    }
    return nil
  }
}

/// A workload object and where its pod template is.
struct WorkloadObject {
  let node: Node
  let kind: String
  let templatePath: [String]

  var name: String { node[path: "metadata", "name"]?.string ?? "" }
  var namespace: String? { node[path: "metadata", "namespace"]?.string }
  /// `deployment/web`.
  var reference: String { "\(kind.lowercased())/\(name.isEmpty ? "<unnamed>" : name)" }
}
