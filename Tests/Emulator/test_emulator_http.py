"""The emulator over plain HTTPS (no kubectl): Status codes, faults, statistics, watch, the process mode."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_client import EmulatorClient  # noqa: E402
from kube_emulator import Emulator  # noqa: E402

OPENSSL = shutil.which("openssl")
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


def deployment(name="web", replicas=1, **metadata):
    """A minimal Deployment body."""
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, **metadata},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}}}


@unittest.skipUnless(OPENSSL, "openssl is not on PATH")
class HttpTestCase(unittest.TestCase):
    """A fresh emulator per test class, reset before every test."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="kube-emulator-http-")
        cls.emulator = Emulator(cls.scratch).start()
        cls.client = EmulatorClient(cls.scratch, cls.emulator.port, cls.emulator.credentials.admin_token)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.emulator.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def setUp(self):
        self.client.close()
        self.assertEqual(self.client.request("POST", "/_emulator/reset")[0], 200)

    def call(self, method, path, body=None, content_type="application/json", headers=None):
        """(status, body) of one request with the admin token."""
        status, _, answer = self.client.request(method, path, body, content_type, headers)
        return status, answer


class StatusCodes(HttpTestCase):
    def test_unauthenticated_is_401(self):
        anonymous = EmulatorClient(self.scratch, self.emulator.port)
        status, _, body = anonymous.request("GET", "/api/v1/namespaces")
        anonymous.close()
        self.assertEqual((status, body["reason"], body["kind"]), (401, "Unauthorized", "Status"))

    def test_client_certificate_authenticates(self):
        by_cert = EmulatorClient(self.scratch, self.emulator.port, client_certificate=True)
        status, _, _ = by_cert.request("GET", "/api/v1/namespaces/default")
        by_cert.close()
        self.assertEqual(status, 200)
        self.assertEqual(self.emulator.stats.snapshot()["log"][-1]["user"], "cert-user")

    def test_create_get_conflicts_and_not_found(self):
        self.assertEqual(self.call("POST", DEPLOYMENTS, deployment())[0], 201)
        status, body = self.call("POST", DEPLOYMENTS, deployment())
        self.assertEqual((status, body["reason"], body["message"]),
                         (409, "AlreadyExists", 'deployments.apps "web" already exists'))
        status, body = self.call("GET", DEPLOYMENTS + "/nope")
        self.assertEqual((status, body["reason"], body["message"], body["details"]),
                         (404, "NotFound", 'deployments.apps "nope" not found',
                          {"name": "nope", "group": "apps", "kind": "deployments"}))
        status, body = self.call("POST", "/apis/apps/v1/namespaces/ghost/deployments", deployment())
        self.assertEqual((status, body["message"]), (404, 'namespaces "ghost" not found'))

    def test_missing_name_is_422_with_a_cause(self):
        status, body = self.call("POST", DEPLOYMENTS, deployment(name=""))
        self.assertEqual((status, body["reason"]), (422, "Invalid"))
        self.assertEqual(body["details"]["causes"], [{"reason": "FieldValueRequired", "field": "metadata.name",
                                                      "message": "Required value: name or generateName is required"}])

    def test_method_and_media_type_errors(self):
        self.assertEqual(self.call("PUT", DEPLOYMENTS, deployment())[0], 405)
        self.call("POST", DEPLOYMENTS, deployment())
        status, body = self.call("PATCH", DEPLOYMENTS + "/web", {"spec": {}}, content_type="text/plain")
        self.assertEqual((status, body["reason"]), (415, "UnsupportedMediaType"))

    def test_update_with_a_stale_resource_version_conflicts(self):
        _, created = self.call("POST", DEPLOYMENTS, deployment())
        created["spec"]["replicas"] = 3
        status, updated = self.call("PUT", DEPLOYMENTS + "/web", created)
        self.assertEqual((status, updated["metadata"]["generation"]), (200, 2))
        self.assertGreater(int(updated["metadata"]["resourceVersion"]), int(created["metadata"]["resourceVersion"]))
        status, body = self.call("PUT", DEPLOYMENTS + "/web", created)
        self.assertEqual((status, body["reason"]), (409, "Conflict"))
        self.assertIn("the object has been modified", body["message"])

    def test_merge_patch_and_json_patch(self):
        self.call("POST", DEPLOYMENTS, deployment(labels={"a": "1"}))
        status, body = self.call("PATCH", DEPLOYMENTS + "/web", {"metadata": {"labels": {"a": None, "b": "2"}}},
                                 content_type="application/merge-patch+json")
        self.assertEqual((status, body["metadata"]["labels"]), (200, {"b": "2"}))
        status, body = self.call("PATCH", DEPLOYMENTS + "/web", [{"op": "replace", "path": "/spec/replicas",
                                                                  "value": 4}],
                                 content_type="application/json-patch+json")
        self.assertEqual((status, body["spec"]["replicas"]), (200, 4))

    def test_apply_conflict_status_and_strict_validation(self):
        apply = "application/apply-patch+yaml"
        status, _ = self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=first", deployment(), content_type=apply)
        self.assertEqual(status, 201)
        self.assertEqual(self.call("PATCH", DEPLOYMENTS + "/web", deployment(), content_type=apply)[0], 422)
        status, body = self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=second", deployment(replicas=9),
                                 content_type=apply)
        self.assertEqual((status, body["reason"], body["message"]),
                         (409, "Conflict", 'Apply failed with 1 conflict: conflict with "first" using apps/v1: '
                          ".spec.replicas"))
        self.assertEqual(body["details"]["causes"], [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                                      "message": 'conflict with "first" using apps/v1'}])
        strange = dict(deployment(), extra=1)
        status, body = self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=first&fieldValidation=Strict", strange,
                                 content_type=apply)
        self.assertEqual((status, body["message"]), (400, 'strict decoding error: unknown field "extra"'))

    def test_unknown_field_warns_by_default(self):
        status, headers, _ = self.client.request("POST", DEPLOYMENTS, dict(deployment(), extra=1))
        self.assertEqual((status, headers["Warning"]), (201, '299 - "unknown field \\"extra\\""'))

    def test_dry_run_create_persists_nothing(self):
        self.assertEqual(self.call("POST", DEPLOYMENTS + "?dryRun=All", deployment())[0], 201)
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[0], 404)

    def test_label_and_field_selectors(self):
        self.call("POST", DEPLOYMENTS, deployment("a", labels={"tier": "web"}))
        self.call("POST", DEPLOYMENTS, deployment("b", labels={"tier": "db"}))
        self.call("POST", DEPLOYMENTS, deployment("c"))

        def names(query):
            return [item["metadata"]["name"] for item in self.call("GET", DEPLOYMENTS + "?" + query)[1]["items"]]

        self.assertEqual(names("labelSelector=tier%3Dweb"), ["a"])
        self.assertEqual(names("labelSelector=tier%20in%20(web,db)"), ["a", "b"])
        self.assertEqual(names("labelSelector=!tier"), ["c"])
        self.assertEqual(names("labelSelector=tier!%3Dweb"), ["b", "c"])
        self.assertEqual(names("fieldSelector=metadata.name%3Db"), ["b"])

    def test_forbidden_and_self_subject_access_review(self):
        self.call("POST", "/_emulator/rbac", {"deny": [{"user": "admin", "verb": "list", "resource": "secrets"}]})
        status, body = self.call("GET", "/api/v1/namespaces/default/secrets")
        self.assertEqual((status, body["message"]), (403, 'secrets is forbidden: User "admin" cannot list resource '
                                                          '"secrets" in API group "" in the namespace "default"'))
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {"resourceAttributes": {"verb": "list", "resource": "secrets", "namespace": "x"}}}
        status, body = self.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
        self.assertEqual((status, body["status"]["allowed"]), (201, False))

    def test_aggregated_discovery_request_gets_the_legacy_format(self):
        accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        status, headers, body = self.client.request("GET", "/apis", headers={"Accept": accept})
        self.assertEqual((status, headers["Content-Type"], body["kind"]), (200, "application/json", "APIGroupList"))


