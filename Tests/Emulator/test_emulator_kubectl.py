"""The emulator driven by the real kubectl: kubectl's own output and exit status are the oracle."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_client import EmulatorClient  # noqa: E402
from kube_emulator import Emulator  # noqa: E402

KUBECTL = shutil.which("kubectl")
OPENSSL = shutil.which("openssl")
TOOLS_PRESENT = bool(KUBECTL and OPENSSL)
MISSING = "kubectl is not on PATH" if not KUBECTL else "openssl is not on PATH"

NAMESPACE = """apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
  labels:
    app: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {ns}
spec:
  selector:
    app: web
  ports:
  - port: 80
"""


def manifest(ns, replicas=2):
    """A Namespace, a Deployment and a Service in one multi-document YAML."""
    return "---\n".join(t.format(ns=ns, replicas=replicas) for t in (NAMESPACE, DEPLOYMENT, SERVICE))


@unittest.skipUnless(TOOLS_PRESENT, MISSING)
class KubectlTestCase(unittest.TestCase):
    """Starts one emulator (in-process) for the class; every kubectl call gets its kubeconfig."""

    groups = ()

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="kube-emulator-test-")
        cls.emulator = Emulator(os.path.join(cls.scratch, "emulator"), groups=cls.groups).start()
        cls.admin = EmulatorClient(cls.emulator.directory, cls.emulator.port, cls.emulator.credentials.admin_token)

    @classmethod
    def tearDownClass(cls):
        cls.admin.close()
        cls.emulator.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def kubectl(self, *arguments, stdin=None, context=None):
        """Runs kubectl against the emulator; returns the CompletedProcess (text)."""
        command = [KUBECTL, "--kubeconfig", self.emulator.kubeconfig,
                   "--cache-dir", os.path.join(self.scratch, "cache")]
        if context:
            command += ["--context", context]
        return subprocess.run(command + list(arguments), input=stdin, capture_output=True, text=True, timeout=30)

    def kubectl_ok(self, *arguments, **options):
        """Runs kubectl and asserts it succeeded; returns stdout."""
        result = self.kubectl(*arguments, **options)
        self.assertEqual(result.returncode, 0, f"kubectl {' '.join(arguments)} failed:\n{result.stderr}")
        return result.stdout

    def write(self, name, text):
        """Writes a manifest into the scratch directory and returns its path."""
        path = os.path.join(self.scratch, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def get_json(self, *arguments):
        """`kubectl get ... -o json`, decoded."""
        return json.loads(self.kubectl_ok("get", *arguments, "-o", "json"))


class ServerSideApplyWithKubectl(KubectlTestCase):
    def test_apply_get_reapply_delete(self):
        path = self.write("shop.yaml", manifest("shop"))
        out = self.kubectl_ok("apply", "--server-side", "-f", path)
        self.assertEqual(out.splitlines(), ["namespace/shop serverside-applied",
                                            "deployment.apps/web serverside-applied",
                                            "service/web serverside-applied"])
        yaml_text = self.kubectl_ok("get", "deployment", "web", "-n", "shop", "-o", "yaml", "--show-managed-fields")
        for expected in ("replicas: 2", "image: nginx:1.27", "manager: kubectl", "operation: Apply",
                         "f:replicas: {}"):
            self.assertIn(expected, yaml_text)
        before = self.get_json("deployment", "web", "-n", "shop")
        self.assertEqual(self.kubectl_ok("apply", "--server-side", "-f", path), out)
        after = self.get_json("deployment", "web", "-n", "shop")
        self.assertEqual(after["metadata"]["resourceVersion"], before["metadata"]["resourceVersion"])
        self.assertEqual(after["metadata"]["generation"], 1)
        out = self.kubectl_ok("delete", "-f", path)
        self.assertEqual(out.splitlines(), ['namespace "shop" deleted', 'deployment.apps "web" deleted',
                                            'service "web" deleted'])
        missing = self.kubectl("get", "deployment", "web", "-n", "shop")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("NotFound", missing.stderr)

    def test_conflict_between_managers_and_force(self):
        self.kubectl_ok("apply", "--server-side", "-f", self.write("a.yaml", manifest("conflicts")))
        other = self.write("b.yaml", DEPLOYMENT.format(ns="conflicts", replicas=5))
        refused = self.kubectl("apply", "--server-side", "--field-manager=other", "-f", other)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
                      refused.stderr)
        self.assertIn("--force-conflicts", refused.stderr)
        self.assertEqual(self.get_json("deployment", "web", "-n", "conflicts")["spec"]["replicas"], 2)
        out = self.kubectl_ok("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other)
        self.assertEqual(out.strip(), "deployment.apps/web serverside-applied")
        live = self.get_json("deployment", "web", "-n", "conflicts", "--show-managed-fields")
        self.assertEqual(live["spec"]["replicas"], 5)
        self.assertEqual(live["metadata"]["generation"], 2)
        owners = {e["manager"]: e["fieldsV1"].get("f:spec", {}) for e in live["metadata"]["managedFields"]}
        self.assertIn("f:replicas", owners["other"])
        self.assertNotIn("f:replicas", owners["kubectl"])

    def test_dry_run_server_persists_nothing(self):
        # As on a real server, a dry-run namespace does not exist for the objects after it: they go to `default`.
        text = NAMESPACE.format(ns="dry") + "---\n" + DEPLOYMENT.format(ns="default", replicas=1)
        out = self.kubectl_ok("apply", "--server-side", "--dry-run=server", "-f", self.write("dry.yaml", text))
        self.assertEqual(out.splitlines(), ["namespace/dry serverside-applied (server dry run)",
                                            "deployment.apps/web serverside-applied (server dry run)"])
        self.assertIn('namespaces "dry" not found', self.kubectl("get", "namespace", "dry").stderr)
        self.assertIn('deployments.apps "web" not found', self.kubectl("get", "deployment", "web").stderr)
        refused = self.kubectl("apply", "--server-side", "--dry-run=server", "-f",
                               self.write("dry2.yaml", DEPLOYMENT.format(ns="nowhere", replicas=1)))
        self.assertIn('namespaces "nowhere" not found', refused.stderr)

    def test_diff_server_side(self):
        path = self.write("diff.yaml", manifest("diff"))
        self.kubectl_ok("apply", "--server-side", "-f", path)
        same = self.kubectl("diff", "--server-side", "-f", path)
        self.assertEqual((same.returncode, same.stdout), (0, ""))
        changed = self.kubectl("diff", "--server-side", "-f",
                               self.write("diff2.yaml", DEPLOYMENT.format(ns="diff", replicas=3)))
        self.assertEqual(changed.returncode, 1, changed.stderr)
        self.assertIn("-  replicas: 2\n+  replicas: 3", changed.stdout)
        self.assertEqual(self.get_json("deployment", "web", "-n", "diff")["spec"]["replicas"], 2)

    def test_client_side_apply_and_table_output(self):
        self.kubectl_ok("apply", "-f", self.write("csa.yaml", manifest("csa")))
        table = self.kubectl_ok("get", "deployments", "-n", "csa")
        self.assertEqual(table.split()[:3], ["NAME", "AGE", "web"])
        self.assertEqual(self.kubectl_ok("get", "deploy", "-n", "csa", "-l", "app=web", "-o", "name").strip(),
                         "deployment.apps/web")
        self.assertEqual(self.kubectl_ok("get", "deploy", "-n", "csa", "-l", "app!=web", "-o", "name").strip(), "")

    def test_unknown_field_is_rejected_by_strict_validation(self):
        text = NAMESPACE.format(ns="strict") + "surprise: true\n"
        refused = self.kubectl("apply", "--server-side", "-f", self.write("strict.yaml", text))
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('unknown field "surprise"', refused.stderr)


class AuthenticationWithKubectl(KubectlTestCase):
    def test_version_shows_the_emulator(self):
        self.assertIn("Server Version: v1.32.0-emulator", self.kubectl_ok("version"))

    def test_token_and_client_certificate_contexts(self):
        for context in ("emulator-token", "emulator-cert", "emulator-alice"):
            self.assertEqual(self.kubectl_ok("get", "namespace", "default", "-o", "name", context=context).strip(),
                             "namespace/default", context)

    def test_wrong_token_is_unauthorized(self):
        result = self.kubectl("--token", "wrong", "get", "namespaces")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Unauthorized", result.stderr)

    def test_forbidden_action_prints_the_servers_message(self):
        status, _, _ = self.admin.request("POST", "/_emulator/rbac", {"deny": [
            {"user": "alice", "verb": "patch", "group": "apps", "resource": "deployments", "namespace": "rbac"}]})
        self.assertEqual(status, 200)
        try:
            self.kubectl_ok("apply", "--server-side", "-f", self.write("rbac.yaml", manifest("rbac")))
            denied = self.kubectl("apply", "--server-side", "-f", self.write("rbac.yaml", manifest("rbac")),
                                  context="emulator-alice")
            self.assertNotEqual(denied.returncode, 0)
            self.assertIn('Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments" '
                          'in API group "apps" in the namespace "rbac"', denied.stderr)
            can_i = self.kubectl("auth", "can-i", "patch", "deployments", "-n", "rbac", context="emulator-alice")
            self.assertEqual((can_i.returncode, can_i.stdout.split()[0]), (1, "no"))
            self.assertEqual(self.kubectl_ok("auth", "can-i", "get", "deployments", "-n", "rbac",
                                             context="emulator-alice").strip(), "yes")
        finally:
            self.admin.request("DELETE", "/_emulator/rbac")


class MeshGroupsWithKubectl(KubectlTestCase):
    def resource_names(self):
        return set(self.kubectl_ok("api-resources", "-o", "name").split())

    def test_istio_groups_appear_only_when_switched_on(self):
        self.assertNotIn("virtualservices.networking.istio.io", self.resource_names())
        self.admin.request("POST", "/_emulator/groups", {"enabled": ["istio", "gateway", "linkerd"]})
        try:
            names = self.resource_names()
            for expected in ("virtualservices.networking.istio.io", "destinationrules.networking.istio.io",
                             "peerauthentications.security.istio.io", "httproutes.gateway.networking.k8s.io",
                             "servers.policy.linkerd.io", "authorizationpolicies.policy.linkerd.io"):
                self.assertIn(expected, names)
            self.kubectl_ok("apply", "--server-side", "-f", self.write("vs.yaml", (
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: web\n"
                "  namespace: default\nspec:\n  hosts: [web]\n")))
            self.assertEqual(self.kubectl_ok("get", "vs", "-o", "name").strip(),
                             "virtualservice.networking.istio.io/web")
        finally:
            self.admin.request("POST", "/_emulator/groups", {"enabled": []})
        self.assertNotIn("virtualservices.networking.istio.io", self.resource_names())


class MeshGroupsFromTheStart(KubectlTestCase):
    groups = ("istio",)

    def test_groups_given_at_start_are_served(self):
        out = self.kubectl_ok("api-resources", "--api-group=security.istio.io", "-o", "name")
        self.assertEqual(out.split(), ["peerauthentications.security.istio.io"])


VIRTUAL_SERVICE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: cart
  namespace: {ns}
spec:
  hosts: [cart]
  http:
  - route:
    - destination: {{host: cart, subset: v1}}
      weight: {v1}
    - destination: {{host: cart, subset: v2}}
      weight: {v2}
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: cart
    version: {version}
spec:
  containers:
  - name: cart
    image: example/cart:1
status:
  phase: Running
  podIP: 10.0.0.7
  conditions:
  - type: Ready
    status: "{ready}"
"""
LEASE = """apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: {name}
  namespace: {ns}
{version}spec:
  holderIdentity: {holder}
  leaseDurationSeconds: 30
  acquireTime: "{time}"
  renewTime: "{time}"
"""
ENDPOINT_SLICE = """apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}
  namespace: {ns}
  labels:
    kubernetes.io/service-name: {service}
addressType: IPv4
ports:
- name: http
  port: 8080
  protocol: TCP
endpoints:
- addresses: ["10.1.0.1"]
  conditions: {{ready: {ready}}}
"""


