"""Canary analysis and the plaintext check end to end: meshctl against the emulator (kubectl reads the
weights back) with its PromQL run by the real Prometheus (Tests/Prometheus/harness.py), which scrapes a
test exporter whose traffic each test sets. The emulator has no service proxy: the harness's URL is
passed with --prometheus. Intervals are short (3 s, scrape every 1 s) to keep the tests quick."""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.request

from test_emulator_kubectl import REPOSITORY
from test_meshctl_policies import PolicyTestCase

HARNESS = os.path.join(REPOSITORY, "Tests", "Prometheus", "harness.py")
ENSURE = os.path.join(REPOSITORY, "scripts", "ensure-prometheus.sh")
INTERVAL = "3s"


def prometheus_binary():
    """MESHCTL_PROMETHEUS_BINARY, prometheus on PATH, or what scripts/ensure-prometheus.sh installs."""
    given = os.environ.get("MESHCTL_PROMETHEUS_BINARY")
    if given and os.access(given, os.X_OK):
        return given
    found = shutil.which("prometheus") or ("/usr/bin/prometheus" if os.access("/usr/bin/prometheus", os.X_OK) else None)
    if found:
        return found
    result = subprocess.run(["bash", ENSURE], capture_output=True, text=True, timeout=600)
    return result.stdout.strip() or None


