import KubeClient

/// The environment variables meshctl reads (and the ones it sets for `shift --gate`), as
/// `meshctl help environment` and the man pages' ENVIRONMENT section list them.
public enum EnvironmentHelp {
  /// Name and meaning, in the order a reader looks for them.
  public static let variables: [(name: String, meaning: String)] = [
    (
      "KUBECONFIG",
      "kubeconfig files, colon-separated and merged as kubectl merges them, when --kubeconfig is not given"
    ),
    ("HOME", "where ~/.kube/config is read from when neither --kubeconfig nor KUBECONFIG is given"),
    ("NO_COLOR", "when set, no colour whatever the terminal (TERM=dumb too)"),
    ("KUBECTL_EXTERNAL_DIFF", "the program diff runs on the live and the applied object, as kubectl diff does"),
    (
      PrometheusLocator.environmentVariable,
      "the Prometheus base URL when --prometheus is not given (shift --analysis, mtls check, top)"
    ),
    (PrometheusAccess.tokenVariable, "a bearer token for that Prometheus"),
    (PrometheusAccess.certificateAuthorityVariable, "a PEM file of the CA that signed that Prometheus's certificate"),
    ("TMPDIR", "where validate spools its cross-document summaries past 2 MiB (else /tmp)"),
    (
      "MESHCTL_SERVICE, MESHCTL_BACKEND, MESHCTL_WEIGHT",
      "set for shift's --gate command: the Service, the backend and its new weight"
    ),
  ]

  /// The list as `meshctl help environment` prints it.
  public static var table: String {
    "ENVIRONMENT:\n" + variables.map { "  \($0.name)\n      \($0.meaning)\n" }.joined()
  }
}
