"""Runs the REAL Prometheus (Debian package `prometheus`) scraping the test exporter.

    python3 Tests/Prometheus/harness.py [--prometheus /usr/bin/prometheus]

Starts mesh_exporter on a free port of 127.0.0.1, writes a Prometheus configuration that scrapes
it every second, starts `prometheus --config.file=... --storage.tsdb.path=<temp dir>
--web.listen-address=127.0.0.1:<free port>` (never the packaged service), waits until the
exporter's target is up, then prints one JSON line:

    {"prometheus": "http://127.0.0.1:PORT", "exporter": "http://127.0.0.1:PORT"}

and runs until its standard input closes (the test process ended), then stops Prometheus and
removes the temporary directory. Exit 3 when Prometheus cannot be started; its log is printed on
stderr. Used by Tests/MeshOpsTests/PrometheusAnalysisTests.swift; the binary is installed by
scripts/ensure-prometheus.sh.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_exporter  # noqa: E402

CONFIG = """global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mesh-exporter
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.loads(answer.read())


def exporter_target_up(base):
    try:
        targets = get_json(base + "/api/v1/targets")["data"]["activeTargets"]
    except (OSError, ValueError, KeyError):
        return False
    return any(target.get("health") == "up" for target in targets)


def start_prometheus(binary, directory, exporter_port, deadline):
    """Starts Prometheus and waits for its first successful scrape; returns (process, url)."""
    config = os.path.join(directory, "prometheus.yml")
    with open(config, "w") as handle:
        handle.write(CONFIG.replace("{port}", str(exporter_port)))
    log = open(os.path.join(directory, "prometheus.log"), "w")
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(directory, 'data')}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None, url
        if exporter_target_up(url):
            return process, url
        time.sleep(0.1)
    process.terminate()
    return None, url


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    arguments = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="meshctl-prometheus-")
    exporter = mesh_exporter.serve()
    exporter_url = f"http://127.0.0.1:{exporter.server_address[1]}"
    process = None
    try:
        deadline = time.monotonic() + 60
        # A port taken between probing and binding makes Prometheus exit: try again.
        for _ in range(3):
            process, url = start_prometheus(arguments.prometheus, directory, exporter.server_address[1], deadline)
            if process is not None:
                break
        if process is None:
            with open(os.path.join(directory, "prometheus.log")) as handle:
                sys.stderr.write(handle.read()[-4000:])
            sys.stderr.write("harness: prometheus did not start or never scraped the exporter\n")
            return 3
        print(json.dumps({"prometheus": url, "exporter": exporter_url}), flush=True)
        # Until the test process closes our standard input (it ended, or it is done).
        while sys.stdin.buffer.read(4096):
            pass
        return 0
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        exporter.shutdown()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
