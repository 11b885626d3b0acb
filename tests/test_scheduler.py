"""scheduler.py: the jobs and their triggers, the persistent job store, the process lock,
a clean stop, and one full `--once` cycle on the sample site with the tiny model."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import scheduler
import store
from digest.settings import load_settings
from digest_helpers import SmtpServer
from store.cli_status import next_jobs
from store.job_runs import last_run

ROOT = Path(__file__).resolve().parent.parent
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text((ROOT / "config" / "settings.toml").read_text(encoding="utf-8")
                    + '\n[[recipients]]\nemail = "staff@committee.example"\nregion = "서울"\n', encoding="utf-8")
    return path


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_SMTP_")}
    return {**env, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra}


def test_jobs_registered_with_triggers_and_persisted(db, db_path, settings_file):
    settings = load_settings(settings_file)
    sched = scheduler.build_scheduler(db_path, settings, str(settings_file))
    try:
        jobs = {j.id: j for j in sched.get_jobs()}
        assert set(jobs) == {"crawl_cycle", "spike_check", "events_fetch", "weekly_digest", "digest_retry", "backup",
                             "search_interest"}
        assert jobs["crawl_cycle"].trigger.interval == dt.timedelta(hours=3)
        assert jobs["digest_retry"].trigger.interval == dt.timedelta(minutes=30)
        weekly = {f.name: str(f) for f in jobs["weekly_digest"].trigger.fields}
        assert (weekly["day_of_week"], weekly["hour"], weekly["minute"]) == ("mon", "8", "0")
        spike = {f.name: str(f) for f in jobs["spike_check"].trigger.fields}
        assert (spike["day_of_week"], spike["hour"], spike["minute"]) == ("*", "7", "30")
        backup = {f.name: str(f) for f in jobs["backup"].trigger.fields}
        assert (backup["day_of_week"], backup["hour"], backup["minute"]) == ("*", "3", "30")
        events = {f.name: str(f) for f in jobs["events_fetch"].trigger.fields}
        assert (events["day_of_week"], events["hour"], events["minute"]) == ("*", "6", "30")  # daily
        interest = {f.name: str(f) for f in jobs["search_interest"].trigger.fields}
        assert (interest["day_of_week"], interest["hour"], interest["minute"]) == ("*", "6", "45")
        assert str(jobs["weekly_digest"].trigger.timezone) == "Asia/Seoul"
        for job in jobs.values():
            assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 3600)
            assert job.func_ref.startswith("scheduler:") and job.args[0] == str(db_path)
        sched.resume()
        nxt = sched.get_job("weekly_digest").next_run_time.astimezone(SEOUL)
        assert (nxt.weekday(), nxt.hour, nxt.minute) == (0, 8, 0)
        scheduler.record_jobs(db_path, sched)
        listed = {j["job_id"]: j for j in next_jobs(db)}
        assert set(listed) == set(jobs) and listed["weekly_digest"]["next_run_at"] == nxt.isoformat()
        persisted = sched.get_job("weekly_digest").next_run_time
    finally:
        sched.shutdown(wait=False)
    # a restarted scheduler finds the jobs in the DB and keeps an unchanged job's next run
    again = scheduler.build_scheduler(db_path, settings, str(settings_file))
    try:
        assert again.get_job("weekly_digest").next_run_time == persisted
        assert len(again.get_jobs()) == 7
    finally:
        again.shutdown(wait=False)


def test_schedule_settings_changes_take_effect(db_path, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[schedule]\ncrawl_every_hours = 6\ndigest_day = "tue"\ndigest_time = "09:15"\n', encoding="utf-8")
    store.open_db(db_path)
    sched = scheduler.build_scheduler(db_path, load_settings(path), str(path))
    try:
        assert sched.get_job("crawl_cycle").trigger.interval == dt.timedelta(hours=6)
        weekly = {f.name: str(f) for f in sched.get_job("weekly_digest").trigger.fields}
        assert (weekly["day_of_week"], weekly["hour"], weekly["minute"]) == ("tue", "9", "15")
    finally:
        sched.shutdown(wait=False)


def test_digest_due_follows_the_configured_time():
    settings = load_settings()
    assert not scheduler.digest_due(settings, dt.datetime(2026, 11, 23, 7, 59, tzinfo=SEOUL))  # Monday
    assert scheduler.digest_due(settings, dt.datetime(2026, 11, 23, 8, 0, tzinfo=SEOUL))
    assert scheduler.digest_due(settings, dt.datetime(2026, 11, 29, 23, 0, tzinfo=SEOUL))  # Sunday


def test_lock_refuses_second_scheduler_and_ctrl_c_stops_cleanly(db_path, settings_file, tiny_model_dir):
    store.open_db(db_path).conn.close()
    cmd = [sys.executable, "scheduler.py", "--db", str(db_path), "--config", str(settings_file),
           "--model", str(tiny_model_dir), "--no-dashboard"]
    first = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        db = store.open_db(db_path)
        deadline = time.monotonic() + 240
        while not next_jobs(db) and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.5)
        assert len(next_jobs(db)) == 7, first.stdout.read() if first.poll() is not None else "no jobs recorded"
        second = subprocess.run(cmd + ["--once"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert f"another scheduler.py (PID {first.pid}) is already running" in second.stderr
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert next_jobs(db) == []  # status shows the scheduler is not running
    assert db.execute("SELECT COUNT(*) FROM apscheduler_jobs").fetchone()[0] == 7  # persisted for the restart


def test_once_cycle_end_to_end_on_sample_site(tmp_path, settings_file, tiny_model_dir):
    """--demo --once: serve the sample site, crawl it, classify, detect spikes, send the
    (due) digest to a real SMTP server, exit. The digest time is Monday 00:00, so the
    digest is due whatever day and hour the test runs (no dependence on the real clock)."""
    text = settings_file.read_text(encoding="utf-8")
    assert 'digest_time = "08:00"' in text
    settings_file.write_text(text.replace('digest_time = "08:00"', 'digest_time = "00:00"'), encoding="utf-8")
    assert scheduler.digest_due(load_settings(settings_file), dt.datetime(2026, 11, 23, 0, 0, tzinfo=SEOUL))
    db_path = tmp_path / "demo.db"
    smtp = SmtpServer()
    try:
        proc = subprocess.run(
            [sys.executable, "scheduler.py", "--demo", "--once", "--db", str(db_path), "--config", str(settings_file),
             "--model", str(tiny_model_dir)], cwd=ROOT, env=_env(**smtp.env()), capture_output=True, text=True,
            timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        db = store.open_db(db_path)
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT COUNT(*) FROM documents") >= 10
        assert one("SELECT COUNT(*) FROM labels") == one("SELECT COUNT(*) FROM documents")
        # the bundled BigKinds-format history (2021-07 → 2023) came in and was classified with the crawl
        assert one("SELECT COUNT(*) FROM documents WHERE origin_kind = 'bigkinds'") >= 300
        assert one("SELECT MIN(pub_date) FROM documents") == "2021-07-01"
        assert one("SELECT COUNT(*) FROM crawl_runs WHERE status IN ('ok', 'warning')") >= 1
        assert one("SELECT COUNT(*) FROM rollup_dirty") == 0  # rollups refreshed after classification
        cycle = last_run(db, "crawl_cycle")  # recorded for /healthz and /metrics
        assert cycle["detail"]["new"] == one("SELECT SUM(new) FROM crawl_runs") >= 10
        assert cycle["detail"]["classified"] == one("SELECT COUNT(*) FROM labels")
        assert cycle["detail"]["crawl_seconds"] > 0 and cycle["detail"]["classify_seconds"] > 0
        assert one("SELECT COALESCE(SUM(articles), 0) FROM rollup_base") == one(
            "SELECT COUNT(*) FROM documents d JOIN labels l ON l.document_id = d.id "
            "WHERE l.relevant = 1 AND d.duplicate_of IS NULL")
        # policy events from the recorded Assembly and law APIs and the milestones
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
        assert kinds["bill"] >= 5 and kinds["law"] >= 3 and kinds["decree"] >= 1 and kinds["milestone"] >= 4
        # search interest from the demo's local DataLab stand-in, on the anchor's scale
        assert one("SELECT COUNT(DISTINCT group_name) FROM search_interest WHERE unit = 'date' AND is_anchor = 0") == 20
        assert last_run(db, "search_interest")["detail"]["ok"] == 15
        assert one("SELECT status FROM digests") == "sent"
        assert len(smtp.messages) == 1
        assert smtp.messages[0][0] == ["staff@committee.example"]
        text = smtp.messages[0][1].get_body(("plain",)).get_content()
        assert "■ 이번 주 국회·법령" in text and "[법률안]" in text  # the demo's bills fall in every last week
        assert "■ 네이버 검색 관심 (직전 4주 평균 = 100): 자치경찰제 " in text  # the stand-in answers to yesterday
        assert "cycle done" in proc.stdout
    finally:
        smtp.stop()
