"""The service's health for monitors (GET /healthz): the store answers, its schema is the
one this program expects, the last crawl cycle and the last backup are recent, and the
store's disk is not nearly full. Limits come from [health] in config/settings.toml.

A check is failed only on evidence: a store with no crawl cycle or no backup yet (a fresh
install) reports it in the check's note but stays healthy until the age limit would matter.
"""
import shutil
import sqlite3
from pathlib import Path

import sqlite_utils

from store.job_runs import age_hours, last_run
from store.schema import SCHEMA_VERSION


def disk_free_bytes(path):
    return shutil.disk_usage(path).free


def connect_existing(db_path, timeout=5):
    """A connection to the store, never creating it (raises sqlite3.Error when it is missing)."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=rw", uri=True, timeout=timeout,
                           check_same_thread=False)
    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    return conn


def check(db_path, limits, now=None, disk_free=disk_free_bytes):
    """{'status': 'ok'|'unhealthy', 'checks': {name: {'ok', 'value', 'limit', 'note'}}}."""
    checks = {}
    db_path = Path(db_path)
    free = disk_free(db_path.resolve().parent)
    checks["disk_free_mb"] = {"ok": free / 2**20 >= limits["min_free_mb"], "value": round(free / 2**20),
                              "limit": limits["min_free_mb"]}
    try:
        conn = connect_existing(db_path)
    except sqlite3.Error as exc:
        checks["store"] = {"ok": False, "note": f"cannot open the store: {exc}"}
        for name in ("schema", "last_cycle_hours", "last_backup_hours"):
            checks[name] = {"ok": False, "note": "store unreachable"}
        return _summary(checks)
    try:
        db = sqlite_utils.Database(conn)
        checks["store"] = {"ok": True, "value": _store_bytes(db_path)}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        checks["schema"] = {"ok": version == SCHEMA_VERSION, "value": version, "limit": SCHEMA_VERSION}
        if "job_runs" not in db.table_names():  # an older schema: `monitor.py init` migrates it
            return _summary(checks)
        checks["last_cycle_hours"] = _age_check(last_run(db, "crawl_cycle"), limits["max_cycle_age_hours"], now,
                                                "no crawl cycle yet (scheduler.py runs one every crawl_every_hours)")
        checks["last_backup_hours"] = _age_check(last_run(db, "backup"), limits["max_backup_age_hours"], now,
                                                 "no backup yet (python monitor.py backup)")
    except sqlite3.Error as exc:
        checks["store"] = {"ok": False, "note": f"cannot read the store: {exc}"}
    finally:
        conn.close()
    return _summary(checks)


def _age_check(run, limit, now, none_note):
    if run is None:
        return {"ok": True, "value": None, "limit": limit, "note": none_note}
    age = age_hours(run["finished_at"], now)
    return {"ok": age <= limit, "value": round(age, 2), "limit": limit, "at": run["finished_at"]}


def _store_bytes(db_path):
    return sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal")) if p.exists())


def _summary(checks):
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "unhealthy", "checks": checks}
