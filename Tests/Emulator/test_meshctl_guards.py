"""apply's guards against the emulator (issue 11): a TrafficSplit that would send traffic to a backend
with no ready endpoints is refused with nothing written (`--allow-empty` writes it), and a workload
that would run under STRICT mTLS without a sidecar is refused (`--force` writes it). The real kubectl
reads the state back; the emulator's statistics show what was sent and how many reads the guards cost."""

import unittest

import emulator_fixtures as fixtures
from test_meshctl_cluster import BUILT, MESHCTL, MeshctlTestCase

SHOP = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app: cart
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: cart-v3
  namespace: shop
spec:
  selector:
    app: cart
    version: v3
  ports:
  - port: 80
    targetPort: 8080
"""


def split(v1, v3, backend="selector: {version: v3}"):
    return f"""apiVersion: meshctl.io/v1alpha1
kind: TrafficSplit
metadata:
  name: cart
  namespace: shop
spec:
  service: cart
  backends:
  - {{name: v1, selector: {{version: v1}}, weight: {v1}}}
  - {{name: v3, {backend}, weight: {v3}}}
"""


def deployment(name, labels):
    label_lines = "".join(f'        {key}: "{value}"\n' for key, value in labels.items())
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
{label_lines}    spec:
      containers:
      - name: app
        image: nginx:1.27
"""


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class ReadyEndpointGuard(MeshctlTestCase):
    groups = ("istio",)

    def setUp(self):
        super().setUp()
        self.kubectl_ok("apply", "--server-side", "-f", self.write("shop.yaml", SHOP))
        fixtures.create_all(self.admin, [
            fixtures.pod("cart-v1-a", "shop", {"app": "cart", "version": "v1"}, ready=True, ip="10.0.0.1"),
            fixtures.pod("cart-v3-a", "shop", {"app": "cart", "version": "v3"}, ready=False, ip="10.0.0.2"),
        ])
        self.admin.request("DELETE", "/_emulator/stats")

    def route_exists(self):
        return self.kubectl("get", "virtualservice", "cart", "-n", "shop").returncode == 0

    def test_a_backend_without_ready_pods_is_refused_and_nothing_is_written(self):
        path = self.write("split.yaml", split(80, 20))
        for extra in ((), ("--dry-run=client",)):
            result = self.meshctl("apply", "-f", path, *extra)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("error: TrafficSplit shop/cart: backend v3 (selector version=v3) has no ready pods: "
                          "0 of 1 pod matching app=cart,version=v3 is ready", result.stderr)
            self.assertIn("--allow-empty", result.stderr)
            self.assertIn("nothing was sent to the cluster", result.stderr)
            self.assertEqual(result.stdout, "")
        self.assertEqual([m for m in ("PATCH", "POST", "PUT", "DELETE") if self.writes(m)], [])
        self.assertFalse(self.route_exists())

    def test_allow_empty_writes_and_a_ready_pod_lifts_the_refusal(self):
        path = self.write("split.yaml", split(80, 20))
        allowed = self.meshctl("apply", "-f", path, "--allow-empty")
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        self.assertIn("Warning: --allow-empty: TrafficSplit shop/cart: backend v3", allowed.stderr)
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        weights = {r["destination"]["subset"]: r["weight"] for r in route["spec"]["http"][-1]["route"]}
        self.assertEqual(weights, {"v1": 80, "v3": 20})

        fixtures.set_pod_ready(self.admin, "shop", "cart-v3-a", True)
        again = self.meshctl("apply", "-f", self.write("split2.yaml", split(50, 50)))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertNotIn("ready", again.stderr)
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        self.assertEqual([r["weight"] for r in route["spec"]["http"][-1]["route"]], [50, 50])

    def test_a_service_backend_counts_its_endpoint_slices(self):
        fixtures.create(self.admin, fixtures.endpoint_slice("cart-v3", "shop", ready=(False, False)))
        path = self.write("split.yaml", split(90, 10, backend="service: cart-v3"))
        refused = self.meshctl("apply", "-f", path)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("backend v3 (service cart-v3) has no ready endpoints: its EndpointSlice lists 2 endpoints, "
                      "none ready", refused.stderr)
        self.assertFalse(self.route_exists())
        fixtures.create(self.admin, fixtures.endpoint_slice("cart-v3", "shop", ready=(True,), name="cart-v3-b",
                                                            first_ip=9))
        applied = self.meshctl("apply", "-f", path)
        self.assertEqual(applied.returncode, 0, applied.stderr)
        self.assertTrue(self.route_exists())

    def test_zero_weight_is_not_checked_and_the_guard_reads_little(self):
        documents = [split(100, 0)] + [deployment(f"w{i}", {"app": f"w{i}"}) for i in range(20)]
        result = self.meshctl("apply", "-f", self.write("many.yaml", "---\n".join(documents)))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(self.route_exists())
        reads = [path for path, _ in self.writes("GET") if "/namespaces/" in path]
        # Rendering lists Services and three workload kinds; the readiness guard Services and Pods;
        # the STRICT guard the Namespace and two PeerAuthentication lists: never one per object.
        self.assertLessEqual(len(reads), 10, reads)


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class StrictGuard(MeshctlTestCase):
    groups = ("istio",)

    STRICT = """apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
"""

    def setUp(self):
        super().setUp()
        self.kubectl_ok("apply", "--server-side", "-f",
                        self.write("shop.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
                                   "  labels:\n    istio-injection: enabled\n---\n" + self.STRICT))
        self.admin.request("DELETE", "/_emulator/stats")

    def test_an_opted_out_workload_under_strict_is_refused_and_force_writes_it(self):
        path = self.write("legacy.yaml", deployment("legacy", {"app": "legacy", "sidecar.istio.io/inject": "false"}))
        refused = self.meshctl("apply", "-f", path)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("error: shop/deployment/legacy would run under STRICT mTLS (STRICT, from PeerAuthentication "
                      "shop/default) with no istio-proxy sidecar", refused.stderr)
        self.assertIn("--force", refused.stderr)
        self.assertIn("nothing was sent to the cluster", refused.stderr)
        self.assertEqual([m for m in ("PATCH", "POST", "PUT", "DELETE") if self.writes(m)], [])
        self.assertNotEqual(self.kubectl("get", "deployment", "legacy", "-n", "shop").returncode, 0)

        forced = self.meshctl("apply", "-f", path, "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertIn("Warning: --force: shop/deployment/legacy would run under STRICT mTLS", forced.stderr)
        self.assertEqual(forced.stdout, "deployment.apps/legacy serverside-applied\n")
        stored = self.get_json("deployment", "legacy", "-n", "shop")
        self.assertEqual(stored["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"], "false")

    def test_a_workload_the_namespace_injects_goes_through(self):
        result = self.meshctl("apply", "-f", self.write("web.yaml", deployment("web", {"app": "web"})))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.kubectl("get", "deployment", "web", "-n", "shop").returncode, 0)

    def test_a_strict_policy_in_the_input_is_held_to_the_rule_of_mtls_enable(self):
        self.kubectl_ok("delete", "peerauthentication", "default", "-n", "shop")
        self.kubectl_ok("apply", "--server-side", "-f",
                        self.write("legacy.yaml", deployment("legacy", {"app": "legacy",
                                                                        "sidecar.istio.io/inject": "false"})))
        policy = ("apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata:\n  name: default\n"
                  "  namespace: shop\nspec:\n  mode: STRICT\n")
        path = self.write("policy.yaml", policy)
        enable = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "shop")
        self.assertEqual(enable.returncode, 1, enable.stderr)
        refused = self.meshctl("apply", "-f", path)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("shop/deployment/legacy would run under STRICT mTLS (STRICT, from MTLSPolicy shop/default)",
                      refused.stderr)
        self.assertNotEqual(self.kubectl("get", "peerauthentication", "default", "-n", "shop").returncode, 0)


if __name__ == "__main__":
    unittest.main()
