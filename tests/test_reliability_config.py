"""Bad configuration: each mistake gets a message naming the file (and line / field), and the
rest keeps working: the other sources are crawled, the other scheduled jobs still run."""
import datetime as dt

import pytest

import scheduler
from digest.settings import SettingsError, load_settings
from reliability_support import GOOD_COUNT, GOOD_NAME, GOOD_SOURCE, REPO, crawl_table, monitor, scalar
from store import open_db
from store.synthetic import seed_synthetic

BAD_SOURCES = '''
[[source]]
name = "유형 오류"
kind = "news"
type = "rss-ish"
url = "{base}feeds/search.xml"

[[source]]
name = "선택자 오류"
kind = "civic"
type = "board"
url = "{base}civic/board.php"
[source.selectors]
item = "table.board tbody tr[["
link = "td.subject a"
'''


def test_bad_sources_are_reported_with_file_and_line_and_the_rest_is_crawled(tmp_path, sample_site):
    config = tmp_path / "sources.toml"
    text = crawl_table(timeout=5) + BAD_SOURCES + GOOD_SOURCE
    config.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    type_line = lines.index("[[source]]") + 1
    selector_line = lines.index("[[source]]", type_line) + 1
    result = monitor("--db", tmp_path / "m.db", "crawl", "--config", config, "--base-url", sample_site.url,
                     timeout=180)
    out = result.stdout + result.stderr
    assert result.returncode == 1  # config errors make the run fail loudly ...
    assert f"{config}:{type_line}: source '유형 오류': field 'type': unknown type 'rss-ish'" in out
    assert f"{config}:{selector_line}: source '선택자 오류': field 'selectors.item': bad CSS selector" in out
    # ... but the valid source was still crawled
    assert scalar(tmp_path / "m.db", "SELECT COUNT(*) FROM documents WHERE source = ?", [GOOD_NAME]) == GOOD_COUNT


def test_broken_toml_names_file_and_line(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[crawl]\nfast = true\n\n[[source]]\nname = "따옴표 없음\n', encoding="utf-8")
    result = monitor("--db", tmp_path / "m.db", "crawl", "--config", config, timeout=60)
    assert result.returncode != 0
    assert str(config) in result.stdout + result.stderr and "line 5" in result.stdout + result.stderr


@pytest.mark.parametrize("section, key, value", [
    ("schedule", "digest_time", '"25:00"'), ("schedule", "spike_check_time", '"7시"'),
    ("schedule", "digest_day", '"monday"'), ("schedule", "crawl_every_hours", '"3시간"'),
    ("schedule", "timezone", '"Seoul"'), ("schedule", "digest_retry_minutes", "0"),
    ("schedule", "digst_time", '"08:00"'),  # a typo would otherwise be ignored silently
    ("dashboard", "port", "80800"), ("digest", "top_stories", '"5"'), ("spikes", "k", '"high"'),
    ("spikes", "alert_email", '"yes"'), ("spikes", "window", "28")])
def test_bad_settings_are_named_with_file_and_line(tmp_path, section, key, value):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'# 설정\n[{section}]\n\n{key} = {value}\n', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        scheduler.job_specs(load_settings(settings), tmp_path / "m.db", settings)
    assert str(err.value).startswith(f"{settings}:4: [{section}] {key}"), err.value
    assert value.strip('"') in str(err.value) or "unknown setting" in str(err.value)


def test_shipped_settings_file_is_valid():
    settings = load_settings(REPO / "config" / "settings.toml")
    ids = [spec[0] for spec in scheduler.job_specs(settings, "m.db")]
    assert sorted(ids) == ["backup", "crawl_cycle", "digest_retry", "events_fetch", "spike_check", "weekly_digest"]


def test_scheduler_refuses_to_start_on_a_bad_schedule_with_a_clear_message(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[schedule]\ndigest_time = "8시"\n', encoding="utf-8")
    import subprocess
    import sys
    from reliability_support import REPO, env
    result = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--db", str(tmp_path / "m.db"),
                             "--config", str(settings), "--no-dashboard"], cwd=REPO, env=env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{settings}:2: [schedule] digest_time" in result.stderr


def test_missing_smtp_fails_the_digest_only_and_other_jobs_run(tmp_path, monkeypatch):
    for name in ("MONITOR_SMTP_HOST", "MONITOR_SMTP_SENDER", "MONITOR_SMTP_USER"):
        monkeypatch.delenv(name, raising=False)
    settings = tmp_path / "settings.toml"
    settings.write_text('[[recipients]]\nemail = "staff@example.org"\n', encoding="utf-8")
    db_path = tmp_path / "m.db"
    db = open_db(db_path)
    from digest_helpers import add_docs
    first = dt.date(2026, 10, 1)
    for n in range(8):  # one article a day, then 10 on 10-08: a volume spike
        add_docs(db, (first + dt.timedelta(days=n)).isoformat(), 10 if n == 7 else 1)
    db.conn.close()
    scheduler.digest_job(db_path, settings, week="2026-W41")
    conn = open_db(db_path)
    row = conn.execute("SELECT week, status, error FROM digests WHERE recipient = 'staff@example.org'").fetchone()
    conn.conn.close()
    assert row[:2] == ("2026-W41", "failed") and "MONITOR_SMTP_HOST" in row[2]
    spikes = scheduler.spike_job(db_path, settings, "2026-10-08", "2026-10-08")  # the next job is not affected
    assert {(s["day"], s["metric"], s["scope"]) for s in spikes} == {
        ("2026-10-08", "volume", "overall"), ("2026-10-08", "volume", "region"), ("2026-10-08", "volume", "topic")}
    assert scalar(db_path, "SELECT COUNT(*) FROM spikes WHERE day = '2026-10-08'") == 3


def test_missing_model_files_are_named(tmp_path):
    db_path = tmp_path / "m.db"
    db = open_db(db_path)
    seed_synthetic(db, 20, days=5, seed=1)
    db.conn.close()
    missing = tmp_path / "no-such-classifier"
    result = monitor("--db", db_path, "classify", "--classifier", missing, timeout=180)
    assert result.returncode == 2
    assert str(missing) in result.stderr or missing.name in result.stderr, result.stderr[-1000:]
    assert "Traceback" not in result.stderr
    encoder = tmp_path / "no-such-encoder"
    result = monitor("--db", db_path, "classify", "--model", f"./{encoder.name}", timeout=180, cwd=tmp_path)
    assert result.returncode == 2 and encoder.name in result.stderr and "Traceback" not in result.stderr
