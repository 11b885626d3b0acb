#!/usr/bin/env python
"""자치경찰 언론 모니터 서비스: runs the pipeline on a schedule and serves the dashboard.

    python scheduler.py                 # schedule + dashboard on 127.0.0.1:8050
    python scheduler.py --once          # one full cycle, then exit (cron)
    python scheduler.py --demo          # bundled sample site into data/demo.db, then serve

Jobs (APScheduler 3, Korean time, persisted in the SQLite DB, max_instances=1, coalesce,
misfire grace): crawl → classify → refresh every N hours; daily spike check; daily policy
events (events/); weekly digest; digest retry/catch-up; daily backup; daily search interest
(Naver DataLab, interest/). Job functions are top-level and take plain arguments so
the SQLAlchemy job store can persist them. See docs/operations.md.
"""
import argparse
import datetime as dt
import fcntl
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
DEMO_DB = ROOT / "data" / "demo.db"
DEMO_SOURCES = ROOT / "config" / "demo_sources.toml"
DEMO_DATALAB_KEYS = ("demo", "demo")  # accepted by the demo's local DataLab stand-in only
DEMO_HISTORY = ROOT / "tests" / "fixtures" / "bigkinds" / "demo_2021_2023.xlsx"  # BigKinds-format, 2021-07 → 2023
log = logging.getLogger("scheduler")
STOPPING = threading.Event()  # set on Ctrl-C / SIGTERM: a running cycle stops after its crawl


class SchedulerLocked(RuntimeError):
    """Another scheduler.py holds the DB."""


# ---------------------------------------------------------------- jobs (plain arguments only)

def crawl_cycle_job(db_path, model=None, sources_config=None, base_url=None, precision=None):
    """Crawl all enabled sources (Scrapy runs in its own process), classify the new
    documents, refresh the query planner's statistics. Recorded in job_runs."""
    from crawler.run import crawl
    from nlp.classify import classify_pending
    from store import open_db
    from store.job_runs import recorded
    with recorded(db_path, "crawl_cycle") as detail:
        started = time.monotonic()
        result = {"crawl": crawl(str(db_path), config_path=sources_config, base_url=base_url)}
        detail.update(crawl_seconds=round(time.monotonic() - started, 3),
                      new=sum(c.get("new") or 0 for c in result["crawl"]))
        if STOPPING.is_set():
            log.info("stopping: classification left for the next cycle")
            return result
        started = time.monotonic()
        db = open_db(db_path)
        try:
            result["classify"] = classify_pending(db, model=model, progress=False, precision=precision)
            refresh_rollups(db)
        finally:
            db.conn.close()
        detail.update(classify_seconds=round(time.monotonic() - started, 3),
                      classified=(result["classify"] or {}).get("classified", 0))
    log.info("cycle done: %s", result)
    return result


def backup_job(db_path, settings_path=None):
    """The daily backup into the [backup] folder, then its retention (store/backup.py)."""
    from digest.settings import load_settings
    from store.backup import run_backup
    detail = run_backup(db_path, load_settings(settings_path)["backup"])
    log.info("backup: %s (%d bytes), %d old deleted", detail["path"], detail["bytes"], len(detail["pruned"]))
    return detail


def import_demo_history(db_path):
    """Demo: import the bundled BigKinds-format workbook (once; a re-run is a no-op), so the
    dashboard shows years of history; the cycle that follows classifies it."""
    from importer.load import import_file
    from store import open_db
    db = open_db(db_path)
    try:
        summary = import_file(db, "bigkinds", DEMO_HISTORY, progress=False)
        log.info("demo: history from %s (%s): %s new documents", DEMO_HISTORY.name, summary["status"], summary["new"])
    finally:
        db.conn.close()


def refresh_rollups(db):
    """Recompute the dashboard's daily rollups for the days the new labels touched
    (store.rollups) and keep the query planner's statistics fresh."""
    from store import rollups
    rollups.ensure(db)
    db.execute("PRAGMA optimize")


