#!/usr/bin/env bash
# Whole-process benchmarks of meshctl (DESIGN.md §9), every comparison taken in this one run.
# See bench/README.md for what is measured and how to read the table.
#
#   make bench                       builds the release binary, then runs this
#   BENCH_SIZE_MB=10 bench/run.sh    a quicker run
#
# Environment (defaults in brackets):
#   BENCH_SIZE_MB [50]        size of the generated input (the memory run also uses 4x that)
#   BENCH_RUNS [5]            hyperfine runs per throughput command (after 1 warm-up)
#   BENCH_STARTUP_RUNS [300]  hyperfine runs per start-up command
#   BENCH_KV_SLICE_MB [2]     size of the slice kubernetes-validate runs on (it does ~0.2 MiB/s)
#   BENCH_KV_RUNS [3]         hyperfine runs of kubernetes-validate
#   BENCH_K8S_VERSION [1.33.0] Kubernetes version kubernetes-validate checks against
#   BENCH_SEED [20240601]     generator seed
#   MESHCTL                   binary to measure [the release build; built by this script]
#   BENCH_BUILD [1]           0: do not run `swift build` (use the binary as it is)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=bench/out
mkdir -p "$out"

size_mb="${BENCH_SIZE_MB:-50}"
runs="${BENCH_RUNS:-5}"
startup_runs="${BENCH_STARTUP_RUNS:-300}"
kv_mb="${BENCH_KV_SLICE_MB:-2}"
kv_runs="${BENCH_KV_RUNS:-3}"
k8s_version="${BENCH_K8S_VERSION:-1.33.0}"
seed="${BENCH_SEED:-20240601}"

log() { echo "bench: $*" >&2; }

# ---- tools: install what is missing -------------------------------------------------------
apt_updated=0
apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if [ "$apt_updated" = 0 ]; then
    $sudo_cmd apt-get update -qq >&2
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >&2
}
command -v hyperfine >/dev/null || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
command -v cc >/dev/null || apt_install gcc
[ -f /usr/include/yaml.h ] || apt_install libyaml-dev
python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null || python3 -m pip install -q pyyaml >&2
command -v kubernetes-validate >/dev/null || python3 -m pip install -q kubernetes-validate >&2

# ---- the ceiling programs ------------------------------------------------------------------
for prog in yaml-parse yaml-roundtrip; do
  if [ ! -x "$out/$prog" ] || [ "bench/$prog.c" -nt "$out/$prog" ]; then
    cc -O2 -Wall -o "$out/$prog" "bench/$prog.c" -lyaml
  fi
done

# ---- meshctl -------------------------------------------------------------------------------
if [ -n "${MESHCTL:-}" ]; then
  meshctl="$MESHCTL"
else
  if [ "${BENCH_BUILD:-1}" = 1 ]; then
    log "swift build -c release --static-swift-stdlib --product meshctl"
    swift build -c release --static-swift-stdlib --product meshctl >&2 || log "release build FAILED; measuring what exists"
  fi
  meshctl="$(swift build -c release --static-swift-stdlib --show-bin-path 2>/dev/null)/meshctl"
fi
# The same path also holds the shared-runtime release build (scripts/generate.sh's manual plugin
# makes one): measuring that would add ~3 ms of dynamic loading to every start-up.
if [ -x "$meshctl" ] && ldd "$meshctl" 2>/dev/null | grep -q libswiftCore; then
  log "WARNING: $meshctl uses the shared Swift runtime, not the release build (rebuild with BENCH_BUILD=1)"
fi

# The library path without the command line (bench/reader): ManifestReader + Validator.
reader="bench/reader/.build/release/manifest-read"
if [ "${BENCH_BUILD:-1}" = 1 ] || [ ! -x "$reader" ]; then
  log "swift build -c release --static-swift-stdlib --package-path bench/reader"
  swift build -c release --static-swift-stdlib --package-path bench/reader >&2 || log "bench/reader build FAILED"
fi
reader_ok=0
[ -x "$reader" ] && reader_ok=1

