import Manifest

// The Kubernetes API server's own validation (k8s.io/kubernetes pkg/apis/*/validation), the part
// the OpenAPI shape does not say: required names, selectors that match their templates, restart
// policies per kind, container images, port names, env names, IPs, cron schedules, resource
// requests within limits, name syntax per kind. Runs once per built-in object after the schema
// walk; hand-written scanners, no regular expressions. docs/rules.md (API server rules) gives each
// rule's upstream reference.

/// The API server rules for one built-in object.
struct APIServerRules {
  private(set) var findings: [SchemaFinding] = []

  /// Checks an object of a built-in `apiVersion` and `kind`.
  static func check(_ node: Node, apiVersion: String, kind: String) -> [SchemaFinding] {
    var rules = APIServerRules()
    rules.checkObject(node, group: apiGroup(apiVersion), kind: kind)
    return rules.findings
  }

  private mutating func report(
    _ code: String, _ message: String, at mark: SourceMark, _ path: [PathComponent], hint: String? = nil
  ) {
    findings.append(SchemaFinding(severity: .error, code: code, message: message, mark: mark, path: path, hint: hint))
  }

  private mutating func checkObject(_ node: Node, group: String, kind: String) {
    checkMetadata(node, group: group, kind: kind)
    guard let spec = node["spec"], spec.mapping != nil else {
      if group.isEmpty, kind == "PodTemplate", let template = node["template"] {
        checkPodTemplate(template, at: [.key("template")], restart: .any)
      }
      return
    }
    let specPath: [PathComponent] = [.key("spec")]
    switch (group, kind) {
    case ("", "Pod"):
      checkPodSpec(spec, at: specPath, restart: .any)
    case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"):
      // apps/v1 requires `selector` in the OpenAPI too: the structure reports it missing.
      checkSelector(spec, at: specPath, required: false, kind: kind)
      checkPodTemplate(spec["template"], at: specPath + [.key("template")], restart: .always)
      checkStrategy(spec, at: specPath, kind: kind)
    case ("", "ReplicationController"):
      checkMapSelector(spec, at: specPath)
      checkPodTemplate(spec["template"], at: specPath + [.key("template")], restart: .always)
    case ("batch", "Job"):
      checkJobSpec(spec, at: specPath, jobName: node[path: "metadata", "name"]?.string)
    case ("batch", "CronJob"):
      checkSchedule(spec, at: specPath)
      if let jobSpec = spec["jobTemplate"]?["spec"], jobSpec.mapping != nil {
        let jobSpecPath = specPath + [.key("jobTemplate"), .key("spec")]
        checkJobTemplateSelector(jobSpec, at: jobSpecPath)
        checkPodTemplate(jobSpec["template"], at: jobSpecPath + [.key("template")], restart: .onFailureOrNever)
      }
    case ("policy", "PodDisruptionBudget"):
      if spec["minAvailable"] != nil, spec["maxUnavailable"] != nil, let both = spec.mapping?.first(where: { $0.key == "maxUnavailable" }) {
        report(
          RuleCode.fieldGroup, "`minAvailable` and `maxUnavailable` cannot both be set", at: both.keyMark,
          specPath + [.key("maxUnavailable")], hint: "keep one of them")
      }
    case ("autoscaling", "HorizontalPodAutoscaler"):
      if let minimum = spec["minReplicas"]?.int, let maxNode = spec["maxReplicas"], let maximum = maxNode.int,
        maximum < minimum
      {
        report(
          RuleCode.outOfRange, "`maxReplicas` (\(maximum)) must be at least `minReplicas` (\(minimum))", at: maxNode.mark,
          specPath + [.key("maxReplicas")])
      }
    case ("networking.k8s.io", "Ingress"):
      checkPathTypes(spec, at: specPath)
    case ("", "Service"):
      if spec["type"]?.string == "ExternalName", (spec["externalName"]?.string ?? "").isEmpty, let typeNode = spec["type"] {
        report(
          RuleCode.fieldGroup, "a Service of type ExternalName needs `externalName`", at: typeNode.mark,
          specPath + [.key("type")], hint: "set `externalName`, e.g. `externalName: db.example.com`")
      }
      checkServicePorts(spec, at: specPath)
      checkServiceIPs(spec, at: specPath)
    default:
      break
    }
  }

  // MARK: - Metadata

