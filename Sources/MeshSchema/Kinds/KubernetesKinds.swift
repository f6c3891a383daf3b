import Manifest

// The Kubernetes kinds, the parts injection relies on (Kubernetes v1.31+ field names; fields of
// PodSpec, Container, ObjectMeta and workload specs are listed completely so real manifests raise
// no spurious unknown-field warnings; structures meshctl does not look into are free-form).

/// Schemas of the Kubernetes built-in kinds.
public enum KubernetesSchemas {
  // MARK: Metadata

  /// `metadata` (ObjectMeta).
  public static func objectMeta(nameFormat: StringFormat = .dns1123Subdomain, nameRequired: Bool = false) -> Schema {
    .object([
      Property(name: "name", schema: .string(nameFormat), isRequired: nameRequired, summary: "the object's name"),
      .optional("generateName", .string, "a prefix the server completes into a unique name"),
      .optional("namespace", .string(.dns1123Label), "the namespace"),
      .optional("labels", .labels, "labels: label key → label value"),
      .optional("annotations", .annotations, "annotations: key → string"),
      .optional("selfLink", .string),
      .optional("uid", .string),
      .optional("resourceVersion", .string),
      .optional("generation", .integer),
      .optional("creationTimestamp", .anything),
      .optional("deletionTimestamp", .anything),
      .optional("deletionGracePeriodSeconds", .integer),
      .optional("ownerReferences", .array(.anything)),
      .optional("finalizers", .strings),
      .optional("managedFields", .array(.anything)),
    ])
  }

  /// A label selector (`matchLabels`, `matchExpressions`).
  public static let labelSelector = Schema.object([
    .optional("matchLabels", .labels, "labels a pod must carry"),
    .optional(
      "matchExpressions",
      .array(
        .object([
          .required("key", .string(.labelKey)),
          .required("operator", .oneOf("In", "NotIn", "Exists", "DoesNotExist")),
          .optional("values", .strings),
        ]))),
  ])

  // MARK: Containers

  static let containerPort = Schema.object([
    .required("containerPort", .port, "the port the container listens on"),
    .optional("name", .string(.portName), "an IANA service name, unique in the pod"),
    .optional("protocol", .oneOf("TCP", "UDP", "SCTP")),
    .optional("hostPort", .port),
    .optional("hostIP", .string),
  ])

  static let envVar = Schema.object([
    .required("name", .string(StringSchema(minLength: 1))),
    .optional("value", .string, "the value; must be a string"),
    .optional("valueFrom", .anything),
  ])

  static let resourceList = Schema.map(MapSchema(values: .quantity))

  /// `resources` of a container (and of a pod, v1.32+).
  public static let resources = Schema.object([
    .optional("limits", resourceList),
    .optional("requests", resourceList),
    .optional("claims", .array(.object([.required("name", .string), .optional("request", .string)]))),
  ])

  static let httpGet = Schema.object([
    .required("port", .portNumberOrName),
    .optional("path", .string),
    .optional("host", .string),
    .optional("scheme", .oneOf("HTTP", "HTTPS")),
    .optional(
      "httpHeaders", .array(.object([.required("name", .string), .required("value", .string)]))),
  ])

  static let tcpSocket = Schema.object([
    .required("port", .portNumberOrName),
    .optional("host", .string),
  ])

  static let grpc = Schema.object([
    .required("port", .port),
    .optional("service", .string),
  ])

  static let exec = Schema.object([.optional("command", .strings)])

  static let probe = Schema.object(
    [
      .optional("exec", exec),
      .optional("httpGet", httpGet),
      .optional("tcpSocket", tcpSocket),
      .optional("grpc", grpc),
      .optional("initialDelaySeconds", .integer(atLeast: 0)),
      .optional("timeoutSeconds", .integer(atLeast: 1)),
      .optional("periodSeconds", .integer(atLeast: 1)),
      .optional("successThreshold", .integer(atLeast: 1)),
      .optional("failureThreshold", .integer(atLeast: 1)),
      .optional("terminationGracePeriodSeconds", .integer(atLeast: 1)),
    ], groups: [FieldGroup(.atMostOne, ["exec", "httpGet", "tcpSocket", "grpc"])])

