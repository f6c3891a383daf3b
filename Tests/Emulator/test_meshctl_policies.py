"""TrafficSplit and MTLSPolicy end to end against the emulator: apply renders them for the mesh the
cluster serves, kubectl reads back what meshctl wrote, get rebuilds them, shift moves the weights."""

import json
import os
import signal
import subprocess
import time
import unittest

from emulator_fixtures import create_all, pod
from test_emulator_kubectl import MESHCTL, REPOSITORY
from test_meshctl_cluster import MeshctlTestCase

SHOP = os.path.join(REPOSITORY, "examples", "shop")


class PolicyTestCase(MeshctlTestCase):
    """The bundled shop example applied once per test (the emulator is reset before each test)."""

    def apply_shop(self, *extra, ready=True):
        result = self.meshctl("apply", "-f", SHOP, *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        if ready:
            self.start_shop_pods()
        return result

    def start_shop_pods(self, ready=True):
        """One Pod per workload of the shop example, Ready as given: the emulator runs no
        Deployment controller, and shift routes only to backends with ready pods."""
        create_all(self.admin, [
            pod("cart-v1-0", "shop", {"app": "cart", "version": "v1"}, ready=ready, ip="10.0.0.11"),
            pod("cart-v2-0", "shop", {"app": "cart", "version": "v2"}, ready=ready, ip="10.0.0.12"),
            pod("storefront-v1-0", "shop", {"app": "storefront", "version": "v1"}, ready=ready, ip="10.0.0.13"),
        ])

    def route_weights(self, kind, name="cart", namespace="shop"):
        route = self.get_json(kind, name, "-n", namespace)
        if kind == "virtualservice":
            default = route["spec"]["http"][-1]["route"]
            return {entry["destination"].get("subset") or entry["destination"]["host"]: entry["weight"] for entry in default}
        default = route["spec"]["rules"][-1]["backendRefs"]
        return {entry["name"]: entry["weight"] for entry in default}


class IstioPolicies(PolicyTestCase):
    groups = ("istio",)

    def test_apply_renders_for_istio_and_kubectl_reads_it_back(self):
        result = self.apply_shop()
        self.assertIn("virtualservice.networking.istio.io/cart serverside-applied", result.stdout)
        self.assertIn("destinationrule.networking.istio.io/cart serverside-applied", result.stdout)
        self.assertIn("peerauthentication.security.istio.io/default serverside-applied", result.stdout)
        # Routing and policy kinds come after the workloads they point at.
        lines = result.stdout.splitlines()
        self.assertGreater(lines.index("virtualservice.networking.istio.io/cart serverside-applied"),
                           lines.index("deployment.apps/cart-v2 serverside-applied"))
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        rule = self.get_json("destinationrule", "cart", "-n", "shop")
        self.assertEqual({s["name"]: s["labels"] for s in rule["spec"]["subsets"]},
                         {"v1": {"version": "v1"}, "v2": {"version": "v2"}})
        strict = self.get_json("peerauthentication", "payments-strict", "-n", "shop")
        self.assertEqual(strict["spec"]["mtls"]["mode"], "STRICT")
        self.assertEqual(strict["metadata"]["labels"]["app.kubernetes.io/managed-by"], "meshctl")
        self.assertEqual(strict["metadata"]["annotations"]["meshctl.io/source"], "MTLSPolicy/shop/payments-strict")

    def test_get_rebuilds_what_kubectl_shows(self):
        self.apply_shop()
        listed = self.meshctl("get", "trafficsplits", "-n", "shop")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(listed.stdout.split("\n")[1].split(), ["cart", "cart", "v1=90,v2=10"])
        listing = json.loads(self.meshctl("get", "ts", "-n", "shop", "-o", "json").stdout)
        self.assertEqual((listing["kind"], len(listing["items"])), ("List", 1))
        rebuilt = json.loads(self.meshctl("get", "ts", "cart", "-n", "shop", "-o", "json").stdout)
        self.assertEqual(rebuilt, listing["items"][0])
        with open(os.path.join(SHOP, "traffic.yaml")) as handle:
            self.assertIn("x-canary", handle.read())
        self.assertEqual(rebuilt["kind"], "TrafficSplit")
        self.assertEqual([b["weight"] for b in rebuilt["spec"]["backends"]], [90, 10])
        self.assertEqual(rebuilt["spec"]["match"][0]["backend"], "v2")
        policies = self.meshctl("get", "mtlspolicies", "-A")
        self.assertEqual(policies.returncode, 0, policies.stderr)
        rows = [line.split() for line in policies.stdout.splitlines()[1:]]
        self.assertIn(["shop", "default", "PERMISSIVE", "namespace"], rows)
        self.assertIn(["shop", "payments-strict", "STRICT", "app=payments"], rows)

    def test_shift_one_step_rescales_and_kubectl_agrees(self):
        self.apply_shop()
        result = self.meshctl("shift", "cart", "--to", "v2", "--weight", "35", "-n", "shop")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("v1=65,v2=35", result.stdout)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 65, "v2": 35})
        self.assertIn("v1=65,v2=35", self.meshctl("get", "ts", "-n", "shop").stdout)
        rollback = self.meshctl("shift", "cart", "--rollback", "-n", "shop")
        self.assertEqual(rollback.returncode, 0, rollback.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_steps_with_a_passing_gate(self):
        self.apply_shop()
        marker = os.path.join(self.scratch, "gate-log")
        gate = f'echo "$MESHCTL_BACKEND $MESHCTL_WEIGHT" >> {marker}'
        result = self.meshctl("shift", "cart", "--to", "v2", "--steps", "25,50,100", "--interval", "50ms",
                              "--gate", gate, "-n", "shop")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("step 3/3: shop/cart v1=0,v2=100", result.stderr)
        with open(marker) as handle:
            self.assertEqual(handle.read().split("\n")[:3], ["v2 25", "v2 50", "v2 100"])
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 0, "v2": 100})
        os.remove(marker)

    def test_gate_failure_restores_the_weights_and_exits_5(self):
        self.apply_shop()
        result = self.meshctl("shift", "cart", "--to", "v2", "--steps", "20,60,100", "--interval", "10ms",
                              "--gate", 'test "$MESHCTL_WEIGHT" -lt 50', "-n", "shop")
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertIn("the gate failed (exit 1) after step 2", result.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_interrupt_restores_the_weights(self):
        self.apply_shop()
        command = [MESHCTL, "shift", "cart", "--to", "v2", "--steps", "30,100", "--interval", "20s", "-n", "shop",
                   "--kubeconfig", self.emulator.kubeconfig]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(100):
                if self.route_weights("virtualservice") == {"v1": 70, "v2": 30}:
                    break
                time.sleep(0.1)
            self.assertEqual(self.route_weights("virtualservice"), {"v1": 70, "v2": 30})
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        self.assertEqual(process.returncode, 130, stderr)
        self.assertIn("interrupted: weights restored to v1=90,v2=10", stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        # The stepped shift's Lease goes with it.
        self.assertNotEqual(self.kubectl("get", "lease", "meshctl-shift-cart", "-n", "shop").returncode, 0)

    def test_shift_refuses_unknown_backends_and_dry_run_changes_nothing(self):
        self.apply_shop()
        unknown = self.meshctl("shift", "cart", "--to", "v3", "--weight", "10", "-n", "shop")
        self.assertEqual(unknown.returncode, 64, unknown.stderr)
        self.assertIn("no backend \"v3\"", unknown.stderr)
        missing = self.meshctl("shift", "nothing", "--to", "v2", "--weight", "10", "-n", "shop")
        self.assertEqual(missing.returncode, 1, missing.stderr)  # kubectl's NotFound
        self.admin.request("DELETE", "/_emulator/stats")
        dry = self.meshctl("shift", "cart", "--to", "v2", "--steps", "50,100", "--dry-run", "-n", "shop")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("step 2/2: shop/cart v1=0,v2=100 (dry run)", dry.stderr)
        self.assertEqual(self.writes(), [])

    def test_refused_before_any_request(self):
        self.apply_shop()
        cases = {
            "all-zero": ("backends:\n  - {name: v1, selector: {version: v1}, weight: 0}\n"
                         "  - {name: v2, selector: {version: v2}, weight: 0}\n", "MC1021"),
            "missing-match-backend": ("backends:\n  - {name: v1, selector: {version: v1}, weight: 100}\n"
                                      "  match:\n  - {headers: {x: {exact: a}}, backend: v9}\n", "MC1022"),
            "no-such-service": ("backends:\n  - {name: v1, service: cart-v9, weight: 100}\n", "MC5004"),
        }
        for name, (backends, code) in cases.items():
            path = self.write(f"{name}.yaml", "apiVersion: meshctl.io/v1alpha1\nkind: TrafficSplit\nmetadata:\n"
                              f"  name: {name}\n  namespace: shop\nspec:\n  service: cart\n  {backends}")
            self.admin.request("DELETE", "/_emulator/stats")
            result = self.meshctl("apply", "-f", path)
            self.assertEqual(result.returncode, 1, f"{name}: {result.stderr}")
            self.assertIn(code, result.stderr, name)
            self.assertEqual(self.writes(), [], f"{name}: a write was sent")

    def test_diff_and_delete_of_policies(self):
        self.apply_shop()
        same = self.meshctl("diff", "-f", SHOP)
        self.assertEqual((same.returncode, same.stdout), (0, ""), same.stderr)
        self.assertEqual(self.meshctl("shift", "cart", "--to", "v2", "--weight", "50", "-n", "shop").returncode, 0)
        # The shift holds the weights: diff hits the conflict apply would, and says the same.
        held = self.meshctl("diff", "-f", os.path.join(SHOP, "traffic.yaml"))
        self.assertEqual(held.returncode, 4, held.stderr)
        self.assertIn("meshctl shift cart --finish -n shop", held.stderr)
        changed = self.meshctl("diff", "--force-conflicts", "-f", os.path.join(SHOP, "traffic.yaml"))
        self.assertEqual(changed.returncode, 1, changed.stderr)
        self.assertIn("merged/networking.istio.io.v1.VirtualService.shop.cart", changed.stdout)
        deleted = self.meshctl("delete", "-f", os.path.join(SHOP, "traffic.yaml"), "-f", os.path.join(SHOP, "mtls.yaml"))
        self.assertEqual(deleted.returncode, 0, deleted.stderr)
        self.assertIn('virtualservices.networking.istio.io "cart" deleted', deleted.stdout)
        self.assertNotEqual(self.kubectl("get", "virtualservice", "cart", "-n", "shop").returncode, 0)
        self.assertEqual(self.meshctl("get", "ts", "-n", "shop").stdout, "")


class GetLikeKubectl(PolicyTestCase):
    """get's shapes as kubectl's: a List for 0, 1 and 2 items, the object for a name, NotFound."""
    groups = ("istio",)

    SECOND = """apiVersion: meshctl.io/v1alpha1
kind: TrafficSplit
metadata: {name: storefront, namespace: shop}
spec:
  service: storefront
  backends:
  - {name: v1, selector: {version: v1}, weight: 100}
"""

    def get(self, *arguments):
        return self.meshctl("get", "ts", "-n", "shop", *arguments)

    def test_a_list_is_a_list_with_zero_one_and_two_items(self):
        for expected in (0, 1, 2):
            if expected == 1:
                self.apply_shop(ready=False)
            if expected == 2:
                applied = self.meshctl("apply", "-f", "-", "--allow-empty", stdin=self.SECOND)
                self.assertEqual(applied.returncode, 0, applied.stderr)
            for output in ("json", "yaml"):
                result = self.get("-o", output)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("kind: List" if output == "yaml" else '"kind": "List"', result.stdout)
            listing = json.loads(self.get("-o", "json").stdout)
            self.assertEqual(len(listing["items"]), expected, listing)
            names = self.get("-o", "name").stdout.split()
            self.assertEqual(len(names), expected)
            jsonpath = self.get("-o", "jsonpath={.items[*].metadata.name}")
            self.assertEqual(jsonpath.stdout.split(), [item["metadata"]["name"] for item in listing["items"]])
        self.assertEqual(names, ["trafficsplit.meshctl.io/cart", "trafficsplit.meshctl.io/storefront"])

    def test_a_name_prints_the_object_and_jsonpath_reads_it(self):
        self.apply_shop(ready=False)
        one = json.loads(self.get("cart", "-o", "json").stdout)
        self.assertEqual((one["kind"], one["metadata"]["name"]), ("TrafficSplit", "cart"))
        weight = self.get("cart", "-o", "jsonpath={.spec.backends[0].weight}")
        self.assertEqual((weight.returncode, weight.stdout), (0, "90"), weight.stderr)
        ranged = self.meshctl("get", "ts", "-A", "-o",
                              'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}')
        self.assertEqual(ranged.stdout, "shop/cart\n")
        self.assertEqual(self.get("cart", "-o", "name").stdout, "trafficsplit.meshctl.io/cart\n")

    def test_a_missing_name_is_not_found_exit_1(self):
        self.apply_shop(ready=False)
        result = self.get("nosuch")
        self.assertEqual(result.stdout, "")
        self.assertIn('Error from server (NotFound): trafficsplits.meshctl.io "nosuch" not found', result.stderr)
        self.assertEqual(result.returncode, 1, result.stderr)

    def test_selector_filters_on_the_rendered_objects(self):
        self.apply_shop(ready=False)
        self.assertEqual(self.get("-l", "app.kubernetes.io/managed-by=meshctl", "-o", "name").stdout,
                         "trafficsplit.meshctl.io/cart\n")
        labelled = self.kubectl("label", "virtualservice", "cart", "-n", "shop", "tier=front")
        self.assertEqual(labelled.returncode, 0, labelled.stderr)
        self.assertEqual(self.get("-l", "tier=front", "-o", "name").stdout, "trafficsplit.meshctl.io/cart\n")
        self.assertEqual(self.get("-l", "tier=back", "-o", "name").stdout, "")

    def test_usage_errors(self):
        for arguments in (["nosuch", "-A"], ["cart", "-l", "a=b"], ["-o", "jsonpath={.a"], ["-o", "table"]):
            result = self.meshctl("get", "ts", *arguments)
            self.assertEqual(result.returncode, 64, (arguments, result.stderr))

    def test_watch_prints_the_listing_then_changes_and_resumes(self):
        self.apply_shop()
        command = [MESHCTL, "get", "ts", "-n", "shop", "--watch", "-o", "name", "--request-timeout", "9s",
                   "--kubeconfig", self.emulator.kubeconfig]
        watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.5)
            applied = self.meshctl("apply", "-f", "-", "--allow-empty", stdin=self.SECOND)
            self.assertEqual(applied.returncode, 0, applied.stderr)
            # A change after the first window (5 s) shows that the watch resumed.
            time.sleep(5)
            shifted = self.meshctl("shift", "cart", "--to", "v2", "--weight", "30", "-n", "shop")
            self.assertEqual(shifted.returncode, 0, shifted.stderr)
            stdout, stderr = watcher.communicate(timeout=30)
        finally:
            if watcher.poll() is None:
                watcher.kill()
                watcher.communicate()
        self.assertEqual(watcher.returncode, 0, stderr)
        self.assertEqual(stdout.splitlines(), ["trafficsplit.meshctl.io/cart", "trafficsplit.meshctl.io/storefront",
                                               "trafficsplit.meshctl.io/cart"])


class GatewayRoutingOnIstio(PolicyTestCase):
    groups = ("istio", "gateway")

    def test_routing_gateway_api_writes_an_httproute_that_shift_moves(self):
        result = self.apply_shop("--routing", "gateway-api")
        self.assertIn("httproute.gateway.networking.k8s.io/cart serverside-applied", result.stdout)
        self.assertNotIn("virtualservice", result.stdout)
        route = self.get_json("httproute", "cart", "-n", "shop")
        self.assertEqual(route["spec"]["parentRefs"][0]["kind"], "Service")
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 90, "cart-v2": 10})
        shifted = self.meshctl("shift", "cart", "--to", "v2", "--weight", "40", "-n", "shop")
        self.assertEqual(shifted.returncode, 0, shifted.stderr)
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 60, "cart-v2": 40})


