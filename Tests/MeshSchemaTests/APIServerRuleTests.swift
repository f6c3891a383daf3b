import Manifest
import Testing
@testable import MeshSchema

/// The API server rules (MC1101–MC1112) and Istio's validation (MC1113, MC1114): each case is a
/// manifest the server (or istiod) refuses, with `⟨1⟩` where the finding must point, exactly, and
/// the only error it may raise.
struct APIServerRuleCase: Sendable, CustomTestStringConvertible {
  var name: String
  var code: String
  var path: String
  var marked: String
  var testDescription: String { "\(name) → \(code)" }
}

@Suite struct APIServerRuleTests {
  static let cases: [APIServerRuleCase] = [
    APIServerRuleCase(
      name: "no name", code: "MC1101", path: "metadata",
      marked: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  ⟨1⟩labels: {app: web}\ndata: {a: b}\n"),
    APIServerRuleCase(
      name: "no metadata", code: "MC1101", path: "",
      marked: "⟨1⟩apiVersion: v1\nkind: ServiceAccount\n"),
    APIServerRuleCase(
      name: "subdomain name", code: "MC1102", path: "metadata.name",
      marked: "apiVersion: v1\nkind: Secret\nmetadata: {name: ⟨1⟩My_Secret}\n"),
    APIServerRuleCase(
      name: "RBAC path segment", code: "MC1102", path: "metadata.name",
      marked: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ⟨1⟩a/b}\nrules: []\n"),
    APIServerRuleCase(
      name: "CronJob name length", code: "MC1102", path: "metadata.name",
      marked: """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: ⟨1⟩\(String(repeating: "a", count: 53))}
        spec:
          schedule: "@daily"
          jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}

        """),
    APIServerRuleCase(
      name: "CRD name", code: "MC1102", path: "metadata.name",
      marked: """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: ⟨1⟩widget.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]

        """),
    APIServerRuleCase(
      name: "label key on a generated-only kind", code: "MC1006", path: "metadata.labels.-app",
      marked: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {⟨1⟩-app: web}\n"),
    APIServerRuleCase(
      name: "selector mismatch", code: "MC1103", path: "spec.selector.matchLabels.app",
      marked: """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          selector: {matchLabels: {app: ⟨1⟩db}}
          template:
            metadata: {labels: {app: database}}
            spec: {containers: [{name: db, image: db:1}]}

        """),
    APIServerRuleCase(
      name: "selector expression", code: "MC1103", path: "spec.selector.matchExpressions[0]",
      marked: """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          selector:
            matchExpressions:
            - ⟨1⟩{key: app, operator: In, values: [agent]}
          template:
            metadata: {labels: {app: probe}}
            spec: {containers: [{name: agent, image: agent:1}]}

        """),
    APIServerRuleCase(
      name: "manual selector missing", code: "MC1103", path: "spec",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          ⟨1⟩manualSelector: true
          template:
            metadata: {labels: {job: once}}
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "Job manual selector", code: "MC1103", path: "spec.selector.matchLabels.job",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          manualSelector: true
          selector: {matchLabels: {job: ⟨1⟩once}}
          template:
            metadata: {labels: {job: twice}}
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "ReplicationController selector", code: "MC1103", path: "spec.selector.app",
      marked: """
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: web}
        spec:
          selector: {app: ⟨1⟩web}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: web, image: web:1}]}

        """),
    APIServerRuleCase(
      name: "Deployment restartPolicy", code: "MC1104", path: "spec.template.spec.restartPolicy",
      marked: """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              restartPolicy: ⟨1⟩OnFailure
              containers: [{name: web, image: web:1}]

        """),
    APIServerRuleCase(
      name: "CronJob restartPolicy missing", code: "MC1104",
      path: "spec.jobTemplate.spec.template.spec.restartPolicy",
      marked: """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  ⟨1⟩containers: [{name: report, image: report:1}]

        """),
    APIServerRuleCase(
      name: "image in a template", code: "MC1105", path: "spec.template.spec.containers[0].image",
      marked: """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - ⟨1⟩name: web
                ports: [{containerPort: 80}]

        """),
    APIServerRuleCase(
      name: "unnamed Service port", code: "MC1106", path: "spec.ports[1].name",
      marked: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - {name: http, port: 80}\n  - ⟨1⟩{port: 443}\n"),
    APIServerRuleCase(
      name: "duplicate Service port", code: "MC1106", path: "spec.ports[1].port",
      marked: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - {name: a, port: 80}\n  - {name: b, port: ⟨1⟩80}\n"),
    APIServerRuleCase(
      name: "duplicate container port name", code: "MC1106",
      path: "spec.containers[0].ports[1].name",
      marked: """
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
          - name: web
            image: web:1
            ports:
            - {name: http, containerPort: 80}
            - {name: ⟨1⟩http, containerPort: 81}

        """),
    APIServerRuleCase(
      name: "env name with =", code: "MC1107", path: "spec.containers[0].env[0].name",
      marked: """
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
          - name: web
            image: web:1
            env:
            - name: ⟨1⟩A=B
              value: x

        """),
    APIServerRuleCase(
      name: "clusterIPs", code: "MC1108", path: "spec.clusterIPs[1]",
      marked: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIPs: [10.0.0.1, ⟨1⟩None]\n  ports: [{port: 80}]\n"),
    APIServerRuleCase(
      name: "loadBalancerIP", code: "MC1108", path: "spec.loadBalancerIP",
      marked: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: ⟨1⟩lb.example.com\n  ports: [{port: 80}]\n"),
    APIServerRuleCase(
      name: "TZ in schedule", code: "MC1109", path: "spec.schedule",
      marked: """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: ⟨1⟩"CRON_TZ=UTC 0 1 * * *"
          jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}

        """),
    APIServerRuleCase(
      name: "StatefulSet update strategy", code: "MC1110", path: "spec.updateStrategy.type",
      marked: """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          updateStrategy: {type: ⟨1⟩Recreate}
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: db:1}]}

        """),
    APIServerRuleCase(
      name: "null container", code: "MC1002", path: "spec.containers[1]",
      marked: "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, image: web:1}\n  - ⟨1⟩null\n"),
    APIServerRuleCase(
      name: "PDB both bounds", code: "MC1007", path: "spec.maxUnavailable",
      marked: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 1\n  ⟨1⟩maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n"),
    APIServerRuleCase(
      name: "HPA bounds", code: "MC1005", path: "spec.maxReplicas",
      marked: """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 5
          maxReplicas: ⟨1⟩3

        """),
    APIServerRuleCase(
      name: "ExternalName", code: "MC1007", path: "spec.type",
      marked: "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  type: ⟨1⟩ExternalName\n"),
    APIServerRuleCase(
      name: "rolling update that cannot progress", code: "MC1007",
      path: "spec.strategy.rollingUpdate.maxUnavailable",
      marked: """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: ⟨1⟩0%}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web:1}]}

        """),
    APIServerRuleCase(
      name: "liveness successThreshold", code: "MC1005",
      path: "spec.containers[0].livenessProbe.successThreshold",
      marked: """
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
          - name: web
            image: web:1
            livenessProbe: {httpGet: {port: 80}, successThreshold: ⟨1⟩2}

        """),
    APIServerRuleCase(
      name: "Ingress pathType", code: "MC1110", path: "spec.rules[0].http.paths[0].pathType",
      marked: """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
          - http:
              paths:
              - path: /
                pathType: ⟨1⟩Prefixed
                backend: {service: {name: web, port: {number: 80}}}

        """),
    APIServerRuleCase(
      name: "memory request above limit", code: "MC1111",
      path: "spec.template.spec.containers[0].resources.requests.memory",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: once
                image: once:1
                resources:
                  requests: {memory: ⟨1⟩1Gi}
                  limits: {memory: 1000Mi}

        """),
    APIServerRuleCase(
      name: "Job selector without manualSelector", code: "MC1112", path: "spec.selector.matchLabels.app",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          selector: {matchLabels: {job-name: once, app: ⟨1⟩once}}
          template:
            metadata: {labels: {app: once}}
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "Job selector expression without manualSelector", code: "MC1112", path: "spec.selector.matchExpressions[1]",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          manualSelector: false
          selector:
            matchExpressions:
            - {key: batch.kubernetes.io/job-name, operator: In, values: [once]}
            - ⟨1⟩{key: app, operator: Exists}
          template:
            metadata: {labels: {app: once}}
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "Job template controller-uid label", code: "MC1112",
      path: #"spec.template.metadata.labels["batch.kubernetes.io/controller-uid"]"#,
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
            metadata:
              labels:
                batch.kubernetes.io/controller-uid: ⟨1⟩0d7b6c3e-3f7a-4c1e-9a55-2f3d9a1b7c10
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "Job template job-name label", code: "MC1112", path: "spec.template.metadata.labels.job-name",
      marked: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
            metadata: {labels: {job-name: ⟨1⟩twice}}
            spec: {restartPolicy: Never, containers: [{name: once, image: once:1}]}

        """),
    APIServerRuleCase(
      name: "CronJob template selector", code: "MC1112", path: "spec.jobTemplate.spec.selector",
      marked: """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              ⟨1⟩selector: {matchLabels: {app: nightly}}
              template:
                metadata: {labels: {app: nightly}}
                spec: {restartPolicy: OnFailure, containers: [{name: a, image: a}]}

        """),
    APIServerRuleCase(
      name: "CronJob template manualSelector", code: "MC1112", path: "spec.jobTemplate.spec.manualSelector",
      marked: """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              manualSelector: ⟨1⟩true
              template: {spec: {restartPolicy: OnFailure, containers: [{name: a, image: a}]}}

        """),
    APIServerRuleCase(
      name: "ServiceEntry IP host", code: "MC1113", path: "spec.hosts[1]",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db}
        spec:
          hosts: [db.example.com, ⟨1⟩10.0.0.7]
          ports: [{number: 5432, name: tcp, protocol: TCP}]

        """),
    APIServerRuleCase(
      name: "ServiceEntry inner wildcard", code: "MC1113", path: "spec.hosts[0]",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api}
        spec:
          hosts:
          - ⟨1⟩api.*.example.com
          ports: [{number: 443, name: https, protocol: HTTPS}]

        """),
    APIServerRuleCase(
      name: "ServiceEntry uppercase host", code: "MC1113", path: "spec.hosts[0]",
      marked: """
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata: {name: api}
        spec:
          hosts: [⟨1⟩API.example.com]
          ports: [{number: 443, name: https, protocol: HTTPS}]

        """),
    APIServerRuleCase(
      name: "ServiceEntry DNS wildcard without endpoints", code: "MC1113", path: "spec.hosts[0]",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: google}
        spec:
          hosts: [⟨1⟩"*.googleapis.com"]
          ports: [{number: 443, name: https, protocol: HTTPS}]
          resolution: DNS

        """),
    APIServerRuleCase(
      name: "ServiceEntry several hosts over TCP", code: "MC1113", path: "spec.ports[1].protocol",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: dbs}
        spec:
          hosts: [a.db.example.com, b.db.example.com]
          ports:
          - {number: 443, name: https, protocol: https}
          - {number: 5432, name: postgres, protocol: ⟨1⟩TCP}
          resolution: DNS

        """),
    APIServerRuleCase(
      name: "delegate VirtualService with gateways", code: "MC1114", path: "spec.gateways",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          ⟨1⟩gateways: [edge]
          http:
          - route:
            - destination: {host: reviews}

        """),
    APIServerRuleCase(
      name: "delegate VirtualService delegating again", code: "MC1114", path: "spec.http[0].delegate",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          http:
          - match: [{uri: {prefix: /v2}}]
            ⟨1⟩delegate: {name: reviews-v2}

        """),
    APIServerRuleCase(
      name: "root route with a redirect", code: "MC1114", path: "spec.http[1].redirect",
      marked: """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo}
        spec:
          hosts: [bookinfo.example.com]
          http:
          - match: [{uri: {prefix: /reviews}}]
            delegate: {name: reviews}
          - match: [{uri: {prefix: /old}}]
            delegate: {name: old}
            ⟨1⟩redirect: {uri: /new}

        """),
  ]

  @Test(arguments: cases)
  func findingLandsOnItsMarkerAndIsTheOnlyError(_ rule: APIServerRuleCase) throws {
    let marked = MarkedText(rule.marked)
    let findings = validate(marked.text)
    let mark = try #require(marked.markers["1"])
    let errors = findings.filter { $0.severity == .error }
    let describe = findings.map { "\($0.mark.line):\($0.mark.column) \($0.code) \($0.path ?? "-") \($0.message)" }
    #expect(errors.count == 1, "\(describe)")
    let finding = try #require(errors.first { $0.code == rule.code && $0.mark == mark }, "\(describe)")
    #expect((finding.path ?? "") == rule.path)
    #expect(finding.sourceLine != nil)
  }

  @Test(arguments: [
    "*/15 * * * *", "0 0 1,15 * mon-fri", "@every 1h30m", "@midnight", "30 4 ? jan-mar 0", "0-59/5 0-23 1-31 1-12 0-6",
  ])
  func cronSchedulesTheControllerParses(_ schedule: String) {
    #expect(CronSchedule.problem(schedule) == nil)
  }

  @Test(arguments: ["* * * *", "60 * * * *", "* * 0 * *", "* * * 13 *", "* * * * 7", "*/0 * * * *", "5-1 * * * *", "@often", "0 0 * * fri-"])
  func cronSchedulesTheControllerRefuses(_ schedule: String) {
    #expect(CronSchedule.problem(schedule) != nil)
  }

  /// Headless and dual-stack Services, generateName, exempt kinds and RBAC names with colons pass.
  @Test func validObjectsPass() {
    let text = """
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      spec:
        clusterIP: None
        clusterIPs: [None]
        externalIPs: [203.0.113.7, "2001:db8::7"]
        ports: [{port: 5432}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {generateName: web-}
      spec:
        containers:
        - name: web
          image: web:1
          env: [{name: my.env-name, value: x}, {name: "1_STARTS_WITH_DIGIT", value: y}]
          resources: {requests: {cpu: 250m}, limits: {cpu: "1"}}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: "system:aggregate-to-view"}
      rules: []
      ---
      apiVersion: authentication.k8s.io/v1
      kind: TokenReview
      spec: {token: abc}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: plain}
      spec:
        template:
          metadata: {labels: {app: plain, job-name: plain}}
          spec: {restartPolicy: Never, containers: [{name: a, image: a}]}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: named}
      spec:
        selector: {matchLabels: {batch.kubernetes.io/job-name: named}, matchExpressions: [{key: app, operator: DoesNotExist}]}
        template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {generateName: batch-}
      spec:
        selector: {matchLabels: {job-name: batch-x1}}
        template:
          metadata: {labels: {job-name: batch-x1}}
          spec: {restartPolicy: Never, containers: [{name: a, image: a}]}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: manual}
      spec:
        manualSelector: true
        selector: {}
        template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: nightly}
      spec:
        schedule: "@daily"
        jobTemplate:
          spec:
            manualSelector: false
            selector: null
            template: {spec: {restartPolicy: OnFailure, containers: [{name: a, image: a}]}}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: external}
      spec:
        hosts: [api.example.com, "*.googleapis.com", "*-cdn.example.net", "svc.example.org.", "123"]
        addresses: [10.0.0.7]
        ports: [{number: 443, name: https, protocol: HTTPS}, {number: 80, name: http, protocol: HTTP2}]
        resolution: DNS
        endpoints: [{address: 10.0.0.7}]
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: passthrough}
      spec:
        hosts: [a.db.example.com, b.db.example.com]
        ports: [{number: 5432, name: tcp, protocol: TCP}]

      """
    let errors = validate(text).filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors.map { "\($0.mark.line) \($0.code) \($0.message)" })")
  }

  /// A name the hand-written schema already rejects is reported once, by it.
  @Test func oneFindingPerPlace() {
    let findings = validate("apiVersion: v1\nkind: Service\nmetadata: {name: Web}\nspec: {ports: [{port: 80}]}\n")
    #expect(findings.map(\.code) == ["MC1006"])
  }
}