def events_job(db_path, config_path=None, endpoints=None):
    """Collect policy events (bills, law revisions, milestones); never raises, one log line
    per collector, recorded in job_runs. `endpoints`: the demo's recorded API servers."""
    from events.collect import fetch_all
    from store import open_db
    from store.job_runs import recorded
    try:
        with recorded(db_path, "events_fetch") as detail:
            db = open_db(db_path)
            try:
                summaries = fetch_all(db, config_path, endpoints)
            finally:
                db.conn.close()
            detail.update({s["collector"]: s["error"] if s["status"] in ("error", "skipped") else s["new"]
                           for s in summaries})
            return summaries
    except Exception:  # noqa: BLE001 - a broken events collector never stops the cycle
        log.exception("events: collection failed")
        return []


def interest_job(db_path, settings_path=None, url=None, keys=None, slices=None):
    """Fetch Naver search interest within the daily quota (interest/collect.py); recorded in
    job_runs. url/keys/slices: the demo's local stand-in (None: settings, NAVER_CLIENT_ID/SECRET)."""
    import dataclasses
    from digest.settings import load_settings
    from interest.collect import collect
    from interest.config import InterestConfig
    from interest.datalab import keys_from_env
    from store import open_db
    from store.job_runs import recorded
    cfg = InterestConfig.from_settings(load_settings(settings_path))
    cfg = dataclasses.replace(cfg, slices=tuple(slices)) if slices else cfg
    with recorded(db_path, "search_interest") as detail:
        db = open_db(db_path)
        try:
            summary = collect(db, cfg, tuple(keys) if keys else keys_from_env(), url=url)
        finally:
            db.conn.close()
        detail.update(summary, errors=summary["errors"][:10])
    return summary


def spike_job(db_path, settings_path=None, date_from=None, date_to=None):
    from analysis.spikes import SpikeParams, detect_spikes
    from digest.alerts import send_spike_alerts
    from digest.settings import load_settings
    from store import open_db
    settings = load_settings(settings_path)
    db = open_db(db_path)
    try:
        spikes = detect_spikes(db, date_from, date_to, SpikeParams.from_config(settings["spikes"]))
        log.info("spike check: %d spikes", len(spikes))
        if settings["spikes"].get("alert_email"):
            send_spike_alerts(db, settings)
        from watchlists.alerts import send_watchlist_alerts
        send_watchlist_alerts(db, settings, date_from, date_to)  # saved searches with the alert on
        return spikes
    finally:
        db.conn.close()


def digest_job(db_path, settings_path=None, week=None, now=None):
    """Send the last complete week's digest (or `week`) to recipients not yet served."""
    from digest.build import last_complete_week
    from digest.send import send_week
    from digest.settings import SettingsError, load_settings, smtp_from_env
    from store import open_db
    settings = load_settings(settings_path)
    if not settings["recipients"]:
        log.info("digest: no recipients configured")
        return None
    try:
        smtp = smtp_from_env()
    except SettingsError as exc:
        smtp = exc  # recorded as a failure per recipient, retried later
    db = open_db(db_path)
    try:
        return send_week(db, week or last_complete_week(now), settings["recipients"], settings, smtp,
                         settings["digest"]["max_attempts"])
    finally:
        db.conn.close()


def digest_retry_job(db_path, settings_path=None, now=None):
    """Retry failed sends; catch up this week's digest if the weekly job was missed."""
    from digest.send import retry_failed
    from digest.settings import SettingsError, load_settings, smtp_from_env
    from store import open_db
    settings = load_settings(settings_path)
    if not settings["recipients"]:
        return None
    if digest_due(settings, now):
        digest_job(db_path, settings_path, now=now)
    try:
        smtp = smtp_from_env()
    except SettingsError as exc:
        smtp = exc
    db = open_db(db_path)
    try:
        return retry_failed(db, settings["recipients"], settings, smtp, settings["digest"]["max_attempts"])
    finally:
        db.conn.close()


def digest_due(settings, now=None):
    """True once this week's digest time has passed (Korean time)."""
    from digest.settings import WEEKDAYS, parse_time
    sched = settings["schedule"]
    tz = ZoneInfo(sched["timezone"])
    now = (now or dt.datetime.now(tz)).astimezone(tz)
    hour, minute = parse_time(sched["digest_time"])
    day = now.date() - dt.timedelta(days=now.weekday()) + dt.timedelta(days=WEEKDAYS.index(sched["digest_day"]))
    return now >= dt.datetime.combine(day, dt.time(hour, minute), tz)


