#!/usr/bin/env bash
# The main job on the bundled examples, offline: build meshctl (release), validate examples/,
# inject the shop's workloads with the example MeshConfig, and validate what came out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product meshctl
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl"
set -x
"$bin" validate -R -f examples/shop -f examples/meshconfig-istio.yaml
"$bin" inject -R -f examples/shop --config examples/meshconfig-istio.yaml > .build/shop-injected.yaml
"$bin" validate -f .build/shop-injected.yaml
