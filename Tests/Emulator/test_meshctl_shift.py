"""shift keeps its promises against the emulator, with the real kubectl reading the state back: it owns
the weights it sets (a re-apply is refused, not silently reset), it never overwrites a write it did not
see (resourceVersion preconditions, a Lease while a stepped shift runs), and --rollback walks a bounded
history instead of toggling."""

import json
import os
import shlex
import signal
import subprocess
import time
import unittest

from emulator_fixtures import create_all, interleave_next_write, pod
from test_emulator_kubectl import MESHCTL
from test_meshctl_policies import SHOP, PolicyTestCase

TRAFFIC = os.path.join(SHOP, "traffic.yaml")
ROUTE = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices/cart"


class ShiftTestCase(PolicyTestCase):
    groups = ("istio",)

    def shift(self, *arguments):
        return self.meshctl("shift", *arguments, "-n", "shop")

    def shift_ok(self, *arguments):
        result = self.shift(*arguments)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def history(self):
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        text = route["metadata"].get("annotations", {}).get("meshctl.io/weight-history")
        return None if text is None else [entry["weights"] for entry in json.loads(text)]

    def managers(self):
        route = self.get_json("virtualservice", "cart", "-n", "shop", "--show-managed-fields")
        return {entry["manager"]: entry.get("fieldsV1", {}) for entry in route["metadata"]["managedFields"]}


class ReadyEndpoints(ShiftTestCase):
    def test_shift_to_a_backend_without_ready_pods_is_refused_with_nothing_written(self):
        self.apply_shop(ready=False)
        create_all(self.admin, [
            pod("cart-v1-0", "shop", {"app": "cart", "version": "v1"}, ready=True, ip="10.0.0.11"),
            pod("cart-v2-0", "shop", {"app": "cart", "version": "v2"}, ready=False, ip="10.0.0.12"),
        ])
        before = self.get_json("virtualservice", "cart", "-n", "shop")["metadata"]["resourceVersion"]
        refused = self.shift("cart", "--to", "v2", "--weight", "100")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("backend v2 (selector version=v2) has no ready pods: 0 of 1 pod matching app=cart,version=v2 is ready",
                      refused.stderr)
        self.assertIn("nothing was sent to the cluster", refused.stderr)
        # kubectl sees the route exactly as apply left it: same weights, same version, no record.
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        self.assertEqual(route["metadata"]["resourceVersion"], before)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        self.assertIsNone(self.history())
        allowed = self.shift("cart", "--to", "v2", "--weight", "100", "--allow-empty")
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        self.assertIn("Warning: --allow-empty:", allowed.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 0, "v2": 100})


class Ownership(ShiftTestCase):
    def test_reapply_after_a_shift_is_refused_and_force_conflicts_takes_the_weights(self):
        self.apply_shop()
        self.shift_ok("cart", "--to", "v2", "--weight", "50")
        again = self.meshctl("apply", "-f", TRAFFIC)
        self.assertEqual(again.returncode, 4, again.stderr)
        self.assertIn('a shift of Service "cart" holds these weights', again.stderr)
        self.assertIn("meshctl shift cart --finish -n shop", again.stderr)
        self.assertIn("meshctl shift cart --abandon -n shop", again.stderr)
        self.assertIn("--force-conflicts", again.stderr)
        # kubectl sees the shifted weights and the record untouched.
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 50, "v2": 50})
        self.assertEqual(self.history(), [{"v1": 90, "v2": 10}])
        forced = self.meshctl("apply", "--force-conflicts", "-f", TRAFFIC)
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        self.assertEqual(self.history(), [{"v1": 90, "v2": 10}], "apply erased the shift record")

    def test_finish_keeps_the_weights_and_hands_them_back_to_apply(self):
        self.apply_shop()
        self.shift_ok("cart", "--to", "v2", "--weight", "50")
        self.assertIn("f:spec", self.managers()["meshctl-shift"])
        finished = self.shift_ok("cart", "--finish")
        self.assertIn("trafficsplit shop/cart finished: v1=50,v2=50", finished.stdout)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 50, "v2": 50})
        managers = self.managers()
        self.assertNotIn("f:spec", managers["meshctl-shift"], "shift still owns route fields")
        self.assertIn("f:spec", managers["meshctl"])
        # Nothing was deleted on the way: labels, source annotations, the DestinationRule, the history.
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        self.assertEqual(route["metadata"]["labels"]["app.kubernetes.io/managed-by"], "meshctl")
        self.assertIn("meshctl.io/source", route["metadata"]["annotations"])
        self.assertEqual(len(route["spec"]["http"]), 2)
        self.assertEqual(self.history(), [{"v1": 90, "v2": 10}])
        self.assertEqual(self.kubectl("get", "destinationrule", "cart", "-n", "shop").returncode, 0)
        # apply owns the weights again: the file's weights go through without a conflict.
        again = self.meshctl("apply", "-f", TRAFFIC)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_abandon_restores_the_weights_from_before_and_hands_them_back(self):
        self.apply_shop()
        self.shift_ok("cart", "--to", "v2", "--weight", "50")
        abandoned = self.shift_ok("cart", "--abandon")
        self.assertIn("trafficsplit shop/cart abandoned: v1=90,v2=10", abandoned.stdout)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        self.assertEqual(self.history(), [])
        again = self.meshctl("apply", "-f", TRAFFIC)
        self.assertEqual(again.returncode, 0, again.stderr)


