import Manifest

/// The rule codes meshctl's schema module reports. Each is documented in `docs/rules.md` and
/// listed in `RuleCatalog.rules`; a test keeps the three in step.
public enum RuleCode {
  // MARK: MC1xxx — schema
  /// A value has the wrong type.
  public static let wrongType = "MC1001"
  /// A required field is missing.
  public static let missingField = "MC1002"
  /// A field the schema does not know.
  public static let unknownField = "MC1003"
  /// A value is not one of the allowed values.
  public static let badEnum = "MC1004"
  /// A number is out of range.
  public static let outOfRange = "MC1005"
  /// A string does not have its format.
  public static let badFormat = "MC1006"
  /// A one-of group is violated ("exactly one of selector/service").
  public static let fieldGroup = "MC1007"
  /// An array or map has too few or too many entries.
  public static let badCount = "MC1008"
  /// Two items of a list share a key that must be unique.
  public static let duplicateItem = "MC1009"
  /// A YAML 1.1 boolean (`yes`, `on`, ...) where a string is expected.
  public static let ambiguousBoolean = "MC1010"
  /// A number or boolean where a string is required.
  public static let unquotedScalar = "MC1011"
  /// A document without `apiVersion` or `kind`.
  public static let missingTypeMeta = "MC1012"
  /// An empty document.
  public static let emptyDocument = "MC1013"
  /// A document (or List item) that is not a mapping.
  public static let notAnObject = "MC1014"
  /// An unknown kind or version in the `meshctl.io` group.
  public static let unknownMeshctlKind = "MC1015"
  /// A built-in apiVersion or kind the selected Kubernetes release does not serve.
  public static let notServed = "MC1016"
  /// A kind meshctl has no schema for (reported only with `--fail-on unchecked`).
  public static let uncheckedKind = "MC1017"
  /// A CRD's CEL validation rule (`x-kubernetes-validations`) fails.
  public static let celRule = "MC1018"
  /// TrafficSplit weights do not sum to 100.
  public static let weightSum = "MC1020"
  /// TrafficSplit weights are all zero.
  public static let weightsAllZero = "MC1021"
  /// A TrafficSplit match names a backend that does not exist.
  public static let matchBackend = "MC1022"
  /// A TrafficSplit's `spec.analysis` entry is not an analysis `shift` can run.
  public static let analysisSpec = "MC1023"
  /// Two containers of one pod share a name.
  public static let duplicateContainer = "MC1030"

  /// A built-in object without `metadata.name` or `generateName`.
  public static let nameRequired = "MC1101"
  /// An object name (or namespace) the server's name rule for the kind rejects.
  public static let badObjectName = "MC1102"
  /// A workload selector that is missing, empty, or does not match its template's labels.
  public static let selectorMismatch = "MC1103"
  /// A pod template `restartPolicy` the kind does not allow.
  public static let badRestartPolicy = "MC1104"
  /// A container without an `image`.
  public static let imageRequired = "MC1105"
  /// Service or container ports with the same name (or number), or unnamed among several.
  public static let duplicatePortName = "MC1106"
  /// An environment variable name the server rejects.
  public static let badEnvName = "MC1107"
  /// A Service IP that is not an IP address.
  public static let badIP = "MC1108"
  /// A CronJob schedule the controller cannot parse.
  public static let badSchedule = "MC1109"
  /// A value the server does not allow where the OpenAPI lists no enum (update strategies, Ingress `pathType`).
  public static let disallowedValue = "MC1110"
  /// A resource request above its limit.
  public static let requestAboveLimit = "MC1111"
  /// A Job selector or template label the server generates (no `manualSelector: true`), or a
  /// CronJob job template that sets `selector` or `manualSelector: true`.
  public static let generatedJobSelector = "MC1112"
  /// A ServiceEntry host (or its resolution) Istio's validation rejects.
  public static let serviceEntryHost = "MC1113"
  /// A VirtualService delegation Istio's validation rejects.
  public static let delegation = "MC1114"