  /// Kinds the server creates without a name (reviews are answered, never stored).
  private static func needsName(_ kind: String) -> Bool { !kind.hasSuffix("Review") && kind != "List" }

  private mutating func checkMetadata(_ node: Node, group: String, kind: String) {
    let metadata = node["metadata"]
    let hasName = metadata?["name"]?.string.map { !$0.isEmpty } ?? false
    let hasGenerateName = metadata?["generateName"]?.string.map { !$0.isEmpty } ?? false
    if !hasName, !hasGenerateName, Self.needsName(kind) {
      if let nameNode = metadata?["name"], !nameNode.isNull, nameNode.string == nil { return }  // a type error
      let (mark, path) = metadata.map { ($0.mark, [PathComponent.key("metadata")]) } ?? (node.mark, [])
      report(
        RuleCode.nameRequired, "\(kind) needs `metadata.name` (or `metadata.generateName`)", at: mark, path,
        hint: "give the object a name")
    }
    if let nameNode = metadata?["name"], let name = nameNode.string, !name.isEmpty,
      let problem = Self.nameProblem(name, group: group, kind: kind, object: node)
    {
      report(
        RuleCode.badObjectName, "invalid \(kind) name `\(name)`: \(problem)", at: nameNode.mark,
        [.key("metadata"), .key("name")])
    }
    if let namespaceNode = metadata?["namespace"], let namespace = namespaceNode.string, !namespace.isEmpty,
      let problem = Formats.dns1123LabelProblem(namespace)
    {
      report(
        RuleCode.badObjectName, "invalid namespace `\(namespace)`: \(problem)", at: namespaceNode.mark,
        [.key("metadata"), .key("namespace")])
    }
    if let metadata { checkLabelsAndAnnotations(metadata, at: [.key("metadata")]) }
  }

  /// What is wrong with an object name for its kind, per the server's name validators.
  static func nameProblem(_ name: String, group: String, kind: String, object: Node) -> String? {
    switch (group, kind) {
    case ("", "Namespace"):
      return Formats.dns1123LabelProblem(name)
    case ("", "Service"):
      return Formats.dns1035LabelProblem(name)
    case ("rbac.authorization.k8s.io", _):
      return pathSegmentProblem(name)
    case ("batch", "CronJob"):
      // The server keeps 11 characters for the suffix of the Jobs it creates.
      if name.utf8.count > 52 { return "must be no more than 52 characters" }
      return Formats.dns1123SubdomainProblem(name)
    case ("apiextensions.k8s.io", "CustomResourceDefinition"):
      guard let plural = object["spec"]?["names"]?["plural"]?.string, let crdGroup = object["spec"]?["group"]?.string
      else { return nil }
      let expected = "\(plural).\(crdGroup)"
      return name == expected ? nil : "must be `spec.names.plural` + \".\" + `spec.group` (`\(expected)`)"
    case ("", _), ("apps", _), ("batch", _), ("networking.k8s.io", _), ("policy", _), ("autoscaling", _),
      ("storage.k8s.io", _), ("scheduling.k8s.io", _), ("coordination.k8s.io", _), ("discovery.k8s.io", _),
      ("admissionregistration.k8s.io", _), ("node.k8s.io", _):
      return Formats.dns1123SubdomainProblem(name)
    default:
      return nil
    }
  }

  /// RBAC names are path segments: anything but `.`, `..`, `/` and `%`.
  static func pathSegmentProblem(_ name: String) -> String? {
    if name == "." || name == ".." { return "may not be `.` or `..`" }
    if name.contains("/") || name.contains("%") { return "may not contain `/` or `%`" }
    return nil
  }

  private mutating func checkLabelsAndAnnotations(_ metadata: Node, at path: [PathComponent]) {
    for entry in metadata["labels"]?.mapping ?? [] {
      // The path is built only for a finding: this runs for every label of every object.
      if let problem = Formats.labelKeyProblem(entry.key) {
        report(
          RuleCode.badFormat, "invalid label key `\(entry.key)`: \(problem)", at: entry.keyMark,
          path + [.key("labels"), .key(entry.key)])
      }
      if let value = entry.value.string, let problem = Formats.labelValueProblem(value) {
        report(
          RuleCode.badFormat, "invalid label value `\(value)`: \(problem)", at: entry.value.mark,
          path + [.key("labels"), .key(entry.key)])
      }
    }
    for entry in metadata["annotations"]?.mapping ?? [] {
      if let problem = Formats.labelKeyProblem(entry.key) {
        report(
          RuleCode.badFormat, "invalid annotation key `\(entry.key)`: \(problem)", at: entry.keyMark,
          path + [.key("annotations"), .key(entry.key)])
      }
    }
  }

