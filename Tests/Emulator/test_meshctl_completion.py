"""Completion values that come from the cluster (namespaces, the Services that have a TrafficSplit,
their backends), asked of meshctl directly and through the real kubectl's plugin completion
(`kubectl mesh <TAB>` runs `kubectl_complete-mesh`); and the NotFound exit code (1, not 3) of
commands that name an object the cluster does not have."""

import os
import subprocess
import tempfile
import unittest

from test_emulator_kubectl import KUBECTL, MESHCTL
from test_meshctl_policies import PolicyTestCase


class CompletionFromTheCluster(PolicyTestCase):
    groups = ("istio",)

    def complete(self, *words, env=None):
        """`meshctl __complete WORDS...` with the emulator's kubeconfig: (candidates, directive)."""
        command = [MESHCTL, "__complete", "--kubeconfig", self.emulator.kubeconfig, *words]
        environment = {**os.environ, **(env or {})}
        environment.pop("KUBECONFIG", None)
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines and lines[-1].startswith(":"), result.stdout)
        return [line.split("\t")[0] for line in lines[:-1]], int(lines[-1][1:])

    def test_namespaces_services_and_backends_come_from_the_cluster(self):
        self.apply_shop()
        namespaces, directive = self.complete("get", "ts", "-n", "")
        self.assertIn("shop", namespaces)
        self.assertEqual(directive, 4)
        self.assertEqual(self.complete("-n", "sh")[0], ["shop"])
        services, _ = self.complete("-n", "shop", "shift", "")
        self.assertIn("cart", services)
        self.assertIn("history", services)  # shift's subcommands are offered beside the Services
        self.assertEqual(self.complete("-n", "shop", "shift", "ca")[0], ["cart"])
        self.assertEqual(self.complete("-n", "shop", "shift", "cart", "--to", "")[0], ["v1", "v2"])
        self.assertEqual(self.complete("shift", "status", "-n", "shop", "")[0], ["cart"])

    def test_an_unreachable_cluster_completes_nothing_within_the_request_timeout(self):
        with tempfile.TemporaryDirectory() as scratch:
            kubeconfig = os.path.join(scratch, "config")
            with open(kubeconfig, "w") as handle:
                handle.write("apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
                             "clusters: [{name: gone, cluster: {server: 'https://127.0.0.1:9'}}]\n"
                             "users: [{name: u, user: {token: t}}]\n"
                             "contexts: [{name: gone, context: {cluster: gone, user: u}}]\n")
            result = subprocess.run(
                [MESHCTL, "__complete", "--kubeconfig", kubeconfig, "--request-timeout", "1s", "-n", ""],
                capture_output=True, text=True, timeout=20)
        self.assertEqual((result.returncode, result.stdout, result.stderr), (0, ":4\n", ""))

    @unittest.skipUnless(KUBECTL, "kubectl is not on PATH")
    def test_kubectl_mesh_completes_through_kubectl_complete_mesh(self):
        self.apply_shop()
        with tempfile.TemporaryDirectory() as scratch:
            for name in ("kubectl-mesh", "kubectl_complete-mesh"):
                os.symlink(os.path.abspath(MESHCTL), os.path.join(scratch, name))
            environment = {**os.environ, "PATH": scratch + os.pathsep + os.environ.get("PATH", ""),
                           "KUBECONFIG": self.emulator.kubeconfig}
            result = subprocess.run([KUBECTL, "__complete", "mesh", "shift", "-n", "shop", ""],
                                    capture_output=True, text=True, timeout=30, env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertIn("cart", [line.split("\t")[0] for line in lines])
        self.assertEqual(lines[-1], ":4")


class NotFoundIsExit1(PolicyTestCase):
    groups = ("istio",)

    def test_shift_of_a_service_without_a_trafficsplit_is_kubectls_not_found(self):
        self.apply_shop()
        for arguments in (["shift", "nosuch", "--to", "v2", "--weight", "10"], ["shift", "status", "nosuch"],
                          ["shift", "history", "nosuch"]):
            result = self.meshctl(*arguments, "-n", "shop")
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn('Error from server (NotFound): trafficsplits.meshctl.io for service "nosuch" not found',
                          result.stderr)
            self.assertEqual(result.stdout, "")

    def test_an_api_server_that_fails_stays_exit_3(self):
        self.apply_shop()
        self.faults({"errors": {"count": 100, "code": 500}})
        result = self.meshctl("shift", "cart", "--to", "v2", "--weight", "10", "-n", "shop")
        self.assertEqual(result.returncode, 3, result.stderr)