def run_cycle(db_path, settings_path=None, model=None, sources_config=None, base_url=None, spikes_all=False,
              precision=None, events_endpoints=None, interest=None):
    """One full cycle: crawl, classify, refresh, policy events, search interest, spikes, digest (if due
    and not yet sent). `interest`: interest_job's url, keys, slices (the demo's)."""
    from digest.settings import load_settings
    precision = precision or load_settings(settings_path)["classifier"]["precision"]
    result = crawl_cycle_job(db_path, model, sources_config, base_url, precision)
    result["events"] = events_job(db_path, endpoints=events_endpoints)
    try:  # requests already answered today are not sent again, so this costs no quota on reruns
        result["interest"] = interest_job(db_path, settings_path, *(interest or []))
    except Exception as exc:  # noqa: BLE001 - search interest never stops the cycle
        log.warning("search interest failed: %s", exc)
    date_from = date_to = None
    if spikes_all:  # demo: the sample site's dates are in the past
        from store import open_db
        from store.queries import date_bounds
        db = open_db(db_path)
        date_from, date_to = date_bounds(db)
        db.conn.close()
    result["spikes"] = len(spike_job(db_path, settings_path, date_from, date_to))
    from digest.settings import load_settings
    if digest_due(load_settings(settings_path)):
        result["digest"] = digest_retry_job(db_path, settings_path)
    return result


# ---------------------------------------------------------------- schedule

def job_specs(settings, db_path, settings_path=None, model=None, sources_config=None, base_url=None,
              events_endpoints=None, interest=None):
    """(id, name, func ref, trigger, args) for every job."""
    from events.collect import DAILY_TIME
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger
    from digest.settings import parse_time
    s = settings["schedule"]
    tz = ZoneInfo(s["timezone"])
    dh, dm = parse_time(s["digest_time"])
    sh, sm = parse_time(s["spike_check_time"])
    bh, bm = parse_time(settings["backup"]["time"])
    eh, em = parse_time(DAILY_TIME)
    ih, im = parse_time(settings["interest"]["time"])
    db_path, settings_path = str(db_path), (str(settings_path) if settings_path else None)
    return [
        ("crawl_cycle", "수집·분류·집계 갱신", "scheduler:crawl_cycle_job",
         IntervalTrigger(hours=s["crawl_every_hours"], timezone=tz),
         [db_path, model, sources_config, base_url, settings["classifier"]["precision"]]),
        ("spike_check", "급증 감지", "scheduler:spike_job",
         CronTrigger(hour=sh, minute=sm, timezone=tz), [db_path, settings_path]),
        ("events_fetch", "정책 이벤트 수집 (국회·법령)", "scheduler:events_job",
         CronTrigger(hour=eh, minute=em, timezone=tz), [db_path, None, events_endpoints]),
        ("weekly_digest", "주간 동향 메일", "scheduler:digest_job",
         CronTrigger(day_of_week=s["digest_day"], hour=dh, minute=dm, timezone=tz), [db_path, settings_path]),
        ("digest_retry", "메일 재시도·누락 발송", "scheduler:digest_retry_job",
         IntervalTrigger(minutes=s["digest_retry_minutes"], timezone=tz), [db_path, settings_path]),
        ("backup", "DB 백업", "scheduler:backup_job",
         CronTrigger(hour=bh, minute=bm, timezone=tz), [db_path, settings_path]),
        ("search_interest", "검색 관심 수집", "scheduler:interest_job",
         CronTrigger(hour=ih, minute=im, timezone=tz), [db_path, settings_path, *(interest or [None] * 3)]),
    ]


