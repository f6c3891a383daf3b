#!/usr/bin/env python3
"""Generates Sources/MeshSchema/Generated/*.swift: the structural schemas of the Kubernetes
built-in kinds (the official JSON schemas the PyPI package kubernetes-validate ships, `-strict`
variant, the newest minor releases) and of the mesh and delivery CRDs in ../shared/crds.

What is kept is what validation needs (types, properties, required, enums, bounds, int-or-string,
preserve-unknown-fields, embedded resources, CEL rules with their messages, the CRDs' property defaults
(CEL rules see defaulted objects), markers for constraints meshctl does not evaluate); descriptions,
the built-in kinds' defaults and list-merge hints are dropped. Every object schema becomes a
definition named by its content (refs included, found by partition refinement so that recursive
definitions such as JSONSchemaProps hash too), so one definition shared by versions, kinds and
CRDs is written once. The runtime compiles definitions lazily, one on first use.

Usage: scripts/generate-schemas.py [--out DIR] [--crds DIR]   (`make schemas`)
       scripts/generate-schemas.py --check   (scripts/test.sh: the committed files are fresh)
"""

import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35", "1.36", "1.37"]

# The CRD files compiled into the binary: `repository@commit#blob` (../shared/crds/SOURCES.md
# says where each comes from); the blob is `git hash-object` of the file, checked before use. Gateway API: the experimental channel, a superset of
# standard, so that no standard manifest is refused. Linkerd's vendored Gateway API copies are older
# and left out.
CRD_FILES = {
    "istio/crd-all.gen.yaml": "istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c#efb043e56a7bff36fcf91ab456916245d014ea2c",
    "gateway-api/experimental/gateway.networking.k8s.io_backendtlspolicies.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#3f187613c583d764365f2c61c07cf00b233007eb",
    "gateway-api/experimental/gateway.networking.k8s.io_gatewayclasses.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#59e003bde4b6b3e64d1761dacc8e103b8eced30e",
    "gateway-api/experimental/gateway.networking.k8s.io_gateways.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#baf481f681904b22183cd99723a1449fc2cbcec2",
    "gateway-api/experimental/gateway.networking.k8s.io_grpcroutes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#4ae39e63263a39db0d47f66885a88180737fadbd",
    "gateway-api/experimental/gateway.networking.k8s.io_httproutes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#902456b814504181dfce6cb004749d420b5c470d",
    "gateway-api/experimental/gateway.networking.k8s.io_listenersets.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#82d49b3710eeb97ba1e057fba2b2079a5a0fe8d4",
    "gateway-api/experimental/gateway.networking.k8s.io_referencegrants.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#2cba8e18999e534d96ae4180293f13bb91d6171c",
    "gateway-api/experimental/gateway.networking.k8s.io_tcproutes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#a921cb147729d00aca7349dd5349f34ac2014c79",
    "gateway-api/experimental/gateway.networking.k8s.io_tlsroutes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#caeb272a4b407317fbdc756232fe5a8c951f5a96",
    "gateway-api/experimental/gateway.networking.k8s.io_udproutes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#aa8604c679267d2bcff3b79008f66239d3468ef5",
    "gateway-api/experimental/gateway.networking.x-k8s.io_xbackends.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#82d4af233f9f6edf9ab844765e86dcee63adf79a",
    "gateway-api/experimental/gateway.networking.x-k8s.io_xbackendtrafficpolicies.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#b5efe9d22f46d5a4655e4afb2330ee08822d0d84",
    "gateway-api/experimental/gateway.networking.x-k8s.io_xmeshes.yaml": "kubernetes-sigs/gateway-api@4564255ac2c35d582249b3cdf261bdf51c8bca32#00446b583d3fb5c94d8954267a7de7a9ea7c4567",
    "linkerd2/serviceprofile.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#1daeb5013832558fb6164ce553d919fa994a28e1",
    "linkerd2/policy/authorization-policy.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#bd07ee81681f28e5c2abab34fbb16454a3855e49",
    "linkerd2/policy/egress-network.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#5d921c2c1b2edb6e2a4efaf3f88f1b57cfb6e9ac",
    "linkerd2/policy/http-local-ratelimit-policy.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#ad37e6c1a52c2ce7b44e5f9fa74b6b6adc5f7bc0",
    "linkerd2/policy/httproute.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#5d5c03794b38ac59f19ba482027410ac6f5352d4",
    "linkerd2/policy/meshtls-authentication.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#7e492ea6f0dff48ddaa51307b434b4a06a198d88",
    "linkerd2/policy/network-authentication.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#0e6d5e3792bf64be7d50dd9cf002c781fa00cc45",
    "linkerd2/policy/server-authorization.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#76608fd2dff00e7a1b119bc49043cdf4973ed1c7",
    "linkerd2/policy/server.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#b268055d2ccfc6b34ae3c087482f56639356e885",
    "linkerd2/workload/external-workload.rendered.yaml": "linkerd/linkerd2@b24cd4059841f8cee2fb7a9c2ac23a693c583579#afb0c39445912e33a39e7a042f1f8f8424d8b7e2",
    "argo-rollouts/analysis-run-crd.yaml": "argoproj/argo-rollouts@9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d#731d9632b606f317bacc9b5947856644a72a52f8",
    "argo-rollouts/analysis-template-crd.yaml": "argoproj/argo-rollouts@9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d#27fa7c5e8fd9a12c199327eabf99666f17a75bc3",
    "argo-rollouts/cluster-analysis-template-crd.yaml": "argoproj/argo-rollouts@9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d#869cca87e438a5f3a6d4ef5df34c801689ec7777",
    "argo-rollouts/experiment-crd.yaml": "argoproj/argo-rollouts@9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d#bd1875968019028efa23f351f91b01c6b582a3cd",
    "argo-rollouts/rollout-crd.yaml": "argoproj/argo-rollouts@9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d#a13a2a3ed4924a18004d259e34f869c5b583e848",
    "flagger/crd.yaml": "fluxcd/flagger@15bd6ad555e6c935da55f0ab95977be74c149bd6#e02f5aa0ef5cf64890cf298d6be83d27e648548d",
}