class FaultsAndStats(HttpTestCase):
    def test_throttle_then_success_with_retry_after(self):
        self.call("POST", "/_emulator/faults", {"throttle": {"count": 2, "retryAfter": 3}})
        for _ in range(2):
            status, headers, body = self.client.request("GET", "/version")
            self.assertEqual((status, headers["Retry-After"], body["reason"]), (429, "3", "TooManyRequests"))
        self.assertEqual(self.client.request("GET", "/version")[0], 200)

    def test_server_errors_for_the_next_requests_only_for_matching_methods(self):
        self.call("POST", "/_emulator/faults", {"errors": {"count": 1, "code": 503, "methods": ["PATCH"]}})
        self.assertEqual(self.call("GET", "/version")[0], 200)
        self.assertEqual(self.call("PATCH", DEPLOYMENTS + "/x", {}, "application/merge-patch+json")[0], 503)
        self.assertEqual(self.call("PATCH", DEPLOYMENTS + "/x", {}, "application/merge-patch+json")[0], 404)

    def test_dropped_connection_then_recovery(self):
        self.call("POST", "/_emulator/faults", {"drop": {"count": 1}})
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.client.request("GET", "/version")
        self.assertEqual(self.call("GET", "/version")[0], 200)
        statuses = [entry["status"] for entry in self.call("GET", "/_emulator/stats")[1]["log"]]
        self.assertEqual(statuses, [0, 200])

    def test_latency_is_added(self):
        self.call("POST", "/_emulator/faults", {"latencyMs": 50})
        started = time.monotonic()
        self.call("GET", "/version")
        self.assertGreaterEqual(time.monotonic() - started, 0.05)
        self.call("DELETE", "/_emulator/faults")

    def test_stats_count_requests_and_connection_reuse(self):
        before = self.call("GET", "/_emulator/stats")[1]
        self.client.close()
        for _ in range(3):
            self.call("GET", "/api")
        after = self.call("GET", "/_emulator/stats")[1]
        self.assertEqual((after["requests"] - before["requests"], after["connections"] - before["connections"]),
                         (3, 1))

    def test_admin_endpoints_need_the_admin_token(self):
        alice = EmulatorClient(self.scratch, self.emulator.port, self.emulator.credentials.token_for("alice"))
        status, _, _ = alice.request("GET", "/_emulator/stats")
        alice.close()
        self.assertEqual(status, 403)


