import Testing

@testable import KubeClient

private func response(_ code: Int, _ json: String) -> HTTPResponse {
  HTTPResponse(status: code, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
}

private let deployment = APIRequestContext(
  verb: "patch", group: "apps", resource: "deployments", name: "web", namespace: "prod")

@Suite struct APIStatusTests {
  @Test func applyConflictNamesTheManagersAndFieldsAndSuggestsForce() {
    let body = """
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
       "message":"Apply failed with 2 conflicts: conflicts with \\"kubectl-client-side-apply\\" using apps/v1:\\n- .spec.replicas\\n- .spec.template.spec.containers[name=\\"web\\"].image",
       "reason":"Conflict","details":{"causes":[
         {"reason":"FieldManagerConflict","message":"conflict with \\"kubectl-client-side-apply\\" using apps/v1","field":".spec.replicas"},
         {"reason":"FieldManagerConflict","message":"conflict with \\"kubectl-client-side-apply\\" using apps/v1","field":".spec.template.spec.containers[name=\\"web\\"].image"}]},
       "code":409}
      """
    let error = APIError(response: response(409, body), context: deployment)
    #expect(error.isConflict)
    #expect(error.failureClass == .conflict)
    #expect(
      error.conflicts == [
        FieldConflict(manager: "kubectl-client-side-apply", field: ".spec.replicas", apiVersion: "apps/v1"),
        FieldConflict(
          manager: "kubectl-client-side-apply", field: ".spec.template.spec.containers[name=\"web\"].image",
          apiVersion: "apps/v1"),
      ])
    #expect(
      error.description == """
        apply conflict on deployments.apps "web" in namespace "prod": 2 fields are managed by field manager "kubectl-client-side-apply":
          - .spec.replicas ("kubectl-client-side-apply" using apps/v1)
          - .spec.template.spec.containers[name="web"].image ("kubectl-client-side-apply" using apps/v1)
        re-run with --force-conflicts to take these fields over, or remove them from your manifest (kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts)
        """)
  }

  @Test func applyConflictIsReadFromTheMessageWhenThereAreNoCauses() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"Conflict","code":409,
       "message":"Apply failed with 1 conflict: conflict with \\"helm\\" using apps/v1: .spec.replicas"}
      """
    let error = APIError(response: response(409, body), context: deployment)
    #expect(error.conflicts == [FieldConflict(manager: "helm", field: ".spec.replicas", apiVersion: "apps/v1")])
    #expect(error.description.contains("--force-conflicts"))
  }

  @Test func aStaleResourceVersionIsAConflictButNotAnApplyConflict() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"Conflict","code":409,
       "message":"Operation cannot be fulfilled on deployments.apps \\"web\\": the object has been modified; please apply your changes to the latest version and try again"}
      """
    let error = APIError(response: response(409, body), context: deployment)
    #expect(error.category == .conflict)
    #expect(!error.isConflict)
    #expect(error.failureClass == .cluster)
  }

  @Test func aConflictStatusWithoutAMessageStillNamesTheRequest() {
    // Found by FuzzAPIStatus (Fuzz/corpus/FuzzAPIStatus/regression-conflict-without-message).
    let error = APIError(response: response(409, #"{"kind":"Status","reason":"Conflict"}"#), context: deployment)
    #expect(error.category == .conflict)
    #expect(
      error.description == #"patch deployments.apps "web" in namespace "prod": the server answered HTTP 409 Conflict"#)
    let invalid = APIError(response: response(422, #"{"kind":"Status","reason":"Invalid"}"#), context: deployment)
    #expect(invalid.category == .invalid)
    #expect(invalid.description.hasSuffix("the server answered HTTP 422 Unprocessable Entity"))
  }

  @Test func forbiddenNamesTheUserVerbAndResource() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"Forbidden","code":403,
       "message":"deployments.apps \\"web\\" is forbidden: User \\"alice\\" cannot patch resource \\"deployments\\" in API group \\"apps\\" in the namespace \\"prod\\"",
       "details":{"name":"web","group":"apps","kind":"deployments"}}
      """
    let error = APIError(response: response(403, body), context: deployment)
    #expect(error.category == .forbidden)
    #expect(
      error.description == """
        forbidden: user "alice" cannot patch deployments.apps in namespace "prod"; ask a cluster administrator for that RBAC permission (check with: kubectl auth can-i patch deployments.apps -n prod)
        """)
  }

  @Test func notFoundOnAResourceTypeSaysWhichGroupIsMissing() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"NotFound","code":404,"message":"the server could not find the requested resource","details":{}}
      """
    let context = APIRequestContext(
      verb: "patch", group: "networking.istio.io", resource: "virtualservices", name: "reviews", namespace: "bookinfo",
      providerHint: "Istio (istioctl install)")
    let error = APIError(response: response(404, body), context: context)
    #expect(error.category == .resourceTypeMissing)
    #expect(
      error.description == """
        the server has no virtualservices in networking.istio.io/v1: the API group networking.istio.io (or its CRDs) is not installed; install Istio (istioctl install)
        """)
  }

  @Test func notFoundOnAnObjectKeepsTheServersMessage() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"NotFound","code":404,"message":"deployments.apps \\"web\\" not found","details":{"name":"web","group":"apps","kind":"deployments"}}
      """
    let error = APIError(response: response(404, body), context: deployment)
    #expect(error.category == .notFound)
    #expect(error.description == "deployments.apps \"web\" not found")
  }

  @Test func invalidListsEachCauseAsABulletWithItsField() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"Invalid","code":422,
       "message":"Deployment.apps \\"web\\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers[0].name: Required value]",
       "details":{"name":"web","group":"apps","kind":"Deployment","causes":[
         {"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"},
         {"reason":"FieldValueRequired","message":"Required value","field":"spec.template.spec.containers[0].name"}]}}
      """
    let error = APIError(response: response(422, body), context: deployment)
    #expect(error.category == .invalid)
    #expect(
      error.description == """
        The Deployment "web" is invalid:
        * spec.replicas: Invalid value: -1: must be greater than or equal to 0
        * spec.template.spec.containers[0].name: Required value
        """)
  }

  @Test func serverErrorGivesTheMessage() {
    let body = """
      {"kind":"Status","status":"Failure","reason":"InternalError","code":500,"message":"Internal error occurred: etcdserver: request timed out"}
      """
    let error = APIError(response: response(500, body), context: deployment)
    #expect(error.category == .other)
    #expect(error.failureClass == .cluster)
    #expect(error.description == "Internal error occurred: etcdserver: request timed out")
  }

  @Test func aNonStatusBodyIsQuotedOnlyAtHighVerbosityAndCut() {
    let html = "<html><body>" + String(repeating: "bad gateway ", count: 40) + "</body></html>"
    let quiet = APIError(response: response(502, html), context: deployment, verbosity: 0)
    #expect(quiet.status == nil)
    #expect(
      quiet.description == """
        patch deployments.apps "web" in namespace "prod": the server answered HTTP 502 Bad Gateway (not a Kubernetes Status; run with -v=8 to see the body)
        """)
    let loud = APIError(response: response(502, html), context: deployment, verbosity: 8)
    #expect(loud.description.contains("<html><body>bad gateway"))
    #expect(loud.description.hasSuffix("[truncated \(html.utf8.count - 200) bytes]"))
  }

  @Test func anErrorFromADecodedBodyIsTheErrorFromTheAnswer() {
    // A caller building several errors from one answer decodes its body once.
    let bodies = [
      #"{"kind":"Status","code":404,"reason":"NotFound","message":"deployments.apps \"web\" not found","details":{"name":"web"}}"#,
      "<html>bad gateway</html>", #"{"kind":"Status","code":422,"reason":"Invalid"}"#,
    ]
    for body in bodies {
      for code in [403, 404, 409, 422, 502] {
        let answer = response(code, body)
        let decoded = APIStatus.decode(answer.body)
        #expect(
          APIError(response: answer, status: decoded, context: deployment, verbosity: 8)
            == APIError(response: answer, context: deployment, verbosity: 8))
      }
    }
  }

  @Test func aSecretFollowedByACombiningMarkIsStillRedacted() {
    // redact searches bytes, as its replacement compares scalars; a Character search did not
    // find the secret when a combining mark joined its last character.
    let redactor = SecretRedactor(secrets: ["hunter2-token"])
    #expect(redactor.redact("token hunter2-token\u{301} here") == "token <redacted>\u{301} here")
    #expect(redactor.redact("nothing to hide") == "nothing to hide")
  }

  @Test func decodeRejectsOtherKinds() {
    #expect(APIStatus.decode(Array(#"{"kind":"Deployment"}"#.utf8)) == nil)
    #expect(APIStatus.decode(Array("not json [".utf8)) == nil)
    #expect(APIStatus.decode([]) == nil)
  }
}
