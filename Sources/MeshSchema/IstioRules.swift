import Manifest

// Istio's own validation of its networking objects (istio/istio pkg/config/validation, run by
// istiod's validating webhook, so `kubectl apply` is refused), the part its CRD schemas do not
// say: ServiceEntry hosts (MC1113) and VirtualService delegation (MC1114). docs/rules.md gives
// the upstream references.

/// The Istio validation rules for one object of `networking.istio.io`.
enum IstioRules {
  static let group = "networking.istio.io"

  /// Checks an Istio networking object; other groups and kinds get nothing.
  static func check(_ node: Node, apiVersion: String, kind: String) -> [SchemaFinding] {
    guard kind == "ServiceEntry" || kind == "VirtualService", apiVersion.hasPrefix(group + "/"),
      let spec = node["spec"], spec.mapping != nil
    else { return [] }
    return kind == "ServiceEntry" ? serviceEntryFindings(spec) : delegationFindings(spec)
  }

  private static func finding(
    _ message: String, at mark: SourceMark, _ path: [PathComponent], hint: String, code: String = RuleCode.serviceEntryHost
  ) -> SchemaFinding {
    SchemaFinding(severity: .error, code: code, message: message, mark: mark, path: path, hint: hint)
  }

  // MARK: - VirtualService delegation

  /// `ValidateVirtualService` and `validateHTTPRouteConflict`: a VirtualService without hosts is
  /// a delegate, which may not bind `gateways` nor carry `tcp` or `tls` routes, and whose HTTP
  /// routes may not delegate again (one level only); in any other VirtualService, an HTTP route
  /// that delegates may not have its own `route` or `redirect`.
  static func delegationFindings(_ spec: Node) -> [SchemaFinding] {
    var findings: [SchemaFinding] = []
    let isDelegate = (spec["hosts"]?.sequence ?? []).isEmpty
    if isDelegate {
      for entry in spec.mapping ?? [] where ["gateways", "tcp", "tls"].contains(entry.key) {
        guard !(entry.value.sequence ?? []).isEmpty else { continue }
        findings.append(
          finding(
            "a VirtualService without `hosts` is a delegate, which may not set `\(entry.key)`", at: entry.keyMark,
            [.key("spec"), .key(entry.key)],
            hint: "give it `hosts` if it is not a delegate; a delegate's root binds the gateways", code: RuleCode.delegation))
      }
    }
    for (index, route) in (spec["http"]?.sequence ?? []).enumerated() {
      guard let entries = route.mapping, let delegate = entries.first(where: { $0.key == "delegate" }),
        !delegate.value.isNull
      else { continue }
      let routePath: [PathComponent] = [.key("spec"), .key("http"), .index(index)]
      if isDelegate {
        findings.append(
          finding(
            "an HTTP route of a delegate VirtualService (one without `hosts`) cannot delegate again: Istio supports one level",
            at: delegate.keyMark, routePath + [.key("delegate")],
            hint: "move the routes here, or make this VirtualService a root with `hosts`", code: RuleCode.delegation))
        continue
      }
      for entry in entries where entry.key == "route" || entry.key == "redirect" {
        let isSet = entry.key == "route" ? !(entry.value.sequence ?? []).isEmpty : !entry.value.isNull
        guard isSet else { continue }
        findings.append(
          finding(
            "an HTTP route that delegates may not set `\(entry.key)`: the delegate's routes replace it",
            at: entry.keyMark, routePath + [.key(entry.key)], hint: "remove `\(entry.key)`, or the `delegate`",
            code: RuleCode.delegation))
      }
    }
    return findings
  }

  /// `ValidateServiceEntry`: each host a DNS name with at most a leading wildcard label, never
  /// `*` or an IP address; with `resolution: DNS` and no endpoints, each host a plain FQDN (it is
  /// what gets resolved); several hosts only where the ports let the proxy tell them apart.
  static func serviceEntryFindings(_ spec: Node) -> [SchemaFinding] {
    var findings: [SchemaFinding] = []
    let hosts = (spec["hosts"]?.sequence ?? []).enumerated().compactMap { index, node in
      node.string.map { (index: index, node: node, text: $0) }
    }
    let resolution = spec["resolution"]?.string ?? "NONE"
    let resolvesHosts = resolution == "DNS" && (spec["endpoints"]?.sequence ?? []).isEmpty
    for host in hosts {
      let path: [PathComponent] = [.key("spec"), .key("hosts"), .index(host.index)]
      if let problem = hostProblem(host.text) {
        findings.append(
          finding(
            "invalid ServiceEntry host `\(host.text)`: \(problem)", at: host.node.mark, path,
            hint: "write a DNS name such as `api.example.com` or `*.example.com`; an IP address goes in `addresses`"))
      } else if resolvesHosts, let problem = fqdnProblem(host.text) {
        findings.append(
          finding(
            "with `resolution: DNS` and no `endpoints` each host is resolved, so it must be a plain DNS name: `\(host.text)` \(problem)",
            at: host.node.mark, path, hint: "list the addresses to resolve under `endpoints`, or use `resolution: NONE`"))
      }
    }
    if resolution != "NONE", hosts.count > 1, let port = undistinguishablePort(spec) {
      findings.append(
        finding(
          "a ServiceEntry with several hosts and `resolution: \(resolution)` needs HTTP or TLS ports (the proxy tells the hosts apart by Host header or SNI): port \(port.label) is not",
          at: port.node.mark, port.path,
          hint: "use one ServiceEntry per host, declare HTTP, HTTPS, GRPC or TLS ports, or use `resolution: NONE`"))
    }
    return findings
  }

