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

import emulator_fixtures as fixtures  # noqa: E402
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

    groups = ()

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="kube-emulator-http-")
        cls.emulator = Emulator(cls.scratch, groups=cls.groups).start()
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


APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
PODS = "/api/v1/namespaces/default/pods"
VIRTUAL_SERVICES = "/apis/networking.istio.io/v1/namespaces/default/virtualservices"


def virtual_service(weights=(90, 10), **extra):
    """A VirtualService of `cart` whose one HTTP route splits over subsets v1 and v2."""
    route = [{"destination": {"host": "cart", "subset": f"v{i + 1}"}, "weight": w} for i, w in enumerate(weights)]
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "cart", "namespace": "default"},
            "spec": {"hosts": ["cart"], "http": [{"route": route}]}, **extra}


class ResourceVersionPreconditions(HttpTestCase):
    def created(self):
        status, body = self.call("POST", DEPLOYMENTS, deployment())
        self.assertEqual(status, 201)
        return body["metadata"]["resourceVersion"]

    def assert_modified_conflict(self, answer):
        status, body = answer
        self.assertEqual((status, body["reason"], body["message"], body["details"]),
                         (409, "Conflict", 'Operation cannot be fulfilled on deployments.apps "web": the object has '
                          "been modified; please apply your changes to the latest version and try again",
                          {"name": "web", "group": "apps", "kind": "deployments"}))

    def test_apply_with_a_stale_resource_version_conflicts_and_a_current_one_applies(self):
        first = self.created()
        self.call("PATCH", DEPLOYMENTS + "/web", {"spec": {"replicas": 2}}, MERGE)
        self.assert_modified_conflict(self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=m&force=true",
                                                deployment(replicas=5, resourceVersion=first), APPLY))
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[1]["spec"]["replicas"], 2)
        current = self.call("GET", DEPLOYMENTS + "/web")[1]["metadata"]["resourceVersion"]
        status, body = self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=m&force=true",
                                 deployment(replicas=5, resourceVersion=current), APPLY)
        self.assertEqual((status, body["spec"]["replicas"]), (200, 5))
        self.assertGreater(int(body["metadata"]["resourceVersion"]), int(current))

    def test_apply_creating_an_object_ignores_the_resource_version(self):
        status, body = self.call("PATCH", DEPLOYMENTS + "/web?fieldManager=m", deployment(resourceVersion="1"), APPLY)
        self.assertEqual(status, 201)
        self.assertNotEqual(body["metadata"]["resourceVersion"], "1")

    def test_merge_and_json_patches_carrying_a_stale_version_conflict(self):
        first = self.created()
        self.call("PATCH", DEPLOYMENTS + "/web", {"spec": {"replicas": 2}}, MERGE)
        self.assert_modified_conflict(self.call("PATCH", DEPLOYMENTS + "/web", {
            "metadata": {"resourceVersion": first}, "spec": {"replicas": 7}}, MERGE))
        self.assert_modified_conflict(self.call("PATCH", DEPLOYMENTS + "/web", [
            {"op": "replace", "path": "/metadata/resourceVersion", "value": first},
            {"op": "replace", "path": "/spec/replicas", "value": 7}], JSON_PATCH))
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[1]["spec"]["replicas"], 2)

    def test_two_writers_from_the_same_version_have_one_winner(self):
        version = self.created()
        results = [self.call("PUT", DEPLOYMENTS + "/web", deployment(replicas=n, resourceVersion=version))[0]
                   for n in (3, 4)]
        self.assertEqual(results, [200, 409])
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[1]["spec"]["replicas"], 3)

    def test_interleaved_write_makes_the_next_conditional_write_lose(self):
        version = self.created()
        fixtures.interleave_next_write(self.client, DEPLOYMENTS + "/web", {"spec": {"replicas": 8}},
                                       field_manager="rival")
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[1]["metadata"]["resourceVersion"], version)
        self.assert_modified_conflict(self.call("PUT", DEPLOYMENTS + "/web",
                                                deployment(replicas=3, resourceVersion=version)))
        live = self.call("GET", DEPLOYMENTS + "/web")[1]
        self.assertEqual(live["spec"]["replicas"], 8)
        self.assertIn("rival", [entry["manager"] for entry in live["metadata"]["managedFields"]])
        # The fault was used up: the retry from the new version goes through.
        retry = deployment(replicas=3, resourceVersion=live["metadata"]["resourceVersion"])
        self.assertEqual(self.call("PUT", DEPLOYMENTS + "/web", retry)[0], 200)