  // MARK: - Selectors

  /// `emptyMatchesAll`: an empty selector selects every pod (a Job's), instead of being invalid
  /// (the apps/v1 kinds').
  private mutating func checkSelector(
    _ spec: Node, at path: [PathComponent], required: Bool, kind: String, emptyMatchesAll: Bool = false
  ) {
    guard let selector = spec["selector"], !selector.isNull else {
      if required {
        report(
          RuleCode.selectorMismatch, "\(kind) needs `spec.selector`", at: spec.mark, path,
          hint: "select the template's labels, e.g. `selector: {matchLabels: {app: web}}`")
      }
      return
    }
    guard selector.mapping != nil else { return }
    let matchLabels = selector["matchLabels"]?.mapping ?? []
    let expressions = selector["matchExpressions"]?.sequence ?? []
    if matchLabels.isEmpty, expressions.isEmpty {
      guard !emptyMatchesAll else { return }
      report(
        RuleCode.selectorMismatch, "an empty selector is invalid for a \(kind)", at: selector.mark,
        path + [.key("selector")], hint: "select the template's labels")
      return
    }
    let labels = templateLabels(spec)
    for entry in matchLabels {
      guard let value = entry.value.string, labels[entry.key] != value else { continue }
      report(
        RuleCode.selectorMismatch, "selector `\(entry.key): \(value)` does not match the template labels",
        at: entry.value.mark, path + [.key("selector"), .key("matchLabels"), .key(entry.key)],
        hint: mismatchHint(entry.key, labels))
    }
    for (index, expression) in expressions.enumerated() where !Self.matches(expression, labels) {
      let key = expression["key"]?.string ?? ""
      report(
        RuleCode.selectorMismatch, "selector expression on `\(key)` does not match the template labels",
        at: expression.mark, path + [.key("selector"), .key("matchExpressions"), .index(index)],
        hint: mismatchHint(key, labels))
    }
  }

  /// ReplicationController: a plain label map, defaulted from the template when absent.
  private mutating func checkMapSelector(_ spec: Node, at path: [PathComponent]) {
    guard let selector = spec["selector"]?.mapping, !selector.isEmpty, spec["template"] != nil else { return }
    let labels = templateLabels(spec)
    for entry in selector {
      guard let value = entry.value.string, labels[entry.key] != value else { continue }
      report(
        RuleCode.selectorMismatch, "selector `\(entry.key): \(value)` does not match the template labels",
        at: entry.value.mark, path + [.key("selector"), .key(entry.key)], hint: mismatchHint(entry.key, labels))
    }
  }

  private func templateLabels(_ spec: Node) -> [String: String] {
    var labels: [String: String] = [:]
    for entry in spec["template"]?["metadata"]?["labels"]?.mapping ?? [] {
      if let value = entry.value.string { labels[entry.key] = value }
    }
    return labels
  }

  private func mismatchHint(_ key: String, _ labels: [String: String]) -> String {
    if let value = labels[key] { return "the template has `\(key): \(value)`" }
    return "the template has no label `\(key)`; selector and template labels must agree"
  }

  /// Whether one `matchExpressions` requirement holds for `labels` (unknown operators hold:
  /// the schema reports them).
  static func matches(_ expression: Node, _ labels: [String: String]) -> Bool {
    guard let key = expression["key"]?.string, let op = expression["operator"]?.string else { return true }
    let values = (expression["values"]?.sequence ?? []).compactMap(\.string)
    switch op {
    case "In": return labels[key].map(values.contains) ?? false
    case "NotIn": return labels[key].map { !values.contains($0) } ?? true
    case "Exists": return labels[key] != nil
    case "DoesNotExist": return labels[key] == nil
    default: return true
    }
  }

  // MARK: - Jobs

  /// The pod template labels the server adds to a Job whose selector it generates: the Job's
  /// name, and its uid (assigned at creation, so no manifest can know it).
  static let jobNameLabels: Set<String> = ["job-name", "batch.kubernetes.io/job-name"]
  static let controllerUIDLabels: Set<String> = ["controller-uid", "batch.kubernetes.io/controller-uid"]
  /// Stands for the uid in the generated labels: no label value can equal it.
  private static let unknownUID = "\u{0}uid"