def with_resource_version(text, version):
    """A manifest with `metadata.resourceVersion` set (after the name line)."""
    return text.replace("  name: web\n", f'  name: web\n  resourceVersion: "{version}"\n', 1)


class ResourceVersionPreconditionsWithKubectl(KubectlTestCase):
    def setUp(self):
        self.kubectl_ok("apply", "--server-side", "-f", self.write("rv.yaml", manifest("rv")))
        self.stale = self.get_json("deployment", "web", "-n", "rv")["metadata"]["resourceVersion"]
        self.kubectl_ok("patch", "deployment", "web", "-n", "rv", "--type=merge", "-p", '{"spec":{"replicas":3}}')
        self.current = self.get_json("deployment", "web", "-n", "rv")["metadata"]["resourceVersion"]

    def tearDown(self):
        self.kubectl_ok("delete", "deployment", "web", "-n", "rv")

    def assert_conflict(self, result):
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
                      "please apply your changes to the latest version and try again", result.stderr)
        live = self.get_json("deployment", "web", "-n", "rv")
        self.assertEqual((live["spec"]["replicas"], live["metadata"]["resourceVersion"]), (3, self.current))

    def test_replace_with_a_stale_resource_version_is_refused_and_a_current_one_is_not(self):
        text = DEPLOYMENT.format(ns="rv", replicas=5)
        self.assert_conflict(self.kubectl("replace", "-f", self.write("stale.yaml", with_resource_version(
            text, self.stale))))
        self.kubectl_ok("replace", "-f", self.write("current.yaml", with_resource_version(text, self.current)))
        self.assertEqual(self.get_json("deployment", "web", "-n", "rv")["spec"]["replicas"], 5)

    def test_server_side_apply_with_a_stale_resource_version_is_refused(self):
        text = DEPLOYMENT.format(ns="rv", replicas=3)
        refused = self.kubectl("apply", "--server-side", "--force-conflicts", "-f",
                               self.write("stale-ssa.yaml", with_resource_version(text, self.stale)))
        self.assert_conflict(refused)
        out = self.kubectl_ok("apply", "--server-side", "--force-conflicts", "-f",
                              self.write("current-ssa.yaml", with_resource_version(text, self.current)))
        self.assertEqual(out.strip(), "deployment.apps/web serverside-applied")

    def test_merge_patch_carrying_a_stale_resource_version_is_refused(self):
        patch = json.dumps({"metadata": {"resourceVersion": self.stale}, "spec": {"replicas": 9}})
        self.assert_conflict(self.kubectl("patch", "deployment", "web", "-n", "rv", "--type=merge", "-p", patch))


