import Manifest
import TestSupport
import Testing

@testable import MeshSchema

/// The CEL subset: each rule shape the carried CRDs use, the budget, errors that leave a rule
/// unevaluated (never a crash, never a finding), the regex engine, and CRD rules reported at the
/// object they sit on with the CRD's message (MC1018).
@Suite struct CELTests {
  /// The outcome of `rule` on a YAML value read under `schema`.
  static func outcome(_ rule: String, _ yaml: String, schema: Schema = .anything, budget: Int = CELRules.budget)
    -> CELOutcome
  {
    let node = Node.parse(yaml, file: "value.yaml") ?? .null
    return CELRule(text: rule, message: nil, fieldPath: nil, optionalOldSelf: false)
      .evaluate(on: node, schema: schema, budget: budget)
  }

  @Test(arguments: [
    // (rule, value, expected)
    ("self.size() <= 2", "[a, b]", CELOutcome.passed),
    ("self.size() <= 2", "[a, b, c]", .failed),
    ("size(self) == 0 || self == 'x'", "''", .passed),
    ("has(self.a)", "{a: 1}", .passed),
    ("has(self.a)", "{b: 1}", .failed),
    ("has(self.a)", "{a: null}", .failed),
    ("!has(self.a) || !has(self.b)", "{a: 1, b: 2}", .failed),
    ("has(self.wasm) != has(self.lua)", "{wasm: {}}", .passed),
    ("(has(self.selector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1", "{selector: {}, targetRefs: []}", .failed),
    ("self.type == 'Cookie' ? has(self.cookie) : true", "{type: Cookie}", .failed),
    ("self.type == 'Cookie' ? has(self.cookie) : true", "{type: Header}", .passed),
    ("0 < self && self <= 65535", "70000", .failed),
    ("self.numerator <= self.denominator", "{numerator: 3, denominator: 2}", .failed),
    ("self.all(l, l.protocol in ['HTTP', 'TCP'] ? !has(l.tls) : true)", "[{protocol: HTTP, tls: {}}]", .failed),
    ("self.all(l1, self.exists_one(l2, l1.name == l2.name))", "[{name: a}, {name: b}]", .passed),
    ("self.all(l1, self.exists_one(l2, l1.name == l2.name))", "[{name: a}, {name: a}]", .failed),
    ("self.exists(f, f.type == 'A') && !self.exists(f, f.type == 'B')", "[{type: A}]", .passed),
    ("self.filter(f, f.type == 'CORS').size() <= 1", "[{type: CORS}, {type: CORS}]", .failed),
    ("self.map(x, x * 2) == [2, 4]", "[1, 2]", .passed),
    ("self.all(key, !key.contains('*'))", "{'a*': x}", .failed),
    ("self.all(key, 0 < int(key) && int(key) <= 65535)", "{'8080': x}", .passed),
    (
      "self.startsWith('unix://') ? (self.substring(7, 8) == '/' || self.substring(7, 8) == '@') : true", "unix://x",
      .failed
    ),
    ("self.startsWith('unix://') ? !self.endsWith('/') : true", "unix:///tmp/", .failed),
    ("self.all(key, key.split('/')[0].size() < 5)", "{'example.com/a': x}", .failed),
    ("!('*' in self && self.size() > 1)", "['*', a]", .failed),
    ("self in ['', 'HTTP', 'HTTPS']", "HTTPS", .passed),
    ("duration(self) >= duration('1ms')", "500us", .failed),
    ("!(duration(self) < duration('1s') || duration(self) > duration('1h'))", "1h30m", .failed),
    ("self.all(h, !isIP(h))", "[example.com, 10.0.0.1]", .failed),
    ("size(self) == 0 || format.dns1123Label().validate(self) == null", "Not_A_Label", .failed),
    ("size(self) == 0 || format.dns1123Label().validate(self) == null", "web", .passed),
    ("self.matches('^[a-z]+$')", "abc", .passed),
    ("self.matches(r\"\"\"^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$\"\"\")", "Foo.Bar", .passed),
    ("self.matches(r\"\"\"^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$\"\"\")", "9foo", .failed),
    ("self.__namespace__ == ''", "{namespace: ''}", .passed),
    ("self == oldSelf", "{a: 1}", .passed),
    // `&&` and `||` absorb an error when the other side decides (spec: commutative logic).
    ("self.missing == 1 || true", "{}", .passed),
    ("self.missing == 1 && false", "{}", .failed),
  ])
  func shapes(_ rule: String, _ value: String, _ expected: CELOutcome) {
    #expect(Self.outcome(rule, value) == expected)
  }

