"""GET /healthz and GET /metrics (ops/): healthy on a fresh, recent store; 503 when the last
crawl cycle or backup is too old, the disk is nearly full (simulated) or the schema is not
current; /healthz open to monitors under the dashboard login, /metrics behind it; the
metrics parse with Prometheus's own parser and agree with the store. Both served by the
production server (waitress) and the development server."""
import datetime as dt
import json
import socket
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

import store
from dashboard.app import create_app
from dashboard.serve import Server
from digest.settings import load_settings
from ops import health
from store.schema import SCHEMA_VERSION
from store.synthetic import seed_synthetic
from store.util import write_transaction

LIMITS = load_settings()["health"]  # max_cycle_age_hours 7, max_backup_age_hours 48, min_free_mb 1024
MB = 2**20


def stamp(hours_ago):
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(db, job, hours_ago, status="ok", detail=None):
    with write_transaction(db):
        return db["job_runs"].insert({"job": job, "started_at": stamp(hours_ago + 0.1), "finished_at": stamp(hours_ago),
                                      "status": status, "seconds": 360.0, "detail": json.dumps(detail or {})}).last_pk


@pytest.fixture
def seeded(db_path):
    db = store.open_db(db_path)
    seed_synthetic(db, 300, days=20)
    db.first_runs = (record(db, "crawl_cycle", 2, detail={"crawl_seconds": 300.5, "classify_seconds": 59.5}),
                     record(db, "backup", 20, detail={"bytes": 12345}))
    return db


def get(client, path, **kw):
    response = client.get(path, **kw)
    return response.status_code, response


def test_healthz_ok_then_unhealthy_on_old_cycle_old_backup_and_full_disk(seeded, db_path):
    client = create_app(str(db_path)).server.test_client()
    code, response = get(client, "/healthz")
    body = response.get_json()
    assert code == 200 and body["status"] == "ok", body
    assert body["checks"]["schema"] == {"ok": True, "value": SCHEMA_VERSION, "limit": SCHEMA_VERSION}
    assert 1.9 < body["checks"]["last_cycle_hours"]["value"] < 2.1 and body["checks"]["store"]["value"] > 0

    record(seeded, "crawl_cycle", 1, status="failed")  # a failed cycle does not count as one
    record(seeded, "crawl_cycle", 8)  # the last good one now: 8 h ago, limit 7 h
    seeded.execute("DELETE FROM job_runs WHERE id = ?", [seeded.first_runs[0]])
    seeded.conn.commit()
    code, response = get(client, "/healthz")
    body = response.get_json()
    assert code == 503 and body["status"] == "unhealthy"
    assert body["checks"]["last_cycle_hours"]["ok"] is False and body["checks"]["last_cycle_hours"]["limit"] == 7
    assert [n for n, c in body["checks"].items() if not c["ok"]] == ["last_cycle_hours"]

    record(seeded, "crawl_cycle", 0.5)
    assert get(client, "/healthz")[0] == 200
    record(seeded, "backup", 49)  # older backups do not hide the last good one
    assert get(client, "/healthz")[0] == 200
    seeded.execute("DELETE FROM job_runs WHERE id = ?", [seeded.first_runs[1]])
    seeded.conn.commit()
    code, response = get(client, "/healthz")
    assert code == 503 and not response.get_json()["checks"]["last_backup_hours"]["ok"]
    record(seeded, "backup", 0)

    # the disk nearly full: the same disk-free function /metrics uses, swapped
    client.application.config["MONITOR_OPS"]["disk_free"] = lambda path: 900 * MB
    code, response = get(client, "/healthz")
    assert code == 503 and response.get_json()["checks"]["disk_free_mb"] == {"ok": False, "value": 900, "limit": 1024}
    client.application.config["MONITOR_OPS"]["disk_free"] = lambda path: 5000 * MB
    assert get(client, "/healthz")[0] == 200
    assert client.head("/healthz").status_code == 200


def test_fresh_store_is_healthy_with_notes_and_a_missing_or_old_store_is_not(db_path, tmp_path):
    store.open_db(db_path).conn.close()
    result = health.check(db_path, LIMITS, disk_free=lambda p: 10_000 * MB)
    assert result["status"] == "ok"
    assert "no crawl cycle yet" in result["checks"]["last_cycle_hours"]["note"]
    assert "no backup yet" in result["checks"]["last_backup_hours"]["note"]

    missing = health.check(tmp_path / "missing.db", LIMITS, disk_free=lambda p: 10_000 * MB)
    assert missing["status"] == "unhealthy" and not missing["checks"]["store"]["ok"]
    assert not (tmp_path / "missing.db").exists()  # the check never creates a store

    import sqlite3
    older = tmp_path / "older.db"
    conn = sqlite3.connect(older)
    import sqlite_utils
    from store.schema import migrate
    migrate(sqlite_utils.Database(conn), target=SCHEMA_VERSION - 1)
    conn.close()
    result = health.check(older, LIMITS, disk_free=lambda p: 10_000 * MB)
    assert result["status"] == "unhealthy"
    assert result["checks"]["schema"] == {"ok": False, "value": SCHEMA_VERSION - 1, "limit": SCHEMA_VERSION}


