"""meshctl's cluster commands (apply, diff, delete, check) against the emulator; the real kubectl
reads back what meshctl wrote, and the emulator's statistics show what was sent."""

import json
import os
import stat
import subprocess
import time
import unittest

from emulator_fixtures import control_plane, create_all
from test_emulator_kubectl import KUBECTL, MESHCTL, KubectlTestCase, manifest

BUILT = os.access(MESHCTL, os.X_OK)


@unittest.skipUnless(BUILT, f"{MESHCTL} is not built (swift build --product meshctl)")
class MeshctlTestCase(KubectlTestCase):
    """Runs the meshctl binary with the emulator's kubeconfig."""

    def setUp(self):
        self.admin.request("POST", "/_emulator/reset")

    def meshctl(self, *arguments, stdin=None, context=None, kubeconfig=None, env=None):
        command = [MESHCTL, *arguments, "--kubeconfig", kubeconfig or self.emulator.kubeconfig]
        if context:
            command += ["--context", context]
        environment = {**os.environ, **(env or {})}
        environment.pop("KUBECONFIG", None)
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60, env=environment)

    def faults(self, configuration):
        status, _, _ = self.admin.request("PUT", "/_emulator/faults", configuration)
        self.assertEqual(status, 200)

    def stats(self):
        return self.admin.request("GET", "/_emulator/stats")[2]

    def writes(self, method="PATCH"):
        """The non-discovery requests of `method` the emulator answered, as (path, status)."""
        return [(entry["path"], entry["status"]) for entry in self.stats()["log"] if entry["method"] == method]