  @Test(arguments: [
    // Runtime errors: no such key, types the subset does not combine, a bad index, overflow.
    ("self.missing == 1", "{}"),
    ("self + 'a' == 'b'", "1"),
    ("self.size() > 0", "true"),
    ("self[5] == 1", "[1]"),
    ("self * 9223372036854775807 > 0", "2"),
    ("int(self) > 0", "'abc'"),
    ("self ? true : false", "1"),
  ])
  func errorsLeaveTheRuleUnevaluated(_ rule: String, _ value: String) {
    #expect(Self.outcome(rule, value) == .unevaluated)
  }

  @Test(arguments: [
    "isURL(self)", "url(self).getScheme() == 'http'", "b'abc' == self", "self.(", "self ==", "'unterminated",
    "self.matches('(?=x)')", "self.matches('a{2000}')", "self.optMap(x, x)", "[1, 2].sortBy(x, x)",
    "self.matches('a(?i)b')",
  ])
  func textOutsideTheSubsetIsUnsupported(_ rule: String) {
    let parsed = CELRule(text: rule, message: nil, fieldPath: nil, optionalOldSelf: false)
    #expect(!parsed.isDecided)
    #expect(Self.outcome(rule, "abc") == .unevaluated)
  }

  @Test func hugeRulesAreRefusedBeforeTheyNestDeeply() {
    let chain = "self" + String(repeating: " + 1", count: 5000) + " > 0"
    #expect(!CELRule(text: chain, message: nil, fieldPath: nil, optionalOldSelf: false).isDecided)
    let negations = String(repeating: "!", count: 100_000) + "true"
    #expect(Self.outcome(negations, "1") == .unevaluated)
    let nested = String(repeating: "(", count: 1000) + "true" + String(repeating: ")", count: 1000)
    #expect(Self.outcome(nested, "1") == .unevaluated)
  }

  @Test func theBudgetStopsLongEvaluations() {
    let items = "[" + Array(repeating: "1", count: 200).joined(separator: ", ") + "]"
    let cubic = "self.all(a, self.all(b, self.all(c, a == b)))"
    #expect(Self.outcome(cubic, items) == .unevaluated)
    #expect(Self.outcome("self.all(a, a == 1)", items) == .passed)
    #expect(Self.outcome("self.all(a, a == 1)", items, budget: 100) == .unevaluated)
    // A regex that backtracks exponentially elsewhere runs in linear steps here.
    let long = String(repeating: "a", count: 5000)
    #expect(Self.outcome("self.matches('^(a*)*b$')", long) == .failed)
    #expect(Self.outcome("self.matches('^(a*)*b$')", long, budget: 1000) == .unevaluated)
  }

  @Test(arguments: [
    ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "web-1", true),
    ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "web-", false),
    ("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "*.example.com", true),
    ("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "a..b", false),
    ("^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$", "a" + String(repeating: "b", count: 62), true),
    ("^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$", "a" + String(repeating: "b", count: 63), false),
    ("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$", "/a%2Fb", true),
    ("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$", "/a%zz", false),
    ("b+", "abbc", true),
    ("^b", "ab", false),
    ("a|b$", "xa", true),
    ("[^/]+\\d", "x1", true),
    ("\\s\\w", "a b", true),
    ("^(?i)[a-z]+$", "AbC", true),
    ("^[^a-z]$", "A", true),
    ("(a*)*b", "aaab", true),
  ])
  func regularExpressions(_ pattern: String, _ text: String, _ matches: Bool) throws {
    var budget = 1_000_000
    #expect(try CELRegex(pattern).search(text, budget: &budget) == matches)
  }

  // MARK: - Defaults and the carried CRDs

