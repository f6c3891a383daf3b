#!/usr/bin/env python3
"""A Kubernetes API server emulator for meshctl's tests (Python standard library only).

Run it as a process:
    python3 Tests/Emulator/kube_emulator.py --dir TMPDIR [--port 0] [--groups istio,gateway,linkerd]
or import it and use `Emulator(...).start()` / `.stop()`. See README.md beside this file.
"""

import argparse
import base64
import calendar
import copy
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emulator_apply as apply_logic  # noqa: E402
import emulator_credentials as credentials_module  # noqa: E402
import emulator_kinds  # noqa: E402
from emulator_resources import OPTIONAL_GROUPS, Catalog  # noqa: E402
from emulator_state import (AccessRules, ApiError, Faults, Stats, Store, field_selector,  # noqa: E402
                            forbidden_message, label_selector, now_rfc3339)

SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-emulator", "gitCommit": "meshctl-emulator",
    "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "python3",
    "compiler": "cpython", "platform": "linux/amd64",
}
KNOWN_TOP_LEVEL = {"apiVersion", "kind", "metadata", "spec", "status", "data", "binaryData", "stringData", "type",
                   "immutable", "secrets", "imagePullSecrets", "automountServiceAccountToken",
                   "addressType", "endpoints", "ports"}
KNOWN_METADATA = {"name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion",
                  "generation", "creationTimestamp", "managedFields", "ownerReferences", "finalizers",
                  "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"}
MERGE_PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")
APPLY_PATCH_TYPE = "application/apply-patch+yaml"
JSON_PATCH_TYPE = "application/json-patch+json"
PROTOBUF_KUBERNETES = "application/vnd.kubernetes.protobuf"
PROTOBUF_OPENAPI = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def not_found(resource, name):
    """404 NotFound for a named object."""
    return ApiError(404, "NotFound", f'{resource.qualified} "{name}" not found',
                    {"name": name, "group": resource.group, "kind": resource.plural})


def namespace_not_found(namespace):
    """404 NotFound for a missing namespace."""
    return ApiError(404, "NotFound", f'namespaces "{namespace}" not found',
                    {"name": namespace, "kind": "namespaces"})


