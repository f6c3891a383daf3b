#!/usr/bin/env bash
# Runs the libFuzzer targets of the Fuzz package for a bounded time each.
#
#   Fuzz/run.sh                 every target (each directory under Fuzz/Sources/)
#   Fuzz/run.sh FuzzManifest    only the named targets
# Environment: FUZZ_SECONDS (default 60, per target), FUZZ_MAX_LEN (65536), FUZZ_TIMEOUT (10 s
# per input), FUZZ_RSS_MB (2048), FUZZ_SHARED_CORPUS (default ../shared/corpus next to the
# repository), FUZZ_FRESH=1 to forget the corpus grown by earlier runs.
#
# The working corpus lives in Fuzz/corpus-run/ (gitignored): Fuzz/corpus-run/<target>/ keeps what
# libFuzzer found interesting across runs; the seeds (Fuzz/seeds/<target>/ plus the shared corpus,
# copied at run time, never committed) go to Fuzz/corpus-run/<target>.seeds/. Crash, timeout and
# out-of-memory inputs are written to Fuzz/corpus-run/<target>.artifacts/, the log to
# Fuzz/corpus-run/<target>.log. Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${FUZZ_SECONDS:-60}"
max_len="${FUZZ_MAX_LEN:-65536}"
timeout="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
shared="${FUZZ_SHARED_CORPUS:-$root/../shared/corpus}"
run_dir="$here/corpus-run"

# Which files of the shared corpus seed which target. A new target adds a line here (or none:
# then only Fuzz/seeds/<target>/ seeds it).
shared_seeds() {
  case "$1" in
    FuzzManifest) [ -d "$shared" ] && find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) ;;
    FuzzInjection) [ -d "$shared" ] && find "$shared/apps" "$shared/peer-inject" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.injected' \) ;;
    *) ;;
  esac
  return 0
}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for dir in "$here"/Sources/*/; do targets+=("$(basename "$dir")"); done
fi

echo "building fuzz targets (swift build -c release --sanitize=fuzzer) ..." >&2
swift build -c release --sanitize=fuzzer --package-path "$here" >&2
bin="$(swift build -c release --sanitize=fuzzer --package-path "$here" --show-bin-path)"

mkdir -p "$run_dir"
# Swift's backtracer and libFuzzer's crash handler fight over the crash signal: turn the
# backtracer off so libFuzzer writes the crashing input and its stack (DESIGN.md §2.2).
export SWIFT_BACKTRACE=enable=no

status=0
summary=()
for target in "${targets[@]}"; do
  if [ ! -x "$bin/$target" ]; then
    echo "no such fuzz target: $target (have: $(ls "$here/Sources" | tr '\n' ' '))" >&2
    exit 2
  fi
  corpus="$run_dir/$target"
  seeds="$run_dir/$target.seeds"
  artifacts="$run_dir/$target.artifacts"
  log="$run_dir/$target.log"
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$artifacts"

  # Seeds: our own, then the shared corpus, flattened to unique names.
  n_seeds=0
  if [ -d "$here/seeds/$target" ]; then
    for f in "$here/seeds/$target"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$seeds/own__$(basename "$f")"
      n_seeds=$((n_seeds + 1))
    done
  fi
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    rel="${f#"$shared"/}"
    cp "$f" "$seeds/shared__${rel//\//__}"
    n_seeds=$((n_seeds + 1))
  done < <(shared_seeds "$target")

  echo "== $target: ${seconds}s, $n_seeds seeds, corpus $corpus ($(ls "$corpus" | wc -l) inputs from earlier runs)" >&2
  set +e
  (cd "$artifacts" && "$bin/$target" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$corpus" "$seeds") >"$log" 2>&1
  rc=$?
  set -e

  execs="$( (grep -E '^stat::number_of_executed_units:' "$log" || true) | tail -1 | awk '{print $2}')"
  [ -n "$execs" ] || execs="$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#')"
  crash_file="$( (grep -oE 'Test unit written to .*' "$log" || true) | tail -1 | sed 's/Test unit written to //')"
  if [ "$rc" -eq 0 ]; then
    line="$target: ${execs:-?} executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs, no crash"
  else
    status=1
    kind="$( (grep -oE 'Fatal error: .{0,160}|ERROR: libFuzzer: [a-z -]+' "$log" || true) | head -1)"
    line="$target: FOUND A PROBLEM after ${execs:-?} executions: ${kind:-exit $rc}; input: ${crash_file:-see $log}"
    echo "---- $log (last 60 lines) ----" >&2
    tail -n 60 "$log" >&2
    echo "---- reproduce: SWIFT_BACKTRACE=enable=no $bin/$target ${crash_file:-CRASH_FILE}" >&2
  fi
  echo "$line"
  summary+=("$line")
done

if [ ${#targets[@]} -gt 1 ]; then
  echo "== summary"
  printf '%s\n' "${summary[@]}"
fi
exit "$status"