  @Test func rulesSeeTheCRDsDefaults() throws {
    let crd = """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: foos.example.com}
      spec:
        group: example.com
        names: {kind: Foo, plural: foos}
        scope: Namespaced
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  x-kubernetes-validations:
                  - rule: "self.mode == 'Terminate' ? has(self.certificate) : true"
                    message: a certificate is required when mode is Terminate
                    fieldPath: .mode
                  properties:
                    mode: {type: string, default: Terminate}
                    certificate: {type: string}

      """
    let catalog = try #require(SchemaCatalog(kubernetesVersion: "1.37"))
    let (crdDocuments, _) = ManifestReader().parse(crd, file: "crd.yaml")
    #expect(catalog.addCustomResourceDefinition(crdDocuments[0].root) == ["Foo.example.com/v1"])
    let validator = Validator(catalog: catalog)
    // The mode is absent: the API server defaults it to Terminate, then the rule fails.
    let marked = MarkedText("apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec: ⟨1⟩{}\n")
    var coverage: [ObjectCoverage] = []
    let findings = validator.validate(
      ManifestReader().parse(marked.text, file: "f.yaml").documents[0], coverage: &coverage)
    #expect(findings.map(\.code) == ["MC1018"])
    #expect(findings.first?.mark == marked.markers["1"])
    #expect(findings.first?.message == "a certificate is required when mode is Terminate")
    #expect(coverage == [.checked])
    // fieldPath points the finding at the field it names when the object has it.
    let named = MarkedText("apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec: {mode: ⟨1⟩Terminate}\n")
    let more = validator.validate(ManifestReader().parse(named.text, file: "f.yaml").documents[0], coverage: &coverage)
    #expect(more.map(\.mark) == [named.markers["1"]!])
    #expect(more.first?.path == "spec.mode")
    let fine = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec: {mode: Passthrough}\n"
    #expect(validator.validate(ManifestReader().parse(fine, file: "f.yaml").documents[0], coverage: &coverage).isEmpty)
  }

  @Test func theCarriedCRDsRulesAreMostlyDecided() {
    let coverage = GeneratedSchemas.celRuleCoverage()
    // The rules meshctl does not evaluate: Istio's URL checks (isURL, url().getScheme()).
    #expect(coverage.total == 133)
    #expect(coverage.decided == 130, "not decided: \(coverage.unsupported)")
    #expect(coverage.unsupported.count == 3)
    #expect(coverage.unsupported.keys.allSatisfy { $0.contains("url(") })
  }

