#!/usr/bin/env bash
# The whole test suite: unit, golden, command, end-to-end (the built binary, kubectl as a
# plugin host) and, when ../shared/corpus is present, the corpus oracles.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --product meshctl
MESHCTL_ORACLE_PYTHON="$(scripts/ensure-oracles.sh)"
export MESHCTL_ORACLE_PYTHON
MESHCTL_PROMETHEUS_BINARY="$(scripts/ensure-prometheus.sh)"
export MESHCTL_PROMETHEUS_BINARY
swift test --parallel "$@"
# Generated files must match the command tree (completions are also compared in the suite).
scripts/generate.sh --check
# The generated schemas must match their sources (skipped, saying why, without kubernetes-validate
# or ../shared/crds).
if [ -n "$MESHCTL_ORACLE_PYTHON" ]; then
  "$MESHCTL_ORACLE_PYTHON" scripts/generate-schemas.py --check
else
  echo "generate-schemas: skipped: kubernetes-validate is not installed"
fi
