#!/usr/bin/env bash
# Apply benchmark (DESIGN.md §9, the cluster-client issue): 500 objects (Deployments and Services,
# plus their Namespace) applied to the API emulator with latency added to every request, by
# `meshctl apply` and by `kubectl apply --server-side`, in one run: wall time (hyperfine; the
# emulator is reset before each run so every run creates everything) and peak memory.
#
#   make bench           runs this after bench/run.sh
#   bench/apply.sh       alone (needs the release build, or MESHCTL=...)
#
# Environment: BENCH_APPLY_OBJECTS [500], BENCH_APPLY_LATENCY_MS [10], BENCH_APPLY_RUNS [3],
# MESHCTL [the release build].
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=bench/out/apply
rm -rf "$out"
mkdir -p "$out"
objects="${BENCH_APPLY_OBJECTS:-500}"
latency="${BENCH_APPLY_LATENCY_MS:-10}"
runs="${BENCH_APPLY_RUNS:-3}"
meshctl="${MESHCTL:-$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl}"
log() { echo "bench: $*" >&2; }

command -v hyperfine >/dev/null || { log "hyperfine is missing (make bench installs it)"; exit 1; }
command -v kubectl >/dev/null || { log "kubectl is not on PATH: nothing to compare with"; exit 1; }
[ -x "$meshctl" ] || { log "$meshctl is missing: run make release"; exit 1; }

python3 - "$objects" >"$out/objects.yaml" <<'EOF'
import sys
count = int(sys.argv[1])
print("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench")
for index in range(count // 2):
    name = f"app-{index:04d}"
    print(f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: bench
  labels: {{app: {name}, version: v1}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}, version: v1}}
    spec:
      containers:
      - name: app
        image: registry.example.com/{name}:1.0.{index}
        ports:
        - containerPort: 8080
          name: http
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: bench
spec:
  selector: {{app: {name}}}
  ports:
  - name: http
    port: 80
    targetPort: 8080""")
EOF

python3 Tests/Emulator/kube_emulator.py --dir "$out/emulator" >"$out/emulator.log" 2>&1 &
emulator=$!
trap 'kill -TERM $emulator 2>/dev/null || true; wait $emulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "kube-emulator ready" "$out/emulator.log" && break; sleep 0.1; done
grep -q "kube-emulator ready" "$out/emulator.log" || { cat "$out/emulator.log" >&2; exit 1; }
port=$(cat "$out/emulator/port")
kubeconfig="$out/emulator/kubeconfig"
admin="curl -s -o /dev/null --cacert $out/emulator/ca.crt -H 'Authorization: Bearer $(cat "$out/emulator/token")'"
# A reset forgets the fault configuration too: put the latency back after it.
reset="$admin -X POST https://127.0.0.1:$port/_emulator/reset && $admin -X PUT -d '{\"latencyMs\": $latency}' https://127.0.0.1:$port/_emulator/faults"
mesh_cmd="$meshctl apply -f $out/objects.yaml --kubeconfig $kubeconfig"
kubectl_cmd="kubectl apply --server-side -f $out/objects.yaml --kubeconfig $kubeconfig --cache-dir $out/kube-cache"

log "apply $objects objects, ${latency} ms per request: meshctl and kubectl ($runs runs each)"
hyperfine --style basic --warmup 1 --runs "$runs" --prepare "$reset" --export-json "$out/apply.json" \
  -n meshctl "$mesh_cmd >/dev/null" -n kubectl "$kubectl_cmd >/dev/null" >&2

peak() { eval "$reset"; /usr/bin/time -f %M -o "$out/rss" sh -c "$1 >/dev/null"; cat "$out/rss"; }
mesh_rss=$(peak "$mesh_cmd")
kubectl_rss=$(peak "$kubectl_cmd")
eval "$reset"
applied=$($mesh_cmd | grep -c serverside-applied)

python3 - "$out/apply.json" "$mesh_rss" "$kubectl_rss" "$objects" "$latency" "$applied" <<'EOF' | tee "$out/results.md"
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
mesh, kube = results["meshctl"]["mean"], results["kubectl"]["mean"]
mesh_rss, kube_rss = int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024
objects, latency, applied = sys.argv[4], sys.argv[5], sys.argv[6]
print(f"\n### apply: {int(objects) + 1} objects, {latency} ms added per request ({applied} applied by meshctl)\n")
print("| measure | meshctl | kubectl apply --server-side | ratio | target |")
print("|---|---|---|---|---|")
print(f"| wall time | {mesh:.2f} s | {kube:.2f} s | {kube / mesh:.1f}x faster | >= 10x |")
print(f"| peak RSS | {mesh_rss:.1f} MiB | {kube_rss:.1f} MiB | {kube_rss / mesh_rss:.1f}x less | - |")
EOF
