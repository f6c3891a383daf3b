/// The Python (standard library only) HTTPS server the transport tests run on 127.0.0.1.
///
/// argv: certfile keyfile cafile client-mode (`none` | `optional` | `required`). It prints its
/// port on the first line of stdout. Paths:
/// - `/echo`: 200 with JSON {method, path, headers, body, client_cn, connection, resumed (the
///   connection's TLS session was resumed)}
/// - `/stats`: 200 with JSON {connections, hits}
/// - `/fail/<key>/<n>/<code>[?retry_after=S]`: the first n hits of key answer `code` with a
///   `Status` body (and `Retry-After: S`), later ones 200
/// - `/drop/<key>/<n>`: the first n hits of key close the connection without an answer
/// - `/sleep/<ms>`: 200 after that many milliseconds
/// It exits when its parent process goes away, and after half an hour in any case (a loaded machine may start a test long before it runs).
enum TestHTTPSServerScript {
  static let source = #"""
    import http.server, json, os, signal, socket, ssl, sys, threading, time

    # The test runner starts this from a thread that blocks most signals, and the mask is
    # inherited: unblock SIGTERM/SIGINT so terminating the server works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    certfile, keyfile, cafile, client_mode = sys.argv[1:5]
    lock = threading.Lock()
    state = {"connections": 0, "hits": {}}

    def watchdog(parent):
        started = time.time()
        while True:
            time.sleep(0.2)
            if os.getppid() != parent or time.time() - started > 1800:
                os._exit(0)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        def get_request(self):
            # accept() on the TLS socket runs the handshake; failed handshakes raise OSError and
            # socketserver drops them quietly, so only established connections are counted.
            sock, addr = super().get_request()
            with lock:
                state["connections"] += 1
                number = state["connections"]
            sock.meshctl_connection = number
            return sock, addr

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def hit(self, key):
            with lock:
                state["hits"][key] = state["hits"].get(key, 0) + 1
                return state["hits"][key]

        def reply(self, code, payload, headers=()):
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            path, _, query = self.path.partition("?")
            parts = path.strip("/").split("/")
            if parts[0] == "echo":
                cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
                cn = ""
                for rdn in (cert or {}).get("subject", ()):
                    for name, value in rdn:
                        if name == "commonName":
                            cn = value
                self.reply(200, {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                 "body": body, "client_cn": cn, "connection": self.connection.meshctl_connection,
                                 "resumed": self.connection.session_reused})
            elif parts[0] == "stats":
                with lock:
                    self.reply(200, {"connections": state["connections"], "hits": dict(state["hits"])})
            elif parts[0] == "fail":
                key, times, code = parts[1], int(parts[2]), int(parts[3])
                count = self.hit(key)
                if count <= times:
                    headers = []
                    if query.startswith("retry_after="):
                        headers.append(("Retry-After", query.split("=", 1)[1]))
                    self.reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                      "message": "injected failure %d" % count, "code": code}, headers)
                else:
                    self.reply(200, {"ok": True, "attempts": count})
            elif parts[0] == "drop":
                key, times = parts[1], int(parts[2])
                count = self.hit(key)
                if count <= times:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.reply(200, {"ok": True, "attempts": count})
            elif parts[0] == "sleep":
                time.sleep(int(parts[1]) / 1000.0)
                self.reply(200, {"ok": True})
            else:
                self.reply(404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404,
                                 "message": "the server could not find the requested resource"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    context.load_verify_locations(cafile)
    context.verify_mode = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}[client_mode]
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=watchdog, args=(os.getppid(),), daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}