class Apply(MeshctlTestCase):
    def test_apply_prints_kubectl_lines_and_kubectl_reads_the_objects_back(self):
        path = self.write("app.yaml", manifest("shop", replicas=3))
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), [
            "namespace/shop serverside-applied",
            "deployment.apps/web serverside-applied",
            "service/web serverside-applied",
        ])
        deployment = json.loads(self.kubectl_ok("get", "deployment", "web", "-n", "shop", "-o", "json", "--show-managed-fields"))
        self.assertEqual(deployment["spec"]["replicas"], 3)
        managers = [entry["manager"] for entry in deployment["metadata"]["managedFields"]]
        self.assertEqual(managers, ["meshctl"])
        self.assertEqual(self.get_json("service", "web", "-n", "shop")["spec"]["ports"][0]["port"], 80)

    def test_objects_are_applied_in_dependency_order(self):
        # The input lists the Service, then the Deployment, then the Namespace: the Namespace is sent first.
        documents = manifest("order").split("---\n")
        path = self.write("order.yaml", "---\n".join([documents[2], documents[1], documents[0]]))
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        paths = [p for p, _ in self.writes()]
        self.assertTrue(paths[0].startswith("/api/v1/namespaces/order?"), paths)
        self.assertEqual(len(paths), 3)
        # Result lines follow the input order.
        self.assertEqual([line.split()[0] for line in result.stdout.splitlines()],
                         ["service/web", "deployment.apps/web", "namespace/order"])

    def test_namespace_comes_from_the_flag_and_a_different_one_is_refused(self):
        plain = self.write("plain.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n")
        self.assertEqual(self.meshctl("apply", "-f", plain, "-n", "kube-public").returncode, 0)
        self.get_json("configmap", "settings", "-n", "kube-public")
        placed = self.write("placed.yaml", manifest("shop").split("---\n")[1])
        refused = self.meshctl("apply", "-f", placed, "-n", "default")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn('does not match the namespace "default"', refused.stderr)
        self.assertIn("nothing was sent to the cluster", refused.stderr)

    def test_invalid_input_changes_nothing(self):
        good = manifest("valid")
        bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: valid\nspec:\n  replicas: many\n"
        path = self.write("mixed.yaml", good + "---\n" + bad)
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"mixed\.yaml:\d+:\d+: error: ")
        # Discovery may start while the input is read (reads only); nothing is written.
        sent = [(entry["method"], entry["path"]) for entry in self.stats()["log"]]
        self.assertEqual([request for request in sent if request[0] != "GET"], [], "a write was sent for invalid input")
        self.assertNotEqual(self.kubectl("get", "namespace", "valid").returncode, 0)

    def test_unreadable_yaml_is_exit_2_and_sends_nothing(self):
        path = self.write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("broken.yaml:", result.stderr)
        self.assertEqual(self.stats()["requests"], 0)

    def test_unknown_type_is_refused_before_any_write(self):
        vs = ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: default\n"
              "spec:\n  hosts: [r]\n  http:\n  - route:\n    - destination:\n        host: r\n")
        path = self.write("vs.yaml", manifest("early") + "---\n" + vs)
        result = self.meshctl("apply", "-f", path)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn('no resource type for kind "VirtualService"', result.stderr)
        self.assertIn("install the Istio CRDs", result.stderr)
        self.assertEqual(self.writes(), [])

    def test_conflict_is_exit_4_and_force_conflicts_takes_the_field(self):
        path = self.write("web.yaml", manifest("conflict", replicas=2))
        self.assertEqual(self.meshctl("apply", "-f", path).returncode, 0)
        other = self.write("other.yaml", manifest("conflict", replicas=5))
        conflict = self.meshctl("apply", "-f", other, "--field-manager", "autoscaler")
        self.assertEqual(conflict.returncode, 4, conflict.stderr)
        self.assertIn('field manager "meshctl"', conflict.stderr)
        self.assertIn(".spec.replicas", conflict.stderr)
        self.assertIn("--force-conflicts", conflict.stderr)
        # The objects without a conflict were applied; the Deployment kept its value.
        self.assertIn("service/web serverside-applied", conflict.stdout)
        self.assertEqual(self.get_json("deployment", "web", "-n", "conflict")["spec"]["replicas"], 2)
        forced = self.meshctl("apply", "-f", other, "--field-manager", "autoscaler", "--force-conflicts")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertEqual(self.get_json("deployment", "web", "-n", "conflict")["spec"]["replicas"], 5)

    def test_conflict_with_a_kubectl_manager(self):
        path = self.write("shared.yaml", manifest("shared", replicas=1))
        self.kubectl_ok("apply", "--server-side", "-f", path)
        changed = self.write("changed.yaml", manifest("shared", replicas=4))
        result = self.meshctl("apply", "-f", changed)
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn('"kubectl"', result.stderr)

    def test_dry_run_server_persists_nothing_and_client_sends_nothing(self):
        path = self.write("dry.yaml", manifest("dry"))
        server = self.meshctl("apply", "-f", path, "--dry-run=server")
        self.assertEqual(server.returncode, 0, server.stderr)
        self.assertIn("namespace/dry serverside-applied (server dry run)", server.stdout)
        # The server cannot check objects in a namespace only a real apply would create; meshctl says so.
        self.assertIn("deployment.apps/web serverside-applied (server dry run; namespace dry is new: not checked)", server.stdout)
        self.assertNotEqual(self.kubectl("get", "namespace", "dry").returncode, 0)
        self.assertTrue(all("dryRun=All" in p for p, _ in self.writes()), self.writes())
        self.admin.request("DELETE", "/_emulator/stats")
        client = self.meshctl("apply", "-f", path, "--dry-run=client")
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertIn("(dry run)", client.stdout)
        self.assertEqual(self.writes(), [])

    def test_output_formats(self):
        path = self.write("out.yaml", manifest("out"))
        names = self.meshctl("apply", "-f", path, "-o", "name")
        self.assertEqual(names.stdout.splitlines(), ["namespace/out", "deployment.apps/web", "service/web"])
        as_json = json.loads(self.meshctl("apply", "-f", path, "-o", "json").stdout)
        self.assertEqual(as_json["kind"], "List")
        self.assertEqual([item["kind"] for item in as_json["items"]], ["Namespace", "Deployment", "Service"])
        self.assertTrue(all(item["metadata"].get("uid") for item in as_json["items"]))
        as_yaml = self.meshctl("apply", "-f", path, "-o", "yaml").stdout
        self.assertIn("kind: List", as_yaml)

    def test_stdin_and_inject_pipe(self):
        injected = subprocess.run([MESHCTL, "inject"], input=manifest("piped"), capture_output=True, text=True, timeout=60)
        self.assertEqual(injected.returncode, 0, injected.stderr)
        result = self.meshctl("apply", "-f", "-", stdin=injected.stdout)
        self.assertEqual(result.returncode, 0, result.stderr)
        pod = self.get_json("deployment", "web", "-n", "piped")["spec"]["template"]["spec"]
        self.assertIn("istio-proxy", [c["name"] for c in pod["containers"]])

    def test_failure_half_way_is_reported_per_object_and_a_rerun_converges(self):
        path = self.write("half.yaml", manifest("half"))
        # Deployments are refused (403) for this run: the Namespace and Service go in, the Deployment does not.
        self.admin.request("POST", "/_emulator/rbac", {"deny": [{"verb": "patch", "resource": "deployments"}]})
        first = self.meshctl("apply", "-f", path)
        self.assertEqual(first.returncode, 3, first.stderr)
        self.assertIn("namespace/half serverside-applied", first.stdout)
        self.assertIn("service/web serverside-applied", first.stdout)
        self.assertIn("Error from server (Forbidden)", first.stderr)
        self.assertIn('deployments.apps "web"', first.stderr)
        self.assertNotEqual(self.kubectl("get", "deployment", "web", "-n", "half").returncode, 0)
        self.admin.request("DELETE", "/_emulator/rbac")
        second = self.meshctl("apply", "-f", path)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.get_json("deployment", "web", "-n", "half")


