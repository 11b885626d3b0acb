"""A record of each finished service job run (crawl cycle, backup) in job_runs: what
`status`, /healthz and /metrics read to tell how old the last good cycle and backup are."""
import contextlib
import datetime as dt
import logging
import time
from pathlib import Path

from store.util import dumps, loads, utc_now, write_transaction

log = logging.getLogger(__name__)


@contextlib.contextmanager
def recorded(db_path, job):
    """Record one run of `job` when it ends: 'ok', or 'failed' with the error. Yields a dict
    the job fills with details (counts, phase durations, the backup file)."""
    detail, started, started_at = {}, time.monotonic(), utc_now()
    status, error = "failed", None
    try:
        yield detail
        status = "ok"
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _insert(db_path, {"job": job, "started_at": started_at, "finished_at": utc_now(), "status": status,
                          "seconds": round(time.monotonic() - started, 3),
                          "detail": dumps(detail) if detail else None, "error": error})


def _insert(db_path, row):
    from store import open_db
    if not Path(db_path).is_file():  # the job failed for want of a store: do not create one
        return
    db = open_db(db_path, migrate_schema=False)  # a backup of an older store leaves it as it was
    try:
        if "job_runs" not in db.table_names():
            log.warning("%s run not recorded: the store's schema is older than this program's "
                        "(python monitor.py init)", row["job"])
            return
        with write_transaction(db):
            db["job_runs"].insert(row)
    finally:
        db.conn.close()


def last_run(db, job, status="ok"):
    """The newest run of `job` with `status` (None if none), detail decoded."""
    run = next(iter(db.query("SELECT * FROM job_runs WHERE job = ? AND status = ? "
                             "ORDER BY finished_at DESC, id DESC LIMIT 1", [job, status])), None)
    if run is not None:
        run["detail"] = loads(run["detail"], {})
    return run


def age_hours(stamp, now=None):
    """Hours since a stored UTC stamp ('2026-11-20T03:30:00Z')."""
    then = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return ((now or dt.datetime.now(dt.timezone.utc)) - then).total_seconds() / 3600
