import Manifest
import Testing

@testable import MeshSchema

/// The generated structure of the built-in kinds and mesh CRDs, under the hand-written rules:
/// one representative error per newly covered kind, at its exact position, and nothing else.
struct GeneratedStructureTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var kind: String
    var code: String
    var marked: String
    var hint: String?
    var testDescription: String { kind }
  }

  static let cases: [Case] = [
    Case(
      kind: "ConfigMap", code: "MC1003",
      marked: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n⟨1⟩date:\n  key: value\n",
      hint: "did you mean `data`?"),
    Case(
      kind: "Secret", code: "MC1003",
      marked: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n⟨1⟩stringdata: {password: x}\n",
      hint: "did you mean `stringData`?"),
    Case(
      kind: "ServiceAccount", code: "MC1001",
      marked: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\nautomountServiceAccountToken: ⟨1⟩\"maybe\"\n"
    ),
    Case(
      kind: "Ingress", code: "MC1001",
      marked: """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
          - http:
              paths:
              - path: /
                pathType: Prefix
                backend: {service: {name: web, port: {number: ⟨1⟩"80"}}}

        """),
    Case(
      kind: "NetworkPolicy", code: "MC1003",
      marked: """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db}
        spec:
          podSelector: {matchLabels: {app: db}}
          policyTypes: [Ingress]
          ingress:
          - ⟨1⟩form: [{podSelector: {matchLabels: {app: web}}}]

        """, hint: "did you mean `from`?"),
    Case(
      kind: "HorizontalPodAutoscaler v2", code: "MC1003",
      marked: """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 3
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, ⟨1⟩averageUtilisation: 80}}

        """, hint: "did you mean `averageUtilization`?"),
    Case(
      kind: "PodDisruptionBudget", code: "MC1003",
      marked:
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  ⟨1⟩minAvailabe: 1\n  selector: {matchLabels: {app: web}}\n",
      hint: "did you mean `minAvailable`?"),
    Case(
      kind: "Role", code: "MC1001",
      marked:
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: ⟨1⟩get\n"
    ),
    Case(
      kind: "RoleBinding", code: "MC1003",
      marked: """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: rb}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
        subjects:
        - {kind: ServiceAccount, name: sa, ⟨1⟩namspace: shop}

        """, hint: "did you mean `namespace`?"),
    Case(
      kind: "ClusterRole", code: "MC1003",
      marked:
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n  ⟨1⟩resourceName: [web]\n",
      hint: "did you mean `resourceNames`?"),
    Case(
      kind: "CustomResourceDefinition", code: "MC1003",
      marked: """
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
                  spec: {type: object, ⟨1⟩propertes: {size: {type: integer}}}

        """, hint: "did you mean `properties`?"),
    Case(
      kind: "Namespace", code: "MC1003",
      marked: "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\nspec: {⟨1⟩finalizer: [kubernetes]}\n",
      hint: "did you mean `finalizers`?"),
    Case(
      kind: "LimitRange", code: "MC1006",
      marked:
        "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: ⟨1⟩1x}\n"
    ),
    Case(
      kind: "ResourceQuota", code: "MC1003",
      marked: "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  ⟨1⟩hrad: {pods: \"10\"}\n",
      hint: "did you mean `hard`?"),
    Case(
      kind: "PriorityClass", code: "MC1001",
      marked: "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: ⟨1⟩high\n"),
    Case(
      kind: "StorageClass", code: "MC1003",
      marked:
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: example.com/disk\n⟨1⟩reclaimpolicy: Delete\n",
      hint: "did you mean `reclaimPolicy`?"),
    Case(
      kind: "PersistentVolumeClaim", code: "MC1006",
      marked:
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: ⟨1⟩10GB}}\n"
    ),
    Case(
      kind: "EndpointSlice", code: "MC1001",
      marked:
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1]}]\nports: [{name: http, port: ⟨1⟩http}]\n"
    ),
    Case(
      kind: "Lease", code: "MC1001",
      marked:
        "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: leader}\nspec: {holderIdentity: a, leaseDurationSeconds: ⟨1⟩\"15\"}\n"
    ),
    Case(
      kind: "ValidatingWebhookConfiguration", code: "MC1003",
      marked: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: check}
        webhooks:
        - name: check.example.com
          admissionReviewVersions: [v1]
          sideEffects: None
          clientConfig: {service: {name: check, namespace: system}}
          ⟨1⟩failurPolicy: Fail

        """, hint: "did you mean `failurePolicy`?"),
    Case(
      kind: "Deployment volume source", code: "MC1003",
      marked: """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: web:1}]
              volumes: [{name: cfg, configMap: {⟨1⟩nme: web}}]

        """, hint: "did you mean `name`?"),
    Case(
      kind: "VirtualService", code: "MC1003",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews, subset: v1}
              ⟨1⟩wieght: 10

        """, hint: "did you mean `weight`?"),
    Case(
      kind: "DestinationRule", code: "MC1004",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            tls:
              mode: ⟨1⟩MUTUALL

        """, hint: "did you mean `MUTUAL`?"),
    Case(
      kind: "Istio Gateway", code: "MC1001",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: web}
        spec:
          servers:
          - port: {number: ⟨1⟩http, name: http, protocol: HTTP}
            hosts: ["*"]

        """),
    Case(
      kind: "Flagger Canary", code: "MC1003",
      marked: """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: web}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          service: {port: 80}
          analysis: {interval: 1m, threshold: 5, ⟨1⟩maxWieght: 50, stepWeight: 10}

        """, hint: "did you mean `maxWeight`?"),
  ]

  @Test(arguments: cases)
  func errorLandsOnItsMarker(_ example: Case) throws {
    let marked = MarkedText(example.marked)
    let findings = validate(marked.text)
    let mark = try #require(marked.markers["1"])
    let summary = findings.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.message)" }
    #expect(findings.count == 1, "\(summary)")
    let finding = try #require(findings.first)
    #expect(finding.code == example.code && finding.mark == mark && finding.severity == .error, "\(summary)")
    if let hint = example.hint { #expect(finding.hint == hint) }
  }

  @Test func secretDataIsBase64() {
    #expect(Formats.isBase64("c2VjcmV0") && Formats.isBase64("YQ==") && Formats.isBase64("c2Vj\ncmV0") && Formats.isBase64(""))
    #expect(!Formats.isBase64("secret!") && !Formats.isBase64("YQ") && !Formats.isBase64("Y===") && !Formats.isBase64("YQ==YQ=="))
    let marked = MarkedText("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  ok: c2VjcmV0\n  bad: ⟨1⟩not base64\n")
    let findings = validate(marked.text)
    #expect(findings.map(\.code) == ["MC1006"] && findings.first?.mark == marked.markers["1"])
  }

  @Test func theFixedExamplesAreClean() {
    let fixed = [
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  key: value\n",
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n",
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 10Gi}}\n",
    ]
    for text in fixed { #expect(validate(text).isEmpty, "\(validate(text).map(\.message))") }
  }

  // MARK: - Kubernetes releases

  static func codes(_ text: String, release: String) throws -> [String] {
    let catalog = try #require(SchemaCatalog(kubernetesVersion: release))
    let (documents, _) = ManifestReader().parse(text, file: "test.yaml")
    return documents.flatMap(Validator(catalog: catalog).validate).map(\.code)
  }

  @Test func releasesAreChosenByMinorVersion() {
    #expect(SchemaCatalog.kubernetesVersions == ["1.33", "1.34", "1.35", "1.36", "1.37"])
    #expect(SchemaCatalog.defaultKubernetesVersion == "1.37")
    #expect(SchemaCatalog(kubernetesVersion: "v1.33.2")?.kubernetesVersion == "1.33")
    #expect(SchemaCatalog(kubernetesVersion: "1.35")?.kubernetesVersion == "1.35")
    #expect(SchemaCatalog(kubernetesVersion: "1.24") == nil)
    #expect(SchemaCatalog(kubernetesVersion: "latest") == nil)
  }

  @Test func aKindNotYetServedIsReportedWithTheReleasesThatServeIt() throws {
    let claim = "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: gpu}\nspec: {}\n"
    #expect(try Self.codes(claim, release: "1.34") == [])
    #expect(try Self.codes(claim, release: "1.33") == ["MC1016"])
    let catalog = try #require(SchemaCatalog(kubernetesVersion: "1.33"))
    let (documents, _) = ManifestReader().parse(claim, file: "test.yaml")
    let finding = try #require(Validator(catalog: catalog).validate(documents[0]).first)
    #expect(
      finding.message == "`resource.k8s.io/v1` `ResourceClaim` is not served by Kubernetes 1.33 (only by 1.34–1.37)")
    #expect(finding.mark == SourceMark(line: 1, column: 13))
  }

  @Test func removedVersionsNameTheServedOne() throws {
    let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\n"
    let findings = validate(text)
    #expect(findings.map(\.code) == ["MC1016"])
    #expect(findings.first?.hint == "use `apiVersion: apps/v1`")
    #expect(findings.first?.mark == SourceMark(line: 1, column: 13))
    #expect(
      validate("apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n").map(\.code) == ["MC1016"])
    let typo = validate("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n")
    #expect(typo.map(\.code) == ["MC1016"] && typo.first?.hint == "did you mean `Deployment`?")
  }

  @Test func misspeltKindsOfCarriedCRDGroupsAreErrorsAndNewOnesAreNot() {
    let typo = validate("apiVersion: networking.istio.io/v1\nkind: VirtualServce\nmetadata: {name: r}\n")
    #expect(typo.map(\.code) == ["MC1016"])
    #expect(typo.first?.hint == "did you mean `VirtualService`?" && typo.first?.mark == SourceMark(line: 2, column: 7))
    // Not close to a carried kind, or a carried kind at a version meshctl does not carry: maybe
    // newer than the pinned CRDs, so not checked rather than refused.
    #expect(validate("apiVersion: networking.istio.io/v1\nkind: TrafficMirror\nmetadata: {name: r}\n").isEmpty)
    #expect(validate("apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: r}\n").isEmpty)
  }

  // MARK: - CRDs given at run time

  static let fooCRD = """
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
                required: [size]
                properties:
                  size: {type: integer, minimum: 1, maximum: 10}
                  mode: {type: string, enum: [fast, slow]}
                  port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                  extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  name: {type: string, pattern: "^[a-z]+$"}
      - name: v0
        served: false
        storage: false
        schema: {openAPIV3Schema: {type: object}}

    """

  /// A replica (one per worker thread) follows the CustomResourceDefinitions added to its
  /// origin after it resolved a kind, and passes on those added to it.
  @Test func aReplicaFollowsTheCustomResourceDefinitionsOfItsOrigin() throws {
    let origin = try #require(SchemaCatalog(kubernetesVersion: "1.37"))
    let replica = origin.replica()
    let other = replica.replica()
    guard case .unknown = replica.resolve(apiVersion: "example.com/v1", kind: "Foo") else {
      Issue.record("Foo is unknown before its definition")
      return
    }
    #expect(replica.kubernetesVersion == "1.37")
    #expect(other.addCustomResourceDefinition(try #require(Node.parse(Self.fooCRD))) == ["Foo.example.com/v1"])
    for catalog in [origin, replica, other] {
      guard case .schema(_, complete: true) = catalog.resolve(apiVersion: "example.com/v1", kind: "Foo") else {
        Issue.record("Foo is checked once defined, in every catalog of the family")
        continue
      }
    }
  }

  @Test func aCustomResourceDefinitionChecksItsResources() throws {
    let catalog = try #require(SchemaCatalog(kubernetesVersion: "1.37"))
    let crd = try #require(Node.parse(Self.fooCRD))
    #expect(catalog.addCustomResourceDefinition(crd) == ["Foo.example.com/v1"])
    let marked = MarkedText(
      """
      apiVersion: example.com/v1
      kind: Foo
      metadata: {name: ⟨4⟩Bad_Name}
      spec:
        size: ⟨1⟩11
        mode: ⟨2⟩fsat
        port: http
        extra: {anything: [goes]}
        ⟨3⟩colour: red

      """)
    let (documents, _) = ManifestReader().parse(marked.text, file: "foo.yaml")
    var coverage: [ObjectCoverage] = []
    let findings = Validator(catalog: catalog).validate(documents[0], coverage: &coverage)
    let expected: [(String, String)] = [("MC1006", "4"), ("MC1005", "1"), ("MC1004", "2"), ("MC1003", "3")]
    #expect(findings.map(\.code) == expected.map(\.0))
    #expect(findings.map(\.mark) == expected.map { marked.markers[$0.1]! })
    #expect(findings.allSatisfy { $0.severity == .error })
    #expect(coverage == [.checked])
    // A field with a pattern meshctl does not evaluate makes the object partially checked.
    let named = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec: {size: 1, name: abc}\n"
    let (more, _) = ManifestReader().parse(named, file: "foo.yaml")
    coverage = []
    #expect(Validator(catalog: catalog).validate(more[0], coverage: &coverage).isEmpty)
    #expect(coverage == [.partial])
    // The version that is not served stays unknown.
    #expect(catalog.resolve(apiVersion: "example.com/v0", kind: "Foo").isUnknown)
  }

  @Test func aSessionUsesTheCRDsOfItsInputAndCountsCoverage() throws {
    let resource = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec: {size: 0}\n"
    var session = ValidationSession(retainsSourceLines: true)
    for document in ManifestReader().parse(resource + "---\n" + Self.fooCRD + "---\n" + resource, file: "in.yaml")
      .documents
    {
      session.add(document)
    }
    session.finishInput("in.yaml", readerFindings: [])
    let report = session.finish { _, _ in [:] }
    // Before its CRD the resource is not checked; after it, it is.
    #expect(report.diagnostics.map(\.code) == ["MC1005"])
    #expect(report.diagnostics.first?.mark.line == 38)
    #expect(report.coverage.unknown == 1 && report.coverage.partial == 0)
    #expect(
      report.summaryLine == "1 error, 0 warnings in 1 file (3 objects: 2 checked, 1 unknown kind Foo.example.com/v1)")
  }

  @Test func uncheckedKindsAreErrorsOnlyWhenAsked() {
    let text = "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n"
    #expect(validate(text).isEmpty)
    let (documents, _) = ManifestReader().parse(text, file: "test.yaml")
    let strict = Validator(options: ValidationOptions(uncheckedIsError: true)).validate(documents[0])
    #expect(strict.map(\.code) == ["MC1017"])
    #expect(strict.first?.mark == SourceMark(line: 2, column: 7))
  }

  // MARK: - The compiler and the overlay

  @Test func theOverlayKeepsHandWrittenRulesAndAddsTheGeneratedFields() {
    // Hand-written: a duplicate container name (MC1009) and the port-name format; generated:
    // the fields meshctl does not model (a volume source's keys).
    let text = """
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
        - {name: web, image: web:1, ports: [{containerPort: 80, name: HTTP_PORT}]}
        - {name: web, image: web:2}
        volumes: [{name: v, emptyDir: {medium: Memory, sizeLimitt: 1Gi}}]

      """
    #expect(validate(text).map(\.code).sorted() == ["MC1003", "MC1006", "MC1009"])
  }

  @Test func kindsAreResolvedOnceWithTheirDefinitionsInPlace() throws {
    let catalog = try #require(SchemaCatalog(kubernetesVersion: "1.37"))
    guard case .schema(let configMap, _) = catalog.resolve(apiVersion: "v1", kind: "ConfigMap"),
      case .schema(let crd, _) = catalog.resolve(
        apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")
    else {
      Issue.record("ConfigMap or CustomResourceDefinition has no schema")
      return
    }
    // Resolved in place: the walk takes no lock ...
    guard case .object(let object) = configMap else {
      Issue.record("ConfigMap is not an object: \(configMap)")
      return
    }
    #expect(object.property(named: "data") != nil && object.unknownFields == .error)
    // ... but a recursive definition (JSONSchemaProps) stays lazy where it meets itself.
    #expect(Self.containsLazy(crd, depth: 12))
    #expect(GeneratedSchemas.definitionCount > 1000)
  }

  static func containsLazy(_ schema: Schema, depth: Int) -> Bool {
    guard depth > 0 else { return false }
    switch schema {
    case .lazy: return true
    case .object(let object): return object.properties.contains { containsLazy($0.schema, depth: depth - 1) }
    case .map(let map): return containsLazy(map.values, depth: depth - 1)
    case .array(let array): return containsLazy(array.items, depth: depth - 1)
    case .unchecked(let inner, _), .cel(let inner, _): return containsLazy(inner, depth: depth - 1)
    case .anyOf(let choices, _): return choices.contains { containsLazy($0, depth: depth - 1) }
    default: return false
    }
  }
}

extension KindResolution {
  var isUnknown: Bool {
    if case .unknown = self { return true }
    return false
  }
}
