"""The cluster fault matrix: every cluster command against every fault the API server or the
network can show, each cell checking the exit code, the message and how many times the request
reached the emulator (retries, and for writes whether a write was sent again). The same table is
in docs/reliability.md ("Cluster faults").

Each command has its own emulator; each cell arms one fault aimed at one request of the command
(method and path), so discovery and the other requests go through. A fault's row runs its commands
side by side, since most of the table's time is spent waiting (retries, Retry-After, timeouts).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_client import EmulatorClient  # noqa: E402
from emulator_fixtures import control_plane, create_all  # noqa: E402
from kube_emulator import Emulator  # noqa: E402
from test_emulator_kubectl import KUBECTL, MESHCTL, OPENSSL  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOP = os.path.join(REPOSITORY, "examples", "shop")
CART = os.path.join(SHOP, "cart.yaml")

READY = bool(KUBECTL and OPENSSL and os.access(MESHCTL, os.X_OK))

ISTIO_V1 = "/apis/networking.istio.io/v1/namespaces/shop"
SECURITY_V1 = "/apis/security.istio.io/v1/namespaces/shop"


class Command:
    """A cluster command, the request a fault is aimed at, and the list it reads (for the big list);
    `conditional`: its write is an apply conditional on a resourceVersion (never sent again)."""

    def __init__(self, arguments, method, path, listing=None, success=0, restores=False, conditional=False):
        self.arguments = arguments
        self.method = method
        self.path = path
        self.listing = listing
        self.success = success
        self.restores = restores
        self.conditional = conditional
        self.baseline = 1

    @property
    def idempotent(self):
        # Server-side apply PATCH, DELETE and GET may be sent again; POST and conditional applies
        # never (RetryPolicy, HTTPRequest.isIdempotent).
        return self.method != "POST" and not self.conditional


COMMANDS = {
    "apply": Command(["apply", "-f", CART], "PATCH", "/api/v1/namespaces/shop/services/cart"),
    "delete": Command(["delete", "-f", CART], "DELETE", "/api/v1/namespaces/shop/services/cart", restores=True),
    "diff": Command(["diff", "-f", CART], "PATCH", "/api/v1/namespaces/shop/services/cart"),
    "get": Command(["get", "ts", "-n", "shop"], "GET", f"{ISTIO_V1}/virtualservices",
                   listing=f"{ISTIO_V1}/virtualservices"),
    "check": Command(["check"], "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
    "mtls status": Command(["mtls", "status", "-n", "shop"], "GET", "/api/v1/namespaces/shop/pods",
                           listing="/api/v1/namespaces/shop/pods"),
    "mtls enable": Command(["mtls", "enable", "--mode", "PERMISSIVE", "-n", "shop"], "PATCH",
                           f"{SECURITY_V1}/peerauthentications/default"),
    # shift's route write is an apply conditional on the resourceVersion it read: not sent again.
    "shift": Command(["shift", "cart", "--to", "v2", "--weight", "20", "-n", "shop", "--allow-empty"], "PATCH",
                     f"{ISTIO_V1}/virtualservices/cart", conditional=True),
}

# What each fault comes to: (exit code or "ok" for the command's own success code, text in stderr,
# attempts that reach the emulator: an int, or "retried"/"once" that depend on the request's
# idempotency). Messages are lowercase fragments of meshctl's own wording.
RETRIED = "retried"


def expected(command, fault):
    """The documented outcome of `fault` on `command`: (exit, message fragment, attempts)."""
    post = not command.idempotent
    name = command_name(command)
    # The server's message as meshctl says it: after kubectl's "Error from server (Reason)" for
    # delete, as it is (on the check line, for check) otherwise.
    said = "error from server" if command.method == "DELETE" else "injected fault"
    if fault == "404":
        # A 404 for a list is a missing resource type; for a named object it is NotFound.
        return {"apply": (3, "(notfound)", 1), "delete": (1, "not found", 1), "diff": (3, "(notfound)", 1),
                "get": (3, "is not installed", 1), "check": (3, "is not installed", 1),
                "mtls status": (3, "the server has no pods", 1), "mtls enable": (3, "(notfound)", 1),
                "shift": (4, "changed since the shift read it", 1)}[name]
    if fault == "reset after answer" and name == "delete":
        # The lost attempt deleted it; the DELETE sent again is told NotFound: exit 1, as for
        # any named object that does not exist (--ignore-not-found accepts it).
        return (1, "not found", 2)
    return {
        "401": (3, "unauthorized", 1),
        "403": (3, "forbidden", 1),
        "409": (4, "conflict", 1) if command.method == "PATCH" else (3, said, 1),
        "422": (3, "(invalid)" if command.method in ("PATCH", "DELETE") and not post else "injected fault", 1),
        "429+Retry-After": ("ok", "", 2),
        "500 x1": (3, "injected fault", 1) if post else ("ok", "", 2),
        "503 x2": (3, "injected fault", 1) if post else ("ok", "", 3),
        "reset before answer": (3, "closed before a complete answer", 1) if post else ("ok", "", 2),
        "reset after answer": (3, "closed before a complete answer", 1) if post else ("ok", "", 2),
        "hang past --request-timeout": (3, "timed out", 1),
        "malformed JSON 200": (3, "is not a kubernetes json object", 1),
        "HTML 200": (3, "content-type text/html", 1),
        "50 MB valid list": ("ok", "", 1),
        "100 MB body": (3, "too large: more than 64 mib", 1),
        "wrong CA": (3, "unknown authority", 0),
        "refused connection": (3, "connection refused", 0),
    }[fault]


def command_name(command):
    return next(name for name, each in COMMANDS.items() if each is command)


def fault_config(fault, command):
    """The emulator fault configuration for a cell, or None for the connection-level faults."""
    aim = {"methods": [command.method], "pathPrefix": command.path, "count": 1}
    listing = {"methods": ["GET"], "pathPrefix": command.listing or "-", "count": 1}
    return {
        "401": {"errors": {**aim, "code": 401}},
        "403": {"errors": {**aim, "code": 403}},
        "404": {"errors": {**aim, "code": 404}},
        "409": {"errors": {**aim, "code": 409}},
        "422": {"errors": {**aim, "code": 422}},
        "429+Retry-After": {"throttle": {**aim, "retryAfter": 1}},
        "500 x1": {"errors": {**aim, "code": 500}},
        "503 x2": {"errors": {**aim, "code": 503, "count": 2}},
        "reset before answer": {"drop": aim},
        "reset after answer": {"dropAfter": aim},
        "hang past --request-timeout": {"hang": {**aim, "seconds": 4}},
        "malformed JSON 200": {"malformed": aim},
        "HTML 200": {"html": aim},
        "50 MB valid list": {"bigList": {**listing, "bytes": 50 << 20}},
        "100 MB body": {"bigBody": {**aim, "bytes": 100 << 20}},
    }.get(fault)


FAULTS = ["401", "403", "404", "409", "422", "429+Retry-After", "500 x1", "503 x2", "reset before answer",
          "reset after answer", "hang past --request-timeout", "malformed JSON 200", "HTML 200",
          "50 MB valid list", "100 MB body"]
CONNECTION_FAULTS = ["wrong CA", "refused connection"]


class Cluster:
    """One emulator with the shop example applied, for one command's column of the table."""

    def __init__(self, scratch, command):
        self.command = command
        self.emulator = Emulator(os.path.join(scratch, command_name(command).replace(" ", "-")),
                                 groups=("istio", "gateway")).start()
        self.admin = EmulatorClient(self.emulator.directory, self.emulator.port,
                                    self.emulator.credentials.admin_token)
        # A running istiod, so `check` passes without a fault (it counts the control plane's pods).
        create_all(self.admin, control_plane("istio"))
        result = meshctl(self.emulator, "apply", "-f", SHOP)
        assert result.returncode == 0, result.stderr
        # How many requests the command aims at its target without a fault (check sends nine).
        self.admin.request("DELETE", "/_emulator/stats")
        result = meshctl(self.emulator, *command.arguments)
        assert result.returncode == command.success, result.stderr
        command.baseline = attempts(self.admin, command)
        self.restore()

    def restore(self):
        if self.command.restores:
            assert meshctl(self.emulator, "apply", "-f", CART).returncode == 0

    def stop(self):
        self.admin.close()
        self.emulator.stop()