  static let lifecycleHandler = Schema.object([
    .optional("exec", exec),
    .optional("httpGet", httpGet),
    .optional("tcpSocket", tcpSocket),
    .optional("sleep", .object([.required("seconds", .integer)])),
  ])

  static let volumeMount = Schema.object([
    .required("name", .string),
    .required("mountPath", .string),
    .optional("readOnly", .boolean),
    .optional("recursiveReadOnly", .oneOf("Disabled", "IfPossible", "Enabled")),
    .optional("subPath", .string),
    .optional("subPathExpr", .string),
    .optional("mountPropagation", .oneOf("None", "HostToContainer", "Bidirectional")),
  ])

  static let seccompProfile = Schema.object([
    .required("type", .oneOf("Unconfined", "RuntimeDefault", "Localhost")),
    .optional("localhostProfile", .string),
  ])

  static let appArmorProfile = Schema.object([
    .required("type", .oneOf("Unconfined", "RuntimeDefault", "Localhost")),
    .optional("localhostProfile", .string),
  ])

  /// A container's `securityContext`: injection reads and sets the user and capabilities.
  static let containerSecurityContext = Schema.object([
    .optional("capabilities", .object([.optional("add", .strings), .optional("drop", .strings)])),
    .optional("privileged", .boolean),
    .optional("seLinuxOptions", .anything),
    .optional("windowsOptions", .anything),
    .optional("runAsUser", .integer(atLeast: 0)),
    .optional("runAsGroup", .integer(atLeast: 0)),
    .optional("runAsNonRoot", .boolean),
    .optional("readOnlyRootFilesystem", .boolean),
    .optional("allowPrivilegeEscalation", .boolean),
    .optional("procMount", .oneOf("Default", "Unmasked")),
    .optional("seccompProfile", seccompProfile),
    .optional("appArmorProfile", appArmorProfile),
  ])

  /// A pod's `securityContext`.
  static let podSecurityContext = Schema.object([
    .optional("seLinuxOptions", .anything),
    .optional("windowsOptions", .anything),
    .optional("runAsUser", .integer(atLeast: 0)),
    .optional("runAsGroup", .integer(atLeast: 0)),
    .optional("runAsNonRoot", .boolean),
    .optional("supplementalGroups", .array(.integer(atLeast: 0))),
    .optional("supplementalGroupsPolicy", .oneOf("Merge", "Strict")),
    .optional("fsGroup", .integer(atLeast: 0)),
    .optional("sysctls", .array(.object([.required("name", .string), .required("value", .string)]))),
    .optional("fsGroupChangePolicy", .oneOf("OnRootMismatch", "Always")),
    .optional("seccompProfile", seccompProfile),
    .optional("appArmorProfile", appArmorProfile),
    .optional("seLinuxChangePolicy", .string),
  ])

  /// The fields of a Container (also those of an EphemeralContainer).
  static let containerProperties: [Property] = [
    .required("name", .string(.dns1123Label), "the container's name, unique in the pod"),
    .optional("image", .string),
    .optional("command", .strings),
    .optional("args", .strings),
    .optional("workingDir", .string),
    .optional("ports", .array(containerPort)),
    .optional("envFrom", .array(.anything)),
    .optional("env", .array(envVar)),
    .optional("resources", resources),
    .optional("resizePolicy", .array(.anything)),
    .optional("restartPolicy", .oneOf("Always"), "on an init container: `Always` makes it a native sidecar"),
    .optional("restartPolicyRules", .array(.anything)),
    .optional("volumeMounts", .array(volumeMount)),
    .optional("volumeDevices", .array(.anything)),
    .optional("livenessProbe", probe),
    .optional("readinessProbe", probe),
    .optional("startupProbe", probe),
    .optional(
      "lifecycle",
      .object([
        .optional("postStart", lifecycleHandler), .optional("preStop", lifecycleHandler),
        .optional("stopSignal", .string),
      ])),
    .optional("terminationMessagePath", .string),
    .optional("terminationMessagePolicy", .oneOf("File", "FallbackToLogsOnError")),
    .optional("imagePullPolicy", .oneOf("Always", "Never", "IfNotPresent")),
    .optional("securityContext", containerSecurityContext),
    .optional("stdin", .boolean),
    .optional("stdinOnce", .boolean),
    .optional("tty", .boolean),
  ]