class Faults(MeshctlTestCase):
    """Each fault kind, and the retries meshctl made for it (server-side apply is idempotent)."""

    def apply_with(self, fault):
        path = self.write("faulty.yaml", manifest("faulty"))
        self.faults(fault)
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("apply", "-f", path, "-v=6")
        return result, self.writes()

    def test_throttling_is_retried_after_retry_after(self):
        result, writes = self.apply_with({"throttle": {"count": 2, "retryAfter": 1, "methods": ["PATCH"]}})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(status for _, status in writes), [201, 201, 201, 429, 429])
        self.assertIn("retrying", result.stderr.lower())

    def test_server_errors_are_retried_for_apply(self):
        result, writes = self.apply_with({"errors": {"count": 2, "code": 503, "methods": ["PATCH"]}})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(status for _, status in writes), [201, 201, 201, 503, 503])

    def test_dropped_connections_are_retried_for_apply(self):
        result, writes = self.apply_with({"drop": {"count": 1, "methods": ["PATCH"]}})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(status for _, status in writes), [0, 201, 201, 201])

    def test_persistent_errors_give_up_with_exit_3(self):
        result, writes = self.apply_with({"errors": {"count": 100, "code": 500, "methods": ["PATCH"]}})
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("Error from server (InternalError)", result.stderr)
        self.assertGreater(len(writes), 3, "no retries were made")

    def test_access_reviews_are_not_retried_after_a_server_error(self):
        # POST is not idempotent: a 500 on a SelfSubjectAccessReview is reported, not repeated.
        self.faults({"errors": {"count": 1, "code": 500, "methods": ["POST"]}})
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("check")
        self.assertEqual(result.returncode, 3, result.stdout)
        posts = self.writes("POST")
        self.assertEqual(len(posts), len([s for _, s in posts if s in (200, 201, 500)]))
        self.assertEqual(sum(1 for _, s in posts if s == 500), 1)