def meshctl(emulator, *arguments, extra=()):
    command = [MESHCTL, *arguments, "--kubeconfig", emulator.kubeconfig, *extra]
    environment = {key: value for key, value in os.environ.items() if key != "KUBECONFIG"}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)


def attempts(admin, command):
    """How many requests aimed at the cell's target reached the emulator (answered or not)."""
    log = admin.request("GET", "/_emulator/stats")[2]["log"]
    return sum(1 for entry in log
               if entry["method"] == command.method and entry["path"].split("?")[0].startswith(command.path))


def check(result, outcome, command, cell):
    exit_code, fragment, _ = outcome
    want = command.success if exit_code == "ok" else exit_code
    assert result.returncode == want, f"{cell}: exit {result.returncode}, stderr:\n{result.stderr}"
    said = (result.stderr + result.stdout).lower()  # check reports on standard output
    assert fragment in said, f"{cell}: no {fragment!r} in:\n{result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def run_row(started, fault):
    """One row of the table: every command under `fault`, each on its own emulator."""
    names = [name for name in COMMANDS if fault != "50 MB valid list" or COMMANDS[name].listing]
    # Every list goes through KubeAPI.list and the same decoder: get and mtls status (the big
    # lists of a big namespace) stand for the rest under the 50 MB list, keeping the table fast.
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        failures = [failure for failure in pool.map(lambda name: run_cell(started[name], fault), names) if failure]
    assert not failures, "\n\n".join(failures)