class Watch(HttpTestCase):
    def test_watch_streams_added_modified_deleted(self):
        _, listing = self.call("GET", DEPLOYMENTS)
        events = []
        connection = http.client.HTTPSConnection("127.0.0.1", self.emulator.port, context=self.client.context)

        def follow():
            connection.request("GET", f"{DEPLOYMENTS}?watch=true&timeoutSeconds=5&resourceVersion="
                               f"{listing['metadata']['resourceVersion']}",
                               headers={"Authorization": f"Bearer {self.emulator.credentials.admin_token}"})
            response = connection.getresponse()
            while len(events) < 3:
                line = response.readline()
                if not line:
                    break
                events.append(json.loads(line))

        reader = threading.Thread(target=follow)
        reader.start()
        time.sleep(0.2)
        self.call("POST", DEPLOYMENTS, deployment())
        self.call("PATCH", DEPLOYMENTS + "/web", {"spec": {"replicas": 2}}, "application/merge-patch+json")
        self.call("DELETE", DEPLOYMENTS + "/web")
        reader.join(timeout=10)
        connection.close()
        self.assertEqual([e["type"] for e in events], ["ADDED", "MODIFIED", "DELETED"])
        self.assertEqual(events[1]["object"]["spec"]["replicas"], 2)


@unittest.skipUnless(OPENSSL, "openssl is not on PATH")
class ProcessMode(unittest.TestCase):
    def test_process_prints_ready_line_and_stops_on_sigterm(self):
        scratch = tempfile.mkdtemp(prefix="kube-emulator-process-")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kube_emulator.py")
        process = subprocess.Popen([sys.executable, script, "--dir", scratch, "--groups", "linkerd"],
                                   stdout=subprocess.PIPE, text=True)
        try:
            ready = process.stdout.readline().split()
            self.assertEqual(ready[:2], ["kube-emulator", "ready"])
            port = int(ready[2].split("=")[1])
            with open(os.path.join(scratch, "token")) as handle:
                client = EmulatorClient(scratch, port, handle.read().strip())
            status, _, body = client.request("GET", "/apis/policy.linkerd.io")
            client.close()
            self.assertEqual((status, body["preferredVersion"]["version"]), (200, "v1beta3"))
            with open(os.path.join(scratch, "kubeconfig")) as handle:
                self.assertIn(f"server: https://127.0.0.1:{port}", handle.read())
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            process.stdout.close()
            shutil.rmtree(scratch, ignore_errors=True)
        self.assertEqual(code, 0, "the emulator did not stop on SIGTERM")


if __name__ == "__main__":
    unittest.main()
