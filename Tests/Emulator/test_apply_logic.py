"""Unit tests of the emulator's field ownership (server-side apply), without a server or kubectl."""

import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emulator_apply as ssa  # noqa: E402
import emulator_fixtures as fixtures  # noqa: E402
import emulator_kinds as kinds  # noqa: E402
from emulator_resources import BUILTIN_RESOURCES  # noqa: E402
from emulator_state import ApiError  # noqa: E402

NOW = "2026-01-01T00:00:00Z"
LATER = "2026-01-01T00:01:00Z"


def deployment(replicas=2, image="nginx:1.27", labels=None):
    """A Deployment as a manifest would hold it."""
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "shop"},
           "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}}}
    if labels:
        obj["metadata"]["labels"] = labels
    return obj


def owners(obj):
    """manager -> set of path strings."""
    return {e["manager"]: {ssa.path_string(p) for p in e["paths"]} for e in ssa.managed_entries(obj)}


class LeafPathTests(unittest.TestCase):
    def test_leaves_skip_identity_and_status(self):
        obj = deployment()
        obj["status"] = {"replicas": 1}
        paths = {ssa.path_string(p) for p in ssa.leaf_paths(obj)}
        self.assertEqual(paths, {".spec.replicas", ".spec.template.spec.containers"})

    def test_fields_v1_round_trip(self):
        paths = {("spec", "replicas"), ("metadata", "labels", "app")}
        tree = ssa.fields_v1(paths)
        self.assertEqual(tree, {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:replicas": {}}})
        self.assertEqual(ssa.paths_from_fields_v1(tree), paths)


class ServerSideApplyTests(unittest.TestCase):
    def test_first_apply_creates_with_one_apply_manager(self):
        obj = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        entries = obj["metadata"]["managedFields"]
        self.assertEqual([(e["manager"], e["operation"], e["apiVersion"]) for e in entries],
                         [("kubectl", "Apply", "apps/v1")])
        self.assertEqual(entries[0]["fieldsV1"]["f:spec"]["f:replicas"], {})
        self.assertEqual(obj["spec"]["replicas"], 2)

    def test_reapply_is_idempotent(self):
        first = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        second = ssa.server_side_apply(first, deployment(), "kubectl", False, LATER)
        self.assertEqual(ssa.canonical(first), ssa.canonical(second))

    def test_other_manager_changing_an_owned_field_conflicts(self):
        live = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        with self.assertRaises(ssa.ApplyConflict) as raised:
            ssa.server_side_apply(live, deployment(replicas=5), "other", False, LATER)
        self.assertEqual(str(raised.exception),
                         'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas')
        self.assertEqual(ssa.conflict_causes(raised.exception.conflicts),
                         [{"reason": "FieldManagerConflict", "message": 'conflict with "kubectl" using apps/v1',
                           "field": ".spec.replicas"}])

    def test_same_value_is_shared_not_a_conflict(self):
        live = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        shared = ssa.server_side_apply(live, deployment(), "other", False, LATER)
        self.assertIn(".spec.replicas", owners(shared)["kubectl"])
        self.assertIn(".spec.replicas", owners(shared)["other"])

    def test_force_moves_ownership(self):
        live = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        forced = ssa.server_side_apply(live, deployment(replicas=5), "other", True, LATER)
        self.assertEqual(forced["spec"]["replicas"], 5)
        self.assertNotIn(".spec.replicas", owners(forced)["kubectl"])
        self.assertIn(".spec.replicas", owners(forced)["other"])

    def test_several_conflicts_are_listed_per_manager(self):
        live = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        with self.assertRaises(ssa.ApplyConflict) as raised:
            ssa.server_side_apply(live, deployment(replicas=5, image="nginx:2"), "other", False, LATER)
        self.assertEqual(str(raised.exception),
                         'Apply failed with 2 conflicts: conflicts with "kubectl" using apps/v1:\n'
                         "- .spec.replicas\n- .spec.template.spec.containers")

    def test_field_no_longer_applied_is_removed(self):
        live = ssa.server_side_apply(None, deployment(labels={"app": "web"}), "kubectl", False, NOW)
        after = ssa.server_side_apply(live, deployment(), "kubectl", False, LATER)
        self.assertNotIn("labels", after["metadata"])

    def test_field_no_longer_applied_stays_when_another_manager_owns_it(self):
        live = ssa.server_side_apply(None, deployment(labels={"app": "web"}), "kubectl", False, NOW)
        live = ssa.server_side_apply(live, deployment(labels={"app": "web"}), "other", False, NOW)
        after = ssa.server_side_apply(live, deployment(), "kubectl", False, LATER)
        self.assertEqual(after["metadata"]["labels"], {"app": "web"})

    def test_update_manager_conflicts_name_the_time(self):
        live = ssa.server_side_apply(None, deployment(), "kubectl", False, NOW)
        edited = ssa.merge_patch(live, {"spec": {"replicas": 3}})
        live = ssa.record_update(live, edited, "kubectl-edit", LATER)
        self.assertEqual(owners(live)["kubectl-edit"], {".spec.replicas"})
        with self.assertRaises(ssa.ApplyConflict) as raised:
            ssa.server_side_apply(live, deployment(replicas=4), "kubectl", False, LATER)
        self.assertIn(f'conflict with "kubectl-edit" using apps/v1 at {LATER}: .spec.replicas', str(raised.exception))


def virtual_service(weights):
    """A VirtualService whose `spec.http` (a list without keys: atomic) splits over two subsets."""
    route = [{"destination": {"host": "cart", "subset": f"v{i + 1}"}, "weight": w} for i, w in enumerate(weights)]
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "cart", "namespace": "shop"},
            "spec": {"hosts": ["cart"], "http": [{"route": route}]}}