  /// The protocols whose traffic names its host (HTTP's Host header, TLS's SNI); Istio matches
  /// them without regard to case (`protocol.Parse`).
  static let hostNamingProtocols: Set<String> = ["http", "http2", "http_proxy", "grpc", "grpc-web", "https", "tls"]

  /// The first port whose protocol does not name the host (an unset protocol is not parsed as any).
  private static func undistinguishablePort(_ spec: Node) -> (node: Node, path: [PathComponent], label: String)? {
    for (index, port) in (spec["ports"]?.sequence ?? []).enumerated() where port.mapping != nil {
      let protocolNode = port["protocol"]
      guard !hostNamingProtocols.contains((protocolNode?.string ?? "").lowercased()) else { continue }
      let label = port["name"]?.string.map { "`\($0)`" } ?? port["number"]?.scalar?.text ?? "\(index)"
      let path: [PathComponent] = [.key("spec"), .key("ports"), .index(index)]
      if let protocolNode { return (protocolNode, path + [.key("protocol")], label) }
      return (port["number"] ?? port, path + (port["number"] != nil ? [.key("number")] : []), label)
    }
    return nil
  }

  /// What Istio's `ValidateWildcardDomain` finds wrong with a host (or `*`, which a ServiceEntry
  /// may not use); nil when it is valid.
  static func hostProblem(_ host: String) -> String? {
    if host == "*" { return "the full wildcard `*` is not allowed in a ServiceEntry" }
    if let problem = lengthProblem(host) { return problem }
    let parts = host.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    if !isWildcardLabel(parts[0]) {
      return parts[0].contains("*")
        ? "a wildcard may only begin the first label (`*.example.com`, `*-api.example.com`)"
        : "label `\(parts[0])` is not a DNS-1123 label (lowercase letters, digits and `-`)"
    }
    return parts.count > 1 ? labelsProblem(parts[1]) : nil
  }

  /// What Istio's `ValidateFQDN` finds wrong with a name (no wildcard allowed).
  static func fqdnProblem(_ name: String) -> String? {
    if let problem = lengthProblem(name) { return problem }
    if name.contains("*") { return "is a wildcard" }
    return labelsProblem(Substring(name)).map { "is not valid: \($0)" }
  }

  private static func lengthProblem(_ name: String) -> String? {
    if name.isEmpty { return "it is empty" }
    return name.utf8.count > 255 ? "it is longer than 255 characters" : nil
  }

  /// Istio's `validateDNS1123Labels`: DNS-1123 labels, the last one may be empty (a trailing
  /// dot), and the top-level one not all digits (so an IP address is no host).
  private static func labelsProblem(_ domain: Substring) -> String? {
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    if let last = labels.last, isGoInteger(last) {
      return "its top-level label `\(last)` is all digits (an IP address is not a host)"
    }
    for (index, label) in labels.enumerated() {
      if index == labels.count - 1, label.isEmpty { return nil }
      if Formats.dns1123LabelProblem(String(label)) != nil {
        return "label `\(label)` is not a DNS-1123 label (lowercase letters, digits and `-`)"
      }
    }
    return nil
  }

  /// Whether Go's `strconv.Atoi` reads the text as a number: an optional sign, then digits.
  private static func isGoInteger(_ text: Substring) -> Bool {
    let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : text
    return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// Istio's wildcard label: `*`, or a DNS-1123 label that may start with `*` or `*-`.
  private static func isWildcardLabel(_ label: Substring) -> Bool {
    guard label.utf8.count <= 63 else { return false }
    if label == "*" { return true }
    var rest = label
    if rest.hasPrefix("*-") { rest = rest.dropFirst(2) } else if rest.hasPrefix("*") { rest = rest.dropFirst() }
    return !rest.isEmpty && Formats.dns1123LabelProblem(String(rest)) == nil
  }
}
