"""GET /healthz and GET /metrics on the dashboard's Flask server.

/healthz is answered before the login check: monitors, load balancers and container
health checks cannot log in, and it shows only ok/fail, ages and sizes, never data.
/metrics is an ordinary route, so it sits behind the dashboard's login like every page
(Prometheus scrapes it with basic_auth); on the default 127.0.0.1 bind it is local only.
"""
import json

from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST

from ops import health, metrics


def register(server, db_path, limits):
    """Add both routes; server.config["MONITOR_OPS"] holds the limits and the disk-free
    function they use (tests swap the function to simulate a full disk)."""
    ops = server.config["MONITOR_OPS"] = {"limits": limits, "disk_free": health.disk_free_bytes}
    registry = metrics.registry_for(db_path, ops)

    @server.get("/metrics")
    def _metrics():
        return Response(metrics.render(registry), mimetype=CONTENT_TYPE_LATEST)

    inner = server.wsgi_app

    def wsgi_app(environ, start_response):
        if environ.get("PATH_INFO") != "/healthz":
            return inner(environ, start_response)
        result = health.check(db_path, ops["limits"], disk_free=ops["disk_free"])
        body = json.dumps(result, ensure_ascii=False).encode()
        start_response("200 OK" if result["status"] == "ok" else "503 Service Unavailable",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                        ("Cache-Control", "no-store")])
        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else []

    server.wsgi_app = wsgi_app