  // MARK: MC2xxx — references
  /// A TrafficSplit's Service is not in the input.
  public static let serviceNotFound = "MC2001"
  /// A selector backend matches no pod template in the input.
  public static let selectorMatchesNothing = "MC2002"
  /// Two TrafficSplits route one Service.
  public static let duplicateTrafficSplit = "MC2003"
  /// A backend Service is not in the input.
  public static let backendServiceNotFound = "MC2004"
  /// A VirtualService routes to a subset no DestinationRule for the host defines.
  public static let subsetNotDefined = "MC2005"
  /// A VirtualService or Gateway API route sends traffic to a Service not in the input.
  public static let routeServiceNotFound = "MC2006"
  /// A cross-namespace backendRef without a ReferenceGrant that allows it.
  public static let referenceGrantMissing = "MC2007"
  /// A VirtualService names an Istio Gateway not in the input.
  public static let istioGatewayNotFound = "MC2008"
  /// A Gateway API route's parentRef names a Gateway not in the input.
  public static let parentGatewayNotFound = "MC2009"
  /// A Service's selector matches no pod template in the input.
  public static let serviceSelectsNothing = "MC2010"
  /// A VirtualService `delegate` names a VirtualService not in the input.
  public static let delegateNotFound = "MC2011"
  /// A VirtualService `delegate` names a VirtualService Istio does not use as a delegate.
  public static let delegateNotUsable = "MC2012"

  // MARK: MC3xxx — mTLS safety
  /// Two namespace-wide MTLSPolicies in one namespace.
  public static let duplicateNamespacePolicy = "MC3001"
  /// STRICT mTLS over workloads that carry no sidecar.
  public static let strictWithoutSidecar = "MC3002"

  // MARK: MC4xxx — injection
  /// A workload with `hostNetwork: true`: injection skips it.
  public static let hostNetwork = "MC4001"
  /// A Job or CronJob whose sidecar runs as a regular container: it never completes.
  public static let jobClassicSidecar = "MC4002"
  /// A Service port of an Istio-meshed workload declares no protocol.
  public static let istioProtocolUndeclared = "MC4003"
  /// A server-first port (SMTP, MySQL) of an Istio-meshed workload declares no protocol.
  public static let istioServerFirstUndeclared = "MC4004"
  /// A Linkerd-meshed port carrying a protocol detection cannot read is not opaque.
  public static let linkerdPortNotOpaque = "MC4005"

  // MARK: MC5xxx — rendering (reported by `meshctl render` and `apply`, from the Policy module)
  /// A route whose destination host would be empty.
  public static let emptyHost = "MC5001"
  /// MTLSPolicy DISABLE on Linkerd, which cannot turn mTLS off.
  public static let linkerdCannotDisable = "MC5002"
  /// Istio port-level mTLS without a workload selector.
  public static let portLevelNeedsSelector = "MC5003"
  /// A Service rendering needs (selector, ports) is not known.
  public static let serviceUnknown = "MC5004"
  /// Linkerd needs ports for a workload policy and none are known.
  public static let portsUnknown = "MC5005"
  /// A policy that must name its namespace names none.
  public static let namespaceRequired = "MC5006"
  /// A rendered object's name would be longer than 63 characters.
  public static let renderedNameTooLong = "MC5007"
  /// A Linkerd workload MTLSPolicy whose workloads are not in the input, and whose mode no
  /// `portLevel` port has: the mode reaches no port.
  public static let onlyPortLevelCovered = "MC5008"
}