# Keywords kept as they are; everything else is dropped (descriptions, defaults, merge hints).
KEPT = {
    "type", "required", "enum", "format", "minimum", "maximum", "minItems", "maxItems", "minLength",
    "maxLength", "nullable", "pattern", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
}
# Keywords meshctl does not evaluate: kept as a marker (`"x-unchecked": [...]`) so that what was
# not checked is counted, never silently passed. (Patterns are kept: the runtime checks the ones
# it knows as formats and counts the others.)
UNCHECKED = {"not": "not", "allOf": "allOf"}
# What of a CEL rule (`x-kubernetes-validations`) the runtime evaluator reads.
CEL_KEPT = ("rule", "message", "fieldPath")
# Definitions with a meaning of their own, replaced by the keywords the runtime reads.
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"x-kubernetes-int-or-string": True},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"format": "quantity"},
}
# Files per page of the generated table: keeps each Swift file quick to compile.
PAGE = 400


class Graph:
    """Definitions as nodes: content with refs as `{"$ref": node}` placeholders."""

    def __init__(self):
        self.nodes = {}  # key -> content (refs: {"$ref": key})

    def add(self, key, content):
        self.nodes[key] = content
        return key


def slim(schema, ref_key, graph, hoist_prefix):
    """The schema with only kept keywords; object schemas with properties become graph nodes."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": ref_key(schema["$ref"])}
    out = {}
    unchecked = set()
    for key, value in schema.items():
        if key in KEPT:
            if key == "type" and isinstance(value, list):
                types = [t for t in value if t != "null"]
                if len(types) < len(value):
                    out["nullable"] = True
                value = types[0] if len(types) == 1 else types
            out[key] = value
        elif key in UNCHECKED:
            unchecked.add(UNCHECKED[key])
        elif key == "x-kubernetes-validations":
            out[key] = [{k: rule[k] for k in CEL_KEPT if k in rule} for rule in value]
        elif key == "properties":
            out["properties"] = {
                name: slim(sub, ref_key, graph, below(hoist_prefix, "." + name)) for name, sub in sorted(value.items())
            }
            # CRD defaults, on the parent so that a hoisted definition stays shared: the API server
            # defaults before it runs CEL rules, and the evaluator must see the same object.
            defaults = {name: sub["default"] for name, sub in value.items() if isinstance(sub, dict) and "default" in sub}
            if defaults and hoist_prefix is not None:
                out["x-defaults"] = defaults
        elif key == "additionalProperties":
            out[key] = slim(value, ref_key, graph, below(hoist_prefix, ".*")) if isinstance(value, dict) else value
        elif key == "items":
            out[key] = slim(value, ref_key, graph, below(hoist_prefix, "[]"))
        elif key in ("oneOf", "anyOf"):
            branches = [slim(sub, ref_key, graph, below(hoist_prefix, f"|{i}")) for i, sub in enumerate(value)]
            if all("type" in b or "$ref" in b for b in branches):
                out["anyOf"] = branches
            elif not schema.get("x-kubernetes-int-or-string"):
                # Branches that only require or forbid fields: constraints meshctl does not evaluate.
                unchecked.add("oneOf/anyOf constraints")
    if unchecked:
        out["x-unchecked"] = sorted(unchecked)
    if "properties" in out and hoist_prefix is not None:
        return {"$ref": graph.add(hoist_prefix, out)}
    return out


def below(prefix, step):
    """The graph key of a nested schema; None (no hoisting) stays None."""
    return None if prefix is None else prefix + step


def canonical_ids(graph):
    """Content ids of the graph's nodes: equal ids for equal structure, refs and cycles included."""

    def text(content, ids):
        return json.dumps(replace_refs(content, lambda ref: ids[ref]), sort_keys=True, separators=(",", ":"))

    ids = {key: "" for key in graph.nodes}
    classes = 0
    while True:
        new = {key: hashlib.sha256(text(content, ids).encode()).hexdigest() for key, content in graph.nodes.items()}
        count = len(set(new.values()))
        ids = new
        if count == classes:
            return ids
        classes = count


