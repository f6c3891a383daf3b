import Manifest

/// Renders what Istio's injector adds to a pod (its `sidecar` template, Istio 1.2x): the
/// `istio-proxy` container, the `istio-init` traffic-redirect container (none in CNI mode), the
/// volumes the agent needs, labels, annotations, and app probes rewritten through the agent.
struct IstioSidecar {
  let settings: SidecarSettings
  /// The proxy container's name (MeshSchema's ProxyContainer).
  static let proxyName = MeshProvider.istio.proxyContainerName

  /// The agent's port for health checks and rewritten app probes.
  static let agentPort = 15020
  /// The proxy's readiness port.
  static let readinessPort = 15021
  static let volumeNames = [
    "workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data", "istio-podinfo",
    "istio-token", "istiod-ca-cert",
  ]

  func parts(for template: Node, object: WorkloadObject) -> SidecarParts {
    var parts = SidecarParts()
    let appContainers = template[path: "spec", "containers"]?.sequence ?? []
    let probes = settings.rewriteProbes ? rewrittenProbes(appContainers) : (replacements: [:], probers: nil)
    let proxy = proxyContainer(appContainers: appContainers, probers: probes.probers, object: object, template: template)
    var initContainers: [String] = []
    if settings.interception == .iptables {
      initContainers.append("istio-init")
      if settings.usesNativeSidecar {
        parts.leadingInitContainers.append(initContainer())
      } else {
        parts.trailingInitContainers.append(initContainer())
      }
    }
    if settings.usesNativeSidecar {
      var native = proxy
      native.insert("restartPolicy", .string("Always"), before: "securityContext")
      parts.leadingInitContainers.append(native)
      initContainers.append(Self.proxyName)
    } else {
      parts.trailingContainers.append(proxy)
    }
    parts.volumes = Self.volumes
    parts.probes = probes.replacements
    let labels = template[path: "metadata", "labels"].stringMap
    let canonicalName =
      labels["service.istio.io/canonical-name"] ?? labels["app.kubernetes.io/name"] ?? labels["app"]
      ?? SidecarParts.labelValue(object.name)
    parts.labels = [("security.istio.io/tlsMode", "istio")]
    if let canonicalName { parts.labels.append(("service.istio.io/canonical-name", canonicalName)) }
    parts.labels.append(
      ("service.istio.io/canonical-revision", labels["service.istio.io/canonical-revision"] ?? labels["app.kubernetes.io/version"] ?? labels["version"] ?? "latest"))
    let firstApp = appContainers.first?["name"]?.string ?? ""
    parts.annotations = [
      ("istio.io/rev", settings.revision.isEmpty ? "default" : settings.revision),
      ("kubectl.kubernetes.io/default-container", firstApp),
      ("kubectl.kubernetes.io/default-logs-container", firstApp),
    ]
    if settings.prometheusScrape {
      parts.annotations += [
        ("prometheus.io/path", "/stats/prometheus"), ("prometheus.io/port", String(Self.agentPort)),
        ("prometheus.io/scrape", "true"),
      ]
    }
    parts.annotations.append(("sidecar.istio.io/status", status(initContainers: initContainers)))
    return parts
  }

  /// `sidecar.istio.io/status`: what Istio's own tools read to find the injected parts.
  private func status(initContainers: [String]) -> String {
    let containers: [String] = settings.usesNativeSidecar ? [] : [Self.proxyName]
    return JSONEmitter.emit(
      .mapping([
        "initContainers": .sequence(initContainers.map(Node.string)),
        "containers": .sequence(containers.map(Node.string)),
        "volumes": .sequence(Self.volumeNames.map(Node.string)),
        "imagePullSecrets": .null,
        "revision": .string(settings.revision.isEmpty ? "default" : settings.revision),
      ]), pretty: false)
  }