def path_not_found():
    """404 NotFound for a path the server does not serve."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed(method):
    """405 MethodNotAllowed."""
    return ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource"
                    f" ({method})", {})


def parse_json_body(raw, content_type):
    """The JSON document of a request body (YAML other than JSON is not understood: 415)."""
    try:
        return json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        if content_type == APPLY_PATCH_TYPE:
            raise ApiError(415, "UnsupportedMediaType", "the emulator understands apply patches encoded as JSON "
                           f"(a subset of YAML) only: {error}")
        raise ApiError(400, "BadRequest", f"the body of the request could not be decoded as JSON: {error}")


def unknown_fields(obj):
    """Top-level and metadata field names that no built-in type declares."""
    found = [f'"{key}"' for key in obj if key not in KNOWN_TOP_LEVEL]
    found += [f'"metadata.{key}"' for key in (obj.get("metadata") or {}) if key not in KNOWN_METADATA]
    return found


def spec_part(obj):
    """Everything but metadata and status: a change here bumps `metadata.generation`."""
    return apply_logic.canonical({k: v for k, v in obj.items() if k not in ("metadata", "status")})


class Emulator:
    """One emulated API server: state, credentials in `directory`, and an HTTPS listener on 127.0.0.1."""

    def __init__(self, directory, port=0, groups=(), users=("alice",), deny=(), faults=None, verbose=False):
        self.directory = os.path.abspath(directory)
        self.requested_port = port
        self.catalog = Catalog(set(groups))
        self.store = Store()
        self.store.reset()
        self.rules = AccessRules(deny)
        self.faults = Faults()
        if faults:
            self.faults.configure(faults)
        self.stats = Stats()
        self.users = list(users)
        self.verbose = verbose
        self.credentials = None
        self.server = None
        self.thread = None
        self.stopping = threading.Event()
        self.open_sockets = set()
        self.sockets_lock = threading.Lock()
        self.timers = []

    # --- life cycle ---

    def start(self):
        """Generates credentials, binds 127.0.0.1, writes the kubeconfig and serves on a thread."""
        self.credentials = credentials_module.prepare(self.directory, self.users)
        self.ssl_context = self._ssl_context()
        self.server = EmulatorHTTPServer(self, self.requested_port)
        credentials_module.write_kubeconfig(self.credentials, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="kube-emulator", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Stops serving, closes open connections and ends watches."""
        self.stopping.set()
        for timer in self.timers:
            timer.cancel()
        with self.store.changed:
            self.store.changed.notify_all()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        with self.sockets_lock:
            for sock in list(self.open_sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        """The port the server listens on."""
        return self.server.server_address[1]

    @property
    def kubeconfig(self):
        """The path of the generated kubeconfig."""
        return self.credentials.path("kubeconfig")

    def _ssl_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.credentials.path("server.crt"), self.credentials.path("server.key"))
        context.load_verify_locations(self.credentials.path("ca.crt"))
        context.verify_mode = ssl.CERT_OPTIONAL
        context.set_alpn_protocols(["http/1.1"])
        return context

    def schedule_namespace_removal(self, name, delay=0.3):
        """Finishes a namespace deletion a little later, as the namespace controller would."""
        timer = threading.Timer(delay, self.store.finalize_namespace, args=(name,))
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    # --- switches ---

    def set_groups(self, enabled):
        """Serves exactly the named optional groups (`istio`, `gateway`, `linkerd`)."""
        unknown = set(enabled) - set(OPTIONAL_GROUPS)
        if unknown:
            raise ApiError(400, "BadRequest", f"unknown groups {sorted(unknown)}; known: {sorted(OPTIONAL_GROUPS)}")
        self.catalog.enabled_groups = set(enabled)


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 whose connections are wrapped in TLS on their own thread."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a client that opens more connections at
    # once, and each dropped SYN costs the client a 1 s retransmission (an API server listens with
    # the kernel's maximum).
    request_queue_size = 128

    def __init__(self, emulator, port):
        self.emulator = emulator
        super().__init__(("127.0.0.1", port), RequestHandler)

    def finish_request(self, request, client_address):
        """Performs the TLS handshake, then serves the connection's requests."""
        emulator = self.emulator
        number = emulator.stats.connection()
        request.settimeout(30)
        # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm and delayed
        # ACKs hold every answer for ~40 ms.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = emulator.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with emulator.sockets_lock:
            emulator.open_sockets.add(tls)
        try:
            handler = RequestHandler.__new__(RequestHandler)
            handler.connection_number = number
            handler.__init__(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with emulator.sockets_lock:
                emulator.open_sockets.discard(tls)
            try:
                tls.close()
            except OSError:
                pass


class RequestHandler(BaseHTTPRequestHandler):
    """Answers one HTTP/1.1 connection: admin endpoints, discovery, OpenAPI and resources."""

    protocol_version = "HTTP/1.1"
    server_version = "kube-emulator"
    connection_number = 0

    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        if self.server.emulator.verbose:
            sys.stderr.write("kube-emulator: " + (format % args) + "\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = lambda self: self.dispatch()  # noqa: E731

    # --- plumbing ---

    @property
    def emulator(self):
        """The Emulator this connection belongs to."""
        return self.server.emulator

    def dispatch(self):
        """Parses the request, applies faults and authentication, routes it and records it."""
        url = urlsplit(self.path)
        self.url_path = url.path.rstrip("/") or "/"
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.user = None
        self.status_sent = 0
        self.recorded = False
        self.extra_headers = {}
        self.pad_list_to = 0
        self.discard_answer = False
        self.body = self.read_body()
        admin = self.url_path.startswith("/_emulator")
        try:
            if not admin and self.inject_fault():
                return
            self.user = self.authenticate()
            if admin:
                self.route_admin()
            else:
                self.interleave()
                self.route()
        except ApiError as error:
            self.send_json(error.code, error.status(), error.headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        finally:
            if not admin:
                self.record(self.status_sent)

    def record(self, status):
        """Counts this request in the statistics once, before its answer leaves (so clients see it counted)."""
        if self.recorded or self.url_path.startswith("/_emulator"):
            return
        self.recorded = True
        self.emulator.stats.request(self.command, self.path, status, self.connection_number, self.user)

    def read_body(self):
        """The request body, sent with Content-Length or chunked."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def inject_fault(self):
        """Sleeps the configured latency and applies the next counted fault; True when it answered."""
        delay = self.emulator.faults.latency()
        if delay:
            time.sleep(delay)
        fault = self.emulator.faults.next_fault(self.command, self.url_path)
        if fault is None:
            return False
        if fault[0] == "drop":
            self.record(0)
            self.hang_up()
            return True
        if fault[0] != "status":
            return self.answer_fault(fault[0], fault[1])
        code, headers = fault[1], fault[2]
        reasons = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "Invalid",
                   429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}
        message = "the server has received too many requests and has asked us to try again later" \
            if code == 429 else f"injected fault: HTTP {code}"
        details = {"retryAfterSeconds": int(headers["Retry-After"])} if "Retry-After" in headers else {}
        if code == 409 and self.command == "PATCH" and "apply-patch" in self.content_type():
            # What kube-apiserver answers a server-side apply whose fields another manager owns.
            message = 'Apply failed with 1 conflict: conflict with "rival" using v1: .spec.injected'
            details = {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "rival" using v1',
                                   "field": ".spec.injected"}]}
        error = ApiError(code, reasons.get(code, "InternalError"), message, details, headers)
        self.send_json(code, error.status(), headers)
        return True

    def hang_up(self):
        """Closes the connection without (more of) an answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def answer_fault(self, kind, fault):
        """Applies one of `ANSWER_FAULTS`; True when it answered (the request is not routed)."""
        if kind == "html":
            page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>...</form></body></html>\n"
            self.send_bytes(200, page, "text/html; charset=utf-8")
            return True
        if kind == "malformed":
            self.send_bytes(200, b'{"kind": "List", "apiVersion": "v1", "items": [{"metadata": {"name": ', "application/json")
            return True
        if kind == "bigBody":
            self.send_padded_object(int(fault.get("bytes", 100 << 20)))
            return True
        if kind == "bigList":
            self.pad_list_to = int(fault.get("bytes", 50 << 20))
        elif kind == "dropAfter":
            self.discard_answer = True
        elif kind == "hang":
            # Counted as received, then nothing: the request is not served (a client that gave up
            # must not see it take effect later) and the connection closes.
            self.record(0)
            time.sleep(float(fault.get("seconds", 5)))
            self.hang_up()
            return True
        return False

    def send_padded_object(self, size):
        """A valid JSON object of `size` bytes, written in 1 MiB pieces (never held whole)."""
        head, tail = b'{"kind": "List", "apiVersion": "v1", "items": [], "padding": "', b'"}'
        self.status_sent = 200
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(head)
        left = size - len(head) - len(tail)
        piece = b"x" * (1 << 20)
        try:
            while left > 0:
                self.wfile.write(piece[:min(left, len(piece))])
                left -= min(left, len(piece))
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def padded_list_bytes(self, body):
        """`body` (a list answer) as JSON with filler items of its kind added up to `pad_list_to`
        bytes, built as text (a 50 MB list in well under a second)."""
        kind = (body.get("kind") or "List")[:-4] or "ConfigMap"
        head = json.dumps({"apiVersion": body.get("apiVersion", "v1"), "kind": kind})[:-1]
        note = "x" * 1900
        template = head + ', "metadata": {"name": "filler-%d", "namespace": "filler", "annotations": {"filler": "' \
            + note + '"}}}'
        count = max(0, self.pad_list_to // (len(template) + 8))
        marker = "__meshctl_filler__"
        text = json.dumps({**body, "items": list(body["items"]) + [marker]})
        filler = ", ".join(template % number for number in range(count))
        return text.replace(json.dumps(marker), filler, 1).encode()

    def interleave(self):
        """Makes the configured `interleave` write to the object this request names, if one is due.

        It is what another client writing between this client's read and its write looks like: the
        object changes (a new resourceVersion, the fields owned by the fault's `fieldManager`).
        """
        fault = self.emulator.faults.next_interleave(self.command, self.url_path)
        if fault is None:
            return
        segments = self.url_path.strip("/").split("/")
        group, version, rest = ("", segments[1], segments[2:]) if segments[0] == "api" and len(segments) > 1 \
            else (segments[1], segments[2], segments[3:]) if len(segments) > 2 else (None, None, [])
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        resource = self.emulator.catalog.find(group, version, rest[0]) if len(rest) >= 2 else None
        if resource is None:
            return
        store = self.emulator.store
        with store.changed:
            key = (resource.group, resource.plural, namespace, rest[1])
            old = store.get(key)
            if old is None:
                return
            new = apply_logic.merge_patch(old, fault.get("patch") or {})
            new["metadata"] = dict(new.get("metadata") or {}, **{k: old["metadata"][k] for k in (
                "name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in old["metadata"]})
            new = apply_logic.record_update(old, new, fault.get("fieldManager") or "emulator-interleave",
                                            now_rfc3339())
            if spec_part(old) != spec_part(new):
                new["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
            store.put(key, new, "MODIFIED")

    def authenticate(self):
        """The user name from the bearer token, basic auth (a user's name and token as its password,
        as the API server's old basic-auth file paired them) or the verified client certificate
        (401 otherwise)."""
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = self.emulator.credentials.tokens.get(header[len("Bearer "):].strip())
            if user:
                return user
        elif header.startswith("Basic "):
            try:
                name, _, password = base64.b64decode(header[len("Basic "):].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                name, password = "", ""
            if name and self.emulator.credentials.tokens.get(password) == name:
                return name
        elif not header:
            certificate = self.connection.getpeercert()
            if certificate:
                for rdn in certificate.get("subject", ()):
                    for key, value in rdn:
                        if key == "commonName":
                            return value
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def send_json(self, code, body, headers=None):
        """Writes a JSON answer with Content-Length (keeping the connection alive)."""
        if self.pad_list_to and 200 <= code < 300 and isinstance(body, dict) and isinstance(body.get("items"), list):
            return self.send_bytes(code, self.padded_list_bytes(body), "application/json", headers)
        self.send_bytes(code, json.dumps(body).encode(), "application/json", headers)

    def send_bytes(self, code, data, content_type, headers=None):
        """Writes an answer with Content-Length (or, after a `dropAfter` fault, closes instead)."""
        if self.discard_answer:
            self.record(0)
            self.hang_up()
            return
        self.status_sent = code
        self.record(code)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in {**self.extra_headers, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def json_body(self):
        """The request body as JSON."""
        return parse_json_body(self.body, self.content_type())

    def content_type(self):
        """The media type of the request body, without parameters."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    # --- admin ---

    def route_admin(self):
        """`/_emulator/{stats,faults,groups,rbac,reset}`: only the admin token may use them."""
        if self.user != credentials_module.ADMIN_USER:
            raise ApiError(403, "Forbidden", f'User "{self.user}" cannot use the emulator admin endpoints')
        name, method, emulator = self.url_path[len("/_emulator/"):], self.command, self.emulator
        if name == "stats" and method == "GET":
            return self.send_json(200, emulator.stats.snapshot())
        if name == "stats" and method == "DELETE":
            with emulator.stats.lock:
                emulator.stats.reset()
            return self.send_json(200, emulator.stats.snapshot())
        if name == "faults":
            if method in ("POST", "PUT"):
                emulator.faults.configure(self.json_body(), replace=(method == "PUT"))
            elif method == "DELETE":
                emulator.faults.configure({}, replace=True)
            return self.send_json(200, emulator.faults.snapshot())
        if name == "groups":
            if method == "POST":
                emulator.set_groups(self.json_body().get("enabled", []))
            return self.send_json(200, {"enabled": sorted(emulator.catalog.enabled_groups),
                                        "available": sorted(OPTIONAL_GROUPS)})
        if name == "rbac":
            if method == "POST":
                emulator.rules.replace(self.json_body().get("deny", []))
            elif method == "DELETE":
                emulator.rules.replace([])
            return self.send_json(200, {"deny": emulator.rules.deny})
        if name == "reset" and method == "POST":
            emulator.store.reset()
            emulator.faults.configure({}, replace=True)
            emulator.rules.replace([])
            with emulator.stats.lock:
                emulator.stats.reset()
            return self.send_json(200, {"reset": True})
        raise path_not_found()

    # --- routing ---

    def route(self):
        """Discovery, OpenAPI, version, health, then resources."""
        path, catalog = self.url_path, self.emulator.catalog
        if path in ("/healthz", "/livez", "/readyz"):
            return self.send_bytes(200, b"ok", "text/plain")
        if path == "/version":
            return self.send_json(200, SERVER_VERSION)
        if path == "/api":
            return self.send_json(200, catalog.api_versions(f"127.0.0.1:{self.emulator.port}"))
        if path == "/apis":
            return self.send_json(200, catalog.api_group_list())
        if path.startswith("/openapi/"):
            return self.route_openapi(path)
        segments = path.strip("/").split("/")
        if segments[0] == "api" and len(segments) >= 2:
            return self.route_group("", segments[1], segments[2:])
        if segments[0] == "apis" and len(segments) == 2:
            group = catalog.api_group(segments[1])
            if group is None:
                raise path_not_found()
            return self.send_json(200, group)
        if segments[0] == "apis" and len(segments) >= 3:
            return self.route_group(segments[1], segments[2], segments[3:])
        raise path_not_found()

    def route_openapi(self, path):
        """`/openapi/v2` (an empty document) and `/openapi/v3` (PATCH operations only)."""
        catalog = self.emulator.catalog
        if path == "/openapi/v2":
            if PROTOBUF_OPENAPI in (self.headers.get("Accept") or ""):
                # Clients ask with "spec.v2@v1.0"; the answer's type must parse as a MIME type, and
                # Go's parser refuses the "@", so it is spelled with a dot, as the API server does.
                return self.send_bytes(200, b"", PROTOBUF_OPENAPI.replace("@", "."))
            return self.send_json(200, {"swagger": "2.0", "info": {"title": "Kubernetes emulator",
                                                                    "version": "v1.32.0"}, "paths": {}})
        if path == "/openapi/v3":
            return self.send_json(200, catalog.openapi_v3_index())
        parts = path[len("/openapi/v3/"):].split("/")
        group, version = ("", parts[1]) if parts[0] == "api" and len(parts) == 2 else \
            (parts[1], parts[2]) if parts[0] == "apis" and len(parts) == 3 else (None, None)
        document = catalog.openapi_v3_document(group, version) if version else None
        if document is None:
            raise path_not_found()
        return self.send_json(200, document)

    def route_group(self, group, version, rest):
        """Discovery of one group version, or a resource request below it."""
        catalog = self.emulator.catalog
        if not rest:
            listing = catalog.resource_list(group, version)
            if listing is None:
                raise path_not_found()
            return self.send_json(200, listing)
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        plural, name = rest[0], (rest[1] if len(rest) > 1 else "")
        subresource = rest[2] if len(rest) == 3 else ""
        resource = catalog.find(group, version, plural)
        if resource is None or (namespace and not resource.namespaced) or len(rest) > 3:
            raise path_not_found()
        if subresource and (subresource != "status" or not resource.status_subresource):
            raise path_not_found()  # the only subresource emulated is /status
        if resource.plural == "selfsubjectaccessreviews":
            return self.self_subject_access_review()
        return ResourceRequest(self, resource, namespace, name, subresource).serve()

    def self_subject_access_review(self):
        """Answers a SelfSubjectAccessReview from the deny rules."""
        if self.command != "POST":
            raise method_not_allowed(self.command)
        if self.content_type() == PROTOBUF_KUBERNETES:
            review = access_review_from_protobuf(self.body)
        else:
            review = self.json_body() or {}
        attributes = (review.get("spec") or {}).get("resourceAttributes") or {}
        denied = self.emulator.rules.denies(self.user, attributes.get("verb", ""), attributes.get("group", ""),
                                            attributes.get("resource", ""), attributes.get("namespace", ""),
                                            attributes.get("name", ""))
        status = {"allowed": not denied}
        if denied:
            status.update(denied=True, reason="denied by an emulator rule")
        answer = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                  "metadata": {"creationTimestamp": None}, "spec": review.get("spec", {}), "status": status}
        return self.send_json(201, answer)


class ResourceRequest:
    """One request on a resource collection or object: verbs, access rules, validation, storage."""

    def __init__(self, handler, resource, namespace, name, subresource=""):
        self.handler = handler
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        self.query = handler.query
        self.store = handler.emulator.store
        self.dry_run = handler.query.get("dryRun") == "All"

    def key(self, name=None, namespace=None):
        """The store key of an object of this resource."""
        return (self.resource.group, self.resource.plural, namespace if namespace is not None else self.namespace,
                name if name is not None else self.name)

    def verb(self):
        """The authorization verb of the request."""
        method = self.handler.command
        if method == "GET":
            if self.name:
                return "get"
            return "watch" if self.query.get("watch") in ("true", "1") else "list"
        if method == "DELETE":
            return "delete" if self.name else "deletecollection"
        return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())

    def serve(self):
        """Checks the access rules and runs the verb."""
        verb = self.verb()
        user = self.handler.user
        plural = f"{self.resource.plural}/{self.subresource}" if self.subresource else self.resource.plural
        if self.handler.emulator.rules.denies(user, verb, self.resource.group, plural, self.namespace, self.name):
            raise ApiError(403, "Forbidden", forbidden_message(user, verb, self.resource, self.namespace, self.name,
                                                               self.subresource),
                           {"name": self.name, "group": self.resource.group, "kind": self.resource.plural})
        if self.resource.namespaced and not self.namespace and verb not in ("list", "watch"):
            raise path_not_found()
        if self.subresource:
            method = {"get": self.get, "update": self.update_status, "patch": self.patch_status}.get(verb)
            if method is None:
                raise method_not_allowed(self.handler.command)
            return method()
        method = {"get": self.get, "list": self.list, "watch": self.watch, "create": self.create,
                  "update": self.update, "patch": self.patch, "delete": self.delete,
                  "deletecollection": self.delete_collection}.get(verb)
        if method is None or (verb == "create" and self.name) or (verb in ("update", "patch") and not self.name):
            raise method_not_allowed(self.handler.command)
        return method()

    # --- reads ---

    def get(self):
        """GET one object."""
        obj = self.store.get(self.key())
        if obj is None:
            raise not_found(self.resource, self.name)
        return self.respond(200, obj)

    def selected(self, objects):
        """The objects that pass the label and field selectors of the query."""
        labels = label_selector(self.query.get("labelSelector"))
        fields = field_selector(self.query.get("fieldSelector"))
        return [obj for obj in objects if labels(obj) and fields(obj)]

    def list(self):
        """GET a collection (optionally filtered)."""
        objects, revision = self.store.list(self.resource.group, self.resource.plural, self.namespace)
        listing = {"kind": f"{self.resource.kind}List", "apiVersion": self.resource.group_version,
                   "metadata": {"resourceVersion": revision}, "items": self.selected(objects)}
        return self.respond(200, listing)

    def respond(self, code, body):
        """Writes an object or list, as a `Table` when the client asked for one."""
        if "as=Table" in (self.handler.headers.get("Accept") or ""):
            body = as_table(body)
        return self.handler.send_json(code, body)

    def watch(self):
        """Streams watch events as newline-delimited JSON (chunked) until timeout or shutdown."""
        handler = self.handler
        since = self.query.get("resourceVersion") or "0"
        timeout = float(self.query.get("timeoutSeconds") or 1800)
        handler.status_sent = 200
        handler.record(200)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        pending = []
        if since == "0":
            objects, revision = self.store.list(self.resource.group, self.resource.plural, self.namespace)
            pending = [("ADDED", obj) for obj in self.selected(objects)]
            since = revision
        revision, deadline = int(since), time.monotonic() + timeout
        stopping = handler.emulator.stopping
        while not stopping.is_set() and time.monotonic() < deadline:
            for event_type, obj in pending:
                data = json.dumps({"type": event_type, "object": obj}).encode() + b"\n"
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()
            with self.store.changed:
                events = self.store.events_after(revision, self.resource.group, self.resource.plural,
                                                 self.namespace)
                if not events:
                    self.store.changed.wait(0.2)
                    events = self.store.events_after(revision, self.resource.group, self.resource.plural,
                                                     self.namespace)
            if events:
                revision = events[-1][0]
            pending = [(kind, obj) for _, kind, obj in events if self.selected([obj])]
        handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True

    # --- writes ---

    def manager(self):
        """The field manager: the `fieldManager` parameter, else the user agent's program name."""
        agent = (self.handler.headers.get("User-Agent") or "unknown").split("/")[0]
        return self.query.get("fieldManager") or agent

    def check_fields(self, obj):
        """`fieldValidation`: Strict rejects unknown fields, Warn (the default) reports them."""
        mode = self.query.get("fieldValidation", "Warn")
        unknown = unknown_fields(obj)
        if not unknown or mode == "Ignore":
            return
        if mode == "Strict":
            details = ", ".join(f"unknown field {name}" for name in unknown)
            raise ApiError(400, "BadRequest", f"strict decoding error: {details}")
        escaped = (name.replace('"', '\\"') for name in unknown)
        self.handler.extra_headers["Warning"] = ", ".join(f'299 - "unknown field {name}"' for name in escaped)

    def check_identity(self, obj, require_name=True):
        """Kind, apiVersion, name and namespace of a request body (400, 422)."""
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
        expected = self.resource.group_version
        if obj.get("apiVersion") != expected or obj.get("kind") != self.resource.kind:
            raise ApiError(400, "BadRequest", f"the API version in the data ({obj.get('apiVersion')}) and kind "
                           f"({obj.get('kind')}) do not match the expected {expected} {self.resource.kind}")
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise ApiError(400, "BadRequest", "metadata must be an object")
        if not metadata.get("name") and metadata.get("generateName") and not self.name:
            metadata["name"] = metadata["generateName"] + secrets.token_hex(3)[:5]
        name = metadata.get("name", "")
        if require_name and not name:
            raise self.invalid("", "metadata.name", "FieldValueRequired",
                               "Required value: name or generateName is required")
        if self.name and name and name != self.name:
            raise ApiError(400, "BadRequest", "the name of the object "
                           f"({name}) does not match the name on the URL ({self.name})")
        if self.resource.namespaced:
            if metadata.get("namespace", self.namespace) != self.namespace:
                raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the "
                               "namespace sent on the request")
            metadata["namespace"] = self.namespace
        return name

    def invalid(self, name, field, reason, message):
        """422 Invalid with one cause."""
        group = f".{self.resource.group}" if self.resource.group else ""
        return ApiError(422, "Invalid", f'{self.resource.kind}{group} "{name}" is invalid: {field}: {message}',
                        {"name": name, "group": self.resource.group, "kind": self.resource.kind,
                         "causes": [{"reason": reason, "message": message, "field": field}]})

    def require_namespace(self, name=""):
        """404 when the request's namespace does not exist, 403 when it is being deleted."""
        name = name or self.name
        if self.resource.namespaced and not self.store.namespace_exists(self.namespace):
            raise namespace_not_found(self.namespace)
        if self.resource.namespaced and self.store.namespace_terminating(self.namespace):
            raise ApiError(403, "Forbidden", f'{self.resource.qualified} "{name}" is forbidden: unable to '
                           f"create new content in namespace {self.namespace} because it is being terminated",
                           {"name": name, "group": self.resource.group, "kind": self.resource.plural,
                            "causes": [{"reason": "NamespaceTerminating", "field": "metadata.namespace",
                                        "message": f"namespace {self.namespace} is being terminated"}]})

    def new_object(self, obj):
        """`obj` with the metadata the server sets on creation."""
        metadata = obj["metadata"]
        metadata.update(uid=str(uuid.uuid4()), creationTimestamp=now_rfc3339(), generation=1)
        for key in ("resourceVersion", "managedFields", "deletionTimestamp"):
            metadata.pop(key, None)
        return obj

    def commit(self, old, new, code):
        """Checks the kind's rules, stores `new` (unless dry-run or unchanged) and answers with it."""
        emulator_kinds.check_object(self.resource, new)
        if old is not None:
            if apply_logic.canonical(old) == apply_logic.canonical(new):
                return self.respond(200, old)
            if spec_part(old) != spec_part(new):
                new["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
        if self.dry_run:
            return self.respond(code, new)
        key = self.key(new["metadata"]["name"])
        stored = self.store.put(key, new, "ADDED" if old is None else "MODIFIED")
        return self.respond(code, stored)

    def create(self):
        """POST: creates an object (409 AlreadyExists when present)."""
        obj = self.handler.json_body()
        name = self.check_identity(obj)
        self.check_fields(obj)
        self.require_namespace(name)
        with self.store.changed:
            if self.store.get(self.key(name)) is not None:
                raise ApiError(409, "AlreadyExists", f'{self.resource.qualified} "{name}" already exists',
                               {"name": name, "group": self.resource.group, "kind": self.resource.plural})
            obj = apply_logic.record_update(None, self.new_object(obj), self.manager(), now_rfc3339())
            return self.commit(None, obj, 201)

    def update(self):
        """PUT: replaces an object; a stale `resourceVersion` is a 409 Conflict."""
        obj = self.handler.json_body()
        self.check_identity(obj)
        self.check_fields(obj)
        with self.store.changed:
            old = self.store.get(self.key())
            if old is None:
                raise not_found(self.resource, self.name)
            self.check_precondition(old, obj)
            return self.commit(old, self.keep_status(old, self.updated(old, obj)), 200)

    def check_precondition(self, old, sent):
        """409 Conflict when `sent` (a body, or the object a patch produced) names another resourceVersion.

        Every write that carries `metadata.resourceVersion` is conditional on it, as on the API server:
        update, merge/strategic/JSON patch (the version of the patched object) and server-side apply.
        """
        version = ((sent or {}).get("metadata") or {}).get("resourceVersion") if isinstance(sent, dict) else None
        if version and str(version) != old["metadata"]["resourceVersion"]:
            raise self.modified_conflict()

    def modified_conflict(self):
        """409 Conflict for a stale resourceVersion."""
        return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {self.resource.qualified} '
                        f'"{self.name}": the object has been modified; please apply your changes to the latest '
                        'version and try again',
                        {"name": self.name, "group": self.resource.group, "kind": self.resource.plural})

    def keep_status(self, old, new):
        """`new` with the status of `old` when the kind has a /status subresource (writes to the main
        resource ignore changes to the status stanza)."""
        if not self.resource.status_subresource:
            return new
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        else:
            new.pop("status", None)
        return new

    def updated(self, old, new):
        """`new` keeping the server-set metadata of `old`, with ownership recorded for the change."""
        new = copy.deepcopy(new)
        for key in ("uid", "creationTimestamp", "generation", "resourceVersion", "managedFields"):
            if key in old["metadata"]:
                new["metadata"][key] = old["metadata"][key]
        return apply_logic.record_update(old, new, self.manager(), now_rfc3339())

    def patch(self):
        """PATCH: merge/strategic-merge/JSON patch, or server-side apply."""
        content_type = self.handler.content_type()
        if content_type == APPLY_PATCH_TYPE:
            return self.server_side_apply()
        if "force" in self.query:
            raise ApiError(400, "BadRequest", "force may only be specified with the apply patch type")
        self.check_patch_type(content_type)
        patch_body = self.handler.json_body()
        with self.store.changed:
            old = self.store.get(self.key())
            if old is None:
                raise not_found(self.resource, self.name)
            if content_type == JSON_PATCH_TYPE:
                new = json_patch(old, patch_body)
            else:
                new = apply_logic.merge_patch(old, patch_body)
            self.check_identity(new)
            self.check_fields(new)
            self.check_precondition(old, new)
            return self.commit(old, self.keep_status(old, self.updated(old, new)), 200)

    def check_patch_type(self, content_type):
        """415 for a patch type the resource does not take (custom resources take no strategic merge patch)."""
        accepted = [JSON_PATCH_TYPE, MERGE_PATCH_TYPES[0]] + ([] if self.resource.custom else [MERGE_PATCH_TYPES[1]])
        if content_type not in accepted:
            raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                           f"accepted media types include: {', '.join(accepted + [APPLY_PATCH_TYPE])}")

    def server_side_apply(self):
        """Server-side apply with field managers, conflicts and `force`."""
        manager = self.query.get("fieldManager")
        if not manager:
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                           "is required for apply patch",
                           {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                               {"reason": "FieldValueRequired", "message": "Required value: is required for apply "
                                "patch", "field": "fieldManager"}]})
        applied = self.handler.json_body()
        self.check_identity(applied)
        self.check_fields(applied)
        force = self.query.get("force") in ("true", "1")
        with self.store.changed:
            old = self.store.get(self.key())
            if old is None:
                self.require_namespace()
            else:
                self.check_precondition(old, applied)
            try:
                new = apply_logic.server_side_apply(old, applied, manager, force, now_rfc3339())
            except apply_logic.ApplyConflict as conflict:
                raise ApiError(409, "Conflict", str(conflict),
                               {"causes": apply_logic.conflict_causes(conflict.conflicts)})
            if old is None:
                managed = new["metadata"].get("managedFields")
                new = self.new_object(new)
                new["metadata"]["managedFields"] = managed
                return self.commit(None, new, 201)
            return self.commit(old, self.keep_status(old, new), 200)

    # --- the /status subresource ---

    def with_status_of(self, old, source):
        """`old` with the status of `source`: writes to /status ignore changes to anything else."""
        new = copy.deepcopy(old)
        if isinstance(source, dict) and "status" in source:
            new["status"] = copy.deepcopy(source["status"])
        else:
            new.pop("status", None)
        return new

    def update_status(self):
        """PUT .../status: replaces the status only; a stale `resourceVersion` is a 409 Conflict."""
        obj = self.handler.json_body()
        self.check_identity(obj)
        with self.store.changed:
            old = self.store.get(self.key())
            if old is None:
                raise not_found(self.resource, self.name)
            self.check_precondition(old, obj)
            return self.commit(old, self.with_status_of(old, obj), 200)

    def patch_status(self):
        """PATCH .../status (merge, strategic merge, JSON patch or apply): changes the status only.

        An apply merges the applied status into the live one (no field ownership is kept for status).
        """
        content_type = self.handler.content_type()
        if content_type != APPLY_PATCH_TYPE:
            self.check_patch_type(content_type)
        if content_type == APPLY_PATCH_TYPE and not self.query.get("fieldManager"):
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                           "is required for apply patch")
        body = self.handler.json_body()
        with self.store.changed:
            old = self.store.get(self.key())
            if old is None:
                raise not_found(self.resource, self.name)
            if content_type == JSON_PATCH_TYPE:
                patched = json_patch(old, body)
            elif content_type == APPLY_PATCH_TYPE:
                self.check_identity(body)
                patched = apply_logic.deep_merge(old, {"metadata": body.get("metadata") or {},
                                                       "status": body.get("status") or {}})
            else:
                patched = apply_logic.merge_patch(old, body)
            self.check_identity(patched)
            self.check_precondition(old, patched)
            return self.commit(old, self.with_status_of(old, patched), 200)

    def delete(self):
        """DELETE one object (a namespace takes its objects with it); answers a Success Status."""
        with self.store.changed:
            obj = self.store.get(self.key())
            if obj is None:
                raise not_found(self.resource, self.name)
            if not self.dry_run:
                self.store.delete(self.key())
                if self.resource.plural == "namespaces":
                    self.handler.emulator.schedule_namespace_removal(self.name)
        return self.handler.send_json(200, {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": self.name, "group": self.resource.group, "kind": self.resource.plural,
                        "uid": obj["metadata"].get("uid")}})

    def delete_collection(self):
        """DELETE a collection (filtered by selectors); answers the list of deleted objects."""
        objects, revision = self.store.list(self.resource.group, self.resource.plural, self.namespace)
        chosen = self.selected(objects)
        if not self.dry_run:
            for obj in chosen:
                self.store.delete(self.key(obj["metadata"]["name"], obj["metadata"].get("namespace", "")))
        return self.handler.send_json(200, {"kind": f"{self.resource.kind}List", "apiVersion":
                                            self.resource.group_version, "metadata": {"resourceVersion": revision},
                                            "items": chosen})


def protobuf_fields(data):
    """The length-delimited and varint fields of one protobuf message: field number -> list of values."""
    fields, position = {}, 0

    def varint():
        nonlocal position
        value, shift = 0, 0
        while True:
            byte = data[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while position < len(data):
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value = varint()
        elif wire == 2:
            length = varint()
            value, position = data[position:position + length], position + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, position = data[position:position + size], position + size
        else:
            raise ApiError(400, "BadRequest", "unsupported protobuf wire type")
        fields.setdefault(number, []).append(value)
    return fields


def access_review_from_protobuf(body):
    """The `spec.resourceAttributes` of a protobuf SelfSubjectAccessReview (kubectl auth can-i sends one).

    Layout: the `k8s\\0` magic, runtime.Unknown{raw=2} holding SelfSubjectAccessReview{spec=2}, whose
    spec holds ResourceAttributes{resourceAttributes=1} with namespace=1, verb=2, group=3, version=4,
    resource=5, subresource=6, name=7.
    """
    if not body.startswith(b"k8s\x00"):
        raise ApiError(400, "BadRequest", "protobuf body without the k8s magic prefix")
    try:
        raw = protobuf_fields(body[4:])[2][0]
        spec = protobuf_fields(raw).get(2, [b""])[0]
        attributes = protobuf_fields(spec).get(1, [b""])[0]
        fields = protobuf_fields(attributes)
    except (IndexError, KeyError) as error:
        raise ApiError(400, "BadRequest", f"malformed protobuf SelfSubjectAccessReview: {error}")
    names = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
    resource_attributes = {names[n]: v[0].decode() for n, v in fields.items() if n in names and v[0]}
    return {"spec": {"resourceAttributes": resource_attributes}}


def json_patch(target, operations):
    """RFC 6902 JSON patch with the `add`, `replace`, `remove` and `test` operations."""
    result = copy.deepcopy(target)
    if not isinstance(operations, list):
        raise ApiError(400, "BadRequest", "a JSON patch must be a list of operations")
    for operation in operations:
        keys = [k.replace("~1", "/").replace("~0", "~") for k in operation.get("path", "").split("/")[1:]]
        parent = result
        for key in keys[:-1]:
            parent = parent[int(key)] if isinstance(parent, list) else parent.setdefault(key, {})
        last, op = keys[-1], operation.get("op")
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op == "add":
                parent.insert(index, operation.get("value"))
            elif op == "replace":
                parent[index] = operation.get("value")
            elif op == "remove":
                del parent[index]
        elif op in ("add", "replace"):
            parent[last] = operation.get("value")
        elif op == "remove":
            parent.pop(last, None)
        elif op == "test" and parent.get(last) != operation.get("value"):
            raise ApiError(422, "Invalid", f"the test operation on {operation.get('path')} failed")
    return result


def _age(timestamp):
    try:
        seconds = max(0, int(time.time() - calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))))
    except (TypeError, ValueError):
        return "<unknown>"
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def as_table(body):
    """A `meta.k8s.io/v1` Table (NAME, AGE) for an object or a list."""
    items = body.get("items") if "items" in body else [body]
    rows = [{"cells": [obj["metadata"]["name"], _age(obj["metadata"].get("creationTimestamp"))],
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}}
            for obj in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": body.get("metadata", {}).get("resourceVersion", "")},
            "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "description": "Name",
                                   "priority": 0},
                                  {"name": "Age", "type": "string", "format": "", "description": "Age",
                                   "priority": 0}],
            "rows": rows}