  /// A container.
  public static let container = Schema.object(containerProperties)

  static let ephemeralContainer = Schema.object(
    containerProperties + [.optional("targetContainerName", .string)])

  /// A volume: a name and one source; the sources are free-form.
  static let volume = Schema.object([.required("name", .string(.dns1123Label))], unknown: .allow)

  // MARK: Pods

  static let podSpecProperties: [Property] = [
    .optional("containers", .array(container, minItems: 1, uniqueBy: "name"), "the containers (at least one)"),
    .optional("initContainers", .array(container, uniqueBy: "name")),
    .optional("ephemeralContainers", .array(ephemeralContainer)),
    .optional("volumes", .array(volume, uniqueBy: "name")),
    .optional("restartPolicy", .oneOf("Always", "OnFailure", "Never")),
    .optional("terminationGracePeriodSeconds", .integer(atLeast: 0)),
    .optional("activeDeadlineSeconds", .integer(atLeast: 1)),
    .optional("dnsPolicy", .oneOf("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")),
    .optional("nodeSelector", .stringMap),
    .optional("serviceAccountName", .string),
    .optional("serviceAccount", .string),
    .optional("automountServiceAccountToken", .boolean),
    .optional("nodeName", .string),
    .optional("hostNetwork", .boolean, "use the node's network namespace (injection skips such pods)"),
    .optional("hostPID", .boolean),
    .optional("hostIPC", .boolean),
    .optional("shareProcessNamespace", .boolean),
    .optional("securityContext", podSecurityContext),
    .optional("imagePullSecrets", .array(.anything)),
    .optional("hostname", .string),
    .optional("hostnameOverride", .string),
    .optional("subdomain", .string),
    .optional("affinity", .anything),
    .optional("schedulerName", .string),
    .optional("tolerations", .array(.anything)),
    .optional("hostAliases", .array(.anything)),
    .optional("priorityClassName", .string),
    .optional("priority", .integer),
    .optional("dnsConfig", .anything),
    .optional("readinessGates", .array(.anything)),
    .optional("runtimeClassName", .string),
    .optional("enableServiceLinks", .boolean),
    .optional("preemptionPolicy", .oneOf("PreemptLowerPriority", "Never")),
    .optional("overhead", resourceList),
    .optional("topologySpreadConstraints", .array(.anything)),
    .optional("setHostnameAsFQDN", .boolean),
    .optional("os", .object([.required("name", .string)])),
    .optional("hostUsers", .boolean),
    .optional("schedulingGates", .array(.anything)),
    .optional("resourceClaims", .array(.anything)),
    .optional("resources", resources),
  ]

  /// A pod spec: containers required.
  public static let podSpec = Schema.object(
    podSpecProperties.map { $0.name == "containers" ? .required($0.name, $0.schema, $0.summary) : $0 },
    rules: [uniqueContainerNames])

  /// A pod template (`metadata` + `spec`).
  public static let podTemplate = Schema.object([
    .optional("metadata", objectMeta()),
    .required("spec", podSpec),
  ])

  /// Container names are unique across `containers` and `initContainers` (the API server
  /// rejects a pod otherwise, and injection relies on it).
  static let uniqueContainerNames = CrossFieldRule(
    code: RuleCode.duplicateContainer, summary: "container names are unique across containers and initContainers"
  ) { spec in
    var seen: Set<String> = []
    for name in ["containers"] {
      for item in spec[name]?.sequence ?? [] { if let text = item["name"]?.string { seen.insert(text) } }
    }
    var findings: [RuleFinding] = []
    for (index, item) in (spec["initContainers"]?.sequence ?? []).enumerated() {
      guard let nameNode = item["name"], let name = nameNode.string, seen.contains(name) else { continue }
      findings.append(
        RuleFinding(
          code: RuleCode.duplicateContainer,
          message: "init container `\(name)` has the same name as a container",
          mark: nameNode.mark, path: [.key("initContainers"), .index(index), .key("name")],
          hint: "give every container of the pod its own name"))
    }
    return findings
  }