/// Every rule code meshctl reports, in one place.
public enum RuleCatalog {
  /// All rules, ordered by code.
  public static let rules: [Rule] = [
    Rule(code: "MC0001", severity: .error, summary: "the input is not valid YAML"),
    Rule(code: "MC0002", severity: .error, summary: "a mapping has the same key twice"),
    Rule(code: "MC0003", severity: .error, summary: "a size, depth or alias-expansion limit was exceeded"),
    Rule(code: "MC0004", severity: .error, summary: "the input is not UTF-8 text"),
    Rule(code: "MC0005", severity: .error, summary: "a YAML construct Kubernetes cannot read"),
    Rule(code: "MC1001", severity: .error, summary: "a value has the wrong type"),
    Rule(code: "MC1002", severity: .error, summary: "a required field is missing"),
    Rule(code: "MC1003", severity: .error, summary: "a field the schema does not know (warning outside meshctl kinds)"),
    Rule(code: "MC1004", severity: .error, summary: "a value is not one of the allowed values"),
    Rule(code: "MC1005", severity: .error, summary: "a number is out of its allowed range"),
    Rule(code: "MC1006", severity: .error, summary: "a string does not have the required format"),
    Rule(code: "MC1007", severity: .error, summary: "fields that exclude or require each other"),
    Rule(code: "MC1008", severity: .error, summary: "a list or map has too few or too many entries"),
    Rule(code: "MC1009", severity: .error, summary: "list items share a key that must be unique"),
    Rule(code: "MC1010", severity: .warning, summary: "a YAML 1.1 boolean (yes/no/on/off) where a string is expected"),
    Rule(code: "MC1011", severity: .error, summary: "a number or boolean where a string is required"),
    Rule(code: "MC1012", severity: .error, summary: "a document without apiVersion or kind"),
    Rule(code: "MC1013", severity: .warning, summary: "an empty document"),
    Rule(code: "MC1014", severity: .error, summary: "a document or List item that is not an object"),
    Rule(code: "MC1015", severity: .error, summary: "an unknown kind or version in the meshctl.io group"),
    Rule(code: "MC1016", severity: .error, summary: "a built-in apiVersion or kind the Kubernetes release does not serve"),
    Rule(code: "MC1017", severity: .error, summary: "a kind meshctl has no schema for (only with --fail-on unchecked)"),
    Rule(code: "MC1018", severity: .error, summary: "a CRD's CEL validation rule (x-kubernetes-validations) fails"),
    Rule(code: "MC1020", severity: .error, summary: "TrafficSplit backend weights do not sum to 100"),
    Rule(code: "MC1021", severity: .error, summary: "TrafficSplit backend weights are all zero"),
    Rule(code: "MC1022", severity: .error, summary: "a TrafficSplit match names a backend that does not exist"),
    Rule(code: "MC1023", severity: .error, summary: "a TrafficSplit analysis is not one shift can run"),
    Rule(code: "MC1030", severity: .error, summary: "two containers of one pod share a name"),
    Rule(code: "MC1101", severity: .error, summary: "a built-in object needs metadata.name or generateName"),
    Rule(code: "MC1102", severity: .error, summary: "an object name or namespace the API server rejects for its kind"),
    Rule(code: "MC1103", severity: .error, summary: "a workload selector is missing, empty or does not match its template labels"),
    Rule(code: "MC1104", severity: .error, summary: "a pod template restartPolicy the kind does not allow"),
    Rule(code: "MC1105", severity: .error, summary: "a container without an image"),
    Rule(code: "MC1106", severity: .error, summary: "ports that share a name or number, or unnamed Service ports among several"),
    Rule(code: "MC1107", severity: .error, summary: "an environment variable name the API server rejects"),
    Rule(code: "MC1108", severity: .error, summary: "a Service IP field that is not an IP address"),
    Rule(code: "MC1109", severity: .error, summary: "a CronJob schedule that cannot be parsed"),
    Rule(code: "MC1110", severity: .error, summary: "a strategy or pathType value the API server does not allow"),
    Rule(code: "MC1111", severity: .error, summary: "a resource request above its limit"),
    Rule(code: "MC1112", severity: .error, summary: "a Job selector or label the API server generates, set by hand"),
    Rule(code: "MC1113", severity: .error, summary: "a ServiceEntry host Istio's validation rejects"),
    Rule(code: "MC1114", severity: .error, summary: "a VirtualService delegation Istio's validation rejects"),
    Rule(code: "MC2001", severity: .warning, summary: "a TrafficSplit's Service is not in the input"),
    Rule(code: "MC2002", severity: .warning, summary: "a TrafficSplit selector backend matches no pod template in the input"),
    Rule(code: "MC2003", severity: .error, summary: "two TrafficSplits route the same Service"),
    Rule(code: "MC2004", severity: .warning, summary: "a TrafficSplit backend Service is not in the input"),
    Rule(code: "MC2005", severity: .warning, summary: "a VirtualService routes to a subset no DestinationRule for the host defines"),
    Rule(code: "MC2006", severity: .warning, summary: "a VirtualService or Gateway API route's Service is not in the input"),
    Rule(code: "MC2007", severity: .warning, summary: "a cross-namespace backendRef no ReferenceGrant in the input allows"),
    Rule(code: "MC2008", severity: .warning, summary: "a VirtualService's Istio Gateway is not in the input"),
    Rule(code: "MC2009", severity: .warning, summary: "a Gateway API route's parent Gateway is not in the input"),
    Rule(code: "MC2010", severity: .warning, summary: "a Service's selector matches no pod template in the input"),
    Rule(code: "MC2011", severity: .warning, summary: "a VirtualService delegate is not in the input"),
    Rule(code: "MC2012", severity: .warning, summary: "a VirtualService delegate Istio does not use (it has hosts, or is not exported)"),
    Rule(code: "MC3001", severity: .error, summary: "two namespace-wide MTLSPolicies in one namespace"),
    Rule(code: "MC3002", severity: .warning, summary: "STRICT mTLS over workloads that carry no sidecar"),
    Rule(code: "MC4001", severity: .info, summary: "a workload with hostNetwork: true is not injected"),
    Rule(code: "MC4002", severity: .warning, summary: "a Job or CronJob with a classic sidecar never completes"),
    Rule(code: "MC4003", severity: .info, summary: "a Service port of an Istio-meshed workload declares no protocol"),
    Rule(code: "MC4004", severity: .warning, summary: "a server-first port of an Istio-meshed workload declares no protocol"),
    Rule(code: "MC4005", severity: .warning, summary: "a Linkerd-meshed port detection cannot read is not opaque"),
    Rule(code: "MC5001", severity: .error, summary: "a rendered route would have an empty destination host"),
    Rule(code: "MC5002", severity: .error, summary: "MTLSPolicy DISABLE on Linkerd, which cannot turn mTLS off"),
    Rule(code: "MC5003", severity: .error, summary: "Istio port-level mTLS needs a workload selector"),
    Rule(code: "MC5004", severity: .error, summary: "a Service that rendering needs (selector, ports) is not known"),
    Rule(code: "MC5005", severity: .error, summary: "Linkerd needs a workload MTLSPolicy's ports and none are known"),
    Rule(code: "MC5006", severity: .error, summary: "a policy that must name its namespace names none"),
    Rule(code: "MC5007", severity: .error, summary: "a rendered object's name would be longer than 63 characters"),
    Rule(code: "MC5008", severity: .warning, summary: "a Linkerd workload MTLSPolicy's mode reaches no port"),
  ]

  /// The rule with a code.
  public static func rule(_ code: String) -> Rule? { rules.first { $0.code == code } }
}

extension RuleCatalog {
  /// The rule table `meshctl help rules` prints: code, default severity, summary, one rule a line.
  public static func table(_ rules: [Rule] = rules) -> String {
    guard !rules.isEmpty else { return "no rules are registered\n" }
    let width = rules.map(\.code.count).max() ?? 6
    return rules.map { rule in
      let code = rule.code + String(repeating: " ", count: width - rule.code.count)
      let severity = rule.severity.rawValue + String(repeating: " ", count: 7 - rule.severity.rawValue.count)
      return "\(code)  \(severity)  \(rule.summary)\n"
    }.joined()
  }
}