class FieldOwnershipOfAtomicListsWithKubectl(KubectlTestCase):
    groups = ("istio",)

    def test_two_field_managers_conflict_on_the_whole_list_until_forced(self):
        self.kubectl_ok("apply", "-f", self.write("ns-owners.yaml", NAMESPACE.format(ns="owners")))
        self.kubectl_ok("apply", "--server-side", "--field-manager=meshctl", "-f",
                        self.write("vs-apply.yaml", VIRTUAL_SERVICE.format(ns="owners", v1=90, v2=10)))
        shift = self.write("vs-shift.yaml", VIRTUAL_SERVICE.format(ns="owners", v1=50, v2=50))
        self.kubectl_ok("apply", "--server-side", "--field-manager=meshctl-shift", "--force-conflicts", "-f", shift)
        again = self.kubectl("apply", "--server-side", "--field-manager=meshctl", "-f",
                             self.write("vs-again.yaml", VIRTUAL_SERVICE.format(ns="owners", v1=90, v2=10)))
        self.assertNotEqual(again.returncode, 0)
        self.assertIn('Apply failed with 1 conflict: conflict with "meshctl-shift" using networking.istio.io/v1: '
                      ".spec.http", again.stderr)
        live = self.get_json("virtualservice", "cart", "-n", "owners", "--show-managed-fields")
        self.assertEqual([r["weight"] for r in live["spec"]["http"][0]["route"]], [50, 50])
        owners = {e["manager"]: e["fieldsV1"]["f:spec"] for e in live["metadata"]["managedFields"]}
        # The list is one field: its owner owns all of it (no per-item entries), the hosts stay shared.
        self.assertEqual(owners["meshctl-shift"], {"f:hosts": {}, "f:http": {}})
        self.assertEqual(owners["meshctl"], {"f:hosts": {}})
        # The same value as the live one is no conflict (shared ownership); --force-conflicts takes it back.
        self.kubectl_ok("apply", "--server-side", "--field-manager=meshctl", "-f",
                        self.write("vs-same.yaml", VIRTUAL_SERVICE.format(ns="owners", v1=50, v2=50)))
        self.kubectl_ok("apply", "--server-side", "--field-manager=meshctl", "--force-conflicts", "-f",
                        self.write("vs-force.yaml", VIRTUAL_SERVICE.format(ns="owners", v1=90, v2=10)))
        live = self.get_json("virtualservice", "cart", "-n", "owners", "--show-managed-fields")
        self.assertEqual([r["weight"] for r in live["spec"]["http"][0]["route"]], [90, 10])
        owners = {e["manager"]: e["fieldsV1"]["f:spec"] for e in live["metadata"]["managedFields"]}
        self.assertEqual(owners["meshctl"], {"f:hosts": {}, "f:http": {}})
        self.assertEqual(owners["meshctl-shift"], {"f:hosts": {}})

    def test_strategic_merge_patch_of_a_custom_resource_is_unsupported(self):
        self.kubectl_ok("apply", "--server-side", "-f", self.write("vs-smp.yaml", VIRTUAL_SERVICE.format(
            ns="default", v1=100, v2=0)))
        refused = self.kubectl("patch", "virtualservice", "cart", "-p", '{"spec":{"hosts":["x"]}}')
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("application/strategic-merge-patch+json is not supported by networking.istio.io/v1, "
                      "Kind=VirtualService: the body of the request was in an unknown format", refused.stderr)
        self.kubectl_ok("patch", "virtualservice", "cart", "--type=merge", "-p", '{"spec":{"hosts":["x"]}}')