def replace_refs(content, change):
    if isinstance(content, dict):
        if set(content) == {"$ref"}:
            return {"$ref": change(content["$ref"])}
        return {key: replace_refs(value, change) for key, value in content.items()}
    if isinstance(content, list):
        return [replace_refs(value, change) for value in content]
    return content


def kubernetes_root():
    try:
        import kubernetes_validate
    except ImportError:
        return None
    return os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")


def load_kubernetes(root, graph):
    """(apiVersion, kind) -> {minor: node key} over the chosen Kubernetes versions."""
    kinds = {}
    for version in KUBERNETES_VERSIONS:
        folder = os.path.join(root, f"v{version}.0-local-strict")
        definitions = json.load(open(os.path.join(folder, "_definitions.json")))["$defs"]

        def key(name, version=version):
            return f"k8s/{version}/{name}"

        def ref_key(ref, version=version):
            return key(ref.rsplit("/", 1)[-1])

        for name, schema in definitions.items():
            if name in SPECIAL:
                graph.add(key(name), dict(SPECIAL[name]))
                continue
            slimmed = slim(schema, ref_key, graph, None)
            graph.add(key(name), slimmed)
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                # A kind's own file names it; shared types (DeleteOptions, WatchEvent) list many.
                if len(schema.get("x-kubernetes-group-version-kind", [])) == 1:
                    kinds.setdefault((api_version, gvk["kind"]), {})[version] = key(name)
    return kinds


def load_crds(folder, graph):
    """(apiVersion, kind) -> node key for every served version of the pinned CRDs."""
    import yaml

    kinds = {}
    for path in sorted(CRD_FILES):
        with open(os.path.join(folder, path), "rb") as handle:
            data = handle.read()
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if blob != CRD_FILES[path].rsplit("#", 1)[1]:
            sys.exit(f"generate-schemas: {path} is not the pinned version ({CRD_FILES[path]}); update the pin")
        documents = [d for d in yaml.safe_load_all(data) if d]
        for crd in documents:
            spec = crd["spec"]
            for version in spec["versions"]:
                if not version.get("served", True):
                    continue
                api_version = f"{spec['group']}/{version['name']}"
                prefix = f"crd/{api_version}/{spec['names']['kind']}"
                root = slim(version["schema"]["openAPIV3Schema"], None, graph, prefix)
                kinds[(api_version, spec["names"]["kind"])] = root["$ref"]
    return kinds


def swift_literal(text):
    if '"##' in text or "\\##" in text:
        sys.exit(f"generate-schemas: a definition holds a raw-string delimiter: {text[:80]}")
    return '##"' + text + '"##'


HEADER = "// Generated by scripts/generate-schemas.py (`make schemas`) from kubernetes-validate {}; do not edit.\n"