# --- command line --------------------------------------------------------------------------


def parse_arguments(argv):
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, help="directory for certificates, token and kubeconfig")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--groups", default="", help="optional API groups: istio,gateway,linkerd")
    parser.add_argument("--users", default="alice", help="extra token users, each with a context")
    parser.add_argument("--deny", action="append", default=[],
                        help="deny rule USER:VERB:RESOURCE[:GROUP[:NAMESPACE]] ('*' matches any)")
    parser.add_argument("--latency-ms", type=float, default=0, help="latency added to every request")
    parser.add_argument("--faults", default="", help="fault configuration as JSON (see README)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def deny_rule(text):
    """A deny rule from `USER:VERB:RESOURCE[:GROUP[:NAMESPACE]]`."""
    parts = text.split(":")
    if len(parts) < 3:
        raise SystemExit(f"--deny {text!r}: expected USER:VERB:RESOURCE[:GROUP[:NAMESPACE]]")
    return {k: v for k, v in zip(("user", "verb", "resource", "group", "namespace"), parts) if v != "*"}


def main(argv=None):
    """Runs the emulator until SIGTERM or SIGINT."""
    options = parse_arguments(argv)
    faults = json.loads(options.faults) if options.faults else {}
    if options.latency_ms:
        faults["latencyMs"] = options.latency_ms
    emulator = Emulator(options.dir, options.port, [g for g in options.groups.split(",") if g],
                        [u for u in options.users.split(",") if u], [deny_rule(d) for d in options.deny],
                        faults, options.verbose)
    finished = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: finished.set())
    # A parent may hand down a mask that blocks SIGTERM (swift test's Process does): unblock it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    emulator.start()
    print(f"kube-emulator ready port={emulator.port} kubeconfig={emulator.kubeconfig}", flush=True)
    while not finished.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
