/// A minimal HTTP/2-only TLS server (Python with the `h2` package) for the multiplexing test.
///
/// argv: certfile keyfile. Prints its port first. Every request gets, after `/sleep/<ms>`
/// milliseconds (0 for other paths), a JSON answer {connection, path, max_open_streams}, where
/// max_open_streams is the most streams that were open at once on any connection so far.
enum TestH2ServerScript {
  static let source = #"""
    import json, os, signal, socket, ssl, sys, threading, time
    import h2.config, h2.connection, h2.events

    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    certfile, keyfile = sys.argv[1:3]
    state = {"connections": 0, "max_open": 0}
    state_lock = threading.Lock()

    def watchdog(parent):
        started = time.time()
        while True:
            time.sleep(0.2)
            if os.getppid() != parent or time.time() - started > 1800:
                os._exit(0)

    def serve(tls, number):
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        write_lock = threading.Lock()
        open_streams = set()
        paths = {}
        conn.initiate_connection()
        tls.sendall(conn.data_to_send())

        def respond(stream_id):
            path = paths.pop(stream_id, "/")
            if path.startswith("/sleep/"):
                time.sleep(int(path.split("/")[2]) / 1000.0)
            with state_lock:
                max_open = state["max_open"]
            body = json.dumps({"connection": number, "path": path, "max_open_streams": max_open}).encode()
            with write_lock:
                conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"),
                                              ("content-length", str(len(body)))])
                conn.send_data(stream_id, body, end_stream=True)
                open_streams.discard(stream_id)
                tls.sendall(conn.data_to_send())

        while True:
            try:
                data = tls.recv(65535)
            except OSError:
                return
            if not data:
                return
            with write_lock:
                events = conn.receive_data(data)
                for event in events:
                    if isinstance(event, h2.events.RequestReceived):
                        headers = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                                   for k, v in event.headers}
                        paths[event.stream_id] = headers.get(":path", "/")
                        open_streams.add(event.stream_id)
                        with state_lock:
                            state["max_open"] = max(state["max_open"], len(open_streams))
                    if isinstance(event, h2.events.StreamEnded):
                        threading.Thread(target=respond, args=(event.stream_id,), daemon=True).start()
                tls.sendall(conn.data_to_send())

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    context.set_alpn_protocols(["h2"])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    threading.Thread(target=watchdog, args=(os.getppid(),), daemon=True).start()
    print(listener.getsockname()[1], flush=True)
    while True:
        raw, _ = listener.accept()
        try:
            tls = context.wrap_socket(raw, server_side=True)
        except OSError:
            continue
        with state_lock:
            state["connections"] += 1
            number = state["connections"]
        threading.Thread(target=serve, args=(tls, number), daemon=True).start()
    """#
}
