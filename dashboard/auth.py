"""HTTP basic auth for the whole Flask server (pages, callbacks, any registered API), with a
per-client back-off on wrong passwords and a log line for each failed attempt.

Basic auth sends the password with every request: on a public bind put a TLS reverse proxy
in front (docs/operations.md). Behind such a proxy set MONITOR_PROXY_HOPS=1 so the back-off
applies to the real client address (X-Forwarded-For) instead of the proxy's.
"""
import hmac
import logging
import math
import os
import threading
import time

from flask import Response, request

REALM = 'Basic realm="monitor", charset="UTF-8"'
PROXY_HOPS_ENV = "MONITOR_PROXY_HOPS"
log = logging.getLogger(__name__)


class Throttle:
    """Per-client back-off: after FREE_TRIES wrong passwords in a row, each further one makes
    the client wait 2, 4, 8 ... seconds (at most MAX_WAIT) before the next attempt is even
    checked. A right password resets the client; a client quiet for FORGET seconds is forgotten."""
    FREE_TRIES = 5
    MAX_WAIT = 300.0
    FORGET = 3600.0
    MAX_CLIENTS = 10_000  # memory bound: stale clients are dropped first

    def __init__(self, clock=time.monotonic):
        self.clock, self.lock, self.clients = clock, threading.Lock(), {}  # client -> (failures, last)

    def wait_left(self, client):
        """Seconds the client must still wait before its credentials are checked (0: none)."""
        with self.lock:
            failures, last = self.clients.get(client, (0, 0.0))
        if failures <= self.FREE_TRIES:
            return 0.0
        return max(0.0, last + min(2.0 ** (failures - self.FREE_TRIES), self.MAX_WAIT) - self.clock())

    def failed(self, client):
        """Record a wrong password; returns the number of failures in a row."""
        now = self.clock()
        with self.lock:
            failures, last = self.clients.get(client, (0, now))
            if now - last > self.FORGET:
                failures = 0
            self.clients[client] = (failures + 1, now)
            if len(self.clients) > self.MAX_CLIENTS:
                self._prune(now)
            return failures + 1

    def succeeded(self, client):
        with self.lock:
            self.clients.pop(client, None)

    def _prune(self, now):
        for key, (_, last) in list(self.clients.items()):
            if now - last > self.FORGET:
                del self.clients[key]
        while len(self.clients) > self.MAX_CLIENTS:  # still too many: drop the oldest
            del self.clients[min(self.clients, key=lambda k: self.clients[k][1])]


def protect(server, user, password, throttle=None):
    if not user or not password:
        raise ValueError("basic auth needs both a user name and a password")
    throttle = throttle or Throttle()
    hops = os.environ.get(PROXY_HOPS_ENV) or "0"
    if not hops.isdigit():
        raise ValueError(f"{PROXY_HOPS_ENV} must be a whole number (proxies in front of the dashboard), not {hops!r}")
    hops = int(hops)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)

    @server.before_request
    def _check():
        client = request.remote_addr or "?"
        wait = throttle.wait_left(client)
        if wait > 0:
            seconds = math.ceil(wait)
            return Response(f"로그인 시도가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요 / too many failed logins: "
                            f"retry in {seconds} s", 429, {"Retry-After": str(seconds)})
        given = request.authorization
        if given and given.type == "basic" and hmac.compare_digest((given.username or "").encode(), user.encode()) \
                and hmac.compare_digest((given.password or "").encode(), password.encode()):
            throttle.succeeded(client)
            return None
        if given:  # a wrong user name or password (a request without any is the browser asking)
            failures = throttle.failed(client)
            log.warning("dashboard login failed: user %.64r from %s (%d in a row)", given.username or "", client, failures)
        return Response("로그인이 필요합니다 / login required", 401, {"WWW-Authenticate": REALM})


def current_user():
    """The logged-in user name (None without basic auth or outside a request)."""
    try:
        given = request.authorization
    except RuntimeError:
        return None
    return given.username if given else None