def build_scheduler(db_path, settings, settings_path=None, model=None, sources_config=None, base_url=None,
                    events_endpoints=None, interest=None):
    """A started-but-paused BackgroundScheduler with the jobs (re)registered in the DB's
    job store. A job whose trigger and arguments are unchanged keeps its persisted next
    run time, so a run missed while the service was down fires within the grace time."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    s = settings["schedule"]
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{Path(db_path).resolve()}",
                                                 engine_options={"connect_args": {"timeout": 30}})},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": s["misfire_grace_minutes"] * 60},
        timezone=ZoneInfo(s["timezone"]))
    sched.start(paused=True)
    specs = job_specs(settings, db_path, settings_path, model, sources_config, base_url, events_endpoints, interest)
    wanted = {spec[0] for spec in specs}
    for job in sched.get_jobs():
        if job.id not in wanted:
            job.remove()
    for job_id, name, func, trigger, args in specs:
        old = sched.get_job(job_id)
        if old and str(old.trigger) == str(trigger) and list(old.args) == args and old.func_ref == func:
            continue
        sched.add_job(func, trigger, args=args, id=job_id, name=name, replace_existing=True)
    record_jobs(db_path, sched)
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
    sched.add_listener(lambda event: record_jobs(db_path, sched), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return sched


def record_jobs(db_path, sched=None):
    """Write scheduled_jobs(job_id, name, trigger, next_run_at) for `monitor.py status`;
    sched=None clears it (the scheduler stopped)."""
    from store import open_db
    from store.util import write_transaction
    db = open_db(db_path)
    try:
        with write_transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS scheduled_jobs (job_id TEXT PRIMARY KEY, name TEXT, "
                       "trigger TEXT, next_run_at TEXT)")
            db.execute("DELETE FROM scheduled_jobs")
            for job in (sched.get_jobs() if sched else []):
                db.execute("INSERT INTO scheduled_jobs VALUES (?, ?, ?, ?)", [
                    job.id, job.name, str(job.trigger),
                    job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else None])
    finally:
        db.conn.close()


# ---------------------------------------------------------------- process lock

def acquire_lock(db_path):
    """An exclusive lock file next to the DB; raises SchedulerLocked naming the holder."""
    path = Path(str(Path(db_path).resolve()) + ".scheduler.lock")
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "?"
        fh.close()
        raise SchedulerLocked(
            f"다른 scheduler.py(PID {holder})가 이미 이 DB를 사용 중입니다 / another scheduler.py (PID {holder}) "
            f"is already running on {db_path}. Stop it first, or use another --db.") from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="scheduler.py", description="자치경찰 언론 모니터 서비스 (schedule + dashboard)")
    p.add_argument("--db", help="SQLite file (default: $MONITOR_DB or data/monitor.db; --demo: data/demo.db)")
    p.add_argument("--config", help="settings file (default: config/settings.toml)")
    p.add_argument("--sources", help="sources file for the crawler (default: the crawler's)")
    p.add_argument("--model", help="encoder folder or id for the classifier (default: the bundled model)")
    from nlp.precision import PRECISIONS
    p.add_argument("--precision", choices=PRECISIONS,
                   help="classifier arithmetic (default from settings: auto)")
    p.add_argument("--once", action="store_true", help="run one full cycle and exit (for cron)")
    p.add_argument("--demo", action="store_true", help="crawl the bundled sample site into a separate demo DB")
    p.add_argument("--no-dashboard", action="store_true", help="do not serve the dashboard")
    p.add_argument("--host", help="dashboard host (default from settings: 127.0.0.1)")
    p.add_argument("--port", type=int, help="dashboard port (default from settings: 8050)")
    from dashboard.serve import add_server_arguments
    add_server_arguments(p)
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING if not args.verbose else logging.DEBUG)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import store
    from digest.settings import SettingsError, load_settings
    try:
        settings = load_settings(args.config)
        if args.precision:
            settings["classifier"]["precision"] = args.precision
        if not args.no_dashboard:  # a public bind needs a login, checked before anything runs
            from dashboard.cli import auth_from_env
            args.auth = auth_from_env(args.host or settings["dashboard"]["host"])
        db_path = store.resolve_path(args.db or (DEMO_DB if args.demo else None))
        store.open_db(db_path).conn.close()  # create / migrate, clear errors first
        lock = acquire_lock(db_path)
    except (SettingsError, store.StoreError, SchedulerLocked) as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 1
    except SystemExit as exc:  # auth_from_env: public bind without MONITOR_DASHBOARD_USER/PASSWORD
        print(exc, file=sys.stderr)
        return 2
    from nlp.convert import ConversionError
    from nlp.errors import ModelMissing
    try:
        return serve(args, settings, db_path)
    except (ModelMissing, ConversionError) as exc:  # e.g. a model wheel not installed
        print(f"오류 / error: 분류 모델을 준비할 수 없습니다 / cannot prepare the classifier: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        lock.close()


def cycle_summary(result):
    """One Korean line for people: new documents, failing sources, classified, spikes."""
    crawl = result.get("crawl") or []
    failing = [c["source"] for c in crawl if c.get("status") not in ("ok", "warning", "skipped")]
    classified = (result.get("classify") or {}).get("classified", 0)
    events = result.get("events") or []
    line = (f"한 주기 완료 / cycle done: 새 문서 {sum(c.get('new') or 0 for c in crawl)}건 "
            f"(수집원 {len(crawl)}곳), 분류 {classified}건, 급증 {result.get('spikes') or 0}건, "
            f"새 정책 이벤트 {sum(e['new'] for e in events)}건")
    if failing:
        line += f"; 오류 수집원 {len(failing)}곳: {', '.join(failing)} (python monitor.py status)"
    failing_events = [e["collector"] for e in events if e["status"] == "error"]
    if failing_events:
        line += f"; 이벤트 수집 오류: {', '.join(failing_events)} (python monitor.py events fetch)"
    interest = result.get("interest") or {}
    if interest.get("ok") or interest.get("skipped"):
        line += f"; 검색 관심 {interest['ok'] + interest['skipped']}/{interest['planned']}건 최신"
    return line


def serve(args, settings, db_path):
    from digest.send import recover_interrupted
    from nlp.classify import ensure_default_model
    import store
    db = store.open_db(db_path)
    if recover_interrupted(db):
        log.warning("digest sends interrupted by the last stop were marked failed and will be retried")
    db.conn.close()
    log.info("DB %s; checking the classifier model", db_path)
    ensure_default_model(progress=True, model=args.model, precision=settings["classifier"]["precision"])
    sources, base_url, site, apis, endpoints = args.sources, None, None, None, None
    datalab, interest = None, None
    if args.demo:
        from crawler.sample_site import serve as serve_site
        from events.recorded import serve as serve_apis
        from interest.sample_server import DataLabServer
        site, apis, datalab = serve_site(), serve_apis(), DataLabServer()
        interest = [datalab.api_url, list(DEMO_DATALAB_KEYS), ["all"]]  # demo only: the local stand-in's keys
        sources, base_url, endpoints = str(DEMO_SOURCES), site.url, apis.endpoints
        log.info("demo: sample site at %s, recorded Assembly and law APIs at %s and %s", site.url,
                 apis.assembly.url, apis.law.url)
        log.info("demo: DataLab stand-in at %s", datalab.api_url)
    try:
        if args.demo:
            import_demo_history(db_path)
        if args.once or args.demo:
            result = run_cycle(db_path, args.config, args.model, sources, base_url, spikes_all=args.demo,
                               precision=settings["classifier"]["precision"], events_endpoints=endpoints, interest=interest)
            print(cycle_summary(result), flush=True)
            if args.once:
                return 0
        sched = build_scheduler(db_path, settings, args.config, args.model, sources, base_url, endpoints, interest)
        stop = threading.Event()
        # Ctrl-C and SIGTERM both end the loop below (also when started where SIGINT is ignored)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        sched.resume()
        record_jobs(db_path, sched)
        for job in sched.get_jobs():
            log.info("job %s (%s) next at %s", job.id, job.trigger, job.next_run_time)
        try:
            if args.no_dashboard:
                while not stop.wait(1):
                    pass
            else:
                run_dashboard(db_path, settings, args, stop)
        except KeyboardInterrupt:
            pass
        log.info("stopping: ending a running crawl cleanly, waiting for running jobs")
        STOPPING.set()
        from crawler.run import terminate_all
        terminate_all()
        sched.shutdown(wait=True)
        record_jobs(db_path, None)
        return 0
    finally:
        if site:
            site.close()
        if apis:
            apis.close()
        if datalab:
            datalab.close()


def run_dashboard(db_path, settings, args, stop):
    """Serve the Dash app until Ctrl-C / SIGTERM (waitress, or --server dev, in a thread)."""
    from dashboard.app import create_app
    from dashboard.serve import serve_until
    app = create_app(str(db_path), auth=getattr(args, "auth", None), settings=settings)
    host = args.host or settings["dashboard"]["host"]
    port = args.port or settings["dashboard"]["port"]
    print(f"대시보드 / dashboard: http://{host}:{port}/ ({args.server})", flush=True)
    serve_until(stop, app.server, host, port, args.server, args.threads)


if __name__ == "__main__":
    import scheduler  # one module instance for main() and the jobs APScheduler imports by name
    sys.exit(scheduler.main())