class Diff(MeshctlTestCase):
    def test_exit_codes_and_unified_output(self):
        path = self.write("d.yaml", manifest("diffs", replicas=2))
        new = self.meshctl("diff", "-f", path)
        self.assertEqual(new.returncode, 1, new.stderr)
        self.assertIn("diff -u -N live/v1.Namespace.diffs merged/v1.Namespace.diffs", new.stdout)
        self.assertIn("+++ merged/apps.v1.Deployment.diffs.web", new.stdout)
        self.assertNotEqual(self.kubectl("get", "namespace", "diffs").returncode, 0, "diff persisted an object")
        self.assertEqual(self.meshctl("apply", "-f", path).returncode, 0)
        same = self.meshctl("diff", "-f", path)
        self.assertEqual((same.returncode, same.stdout), (0, ""), same.stderr)
        changed = self.write("d2.yaml", manifest("diffs", replicas=7))
        result = self.meshctl("diff", "-f", changed)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("-  replicas: 2", result.stdout)
        self.assertIn("+  replicas: 7", result.stdout)
        self.assertNotIn("managedFields", result.stdout)
        self.assertEqual(self.get_json("deployment", "web", "-n", "diffs")["spec"]["replicas"], 2)

    def external(self, script, *arguments, value=None):
        """Runs diff with KUBECTL_EXTERNAL_DIFF set to a script (which logs what it was given)."""
        program = self.write("ext-diff.sh", "#!/bin/sh\n" + script)
        os.chmod(program, 0o755)
        return self.meshctl("diff", *arguments, env={"KUBECTL_EXTERNAL_DIFF": value or f"{program} -u -N"})

    def test_external_diff_gets_live_and_merged_directories(self):
        path = self.write("e.yaml", manifest("extdiff", replicas=2))
        self.assertEqual(self.meshctl("apply", "-f", path).returncode, 0)
        changed = self.write("e2.yaml", manifest("extdiff", replicas=5))
        log = os.path.join(self.scratch, "ext.log")
        script = (f'echo "$1 $2" > {log}; basename "$3" >> {log}; basename "$4" >> {log}; ls "$4" >> {log}\n'
                  'diff -r -u "$3" "$4" > /dev/null\n')
        result = self.external(script, "-f", changed)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "", "the built-in diff ran too")
        with open(log) as handle:
            lines = handle.read().splitlines()
        self.assertEqual(lines[0], "-u -N")
        self.assertTrue(lines[1].startswith("LIVE-") and lines[2].startswith("MERGED-"), lines)
        self.assertIn("apps.v1.Deployment.extdiff.web", lines[3:])
        same = self.external(script, "-f", path)
        self.assertEqual(same.returncode, 0, same.stderr)

    def test_external_diff_with_the_real_diff_and_its_failures(self):
        path = self.write("f.yaml", manifest("extdiff2", replicas=3))
        shown = self.meshctl("diff", "-f", path, env={"KUBECTL_EXTERNAL_DIFF": "diff -r -N -u"})
        self.assertEqual(shown.returncode, 1, shown.stderr)
        self.assertIn("+  replicas: 3", shown.stdout)
        self.assertIn("MERGED-", shown.stdout)
        broken = self.external("exit 7\n", "-f", path)
        self.assertEqual(broken.returncode, 3, broken.stderr)
        self.assertIn("failed with exit status 7", broken.stderr)
        missing = self.meshctl("diff", "-f", path, env={"KUBECTL_EXTERNAL_DIFF": "no-such-diff-program"})
        self.assertEqual(missing.returncode, 3, missing.stderr)
        self.assertIn("cannot run no-such-diff-program", missing.stderr)
        bad = self.meshctl("diff", "-f", path, env={"KUBECTL_EXTERNAL_DIFF": "diff $(rm -rf /)"})
        self.assertEqual(bad.returncode, 64, bad.stderr)

    def test_errors_are_above_1(self):
        path = self.write("d3.yaml", manifest("diffs3"))
        self.faults({"errors": {"count": 100, "code": 500, "methods": ["PATCH"]}})
        result = self.meshctl("diff", "-f", path)
        self.assertEqual(result.returncode, 3, result.stderr)


class Delete(MeshctlTestCase):
    def test_delete_then_not_found(self):
        path = self.write("del.yaml", manifest("gone"))
        self.assertEqual(self.meshctl("apply", "-f", path).returncode, 0)
        dry = self.meshctl("delete", "-f", path, "--dry-run=server")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.get_json("deployment", "web", "-n", "gone")
        result = self.meshctl("delete", "-f", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(),
                         ['namespaces "gone" deleted', 'deployments.apps "web" deleted', 'services "web" deleted'])
        # Reverse tiers: the Deployment and Service go before the Namespace.
        deletes = [p for p, _ in self.writes("DELETE")]
        self.assertTrue(deletes[-1].startswith("/api/v1/namespaces/gone"), deletes)
        self.assertNotEqual(self.kubectl("get", "deployment", "web", "-n", "gone").returncode, 0)
        self.wait_until_gone("namespace", "gone")
        # An absent object is kubectl's NotFound: the request's failure (1), not the API server's (3).
        second = self.meshctl("delete", "-f", path)
        self.assertEqual(second.returncode, 1, second.stderr)
        self.assertIn("Error from server (NotFound)", second.stderr)
        ignored = self.meshctl("delete", "-f", path, "--ignore-not-found")
        self.assertEqual((ignored.returncode, ignored.stdout), (0, ""), ignored.stderr)


    def wait_until_gone(self, *what):
        # The emulator's namespace controller removes a Terminating namespace after 0.3 s.
        for _ in range(50):
            if self.kubectl("get", *what).returncode != 0:
                return
            time.sleep(0.1)
        self.fail(f"{what} still exists")


