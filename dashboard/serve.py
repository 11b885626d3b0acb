"""Serve a WSGI app (the dashboard's Flask server: Dash pages, callbacks, /api/v1, /healthz,
/metrics) in a background thread, with waitress (production) or werkzeug (development).

waitress: pure Python, one process with a fixed pool of worker threads and a request
queue, on Linux and Windows alike; one process keeps one set of store connections and
caches, and nothing is forked after SQLite files are opened. See docs/operations.md.
"""
import logging
import threading

SERVERS = ("waitress", "dev")
DEFAULT_THREADS = 8


class Server:
    """server.url, server.port; close() stops it (requests in progress finish first)."""

    def __init__(self, wsgi_app, host="127.0.0.1", port=0, kind="waitress", threads=DEFAULT_THREADS):
        if kind not in SERVERS:
            raise ValueError(f"unknown server {kind!r} (use one of {', '.join(SERVERS)})")
        self.kind, self._stop = kind, threading.Event()
        if kind == "waitress":
            from waitress import create_server
            self._httpd = create_server(wsgi_app, host=host, port=port, threads=threads,
                                        ident="monitor", clear_untrusted_proxy_headers=True)
            self.port = int(self._httpd.effective_port)
            target = self._run_waitress
        else:
            from werkzeug.serving import make_server
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            self._httpd = make_server(host, port, wsgi_app, threaded=True)
            self.port = self._httpd.server_port
            target = self._httpd.serve_forever
        self.url = f"http://{host}:{self.port}/"
        self._thread = threading.Thread(target=target, name=f"http-{kind}", daemon=True)
        self._thread.start()

    def _run_waitress(self):
        # waitress's own loop cannot be stopped from another thread safely: poll it here and
        # close it in this same thread once close() asks.
        httpd = self._httpd
        while not self._stop.is_set():
            httpd.asyncore.loop(timeout=0.5, map=httpd._map, count=1)
        httpd.task_dispatcher.shutdown()
        httpd.asyncore.close_all(httpd._map)

    @property
    def serving(self):
        return self._thread.is_alive()

    def close(self):
        if self.kind == "waitress":
            self._stop.set()
        else:
            self._httpd.shutdown()
            self._httpd.server_close()
        self._thread.join(timeout=30)


def add_server_arguments(parser):
    """--server and --threads, shared by `monitor.py dashboard` and scheduler.py."""
    parser.add_argument("--server", choices=SERVERS, default="waitress",
                        help="waitress: the production server (default); dev: Flask's development server")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"waitress worker threads (default {DEFAULT_THREADS})")


def serve_until(stop, wsgi_app, host, port, kind="waitress", threads=DEFAULT_THREADS):
    """Serve until the event `stop` is set (Ctrl-C / SIGTERM handlers set it)."""
    server = Server(wsgi_app, host, port, kind, threads)
    try:
        while not stop.wait(1):
            pass
    finally:
        server.close()