class StatusSubresource(HttpTestCase):
    groups = ("istio",)

    def test_main_resource_writes_keep_the_status(self):
        self.call("POST", DEPLOYMENTS, deployment())
        status, body = self.call("PATCH", DEPLOYMENTS + "/web/status", {"status": {"readyReplicas": 1}}, MERGE)
        self.assertEqual((status, body["status"]), (200, {"readyReplicas": 1}))
        writes = [("PUT", DEPLOYMENTS + "/web", dict(deployment(replicas=2), status={"readyReplicas": 0}), "application/json"),
                  ("PATCH", DEPLOYMENTS + "/web", {"spec": {"replicas": 3}, "status": None}, MERGE),
                  ("PATCH", DEPLOYMENTS + "/web", [{"op": "remove", "path": "/status"}], JSON_PATCH),
                  ("PATCH", DEPLOYMENTS + "/web?fieldManager=m&force=true",
                   dict(deployment(replicas=4), status={"readyReplicas": 9}), APPLY)]
        for method, path, body, content_type in writes:
            status, answer = self.call(method, path, body, content_type)
            self.assertEqual((status, answer["status"]), (200, {"readyReplicas": 1}), (method, content_type))
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web")[1]["spec"]["replicas"], 4)

    def test_status_writes_change_only_the_status(self):
        _, created = self.call("POST", DEPLOYMENTS, deployment())
        changed = dict(deployment(replicas=6), status={"replicas": 1})
        status, body = self.call("PUT", DEPLOYMENTS + "/web/status", changed)
        self.assertEqual((status, body["spec"]["replicas"], body["status"]), (200, 1, {"replicas": 1}))
        self.assertEqual(body["metadata"]["generation"], 1)
        status, body = self.call("PATCH", DEPLOYMENTS + "/web/status?fieldManager=ctl",
                                 dict(deployment(), status={"readyReplicas": 1}), APPLY)
        self.assertEqual((status, body["status"]), (200, {"replicas": 1, "readyReplicas": 1}))
        status, body = self.call("PATCH", DEPLOYMENTS + "/web/status", [
            {"op": "replace", "path": "/status/replicas", "value": 2}], JSON_PATCH)
        self.assertEqual((status, body["status"]), (200, {"replicas": 2, "readyReplicas": 1}))
        stale = dict(deployment(resourceVersion=created["metadata"]["resourceVersion"]), status={})
        self.assertEqual(self.call("PUT", DEPLOYMENTS + "/web/status", stale)[0], 409)
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web/status")[1]["status"],
                         {"replicas": 2, "readyReplicas": 1})

    def test_status_subresource_errors_and_discovery(self):
        self.call("POST", DEPLOYMENTS, deployment())
        self.assertEqual(self.call("DELETE", DEPLOYMENTS + "/web/status")[0], 405)
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/web/scale")[0], 404)
        self.assertEqual(self.call("GET", "/api/v1/namespaces/default/configmaps/x/status")[0], 404)
        self.assertEqual(self.call("GET", DEPLOYMENTS + "/nope/status")[0], 404)
        names = {r["name"] for r in self.call("GET", "/apis/apps/v1")[1]["resources"]}
        self.assertTrue({"deployments", "deployments/status"} <= names)
        self.call("POST", "/_emulator/rbac", {"deny": [{"verb": "patch", "resource": "deployments/status"}]})
        status, body = self.call("PATCH", DEPLOYMENTS + "/web/status", {"status": {}}, MERGE)
        self.assertEqual((status, body["message"]), (403, 'deployments.apps "web" is forbidden: User "admin" cannot '
                                                          'patch resource "deployments/status" in API group "apps" in '
                                                          'the namespace "default"'))
        self.assertEqual(self.call("PATCH", DEPLOYMENTS + "/web", {"spec": {}}, MERGE)[0], 200)

    def test_custom_resources_keep_status_and_refuse_strategic_merge_patch(self):
        self.call("PATCH", VIRTUAL_SERVICES + "/cart?fieldManager=meshctl", virtual_service(), APPLY)
        self.call("PATCH", VIRTUAL_SERVICES + "/cart/status", {"status": {"observedGeneration": 1}}, MERGE)
        status, body = self.call("PATCH", VIRTUAL_SERVICES + "/cart?fieldManager=meshctl",
                                 virtual_service((50, 50), status={}), APPLY)
        self.assertEqual((status, body["status"], body["metadata"]["generation"]),
                         (200, {"observedGeneration": 1}, 2))
        status, body = self.call("PATCH", VIRTUAL_SERVICES + "/cart", {"spec": {}},
                                 "application/strategic-merge-patch+json")
        self.assertEqual((status, body["reason"]), (415, "UnsupportedMediaType"))
        self.assertNotIn("strategic", body["message"])
        self.assertEqual(self.call("PATCH", DEPLOYMENTS + "/x", {}, "application/strategic-merge-patch+json")[0], 404)


