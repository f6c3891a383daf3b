"""The emulator's mutable state: stored objects and watch events, access rules, faults, statistics."""

import copy
import re
import threading
import time


class ApiError(Exception):
    """An answer with a `Status` body: code, reason, message and optional details/headers."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        """The `Status` object for this error."""
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            body["details"] = self.details
        return body


def now_rfc3339():
    """The current time as the API server writes it: `2024-01-02T03:04:05Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --- label and field selectors ---------------------------------------------------------------

_SET_RE = re.compile(r"^\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")


def _split_requirements(selector):
    parts, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return parts


def _requirement(text):
    """One parsed requirement as a predicate over a label map."""
    for op in ("!=", "==", "="):
        if op in text and "(" not in text:
            key, value = (s.strip() for s in text.split(op, 1))
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    match = _SET_RE.match(text)
    if not match:
        raise ApiError(400, "BadRequest", f"unable to parse requirement: {text.strip()!r}")
    negated, key, operator, values = match.groups()
    if operator:
        members = {v.strip() for v in values.split(",") if v.strip()}
        if operator == "in":
            return lambda labels: labels.get(key) in members
        return lambda labels: labels.get(key) not in members
    if negated:
        return lambda labels: key not in labels
    return lambda labels: key in labels


def label_selector(selector):
    """A predicate over objects for a label selector (`a=b`, `a!=b`, `a in (x,y)`, `a`, `!a`)."""
    requirements = [_requirement(part) for part in _split_requirements(selector or "")]
    return lambda obj: all(req(obj.get("metadata", {}).get("labels") or {}) for req in requirements)


def field_selector(selector):
    """A predicate over objects for `metadata.name` / `metadata.namespace` field selectors."""
    checks = []
    for part in _split_requirements(selector or ""):
        negate = "!=" in part
        key, value = (s.strip() for s in re.split(r"!=|==|=", part, maxsplit=1))
        if key not in ("metadata.name", "metadata.namespace"):
            raise ApiError(400, "BadRequest", f'"{key}" is not a known field selector: only "metadata.name", '
                           f'"metadata.namespace"')
        field = key.split(".")[1]
        checks.append((field, value, negate))
    return lambda obj: all((obj["metadata"].get(f, "") == v) != n for f, v, n in checks)


# --- objects ---------------------------------------------------------------------------------


class Store:
    """Objects by (group, plural, namespace, name), a resourceVersion counter and a watch log."""

    def __init__(self):
        self.changed = threading.Condition()
        self.objects = {}
        self.events = []
        self.revision = 1

    def reset(self, namespaces=("default", "kube-system", "kube-public")):
        """Forgets every object and creates the given namespaces."""
        with self.changed:
            self.objects.clear()
            self.events.clear()
            for name in namespaces:
                self.revision += 1
                self.objects[("", "namespaces", "", name)] = {
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name, "uid": f"ns-{name}", "resourceVersion": str(self.revision),
                                 "creationTimestamp": now_rfc3339(), "labels": {"kubernetes.io/metadata.name": name}},
                    "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
                }

    def get(self, key):
        """A copy of the stored object, or None."""
        with self.changed:
            obj = self.objects.get(key)
            return copy.deepcopy(obj) if obj is not None else None

    def namespace_exists(self, name):
        """True when the namespace exists."""
        with self.changed:
            return ("", "namespaces", "", name) in self.objects

    def list(self, group, plural, namespace):
        """Copies of the objects of one resource (in one namespace, or all when it is empty), sorted."""
        with self.changed:
            found = [copy.deepcopy(obj) for (g, p, ns, _), obj in sorted(self.objects.items())
                     if (g, p) == (group, plural) and (not namespace or ns == namespace)]
            return found, str(self.revision)

    def put(self, key, obj, event_type):
        """Stores `obj` under a fresh resourceVersion and records a watch event; returns the copy stored."""
        with self.changed:
            self.revision += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.revision)
            self.objects[key] = obj
            self._record(key, event_type, obj)
            return copy.deepcopy(obj)

    def delete(self, key):
        """Removes the object and returns it; a namespace is only marked Terminating (see finalize_namespace)."""
        with self.changed:
            obj = self.objects.get(key)
            if obj is None:
                return None
            if key[:2] == ("", "namespaces"):
                if "deletionTimestamp" not in obj["metadata"]:
                    obj = copy.deepcopy(obj)
                    obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                    obj.setdefault("status", {})["phase"] = "Terminating"
                    return self.put(key, obj, "MODIFIED")
                return copy.deepcopy(obj)
            self._remove_recorded(key)
            return copy.deepcopy(obj)

    def namespace_terminating(self, name):
        """True when the namespace is being deleted."""
        with self.changed:
            obj = self.objects.get(("", "namespaces", "", name))
            return obj is not None and "deletionTimestamp" in obj["metadata"]

    def finalize_namespace(self, name):
        """Removes a Terminating namespace and everything in it (the namespace controller's work)."""
        with self.changed:
            for inner in [k for k in self.objects if k[2] == name]:
                self._remove_recorded(inner)
            if ("", "namespaces", "", name) in self.objects:
                self._remove_recorded(("", "namespaces", "", name))

    def _remove_recorded(self, key):
        obj = self.objects.pop(key)
        self.revision += 1
        obj["metadata"]["resourceVersion"] = str(self.revision)
        self._record(key, "DELETED", obj)

    def _record(self, key, event_type, obj):
        self.events.append((self.revision, key, event_type, copy.deepcopy(obj)))
        del self.events[:-10000]
        self.changed.notify_all()

    def events_after(self, revision, group, plural, namespace):
        """Watch events of one resource with a resourceVersion above `revision`."""
        with self.changed:
            return [(rv, kind, copy.deepcopy(obj)) for rv, key, kind, obj in self.events
                    if rv > revision and key[:2] == (group, plural) and (not namespace or key[2] == namespace)]


# --- access rules ----------------------------------------------------------------------------


class AccessRules:
    """Deny rules: each a dict of `user`, `verb`, `group`, `resource`, `namespace`, `name` (absent = any)."""

    FIELDS = ("user", "verb", "group", "resource", "namespace", "name")

    def __init__(self, deny=None):
        self.lock = threading.Lock()
        self.deny = list(deny or [])

    def replace(self, deny):
        """Replaces every rule."""
        for rule in deny:
            unknown = set(rule) - set(self.FIELDS)
            if unknown:
                raise ApiError(400, "BadRequest", f"unknown rule fields: {sorted(unknown)}")
        with self.lock:
            self.deny = list(deny)

    def denies(self, user, verb, group, resource, namespace, name):
        """True when a rule denies this request."""
        request = {"user": user, "verb": verb, "group": group, "resource": resource,
                   "namespace": namespace or "", "name": name or ""}
        with self.lock:
            return any(all(rule.get(f, "*") in ("*", request[f]) for f in self.FIELDS) for rule in self.deny)


def forbidden_message(user, verb, resource, namespace, name, subresource=""):
    """The API server's Forbidden message, e.g. `deployments.apps "web" is forbidden: User "alice" ...`."""
    target = f'{resource.qualified} "{name}"' if name else resource.qualified
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    plural = f"{resource.plural}/{subresource}" if subresource else resource.plural
    return (f'{target} is forbidden: User "{user}" cannot {verb} resource "{plural}" '
            f'in API group "{resource.group}"{scope}')


# --- faults ----------------------------------------------------------------------------------


# Faults in the answer rather than its status (see README "Fault configuration"): an HTML page or
# malformed JSON with 200, a body of `bytes` bytes, a list padded to `bytes`, the request served but
# the connection closed instead of the answer, and an answer held back `seconds`.
ANSWER_FAULTS = ("html", "malformed", "bigBody", "bigList", "dropAfter", "hang")


class Faults:
    """Injected faults: a latency for every request, and counted 429s, 5xx answers and dropped connections.

    Configured with a JSON object (every key optional):
    `{"latencyMs": 10, "throttle": {"count": 2, "retryAfter": 1}, "errors": {"count": 2, "code": 503},
      "drop": {"count": 1}, "interleave": {"count": 1, "patch": {...}, "fieldManager": "rival"}}`; each
    counted fault may also carry `"methods": ["PATCH"]` and `"pathPrefix": "/apis/apps"` to hit only
    matching requests.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.config = {}

    def configure(self, config, replace=False):
        """Merges (or, with `replace`, sets) the fault configuration."""
        if not isinstance(config, dict):
            raise ApiError(400, "BadRequest", "faults must be a JSON object")
        unknown = set(config) - {"latencyMs", "throttle", "errors", "drop", "interleave", *ANSWER_FAULTS}
        if unknown:
            raise ApiError(400, "BadRequest", f"unknown fault kinds: {sorted(unknown)}")
        with self.lock:
            if replace:
                self.config = {}
            self.config.update(copy.deepcopy(config))

    def snapshot(self):
        """The configuration and remaining counts."""
        with self.lock:
            return copy.deepcopy(self.config)

    def latency(self):
        """The added latency in seconds."""
        with self.lock:
            return float(self.config.get("latencyMs", 0)) / 1000.0

    def _take(self, kind, method, path):
        fault = self.config.get(kind)
        if not fault or fault.get("count", 0) <= 0:
            return None
        if "methods" in fault and method not in fault["methods"]:
            return None
        if not path.startswith(fault.get("pathPrefix", "")):
            return None
        fault["count"] -= 1
        return fault

    def next_fault(self, method, path):
        """The fault for this request, consuming one count: ("drop",), ("status", code, headers),
        (kind, fault) for one of `ANSWER_FAULTS`, or None."""
        with self.lock:
            if self._take("drop", method, path):
                return ("drop",)
            for kind in ANSWER_FAULTS:
                fault = self._take(kind, method, path)
                if fault:
                    return (kind, copy.deepcopy(fault))
            throttle = self._take("throttle", method, path)
            if throttle:
                return ("status", 429, {"Retry-After": str(throttle.get("retryAfter", 1))})
            error = self._take("errors", method, path)
            if error:
                return ("status", int(error.get("code", 500)), {})
            return None

    def next_interleave(self, method, path):
        """The `interleave` write to make before this request (consuming one count), or None.

        `{"count": 1, "methods": ["PUT", "PATCH"], "pathPrefix": "/apis/...", "patch": {...},
        "fieldManager": "rival"}`: just before the next matching request is served, the JSON merge
        patch `patch` is applied to the object the request names, as another writer would.
        """
        with self.lock:
            fault = self._take("interleave", method, path)
            return copy.deepcopy(fault) if fault else None


class Stats:
    """Requests served and connections accepted, with a bounded log of recent requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        """Sets every counter to zero."""
        self.requests = 0
        self.connections = 0
        self.by_status = {}
        self.log = []

    def connection(self):
        """Counts one accepted connection and returns its number."""
        with self.lock:
            self.connections += 1
            return self.connections

    def request(self, method, path, status, connection, user):
        """Counts one answered (or dropped, status 0) request."""
        with self.lock:
            self.requests += 1
            self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1
            self.log.append({"method": method, "path": path, "status": status, "connection": connection,
                             "user": user})
            del self.log[:-2000]

    def snapshot(self):
        """The counters as JSON."""
        with self.lock:
            return {"requests": self.requests, "connections": self.connections,
                    "byStatus": dict(self.by_status), "log": list(self.log)}
