import Manifest

// The provider resources meshctl renders (DESIGN.md §6), so that rendered output and hand-written
// resources are checked too. Modelled: the fields meshctl writes and reads; the rest of each
// structure is free-form (`unknown: .allow`), and only unknown top-level `spec` fields warn.

/// Schemas of the Istio, Gateway API and Linkerd resources meshctl writes.
public enum ProviderSchemas {
  static let matchLabelsOnly = Schema.object([.optional("matchLabels", .labels)], unknown: .allow)

  // MARK: Istio

  static let istioPort = Schema.object([.optional("number", .port)], unknown: .allow)

  static let istioDestination = Schema.object(
    [
      .required("host", .string(StringSchema(minLength: 1)), "the Service or ServiceEntry host"),
      .optional("subset", .string, "a DestinationRule subset"),
      .optional("port", istioPort),
    ], unknown: .allow)

  static let istioRouteDestination = Schema.object(
    [
      .required("destination", istioDestination),
      .optional("weight", .integer(0...100)),
      .optional("headers", .anything),
    ], unknown: .allow)

  static let istioRetries = Schema.object(
    [
      .optional("attempts", .integer(atLeast: 0)),
      .optional("perTryTimeout", .string(.duration)),
      .optional("retryOn", .string),
    ], unknown: .allow)

  static let istioHTTPRoute = Schema.object(
    [
      .optional("name", .string),
      .optional("match", .array(.anything)),
      .optional("route", .array(istioRouteDestination)),
      .optional("timeout", .string(.duration)),
      .optional("retries", istioRetries),
    ], unknown: .allow)

  static let istioL4Route = Schema.object(
    [.optional("match", .array(.anything)), .optional("route", .array(istioRouteDestination))], unknown: .allow)

  static let virtualServiceSpec = Schema.object([
    .optional("hosts", .strings),
    .optional("gateways", .strings),
    .optional("http", .array(istioHTTPRoute)),
    .optional("tls", .array(istioL4Route)),
    .optional("tcp", .array(istioL4Route)),
    .optional("exportTo", .strings),
  ])

  static let destinationRuleSpec = Schema.object([
    .required("host", .string(StringSchema(minLength: 1))),
    .optional("trafficPolicy", .anything),
    .optional(
      "subsets",
      .array(
        .object(
          [.required("name", .string), .optional("labels", .labels), .optional("trafficPolicy", .anything)],
          unknown: .allow), uniqueBy: "name")),
    .optional("exportTo", .strings),
    .optional("workloadSelector", matchLabelsOnly),
  ])

  static let istioMTLSMode = Schema.oneOf("UNSET", "DISABLE", "PERMISSIVE", "STRICT")

  static let peerAuthenticationSpec = Schema.object([
    .optional("selector", matchLabelsOnly),
    .optional("mtls", .object([.optional("mode", istioMTLSMode)], unknown: .allow)),
    .optional(
      "portLevelMtls",
      .map(MapSchema(keys: .portNumber, values: .object([.optional("mode", istioMTLSMode)], unknown: .allow)))),
  ])

  // MARK: Gateway API

  static let parentRef = Schema.object(
    [
      .optional("group", .string),
      .optional("kind", .string),
      .optional("namespace", .string(.dns1123Label)),
      .required("name", .string(StringSchema(minLength: 1))),
      .optional("sectionName", .string),
      .optional("port", .port),
    ], unknown: .allow)

  static let backendRef = Schema.object(
    [
      .optional("group", .string),
      .optional("kind", .string),
      .required("name", .string(StringSchema(minLength: 1))),
      .optional("namespace", .string(.dns1123Label)),
      .optional("port", .port),
      .optional("weight", .integer(0...1_000_000)),
      .optional("filters", .array(.anything)),
    ], unknown: .allow)

  static let httpRouteRule = Schema.object(
    [
      .optional("name", .string),
      .optional("matches", .array(.anything)),
      .optional("filters", .array(.anything)),
      .optional("backendRefs", .array(backendRef)),
      .optional(
        "timeouts",
        .object([.optional("request", .string(.duration)), .optional("backendRequest", .string(.duration))], unknown: .allow)),
      .optional("retry", .anything),
      .optional("sessionPersistence", .anything),
    ], unknown: .allow)

  static let httpRouteSpec = Schema.object([
    .optional("parentRefs", .array(parentRef)),
    .optional("hostnames", .strings),
    .optional("rules", .array(httpRouteRule)),
    .optional("useDefaultGateways", .string),
  ])

  // MARK: Linkerd

  static let linkerdProxyProtocols = ["unknown", "HTTP/1", "HTTP/2", "gRPC", "opaque", "TLS"]

  static let serverSpec = Schema.object(
    [
      .optional("podSelector", KubernetesSchemas.labelSelector),
      .optional("externalWorkloadSelector", KubernetesSchemas.labelSelector),
      .required("port", .portNumberOrName),
      .optional("proxyProtocol", .string(StringSchema(allowed: linkerdProxyProtocols))),
      .optional("accessPolicy", .string),
    ], groups: [FieldGroup(.atMostOne, ["podSelector", "externalWorkloadSelector"])])

  static let linkerdRef = Schema.object(
    [
      .optional("group", .string),
      .required("kind", .string),
      .optional("name", .string),
      .optional("namespace", .string),
    ], unknown: .allow)

  static let authorizationPolicySpec = Schema.object([
    .required("targetRef", linkerdRef),
    .required("requiredAuthenticationRefs", .array(linkerdRef)),
  ])

  static let meshTLSAuthenticationSpec = Schema.object(
    [
      .optional("identities", .strings),
      .optional("identityRefs", .array(linkerdRef)),
    ], groups: [FieldGroup(.exactlyOne, ["identities", "identityRefs"])])

  // MARK: Registration

  static func kind(_ apiVersions: [String], _ kind: String, spec: Schema) -> [KindSchema] {
    apiVersions.map { KindSchema($0, kind, KubernetesSchemas.topLevel(spec: spec)) }
  }

  static let kinds: [KindSchema] =
    kind(
      ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"], "VirtualService",
      spec: virtualServiceSpec)
    + kind(
      ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"], "DestinationRule",
      spec: destinationRuleSpec)
    + kind(["security.istio.io/v1", "security.istio.io/v1beta1"], "PeerAuthentication", spec: peerAuthenticationSpec)
    + kind(["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"], "HTTPRoute", spec: httpRouteSpec)
    + kind(["policy.linkerd.io/v1beta3", "policy.linkerd.io/v1beta2", "policy.linkerd.io/v1beta1"], "Server", spec: serverSpec)
    + kind(["policy.linkerd.io/v1alpha1"], "AuthorizationPolicy", spec: authorizationPolicySpec)
    + kind(["policy.linkerd.io/v1alpha1"], "MeshTLSAuthentication", spec: meshTLSAuthenticationSpec)
}
