import Manifest

// meshctl's own kinds (DESIGN.md §3.1). Unknown fields are errors here: a misspelt field in a
// routing policy silently changes where traffic goes.

/// Schemas of meshctl's kinds, `meshctl.io/v1alpha1`.
public enum MeshctlSchemas {
  /// `metadata` of a meshctl kind: name required.
  static let metadata = KubernetesSchemas.objectMeta(nameRequired: true)

  static func topLevel(
    spec: Schema, specRequired: Bool = true, metadataRequired: Bool = true, metadataSchema: Schema = metadata
  ) -> Schema {
    .object(
      [
        .required("apiVersion", .oneOf(SchemaRegistry.meshctlAPIVersion)),
        .required("kind", .string),
        Property(name: "metadata", schema: metadataSchema, isRequired: metadataRequired),
        Property(name: "spec", schema: spec, isRequired: specRequired),
        .optional("status", .anything),
      ], unknown: .error)
  }

  // MARK: TrafficSplit

  /// A string match: exactly one of `exact`, `prefix`, `regex`.
  static func stringMatch(_ operators: [String]) -> Schema {
    .object(
      operators.map { .optional($0, .string) }, unknown: .error, groups: [FieldGroup(.exactlyOne, operators)])
  }

  static let backend = Schema.object(
    [
      .required("name", .string(.dns1123Label), "the backend's name, unique in the split"),
      .optional(
        "selector", .map(MapSchema(keys: .labelKey, values: .string(.labelValue), minEntries: 1)),
        "pods of the Service that also carry these labels"),
      .optional("service", .string(.dns1123Label), "an existing Service"),
      .required("weight", .integer(0...100), "the share of traffic, in percent"),
    ], unknown: .error, groups: [FieldGroup(.exactlyOne, ["selector", "service"])])

  static let match = Schema.object(
    [
      .optional(
        "headers", .map(MapSchema(keys: .httpHeaderName, values: stringMatch(["exact", "prefix", "regex"]), minEntries: 1)),
        "request headers: header name → {exact | prefix | regex}"),
      .optional("path", stringMatch(["exact", "prefix"]), "the request path: {exact | prefix}"),
      .required("backend", .string(.dns1123Label), "the backend that matching requests go to"),
    ], unknown: .error, groups: [FieldGroup(.atLeastOne, ["headers", "path"])])

  static let trafficSplitSpec = Schema.object(
    [
      .required("service", .string(.dns1123Label), "the Service that clients call"),
      .optional("port", .port, "the Service port; needed when the Service has several"),
      .required("backends", .array(backend, count: 1...10, uniqueBy: "name"), "where traffic goes (1..10)"),
      // At most 50 matches: bounded so the CRD's CEL rules stay within the API server's cost budget.
      .optional("match", .array(match, count: 0...50), "requests that go to one backend whatever the weights"),
      .optional(
        "analysis", .array(.string, count: 0...20),
        "canary analyses shift checks after each step, e.g. success-rate>=99.5, latency-p99<=300ms"),
    ], unknown: .error, rules: [weightsSumTo100, weightsNotAllZero, matchNamesBackend, analysesParse])

  /// The TrafficSplit kind.
  public static let trafficSplit = topLevel(spec: trafficSplitSpec)

  /// Integer weights of the backends, with their nodes; nil when any weight is missing or not
  /// an integer (the field check reports that, and a sum would only add noise).
  static func weights(_ spec: Node) -> [(value: Int, node: Node)]? {
    guard let backends = spec["backends"]?.sequence, !backends.isEmpty else { return nil }
    var result: [(Int, Node)] = []
    for backend in backends {
      guard let node = backend["weight"], let value = node.int else { return nil }
      result.append((value, node))
    }
    return result
  }