class Harness:
    """One real Prometheus and exporter for the whole module."""
    process = None
    urls = None

    @classmethod
    def start(cls):
        if cls.urls is not None:
            return cls.urls
        binary = prometheus_binary()
        if binary is None:
            raise RuntimeError("the Debian package prometheus cannot be installed (scripts/ensure-prometheus.sh)")
        cls.process = subprocess.Popen([sys.executable, HARNESS, "--prometheus", binary], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        line = cls.process.stdout.readline()
        if not line:
            raise RuntimeError("the Prometheus harness did not start")
        cls.urls = json.loads(line)
        return cls.urls

    @classmethod
    def stop(cls):
        if cls.process is not None:
            cls.process.stdin.close()
            cls.process.wait(timeout=30)
            cls.process.stdout.close()
            cls.process = None
            cls.urls = None


def tearDownModule():
    Harness.stop()


class AnalysisTestCase(PolicyTestCase):
    groups = ("istio",)

    def setUp(self):
        super().setUp()
        self.urls = Harness.start()

    def set_backend(self, **settings):
        body = json.dumps({"mesh": "istio", "namespace": "shop", **settings}).encode()
        request = urllib.request.Request(self.urls["exporter"] + "/backends", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            answer.read()

    def canary(self, rps, error_rate=0.0, latency_ms=10):
        """Sets cart-v2's traffic and waits one window, so every window evaluated sees only it."""
        self.set_backend(workload="cart-v2", version="v2", rps=rps, errorRate=error_rate, latencyMs=latency_ms)
        time.sleep(3.5)

    def shift(self, *arguments):
        return self.meshctl("shift", "cart", "-n", "shop", "--prometheus", self.urls["prometheus"], *arguments)


class CanaryAnalysis(AnalysisTestCase):
    def test_a_healthy_canary_walks_every_step_to_100(self):
        self.apply_shop()
        self.canary(rps=40)
        result = self.shift("--to", "v2", "--steps", "50,100", "--interval", INTERVAL,
                            "--analysis", "success-rate>=99", "--analysis", "latency-p99<=300ms")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"using prometheus {self.urls['prometheus']} (from --prometheus)", result.stderr)
        self.assertIn("analysis of shop/cart-v2 version v2: success-rate>=99, latency-p99<=300ms", result.stderr)
        self.assertIn("step 1/2: success-rate 100% (>= 99%): pass", result.stderr)
        self.assertIn("step 2/2: success-rate 100% (>= 99%): pass", result.stderr)
        self.assertRegex(result.stderr, r"step 2/2: latency-p99 \d+(\.\d+)? ms \(<= 300 ms\): pass")
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 0, "v2": 100})

    def test_a_canary_with_5_percent_errors_is_rolled_back_at_the_first_step(self):
        self.apply_shop()
        self.canary(rps=40, error_rate=0.05)
        result = self.shift("--to", "v2", "--steps", "50,100", "--interval", INTERVAL,
                            "--analysis", "success-rate>=99", "-o", "json")
        self.assertEqual(result.returncode, 5, result.stderr)
        events = [json.loads(line) for line in result.stdout.splitlines()]
        analysis = [event for event in events if event["event"] == "analysis"]
        self.assertEqual(len(analysis), 1, result.stdout)
        self.assertEqual((analysis[0]["step"], analysis[0]["verdict"], analysis[0]["threshold"]), (1, "fail", 99))
        self.assertTrue(93 <= analysis[0]["value"] <= 97, analysis[0])
        self.assertIn('destination_workload="cart-v2"', analysis[0]["query"])
        self.assertRegex(result.stderr, r"the analysis failed after step 1: success-rate 9\d(\.\d+)?% \(>= 99%\): fail: "
                                        r"weights restored to v1=90,v2=10")
        self.assertEqual(events[-1]["event"], "rolled-back")
        # kubectl reads back the weights from before the shift.
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_a_latency_regression_is_rolled_back(self):
        self.apply_shop()
        self.canary(rps=40, latency_ms=700)
        result = self.shift("--to", "v2", "--weight", "50", "--interval", INTERVAL, "--analysis", "latency-p99<=300ms")
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertRegex(result.stderr, r"latency-p99 \d+(\.\d+)? ms \(<= 300 ms\): fail")
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_no_traffic_fails_as_not_enough_traffic_after_the_bound(self):
        self.apply_shop()
        self.canary(rps=0)
        started = time.monotonic()
        result = self.shift("--to", "v2", "--weight", "50", "--interval", INTERVAL, "--analysis", "success-rate>=99")
        elapsed = time.monotonic() - started
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertIn("not enough traffic (0 requests, --min-requests 1): waiting up to 9s more", result.stderr)
        self.assertIn("not enough traffic after step 1: 0 requests to cart-v2 in 3s (--min-requests 1), waited 9s",
                      result.stderr)
        # The interval, then the bound (3 intervals) of waiting for traffic.
        self.assertGreaterEqual(elapsed, 12)
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_dry_run_prints_the_promql_and_writes_nothing(self):
        self.apply_shop()
        result = self.shift("--to", "v2", "--steps", "50,100", "--interval", INTERVAL, "--analysis",
                            "success-rate>=99", "--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)
        selector = ('{reporter="destination",destination_workload="cart-v2",destination_workload_namespace="shop",'
                    'destination_version="v2"}')
        self.assertEqual(result.stdout.splitlines(), [
            f"sum(increase(istio_requests_total{selector}[3s]))",
            f'100 * sum(rate(istio_requests_total{selector[:-1]},response_code!~"5.."}}[3s])) / '
            f"sum(rate(istio_requests_total{selector}[3s]))",
        ])
        self.assertEqual(self.route_weights("virtualservice"), {"v1": 90, "v2": 10})

    def test_top_shows_the_canarys_rate_success_and_latency(self):
        self.apply_shop()
        self.canary(rps=40, error_rate=0.05, latency_ms=200)
        result = self.meshctl("top", "-n", "shop", "--window", INTERVAL, "--prometheus", self.urls["prometheus"],
                              "-o", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = {row["workload"]: row for row in json.loads(result.stdout)["workloads"]}
        canary = rows["cart-v2"]
        self.assertTrue(30 <= canary["requestRate"] <= 50, canary)
        self.assertTrue(93 <= canary["successRate"] <= 97, canary)
        # Istio's buckets around 200 ms are 100 and 250: the quantiles fall between them.
        self.assertTrue(100 <= canary["p50Ms"] <= 250 and 100 <= canary["p99Ms"] <= 250, canary)

    def test_analysis_from_the_traffic_split_is_kept_in_the_cluster(self):
        traffic = os.path.join(REPOSITORY, "examples", "shop", "traffic.yaml")
        with open(traffic) as handle:
            text = handle.read()
        self.assertIn("spec:\n  service: cart\n", text)
        path = self.write("traffic.yaml", text.replace("spec:\n  service: cart\n",
                                                      "spec:\n  service: cart\n  analysis: [success-rate>=99.9]\n"))
        self.apply_shop()
        applied = self.meshctl("apply", "-f", path)
        self.assertEqual(applied.returncode, 0, applied.stderr)
        result = self.shift("--to", "v2", "--weight", "50", "--interval", INTERVAL, "--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(result.stdout.splitlines()), 2, result.stdout)
        self.assertIn('response_code!~"5.."', result.stdout)


class LinkerdCanaryAnalysis(AnalysisTestCase):
    """Linkerd's metric shapes (response_total, response_latency_ms_bucket by deployment)."""
    groups = ("linkerd", "gateway")

    def linkerd_canary(self, **settings):
        self.set_backend(mesh="linkerd", workload="cart-v2", **settings)
        time.sleep(3.5)

    def test_a_healthy_canary_walks_to_100_and_errors_roll_back(self):
        self.apply_shop()
        self.linkerd_canary(rps=40)
        healthy = self.shift("--to", "v2", "--weight", "100", "--interval", INTERVAL,
                             "--analysis", "success-rate>=99", "--analysis", "latency-p99<=300ms")
        self.assertEqual(healthy.returncode, 0, healthy.stderr)
        self.assertIn("analysis of shop/cart-v2 version v2: success-rate>=99, latency-p99<=300ms", healthy.stderr)
        self.assertIn("step 1/1: success-rate 100% (>= 99%): pass", healthy.stderr)
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 0, "cart-v2": 100})
        back = self.shift("--rollback")
        self.assertEqual(back.returncode, 0, back.stderr)
        self.linkerd_canary(rps=40, errorRate=0.05)
        failed = self.shift("--to", "v2", "--weight", "50", "--interval", INTERVAL, "--analysis", "success-rate>=99")
        self.assertEqual(failed.returncode, 5, failed.stderr)
        self.assertRegex(failed.stderr, r"the analysis failed after step 1: success-rate 9\d(\.\d+)?% \(>= 99%\): fail")
        self.assertEqual(self.route_weights("httproute"), {"cart-v1": 90, "cart-v2": 10})


class PlaintextCheck(AnalysisTestCase):
    def setUp(self):
        super().setUp()
        self.cluster_namespace("pay")
        self.set_backend(namespace="pay", workload="checkout", rps=5,
                         plaintext=[{"workload": "legacy", "namespace": "old", "rps": 4, "tcpPerSecond": 1}])

    def cluster_namespace(self, name):
        path = self.write("namespace.yaml", f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
        self.kubectl_ok("apply", "--server-side", "-f", path)

    def check(self, *arguments):
        return self.meshctl("mtls", "check", "-n", "pay", "--prometheus", self.urls["prometheus"], *arguments)

    def test_mtls_check_lists_exactly_the_plaintext_callers_and_strict_is_refused(self):
        deadline = time.monotonic() + 30
        result = self.check("--window", "5s", "-o", "json")
        while result.returncode != 1 and time.monotonic() < deadline:
            time.sleep(1)
            result = self.check("--window", "5s", "-o", "json")
        self.assertEqual(result.returncode, 1, result.stderr + result.stdout)
        callers = json.loads(result.stdout)["plaintextCallers"]
        self.assertEqual([(c["namespace"], c["workload"], c["sourceWorkload"], c["sourceNamespace"]) for c in callers],
                         [("pay", "checkout", "legacy", "old")])
        self.assertGreater(callers[0]["requests"], 0)
        self.assertGreater(callers[0]["connections"], 0)
        table = self.check("--window", "5s")
        self.assertEqual(table.returncode, 1, table.stderr)
        self.assertRegex(table.stdout, r"pay\s+checkout\s+legacy\.old\s+\d+\s+\d+\n")
        # The shop's canary traffic is all mTLS: nothing there.
        clean = self.meshctl("mtls", "check", "-n", "shop", "--window", "5s", "--prometheus", self.urls["prometheus"])
        self.assertEqual(clean.returncode, 0, clean.stderr)
        refused = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "pay", "--window", "5s",
                               "--prometheus", self.urls["prometheus"])
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("refusing STRICT mTLS in namespace pay: plaintext traffic was seen in the last 5s", refused.stderr)
        self.assertRegex(refused.stderr, r"legacy\.old -> checkout\.pay: \d+ requests")
        self.assertIn("nothing was sent to the cluster", refused.stderr)
        listed = self.kubectl("get", "peerauthentications", "-n", "pay", "-o", "json")
        self.assertEqual(json.loads(listed.stdout)["items"], [], listed.stderr)

    def test_without_prometheus_the_check_is_not_possible(self):
        result = self.meshctl("mtls", "check", "-n", "pay")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("the plaintext traffic check was not possible: no Prometheus found", result.stderr)
        strict = self.meshctl("mtls", "enable", "--mode", "STRICT", "-n", "pay")
        self.assertEqual(strict.returncode, 0, strict.stderr)
        self.assertIn("Warning: the plaintext traffic check was not possible", strict.stderr)


if __name__ == "__main__":
    unittest.main()