  private mutating func checkJobSpec(_ spec: Node, at path: [PathComponent], jobName: String?) {
    if spec["manualSelector"]?.bool == true {
      checkSelector(spec, at: path, required: true, kind: "Job with manualSelector", emptyMatchesAll: true)
    } else {
      checkGeneratedSelector(spec, at: path, jobName: jobName)
    }
    checkPodTemplate(spec["template"], at: path + [.key("template")], restart: .onFailureOrNever)
  }

  /// A Job without `manualSelector: true` gets its selector and labels from the server
  /// (`generateSelector` in pkg/registry/batch/job/strategy.go), which then requires the labels
  /// it generated on the template and a selector that matches them (`validateGeneratedSelector`
  /// in pkg/apis/batch/validation): a selector of one's own, or a uid or another name in those
  /// labels, is refused. Without a name (generateName) the name labels are not checked.
  private mutating func checkGeneratedSelector(_ spec: Node, at path: [PathComponent], jobName: String?) {
    let labelsPath = path + [.key("template"), .key("metadata"), .key("labels")]
    for entry in spec[path: "template", "metadata", "labels"]?.mapping ?? [] {
      guard let value = entry.value.string else { continue }
      if Self.controllerUIDLabels.contains(entry.key) {
        report(
          RuleCode.generatedJobSelector,
          "template label `\(entry.key)` is the Job's uid, which the API server sets: a value given here cannot match it",
          at: entry.value.mark, labelsPath + [.key(entry.key)], hint: "remove the label; the server adds it")
      } else if Self.jobNameLabels.contains(entry.key), let jobName, value != jobName {
        report(
          RuleCode.generatedJobSelector, "template label `\(entry.key)` must be the Job's name `\(jobName)`, not `\(value)`",
          at: entry.value.mark, labelsPath + [.key(entry.key)], hint: "remove the label; the server adds it")
      }
    }
    guard let selector = spec["selector"], selector.mapping != nil else { return }
    var generated: [String: String] = [:]
    for key in Self.controllerUIDLabels { generated[key] = Self.unknownUID }
    for key in Self.jobNameLabels { generated[key] = jobName ?? Self.unknownUID }
    let selectorPath = path + [.key("selector")]
    let hint = "remove `selector` (the server selects the Job's pods by its uid), or set `manualSelector: true`"
    for entry in selector["matchLabels"]?.mapping ?? [] {
      guard let value = entry.value.string, generated[entry.key] != value else { continue }
      if jobName == nil, Self.jobNameLabels.contains(entry.key) { continue }
      report(
        RuleCode.generatedJobSelector,
        "the API server generates a Job's selector unless `manualSelector: true`: `\(entry.key): \(value)` is not one it generates (`selector` not auto-generated)",
        at: entry.value.mark, selectorPath + [.key("matchLabels"), .key(entry.key)], hint: hint)
      return
    }
    for (index, expression) in (selector["matchExpressions"]?.sequence ?? []).enumerated()
    where !Self.matches(expression, generated) {
      if jobName == nil, let key = expression["key"]?.string, Self.jobNameLabels.contains(key) { continue }
      report(
        RuleCode.generatedJobSelector,
        "the API server generates a Job's selector unless `manualSelector: true`: this expression does not hold for the labels it generates (`selector` not auto-generated)",
        at: expression.mark, selectorPath + [.key("matchExpressions"), .index(index)], hint: hint)
      return
    }
  }

  /// A CronJob's job template may set neither a selector nor `manualSelector: true`: each Job
  /// it creates gets a generated one (`ValidateJobTemplateSpec` in pkg/apis/batch/validation).
  private mutating func checkJobTemplateSelector(_ spec: Node, at path: [PathComponent]) {
    if let entry = spec.mapping?.first(where: { $0.key == "selector" }), !entry.value.isNull {
      report(
        RuleCode.generatedJobSelector,
        "a CronJob's job template may not set `selector`: each Job gets one generated (`selector` will be auto-generated)",
        at: entry.keyMark, path + [.key("selector")], hint: "remove `selector`")
    }
    if let manual = spec["manualSelector"], manual.bool == true {
      report(
        RuleCode.generatedJobSelector, "a CronJob's job template may not set `manualSelector: true`", at: manual.mark,
        path + [.key("manualSelector")], hint: "remove `manualSelector`")
    }
  }