  static let weightsSumTo100 = CrossFieldRule(
    code: RuleCode.weightSum, summary: "backend weights sum to 100",
    cel: CELValidation(rule: "self.backends.map(b, b.weight).sum() == 100", message: "backend weights must sum to 100")
  ) { spec in
    guard let weights = weights(spec), weights.contains(where: { $0.value != 0 }) else { return [] }
    let sum = weights.reduce(0) { $0 + $1.value }
    guard sum != 100, let backends = spec["backends"] else { return [] }
    return [
      RuleFinding(
        code: RuleCode.weightSum, message: "backend weights sum to \(sum), not 100", mark: backends.mark,
        path: [.key("backends")], hint: "adjust the weights (\(weights.map { String($0.value) }.joined(separator: " + "))) so they add up to 100")
    ]
  }

  static let weightsNotAllZero = CrossFieldRule(
    code: RuleCode.weightsAllZero, summary: "not every backend weight is zero",
    cel: CELValidation(rule: "self.backends.exists(b, b.weight > 0)", message: "at least one backend needs a weight above 0")
  ) { spec in
    guard let weights = weights(spec), weights.allSatisfy({ $0.value == 0 }), let backends = spec["backends"] else {
      return []
    }
    return [
      RuleFinding(
        code: RuleCode.weightsAllZero, message: "every backend has weight 0: no traffic would be routed",
        mark: backends.mark, path: [.key("backends")], hint: "give at least one backend a weight above 0")
    ]
  }

  /// Every `spec.analysis` entry reads as an `AnalysisSpec`: a bad one would stop `shift` (exit
  /// 64) only once the canary is under way, so `validate` says it first.
  static let analysesParse = CrossFieldRule(
    code: RuleCode.analysisSpec, summary: "spec.analysis entries are analyses shift can run"
  ) { spec in
    (spec["analysis"]?.sequence ?? []).enumerated().compactMap { index, entry in
      guard let text = entry.string else { return nil }
      do {
        _ = try AnalysisSpec.parse(text)
        return nil
      } catch {
        return RuleFinding(
          code: RuleCode.analysisSpec, message: "\(error)", mark: entry.mark,
          path: [.key("analysis"), .index(index)],
          hint: "write success-rate>=99.5, latency-p99<=300ms (p50, p90, p95, p99; ms or s) or request-rate>=10")
      }
    }
  }

  static let matchNamesBackend = CrossFieldRule(
    code: RuleCode.matchBackend, summary: "match[].backend names a backend",
    cel: CELValidation(
      rule: "!has(self.match) || self.match.all(m, self.backends.exists(b, b.name == m.backend))",
      message: "match[].backend must name a backend")
  ) { spec in
    let names = (spec["backends"]?.sequence ?? []).compactMap { $0["name"]?.string }
    var findings: [RuleFinding] = []
    for (index, match) in (spec["match"]?.sequence ?? []).enumerated() {
      guard let node = match["backend"], let name = node.string, !names.contains(name) else { continue }
      findings.append(
        RuleFinding(
          code: RuleCode.matchBackend, message: "match names backend `\(name)`, which is not in `backends`",
          mark: node.mark, path: [.key("match"), .index(index), .key("backend")],
          hint: Suggestions.didYouMean(name, among: names)
            ?? "use one of \(names.map { "`\($0)`" }.joined(separator: ", "))"))
    }
    return findings
  }

  // MARK: MTLSPolicy

  /// The mTLS modes.
  public static let mtlsModes = ["STRICT", "PERMISSIVE", "DISABLE"]

  static let mtlsPolicySpec = Schema.object(
    [
      .required("mode", .string(StringSchema(allowed: mtlsModes)), "STRICT | PERMISSIVE | DISABLE"),
      .optional(
        "selector", .object([.optional("matchLabels", .labels)], unknown: .error),
        "the workloads it applies to; absent = the whole namespace"),
      .optional(
        "portLevel", .map(MapSchema(keys: .portNumber, values: .string(StringSchema(allowed: mtlsModes)))),
        "per container port: port number → mode"),
    ], unknown: .error)

  /// The MTLSPolicy kind.
  public static let mtlsPolicy = topLevel(spec: mtlsPolicySpec)