class History(ShiftTestCase):
    def test_rollback_three_times_walks_the_history_then_refuses(self):
        self.apply_shop()
        for weight in ("20", "50", "100"):
            self.shift_ok("cart", "--to", "v2", "--weight", weight)
        listed = self.shift_ok("history", "cart")
        self.assertEqual([line.split()[-1] for line in listed.stdout.splitlines()],
                         ["v1=50,v2=50", "v1=80,v2=20", "v1=90,v2=10"])
        for expected in ({"v1": 50, "v2": 50}, {"v1": 80, "v2": 20}, {"v1": 90, "v2": 10}):
            self.shift_ok("cart", "--rollback")
            self.assertEqual(self.route_weights("virtualservice"), expected)
        self.admin.request("DELETE", "/_emulator/stats")
        refused = self.shift("cart", "--rollback")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("nothing to roll back to", refused.stderr)
        self.assertEqual(self.writes(), [])
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_rollback_to_an_entry_and_status(self):
        self.apply_shop()
        self.shift_ok("cart", "--to", "v2", "--weight", "20")
        self.shift_ok("cart", "--to", "v2", "--weight", "60")
        status = self.shift_ok("status", "cart")
        self.assertIn("trafficsplit shop/cart: v1=40,v2=60", status.stdout)
        self.assertIn("weights held by a shift (field manager meshctl-shift", status.stdout)
        self.shift_ok("cart", "--rollback", "--to", "2")
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})
        self.assertEqual(self.history(), [])


class Races(ShiftTestCase):
    def test_a_write_in_between_stops_the_shift_and_names_the_writer(self):
        self.apply_shop()
        interleave_next_write(self.admin, ROUTE, {"metadata": {"annotations": {"rival": "was-here"}}},
                              field_manager="rival", methods=("PATCH",))
        result = self.shift("cart", "--to", "v2", "--weight", "50")
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn('last written by "rival"', result.stderr)
        route = self.get_json("virtualservice", "cart", "-n", "shop")
        self.assertEqual(route["metadata"]["annotations"]["rival"], "was-here")
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_two_concurrent_shifts_exactly_one_succeeds(self):
        self.apply_shop()
        release = os.path.join(self.scratch, "release-gate")
        if os.path.exists(release):
            os.remove(release)
        first = subprocess.Popen(
            [MESHCTL, "shift", "cart", "--to", "v2", "--steps", "30,60", "--gate",
             f"while [ ! -f {release} ]; do sleep 0.05; done", "--gate-timeout", "60s", "-n", "shop",
             "--kubeconfig", self.emulator.kubeconfig],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(200):
                if self.route_weights("virtualservice") == {"v1": 70, "v2": 30}:
                    break
                time.sleep(0.05)
            self.assertEqual(self.route_weights("virtualservice"), {"v1": 70, "v2": 30})
            lease = self.get_json("lease", "meshctl-shift-cart", "-n", "shop")
            self.assertIn(" pid ", lease["spec"]["holderIdentity"])
            self.assertEqual(lease["metadata"]["annotations"]["meshctl.io/shift-step"], "1/2 v1=70,v2=30")
            status = self.shift_ok("status", "cart")
            self.assertIn("shift running: ", status.stdout)
            second = self.shift("cart", "--to", "v2", "--weight", "80")
            self.assertEqual(second.returncode, 4, second.stderr)
            self.assertIn('another shift of Service "cart" is running: held by', second.stderr)
            self.assertIn(lease["spec"]["acquireTime"], second.stderr)
            self.assertEqual(self.route_weights("virtualservice"), {"v1": 70, "v2": 30}, "the second shift wrote")
            with open(release, "w"):
                pass
            stdout, stderr = first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
        self.assertEqual(first.returncode, 0, stderr)
        self.assertIn("v1=40,v2=60", stdout)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 40, "v2": 60})
        self.assertNotEqual(self.kubectl("get", "lease", "meshctl-shift-cart", "-n", "shop").returncode, 0,
                            "the Lease outlived the shift")


