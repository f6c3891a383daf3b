"""A small HTTPS client for the emulator (tests and scripts): JSON in, (status, headers, JSON) out."""

import http.client
import json
import os
import ssl


class EmulatorClient:
    """Keeps one HTTP/1.1 connection to an emulator, authenticated with a bearer token or the client cert."""

    def __init__(self, directory, port, token=None, client_certificate=False):
        self.port = port
        self.context = ssl.create_default_context(cafile=os.path.join(directory, "ca.crt"))
        if client_certificate:
            self.context.load_cert_chain(os.path.join(directory, "client.crt"), os.path.join(directory, "client.key"))
        self.token = token
        self.connection = None

    def _connection(self):
        if self.connection is None:
            self.connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=10)
        return self.connection

    def request(self, method, path, body=None, content_type="application/json", headers=None):
        """Sends one request; returns (status, headers, decoded JSON body or text)."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers["Content-Type"] = content_type
        connection = self._connection()
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        try:
            decoded = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            decoded = raw.decode(errors="replace")
        return response.status, dict(response.getheaders()), decoded

    def close(self):
        """Closes the connection (the next request opens a new one)."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