  @Test func aGatewayListenerRuleFailsAtTheListeners() {
    let marked = MarkedText(
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: public}
      spec:
        gatewayClassName: istio
        listeners:
        ⟨1⟩- name: web
          port: 80
          protocol: HTTP
          tls: {mode: Terminate, certificateRefs: [{name: cert}]}

      """)
    let findings = validate(marked.text).filter { $0.code == "MC1018" }
    #expect(findings.map(\.message) == ["tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"])
    #expect(findings.map(\.mark) == [marked.markers["1"]!])
    #expect(findings.first?.path == "spec.listeners")
  }

  @Test func anHTTPRouteFilterCombinationFailsAtTheFilters() {
    let marked = MarkedText(
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: shop}
      spec:
        parentRefs: [{name: public}]
        rules:
        - backendRefs:
          - name: web
            port: 8080
            filters:
            ⟨1⟩- type: RequestRedirect
              requestRedirect: {scheme: https}
            - type: URLRewrite
              urlRewrite: {hostname: shop.example.com}

      """)
    let findings = validate(marked.text).filter { $0.code == "MC1018" }
    #expect(
      findings.map(\.message) == [
        "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both"
      ])
    #expect(findings.map(\.mark) == [marked.markers["1"]!])
    #expect(findings.first?.path == "spec.rules[0].backendRefs[0].filters")
    #expect(findings.allSatisfy { $0.severity == .error })
  }

  @Test func anHTTPRoutePathDefaultsBeforeItsRulesRun() {
    // `matches` defaults to one PathPrefix `/` match, so a prefix rewrite is allowed without it;
    // a second match breaks the rule.
    let fine = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: shop}
      spec:
        rules:
        - filters:
          - type: URLRewrite
            urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
          backendRefs: [{name: web, port: 8080}]

      """
    #expect(validate(fine).filter { $0.code == "MC1018" }.isEmpty)
    let marked = MarkedText(
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: shop}
      spec:
        rules:
        - ⟨1⟩matches: [{path: {value: /a}}, {path: {value: /b}}]
          filters:
          - type: URLRewrite
            urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
          backendRefs: [{name: web, port: 8080}]

      """)
    let findings = validate(marked.text).filter { $0.code == "MC1018" }
    #expect(findings.map(\.mark) == [marked.markers["1"]!])
    #expect(findings.first?.message.hasPrefix("When using URLRewrite filter with path.replacePrefixMatch") == true)
  }

  @Test func aValueWithStructuralErrorsIsNotReportedTwice() {
    // `Prefix` is not in the path type's enum (MC1004); the rule listing the same types stays quiet.
    let marked = MarkedText(
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: shop}
      spec:
        rules:
        - matches: [{path: {type: ⟨1⟩Prefix, value: /a}}]
          backendRefs: [{name: web, port: 8080}]

      """)
    let findings = validate(marked.text).filter { $0.severity == .error }
    #expect(findings.map(\.code) == ["MC1004"])
    #expect(findings.map(\.mark) == [marked.markers["1"]!])
  }

  @Test func anIstioServiceEntryRuleFailsAtTheSpec() {
    let marked = MarkedText(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: external}
      spec: ⟨1⟩
        hosts: [api.example.com]
        ports: [{number: 443, name: https, protocol: TLS}]
        endpoints: [{address: 10.0.0.1}]

      """)
    let findings = validate(marked.text).filter { $0.code == "MC1018" }
    #expect(findings.map(\.message) == ["NONE mode cannot set endpoints"])
    #expect(findings.first?.path == "spec")
    #expect(findings.map(\.mark.line) == [marked.markers["1"]!.line + 1])
  }

  @Test func aFlaggerCanaryMirrorRuleFails() {
    let marked = MarkedText(
      """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      metadata: {name: web}
      spec:
        targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        service:
          port: 80
          mirror:
          - backendRef: ⟨1⟩{name: web-mirror}

      """)
    let findings = validate(marked.text).filter { $0.code == "MC1018" }
    #expect(findings.map(\.message) == ["Must have port for Service reference"])
    #expect(findings.map(\.mark) == [marked.markers["1"]!])
  }

  @Test func objectsWhoseRulesAreAllEvaluatedCountAsChecked() {
    // Argo Rollouts' only rule is a transition rule (`self == oldSelf`): it holds on creation.
    let rollout = """
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: nginx}]}

      """
    let peer = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default}
      spec:
        selector: {matchLabels: {app: web}}
        portLevelMtls: {"8080": {mode: DISABLE}}

      """
    for text in [rollout, peer] {
      let document = ManifestReader().parse(text, file: "in.yaml").documents[0]
      var coverage: [ObjectCoverage] = []
      #expect(Validator().validate(document, coverage: &coverage).filter { $0.severity == .error }.isEmpty)
      #expect(coverage == [.checked], "\(text)")
    }
    // A rule outside the subset (Istio's url() checks) keeps the object partially checked.
    let wasm = """
      apiVersion: extensions.istio.io/v1alpha1
      kind: WasmPlugin
      metadata: {name: filter}
      spec:
        url: oci://example.com/filter:1

      """
    var coverage: [ObjectCoverage] = []
    _ = Validator().validate(ManifestReader().parse(wasm, file: "in.yaml").documents[0], coverage: &coverage)
    #expect(coverage == [.partial])
  }
}

/// CEL on real manifests: the corpus directories whose kinds' only unevaluated constraints were
/// CEL rules are now checked in full (they were partially checked before the subset), with no
/// MC1018 on any of them (CorpusTests checks that no corpus file gets an error at all).
@Suite(.enabled(if: TestPaths.corpusExists, "needs ../shared/corpus"))
struct CELCorpusTests {
  @Test(arguments: ["policies/argo-rollouts", "policies/istio-testdata", "policies/microservices-demo-istio"])
  func everyObjectIsFullyChecked(directory: String) throws {
    var coverage: [ObjectCoverage] = []
    var celFindings: [String] = []
    for url in CorpusTests.files(under: directory) {
      for document in try CorpusTests.validate(url).documents {
        let findings = Validator().validate(document, coverage: &coverage)
        celFindings += findings.filter { $0.code == RuleCode.celRule }.map {
          "\($0.file):\($0.mark.line): \($0.message)"
        }
      }
    }
    #expect(coverage.count > 4)
    #expect(coverage.allSatisfy { $0 == .checked }, "\(coverage.filter { $0 != .checked }.count) not fully checked")
    #expect(celFindings.isEmpty, "\(celFindings)")
  }
}