  private func proxyContainer(appContainers: [Node], probers: Node?, object: WorkloadObject, template: Node) -> Node {
    let namespaceRef = "$(POD_NAMESPACE)"
    var env: [Node] = [
      envValue("PILOT_CERT_PROVIDER", "istiod"),
      envValue("CA_ADDR", "istiod\(settings.revision.isEmpty ? "" : "-" + settings.revision).\(settings.controlPlaneNamespace).svc:15012"),
      envField("POD_NAME", "metadata.name"), envField("POD_NAMESPACE", "metadata.namespace"),
      envField("INSTANCE_IP", "status.podIP"), envField("SERVICE_ACCOUNT", "spec.serviceAccountName"),
      envField("HOST_IP", "status.hostIP"), envValue("ISTIO_CPU_LIMIT", "0"),
      envValue("PROXY_CONFIG", "{}\n"),
      envValue("ISTIO_META_POD_PORTS", podPorts(appContainers)),
      envValue("ISTIO_META_APP_CONTAINERS", appContainers.compactMap { $0["name"]?.string }.joined(separator: ",")),
      envValue("GOMEMLIMIT", "1073741824"), envValue("GOMAXPROCS", "2"),
      envValue("ISTIO_META_CLUSTER_ID", "Kubernetes"), envField("ISTIO_META_NODE_NAME", "spec.nodeName"),
      envValue("ISTIO_META_INTERCEPTION_MODE", "REDIRECT"),
      envValue("ISTIO_META_WORKLOAD_NAME", object.name),
      envValue("ISTIO_META_OWNER", owner(object)),
      envValue("ISTIO_META_MESH_ID", settings.trustDomain),
      envValue("TRUST_DOMAIN", settings.trustDomain),
    ]
    if let probers { env.append(envValue("ISTIO_KUBE_APP_PROBERS", JSONEmitter.emit(probers, pretty: false))) }
    let healthCheck = Node.mapping(["path": .string("/healthz/ready"), "port": .int(Self.readinessPort)])
    return .mapping([
      "name": .string(Self.proxyName),
      "image": .string(settings.proxyImage),
      "args": .sequence(
        [
          "proxy", "sidecar", "--domain", "\(namespaceRef).svc.cluster.local", "--proxyLogLevel=\(settings.logLevel)",
          "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info",
        ].map(Node.string)),
      "env": .sequence(env),
      "ports": .sequence([
        .mapping(["containerPort": .int(15090), "name": .string("http-envoy-prom"), "protocol": .string("TCP")])
      ]),
      "readinessProbe": .mapping([
        "failureThreshold": .int(4), "httpGet": healthCheck, "periodSeconds": .int(15), "timeoutSeconds": .int(3),
      ]),
      "startupProbe": .mapping([
        "failureThreshold": .int(600), "httpGet": healthCheck, "periodSeconds": .int(1), "timeoutSeconds": .int(3),
      ]),
      "resources": resources(),
      "securityContext": .mapping([
        "allowPrivilegeEscalation": .bool(false),
        "capabilities": .mapping(["drop": .sequence([.string("ALL")])]),
        "privileged": .bool(false), "readOnlyRootFilesystem": .bool(true),
        "runAsGroup": .int(settings.proxyUID), "runAsNonRoot": .bool(true), "runAsUser": .int(settings.proxyUID),
      ]),
      "volumeMounts": .sequence([
        mount("workload-socket", "/var/run/secrets/workload-spiffe-uds"),
        mount("credential-socket", "/var/run/secrets/credential-uds"),
        mount("workload-certs", "/var/run/secrets/workload-spiffe-credentials"),
        mount("istiod-ca-cert", "/var/run/secrets/istio"), mount("istio-data", "/var/lib/istio/data"),
        mount("istio-envoy", "/etc/istio/proxy"), mount("istio-token", "/var/run/secrets/tokens"),
        mount("istio-podinfo", "/etc/istio/pod"),
      ]),
    ])
  }

  private func initContainer() -> Node {
    let excludedInbound = ([15090, 15021, Self.agentPort] + settings.excludeInboundPorts).map(String.init)
    var args = [
      "istio-iptables", "-p", "15001", "-z", "15006", "-u", String(settings.proxyUID), "-m", "REDIRECT", "-i", "*",
      "-x", settings.excludeOutboundCIDRs.joined(separator: ","), "-b", "*", "-d",
      excludedInbound.joined(separator: ","),
    ]
    if !settings.excludeOutboundPorts.isEmpty {
      args += ["-o", settings.excludeOutboundPorts.map(String.init).joined(separator: ",")]
    }
    args.append("--log_output_level=default:info")
    return .mapping([
      "name": .string("istio-init"),
      "image": .string(settings.proxyImage),
      "args": .sequence(args.map(Node.string)),
      "resources": resources(),
      "securityContext": .mapping([
        "allowPrivilegeEscalation": .bool(false),
        "capabilities": .mapping([
          "add": .sequence([.string("NET_ADMIN"), .string("NET_RAW")]), "drop": .sequence([.string("ALL")]),
        ]),
        "privileged": .bool(false), "readOnlyRootFilesystem": .bool(false), "runAsGroup": .int(0),
        "runAsNonRoot": .bool(false), "runAsUser": .int(0),
      ]),
    ])
  }

