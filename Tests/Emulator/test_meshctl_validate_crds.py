"""`meshctl validate --crd-from-cluster`: the CustomResourceDefinitions the real kubectl applied to the
emulator check custom resources at exact positions, in one list request; a cluster that cannot be
reached or answers with an error ends the run with exit 3."""

import os
import socket
import unittest

from test_meshctl_cluster import BUILT, MESHCTL, MeshctlTestCase

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
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
            properties:
              size: {type: integer, maximum: 10}
              mode: {type: string, enum: [fast, slow]}
"""

# Line 6, column 9: `mode` is not one of the CRD's enum.
WIDGET = """apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec:
  size: 3
  mode: fastest
"""

CRD_LIST = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class ValidateWithClusterCRDs(MeshctlTestCase):
    def test_a_crd_applied_by_kubectl_checks_custom_resources_at_exact_positions(self):
        self.kubectl_ok("apply", "-f", self.write("crd.yaml", CRD))
        widget = self.write("widget.yaml", WIDGET)
        offline = self.meshctl("validate", "-f", widget)
        self.assertEqual(offline.returncode, 0, offline.stdout)
        self.assertIn("1 unknown kind Widget.example.com/v1", offline.stdout)

        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("validate", "-f", widget, "--crd-from-cluster")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(f"{widget}:6:9: error: `mode` must be one of `fast`, `slow`, not `fastest` [MC1004]",
                      result.stdout)
        self.assertTrue(result.stdout.endswith("1 error, 0 warnings in 1 file (1 object)\n"), result.stdout)
        lists = [entry["path"] for entry in self.stats()["log"]
                 if entry["method"] == "GET" and entry["path"].startswith(CRD_LIST)]
        self.assertEqual(lists, [CRD_LIST])

    def test_an_error_answer_is_exit_3(self):
        self.faults({"errors": {"count": 100, "code": 500, "methods": ["GET"]}})
        result = self.meshctl("validate", "-f", self.write("widget.yaml", WIDGET), "--crd-from-cluster")
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")

    def test_an_unreachable_cluster_is_exit_3(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        kubeconfig = self.write("unreachable.kubeconfig", f"""apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {{server: "http://127.0.0.1:{port}"}}
contexts:
- name: gone
  context: {{cluster: gone, user: nobody}}
users:
- name: nobody
  user: {{token: t}}
current-context: gone
""")
        result = self.meshctl("validate", "-f", self.write("widget.yaml", WIDGET), "--crd-from-cluster",
                              "--request-timeout", "5s", kubeconfig=kubeconfig)
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertIn(f"127.0.0.1:{port}", result.stderr)


if __name__ == "__main__":
    unittest.main()