  private mutating func checkSchedule(_ spec: Node, at path: [PathComponent]) {
    guard let scheduleNode = spec["schedule"], let schedule = scheduleNode.string else { return }
    let schedulePath = path + [.key("schedule")]
    if schedule.contains("TZ") {
      report(
        RuleCode.badSchedule, "`schedule` may not set a time zone (`TZ=` or `CRON_TZ=`)", at: scheduleNode.mark,
        schedulePath, hint: "use `spec.timeZone` instead")
      return
    }
    if let problem = CronSchedule.problem(schedule) {
      report(
        RuleCode.badSchedule, "invalid cron schedule `\(schedule)`: \(problem)", at: scheduleNode.mark,
        schedulePath, hint: "write five fields (minute hour day-of-month month day-of-week) or a macro such as `@daily`")
    }
  }

  // MARK: - Workload strategies

  private mutating func checkStrategy(_ spec: Node, at path: [PathComponent], kind: String) {
    let field = kind == "Deployment" ? "strategy" : "updateStrategy"
    guard kind != "ReplicaSet", let strategy = spec[field], let typeNode = strategy["type"],
      let type = typeNode.string
    else { return }
    let allowed = kind == "Deployment" ? ["Recreate", "RollingUpdate"] : ["RollingUpdate", "OnDelete"]
    let typePath = path + [.key(field), .key("type")]
    guard allowed.contains(type) else {
      report(
        RuleCode.disallowedValue, "`\(field).type` must be \(allowed.map { "`\($0)`" }.joined(separator: " or ")), not `\(type)`",
        at: typeNode.mark, typePath, hint: Suggestions.didYouMean(type, among: allowed))
      return
    }
    if kind == "Deployment", type == "RollingUpdate", let rolling = strategy["rollingUpdate"],
      let unavailable = rolling["maxUnavailable"], Self.isZero(unavailable), Self.isZero(rolling["maxSurge"])
    {
      report(
        RuleCode.fieldGroup, "`maxUnavailable` may not be 0 when `maxSurge` is 0", at: unavailable.mark,
        path + [.key(field), .key("rollingUpdate"), .key("maxUnavailable")],
        hint: "allow one of them to be above 0, or the rollout cannot progress")
    }
    if type != "RollingUpdate", let rolling = strategy["rollingUpdate"], !rolling.isNull {
      report(
        RuleCode.disallowedValue, "`\(field).rollingUpdate` may not be set when `type` is `\(type)`", at: rolling.mark,
        path + [.key(field), .key("rollingUpdate")], hint: "remove `rollingUpdate` or use `type: RollingUpdate`")
    }
  }

  /// Ingress `pathType`: the OpenAPI documents its values but does not enumerate them.
  private mutating func checkPathTypes(_ spec: Node, at path: [PathComponent]) {
    let allowed = ["Exact", "Prefix", "ImplementationSpecific"]
    for (ruleIndex, rule) in (spec["rules"]?.sequence ?? []).enumerated() {
      for (pathIndex, item) in (rule["http"]?["paths"]?.sequence ?? []).enumerated() {
        guard let typeNode = item["pathType"], let type = typeNode.string, !allowed.contains(type) else { continue }
        report(
          RuleCode.disallowedValue, "`pathType` must be `Exact`, `Prefix` or `ImplementationSpecific`, not `\(type)`",
          at: typeNode.mark,
          path + [.key("rules"), .index(ruleIndex), .key("http"), .key("paths"), .index(pathIndex), .key("pathType")],
          hint: Suggestions.didYouMean(type, among: allowed))
      }
    }
  }

  /// `0` or `0%` (an unset `maxSurge` defaults to 25%, not 0).
  static func isZero(_ node: Node?) -> Bool {
    guard let text = node?.scalar?.text else { return false }
    return text == "0" || text == "0%"
  }

  // MARK: - Pods

  /// What a kind allows as its pod template's `restartPolicy`.
  enum RestartRule { case any, always, onFailureOrNever }

  private mutating func checkPodTemplate(_ template: Node?, at path: [PathComponent], restart: RestartRule) {
    guard let template, let spec = template["spec"], spec.mapping != nil else { return }
    if let metadata = template["metadata"] { checkLabelsAndAnnotations(metadata, at: path + [.key("metadata")]) }
    checkPodSpec(spec, at: path + [.key("spec")], restart: restart)
  }

  /// The pod spec's lists of containers.
  private static let containerLists = ["initContainers", "containers", "ephemeralContainers"]

