"""A test exporter serving Istio- and Linkerd-shaped metrics whose traffic the test sets.

Python standard library only. The exporter is not a fake of Prometheus: the real Prometheus
scrapes it (harness.py), and meshctl's PromQL runs on the real engine.

Each *backend* is one destination workload of one mesh. Its counters advance with wall time
(a ticker thread, every 100 ms) at the rates the test sets:

    POST /backends  {"mesh": "istio", "workload": "reviews-v2", "namespace": "shop",
                     "version": "v2", "rps": 20, "errorRate": 0.05, "latencyMs": 250,
                     "plaintext": [{"workload": "legacy", "namespace": "old", "rps": 2,
                                    "tcpPerSecond": 1, "meshed": true}]}

`rps` is the mTLS traffic from the default caller `frontend` (in the backend's namespace),
`errorRate` the share of it answered 5xx (Istio) / classified failure (Linkerd), `latencyMs`
the duration of every request. `plaintext` callers send without mTLS: Istio reports them with
`connection_security_policy="none"` (requests, and TCP connections when `tcpPerSecond` > 0);
Linkerd's inbound side sees `tls="no_identity"` without a client identity, and a `meshed`
caller also reports its own outbound `request_total{tls="no_identity"}`. A backend is keyed by
mesh, namespace, workload and version; posting it again changes its rates, and its counters keep
their totals, as a real proxy's would.

    GET /metrics    the exposition text format (version 0.0.4)
    GET /backends   the current settings, as JSON
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Istio's default buckets for istio_request_duration_milliseconds.
ISTIO_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
                 1800000, 3600000]
# Linkerd's buckets for response_latency_ms.
LINKERD_BUCKETS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
                   20000, 30000, 40000, 50000]

TICK = 0.1


def labels(pairs):
    """`{a="1",b="2"}` with values escaped as the exposition format wants."""
    def escape(value):
        return str(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
    return "{" + ",".join(f'{key}="{escape(value)}"' for key, value in pairs) + "}"


class Backend:
    """One destination workload's settings and cumulative counters."""

    def __init__(self, spec):
        self.mesh = spec["mesh"]
        if self.mesh not in ("istio", "linkerd"):
            raise ValueError("mesh must be istio or linkerd")
        self.workload = spec["workload"]
        self.namespace = spec["namespace"]
        self.counters = {}  # (metric name, label tuple) -> float
        self.update(spec)

    def update(self, spec):
        self.version = spec.get("version", "v1")
        self.rps = float(spec.get("rps", 0))
        self.error_rate = float(spec.get("errorRate", 0))
        self.latency_ms = float(spec.get("latencyMs", 10))
        self.plaintext = [dict(caller) for caller in spec.get("plaintext", [])]
        self.settings = dict(spec)
        # Every series exists from the start, so "no traffic" reads as 0, not as no data.
        self.advance(0)

    def add(self, name, label_pairs, amount):
        key = (name, tuple(label_pairs))
        self.counters[key] = self.counters.get(key, 0.0) + amount

    def advance(self, seconds):
        requests = self.rps * seconds
        errors = requests * self.error_rate
        if self.mesh == "istio":
            self.advance_istio(requests, errors, seconds)
        else:
            self.advance_linkerd(requests, errors, seconds)

    # Istio: istio.io/latest/docs/reference/config/metrics (destination-reported series).
    def istio_labels(self, source, source_namespace, code, security):
        return [("reporter", "destination"), ("source_workload", source),
                ("source_workload_namespace", source_namespace), ("destination_workload", self.workload),
                ("destination_workload_namespace", self.namespace), ("destination_version", self.version),
                ("destination_service", f"{self.workload}.{self.namespace}.svc.cluster.local"),
                ("request_protocol", "http"), ("response_code", code), ("connection_security_policy", security)]

    def advance_istio(self, requests, errors, seconds):
        ok = self.istio_labels("frontend", self.namespace, "200", "mutual_tls")
        bad = self.istio_labels("frontend", self.namespace, "503", "mutual_tls")
        self.add("istio_requests_total", ok, requests - errors)
        self.add("istio_requests_total", bad, errors)
        self.observe("istio_request_duration_milliseconds", ok, ISTIO_BUCKETS, requests - errors)
        self.observe("istio_request_duration_milliseconds", bad, ISTIO_BUCKETS, errors)
        for caller in self.plaintext:
            plain = self.istio_labels(caller["workload"], caller["namespace"], "200", "none")
            self.add("istio_requests_total", plain, float(caller.get("rps", 0)) * seconds)
            tcp = [pair for pair in plain if pair[0] not in ("response_code", "request_protocol")]
            self.add("istio_tcp_connections_opened_total", tcp, float(caller.get("tcpPerSecond", 0)) * seconds)

    # Linkerd: linkerd.io/2/reference/proxy-metrics, with the `namespace`/`deployment` labels
    # linkerd-viz's Prometheus adds to each scraped proxy.
    def linkerd_inbound(self, tls_pairs):
        return [("direction", "inbound"), ("namespace", self.namespace), ("deployment", self.workload),
                ("pod", f"{self.workload}-7d9f8c-abcde")] + tls_pairs

    def advance_linkerd(self, requests, errors, seconds):
        identity = [("tls", "true"), ("client_id", f"frontend.{self.namespace}.serviceaccount.identity.linkerd.cluster.local")]
        base = self.linkerd_inbound(identity)
        self.add("request_total", base, requests)
        self.add("response_total", base + [("status_code", "200"), ("classification", "success")], requests - errors)
        self.add("response_total", base + [("status_code", "503"), ("classification", "failure")], errors)
        self.observe("response_latency_ms", base + [("status_code", "200")], LINKERD_BUCKETS, requests - errors)
        self.observe("response_latency_ms", base + [("status_code", "503")], LINKERD_BUCKETS, errors)
        for caller in self.plaintext:
            amount = float(caller.get("rps", 0)) * seconds
            plain = self.linkerd_inbound([("tls", "no_identity"), ("no_tls_reason", "not_provided_by_remote")])
            self.add("request_total", plain, amount)
            self.add("response_total", plain + [("status_code", "200"), ("classification", "success")], amount)
            if caller.get("meshed"):
                outbound = [("direction", "outbound"), ("namespace", caller["namespace"]),
                            ("deployment", caller["workload"]), ("dst_namespace", self.namespace),
                            ("dst_deployment", self.workload), ("tls", "no_identity"),
                            ("no_tls_reason", "not_provided_by_remote")]
                self.add("request_total", outbound, amount)

    def observe(self, name, label_pairs, buckets, count):
        """`count` observations of `latency_ms` into a cumulative histogram."""
        for bound in buckets:
            self.add(name + "_bucket", label_pairs + [("le", repr(float(bound)))],
                     count if self.latency_ms <= bound else 0.0)
        self.add(name + "_bucket", label_pairs + [("le", "+Inf")], count)
        self.add(name + "_count", label_pairs, count)
        self.add(name + "_sum", label_pairs, count * self.latency_ms)