class Check(MeshctlTestCase):
    groups = ("istio",)

    def setUp(self):
        super().setUp()
        create_all(self.admin, control_plane("istio", ready=(True, True)))

    def test_all_checks_pass_for_the_admin(self):
        result = self.meshctl("check")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("√ reachable: the API server answers (v1.32.0-emulator)", result.stdout)
        self.assertIn("√ mesh: installed: Istio", result.stdout)
        self.assertIn("√ control-plane: istio 1.24.0 (istio-system/istiod, revision default): 2/2 pods ready",
                      result.stdout)
        self.assertIn("can patch virtualservices.networking.istio.io in namespace default", result.stdout)

    def test_denied_permission_fails_with_a_hint(self):
        self.admin.request("POST", "/_emulator/rbac", {"deny": [{"user": "alice", "verb": "patch", "resource": "services"}]})
        result = self.meshctl("check", "--context", "emulator-alice", "-o", "json")
        self.assertEqual(result.returncode, 3, result.stdout)
        report = json.loads(result.stdout)
        self.assertFalse(report["success"])
        failed = [c for c in report["checks"] if c["status"] == "failed"]
        self.assertEqual([c["message"] for c in failed], ["cannot patch services in namespace default"])
        self.assertIn("Role", failed[0]["hint"])

    def test_control_plane_pods_not_ready(self):
        self.admin.request("POST", "/_emulator/reset")
        create_all(self.admin, control_plane("istio", ready=(True, False)))
        some = self.meshctl("check")
        self.assertEqual(some.returncode, 0, some.stdout)
        self.assertIn("‼ control-plane: istio 1.24.0 (istio-system/istiod, revision default): 1/2 pods ready", some.stdout)
        self.admin.request("POST", "/_emulator/reset")
        create_all(self.admin, control_plane("istio", ready=(False,)))
        none = self.meshctl("check", "-o", "json")
        self.assertEqual(none.returncode, 3, none.stdout)
        failed = [c for c in json.loads(none.stdout)["checks"] if c["status"] == "failed"]
        self.assertEqual([c["message"] for c in failed],
                         ["istio 1.24.0 (istio-system/istiod, revision default): 0/1 pods ready"])

    def test_apis_without_a_control_plane_fail(self):
        self.admin.request("POST", "/_emulator/reset")
        result = self.meshctl("check")
        self.assertEqual(result.returncode, 3, result.stdout)
        self.assertIn("× control-plane: Istio's APIs are served but no istiod Deployment was found", result.stdout)
        self.assertEqual(self.meshctl("check", "--pre").returncode, 0)

    def test_no_mesh_is_a_failure_but_only_a_warning_with_pre(self):
        self.admin.request("POST", "/_emulator/groups", {"enabled": []})
        try:
            plain = self.meshctl("check")
            self.assertEqual(plain.returncode, 3, plain.stdout)
            self.assertIn("× mesh: no Istio or Linkerd APIs are served", plain.stdout)
            pre = self.meshctl("check", "--pre")
            self.assertEqual(pre.returncode, 0, pre.stdout)
            self.assertIn("‼ mesh:", pre.stdout)
        finally:
            self.admin.request("POST", "/_emulator/groups", {"enabled": ["istio"]})

    def test_unreachable_server(self):
        result = self.meshctl("check", "-s", "https://127.0.0.1:1", "--insecure-skip-tls-verify")
        self.assertEqual(result.returncode, 3, result.stdout)
        self.assertIn("× reachable:", result.stdout)
        self.assertIn("hint:", result.stdout)


