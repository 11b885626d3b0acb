"""Sources and their health; one crawl_runs row per source per crawl."""
import json

from store.util import utc_now, write_transaction

SOURCE_FIELDS = ("name", "kind", "type", "url", "region", "outlet", "enabled")


def sync_sources(db, sources):
    """Upsert the configured sources; health columns are kept. Sources no longer in the
    config are disabled, not deleted (their documents keep pointing at them)."""
    names = set()
    with write_transaction(db):
        for source in sources:
            row = {key: source.get(key) for key in SOURCE_FIELDS}
            row["enabled"] = int(source.get("enabled", True))
            row["config"] = json.dumps(source, ensure_ascii=False, sort_keys=True, default=str)
            row["updated_at"] = utc_now()
            names.add(row["name"])
            db["sources"].upsert(row, pk="name")
        for (name,) in db.execute("SELECT name FROM sources").fetchall():
            if name not in names:
                db.execute("UPDATE sources SET enabled = 0 WHERE name = ?", [name])


def start_run(db, source_name):
    with write_transaction(db):
        # a run still "running" here was killed before it could finish
        db.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = ?, "
                   "error = 'the crawl process ended before finishing' "
                   "WHERE source = ? AND status = 'running'", [utc_now(), source_name])
        return db["crawl_runs"].insert(
            {"source": source_name, "started_at": utc_now(), "status": "running"}
        ).last_pk


def finish_run(db, run_id, new=0, duplicate=0, failed=0, status="ok", error=None):
    """Close a crawl run and update the source's health (last_ok / consecutive errors)."""
    now = utc_now()
    with write_transaction(db):
        db["crawl_runs"].update(run_id, {
            "finished_at": now, "new": new, "duplicate": duplicate, "failed": failed,
            "status": status, "error": error,
        })
        source = db.execute("SELECT source FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0]
        if status in ("ok", "warning"):
            db.execute("UPDATE sources SET last_ok = ?, error_count = 0 WHERE name = ?", [now, source])
        if status in ("warning", "skipped"):
            # shown (e.g. low field coverage, no API keys) but not counted as a failure
            db.execute("UPDATE sources SET last_error = ?, last_error_at = ? WHERE name = ?",
                       [error or status, now, source])
        elif status != "ok":
            db.execute(
                "UPDATE sources SET last_error = ?, last_error_at = ?, error_count = error_count + 1 WHERE name = ?",
                [error or status, now, source],
            )


def source_health(db):
    """One row per source with its last run (for status, dashboard and digest)."""
    return list(db.query("""
        SELECT s.name, s.kind, s.type, s.region, s.outlet, s.enabled, s.last_ok, s.last_error,
               s.last_error_at, s.error_count,
               r.started_at AS last_run_started, r.status AS last_run_status, r.new AS last_run_new,
               (SELECT COUNT(*) FROM documents d WHERE d.source = s.name) AS documents
        FROM sources s
        LEFT JOIN crawl_runs r ON r.id = (SELECT MAX(id) FROM crawl_runs WHERE source = s.name)
        ORDER BY s.kind, s.name
    """))
