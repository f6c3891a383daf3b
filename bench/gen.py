#!/usr/bin/env python3
"""Writes a deterministic multi-document YAML benchmark input.

The stream looks like `kubectl get -o yaml` / Helm output for a set of applications: for every
application a Deployment (pod template with 1-3 containers, ports, env, resources, probes,
labels, annotations), a Service, and for about half of them a meshctl.io/v1alpha1 TrafficSplit
(backends by selector or by service, weights summing to 100). Block style throughout, two-space
indentation, sequences written the way kubectl writes them.

The same seed always gives the same bytes, and a larger size extends a smaller one: the 1x file
is a prefix of the 4x file (same mix of documents), which is what the memory benchmark needs.

    bench/gen.py --size-mb 50 -o big.yaml            # 50 MiB
    bench/gen.py --size-mb 50 --scale 4 -o big4.yaml # 200 MiB, same first 50 MiB
Python 3 standard library only.
"""

import argparse
import random
import re
import sys

MIB = 1 << 20

NAMESPACES = ["bookinfo", "shop", "payments", "search", "identity", "media", "ml-serving", "ops"]
WORDS = [
    "reviews", "ratings", "details", "productpage", "cart", "checkout", "catalog", "frontend",
    "inventory", "shipping", "billing", "ledger", "auth", "session", "profile", "search",
    "indexer", "recommend", "ads", "email", "notify", "gateway", "orders", "pricing", "quotes",
    "media", "thumbnail", "transcode", "upload", "audit", "metrics", "tracing", "feature-flags",
]
TEAMS = ["storefront", "platform", "payments", "growth", "data", "sre"]
REGISTRIES = ["ghcr.io/acme", "registry.example.com/apps", "docker.io/library", "quay.io/acme"]
ENV_NAMES = [
    "LOG_LEVEL", "LOG_FORMAT", "PORT", "DATABASE_URL", "REDIS_ADDR", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME", "FEATURE_NEW_CHECKOUT", "CACHE_TTL", "MAX_CONNECTIONS", "GOMAXPROCS",
    "JAVA_OPTS", "TZ", "REGION", "HTTP_TIMEOUT", "ENABLE_PROFILING",
]

CPU = ["50m", "100m", "250m", "500m", "1", "2"]
MEMORY = ["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi"]

# Plain scalars that YAML (1.1 as Kubernetes reads it, or 1.2) would not read as a string.
_RESERVED = {
    "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y",
    "n", "N", "<<", "=",
}
_PLAIN = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./:@+=%, -]*$")
# Plain scalars YAML 1.1 or 1.2 would read as a number or timestamp (quoted when meant as text).
_NUMBERISH = re.compile(
    r"[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*)"
    r"|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?"
)


