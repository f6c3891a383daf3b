#!/usr/bin/env bash
# Runs the libFuzzer targets of the Fuzz package for a bounded time each, one after the other
# (one process each: the machine is small and shared), or FUZZ_JOBS of them at once.
#
#   Fuzz/run.sh                 every target (each directory under Fuzz/Sources/)
#   Fuzz/run.sh FuzzManifest    only the named targets
# Environment:
#   FUZZ_SECONDS        per target (default 60)
#   FUZZ_RUNS           stop a target after this many executions (default: no limit), so a
#                       campaign's fast targets leave the cores to the slow ones
#   FUZZ_JOBS           how many targets run at once (default 1)
#   FUZZ_BIN_DIR        run these already built binaries instead of building (a campaign keeps
#                       running binaries that a rebuild of the worktree would overwrite)
#   FUZZ_MAX_LEN        longest input (65536); FUZZ_TIMEOUT seconds per input (10);
#                       FUZZ_RSS_MB memory limit (2048)
#   FUZZ_SHARED_CORPUS  third-party seeds read at run time, never committed (default
#                       ../shared/corpus next to the repository; `none` for no shared seeds)
#   FUZZ_RUN_DIR        working directory (default Fuzz/corpus-run, gitignored)
#   FUZZ_FRESH=1        forget the corpus grown by earlier runs in FUZZ_RUN_DIR
#   FUZZ_SEED           libFuzzer's random seed (default: a new one each run); the test suite
#                       fixes it, and then the seeds go in in name order and Swift's hashing
#                       is fixed, so its short run mutates nearly the same way on any clone
#   FUZZ_MERGE=1        afterwards, minimise what the run found together with the committed
#                       corpus into Fuzz/corpus/<target>/ (libFuzzer -merge=1); such a run
#                       does not read the shared corpus and works in Fuzz/corpus-run/merge/
#
# Inputs: the committed, minimised corpus (Fuzz/corpus/<target>/), the hand-written seeds
# (Fuzz/seeds/<target>/), the project's own examples and fixtures, and the shared corpus. All of
# them are read; new inputs go to $FUZZ_RUN_DIR/<target>/, kept across runs. Crash, timeout and
# out-of-memory inputs go to $FUZZ_RUN_DIR/<target>.artifacts/, the log to
# $FUZZ_RUN_DIR/<target>.log. Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${FUZZ_SECONDS:-60}"
max_len="${FUZZ_MAX_LEN:-65536}"
timeout="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
shared="${FUZZ_SHARED_CORPUS:-$root/../shared/corpus}"
run_dir="${FUZZ_RUN_DIR:-$here/corpus-run}"
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  # What is merged gets committed: nothing may descend from the third-party shared corpus, so
  # a merging run neither reads it nor starts from a working corpus grown from it.
  shared=none
  run_dir="${FUZZ_RUN_DIR:-$here/corpus-run/merge}"
fi

# Which files of the project (examples, test fixtures) seed which target. Read in place at run
# time; what the merge keeps of them lands in Fuzz/corpus/<target>/.
project_seeds() {
  case "$1" in
    FuzzManifest)
      find "$root/examples" "$root/Tests/ManifestTests/Fixtures" "$root/Tests/MeshSchemaTests/Fixtures" \
        -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) ;;
    FuzzInjection)
      find "$root/examples" "$root/Tests/InjectionTests/Golden" -type f -name '*.yaml' ;;
    FuzzSurgical)
      find "$root/examples" "$root/Tests/InjectionTests/Golden" "$here/seeds/FuzzInjection" \
        "$here/corpus/FuzzInjection" -type f ;;
    *) ;;
  esac 2>/dev/null
  return 0
}