  private mutating func checkPodSpec(_ spec: Node, at path: [PathComponent], restart: RestartRule) {
    checkRestartPolicy(spec, at: path, restart)
    for list in Self.containerLists {
      guard let containers = spec[list] else { continue }
      nullItems(containers, at: path + [.key(list)], needing: "`name` and `image`")
      for (index, container) in (containers.sequence ?? []).enumerated() where container.mapping != nil {
        checkContainer(container, at: path + [.key(list), .index(index)])
      }
    }
    nullItems(spec["volumes"], at: path + [.key("volumes")], needing: "`name`")
  }

  /// Null items of a list of objects: the server decodes each as an empty object, which lacks
  /// the required fields (the structure lets null stand for "unset", right for fields, not items).
  /// `path` is only evaluated for a finding (this runs for every list of every container).
  private mutating func nullItems(_ list: Node?, at path: @autoclosure () -> [PathComponent], needing fields: String) {
    for (index, item) in (list?.sequence ?? []).enumerated() where item.isNull {
      report(
        RuleCode.missingField, "an empty (null) list item: the API server reads it as an object without \(fields)",
        at: item.mark, path() + [.index(index)], hint: "remove the empty `-` item or complete it")
    }
  }

  private mutating func checkRestartPolicy(_ spec: Node, at path: [PathComponent], _ rule: RestartRule) {
    let policyNode = spec["restartPolicy"]
    let policy = policyNode?.string ?? "Always"  // the server's default
    switch rule {
    case .any:
      return
    case .always where policy != "Always":
      report(
        RuleCode.badRestartPolicy, "a controller's pod template must have `restartPolicy: Always`, not `\(policy)`",
        at: policyNode?.mark ?? spec.mark, path + [.key("restartPolicy")], hint: "remove `restartPolicy` or set it to `Always`")
    case .onFailureOrNever where policy != "OnFailure" && policy != "Never":
      let message =
        policyNode == nil
        ? "a Job's pod template needs `restartPolicy: OnFailure` or `Never` (the default `Always` is not allowed)"
        : "a Job's pod template must have `restartPolicy: OnFailure` or `Never`, not `\(policy)`"
      report(
        RuleCode.badRestartPolicy, message, at: policyNode?.mark ?? spec.mark, path + [.key("restartPolicy")],
        hint: "set `restartPolicy: OnFailure` or `restartPolicy: Never`")
    default:
      return
    }
  }

  /// `path` is only evaluated for a finding: containers are checked in every workload.
  private mutating func checkContainer(_ container: Node, at path: @autoclosure () -> [PathComponent]) {
    let image = container["image"]
    if image == nil || image?.isNull == true || image?.string == "" {
      let name = container["name"]?.string.map { " `\($0)`" } ?? ""
      report(
        RuleCode.imageRequired, "container\(name) needs an `image`", at: image?.mark ?? container.mark,
        path() + [.key("image")], hint: "set `image`, e.g. `image: nginx:1.27`")
    }
    let env = container["env"]
    nullItems(container["ports"], at: path() + [.key("ports")], needing: "`containerPort`")
    nullItems(env, at: path() + [.key("env")], needing: "`name`")
    checkContainerPorts(container, at: path() + [.key("ports")])
    for (index, variable) in (env?.sequence ?? []).enumerated() {
      guard let nameNode = variable["name"], let name = nameNode.string,
        let problem = Self.envNameProblem(name)
      else { continue }
      report(
        RuleCode.badEnvName, "invalid environment variable name `\(name)`: \(problem)", at: nameNode.mark,
        path() + [.key("env"), .index(index), .key("name")])
    }
    checkResources(container["resources"], at: path() + [.key("resources")])
    for probe in Self.probesWithOneSuccess {
      guard let threshold = container[probe]?["successThreshold"], let value = threshold.int, value != 1 else { continue }
      report(
        RuleCode.outOfRange, "`\(probe).successThreshold` must be 1, not \(value)", at: threshold.mark,
        path() + [.key(probe), .key("successThreshold")], hint: "only a readinessProbe may need several successes")
    }
  }

  /// Probes whose `successThreshold` must be 1.
  private static let probesWithOneSuccess = ["livenessProbe", "startupProbe"]