class Version(MeshctlTestCase):
    groups = ("istio", "linkerd")

    def test_client_server_and_mesh_versions(self):
        create_all(self.admin, control_plane("istio", version="1.23.2", revision="canary"))
        create_all(self.admin, control_plane("linkerd"))
        result = self.meshctl("version")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "Client Version: 0.1.0")
        self.assertIn("Server Version: v1.32.0-emulator", lines)
        self.assertIn("Mesh Version: istio 1.23.2 (istio-system/istiod, revision canary)", lines)
        self.assertIn("Mesh Version: linkerd stable-2.14.10 (linkerd/linkerd-destination)", lines)
        report = json.loads(self.meshctl("version", "-o", "json").stdout)
        self.assertEqual(report["clientVersion"]["version"], "0.1.0")
        self.assertEqual(report["serverVersion"]["gitVersion"], "v1.32.0-emulator")
        self.assertEqual([(m["provider"], m["version"]) for m in report["meshVersions"]],
                         [("istio", "1.23.2"), ("linkerd", "stable-2.14.10")])
        self.assertIn("serverVersion:", self.meshctl("version", "-o", "yaml").stdout)

    def test_client_only_asks_no_cluster(self):
        self.admin.request("DELETE", "/_emulator/stats")
        result = self.meshctl("version", "--client", "-o", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(list(json.loads(result.stdout)), ["clientVersion"])
        self.assertEqual(self.writes("GET"), [])

    def test_unreachable_server_prints_the_client_and_fails(self):
        result = self.meshctl("version", "-s", "https://127.0.0.1:1", "--insecure-skip-tls-verify")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertTrue(result.stdout.startswith("Client Version: 0.1.0\n"), result.stdout)
        self.assertNotIn("Server Version", result.stdout)
        self.assertIn("error", result.stderr)

    def test_no_kubeconfig_is_the_client_and_a_note(self):
        empty = os.path.join(self.scratch, "nothing-here")
        command = [MESHCTL, "version"]
        environment = {**os.environ, "KUBECONFIG": empty, "HOME": self.scratch}
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("Client Version: 0.1.0\n"))
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertIn("no cluster configured", result.stderr)