class AtomicListTests(unittest.TestCase):
    def test_a_list_is_owned_and_conflicts_as_one_field(self):
        live = ssa.server_side_apply(None, virtual_service((90, 10)), "meshctl", False, NOW)
        live = ssa.server_side_apply(live, virtual_service((50, 50)), "meshctl-shift", True, LATER)
        self.assertEqual(owners(live), {"meshctl": {".spec.hosts"}, "meshctl-shift": {".spec.hosts", ".spec.http"}})
        self.assertEqual(live["metadata"]["managedFields"][1]["fieldsV1"]["f:spec"], {"f:hosts": {}, "f:http": {}})
        with self.assertRaises(ssa.ApplyConflict) as raised:
            ssa.server_side_apply(live, virtual_service((90, 10)), "meshctl", False, LATER)
        self.assertEqual(str(raised.exception), 'Apply failed with 1 conflict: conflict with "meshctl-shift" using '
                                                "networking.istio.io/v1: .spec.http")

    def test_a_list_applied_whole_replaces_the_live_list(self):
        live = ssa.server_side_apply(None, virtual_service((90, 10, 0)), "meshctl", False, NOW)
        forced = ssa.server_side_apply(live, virtual_service((100,)), "meshctl-shift", True, LATER)
        self.assertEqual([r["weight"] for r in forced["spec"]["http"][0]["route"]], [100])
        self.assertEqual(owners(forced)["meshctl"], {".spec.hosts"})


def resource(plural):
    """The built-in resource called `plural`."""
    return next(r for r in BUILTIN_RESOURCES if r.plural == plural)


class KindCheckTests(unittest.TestCase):
    def test_lease_times_need_six_fractional_digits(self):
        kinds.check_object(resource("leases"), fixtures.lease("a", "ns", "alice"))
        for value in ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123Z", 5):
            lease = fixtures.lease("a", "ns", "alice")
            lease["spec"]["acquireTime"] = value
            with self.assertRaises(ApiError) as raised:
                kinds.check_object(resource("leases"), lease)
            self.assertEqual(raised.exception.code, 400, value)
        lease["spec"]["acquireTime"] = "2026-01-02T03:04:05.123456+02:00"
        kinds.check_object(resource("leases"), lease)

    def test_lease_numbers(self):
        lease = fixtures.lease("a", "ns", "alice", duration_seconds=-1, transitions=-2)
        with self.assertRaises(ApiError) as raised:
            kinds.check_object(resource("leases"), lease)
        self.assertEqual([c["field"] for c in raised.exception.details["causes"]],
                         ["spec.leaseDurationSeconds", "spec.leaseTransitions"])
        self.assertTrue(raised.exception.message.startswith('Lease.coordination.k8s.io "a" is invalid: [spec.'))
        lease = fixtures.lease("a", "ns", "alice", duration_seconds="30")
        with self.assertRaises(ApiError) as raised:
            kinds.check_object(resource("leases"), lease)
        self.assertEqual(raised.exception.code, 400)

    def test_endpoint_slice_address_type_and_addresses(self):
        kinds.check_object(resource("endpointslices"), fixtures.endpoint_slice("cart", "ns", ready=(True, None)))
        broken = fixtures.endpoint_slice("cart", "ns")
        broken["addressType"] = "IPv5"
        with self.assertRaises(ApiError) as raised:
            kinds.check_object(resource("endpointslices"), broken)
        self.assertIn('addressType: Unsupported value: "IPv5"', raised.exception.message)

    def test_other_kinds_are_not_checked(self):
        kinds.check_object(resource("pods"), {"metadata": {"name": "x"}, "spec": {"acquireTime": "now"}})


class FixtureTests(unittest.TestCase):
    def test_paths_and_micro_time(self):
        self.assertEqual(fixtures.object_path(fixtures.pod("p", "ns", {})), "/api/v1/namespaces/ns/pods/p")
        self.assertEqual(fixtures.object_path(fixtures.lease("l", "ns", "me")),
                         "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l")
        self.assertEqual(fixtures.collection_path(fixtures.endpoint_slice("s", "ns")),
                         "/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices")
        moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
        self.assertEqual(fixtures.micro_time(moment), "2026-01-02T03:04:05.000006Z")

    def test_pod_readiness(self):
        conditions = fixtures.pod("p", "ns", {"app": "a"}, ready=False)["status"]["conditions"]
        self.assertIn({"type": "Ready", "status": "False"}, conditions)


class MergePatchTests(unittest.TestCase):
    def test_null_removes_and_maps_merge(self):
        patched = ssa.merge_patch({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None, "e": 3}, "d": [2]})
        self.assertEqual(patched, {"a": {"c": 2, "e": 3}, "d": [2]})


if __name__ == "__main__":
    unittest.main()
