#!/usr/bin/env python3
"""Turns the measurements of one bench/run.sh run into a Markdown table.

Reads hyperfine's JSON exports and the facts run.sh passes in the environment (sizes, memory,
which meshctl commands exist, tool versions); prints the report and writes it to
bench/out/results.md. Standard library only.
"""
import json
import os
import sys

MIB = 1 << 20
env = os.environ
out_dir = env.get("BENCH_OUT", "bench/out")


def load(name):
    """{command name: result} from a hyperfine JSON export, or {} when it was not run."""
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        results = json.load(f)["results"]
    return {r.get("command_name") or r["command"]: r for r in results}


def median(result):
    return result["median"] if result else None


def mib_per_s(size_bytes, result):
    if not result or not size_bytes:
        return None
    return size_bytes / MIB / result["median"]


def fmt_speed(v):
    if v is None:
        return "n/a"
    return f"{v:,.2f} MiB/s" if v < 1 else f"{v:,.1f} MiB/s"


def fmt_ms(seconds):
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


def fmt_mib(kib):
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


def verdict(ok):
    return "" if ok is None else (" — **met**" if ok else " — **missed**")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r, suffix=""):
    if r is None:
        return "n/a"
    return f"{r:,.0f}{suffix}" if r >= 100 else f"{r:.2f}{suffix}"


def kib(name):
    v = env.get(name, "")
    return int(v) if v.isdigit() else None


big_bytes = int(env.get("BENCH_BIG_BYTES", "0"))
slice_bytes = int(env.get("BENCH_SLICE_BYTES", "0"))
validate_ok = env.get("BENCH_VALIDATE_OK") == "1"
validate_why = env.get("BENCH_VALIDATE_WHY", "")
inject_ok = env.get("BENCH_INJECT_OK") == "1"
startup_cmd = env.get("BENCH_STARTUP_CMD", "meshctl version")

throughput = load("throughput.json")
kv = load("kubernetes-validate.json")
startup = load("startup.json")

validate = throughput.get("meshctl validate")
validate2 = throughput.get("meshctl validate --jobs 2")
parse = throughput.get("libyaml parse")
roundtrip = throughput.get("libyaml round trip")
pyyaml = throughput.get("PyYAML CSafeLoader")
inject = throughput.get("meshctl inject")
library = throughput.get("library read+validate")
kval = kv.get("kubernetes-validate")

v_speed = mib_per_s(big_bytes, validate)
v2_speed = mib_per_s(big_bytes, validate2)
p_speed = mib_per_s(big_bytes, parse)
rt_speed = mib_per_s(big_bytes, roundtrip)
py_speed = mib_per_s(big_bytes, pyyaml)
kv_speed = mib_per_s(slice_bytes, kval)
inj_speed = mib_per_s(big_bytes, inject)

na_validate = "n/a (see notes)"
rows = []

r = ratio(v_speed, p_speed)
rows.append((
    "validate throughput vs libyaml parse (ceiling)",
    fmt_speed(v_speed) if validate else na_validate,
    f"{fmt_speed(p_speed)} (bench/out/yaml-parse)",
    fmt_ratio(r),
    "≥ 0.40" + verdict(None if r is None else r >= 0.40),
))

r = ratio(v2_speed, p_speed)
rows.append((
    "validate on 2 threads (--jobs 2) vs libyaml parse (one thread)",
    fmt_speed(v2_speed) if validate2 else "n/a (no --jobs in this build)",
    f"{fmt_speed(p_speed)} (bench/out/yaml-parse)",
    fmt_ratio(r),
    "≥ 0.75" + verdict(None if r is None else r >= 0.75),
))

r = ratio(v_speed, kv_speed)
rows.append((
    "validate throughput vs kubernetes-validate",
    fmt_speed(v_speed) if validate else na_validate,
    f"{fmt_speed(kv_speed)} (on a {slice_bytes / MIB:.1f} MiB slice, normalised)" if kval else "n/a",
    fmt_ratio(r, "×"),
    "> 1× (faster)" + verdict(None if r is None else r > 1),
))

r = ratio(v_speed, py_speed)
rows.append((
    "validate throughput vs PyYAML load only",
    fmt_speed(v_speed) if validate else na_validate,
    f"{fmt_speed(py_speed)} (yaml.CSafeLoader)",
    fmt_ratio(r, "×"),
    "> 1× (faster)" + verdict(None if r is None else r > 1),
))

rss1, rss4, rss_parse = kib("BENCH_RSS_1X_KIB"), kib("BENCH_RSS_4X_KIB"), kib("BENCH_RSS_PARSE_KIB")
r = ratio(rss4, rss1)
rows.append((
    "peak RSS of validate, 4x input vs 1x",
    f"{fmt_mib(rss4)} on 4x" if rss4 else na_validate,
    f"{fmt_mib(rss1)} on 1x (libyaml parse: {fmt_mib(rss_parse)})" if rss1 else f"libyaml parse: {fmt_mib(rss_parse)}",
    fmt_ratio(r),
    "≈ 1, ≤ 1.25 (streaming)" + verdict(None if r is None else r <= 1.25),
))

lib_speed = mib_per_s(big_bytes, library)
r = ratio(lib_speed, p_speed)
rows.append((
    "library only (bench/reader: ManifestReader + Validator, no CLI) vs libyaml parse",
    fmt_speed(lib_speed),
    fmt_speed(p_speed),
    fmt_ratio(r),
    "≥ 0.40 (validate's budget)" + verdict(None if r is None else r >= 0.40),
))
lrss1, lrss4 = kib("BENCH_RSS_READER_1X_KIB"), kib("BENCH_RSS_READER_4X_KIB")
r = ratio(lrss4, lrss1)
rows.append((
    "peak RSS of the library path, 4x input vs 1x",
    f"{fmt_mib(lrss4)} on 4x",
    f"{fmt_mib(lrss1)} on 1x",
    fmt_ratio(r),
    "≈ 1, ≤ 1.25 (streaming)" + verdict(None if r is None else r <= 1.25),
))