  // MARK: MeshConfig

  static let proxyResourceList = Schema.object(
    [.optional("cpu", .quantity), .optional("memory", .quantity), .optional("ephemeral-storage", .quantity)],
    unknown: .error)

  static let proxy = Schema.object(
    [
      .optional("image", .string(StringSchema(minLength: 1)), "the sidecar image; default: the provider's"),
      .optional(
        "resources", .object([.optional("requests", proxyResourceList), .optional("limits", proxyResourceList)], unknown: .error),
        "the sidecar's requests and limits"),
      .optional("uid", .integer(0...2_147_483_647), "the UID the proxy runs as (Istio 1337, Linkerd 2102)"),
      .optional(
        "logLevel", .string(StringSchema(allowed: MeshConfig.LogLevel.allCases.map(\.rawValue))),
        "trace | debug | info | warning | error | off"),
    ], unknown: .error)

  static let prometheus = Schema.object(
    [
      .optional(
        "url", .string(StringSchema(minLength: 1)),
        "the Prometheus base URL, e.g. http://prometheus.istio-system:9090 (`--prometheus` and MESHCTL_PROMETHEUS win)")
    ], unknown: .error)

  static let meshConfigSpec = Schema.object(
    [
      .optional("provider", .string(StringSchema(allowed: MeshConfig.Provider.allCases.map(\.rawValue))), "istio | linkerd"),
      .optional("trustDomain", .string(.dns1123Subdomain), "the mesh's identity trust domain"),
      .optional("controlPlaneNamespace", .string(.dns1123Label), "where the control plane runs"),
      .optional("revision", .string(.dns1123Label), "the control-plane revision (Istio)"),
      .optional("proxy", proxy, "sidecar settings"),
      .optional(
        "nativeSidecar",
        .anyOf([.boolean, .string(StringSchema(allowed: ["auto", "true", "false"]))], summary: "`auto`, `true` or `false`"),
        "run the proxy as a native sidecar (init container with restartPolicy: Always)"),
      .optional("interception", .string(StringSchema(allowed: ["iptables", "cni"])), "iptables | cni"),
      .optional("excludeInboundPorts", .array(.port), "inbound ports the proxy does not intercept"),
      .optional("excludeOutboundPorts", .array(.port), "outbound ports the proxy does not intercept"),
      .optional("excludeOutboundCIDRs", .array(.string(.cidr)), "outbound CIDR blocks the proxy does not intercept"),
      .optional("rewriteProbes", .boolean, "rewrite HTTP probes to go through the proxy's agent"),
      .optional("prometheusScrape", .boolean, "add Prometheus scrape annotations"),
      .optional("neverInjectNamespaces", .array(.string(.dns1123Label)), "namespaces never injected"),
      .optional(
        "kubernetesVersion", .string(StringSchema(format: .kubernetesVersion)),
        "the cluster's Kubernetes version, e.g. \"1.30\"; `nativeSidecar: auto` is native from 1.29"),
      .optional(
        "identityTrustAnchorsPEM", .string(StringSchema(minLength: 1)),
        "Linkerd's identity trust anchors (PEM), needed to render the Linkerd proxy offline"),
      .optional("prometheus", prometheus, "where canary analysis and `mtls check` read metrics"),
    ], unknown: .error)

  /// The MeshConfig kind; `metadata` is optional because it is a local file, not a cluster object.
  public static let meshConfig = topLevel(
    spec: meshConfigSpec, specRequired: false, metadataRequired: false, metadataSchema: KubernetesSchemas.objectMeta())

  static let kinds: [KindSchema] = [
    KindSchema(SchemaRegistry.meshctlAPIVersion, "TrafficSplit", trafficSplit),
    KindSchema(SchemaRegistry.meshctlAPIVersion, "MTLSPolicy", mtlsPolicy),
    KindSchema(SchemaRegistry.meshctlAPIVersion, "MeshConfig", meshConfig),
  ]
}
