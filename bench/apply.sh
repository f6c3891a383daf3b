#!/usr/bin/env bash
# Apply benchmark (DESIGN.md §9, the cluster-client issue): 500 objects (Deployments and Services,
# plus their Namespace) applied with latency added to every request, by `meshctl apply` and by
# `kubectl apply --server-side`, against the same server in one run: wall time (hyperfine; the
# server is reset before each run so every run creates everything), peak memory, how many
# requests and connections each client used, and over which protocol. See bench/README.md, "Apply".
#
#   make bench           runs this after bench/run.sh
#   bench/apply.sh       alone (needs the release build, or MESHCTL=...)
#
# Environment: BENCH_APPLY_OBJECTS [500], BENCH_APPLY_LATENCY_MS [10], BENCH_APPLY_RUNS [3],
# BENCH_APPLY_SERVER [standin: bench/apiserver.c; emulator: the Python API emulator],
# BENCH_APPLY_TLS [1; 0: the stand-in speaks plain HTTP and checks no credentials, to show what
# TLS costs each client], BENCH_APPLY_HTTP [2: the stand-in offers HTTP/2 over ALPN as the API
# server does (100 streams a connection), HTTP/1.1 to clients that offer only that; 1.1: it offers
# no ALPN, so both clients speak HTTP/1.1; plain HTTP is always HTTP/1.1], MESHCTL [the release build].
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=bench/out/apply
rm -rf "$out"
mkdir -p "$out"
objects="${BENCH_APPLY_OBJECTS:-500}"
latency="${BENCH_APPLY_LATENCY_MS:-10}"
runs="${BENCH_APPLY_RUNS:-3}"
server="${BENCH_APPLY_SERVER:-standin}"
tls="${BENCH_APPLY_TLS:-1}"
http="${BENCH_APPLY_HTTP:-2}"
meshctl="${MESHCTL:-$(swift build -c release --static-swift-stdlib --show-bin-path)/meshctl}"
log() { echo "bench: $*" >&2; }

command -v hyperfine >/dev/null || { log "hyperfine is missing (make bench installs it)"; exit 1; }
command -v kubectl >/dev/null || { log "kubectl is not on PATH: nothing to compare with"; exit 1; }
[ -x "$meshctl" ] || { log "$meshctl is missing: run make release"; exit 1; }
case "$server" in standin | emulator) ;; *) log "BENCH_APPLY_SERVER is standin or emulator, not $server"; exit 64 ;; esac
[ "$tls" = 1 ] || [ "$server" = standin ] || { log "BENCH_APPLY_TLS=0 needs the stand-in"; exit 64; }
case "$http" in 2 | 1.1) ;; *) log "BENCH_APPLY_HTTP is 2 or 1.1, not $http"; exit 64 ;; esac
[ "$http" = 2 ] || [ "$server" = standin ] || { log "BENCH_APPLY_HTTP=1.1 needs the stand-in"; exit 64; }

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
expected=$(grep -c '^kind:' "$out/objects.yaml")