def render(graph, ids, k8s_kinds, crd_kinds, source_version):
    """The Swift files: name -> text."""
    # Number the distinct definitions in a stable order (by content id).
    distinct = sorted(set(ids.values()))
    number = {content_id: index for index, content_id in enumerate(distinct)}
    representative = {}
    for key in sorted(graph.nodes):
        representative.setdefault(ids[key], key)
    lines = []
    for content_id in distinct:
        content = replace_refs(graph.nodes[representative[content_id]], lambda ref: f"#{number[ids[ref]]}")
        lines.append(json.dumps(content, sort_keys=True, separators=(",", ":")))

    files = {}
    pages = [lines[start : start + PAGE] for start in range(0, len(lines), PAGE)]
    for page_number, page in enumerate(pages):
        body = ",\n".join("    " + swift_literal(line) for line in page)
        files[f"GeneratedSchemas{page_number}.swift"] = (
            HEADER.format(source_version)
            + "\nextension GeneratedSchemas {\n"
            + f"  /// Definitions {page_number * PAGE}..<{page_number * PAGE + len(page)}, one JSON schema each.\n"
            + f"  static let page{page_number}: [StaticString] = [\n{body},\n  ]\n}}\n"
        )

    # The kind index: `apiVersion kind minor=def,...` (built-in) or `apiVersion kind *=def` (CRDs).
    index = []
    for (api_version, kind), by_version in sorted(k8s_kinds.items()):
        served = ",".join(f"{v.split('.')[1]}={number[ids[key]]}" for v, key in sorted(by_version.items()))
        index.append(f"{api_version} {kind} {served}")
    for (api_version, kind), key in sorted(crd_kinds.items()):
        index.append(f"{api_version} {kind} *={number[ids[key]]}")
    page_list = ", ".join(f"page{n}" for n in range(len(pages)))
    versions = ", ".join(f'"{v}"' for v in KUBERNETES_VERSIONS)
    files["GeneratedSchemaIndex.swift"] = (
        HEADER.format(source_version)
        + "\n/// The generated structural schemas: definitions (JSON schemas whose `$ref`s are `#N`) and\n"
        + "/// the kinds that use them.\n"
        + "enum GeneratedSchemas {\n"
        + "  /// The Kubernetes minor releases the built-in kinds come from, oldest first.\n"
        + f"  static let kubernetesVersions: [String] = [{versions}]\n"
        + "  /// The definitions, page by page.\n"
        + f"  static let pages: [[StaticString]] = [{page_list}]\n"
        + f"  /// Definitions per page.\n  static let pageSize = {PAGE}\n"
        + "  /// One entry per kind, `;` between: `apiVersion kind minor=definition,...` for built-in kinds (the minor\n"
        + "  /// releases that serve it), `apiVersion kind *=definition` for CRDs.\n"
        + "  static let kinds: StaticString = "
        + swift_literal(";".join(index))
        + "\n}\n"
    )
    return files


def kubernetes_validate_version():
    from kubernetes_validate.version import __version__

    return __version__


def generate(out, crds):
    """Writes the Swift files into `out`; returns a one-line summary."""
    root = kubernetes_root()
    graph = Graph()
    k8s_kinds = load_kubernetes(root, graph)
    crd_kinds = load_crds(crds, graph)
    ids = canonical_ids(graph)
    files = render(graph, ids, k8s_kinds, crd_kinds, kubernetes_validate_version())
    os.makedirs(out, exist_ok=True)
    for stale in glob.glob(os.path.join(out, "GeneratedSchema*.swift")):
        if os.path.basename(stale) not in files:
            os.remove(stale)
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as handle:
            handle.write(text)
    size = sum(len(text) for text in files.values())
    return (f"{len(set(ids.values()))} definitions, {len(k8s_kinds)} built-in kinds, {len(crd_kinds)} CRD kinds, "
            f"{size} bytes in {len(files)} files")


def check(out, crds):
    """Regenerates into a temporary directory and compares with `out`; exit 1 when stale."""
    committed = open(os.path.join(out, "GeneratedSchemaIndex.swift")).readline()
    version = kubernetes_validate_version()
    if f"kubernetes-validate {version};" not in committed:
        print(f"generate-schemas: skipped: the committed files come from another kubernetes-validate "
              f"than the installed {version} ({committed.strip()})")
        return
    with tempfile.TemporaryDirectory() as scratch:
        generate(scratch, crds)
        result = subprocess.run(["diff", "-rq", out, scratch], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"generate-schemas: {out} is stale; run `make schemas`\n{result.stdout}")
    print("generate-schemas: Sources/MeshSchema/Generated is fresh")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "Sources", "MeshSchema", "Generated"))
    parser.add_argument("--crds", default=os.path.join(here, "..", "..", "shared", "crds"))
    parser.add_argument("--check", action="store_true", help="compare the committed files with a fresh run")
    arguments = parser.parse_args()
    problem = None
    if kubernetes_root() is None:
        problem = "kubernetes-validate is not installed (scripts/ensure-oracles.sh installs it)"
    elif not os.path.isdir(arguments.crds):
        problem = f"no CRDs at {arguments.crds}"
    if problem and arguments.check:
        print(f"generate-schemas: skipped: {problem}")
        return
    if problem:
        sys.exit(f"generate-schemas: {problem}")
    if arguments.check:
        check(arguments.out, arguments.crds)
    else:
        print("generate-schemas: " + generate(arguments.out, arguments.crds))


if __name__ == "__main__":
    main()
