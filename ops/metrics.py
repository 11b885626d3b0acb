"""Prometheus metrics (GET /metrics), read from the store at each scrape so every process
(scheduler, dashboard) reports the same figures: documents per source, classifications
per model version, source health, crawl and classify durations, job runs, digest sends,
backups, store size, and the /healthz checks. Text format via prometheus_client."""
import calendar
import datetime as dt
from pathlib import Path

import sqlite_utils
from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ops import health
from store.job_runs import last_run


def timestamp(stamp):
    """'2026-11-20T03:30:00Z' -> Unix seconds (None stays None)."""
    if not stamp:
        return None
    return calendar.timegm(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).utctimetuple())


def gauge(name, doc, labels, rows):
    """A gauge family from (label values, value) pairs; rows with a None value are left out."""
    family = GaugeMetricFamily(name, doc, labels=labels)
    for values, value in rows:
        if value is not None:
            family.add_metric([str(v) if v is not None else "" for v in values], value)
    return family


class StoreCollector:
    """Reads `ops` (limits, disk_free) at each scrape: the same dict /healthz uses."""

    def __init__(self, db_path, ops):
        self.db_path, self.ops = Path(db_path), ops

    def collect(self):
        result = health.check(self.db_path, self.ops["limits"], disk_free=self.ops["disk_free"])
        yield gauge("monitor_healthy", "1 when every /healthz check passes", [], [((), result["status"] == "ok")])
        yield gauge("monitor_health_check", "1 when this /healthz check passes", ["check"],
                    [((name,), c["ok"]) for name, c in result["checks"].items()])
        yield gauge("monitor_store_bytes", "size of the SQLite file and its WAL", [],
                    [((), result["checks"]["store"].get("value"))])
        yield gauge("monitor_disk_free_bytes", "free space on the store's disk", [],
                    [((), result["checks"]["disk_free_mb"]["value"] * 2**20)])
        if not result["checks"]["store"]["ok"] or not result["checks"]["schema"]["ok"]:
            return
        conn = health.connect_existing(self.db_path)
        try:
            yield from self._store_metrics(sqlite_utils.Database(conn))
        finally:
            conn.close()

    def _store_metrics(self, db):
        q = lambda sql: db.execute(sql).fetchall()  # noqa: E731
        yield gauge("monitor_documents", "documents in the store per source (duplicates included)",
                    ["source", "kind"], [((src, kind), n) for src, kind, n in q(
                        "SELECT d.source, s.kind, d.n FROM (SELECT source, COUNT(*) AS n FROM documents GROUP BY source) d "
                        "LEFT JOIN sources s ON s.name = d.source")])
        yield gauge("monitor_documents_relevant", "documents labelled relevant (model or staff)", [],
                    [((), q("SELECT COUNT(*) FROM labels WHERE relevant = 1")[0][0])])
        yield gauge("monitor_classifications", "classifications stored per model version", ["model_version"],
                    [((v,), n) for v, n in q("SELECT model_version, COUNT(*) FROM classifications GROUP BY model_version")])
        yield gauge("monitor_annotations", "staff corrections", [], [((), q("SELECT COUNT(*) FROM annotations")[0][0])])
        sources = q("SELECT s.name, s.enabled, s.error_count, s.last_ok, r.started_at, r.finished_at, r.new "
                    "FROM sources s LEFT JOIN crawl_runs r ON r.id = (SELECT MAX(id) FROM crawl_runs WHERE source = s.name)")
        yield gauge("monitor_source_enabled", "1 when the source is enabled in config/sources.toml", ["source"],
                    [((s[0],), s[1]) for s in sources])
        yield gauge("monitor_source_consecutive_errors", "failed crawls in a row (0 = healthy)", ["source"],
                    [((s[0],), s[2]) for s in sources])
        yield gauge("monitor_source_last_success_timestamp_seconds", "end of the last good crawl", ["source"],
                    [((s[0],), timestamp(s[3])) for s in sources])
        yield gauge("monitor_source_last_crawl_seconds", "duration of the source's last crawl", ["source"],
                    [((s[0],), timestamp(s[5]) - timestamp(s[4]) if s[4] and s[5] else None) for s in sources])
        yield gauge("monitor_source_last_crawl_new_documents", "new documents in the source's last crawl", ["source"],
                    [((s[0],), s[6]) for s in sources])
        runs = CounterMetricFamily("monitor_job_runs", "service job runs recorded (crawl_cycle, backup)",
                                   labels=["job", "status"])
        for job, status, n in q("SELECT job, status, COUNT(*) FROM job_runs GROUP BY job, status"):
            runs.add_metric([job, status], n)
        yield runs
        last = {job: last_run(db, job) for job in ("crawl_cycle", "backup")}
        yield gauge("monitor_job_last_success_timestamp_seconds", "end of the job's last good run", ["job"],
                    [((job,), timestamp(run["finished_at"])) for job, run in last.items() if run])
        yield gauge("monitor_job_last_duration_seconds", "duration of the job's last good run", ["job"],
                    [((job,), run["seconds"]) for job, run in last.items() if run])
        cycle = last["crawl_cycle"]["detail"] if last["crawl_cycle"] else {}
        yield gauge("monitor_cycle_phase_seconds", "crawl and classify time in the last good cycle", ["phase"],
                    [(("crawl",), cycle.get("crawl_seconds")), (("classify",), cycle.get("classify_seconds"))])
        backup = last["backup"]["detail"] if last["backup"] else {}
        yield gauge("monitor_backup_bytes", "size of the last good backup file", [], [((), backup.get("bytes"))])
        yield gauge("monitor_digest_sends", "weekly digest sends per state (one per week × recipient)", ["status"],
                    [((status,), n) for status, n in q("SELECT status, COUNT(*) FROM digests GROUP BY status")])


def registry_for(db_path, ops):
    """A registry of its own (not the global one): one per app, so several apps in one
    process (tests) do not clash."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(db_path, ops))
    ProcessCollector(registry=registry)
    return registry


def render(registry):
    return generate_latest(registry)