def scalar(value):
    """A scalar as a careful human writes it: plain when that keeps its type, else quoted."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    s = str(value)
    if (
        s in _RESERVED
        or not _PLAIN.match(s)
        or _NUMBERISH.fullmatch(s)
        or s.endswith((" ", ":", ","))
        or ": " in s
        or " #" in s
        or s.startswith(("- ", "? ", ": "))
    ):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def emit(value, indent, out):
    """Block-style YAML for dicts (insertion order), lists (kubectl layout) and scalars."""
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                out.append(f"{pad}{key}:\n")
                emit(item, indent + 1, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{key}:\n")
                emit(item, indent, out)  # kubectl puts "- " at the key's indentation
            elif isinstance(item, Literal):
                out.append(f"{pad}{key}: |\n")
                for line in item.text.splitlines():
                    out.append(f"{pad}  {line}\n")
            elif isinstance(item, dict):
                out.append(f"{pad}{key}: {{}}\n")
            elif isinstance(item, list):
                out.append(f"{pad}{key}: []\n")
            else:
                out.append(f"{pad}{key}: {scalar(item)}\n")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub = []
                emit(item, indent + 1, sub)
                first = sub[0]
                sub[0] = pad + "- " + first[len(pad) + 2 :]
                out.extend(sub)
            else:
                out.append(f"{pad}- {scalar(item)}\n")
    else:
        out.append(f"{pad}{scalar(value)}\n")


class Literal:
    """A string written as a `|` block scalar."""

    def __init__(self, text):
        self.text = text


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.app_number = 0

    def name(self):
        r = self.rng
        base = r.choice(WORDS)
        if r.random() < 0.5:
            base += "-" + r.choice(["api", "worker", "web", "svc", "grpc", "consumer"])
        self.app_number += 1
        return f"{base}-{self.app_number}"

    def quantity_cpu(self):
        return self.rng.choice(CPU)

    def quantity_mem(self):
        return self.rng.choice(MEMORY)

    def probe(self, port_name, path):
        r = self.rng
        if r.random() < 0.7:
            action = {"httpGet": {"path": path, "port": port_name, "scheme": "HTTP"}}
        elif r.random() < 0.5:
            action = {"tcpSocket": {"port": port_name}}
        else:
            action = {"exec": {"command": ["/bin/sh", "-c", "test -f /tmp/healthy"]}}
        probe = dict(action)
        probe["initialDelaySeconds"] = r.choice([0, 5, 10, 15, 30])
        probe["periodSeconds"] = r.choice([5, 10, 20])
        probe["timeoutSeconds"] = r.choice([1, 2, 5])
        probe["successThreshold"] = 1
        probe["failureThreshold"] = r.choice([3, 5, 6])
        return probe

    def container(self, app, version, primary):
        r = self.rng
        cname = app if primary else r.choice(["log-shipper", "metrics-exporter", "cache", "config-reloader"])
        ports = [{"name": "http", "containerPort": r.choice([8080, 9080, 3000, 8000]), "protocol": "TCP"}]
        if r.random() < 0.4:
            ports.append({"name": "grpc", "containerPort": r.choice([9090, 50051]), "protocol": "TCP"})
        if r.random() < 0.5:
            ports.append({"name": "metrics", "containerPort": r.choice([9100, 9102, 15020]), "protocol": "TCP"})
        if not primary:
            ports = ports[-1:]
            ports[0]["name"] = "metrics" if ports[0]["name"] != "metrics" else ports[0]["name"]
        env = []
        for env_name in r.sample(ENV_NAMES, r.randint(2, 8)):
            if r.random() < 0.15:
                env.append({
                    "name": env_name,
                    "valueFrom": {"secretKeyRef": {"name": f"{app}-secrets", "key": env_name.lower().replace("_", "-")}},
                })
            elif r.random() < 0.1:
                env.append({"name": env_name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}})
            else:
                env.append({"name": env_name, "value": self.env_value(env_name, app)})
        c = {
            "name": cname,
            "image": f"{r.choice(REGISTRIES)}/{app.rsplit('-', 1)[0]}:{version}.{r.randint(0, 20)}.{r.randint(0, 9)}",
            "imagePullPolicy": r.choice(["IfNotPresent", "Always"]),
        }
        if r.random() < 0.3:
            c["args"] = ["--config=/etc/app/config.yaml", f"--log-level={r.choice(['info', 'debug', 'warn'])}"]
        c["ports"] = ports
        c["env"] = env
        cpu = sorted((self.quantity_cpu(), self.quantity_cpu()), key=CPU.index)
        mem = sorted((self.quantity_mem(), self.quantity_mem()), key=MEMORY.index)
        c["resources"] = {
            "requests": {"cpu": cpu[0], "memory": mem[0]},
            "limits": {"cpu": cpu[1], "memory": mem[1]},
        }
        if primary:
            c["livenessProbe"] = self.probe(ports[0]["name"], "/healthz")
            c["readinessProbe"] = self.probe(ports[0]["name"], "/ready")
        if r.random() < 0.5:
            c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]
        c["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": r.random() < 0.7,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }
        return c

    def env_value(self, env_name, app):
        r = self.rng
        return {
            "LOG_LEVEL": r.choice(["info", "debug", "warn"]),
            "LOG_FORMAT": r.choice(["json", "text"]),
            "PORT": str(r.choice([8080, 9080, 3000])),
            "DATABASE_URL": f"postgres://{app}@postgres.db.svc.cluster.local:5432/{app.replace('-', '_')}",
            "REDIS_ADDR": "redis-master.cache.svc.cluster.local:6379",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability.svc:4317",
            "OTEL_SERVICE_NAME": app,
            "FEATURE_NEW_CHECKOUT": r.choice(["true", "false"]),
            "CACHE_TTL": r.choice(["30s", "5m", "1h"]),
            "MAX_CONNECTIONS": str(r.choice([10, 50, 100, 200])),
            "GOMAXPROCS": str(r.choice([1, 2, 4])),
            "JAVA_OPTS": f"-Xms{r.choice([256, 512])}m -Xmx{r.choice([512, 1024])}m -XX:+UseG1GC",
            "TZ": "UTC",
            "REGION": r.choice(["eu-west-1", "us-east-1", "ap-southeast-2"]),
            "HTTP_TIMEOUT": r.choice(["5s", "10s", "30s"]),
            "ENABLE_PROFILING": r.choice(["yes", "no"]),
        }[env_name]

    def labels(self, app, ns, version):
        r = self.rng
        labels = {
            "app": app,
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/instance": f"{app}-{ns}",
            "app.kubernetes.io/part-of": ns,
            "app.kubernetes.io/managed-by": r.choice(["Helm", "kustomize", "argocd"]),
            "version": version,
        }
        if r.random() < 0.5:
            labels["team"] = r.choice(TEAMS)
        return labels

    def deployment(self, app, ns, version):
        r = self.rng
        labels = self.labels(app, ns, version)
        selector = {"app": app, "version": version}
        annotations = {
            "deployment.kubernetes.io/revision": str(r.randint(1, 40)),
            "meta.helm.sh/release-name": app,
            "meta.helm.sh/release-namespace": ns,
        }
        if r.random() < 0.3:
            annotations["description"] = (
                f"{app} serves the {ns} tenant; owned by team {r.choice(TEAMS)}, on call via #oncall-{ns}."
            )
        pod_annotations = {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(r.choice([9100, 9102, 15020])),
            "prometheus.io/path": "/metrics",
            "checksum/config": "%064x" % r.getrandbits(256),
        }
        if r.random() < 0.2:
            pod_annotations["sidecar.istio.io/inject"] = r.choice(["true", "false"])
        n_containers = r.choices([1, 2, 3], weights=[6, 3, 1])[0]
        containers = [self.container(app, version, i == 0) for i in range(n_containers)]
        seen = set()
        for c in containers:  # container names are unique in a pod
            while c["name"] in seen:
                c["name"] += "-x"
            seen.add(c["name"])
        pod_spec = {
            "serviceAccountName": app,
            "terminationGracePeriodSeconds": r.choice([30, 60]),
            "securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 2000},
            "containers": containers,
        }
        if r.random() < 0.4:
            pod_spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        if r.random() < 0.3:
            pod_spec["tolerations"] = [
                {"key": "dedicated", "operator": "Equal", "value": ns, "effect": "NoSchedule"}
            ]
        if any("volumeMounts" in c for c in containers):
            pod_spec["volumes"] = [{"name": "config", "configMap": {"name": f"{app}-config"}}]
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": f"{app}-{version}", "namespace": ns, "labels": labels, "annotations": annotations},
            "spec": {
                "replicas": r.choice([1, 2, 3, 5]),
                "revisionHistoryLimit": 10,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": labels, "annotations": pod_annotations},
                    "spec": pod_spec,
                },
            },
        }

    def service(self, app, ns, name=None, version=None):
        r = self.rng
        selector = {"app": app}
        if version:
            selector["version"] = version
        ports = [{"name": "http", "port": r.choice([80, 8080, 9080]), "targetPort": "http", "protocol": "TCP"}]
        if r.random() < 0.3:
            ports.append({"name": "grpc", "port": 9090, "targetPort": 9090, "protocol": "TCP"})
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": name or app,
                "namespace": ns,
                "labels": {"app": app, "app.kubernetes.io/name": app},
            },
            "spec": {"type": "ClusterIP", "selector": selector, "ports": ports},
        }

    def traffic_split(self, app, ns, versions):
        r = self.rng
        weights = self.weights(len(versions))
        backends = []
        for version, weight in zip(versions, weights):
            backend = {"name": version}
            if r.random() < 0.7:
                backend["selector"] = {"version": version}
            else:
                backend["service"] = f"{app}-{version}"
            backend["weight"] = weight
            backends.append(backend)
        spec = {"service": app}
        if r.random() < 0.3:
            spec["port"] = r.choice([80, 8080, 9080])
        spec["backends"] = backends
        if len(versions) > 1 and r.random() < 0.25:
            spec["match"] = [{"headers": {"x-canary": {"exact": "true"}}, "backend": versions[-1]}]
        return {
            "apiVersion": "meshctl.io/v1alpha1",
            "kind": "TrafficSplit",
            "metadata": {"name": app, "namespace": ns},
            "spec": spec,
        }

    def weights(self, n):
        r = self.rng
        if n == 1:
            return [100]
        cuts = sorted(r.sample(range(0, 101, 5), n - 1))
        weights = [b - a for a, b in zip([0] + cuts, cuts + [100])]
        if all(w == 0 for w in weights):  # cannot happen with n >= 2, kept for clarity
            weights[0] = 100
        return weights

    def application(self):
        """The documents of one application, as text."""
        r = self.rng
        app = self.name()
        ns = r.choice(NAMESPACES)
        versions = ["v1"] if r.random() < 0.5 else ["v1", "v2"] + (["v3"] if r.random() < 0.3 else [])
        docs = [("deployment", self.deployment(app, ns, v)) for v in versions]
        docs.append(("service", self.service(app, ns)))
        if len(versions) > 1:
            split = self.traffic_split(app, ns, versions)
            for backend in split["spec"]["backends"]:
                if "service" in backend:
                    docs.append(("service", self.service(app, ns, backend["service"], backend["name"])))
            docs.append(("trafficsplit", split))
        out = []
        for template, doc in docs:
            out.append("---\n")
            if r.random() < 0.5:
                out.append(f"# Source: {app.rsplit('-', 1)[0]}/templates/{template}.yaml\n")
            emit(doc, 0, out)
        return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=50, help="size of the 1x file in MiB (default 50)")
    parser.add_argument("--scale", type=float, default=1, help="multiply the size (e.g. 4 for 4x)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (default 20240601)")
    parser.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    args = parser.parse_args()

    target = int(args.size_mb * args.scale * MIB)
    gen = Generator(args.seed)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="\n")
    written = 0
    applications = 0
    try:
        while written < target:
            text = gen.application()
            out.write(text)
            written += len(text)  # ASCII only
            applications += 1
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output != "-":
        print(f"{args.output}: {written} bytes, {applications} applications", file=sys.stderr)

if __name__ == "__main__":
    main()
