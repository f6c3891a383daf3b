#!/usr/bin/env bash
# Makes the real Prometheus (Debian package `prometheus`) available to the analysis tests,
# installing it when missing. Prints the path of the prometheus binary, or nothing when it cannot
# be had (the tests that need it then say they are skipped). The package's service is never used:
# the test harness (Tests/Prometheus/harness.py) starts its own server on 127.0.0.1 with a
# generated configuration and a temporary data directory. Recommended packages (node exporter,
# ...) are not installed: they would bring services of their own.
set -uo pipefail
found() { command -v prometheus 2>/dev/null || { [ -x /usr/bin/prometheus ] && echo /usr/bin/prometheus; }; }
if path="$(found)" && [ -n "$path" ]; then echo "$path"; exit 0; fi
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo -n)
echo "meshctl: installing the Debian package prometheus for the analysis tests" >&2
{ "${sudo_cmd[@]}" apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends prometheus; } >&2 || true
found || true
exit 0