def run_cell(cluster, fault):
    """Runs one command under one fault; the failed expectation's text, or None."""
    command, admin, emulator = cluster.command, cluster.admin, cluster.emulator
    name = command_name(command)
    admin.request("DELETE", "/_emulator/stats")
    status, _, _ = admin.request("PUT", "/_emulator/faults", fault_config(fault, command))
    assert status == 200
    extra = ("--request-timeout", "1s") if fault.startswith("hang") else ()
    try:
        result = meshctl(emulator, *command.arguments, extra=extra)
    finally:
        admin.request("DELETE", "/_emulator/faults")
    outcome = expected(command, fault)
    received = attempts(admin, command)
    cluster.restore()
    if os.environ.get("FAULTS_REPORT"):
        with open(os.environ["FAULTS_REPORT"], "a") as report:
            first = ([line for line in (result.stderr + result.stdout).splitlines() if "×" in line or "rror" in line]
                     or [""])[0][:150]
            report.write(f"{name} | {fault} | {result.returncode} | {received} | {first}\n")
    try:
        check(result, outcome, command, f"{name} × {fault}")
        if fault == "50 MB valid list":
            return None  # aimed at the list, not at the counted request
        if command.idempotent or fault == "429+Retry-After":
            # 429 is sent again whatever the method: the server refused it before doing anything.
            assert received == command.baseline - 1 + outcome[2], f"{name} × {fault}: {received} attempts"
        else:
            # Never sent again; a command may stop sending its other requests after a failure.
            assert received <= command.baseline, f"{name} × {fault}: {received} attempts"
    except AssertionError as failure:
        return str(failure)
    return None


def run_connection_faults(started, scratch):
    """Wrong CA and refused connection for every command, run side by side (they wait on retries)."""
    emulator = started["get"].emulator
    other_ca = os.path.join(scratch, "other-ca.crt")
    if not os.path.exists(other_ca):
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", os.path.join(scratch, "other-ca.key"), "-out", other_ca, "-days", "1",
                        "-subj", "/CN=other"], check=True, capture_output=True)
    flags = {"wrong CA": ("--certificate-authority", other_ca), "refused connection": ("-s", "https://127.0.0.1:1")}
    cells = [(name, fault) for name in COMMANDS for fault in CONNECTION_FAULTS]
    with ThreadPoolExecutor(max_workers=len(cells)) as pool:
        results = list(pool.map(
            lambda cell: meshctl(emulator, *COMMANDS[cell[0]].arguments, extra=flags[cell[1]]), cells))
    for (name, fault), result in zip(cells, results):
        check(result, expected(COMMANDS[name], fault), COMMANDS[name], f"{name} × {fault}")


@unittest.skipUnless(READY, f"needs kubectl, openssl and {MESHCTL} (swift build --product meshctl)")
class FaultMatrix(unittest.TestCase):
    """The table: one test per fault (a row), each running every command side by side, on an
    emulator per command (so pytest and `python3 -m unittest` run the same table)."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="meshctl-faults-")
        with ThreadPoolExecutor(max_workers=len(COMMANDS)) as pool:
            cls.started = dict(zip(COMMANDS, pool.map(lambda command: Cluster(cls.scratch, command),
                                                      COMMANDS.values())))

    @classmethod
    def tearDownClass(cls):
        for cluster in cls.started.values():
            cluster.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_connection_faults(self):
        run_connection_faults(self.started, self.scratch)


def row_test(fault):
    def test(self):
        run_row(self.started, fault)
    test.__doc__ = f"every cluster command under: {fault}"
    return test


for each in FAULTS:
    setattr(FaultMatrix, "test_" + re.sub(r"[^a-z0-9]+", "_", each.lower()).strip("_"), row_test(each))
