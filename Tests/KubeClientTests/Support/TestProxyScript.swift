/// A minimal HTTP CONNECT proxy (Python standard library) for the proxy test. It tunnels only
/// to 127.0.0.1, prints its port first, and answers `GET /stats` with the CONNECT lines it saw.
enum TestProxyScript {
  static let source = #"""
    import json, os, signal, socket, sys, threading, time

    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    seen = []

    def watchdog(parent):
        started = time.time()
        while True:
            time.sleep(0.2)
            if os.getppid() != parent or time.time() - started > 1800:
                os._exit(0)

    def pipe(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle(client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        method, target = lines[0].split(" ")[:2]
        if method == "GET" and target.endswith("/stats"):
            body = json.dumps({"connects": seen}).encode()
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            client.close()
            return
        host, port = target.rsplit(":", 1)
        auth = [l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("proxy-authorization:")]
        seen.append({"target": target, "proxy_authorization": bool(auth)})
        if method != "CONNECT" or host != "127.0.0.1":
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        pipe(upstream, client)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    threading.Thread(target=watchdog, args=(os.getppid(),), daemon=True).start()
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()
    """#
}