class LeasesEndpointSlicesAndPods(HttpTestCase):
    def test_lease_acquisition_race_has_one_winner(self):
        self.assertEqual(self.call("POST", LEASES, fixtures.lease("shift-cart", "default", "alice"))[0], 201)
        status, body = self.call("POST", LEASES, fixtures.lease("shift-cart", "default", "bob"))
        self.assertEqual((status, body["reason"]), (409, "AlreadyExists"))
        live = self.call("GET", LEASES + "/shift-cart")[1]
        takeovers = []
        for holder in ("carol", "dave"):
            taken = fixtures.lease("shift-cart", "default", holder)
            taken["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            takeovers.append(self.call("PUT", LEASES + "/shift-cart", taken)[0])
        self.assertEqual(takeovers, [200, 409])
        self.assertEqual(self.call("GET", LEASES + "/shift-cart")[1]["spec"]["holderIdentity"], "carol")
        self.assertEqual(self.call("DELETE", LEASES + "/shift-cart")[0], 200)

    def test_lease_fields_are_checked(self):
        bad_time = fixtures.lease("a", "default", "alice")
        bad_time["spec"]["renewTime"] = "2026-01-02T03:04:05Z"
        status, body = self.call("POST", LEASES, bad_time)
        self.assertEqual((status, body["reason"]), (400, "BadRequest"))
        self.assertIn('parsing time "2026-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00"', body["message"])
        status, body = self.call("POST", LEASES, fixtures.lease("a", "default", "alice", duration_seconds=0))
        self.assertEqual((status, body["message"]), (422, 'Lease.coordination.k8s.io "a" is invalid: '
                                                          "spec.leaseDurationSeconds: Invalid value: 0: must be "
                                                          "greater than 0"))
        self.assertEqual(self.call("GET", LEASES)[1]["items"], [])

    def test_endpoint_slices_list_by_service_name_and_need_an_address_type(self):
        for slice_ in (fixtures.endpoint_slice("cart-v1", "default", ready=(True, False)),
                       fixtures.endpoint_slice("cart-v2", "default", ready=(None,))):
            self.assertEqual(self.call("POST", SLICES, slice_)[0], 201)
        status, body = self.call("GET", SLICES + "?labelSelector=kubernetes.io%2Fservice-name%3Dcart-v1")
        self.assertEqual([item["metadata"]["name"] for item in body["items"]], ["cart-v1-slice"])
        self.assertEqual([e["conditions"]["ready"] for e in body["items"][0]["endpoints"]], [True, False])
        broken = fixtures.endpoint_slice("x", "default")
        del broken["addressType"]
        broken["endpoints"][0]["addresses"] = []
        status, body = self.call("POST", SLICES, broken)
        self.assertEqual((status, body["reason"], [c["field"] for c in body["details"]["causes"]]),
                         (422, "Invalid", ["addressType", "endpoints[0].addresses"]))

    def test_pods_keep_their_status_and_list_by_label(self):
        fixtures.create_all(self.client, [fixtures.pod("v1-a", "default", {"app": "cart", "version": "v1"}),
                                          fixtures.pod("v2-a", "default", {"app": "cart", "version": "v2"},
                                                       ready=False)])

        def ready(selector):
            items = self.call("GET", PODS + "?labelSelector=" + selector)[1]["items"]
            return {p["metadata"]["name"]: [c["status"] for c in p["status"]["conditions"] if c["type"] == "Ready"]
                    for p in items}

        self.assertEqual(ready("version%3Dv2"), {"v2-a": ["False"]})
        fixtures.set_pod_ready(self.client, "default", "v2-a", True)
        self.assertEqual(ready("app%3Dcart"), {"v1-a": ["True"], "v2-a": ["True"]})
        self.call("PATCH", PODS + "/v2-a", {"metadata": {"labels": {"track": "canary"}}, "status": None}, MERGE)
        self.assertEqual(ready("track"), {"v2-a": ["True"]})

    def test_workload_ready_replicas_through_the_fixture(self):
        self.call("POST", DEPLOYMENTS, deployment())
        fixtures.set_workload_ready(self.client, "apps/v1", "Deployment", "default", "web", 3, 1)
        status = self.call("GET", DEPLOYMENTS + "/web")[1]["status"]
        self.assertEqual((status["replicas"], status["readyReplicas"]), (3, 1))


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
