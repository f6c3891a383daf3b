"""Unit tests of the emulator's field ownership (server-side apply), without a server or kubectl."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emulator_apply as ssa  # noqa: E402

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


class MergePatchTests(unittest.TestCase):
    def test_null_removes_and_maps_merge(self):
        patched = ssa.merge_patch({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None, "e": 3}, "d": [2]})
        self.assertEqual(patched, {"a": {"c": 2, "e": 3}, "d": [2]})


if __name__ == "__main__":
    unittest.main()
