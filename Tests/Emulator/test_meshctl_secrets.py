"""A Secret's values never leave meshctl: not in `diff`, not in -v=6..10 request logs, not in the
source line a diagnostic echoes. kubectl's own diff is the oracle for the masking markers."""

import os
import subprocess

from test_meshctl_cluster import MeshctlTestCase

SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: default
type: Opaque
data:
  same: c2FtZS12YWx1ZQ==
  password: {password}
stringData:
  token: plain-token-value
"""
OLD, NEW = "b2xkLXBhc3N3b3Jk", "bmV3LXBhc3N3b3Jk"
VALUES = (OLD, NEW, "c2FtZS12YWx1ZQ==", "plain-token-value", "same-value", "old-password", "new-password")


class SecretMasking(MeshctlTestCase):
    def assert_no_value(self, text):
        for value in VALUES:
            self.assertNotIn(value, text)

    def test_diff_masks_values_with_kubectls_markers(self):
        self.assertEqual(self.meshctl("apply", "-f", self.write("old.yaml", SECRET.format(password=OLD))).returncode, 0)
        changed = self.write("new.yaml", SECRET.format(password=NEW))
        result = self.meshctl("diff", "-f", changed)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("-  password: '*** (before)'", result.stdout)
        self.assertIn("+  password: '*** (after)'", result.stdout)
        self.assertIn("  same: '***'", result.stdout)
        self.assert_no_value(result.stdout + result.stderr)
        kubectl = self.kubectl("diff", "-f", changed, "--server-side", "--field-manager", "meshctl")
        self.assertIn("*** (before)", kubectl.stdout)  # the same markers as kubectl's

    def test_request_logs_never_show_values(self):
        path = self.write("s.yaml", SECRET.format(password=OLD))
        for verbosity in ("6", "7", "8", "9", "10"):
            result = self.meshctl("apply", "-f", path, f"-v={verbosity}")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assert_no_value(result.stdout + result.stderr)
        self.assertIn('"password":"***"', result.stderr)

    def test_a_diagnostic_echoes_the_line_with_its_value_masked(self):
        broken = SECRET.format(password=OLD).replace("  same: c2FtZS12YWx1ZQ==\n", "  same: c2FtZS12YWx1ZQ==\n  same: b3RoZXI=\n")
        result = subprocess.run([os.environ.get("MESHCTL") or self.meshctl_path(), "validate", "-f",
                                 self.write("dup.yaml", broken)], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("  same: ***", result.stdout + result.stderr)
        self.assert_no_value(result.stdout + result.stderr)
        self.assertNotIn("b3RoZXI=", result.stdout + result.stderr)

    @staticmethod
    def meshctl_path():
        from test_emulator_kubectl import MESHCTL
        return MESHCTL
