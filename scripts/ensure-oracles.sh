#!/usr/bin/env bash
# Makes the external oracles available to the test suite, installing them when missing:
# kubernetes-validate (PyPI; the official Kubernetes JSON schemas) and h2 (PyPI; the HTTP/2 test
# server). Prints the path of a Python that can import them, or nothing when they cannot be had
# (the tests that need them then say they are skipped).
set -uo pipefail
cd "$(dirname "$0")/.."
if python3 -c "import kubernetes_validate, h2" >/dev/null 2>&1; then command -v python3; exit 0; fi
# Otherwise a private virtual environment under .build, so the user's own Python is left alone.
venv=.build/oracles
if ! "$venv/bin/python3" -c "import kubernetes_validate, h2" >/dev/null 2>&1; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    scripts/ensure-deps.sh python3-venv >/dev/null 2>&1 && python3 -m venv "$venv" >/dev/null 2>&1
  fi
  "$venv/bin/pip" install -q kubernetes-validate h2 >&2 || true
fi
"$venv/bin/python3" -c "import kubernetes_validate, h2" >/dev/null 2>&1 && echo "$PWD/$venv/bin/python3"
exit 0