class LinkerdPolicies(PolicyTestCase):
    groups = ("linkerd", "gateway")

    def test_detected_linkerd_gets_httproutes_backend_services_and_policy(self):
        result = self.apply_shop()
        self.assertIn("httproute.gateway.networking.k8s.io/cart serverside-applied", result.stdout)
        self.assertIn("service/cart-v1 serverside-applied", result.stdout)
        backend = self.get_json("service", "cart-v2", "-n", "shop")
        self.assertEqual(backend["spec"]["selector"], {"app": "cart", "version": "v2"})
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 90, "cart-v2": 10})
        namespace = self.get_json("namespace", "shop")
        self.assertEqual(namespace["metadata"]["annotations"]["config.linkerd.io/default-inbound-policy"],
                         "all-unauthenticated")
        servers = json.loads(self.kubectl_ok("get", "servers.policy.linkerd.io", "-n", "shop", "-o", "json"))
        self.assertTrue(servers["items"], "no Server for the STRICT workload policy")
        listed = self.meshctl("get", "ts", "-n", "shop")
        self.assertIn("v1=90,v2=10", listed.stdout)
        shifted = self.meshctl("shift", "cart", "--to", "v2", "--weight", "100", "-n", "shop")
        self.assertEqual(shifted.returncode, 0, shifted.stderr)
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 0, "cart-v2": 100})
        deleted = self.meshctl("delete", "-f", os.path.join(SHOP, "traffic.yaml"))
        self.assertEqual(deleted.returncode, 0, deleted.stderr)
        self.assertIn('httproutes.gateway.networking.k8s.io "cart" deleted', deleted.stdout)
        self.assertIn('services "cart-v1" deleted', deleted.stdout)
        self.assertNotEqual(self.kubectl("get", "httproute", "cart", "-n", "shop").returncode, 0)
        self.assertEqual(self.kubectl("get", "service", "cart", "-n", "shop").returncode, 0, "the parent Service went too")

    def test_disable_is_refused_on_linkerd(self):
        path = self.write("off.yaml", "apiVersion: meshctl.io/v1alpha1\nkind: MTLSPolicy\nmetadata:\n"
                          "  name: off\n  namespace: default\nspec:\n  mode: DISABLE\n")
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Linkerd", result.stderr)


if __name__ == "__main__":
    unittest.main()