  /// The server's (relaxed, 1.32+) rule: printable ASCII except `=`, not empty.
  static func envNameProblem(_ name: String) -> String? {
    if name.isEmpty { return nil }  // the schema's minLength reports it
    for byte in name.utf8 where byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "=") {
      return byte == UInt8(ascii: "=") ? "may not contain `=`" : "must be printable ASCII"
    }
    return nil
  }

  private mutating func checkContainerPorts(_ container: Node, at path: @autoclosure () -> [PathComponent]) {
    var seen: Set<String> = []
    for (index, port) in (container["ports"]?.sequence ?? []).enumerated() {
      guard let nameNode = port["name"], let name = nameNode.string, !name.isEmpty else { continue }
      if !seen.insert(name).inserted {
        report(
          RuleCode.duplicatePortName, "two ports of the container are named `\(name)`", at: nameNode.mark,
          path() + [.index(index), .key("name")], hint: "give each port its own name")
      }
    }
  }

  private mutating func checkResources(_ resources: Node?, at path: @autoclosure () -> [PathComponent]) {
    guard let resources, let requests = resources["requests"]?.mapping, let limits = resources["limits"] else { return }
    for entry in requests {
      guard let request = Quantity.value(entry.value), let limitNode = limits[entry.key],
        let limit = Quantity.value(limitNode), request > limit
      else { continue }
      report(
        RuleCode.requestAboveLimit,
        "request `\(entry.key): \(entry.value.scalar?.text ?? "")` is more than its limit `\(limitNode.scalar?.text ?? "")`",
        at: entry.value.mark, path() + [.key("requests"), .key(entry.key)],
        hint: "a request must be less than or equal to the limit")
    }
  }

  // MARK: - Services

  private mutating func checkServicePorts(_ spec: Node, at path: [PathComponent]) {
    let ports = spec["ports"]?.sequence ?? []
    nullItems(spec["ports"], at: path + [.key("ports")], needing: "`port`")
    var names: Set<String> = []
    var endpoints: Set<String> = []
    for (index, port) in ports.enumerated() where port.mapping != nil {
      let itemPath = path + [.key("ports"), .index(index)]
      let nameNode = port["name"]
      let name = nameNode?.string ?? ""
      if name.isEmpty, ports.count > 1 {
        report(
          RuleCode.duplicatePortName, "a Service with several ports needs a `name` on each", at: nameNode?.mark ?? port.mark,
          itemPath + [.key("name")], hint: "name the port, e.g. `name: http`")
      } else if !name.isEmpty, !names.insert(name).inserted, let nameNode {
        report(
          RuleCode.duplicatePortName, "two ports of the Service are named `\(name)`", at: nameNode.mark,
          itemPath + [.key("name")], hint: "give each port its own name")
      }
      if let number = port["port"]?.int {
        let proto = port["protocol"]?.string ?? "TCP"
        if !endpoints.insert("\(number)/\(proto)").inserted, let portNode = port["port"] {
          report(
            RuleCode.duplicatePortName, "two ports of the Service are both \(proto) port \(number)",
            at: portNode.mark, itemPath + [.key("port")], hint: "remove the duplicate port")
        }
      }
    }
  }

  private mutating func checkServiceIPs(_ spec: Node, at path: [PathComponent]) {
    if let node = spec["clusterIP"] { checkIP(node, at: path + [.key("clusterIP")], allowNone: true) }
    for (index, node) in (spec["clusterIPs"]?.sequence ?? []).enumerated() {
      checkIP(node, at: path + [.key("clusterIPs"), .index(index)], allowNone: index == 0)
    }
    if let node = spec["loadBalancerIP"] { checkIP(node, at: path + [.key("loadBalancerIP")], allowNone: false) }
    for (index, node) in (spec["externalIPs"]?.sequence ?? []).enumerated() {
      checkIP(node, at: path + [.key("externalIPs"), .index(index)], allowNone: false)
    }
  }

  private mutating func checkIP(_ node: Node, at path: [PathComponent], allowNone: Bool) {
    guard let text = node.string, !text.isEmpty else { return }
    if allowNone, text == "None" { return }
    if Formats.isIPv4(text[...]) || Formats.isIPv6(text[...]) { return }
    report(
      RuleCode.badIP, "`\(text)` is not a valid IP address", at: node.mark, path,
      hint: allowNone ? "write an IP address such as `10.96.0.10`, `None` for a headless Service, or leave it out" : "write an IP address such as `203.0.113.10`")
  }
}

