import Manifest

/// Renders what Linkerd's proxy injector adds to a pod (edge-24 releases): `linkerd-init`
/// (none in CNI mode), the `linkerd-proxy` container (an init container with
/// `restartPolicy: Always` as a native sidecar), the identity volumes, labels and annotations.
struct LinkerdSidecar {
  let settings: SidecarSettings
  /// The proxy container's name (MeshSchema's ProxyContainer).
  static let proxyName = MeshProvider.linkerd.proxyContainerName

  static let inboundPort = 4143
  static let outboundPort = 4140
  static let controlPort = 4190

  func parts(for template: Node, object: WorkloadObject) throws -> SidecarParts {
    guard let anchors = settings.identityTrustAnchorsPEM else {
      throw InjectionError.missingTrustAnchors(controlPlaneNamespace: settings.controlPlaneNamespace)
    }
    var parts = SidecarParts()
    if settings.interception == .iptables { parts.leadingInitContainers.append(initContainer()) }
    let appContainers = template[path: "spec", "containers"]?.sequence ?? []
    var proxy = proxyContainer(anchors: anchors, appContainers: appContainers, namespace: object.namespace)
    if settings.usesNativeSidecar {
      proxy.insert("restartPolicy", .string("Always"), before: "securityContext")
      parts.leadingInitContainers.append(proxy)
    } else {
      // Linkerd puts the proxy first so that it starts before the application.
      parts.leadingContainers.append(proxy)
    }
    parts.volumes = volumes()
    parts.labels = [("linkerd.io/control-plane-ns", settings.controlPlaneNamespace)]
    // A bare Pod has no owner to name; nor has a label an owner whose name is no label value.
    if object.kind != "Pod", let owner = SidecarParts.labelValue(object.name) {
      parts.labels.append(("linkerd.io/proxy-\(object.kind.lowercased())", owner))
    }
    parts.labels.append(("linkerd.io/workload-ns", object.namespace ?? "default"))
    parts.annotations = [
      ("linkerd.io/created-by", "meshctl/cli"),
      ("linkerd.io/proxy-version", settings.proxyVersion),
    ]
    return parts
  }

  private func initContainer() -> Node {
    let inboundIgnored = ([Self.controlPort, settings.adminPort] + settings.excludeInboundPorts).map(String.init)
    var args = [
      "--firewall-bin-path", "iptables-nft", "--firewall-save-bin-path", "iptables-nft-save", "--ipv6=false",
      "--incoming-proxy-port", String(Self.inboundPort), "--outgoing-proxy-port", String(Self.outboundPort),
      "--proxy-uid", String(settings.proxyUID), "--inbound-ports-to-ignore", inboundIgnored.joined(separator: ","),
    ]
    if !settings.excludeOutboundPorts.isEmpty {
      args += ["--outbound-ports-to-ignore", settings.excludeOutboundPorts.map(String.init).joined(separator: ",")]
    }
    if !settings.excludeOutboundCIDRs.isEmpty {
      args += ["--subnets-to-ignore", settings.excludeOutboundCIDRs.joined(separator: ",")]
    }
    return .mapping([
      "args": .sequence(args.map(Node.string)),
      "command": .sequence([.string("/usr/lib/linkerd/linkerd2-proxy-init")]),
      "image": .string(settings.proxyImage),
      "imagePullPolicy": .string("IfNotPresent"),
      "name": .string("linkerd-init"),
      "securityContext": .mapping([
        "allowPrivilegeEscalation": .bool(false),
        "capabilities": .mapping(["add": .sequence([.string("NET_ADMIN"), .string("NET_RAW")])]),
        "privileged": .bool(false), "readOnlyRootFilesystem": .bool(true), "runAsGroup": .int(65534),
        "runAsNonRoot": .bool(true), "runAsUser": .int(65534),
        "seccompProfile": .mapping(["type": .string("RuntimeDefault")]),
      ]),
      "terminationMessagePolicy": .string("FallbackToLogsOnError"),
      "volumeMounts": .sequence([mount("linkerd-proxy-init-xtables-lock", "/run")]),
    ])
  }