class Progress(ShiftTestCase):
    def test_a_gate_that_hangs_is_killed_and_the_weights_restored(self):
        self.apply_shop()
        started = time.monotonic()
        result = self.shift("cart", "--to", "v2", "--steps", "50", "--gate", "sleep 30", "--gate-timeout", "1s")
        self.assertLess(time.monotonic() - started, 25, "the gate was not killed")
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertIn("the gate failed (timed out after 1s) after step 1", result.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_json_events_one_per_line(self):
        self.apply_shop()
        result = self.shift_ok("cart", "--to", "v2", "--steps", "50,100", "--gate", "true", "-o", "json")
        events = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([event["event"] for event in events],
                         ["step", "gate-started", "gate-passed", "step", "gate-started", "gate-passed", "finished"])
        self.assertEqual(events[-1]["weights"], {"v1": 0, "v2": 100})
        # Without a terminal, progress is timestamped lines on standard error.
        plain = self.shift_ok("cart", "--to", "v2", "--weight", "10")
        self.assertRegex(plain.stderr, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ step 1/1: shop/cart v1=90,v2=10\n$")


class UnderFailure(ShiftTestCase):
    def start_gated_shift(self, gate):
        """Starts `shift cart --to v2 --weight 50 --gate GATE` and returns the running process."""
        command = [MESHCTL, "shift", "cart", "--to", "v2", "--weight", "50", "--gate", gate, "-n", "shop",
                   "--kubeconfig", self.emulator.kubeconfig]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for(self, path):
        for _ in range(300):
            if os.path.exists(path):
                return
            time.sleep(0.05)
        self.fail(f"the gate never started ({path})")

    def test_sigterm_while_the_gate_runs_stops_the_gate_and_restores_at_once(self):
        self.apply_shop()
        started = os.path.join(self.scratch, "gate-started")
        process = self.start_gated_shift(f"touch {shlex.quote(started)}; sleep 30")
        try:
            self.wait_for(started)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=25)
        finally:
            if process.poll() is None:
                process.kill()
            os.remove(started)
        # An end-to-end bound, far below the gate's 30 s: the gate was stopped, not waited for.
        self.assertLess(time.monotonic() - signalled, 10, stderr)
        self.assertEqual(process.returncode, 130, stderr)
        self.assertIn("interrupted: weights restored to v1=90,v2=10", stderr)
        self.assertNotIn("gate passed", stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_a_restore_that_fails_says_the_weights_were_not_restored_and_how_to_restore_them(self):
        self.apply_shop()
        started, go = os.path.join(self.scratch, "gate-started"), os.path.join(self.scratch, "gate-go")
        gate = f"touch {shlex.quote(started)}; while [ ! -e {shlex.quote(go)} ]; do sleep 0.05; done; exit 1"
        process = self.start_gated_shift(gate)
        try:
            self.wait_for(started)
            # The step is written; from now on every write of the route fails with a 500.
            self.faults({"errors": {"count": 50, "code": 500, "methods": ["PATCH"], "pathPrefix": ROUTE}})
            open(go, "w").close()
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            for path in (started, go):
                os.remove(path)
        self.admin.request("DELETE", "/_emulator/faults")
        self.assertEqual(process.returncode, 3, stderr)
        self.assertIn("the weights were NOT restored to v1=90,v2=10 after the gate failed (exit 1) after step 1", stderr)
        self.assertIn("live weights: v1=50,v2=50 (as step 1/1 wrote them)", stderr)
        self.assertNotIn("weights restored", stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 50, "v2": 50})
        # The command the message names restores them.
        line = next(line for line in stderr.splitlines() if line.strip().startswith("restore them: "))
        words = shlex.split(line.split("restore them: ", 1)[1])
        self.assertEqual(words[:6], ["meshctl", "shift", "cart", "--rollback", "-n", "shop"])
        restored = subprocess.run([MESHCTL, *words[1:]], capture_output=True, text=True, timeout=60)
        self.assertEqual(restored.returncode, 0, restored.stderr)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})


if __name__ == "__main__":
    unittest.main()