# ---- inputs (deterministic: regenerated only when missing or gen.py changed) -----------------
generate() { # file size-mb scale
  if [ ! -s "$1" ] || [ bench/gen.py -nt "$1" ]; then
    log "generating $1"
    python3 bench/gen.py --seed "$seed" --size-mb "$2" --scale "$3" -o "$1.tmp" && mv "$1.tmp" "$1"
  fi
}
big="$out/input-${size_mb}mb-s$seed.yaml"
big4="$out/input-${size_mb}mb-s$seed-x4.yaml"
slice="$out/input-${kv_mb}mb-s$seed.yaml"
probe="$out/probe.yaml"
generate "$big" "$size_mb" 1
generate "$big4" "$size_mb" 4
generate "$slice" "$kv_mb" 1
generate "$probe" 0.01 1
big_docs="$("$out/yaml-parse" "$big" | sed -E 's/.* ([0-9]+) documents.*/\1/')"

# ---- which meshctl commands exist ----------------------------------------------------------
validate_ok=0
validate_why=""
inject_ok=0
jobs_ok=0
startup_cmd="meshctl version --client"
startup_args=(version --client)
meshctl_version="not built"
if [ -x "$meshctl" ]; then
  if meshctl_version="$("$meshctl" version --client 2>/dev/null | head -1)"; then :; else
    meshctl_version="no version command"
    startup_cmd="meshctl --help"
    startup_args=(--help)
  fi
  set +e
  "$meshctl" validate -f "$probe" -o json >/dev/null 2>"$out/probe.err"
  rc=$?
  set -e
  case "$rc" in
    0 | 1) validate_ok=1 ;;
    *)
      validate_why="meshctl validate not available (exit $rc: $(head -c 160 "$out/probe.err" | tr '\n|' '  '))"
      log "$validate_why"
      ;;
  esac
  if "$meshctl" inject -f "$probe" >/dev/null 2>&1; then inject_ok=1; fi
  # --jobs: 1 is the single-core figure, 2 uses both cores (older builds have no --jobs).
  set +e
  "$meshctl" validate --jobs 1 -f "$probe" -o json >/dev/null 2>&1
  rc=$?
  set -e
  case "$rc" in 0 | 1) jobs_ok=1 ;; esac
else
  validate_why="meshctl validate not available (no binary at $meshctl)"
  log "$validate_why"
fi

# ---- peak memory: validate on 1x and 4x (also the sanity run of validate) ----------------------
rss() { # prints max RSS in KiB of the command; its exit code goes to $out/rss.rc
  set +e
  /usr/bin/time -f '%M' -o "$out/rss.txt" "$@" >/dev/null 2>"$out/rss.err"
  echo $? >"$out/rss.rc"
  set -e
  tail -1 "$out/rss.txt"
}
rss_parse="$(rss "$out/yaml-parse" "$big")"
rss_reader_1x=""
rss_reader_4x=""
if [ "$reader_ok" = 1 ]; then
  rss_reader_1x="$(rss "$reader" "$big")"
  [ "$(cat "$out/rss.rc")" -le 1 ] || log "WARNING: $reader failed on $big: $(head -c 300 "$out/rss.err")"
  rss_reader_4x="$(rss "$reader" "$big4")"
fi
rss_1x=""
rss_4x=""
validate_rc=""
if [ "$validate_ok" = 1 ]; then
  log "peak memory: validate on 1x and 4x"
  rss_1x="$(rss "$meshctl" validate -f "$big" -o json)"
  validate_rc="$(cat "$out/rss.rc")"
  rss_4x="$(rss "$meshctl" validate -f "$big4" -o json)"
  if [ "$validate_rc" -gt 1 ]; then
    log "WARNING: meshctl validate exited $validate_rc on $big: $(head -c 300 "$out/rss.err")"
  fi
fi

inject_rss_1x=""
inject_rss_4x=""
if [ "$inject_ok" = 1 ]; then
  log "peak memory: inject on 1x and 4x"
  inject_rss_1x="$(rss "$meshctl" inject -f "$big")"
  inject_rss_4x="$(rss "$meshctl" inject -f "$big4")"
fi