/// Quantities as numbers, to compare a request with its limit.
enum Quantity {
  /// The value of a quantity node (`500m`, `1Gi`, `2`, `1e3`), or nil when it is not one.
  static func value(_ node: Node) -> Double? {
    guard let text = node.scalar?.text, Formats.isQuantity(text) else { return nil }
    // A quantity is ASCII, so its suffix is its last one or two bytes: read directly, not by
    // trying every suffix with `hasSuffix` (this runs for every request and limit).
    var bytes = text
    guard let (length, factor) = bytes.withUTF8(suffix(of:)) else { return Double(text) }
    return Double(text.dropLast(length)).map { $0 * factor }
  }

  /// The length and factor of a quantity's suffix (`Ki` ... `Ei`, `n u m k M G T P E`), if any.
  private static func suffix(of bytes: UnsafeBufferPointer<UInt8>) -> (length: Int, factor: Double)? {
    guard let last = bytes.last else { return nil }
    if last == UInt8(ascii: "i") {
      guard bytes.count >= 2 else { return nil }
      switch bytes[bytes.count - 2] {
      case UInt8(ascii: "K"): return (2, 1024)
      case UInt8(ascii: "M"): return (2, 1_048_576)
      case UInt8(ascii: "G"): return (2, 1_073_741_824)
      case UInt8(ascii: "T"): return (2, 1_099_511_627_776)
      case UInt8(ascii: "P"): return (2, 1_125_899_906_842_624)
      case UInt8(ascii: "E"): return (2, 1_152_921_504_606_846_976)
      default: return nil
      }
    }
    switch last {
    case UInt8(ascii: "n"): return (1, 1e-9)
    case UInt8(ascii: "u"): return (1, 1e-6)
    case UInt8(ascii: "m"): return (1, 1e-3)
    case UInt8(ascii: "k"): return (1, 1e3)
    case UInt8(ascii: "M"): return (1, 1e6)
    case UInt8(ascii: "G"): return (1, 1e9)
    case UInt8(ascii: "T"): return (1, 1e12)
    case UInt8(ascii: "P"): return (1, 1e15)
    case UInt8(ascii: "E"): return (1, 1e18)
    default: return nil
    }
  }
}

/// The standard cron syntax the CronJob controller parses (five fields or a macro).
enum CronSchedule {
  private static let fields: [(name: String, range: ClosedRange<Int>, names: [String])] = [
    ("minute", 0...59, []),
    ("hour", 0...23, []),
    ("day of month", 1...31, []),
    ("month", 1...12, ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
    ("day of week", 0...6, ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
  ]
  private static let macros: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]

  /// What is wrong with a schedule, or nil when the controller can parse it.
  static func problem(_ schedule: String) -> String? {
    let trimmed = schedule.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard let first = trimmed.first else { return "it is empty" }
    if first.hasPrefix("@") {
      if first == "@every" {
        guard trimmed.count == 2, Formats.isDuration(String(trimmed[1])) else { return "`@every` needs one duration, e.g. `@every 1h30m`" }
        return nil
      }
      guard trimmed.count == 1, macros.contains(first.lowercased()) else { return "unknown macro `\(first)`" }
      return nil
    }
    guard trimmed.count == 5 else { return "expected 5 fields, found \(trimmed.count)" }
    for (field, spec) in zip(trimmed, fields) {
      if let problem = fieldProblem(field, spec.range, spec.names) { return "\(spec.name) `\(field)`: \(problem)" }
    }
    return nil
  }

  private static func fieldProblem(_ field: Substring, _ range: ClosedRange<Int>, _ names: [String]) -> String? {
    for part in field.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
      guard pieces.count <= 2 else { return "too many `/`" }
      if pieces.count == 2 {
        guard let step = Int(pieces[1]), step > 0 else { return "the step must be a positive number" }
      }
      let base = pieces[0]
      if base == "*" || base == "?" { continue }
      let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
      guard bounds.count <= 2 else { return "too many `-`" }
      var values: [Int] = []
      for bound in bounds {
        guard let value = Int(bound) ?? names.firstIndex(of: bound.lowercased()).map({ $0 + range.lowerBound })
        else { return "`\(bound)` is not a number" }
        guard range.contains(value) else { return "\(value) is outside \(range.lowerBound)–\(range.upperBound)" }
        values.append(value)
      }
      if values.count == 2, values[0] > values[1] { return "the range starts after it ends" }
    }
    return nil
  }
}