# Which files of the shared corpus seed which target. A new target adds a line here (or none).
shared_seeds() {
  [ "$shared" != none ] && [ -d "$shared" ] || return 0
  case "$1" in
    FuzzManifest) find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) ;;
    FuzzInjection) find "$shared/apps" "$shared/peer-inject" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.injected' \) ;;
    FuzzSurgical) find "$shared/apps" -type f \( -name '*.yaml' -o -name '*.yml' \) ;;
    *) ;;
  esac 2>/dev/null
  return 0
}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for dir in "$here"/Sources/*/; do targets+=("$(basename "$dir")"); done
fi

if [ -n "${FUZZ_BIN_DIR:-}" ]; then
  bin="$FUZZ_BIN_DIR"
else
  echo "building fuzz targets (swift build -c release --sanitize=fuzzer) ..." >&2
  swift build -c release --sanitize=fuzzer --package-path "$here" >&2
  bin="$(swift build -c release --sanitize=fuzzer --package-path "$here" --show-bin-path)"
fi
jobs="${FUZZ_JOBS:-1}"

mkdir -p "$run_dir"
# Swift's backtracer and libFuzzer's crash handler fight over the crash signal: turn the
# backtracer off so libFuzzer writes the crashing input and its stack (DESIGN.md §2.2).
export SWIFT_BACKTRACE=enable=no

# Minimises the committed corpus, the seeds and what the run found into Fuzz/corpus/<target>/.
# Files named regression-* (inputs that once broke something) are kept as they are.
merge() {
  local target="$1" corpus="$2" seeds="$3"
  local committed="$here/corpus/$target" merged="$run_dir/$target.merged"
  rm -rf "$merged"
  mkdir -p "$merged" "$committed"
  # Edges only (no hit counters): what keeps the committed corpus at a few hundred files.
  "$bin/$target" -merge=1 -use_counters=0 -max_len="$max_len" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    "$merged" "$committed" "$seeds" "$corpus" >"$run_dir/$target.merge.log" 2>&1
  find "$committed" -maxdepth 1 -type f ! -name 'regression-*' -delete
  for f in "$merged"/*; do
    [ -f "$f" ] || continue
    # A regression input is already there under its own name.
    [ -n "$(find "$committed" -maxdepth 1 -name 'regression-*' -exec cmp -s {} "$f" \; -print -quit)" ] && continue
    cp "$f" "$committed/"
  done
  rm -rf "$merged"
  echo "$target: merged into Fuzz/corpus/$target: $(ls "$committed" | wc -l) files, $(cat "$committed"/* | wc -c) bytes" >&2
}

for target in "${targets[@]}"; do
  if [ ! -x "$bin/$target" ]; then
    echo "no such fuzz target: $target (have: $(ls "$here/Sources" | tr '\n' ' '))" >&2
    exit 2
  fi
done

# Runs one target; its summary line goes to stdout and to $run_dir/<target>.summary, the exit
# status says whether it found a problem.
run_target() {
  local target="$1"
  local corpus="$run_dir/$target" seeds="$run_dir/$target.seeds"
  local artifacts="$run_dir/$target.artifacts" log="$run_dir/$target.log"
  local n_seeds f dir rel rc execs rate crash_file line kind started elapsed
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$artifacts"

  # Seeds, flattened to unique names: committed corpus, our own seeds, project files, shared corpus.
  n_seeds=0
  for dir in "$here/corpus/$target" "$here/seeds/$target"; do
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$seeds/$(basename "$dir")__$(basename "$f")"
      n_seeds=$((n_seeds + 1))
    done
  done
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    case "$f" in
      "$root"/*) rel="project/${f#"$root"/}" ;;
      *) rel="shared/${f#"$shared"/}" ;;
    esac
    cp "$f" "$seeds/${rel//\//__}"
    n_seeds=$((n_seeds + 1))
  done < <(project_seeds "$target"; shared_seeds "$target")

  echo "== $target: ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS executions}, $n_seeds seeds, corpus $corpus ($(ls "$corpus" | wc -l) inputs from earlier runs)" >&2
  started=$SECONDS
  set +e
  # With a fixed seed the run stays close to itself on any clone: the seeds are handed over as a
  # list in name order (a directory is read in the file system's order, which differs between
  # clones: a CI clone reached a finding in 10 s that the same seed never reached here) and
  # Swift's hashing is not randomised per process. A few coverage features still vary.
  local inputs=("$seeds")
  if [ -n "${FUZZ_SEED:-}" ]; then
    (cd "$seeds" && LC_ALL=C ls | sed "s|^|$seeds/|" | paste -sd, -) >"$run_dir/$target.seedlist"
    inputs=(-seed_inputs=@"$run_dir/$target.seedlist")
  fi
  (cd "$artifacts" && env ${FUZZ_SEED:+SWIFT_DETERMINISTIC_HASHING=1} "$bin/$target" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} "$corpus" "${inputs[@]}") >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$((SECONDS - started))

  execs="$( (grep -E '^stat::number_of_executed_units:' "$log" || true) | tail -1 | awk '{print $2}')"
  [ -n "$execs" ] || execs="$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#')"
  rate="$( (grep -E '^stat::average_exec_per_sec:' "$log" || true) | tail -1 | awk '{print $2}')"
  crash_file="$( (grep -oE 'Test unit written to .*' "$log" || true) | tail -1 | sed 's/Test unit written to //')"
  if [ "$rc" -eq 0 ]; then
    line="$target: ${execs:-?} executions in ${elapsed}s (${rate:-?}/s), corpus $(ls "$corpus" | wc -l) inputs, no crash"
    [ "${FUZZ_MERGE:-0}" = 1 ] && merge "$target" "$corpus" "$seeds"
  elif grep -q 'libFuzzer: run interrupted' "$log"; then
    # Stopped by a signal (Ctrl-C, kill): not a finding, but not a finished run either.
    line="$target: interrupted after ${execs:-?} executions in ${elapsed}s (${rate:-?}/s), corpus $(ls "$corpus" | wc -l) inputs, no crash"
  else
    kind="$( (grep -oE 'Fatal error: .{0,160}|ERROR: libFuzzer: [a-z -]+' "$log" || true) | head -1)"
    line="$target: FOUND A PROBLEM after ${execs:-?} executions: ${kind:-exit $rc}; input: ${crash_file:-see $log}"
    echo "---- $log (last 60 lines) ----" >&2
    tail -n 60 "$log" | cut -c1-2000 >&2
    echo "---- reproduce: SWIFT_BACKTRACE=enable=no $bin/$target ${crash_file:-CRASH_FILE}" >&2
  fi
  echo "$line" | tee "$run_dir/$target.summary"
  [ "$rc" -eq 0 ]
}

status=0
running=0
for target in "${targets[@]}"; do
  rm -f "$run_dir/$target.summary"
  if [ "$jobs" -le 1 ]; then
    run_target "$target" || status=1
    continue
  fi
  # Up to $jobs targets at once: wait for one to end before starting the next.
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done

if [ ${#targets[@]} -gt 1 ]; then
  echo "== summary"
  for target in "${targets[@]}"; do
    cat "$run_dir/$target.summary" 2>/dev/null || echo "$target: no result (interrupted?)"
  done
fi
exit "$status"
