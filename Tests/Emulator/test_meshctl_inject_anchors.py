"""`meshctl inject --provider linkerd` reading Linkerd's identity trust anchors from the cluster's
linkerd-identity-trust-roots ConfigMap (created here with the real kubectl), and saying so."""

import json
import os
import unittest

from test_meshctl_cluster import BUILT, MeshctlTestCase

WORKLOAD = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""


@unittest.skipUnless(BUILT, "meshctl is not built")
class InjectTrustAnchorsFromTheCluster(MeshctlTestCase):
    def trust_roots(self, namespace="linkerd", key="ca-bundle.crt"):
        """Applies the ConfigMap with the emulator's own CA certificate as the bundle; returns it."""
        with open(os.path.join(self.emulator.directory, "ca.crt")) as handle:
            certificate = handle.read()
        objects = {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "linkerd-identity-trust-roots", "namespace": namespace},
             "data": {key: certificate}},
        ]}
        path = self.write(f"trust-roots-{namespace}.json", json.dumps(objects))
        self.kubectl_ok("apply", "--server-side", "-f", path)
        return certificate

    def test_the_configmap_is_read_and_the_source_is_said(self):
        certificate = self.trust_roots()
        result = self.meshctl("inject", "--provider", "linkerd", "-f", "-", stdin=WORKLOAD)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr.splitlines(), [
            "identity trust anchors: 1 certificate from configmap linkerd/linkerd-identity-trust-roots in the cluster",
            "deployment/web injected",
        ])
        body = certificate.strip().splitlines()[1]
        self.assertIn("            " + body + "\n", result.stdout)
        self.assertTrue(result.stdout.startswith("apiVersion: v1\nkind: ConfigMap\n"))

    def test_offline_does_not_ask_the_cluster(self):
        self.trust_roots()
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("inject", "--provider", "linkerd", "--offline", "-f", "-", stdin=WORKLOAD)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertIn("--offline was given", result.stderr)
        paths = [entry["path"] for entry in self.stats()["log"]]
        self.assertFalse(any("configmaps" in path for path in paths), paths)

    def test_no_configmap_is_exit_1_with_nothing_on_stdout(self):
        result = self.meshctl("inject", "--provider", "linkerd", "-f", "-", stdin=WORKLOAD)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertIn("the cluster has no configmap linkerd/linkerd-identity-trust-roots", result.stderr)
        self.assertIn("hint: pass --identity-trust-anchors FILE", result.stderr)

    def test_the_control_plane_namespace_of_the_meshconfig_is_asked(self):
        self.trust_roots(namespace="mesh")
        config = self.write("linkerd.yaml", "apiVersion: meshctl.io/v1alpha1\nkind: MeshConfig\n"
                            "spec: {provider: linkerd, controlPlaneNamespace: mesh}\n")
        result = self.meshctl("inject", "--config", config, "-f", "-", stdin=WORKLOAD)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("from configmap mesh/linkerd-identity-trust-roots", result.stderr)


if __name__ == "__main__":
    unittest.main()