class Exporter:
    """The backends and the thread that advances their counters."""

    def __init__(self):
        self.lock = threading.Lock()
        self.backends = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.tick, daemon=True)
        self.thread.start()

    def tick(self):
        last = time.monotonic()
        while not self.stopping.wait(TICK):
            now = time.monotonic()
            with self.lock:
                for backend in self.backends.values():
                    backend.advance(now - last)
            last = now

    def set_backend(self, spec):
        key = (spec["mesh"], spec["namespace"], spec["workload"], spec.get("version", "v1"))
        with self.lock:
            if key in self.backends:
                self.backends[key].update(spec)
            else:
                self.backends[key] = Backend(spec)

    def exposition(self):
        """Every series, grouped by family: counters, then histograms (buckets, sum, count)."""
        with self.lock:
            series = {}
            for backend in self.backends.values():
                for (name, label_pairs), value in backend.counters.items():
                    series.setdefault(name, []).append((label_pairs, value))
        histograms = sorted({name[: -len("_bucket")] for name in series if name.endswith("_bucket")})
        parts = {name for family in histograms for name in (family + "_bucket", family + "_sum", family + "_count")}
        text = []
        for name in sorted(set(series) - parts):
            text.append(f"# TYPE {name} counter")
            text += [f"{name}{labels(pairs)} {value!r}" for pairs, value in series[name]]
        for family in histograms:
            text.append(f"# TYPE {family} histogram")
            for name in (family + "_bucket", family + "_sum", family + "_count"):
                text += [f"{name}{labels(pairs)} {value!r}" for pairs, value in series.get(name, [])]
        return "\n".join(text) + "\n"


def make_handler(exporter):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/metrics":
                self.reply(200, exporter.exposition(), "text/plain; version=0.0.4")
            elif self.path == "/backends":
                with exporter.lock:
                    self.reply(200, json.dumps([b.settings for b in exporter.backends.values()]))
            else:
                self.reply(404, json.dumps({"error": "not found"}))

        def do_POST(self):
            if self.path != "/backends":
                self.reply(404, json.dumps({"error": "not found"}))
                return
            length = int(self.headers.get("Content-Length", "0"))
            try:
                spec = json.loads(self.rfile.read(length) or b"{}")
                exporter.set_backend(spec)
            except (ValueError, KeyError, TypeError) as error:
                self.reply(400, json.dumps({"error": str(error)}))
                return
            self.reply(200, json.dumps({"ok": True}))

    return Handler


def serve(port=0):
    """Starts the exporter on 127.0.0.1:`port` (0: any free port) in a thread; returns the server."""
    exporter = Exporter()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(exporter))
    server.exporter = exporter
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    running = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"http://127.0.0.1:{running.server_address[1]}", flush=True)
    threading.Event().wait()