class StatusSubresourceWithKubectl(KubectlTestCase):
    groups = ("istio",)

    def test_deployment_status_survives_a_reapply_and_only_the_subresource_changes_it(self):
        path = self.write("status.yaml", manifest("status"))
        self.kubectl_ok("apply", "--server-side", "-f", path)
        self.kubectl_ok("patch", "deployment", "web", "-n", "status", "--subresource=status", "--type=merge",
                        "-p", '{"status":{"replicas":2,"readyReplicas":2,"availableReplicas":2}}')
        self.kubectl_ok("apply", "--server-side", "-f", self.write("status3.yaml", manifest("status", 3)))
        self.assertEqual(self.kubectl_ok("get", "deployment", "web", "-n", "status", "-o",
                                         "jsonpath={.spec.replicas} {.status.readyReplicas}"), "3 2")
        # A status stanza sent to the main resource is ignored; client-side apply and replace keep it too.
        with_status = DEPLOYMENT.format(ns="status", replicas=3) + "status:\n  readyReplicas: 0\n"
        self.kubectl_ok("apply", "--server-side", "-f", self.write("with-status.yaml", with_status))
        self.kubectl_ok("replace", "-f", self.write("replace.yaml", with_status.replace("replicas: 3", "replicas: 4")))
        live = self.get_json("deployment", "web", "-n", "status")
        self.assertEqual((live["spec"]["replicas"], live["status"]["readyReplicas"]), (4, 2))
        # The subresource leaves the spec alone, and GET on it answers the object.
        self.kubectl_ok("patch", "deployment", "web", "-n", "status", "--subresource=status", "--type=merge",
                        "-p", '{"spec":{"replicas":7},"status":{"readyReplicas":1}}')
        self.assertEqual(self.kubectl_ok("get", "deployment", "web", "-n", "status", "--subresource=status", "-o",
                                         "jsonpath={.spec.replicas} {.status.readyReplicas}"), "4 1")

    def test_pods_keep_the_status_they_are_created_with_and_list_by_label(self):
        # (`kubectl create namespace` sends protobuf, which the emulator does not read: manifests are JSON.)
        self.kubectl_ok("apply", "-f", self.write("ns-pods.yaml", NAMESPACE.format(ns="pods")))
        text = POD.format(name="cart-v1-a", ns="pods", version="v1", ready="True") + "---\n" + \
            POD.format(name="cart-v2-a", ns="pods", version="v2", ready="False")
        self.kubectl_ok("create", "-f", self.write("pods.yaml", text))
        ready = "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=='Ready')].status} {end}"
        self.assertEqual(self.kubectl_ok("get", "pods", "-n", "pods", "-l", "app=cart,version=v2", "-o", ready),
                         "cart-v2-a=False ")
        self.kubectl_ok("patch", "pod", "cart-v2-a", "-n", "pods", "--subresource=status", "--type=json", "-p",
                        '[{"op":"replace","path":"/status/conditions/0/status","value":"True"}]')
        self.kubectl_ok("label", "pod", "cart-v2-a", "-n", "pods", "track=canary")
        self.assertEqual(self.kubectl_ok("get", "pods", "-n", "pods", "-l", "app=cart", "-o", ready),
                         "cart-v1-a=True cart-v2-a=True ")

    def test_custom_resource_status_is_kept_across_applies(self):
        path = self.write("vs-status.yaml", VIRTUAL_SERVICE.format(ns="default", v1=90, v2=10))
        self.kubectl_ok("apply", "--server-side", "-f", path)
        self.kubectl_ok("patch", "virtualservice", "cart", "--subresource=status", "--type=merge", "-p",
                        '{"status":{"observedGeneration":1}}')
        self.kubectl_ok("apply", "--server-side", "-f", self.write("vs-status2.yaml", VIRTUAL_SERVICE.format(
            ns="default", v1=50, v2=50)))
        live = self.get_json("virtualservice", "cart")
        self.assertEqual((live["metadata"]["generation"], live["status"]), (2, {"observedGeneration": 1}))


