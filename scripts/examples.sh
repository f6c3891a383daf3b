#!/usr/bin/env bash
# The main job on the bundled examples, offline: build meshctl (release) and validate examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product meshctl
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl"
set -x
"$bin" validate -R -f examples/shop -f examples/meshconfig-istio.yaml