# The emulator always starts: it makes the certificates, the token and the kubeconfig, and the
# stand-in serves the discovery and OpenAPI documents captured from it.
python3 Tests/Emulator/kube_emulator.py --dir "$out/emulator" >"$out/emulator.log" 2>&1 &
emulator=$!
standin=""
stop() {
  for pid in $emulator $standin; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
for _ in $(seq 100); do grep -q "kube-emulator ready" "$out/emulator.log" && break; sleep 0.1; done
grep -q "kube-emulator ready" "$out/emulator.log" || { cat "$out/emulator.log" >&2; exit 1; }
ca="$out/emulator/ca.crt"
token=$(cat "$out/emulator/token")
emulator_url="https://127.0.0.1:$(cat "$out/emulator/port")"
fetch() { curl -sf --cacert "$ca" -H "Authorization: Bearer $token" "$@"; }

if [ "$server" = standin ]; then
  if [ ! -f /usr/include/openssl/ssl.h ] || [ ! -f /usr/include/nghttp2/nghttp2.h ] || ! command -v cc >/dev/null; then
    log "installing gcc, libssl-dev and libnghttp2-dev (the stand-in's compiler, TLS and HTTP/2)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq gcc libssl-dev libnghttp2-dev >&2
  fi
  apiserver=bench/out/apiserver
  if [ ! -x "$apiserver" ] || [ bench/apiserver.c -nt "$apiserver" ]; then
    cc -O2 -Wall -o "$apiserver" bench/apiserver.c -lssl -lcrypto -lnghttp2 -lpthread
  fi
  # Every document either client reads before it writes: /version, discovery, OpenAPI.
  docs="$out/docs"
  capture() { mkdir -p "$docs$(dirname "$1")" && fetch "$emulator_url$1" -o "$docs$1.json"; }
  for path in /version /api /api/v1 /apis /openapi/v2 /openapi/v3; do capture "$path"; done
  for path in $(python3 - "$docs/apis.json" "$docs/openapi/v3.json" <<'EOF'
import json, sys
groups, index = json.load(open(sys.argv[1]))["groups"], json.load(open(sys.argv[2]))["paths"]
for group in groups:
    print(f"/apis/{group['name']}")
    print("\n".join(f"/apis/{version['groupVersion']}" for version in group["versions"]))
print("\n".join(f"/openapi/v3/{key}" for key in index))
EOF
  ); do capture "$path"; done
  # Done with the emulator: it would only take CPU from the run.
  kill -TERM "$emulator" 2>/dev/null || true
  wait "$emulator" 2>/dev/null || true
  emulator=""
  security=(--token "$out/emulator/token" --cert "$out/emulator/server.crt" --key "$out/emulator/server.key")
  [ "$tls" = 1 ] || security=()
  [ "$http" = 2 ] || security+=(--http1-only)
  "$apiserver" --docs "$docs" "${security[@]}" --latency-ms "$latency" --port-file "$out/standin.port" \
    2>"$out/standin.log" &
  standin=$!
  for _ in $(seq 50); do [ -s "$out/standin.port" ] && break; sleep 0.1; done
  [ -s "$out/standin.port" ] || { cat "$out/standin.log" >&2; exit 1; }
  port=$(cat "$out/standin.port")
  kubeconfig="$out/kubeconfig"
  if [ "$tls" = 1 ]; then
    url="https://127.0.0.1:$port"
    # The emulator's kubeconfig (its CA, token, context), pointed at the stand-in.
    sed "s#$emulator_url#$url#" "$out/emulator/kubeconfig" >"$kubeconfig"
    described="the stand-in API server (bench/apiserver.c), HTTP/2 offered"
    [ "$http" = 2 ] || described="the stand-in API server (bench/apiserver.c), HTTP/1.1 only"
  else
    url="http://127.0.0.1:$port"
    printf '%s\n' "apiVersion: v1" "kind: Config" "current-context: standin" \
      "clusters: [{name: standin, cluster: {server: '$url'}}]" "users: [{name: nobody, user: {}}]" \
      "contexts: [{name: standin, context: {cluster: standin, user: nobody, namespace: default}}]" >"$kubeconfig"
    described="the stand-in API server (bench/apiserver.c), plain HTTP"
  fi
  reset="curl -sf -o /dev/null --cacert $ca -X POST $url/_bench/reset"
  stats() { fetch "$url/_bench/stats"; }
else
  url="$emulator_url"
  kubeconfig="$out/emulator/kubeconfig"
  admin="curl -sf -o /dev/null --cacert $ca -H 'Authorization: Bearer $token'"
  # A reset forgets the fault configuration too: put the latency back after it.
  reset="$admin -X POST $url/_emulator/reset && $admin -X PUT -d '{\"latencyMs\": $latency}' $url/_emulator/faults"
  stats() { fetch "$url/_emulator/stats"; }
  described="the Python API emulator (Tests/Emulator)"
fi

mesh_cmd="$meshctl apply -f $out/objects.yaml --kubeconfig $kubeconfig"
kubectl_cmd="kubectl apply --server-side -f $out/objects.yaml --kubeconfig $kubeconfig --cache-dir $out/kube-cache"

log "apply $expected objects, ${latency} ms per request, on $described: meshctl and kubectl ($runs runs each)"
hyperfine --style basic --warmup 1 --runs "$runs" --prepare "$reset" --export-json "$out/apply.json" \
  -n meshctl "$mesh_cmd >/dev/null" -n kubectl "$kubectl_cmd >/dev/null" >&2

# One more run of each from a reset server: peak memory, what it printed, what the server saw.
counted() {
  eval "$reset"
  /usr/bin/time -f %M -o "$out/$1.rss" sh -c "$2 >$out/$1.out"
  stats >"$out/$1.stats.json"
}
counted meshctl "$mesh_cmd"
counted kubectl "$kubectl_cmd"

python3 - "$out" "$server" "$expected" "$latency" "$described" <<'EOF' | tee "$out/results.md"
import json, sys
out, server, expected, latency, described = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
results = {r["command"]: r for r in json.load(open(f"{out}/apply.json"))["results"]}

def protocol(stats):
    """The protocol the client's connections spoke: HTTP/2 (with the most streams one had open), or HTTP/1.1."""
    http2, connections = stats["http2Connections"], stats["connections"]
    if http2 == 0:
        return "HTTP/1.1"
    shown = "HTTP/2" if http2 == connections else f"HTTP/2 on {http2}, HTTP/1.1 on {connections - http2}"
    streams = stats["peakStreams"]
    return f"{shown}, at most {streams} stream{'' if streams == 1 else 's'} open"

def seen(client):
    """What the server counted during the client's run: requests, connections, protocol, applies."""
    stats = json.load(open(f"{out}/{client}.stats.json"))
    if server == "standin":
        return stats["requests"], stats["connections"], protocol(stats), stats["patchesCreated"], stats["objects"]
    log = [entry for entry in stats["log"] if not entry["path"].startswith("/_emulator/")]  # not the bench's own
    created = sum(1 for entry in log if entry["method"] == "PATCH" and entry["status"] == 201)
    return len(log), len({entry["connection"] for entry in log}), "HTTP/1.1", created, created

rows, problems = {}, []
for client in ("meshctl", "kubectl"):
    applied = sum(1 for line in open(f"{out}/{client}.out") if line.rstrip().endswith(" serverside-applied"))
    requests, connections, spoken, created, stored = seen(client)
    rss = int(open(f"{out}/{client}.rss").read().split()[-1]) / 1024
    rows[client] = (results[client]["mean"], rss, requests, connections, applied, results[client]["min"], spoken)
    if not applied == created == stored == expected:
        problems.append(f"{client}: {expected} objects in the input, {applied} reported applied, {created} created "
                        f"on the server, {stored} stored")
mesh, kube = rows["meshctl"], rows["kubectl"]
print(f"\n### apply: {expected} objects, {latency} ms added per request, on {described}\n")
print("| measure | meshctl | kubectl apply --server-side | ratio | target |")
print("|---|---|---|---|---|")
print(f"| wall time (mean) | {mesh[0]:.2f} s | {kube[0]:.2f} s | {kube[0] / mesh[0]:.1f}x faster | >= 30x |")
print(f"| wall time (fastest run) | {mesh[5]:.2f} s | {kube[5]:.2f} s | {kube[5] / mesh[5]:.1f}x faster | - |")
print(f"| peak RSS | {mesh[1]:.1f} MiB | {kube[1]:.1f} MiB | {kube[1] / mesh[1]:.1f}x less | - |")
print(f"| requests | {mesh[2]} | {kube[2]} | - | - |")
print(f"| connections | {mesh[3]} | {kube[3]} | - | - |")
print(f"| protocol | {mesh[6]} | {kube[6]} | - | - |")
print(f"| objects applied | {mesh[4]} | {kube[4]} | - | all {expected} |")
for problem in problems:
    print(f"\n**not every object was applied**: {problem}")
sys.exit(1 if problems else 0)
EOF