class LeasesAndEndpointSlicesWithKubectl(KubectlTestCase):
    TIME = "2026-12-06T01:00:00.000000Z"

    def test_lease_create_get_one_winner_and_conditional_takeover(self):
        path = self.write("lease.yaml", LEASE.format(name="shift-cart", ns="default", version="", holder="alice",
                                                     time=self.TIME))
        self.assertEqual(self.kubectl_ok("create", "-f", path).strip(),
                         "lease.coordination.k8s.io/shift-cart created")
        self.assertEqual(self.kubectl_ok("get", "lease").split()[:3], ["NAME", "AGE", "shift-cart"])
        second = self.kubectl("create", "-f", self.write("lease-bob.yaml", LEASE.format(
            name="shift-cart", ns="default", version="", holder="bob", time=self.TIME)))
        self.assertIn('leases.coordination.k8s.io "shift-cart" already exists', second.stderr)
        version = self.get_json("lease", "shift-cart")["metadata"]["resourceVersion"]
        # Two takeovers computed from the same version: the first wins, the second is a conflict.
        take = 'metadata:\n  resourceVersion: "{v}"\n'.format(v=version)
        carol = self.write("lease-carol.yaml", LEASE.format(name="shift-cart", ns="default", version=take[10:],
                                                            holder="carol", time=self.TIME))
        dave = self.write("lease-dave.yaml", LEASE.format(name="shift-cart", ns="default", version=take[10:],
                                                          holder="dave", time=self.TIME))
        self.kubectl_ok("replace", "-f", carol)
        lost = self.kubectl("replace", "-f", dave)
        self.assertIn('Operation cannot be fulfilled on leases.coordination.k8s.io "shift-cart": the object has been '
                      "modified", lost.stderr)
        self.assertEqual(self.kubectl_ok("get", "lease", "shift-cart", "-o", "jsonpath={.spec.holderIdentity}"),
                         "carol")
        self.kubectl_ok("delete", "lease", "shift-cart")
        self.assertIn("NotFound", self.kubectl("get", "lease", "shift-cart").stderr)

    def test_lease_times_must_be_micro_times(self):
        refused = self.kubectl("create", "-f", self.write("lease-bad.yaml", LEASE.format(
            name="bad", ns="default", version="", holder="alice", time="2026-12-06T01:00:00Z")))
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('Lease in version "v1" cannot be handled as a Lease: parsing time "2026-12-06T01:00:00Z"',
                      refused.stderr)

    def test_endpoint_slices_listed_by_service_name(self):
        text = "---\n".join(ENDPOINT_SLICE.format(name=name, ns="default", service=service, ready=ready)
                            for name, service, ready in (("cart-v1-a", "cart-v1", "true"),
                                                         ("cart-v2-a", "cart-v2", "false")))
        self.kubectl_ok("apply", "--server-side", "-f", self.write("slices.yaml", text))
        out = self.kubectl_ok("get", "endpointslices", "-l", "kubernetes.io/service-name=cart-v2", "-o", "name")
        self.assertEqual(out.split(), ["endpointslice.discovery.k8s.io/cart-v2-a"])
        ready = self.kubectl_ok("get", "endpointslices", "-l", "kubernetes.io/service-name=cart-v1", "-o",
                                "jsonpath={.items[0].endpoints[0].conditions.ready}")
        self.assertEqual(ready, "true")
        names = set(self.kubectl_ok("api-resources", "-o", "name").split())
        self.assertTrue({"leases.coordination.k8s.io", "endpointslices.discovery.k8s.io"} <= names)


