#!/usr/bin/env bash
# The main job on the bundled examples, offline: build meshctl (release), validate examples/,
# inject the shop's workloads with each example MeshConfig, render its policies for each provider,
# and validate what came out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product meshctl
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl"
set -x
"$bin" validate -R -f examples/shop -f examples/meshconfig-istio.yaml -f examples/meshconfig-linkerd.yaml
"$bin" inject -R -f examples/shop --config examples/meshconfig-istio.yaml > .build/shop-injected.yaml
"$bin" validate -f .build/shop-injected.yaml
# Linkerd's proxy needs the mesh's trust anchors; offline, a throwaway root certificate stands in
# for the cluster's (only its public half is used).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=root.linkerd.cluster.local -keyout /dev/null -out .build/example-trust-anchors.crt 2>/dev/null
"$bin" inject -R -f examples/shop --config examples/meshconfig-linkerd.yaml --offline \
  --identity-trust-anchors .build/example-trust-anchors.crt > .build/shop-injected-linkerd.yaml
"$bin" validate -f .build/shop-injected-linkerd.yaml
# The shop's TrafficSplit and MTLSPolicies, rendered for each provider and routing target; what
# comes out must pass the schema module with no findings (--strict).
"$bin" render -R -f examples/shop > .build/shop-istio.yaml
"$bin" render -R -f examples/shop --routing gateway-api > .build/shop-istio-gateway-api.yaml
"$bin" render -R -f examples/shop --provider linkerd > .build/shop-linkerd.yaml
"$bin" validate --strict --fail-on warning -f .build/shop-istio.yaml -f .build/shop-istio-gateway-api.yaml -f .build/shop-linkerd.yaml