  // MARK: Workloads

  /// The top level every Kubernetes object has.
  static func topLevel(spec: Schema?, extra: [Property] = [], nameFormat: StringFormat = .dns1123Subdomain) -> Schema {
    var properties: [Property] = [
      .required("apiVersion", .string),
      .required("kind", .string),
      .optional("metadata", objectMeta(nameFormat: nameFormat)),
    ]
    if let spec { properties.append(.optional("spec", spec)) }
    properties.append(.optional("status", .anything))
    return .object(properties + extra)
  }

  static let deploymentSpec = Schema.object([
    .optional("replicas", .integer(atLeast: 0)),
    .optional("selector", labelSelector),
    .required("template", podTemplate),
    .optional("strategy", .anything),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("revisionHistoryLimit", .integer(atLeast: 0)),
    .optional("paused", .boolean),
    .optional("progressDeadlineSeconds", .integer(atLeast: 0)),
  ])

  static let replicaSetSpec = Schema.object([
    .optional("replicas", .integer(atLeast: 0)),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("selector", labelSelector),
    .optional("template", podTemplate),
  ])

  static let statefulSetSpec = Schema.object([
    .optional("replicas", .integer(atLeast: 0)),
    .optional("selector", labelSelector),
    .required("template", podTemplate),
    .optional("volumeClaimTemplates", .array(.anything)),
    .optional("serviceName", .string),
    .optional("podManagementPolicy", .oneOf("OrderedReady", "Parallel")),
    .optional("updateStrategy", .anything),
    .optional("revisionHistoryLimit", .integer(atLeast: 0)),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("persistentVolumeClaimRetentionPolicy", .anything),
    .optional("ordinals", .anything),
  ])

  static let daemonSetSpec = Schema.object([
    .optional("selector", labelSelector),
    .required("template", podTemplate),
    .optional("updateStrategy", .anything),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("revisionHistoryLimit", .integer(atLeast: 0)),
  ])

  static let jobSpec = Schema.object([
    .optional("parallelism", .integer(atLeast: 0)),
    .optional("completions", .integer(atLeast: 0)),
    .optional("activeDeadlineSeconds", .integer(atLeast: 1)),
    .optional("podFailurePolicy", .anything),
    .optional("successPolicy", .anything),
    .optional("backoffLimit", .integer(atLeast: 0)),
    .optional("backoffLimitPerIndex", .integer(atLeast: 0)),
    .optional("maxFailedIndexes", .integer(atLeast: 0)),
    .optional("selector", labelSelector),
    .optional("manualSelector", .boolean),
    .required("template", podTemplate),
    .optional("ttlSecondsAfterFinished", .integer(atLeast: 0)),
    .optional("completionMode", .oneOf("NonIndexed", "Indexed")),
    .optional("suspend", .boolean),
    .optional("podReplacementPolicy", .oneOf("TerminatingOrFailed", "Failed")),
    .optional("managedBy", .string),
  ])

  static let cronJobSpec = Schema.object([
    .required("schedule", .string),
    .optional("timeZone", .string),
    .optional("startingDeadlineSeconds", .integer(atLeast: 0)),
    .optional("concurrencyPolicy", .oneOf("Allow", "Forbid", "Replace")),
    .optional("suspend", .boolean),
    .required("jobTemplate", .object([.optional("metadata", objectMeta()), .required("spec", jobSpec)])),
    .optional("successfulJobsHistoryLimit", .integer(atLeast: 0)),
    .optional("failedJobsHistoryLimit", .integer(atLeast: 0)),
  ])

  static let replicationControllerSpec = Schema.object([
    .optional("replicas", .integer(atLeast: 0)),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("selector", .labels),
    .optional("template", podTemplate),
  ])