# ---- throughput: one hyperfine run, every command on the same bytes ---------------------------
rm -f "$out"/throughput.json "$out"/kubernetes-validate.json "$out"/startup.json
cmds=()
one_job=""
[ "$jobs_ok" = 1 ] && one_job="--jobs 1"
[ "$validate_ok" = 1 ] && cmds+=(-n "meshctl validate" "$meshctl validate $one_job -f $big -o json >/dev/null")
[ "$jobs_ok" = 1 ] && cmds+=(-n "meshctl validate --jobs 2" "$meshctl validate --jobs 2 -f $big -o json >/dev/null")
[ "$reader_ok" = 1 ] && cmds+=(-n "library read+validate" "$reader $big >/dev/null")
[ "$inject_ok" = 1 ] && cmds+=(-n "meshctl inject" "$meshctl inject -f $big >/dev/null")
cmds+=(-n "libyaml parse" "$out/yaml-parse $big >/dev/null")
cmds+=(-n "libyaml round trip" "$out/yaml-roundtrip $big /dev/null 2>/dev/null")
cmds+=(-n "PyYAML CSafeLoader" "python3 bench/pyyaml_load.py $big >/dev/null")
log "throughput on $big ($runs runs each)"
load_before="$(uptime | sed 's/.*load average: //')"
hyperfine --warmup 1 --runs "$runs" -i --style basic --export-json "$out/throughput.json" "${cmds[@]}" >&2
load_after="$(uptime | sed 's/.*load average: //')"

log "kubernetes-validate on $slice ($kv_runs runs)"
hyperfine --warmup 1 --runs "$kv_runs" -i --style basic --export-json "$out/kubernetes-validate.json" \
  -n "kubernetes-validate" \
  "kubernetes-validate -k $k8s_version --strict --quiet $slice >/dev/null 2>&1" >&2

# ---- start-up ---------------------------------------------------------------------------------
startup=()
[ -x "$meshctl" ] && startup+=(-n "meshctl" "$meshctl ${startup_args[*]}")
startup+=(-n "kubectl" "kubectl version --client")
log "start-up ($startup_runs runs each, no shell)"
hyperfine -N --warmup 20 --runs "$startup_runs" -i --style basic --export-json "$out/startup.json" \
  "${startup[@]}" >&2

# ---- report -----------------------------------------------------------------------------------
export BENCH_OUT="$out" BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" BENCH_SEED="$seed" \
  BENCH_BIG="$big" BENCH_BIG_BYTES="$(stat -c %s "$big")" BENCH_BIG_DOCS="$big_docs" \
  BENCH_BIG4_BYTES="$(stat -c %s "$big4")" BENCH_SLICE="$slice" BENCH_SLICE_BYTES="$(stat -c %s "$slice")" \
  BENCH_RUNS="$runs" BENCH_KV_RUNS="$kv_runs" BENCH_STARTUP_RUNS="$startup_runs" \
  BENCH_K8S_VERSION="$k8s_version" BENCH_VALIDATE_OK="$validate_ok" BENCH_VALIDATE_WHY="$validate_why" \
  BENCH_VALIDATE_RC="$validate_rc" BENCH_INJECT_OK="$inject_ok" BENCH_STARTUP_CMD="$startup_cmd" \
  BENCH_RSS_1X_KIB="$rss_1x" BENCH_RSS_4X_KIB="$rss_4x" BENCH_RSS_PARSE_KIB="$rss_parse" \
  BENCH_INJECT_RSS_1X_KIB="$inject_rss_1x" BENCH_INJECT_RSS_4X_KIB="$inject_rss_4x" \
  BENCH_RSS_READER_1X_KIB="$rss_reader_1x" BENCH_RSS_READER_4X_KIB="$rss_reader_4x" \
  BENCH_MESHCTL="$meshctl" BENCH_MESHCTL_VERSION="$meshctl_version" BENCH_JOBS_OK="$jobs_ok" \
  BENCH_LOAD="before the throughput run: $load_before; after: $load_after" \
  BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  BENCH_KV_VERSION="kubernetes-validate $(kubernetes-validate --version 2>/dev/null | awk '{print $NF}')" \
  BENCH_MACHINE="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  BENCH_TOOLS="$(hyperfine --version), libyaml $(pkg-config --modversion yaml-0.1 2>/dev/null || echo '?'), PyYAML $(python3 -c 'import yaml; print(yaml.__version__)'), $(kubectl version --client 2>/dev/null | head -1)"
python3 bench/report.py