m_start = startup.get("meshctl")
k_start = startup.get("kubectl")
m_med, k_med = median(m_start), median(k_start)
r = ratio(m_med, k_med)
rows.append((
    f"start-up: `{startup_cmd}` vs `kubectl version --client`",
    fmt_ms(m_med),
    fmt_ms(k_med),
    fmt_ratio(r),
    "≤ 5 ms" + verdict(None if m_med is None else m_med <= 0.005),
))

if inject:
    r = ratio(inj_speed, rt_speed)
    rows.append((
        "inject throughput vs libyaml round trip (ceiling)",
        fmt_speed(inj_speed),
        fmt_speed(rt_speed),
        fmt_ratio(r),
        "≥ 0.30" + verdict(None if r is None else r >= 0.30),
    ))
    irss1, irss4 = kib("BENCH_INJECT_RSS_1X_KIB"), kib("BENCH_INJECT_RSS_4X_KIB")
    r = ratio(irss4, irss1)
    rows.append((
        "peak RSS of inject, 4x input vs 1x",
        f"{fmt_mib(irss4)} on 4x",
        f"{fmt_mib(irss1)} on 1x",
        fmt_ratio(r),
        "≈ 1, ≤ 1.25 (streaming)" + verdict(None if r is None else r <= 1.25),
    ))
else:
    rows.append((
        "libyaml round trip (ceiling for inject)",
        "n/a — meshctl inject not available" if not inject_ok else "n/a",
        fmt_speed(rt_speed),
        "",
        "(reference only)",
    ))

lines = []
lines.append(f"# meshctl benchmarks — {env.get('BENCH_DATE', '')}")
lines.append("")
lines.append(
    f"Input: `{env.get('BENCH_BIG', '')}`, {big_bytes / MIB:.1f} MiB, {env.get('BENCH_BIG_DOCS', '?')} documents "
    f"(generated by bench/gen.py, seed {env.get('BENCH_SEED', '?')}). Throughput = input size / median wall time of "
    f"the whole process (hyperfine, {env.get('BENCH_RUNS', '?')} runs after 1 warm-up); 1 MiB = 2^20 bytes."
)
lines.append("")
lines.append("| measure | meshctl | reference | ratio | target |")
lines.append("| --- | --- | --- | --- | --- |")
for row in rows:
    lines.append("| " + " | ".join(row) + " |")
lines.append("")
notes = []
if kval:
    notes.append(
        f"kubernetes-validate ({env.get('BENCH_KV_VERSION', '?')}, `-k {env.get('BENCH_K8S_VERSION', '?')} --strict --quiet`) "
        f"is too slow for the full input: it ran on the first {slice_bytes / MIB:.1f} MiB "
        f"(`{env.get('BENCH_SLICE', '')}`, a prefix of the same stream), {env.get('BENCH_KV_RUNS', '?')} runs, "
        f"median {fmt_ms(median(kval))}; its MiB/s is normalised from that. It has no schema for "
        "meshctl.io TrafficSplit and only warns about those documents."
    )
notes.append(f"machine load (uptime) {env.get('BENCH_LOAD', '?')}: ratios taken on a busy machine are low.")
if validate2:
    notes.append(
        "validate rows: `--jobs 1` is the single-core figure; `--jobs 2` cuts the stream at `---` lines "
        "and reads and checks the pieces on 2 threads (same output); peak RSS rows run the default (one thread per processor)."
    )
if validate:
    notes.append(
        f"`meshctl validate -f … -o json` exit code on the input: {env.get('BENCH_VALIDATE_RC', '?')} "
        "(1 = findings; hyperfine runs with -i). Its findings depend on the schema module in this build."
    )
else:
    notes.append(f"{validate_why or 'meshctl validate not available'}; its rows are n/a.")
if library:
    notes.append(
        "library row: bench/reader's manifest-read, i.e. ManifestReader + the Validator of this build "
        "(findings are counted, not printed)."
    )
if startup_cmd != "meshctl version":
    notes.append(f"`meshctl version` not available; start-up measured with `{startup_cmd}` instead.")
if m_start and k_start:
    notes.append(
        f"start-up: hyperfine -N, {env.get('BENCH_STARTUP_RUNS', '?')} runs; "
        f"meshctl min {fmt_ms(m_start['min'])}, kubectl min {fmt_ms(k_start['min'])}."
    )
if rss1:
    notes.append(
        f"peak RSS from /usr/bin/time (max resident set size) of one run each; 4x input = {env.get('BENCH_BIG4_BYTES', '0')} bytes."
    )
notes.append(f"meshctl: `{env.get('BENCH_MESHCTL', '')}` ({env.get('BENCH_MESHCTL_VERSION', 'version unknown')}), commit {env.get('BENCH_COMMIT', '?')}.")
notes.append(f"machine: {env.get('BENCH_MACHINE', '?')}; tools: {env.get('BENCH_TOOLS', '?')}.")
for n in notes:
    lines.append(f"- {n}")
report = "\n".join(lines) + "\n"

with open(os.path.join(out_dir, "results.md"), "w") as f:
    f.write(report)
sys.stdout.write(report)