def test_healthz_is_open_under_login_and_metrics_is_not(seeded, db_path):
    client = create_app(str(db_path), auth=("staff", "s3cret")).server.test_client()
    assert get(client, "/healthz")[0] == 200
    assert get(client, "/metrics")[0] == 401
    assert get(client, "/")[0] == 401
    code, response = get(client, "/metrics", auth=("staff", "s3cret"))
    assert code == 200 and b"monitor_documents" in response.data


def test_metrics_parse_and_agree_with_the_store(seeded, db_path):
    db = seeded
    db.execute("INSERT INTO sources (name, kind, type, enabled, error_count, last_ok) "
               "VALUES ('src-KBS', 'news', 'feed', 1, 2, '2026-11-20T00:00:00Z')")
    db.execute("INSERT INTO crawl_runs (source, started_at, finished_at, new, status) "
               "VALUES ('src-KBS', '2026-11-20T00:00:00Z', '2026-11-20T00:01:30Z', 7, 'ok')")
    db.execute("INSERT INTO classifications (document_id, model_version, relevant) "
               "SELECT id, 'model-2', 1 FROM documents LIMIT 40")
    db.execute("INSERT INTO digests (week, recipient, status) VALUES ('2026-W46', 'a@b.kr', 'sent'), "
               "('2026-W46', 'c@d.kr', 'failed'), ('2026-W47', 'a@b.kr', 'sent')")
    db.conn.commit()
    client = create_app(str(db_path)).server.test_client()
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.data.decode())}

    def values(name, label=None):
        return {(s.labels.get(label) if label else None): s.value for s in families[name].samples}

    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    per_source = values("monitor_documents", "source")
    assert sum(per_source.values()) == one("SELECT COUNT(*) FROM documents") == 300
    kbs = [s for s in families["monitor_documents"].samples if s.labels["source"] == "src-KBS"]
    assert kbs[0].labels["kind"] == "news" and kbs[0].value == one("SELECT COUNT(*) FROM documents WHERE source = 'src-KBS'")
    assert values("monitor_classifications", "model_version") == {"synthetic-1": 300, "model-2": 40}
    assert values("monitor_documents_relevant")[None] == one("SELECT COUNT(*) FROM labels WHERE relevant = 1")
    assert values("monitor_source_consecutive_errors", "source") == {"src-KBS": 2}
    assert values("monitor_source_last_crawl_seconds", "source") == {"src-KBS": 90}
    assert values("monitor_source_last_success_timestamp_seconds", "source")["src-KBS"] == dt.datetime(
        2026, 11, 20, tzinfo=dt.timezone.utc).timestamp()
    assert values("monitor_cycle_phase_seconds", "phase") == {"crawl": 300.5, "classify": 59.5}
    assert values("monitor_job_last_duration_seconds", "job") == {"crawl_cycle": 360.0, "backup": 360.0}
    runs = {(s.labels["job"], s.labels["status"]): s.value for s in families["monitor_job_runs"].samples}
    assert runs == {("crawl_cycle", "ok"): 1, ("backup", "ok"): 1}
    assert values("monitor_digest_sends", "status") == {"sent": 2, "failed": 1}
    assert values("monitor_backup_bytes")[None] == 12345
    assert values("monitor_healthy")[None] == 1
    assert all(v == 1 for v in values("monitor_health_check", "check").values())
    assert "process_resident_memory_bytes" in families

    client.application.config["MONITOR_OPS"]["disk_free"] = lambda path: 10 * MB
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").data.decode())}
    assert values("monitor_healthy")[None] == 0 and values("monitor_health_check", "check")["disk_free_mb"] == 0
    assert values("monitor_disk_free_bytes")[None] == 10 * MB


@pytest.mark.parametrize("kind", ["waitress", "dev"])
def test_production_and_development_servers_serve_the_app(seeded, db_path, kind):
    server = Server(create_app(str(db_path)).server, "127.0.0.1", 0, kind)
    try:
        with urllib.request.urlopen(server.url + "healthz", timeout=30) as resp:
            assert resp.status == 200 and json.load(resp)["status"] == "ok"
        with urllib.request.urlopen(server.url + "api/v1/trends?by=month", timeout=60) as resp:
            assert resp.status == 200 and json.load(resp)["data"]
        with urllib.request.urlopen(server.url, timeout=60) as resp:
            assert resp.status == 200 and "자치경찰" in resp.read().decode()
        if kind == "waitress":
            assert resp.headers["Server"] == "monitor"
    finally:
        server.close()
    assert not server.serving
    if kind == "waitress":  # the production server releases its port (binding fails while anything listens)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", server.port))


def test_dashboard_command_serves_with_waitress_and_stops_on_sigterm(seeded, db_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path
    seeded.conn.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "monitor.py", "--db", str(db_path), "dashboard", "--port", str(port)],
                            cwd=root, env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline, status = time.time() + 120, None
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    status, server = resp.status, resp.headers["Server"]
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200 and server == "monitor", proc.stdout.read() if proc.poll() is not None else status
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