class Authentication(MeshctlTestCase):
    """Every authentication form the kubeconfig can name, with `meshctl check` as the client."""

    def kubeconfig_with_user(self, user_lines):
        credentials = self.emulator.credentials
        text = "\n".join([
            "apiVersion: v1", "kind: Config", "current-context: c",
            "clusters:", "- name: e", "  cluster:", f"    server: https://127.0.0.1:{self.emulator.port}",
            f"    certificate-authority: {credentials.path('ca.crt')}",
            "contexts:", "- name: c", "  context:", "    cluster: e", "    user: u",
            "users:", "- name: u", "  user:", *user_lines, ""])
        return self.write("auth-kubeconfig", text)

    def assert_connects(self, kubeconfig):
        result = self.meshctl("apply", "-f", self.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: auth\n"),
                              kubeconfig=kubeconfig)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_token_and_client_certificate_contexts(self):
        self.assert_connects(None)
        cert = self.meshctl("apply", "-f", self.write("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
                            "--context", "emulator-cert")
        self.assertEqual(cert.returncode, 0, cert.stdout + cert.stderr)

    def test_token_file(self):
        token = self.write("token-file", self.emulator.credentials.admin_token + "\n")
        self.assert_connects(self.kubeconfig_with_user([f"    tokenFile: {token}"]))

    def test_client_certificate_data(self):
        import base64
        credentials = self.emulator.credentials
        def data(name):
            with open(credentials.path(name), "rb") as handle:
                return base64.b64encode(handle.read()).decode()
        self.assert_connects(self.kubeconfig_with_user([
            f"    client-certificate-data: {data('client.crt')}", f"    client-key-data: {data('client.key')}"]))

    def test_exec_plugin_v1_and_v1beta1(self):
        for version in ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"):
            plugin = self.write("plugin.sh", "#!/bin/sh\n"
                                f'printf \'{{"apiVersion":"{version}","kind":"ExecCredential",'
                                f'"status":{{"token":"%s"}}}}\' "$EMULATOR_TOKEN"\n')
            os.chmod(plugin, stat.S_IRWXU)
            kubeconfig = self.kubeconfig_with_user([
                "    exec:", f"      apiVersion: {version}", f"      command: {plugin}",
                "      env:", "      - name: EMULATOR_TOKEN", f"        value: {self.emulator.credentials.admin_token}",
                "      interactiveMode: Never"])
            self.assert_connects(kubeconfig)

    def test_basic_auth(self):
        self.assert_connects(self.kubeconfig_with_user(
            ["    username: admin", f"    password: {self.emulator.credentials.admin_token}"]))

    def test_wrong_token_and_wrong_password_are_unauthorized(self):
        for user in (["    token: not-the-token"], ["    username: admin", "    password: hunter2"]):
            result = self.meshctl("apply", "-f", self.write("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
                                  kubeconfig=self.kubeconfig_with_user(user))
            self.assertEqual(result.returncode, 3, result.stderr)
            self.assertIn("unauthorized", result.stderr)

    def test_wrong_ca_is_a_clear_tls_error(self):
        other_ca = os.path.join(self.scratch, "other-ca.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-subj", "/CN=another-ca", "-days", "1", "-keyout", os.path.join(self.scratch, "other-ca.key"),
                        "-out", other_ca], check=True, capture_output=True)
        result = self.meshctl("check", "--certificate-authority", other_ca)
        self.assertEqual(result.returncode, 3, result.stdout)
        self.assertIn("certificate", result.stdout)


    def test_name_mismatch_and_tls_server_name(self):
        # The server certificate names IP:127.0.0.1 and DNS:localhost only.
        url = f"https://127.0.0.1:{self.emulator.port}"
        wrong = self.meshctl("check", "-s", url, "--tls-server-name", "api.example.com")
        self.assertEqual(wrong.returncode, 3, wrong.stdout)
        self.assertIn("api.example.com", wrong.stdout)
        fixed = self.meshctl("apply", "-f", self.write("n.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tls-ok\n"),
                             "-s", url, "--tls-server-name", "localhost")
        self.assertEqual(fixed.returncode, 0, fixed.stderr)


class SecretsNeverShown(MeshctlTestCase):
    """Every cluster command at -v=0..9, with a token, a client key and a password in the kubeconfig."""

    def test_no_secret_in_any_output_at_any_verbosity(self):
        credentials = self.emulator.credentials
        with open(credentials.path("client.key")) as handle:
            key_lines = [line for line in handle.read().splitlines() if line and not line.startswith("-----")]
        token = credentials.admin_token
        password = "correct-horse-battery-staple"
        text = "\n".join([
            "apiVersion: v1", "kind: Config", "current-context: token",
            "clusters:", "- name: e", "  cluster:", f"    server: https://127.0.0.1:{self.emulator.port}",
            f"    certificate-authority: {credentials.path('ca.crt')}",
            "contexts:",
            "- name: token", "  context: {cluster: e, user: token}",
            "- name: cert", "  context: {cluster: e, user: cert}",
            "- name: basic", "  context: {cluster: e, user: basic}",
            "users:",
            "- name: token", "  user:", f"    token: {token}",
            "- name: cert", "  user:", f"    client-certificate: {credentials.path('client.crt')}",
            f"    client-key: {credentials.path('client.key')}",
            "- name: basic", "  user:", "    username: admin", f"    password: {password}", ""])
        kubeconfig = self.write("secret-kubeconfig", text)
        path = self.write("s.yaml", manifest("secrets"))
        commands = [["apply", "-f", path], ["diff", "-f", path], ["delete", "-f", path, "--ignore-not-found"], ["check"],
                    ["get", "trafficsplits", "-A"], ["get", "mtlspolicies"], ["shift", "web", "--to", "v2", "--weight", "10"],
                    ["mtls", "status"], ["mtls", "enable", "--mode", "PERMISSIVE", "--dry-run=server"]]
        secrets = [token, password, *key_lines]
        runs = 0
        for context in ("token", "cert", "basic"):
            for verbosity in range(10):
                for command in commands:
                    result = self.meshctl(*command, f"-v={verbosity}", context=context, kubeconfig=kubeconfig)
                    runs += 1
                    for secret in secrets:
                        self.assertNotIn(secret, result.stdout + result.stderr,
                                         f"secret shown by meshctl {' '.join(command)} -v={verbosity} --context {context}")
                    if verbosity >= 6 and context == "token":
                        self.assertIn("GET https://127.0.0.1", result.stderr, "request logging is off at -v=6")
        self.assertEqual(runs, 3 * 10 * len(commands))


if __name__ == "__main__":
    unittest.main()