  /// The agent's volumes; the same for every workload, so built once.
  private static let volumes: [Node] = {
    let empty = Node.mapping([])
    return [
      .mapping(["name": .string("workload-socket"), "emptyDir": empty]),
      .mapping(["name": .string("credential-socket"), "emptyDir": empty]),
      .mapping(["name": .string("workload-certs"), "emptyDir": empty]),
      .mapping(["name": .string("istio-envoy"), "emptyDir": .mapping(["medium": .string("Memory")])]),
      .mapping(["name": .string("istio-data"), "emptyDir": empty]),
      .mapping([
        "name": .string("istio-podinfo"),
        "downwardAPI": .mapping([
          "items": .sequence([
            .mapping(["path": .string("labels"), "fieldRef": .mapping(["fieldPath": .string("metadata.labels")])]),
            .mapping([
              "path": .string("annotations"), "fieldRef": .mapping(["fieldPath": .string("metadata.annotations")]),
            ]),
          ])
        ]),
      ]),
      .mapping([
        "name": .string("istio-token"),
        "projected": .mapping([
          "sources": .sequence([
            .mapping([
              "serviceAccountToken": .mapping([
                "audience": .string("istio-ca"), "expirationSeconds": .int(43200), "path": .string("istio-token"),
              ])
            ])
          ])
        ]),
      ]),
      .mapping(["name": .string("istiod-ca-cert"), "configMap": .mapping(["name": .string("istio-ca-root-cert")])]),
    ]
  }()

  /// App probes that go through the agent, and the originals the agent must call
  /// (`ISTIO_KUBE_APP_PROBERS`). exec probes are left alone.
  private func rewrittenProbes(_ containers: [Node]) -> (replacements: [String: [String: Node]], probers: Node?) {
    var replacements: [String: [String: Node]] = [:]
    var probers: [MappingEntry] = []
    let kinds = [("livenessProbe", "livez"), ("readinessProbe", "readyz"), ("startupProbe", "startupz")]
    for container in containers {
      guard let name = container["name"]?.string else { continue }
      for (field, suffix) in kinds {
        guard var probe = container[field], let handler = probeHandler(probe, ports: container["ports"]) else { continue }
        let path = "/app-health/\(name)/\(suffix)"
        var original = handler
        if let timeout = probe["timeoutSeconds"] { original["timeoutSeconds"] = timeout }
        probers.append(MappingEntry(key: path, value: original))
        let agent = Node.mapping(["path": .string(path), "port": .int(Self.agentPort)])
        for key in ["tcpSocket", "grpc"] { probe[key] = nil }
        if probe["httpGet"] != nil {
          // In its place: the probe's other keys keep their order, so the edit stays small.
          probe["httpGet"] = agent
        } else {
          probe.insert("httpGet", agent, before: "initialDelaySeconds")
        }
        replacements[name, default: [:]][field] = probe
      }
    }
    return (replacements, probers.isEmpty ? nil : .mapping(probers))
  }

  /// The probe's handler with named ports resolved to numbers, as the agent needs them.
  private func probeHandler(_ probe: Node, ports: Node?) -> Node? {
    for key in ["httpGet", "tcpSocket", "grpc"] {
      guard var handler = probe[key] else { continue }
      if let portName = handler["port"]?.string {
        let port = (ports?.sequence ?? []).first { $0["name"]?.string == portName }?["containerPort"]
        if let port { handler["port"] = port }
      }
      return .mapping([MappingEntry(key: key, value: handler)])
    }
    return nil
  }

  private func podPorts(_ containers: [Node]) -> String {
    let ports = containers.flatMap { $0["ports"]?.sequence ?? [] }
    guard !ports.isEmpty else { return "[\n]" }
    return "[\n" + ports.map { "    " + JSONEmitter.emit($0, pretty: false) }.joined(separator: "\n    ,") + "\n]"
  }

  private func owner(_ object: WorkloadObject) -> String {
    let namespace = object.namespace ?? "default"
    let group = object.node["apiVersion"]?.string ?? "v1"
    let path = group.contains("/") ? "apis/\(group)" : "api/\(group)"
    return "kubernetes://\(path)/namespaces/\(namespace)/\(object.kind.lowercased())s/\(object.name)"
  }

  private func resources() -> Node {
    var entries: [MappingEntry] = []
    // A quantity a workload's resource annotations left out is not written (WorkloadOverrides).
    let limits = settings.limits.filter { $0.1 != WorkloadOverrides.noQuantity }
    let requests = settings.requests.filter { $0.1 != WorkloadOverrides.noQuantity }
    if !limits.isEmpty {
      entries.append(MappingEntry(key: "limits", value: .mapping(limits.map { MappingEntry(key: $0.0, value: .string($0.1)) })))
    }
    if !requests.isEmpty {
      entries.append(MappingEntry(key: "requests", value: .mapping(requests.map { MappingEntry(key: $0.0, value: .string($0.1)) })))
    }
    return .mapping(entries)
  }
}

/// `{name: N, value: V}`.
func envValue(_ name: String, _ value: String) -> Node {
  .mapping(["name": .string(name), "value": .string(value)])
}

/// `{name: N, valueFrom: {fieldRef: {fieldPath: P}}}`.
func envField(_ name: String, _ fieldPath: String) -> Node {
  .mapping(["name": .string(name), "valueFrom": .mapping(["fieldRef": .mapping(["fieldPath": .string(fieldPath)])])])
}

/// `{name: N, mountPath: P}`.
func mount(_ name: String, _ path: String) -> Node {
  .mapping(["name": .string(name), "mountPath": .string(path)])
}
