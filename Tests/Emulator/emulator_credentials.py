"""Credentials for the emulator: a CA, server and client certificates (made with the openssl CLI),
bearer tokens, and a kubeconfig that uses them."""

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
CLIENT_CERT_USER = "cert-user"
ADMIN_USER = "admin"


@dataclass
class Credentials:
    """Paths of the generated files and the token of each user."""

    directory: str
    tokens: dict = field(default_factory=dict)  # token -> user name

    def path(self, name):
        """The absolute path of a generated file."""
        return os.path.join(self.directory, name)

    @property
    def admin_token(self):
        """The token of the admin user (also the one the admin endpoints accept)."""
        return next(token for token, user in self.tokens.items() if user == ADMIN_USER)

    def token_for(self, user):
        """The bearer token of `user`."""
        return next(token for token, name in self.tokens.items() if name == user)


def _openssl(*arguments, cwd):
    subprocess.run([OPENSSL, *arguments], cwd=cwd, check=True, capture_output=True)


def _ec_key(name, cwd):
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name, cwd=cwd)


def _signed_certificate(name, subject, extensions, cwd):
    """`name.key` and `name.crt` signed by the CA in `cwd`, with the given x509 v3 extensions."""
    _ec_key(f"{name}.key", cwd)
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=cwd)
    with open(os.path.join(cwd, f"{name}.ext"), "w") as handle:
        handle.write(extensions)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "3", "-sha256", "-extfile", f"{name}.ext", "-out", f"{name}.crt", cwd=cwd)
    os.remove(os.path.join(cwd, f"{name}.csr"))
    os.remove(os.path.join(cwd, f"{name}.ext"))


def generate_certificates(directory):
    """Writes ca.crt/ca.key, server.crt/server.key (SAN 127.0.0.1, localhost) and client.crt/client.key."""
    _ec_key("ca.key", directory)
    _openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=kube-emulator-ca", "-days", "3",
             "-sha256", "-out", "ca.crt", cwd=directory)
    _signed_certificate(
        "server", "/CN=kube-emulator",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n", directory)
    _signed_certificate(
        "client", f"/O=system:masters/CN={CLIENT_CERT_USER}",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=clientAuth\n", directory)


def generate_tokens(users):
    """A random bearer token for the admin user and for each named user: token -> user."""
    tokens = {secrets.token_hex(16): ADMIN_USER}
    for user in users:
        tokens[secrets.token_hex(16)] = user
    return tokens


def kubeconfig_text(credentials, port):
    """A kubeconfig with a context per token user (`emulator-token` for admin, `emulator-<user>`)
    and `emulator-cert` for the client certificate; `emulator-token` is current."""
    server = f"https://127.0.0.1:{port}"
    lines = [
        "apiVersion: v1", "kind: Config", "preferences: {}", "current-context: emulator-token",
        "clusters:", "- name: emulator", "  cluster:", f"    server: {server}",
        f"    certificate-authority: {credentials.path('ca.crt')}",
        "users:",
    ]
    contexts = []
    for token, user in credentials.tokens.items():
        name = "token" if user == ADMIN_USER else user
        lines += [f"- name: emulator-{name}", "  user:", f"    token: {token}"]
        contexts.append((f"emulator-{name}", f"emulator-{name}"))
    lines += ["- name: emulator-cert", "  user:", f"    client-certificate: {credentials.path('client.crt')}",
              f"    client-key: {credentials.path('client.key')}"]
    contexts.append(("emulator-cert", "emulator-cert"))
    lines.append("contexts:")
    for context, user in contexts:
        lines += [f"- name: {context}", "  context:", "    cluster: emulator", f"    user: {user}",
                  "    namespace: default"]
    return "\n".join(lines) + "\n"


def prepare(directory, users):
    """Generates every credential file in `directory` (the kubeconfig comes once the port is known)."""
    os.makedirs(directory, exist_ok=True)
    generate_certificates(directory)
    credentials = Credentials(os.path.abspath(directory), generate_tokens(users))
    with open(credentials.path("token"), "w") as handle:
        handle.write(credentials.admin_token + "\n")
    return credentials


def write_kubeconfig(credentials, port):
    """Writes `kubeconfig` (and `port`) for a server listening on `port`."""
    with open(credentials.path("kubeconfig"), "w") as handle:
        handle.write(kubeconfig_text(credentials, port))
    with open(credentials.path("port"), "w") as handle:
        handle.write(f"{port}\n")