  private func proxyContainer(anchors: String, appContainers: [Node], namespace: String?) -> Node {
    let ns = settings.controlPlaneNamespace
    let domain = settings.trustDomain
    let inboundPorts = appContainers.flatMap { $0["ports"]?.sequence ?? [] }.compactMap { $0["containerPort"]?.int }
    let env: [Node] = [
      envField("_pod_name", "metadata.name"), envField("_pod_ns", "metadata.namespace"),
      envField("_pod_uid", "metadata.uid"), envField("_pod_ip", "status.podIP"),
      envField("_pod_nodeName", "spec.nodeName"), envValue("_pod_containerName", Self.proxyName),
      envValue("LINKERD2_PROXY_LOG", settings.logLevel), envValue("LINKERD2_PROXY_LOG_FORMAT", "plain"),
      envValue("LINKERD2_PROXY_DESTINATION_SVC_ADDR", "linkerd-dst-headless.\(ns).svc.\(domain).:8086"),
      envValue("LINKERD2_PROXY_POLICY_SVC_ADDR", "linkerd-policy.\(ns).svc.\(domain).:8090"),
      envValue("LINKERD2_PROXY_POLICY_WORKLOAD", "{\"ns\":\"$(_pod_ns)\", \"pod\":\"$(_pod_name)\"}\n"),
      envValue("LINKERD2_PROXY_INBOUND_DEFAULT_POLICY", "all-unauthenticated"),
      envValue("LINKERD2_PROXY_CONTROL_LISTEN_ADDR", "0.0.0.0:\(Self.controlPort)"),
      envValue("LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "0.0.0.0:\(settings.adminPort)"),
      envValue("LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR", "127.0.0.1:\(Self.outboundPort)"),
      envValue("LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "0.0.0.0:\(Self.inboundPort)"),
      envField("LINKERD2_PROXY_INBOUND_IPS", "status.podIPs"),
      envValue("LINKERD2_PROXY_INBOUND_PORTS", inboundPorts.map(String.init).joined(separator: ",")),
      envValue("LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES", "svc.\(domain)."),
      envValue("LINKERD2_PROXY_DESTINATION_CONTEXT", "{\"ns\":\"$(_pod_ns)\", \"nodeName\":\"$(_pod_nodeName)\", \"pod\":\"$(_pod_name)\"}\n"),
      envField("_pod_sa", "spec.serviceAccountName"), envValue("_l5d_ns", ns), envValue("_l5d_trustdomain", domain),
      envValue("LINKERD2_PROXY_IDENTITY_DIR", "/var/run/linkerd/identity/end-entity"),
      envValue("LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", anchors),
      envValue("LINKERD2_PROXY_IDENTITY_TOKEN_FILE", "/var/run/secrets/tokens/linkerd-identity-token"),
      envValue("LINKERD2_PROXY_IDENTITY_SVC_ADDR", "linkerd-identity-headless.\(ns).svc.\(domain).:8080"),
      envValue("LINKERD2_PROXY_IDENTITY_LOCAL_NAME", "$(_pod_sa).$(_pod_ns).serviceaccount.identity.\(ns).\(domain)"),
      envValue("LINKERD2_PROXY_IDENTITY_SVC_NAME", "linkerd-identity.\(ns).serviceaccount.identity.\(ns).\(domain)"),
      envValue("LINKERD2_PROXY_DESTINATION_SVC_NAME", "linkerd-destination.\(ns).serviceaccount.identity.\(ns).\(domain)"),
      envValue("LINKERD2_PROXY_POLICY_SVC_NAME", "linkerd-destination.\(ns).serviceaccount.identity.\(ns).\(domain)"),
    ]
    let admin = { (path: String) in Node.mapping(["path": .string(path), "port": .int(settings.adminPort)]) }
    var entries: [MappingEntry] = [
      MappingEntry(key: "env", value: .sequence(env)),
      MappingEntry(key: "image", value: .string(settings.proxyImage)),
      MappingEntry(key: "imagePullPolicy", value: .string("IfNotPresent")),
      MappingEntry(key: "livenessProbe", value: .mapping(["httpGet": admin("/live"), "initialDelaySeconds": .int(10), "timeoutSeconds": .int(1)])),
      MappingEntry(key: "name", value: .string(Self.proxyName)),
      MappingEntry(
        key: "ports",
        value: .sequence([
          .mapping(["containerPort": .int(Self.inboundPort), "name": .string("linkerd-proxy")]),
          .mapping(["containerPort": .int(settings.adminPort), "name": .string("linkerd-admin")]),
        ])),
      MappingEntry(key: "readinessProbe", value: .mapping(["httpGet": admin("/ready"), "initialDelaySeconds": .int(2), "timeoutSeconds": .int(1)])),
    ]
    if !settings.requests.isEmpty || !settings.limits.isEmpty {
      var resources: [MappingEntry] = []
      if !settings.limits.isEmpty {
        resources.append(MappingEntry(key: "limits", value: .mapping(settings.limits.map { MappingEntry(key: $0.0, value: .string($0.1)) })))
      }
      if !settings.requests.isEmpty {
        resources.append(MappingEntry(key: "requests", value: .mapping(settings.requests.map { MappingEntry(key: $0.0, value: .string($0.1)) })))
      }
      entries.append(MappingEntry(key: "resources", value: .mapping(resources)))
    }
    entries += [
      MappingEntry(
        key: "securityContext",
        value: .mapping([
          "allowPrivilegeEscalation": .bool(false), "readOnlyRootFilesystem": .bool(true), "runAsNonRoot": .bool(true),
          "runAsUser": .int(settings.proxyUID), "seccompProfile": .mapping(["type": .string("RuntimeDefault")]),
        ])),
      MappingEntry(key: "startupProbe", value: .mapping(["failureThreshold": .int(120), "httpGet": admin("/ready"), "periodSeconds": .int(1)])),
      MappingEntry(key: "terminationMessagePolicy", value: .string("FallbackToLogsOnError")),
      MappingEntry(
        key: "volumeMounts",
        value: .sequence([
          mount("linkerd-identity-end-entity", "/var/run/linkerd/identity/end-entity"),
          mount("linkerd-identity-token", "/var/run/secrets/tokens"),
        ])),
    ]
    return .mapping(entries)
  }

  private func volumes() -> [Node] {
    [
      .mapping(["emptyDir": .mapping([]), "name": .string("linkerd-proxy-init-xtables-lock")]),
      .mapping(["emptyDir": .mapping(["medium": .string("Memory")]), "name": .string("linkerd-identity-end-entity")]),
      .mapping([
        "name": .string("linkerd-identity-token"),
        "projected": .mapping([
          "sources": .sequence([
            .mapping([
              "serviceAccountToken": .mapping([
                "audience": .string("identity.l5d.io"), "expirationSeconds": .int(86400),
                "path": .string("linkerd-identity-token"),
              ])
            ])
          ])
        ]),
      ]),
    ]
  }
}