  /// Argo Rollouts: a pod template, or a reference to a Deployment's (`workloadRef`).
  static let rolloutSpec = Schema.object(
    [
      .optional("replicas", .integer(atLeast: 0)),
      .optional("selector", labelSelector),
      .optional("template", podTemplate),
      .optional("workloadRef", .object([.optional("apiVersion", .string), .required("kind", .string), .required("name", .string), .optional("scaleDown", .string)])),
      .optional("minReadySeconds", .integer(atLeast: 0)),
      .optional("revisionHistoryLimit", .integer(atLeast: 0)),
      .optional("paused", .boolean),
      .optional("progressDeadlineSeconds", .integer(atLeast: 0)),
      .optional("progressDeadlineAbort", .boolean),
      .optional("restartAt", .anything),
      .optional("strategy", .anything),
      .optional("analysis", .anything),
      .optional("rollbackWindow", .anything),
    ], groups: [FieldGroup(.exactlyOne, ["template", "workloadRef"])])

  /// OpenShift DeploymentConfig.
  static let deploymentConfigSpec = Schema.object([
    .optional("strategy", .anything),
    .optional("minReadySeconds", .integer(atLeast: 0)),
    .optional("triggers", .anything),
    .optional("replicas", .integer(atLeast: 0)),
    .optional("revisionHistoryLimit", .integer(atLeast: 0)),
    .optional("test", .boolean),
    .optional("paused", .boolean),
    .optional("selector", .labels),
    .optional("template", podTemplate),
  ])

  // MARK: Services and namespaces

  static let servicePort = Schema.object([
    .required("port", .port),
    .optional("targetPort", .portNumberOrName),
    .optional("protocol", .oneOf("TCP", "UDP", "SCTP")),
    .optional("name", .string(.dns1123Label)),
    .optional("appProtocol", .string),
    .optional("nodePort", .port),
  ])

  static let serviceSpec = Schema.object([
    .optional("ports", .array(servicePort)),
    .optional("selector", .labels),
    .optional("clusterIP", .string),
    .optional("clusterIPs", .strings),
    .optional("type", .oneOf("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")),
    .optional("externalIPs", .strings),
    .optional("sessionAffinity", .oneOf("None", "ClientIP")),
    .optional("loadBalancerIP", .string),
    .optional("loadBalancerSourceRanges", .strings),
    .optional("externalName", .string),
    .optional("externalTrafficPolicy", .oneOf("Cluster", "Local")),
    .optional("healthCheckNodePort", .integer),
    .optional("publishNotReadyAddresses", .boolean),
    .optional("sessionAffinityConfig", .anything),
    .optional("ipFamilies", .array(.oneOf("IPv4", "IPv6"))),
    .optional("ipFamilyPolicy", .oneOf("SingleStack", "PreferDualStack", "RequireDualStack")),
    .optional("allocateLoadBalancerNodePorts", .boolean),
    .optional("loadBalancerClass", .string),
    .optional("internalTrafficPolicy", .oneOf("Cluster", "Local")),
    .optional("trafficDistribution", .string),
  ])

  /// Registered Kubernetes kinds.
  static let kinds: [KindSchema] = [
    KindSchema("v1", "Pod", topLevel(spec: podSpec)),
    KindSchema("apps/v1", "Deployment", topLevel(spec: deploymentSpec)),
    KindSchema("apps/v1", "ReplicaSet", topLevel(spec: replicaSetSpec)),
    KindSchema("apps/v1", "StatefulSet", topLevel(spec: statefulSetSpec)),
    KindSchema("apps/v1", "DaemonSet", topLevel(spec: daemonSetSpec)),
    KindSchema("batch/v1", "Job", topLevel(spec: jobSpec)),
    KindSchema(
      "batch/v1", "CronJob", topLevel(spec: cronJobSpec)),
    KindSchema(
      "v1", "ReplicationController", topLevel(spec: replicationControllerSpec)),
    KindSchema(
      "argoproj.io/v1alpha1", "Rollout", topLevel(spec: rolloutSpec)),
    KindSchema(
      "apps.openshift.io/v1", "DeploymentConfig", topLevel(spec: deploymentConfigSpec)),
    KindSchema("v1", "Service", topLevel(spec: serviceSpec, nameFormat: .dns1035Label)),
    KindSchema(
      "v1", "Namespace", topLevel(spec: .object([.optional("finalizers", .strings)]), nameFormat: .dns1123Label)),
  ]
}