if __name__ == "__main__":
    unittest.main()


REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MESHCTL = os.environ.get("MESHCTL") or os.path.join(REPOSITORY, ".build", "debug", "meshctl")


@unittest.skipUnless(os.access(MESHCTL, os.X_OK), f"{MESHCTL} is not built (swift build --product meshctl)")
class MeshctlInjectPipedToKubectl(KubectlTestCase):
    """`meshctl inject -f app.yaml | kubectl apply -f -`, as the injection issue promises."""

    def test_injected_examples_apply_and_read_back_with_the_sidecar(self):
        # Kubernetes objects only (meshctl's own kinds are rendered by apply, not by kubectl), and
        # the namespace first: kubectl applies in the order it reads.
        files = [os.path.join(REPOSITORY, "examples", "shop", name)
                 for name in ("namespace.yaml", "storefront.yaml", "cart.yaml", "payments.yaml")]
        arguments = [argument for path in files for argument in ("-f", path)]
        injected = subprocess.run([MESHCTL, "inject", *arguments], capture_output=True, text=True, timeout=60)
        self.assertEqual(injected.returncode, 0, injected.stderr)
        self.assertIn("deployment/cart-v2 injected", injected.stderr)
        out = self.kubectl_ok("apply", "-f", "-", stdin=injected.stdout)
        for line in ("namespace/shop created", "deployment.apps/cart-v1 created", "statefulset.apps/payments created"):
            self.assertIn(line, out.splitlines())
        deployment = self.get_json("deployment", "cart-v2", "-n", "shop")
        pod = deployment["spec"]["template"]
        self.assertEqual([c["name"] for c in pod["spec"]["containers"]], ["cart", "istio-proxy"])
        self.assertEqual([c["name"] for c in pod["spec"]["initContainers"]], ["istio-init"])
        self.assertIn("meshctl.io/injection", pod["metadata"]["annotations"])
        # Server-side apply of the same injected stream is accepted too, and changes nothing.
        again = self.kubectl_ok("apply", "--server-side", "--force-conflicts", "-f", "-", stdin=injected.stdout)
        self.assertIn("deployment.apps/cart-v2 serverside-applied", again.splitlines())
