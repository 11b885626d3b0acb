"""Backups and restore (store/backup.py, `monitor.py backup|restore`): an online backup
taken while another process writes restores to an identical, integrity-checked store;
retention keeps the right files; restore never clobbers a store by accident, checks the
file and its schema version; the documented upgrade (backup → migrate) keeps every row."""
import datetime as dt
import gzip
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import store
from store.backup import MANIFEST, backups_in, kept, prune, take_backup
from store.schema import SCHEMA_VERSION, migrate
from store.synthetic import seed_synthetic

ROOT = Path(__file__).resolve().parent.parent
RETENTION = {"keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12}

# A second process writing a document and its correction in one transaction, as fast as it
# can, until the stop file appears (bounded: at most 20,000 documents or 300 s).
WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import store
from store.documents import save_document
from store.labels import add_annotation
from store.util import write_transaction
db = store.open_db(sys.argv[1])
stop, deadline = Path(sys.argv[2]), time.time() + 300
for n in range(20000):
    if stop.exists() or time.time() > deadline:
        break
    with write_transaction(db):
        doc_id, _ = save_document(db, {"canonical_url": f"https://load.example.kr/{n:06d}", "title": f"부하 기사 {n:06d}",
                                       "body": "자치경찰 예산 " * 20, "published_at": "2026-11-20T01:00:00Z",
                                       "source": "load", "kind": "news", "outlet": "부하일보"})
        add_annotation(db, doc_id, "load-writer", sentiment="negative", note=f"{n:06d}")
"""


def cli(*args, **kw):
    return subprocess.run([sys.executable, "monitor.py", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=kw.pop("timeout", 180), **kw)


def rows(conn, table, columns="*"):
    """A table's rows in insertion order (rowid); WITHOUT ROWID tables in primary-key order."""
    try:
        return conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY rowid').fetchall()
    except sqlite3.OperationalError:
        return conn.execute(f'SELECT {columns} FROM "{table}"').fetchall()


def column_list(conn, table):
    return ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{table}")'))


def content_tables(conn):
    """Ordinary tables, without the FTS indexes and their shadow tables (compared by a search instead)."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'documents_fts%' AND name NOT LIKE 'search_bigrams%' ORDER BY name")]


def documents(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


def load_docs(conn):
    return conn.execute("SELECT COUNT(*) FROM documents WHERE source = 'load'").fetchone()[0]


def test_backup_during_write_load_restores_identical_store(tmp_path):
    db_path = tmp_path / "live.db"
    db = store.open_db(db_path)
    seed_synthetic(db, 600, days=30, end_date="2026-11-20")
    db.conn.close()
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(stop), str(ROOT)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watch = sqlite3.connect(db_path, timeout=30)
    try:
        deadline = time.time() + 60
        while load_docs(watch) < 30 and time.time() < deadline and writer.poll() is None:
            time.sleep(0.2)
        assert load_docs(watch) >= 30, writer.stdout.read() if writer.poll() is not None else "writer too slow"
        backup = tmp_path / "during-load.db.gz"
        result = cli("--db", db_path, "backup", "--out", backup)
        assert result.returncode == 0, result.stderr
        after_backup = load_docs(watch)
        while load_docs(watch) < after_backup + 30 and time.time() < deadline + 60 and writer.poll() is None:
            time.sleep(0.2)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stdout.read()
    assert "integrity_check ok, row counts match" in result.stdout

    restored_path = tmp_path / "restored.db"
    result = cli("restore", backup, "--to", restored_path)
    assert result.returncode == 0, result.stderr
    restored = sqlite3.connect(restored_path)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert restored.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not restored.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [MANIFEST]).fetchone()

    # the copy is one moment of the live store: the load writer kept going after it
    in_copy, in_live = load_docs(restored), load_docs(watch)
    assert 30 <= in_copy < in_live
    for table in content_tables(watch):
        live, copy = rows(watch, table), rows(restored, table)
        if table in ("documents", "annotations", "labels", "rollup_dirty", "job_runs", "search_queue", "term_queue"):
            assert copy == live[:len(copy)], table  # the moment's rows, unchanged, in order
        else:
            assert copy == live, table
    # every document has the correction written in its transaction, numbered without a gap
    notes = [r[0] for r in restored.execute(
        "SELECT a.note FROM documents d JOIN annotations a ON a.document_id = d.id WHERE d.source = 'load' "
        "ORDER BY a.note")]
    assert notes == [f"{n:06d}" for n in range(in_copy)]
    # the full-text index came along and agrees with the documents
    search = "SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH ?"
    assert restored.execute(search, ['"부하 기사"']).fetchone()[0] == in_copy
    # a backup was recorded for status and /healthz
    status = cli("--db", db_path, "status")
    assert "마지막 백업 / last backup:" in status.stdout and "during-load.db.gz" in status.stdout


def test_retention_keeps_newest_per_day_week_and_month(tmp_path):
    # one backup a day at 03:30 Korean time (18:30 UTC the day before) for almost two years,
    # a second one on the last day, and a 10-day gap when the machine was off
    kst = dt.timezone(dt.timedelta(hours=9))
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(689)]  # to 2026-11-20
    gap = {dt.date(2026, 11, 5) + dt.timedelta(days=i) for i in range(10)}  # 11-05 .. 11-14 missing
    times = [dt.datetime.combine(d, dt.time(3, 30), kst).astimezone(dt.timezone.utc) for d in days if d not in gap]
    times.append(dt.datetime(2026, 11, 20, 14, 0, tzinfo=kst).astimezone(dt.timezone.utc))
    for when in times:
        (tmp_path / f"monitor-{when.strftime('%Y%m%dT%H%M%SZ')}.db.gz").write_bytes(b"")
    others = ["demo-20250101T000000Z.db.gz", "monitor-notes.txt", "monitor.before-restore-20250101T000000Z.db"]
    for name in others:
        (tmp_path / name).write_bytes(b"")

    deleted = prune(tmp_path, "monitor", RETENTION)

    left = sorted((when.astimezone(kst).strftime("%Y-%m-%d %H:%M"), path.name) for when, path in backups_in(tmp_path, "monitor"))
    expected_days = (
        # daily: the newest of the last 7 days that have a backup (the gap does not use them up);
        # on 11-20 the 14:00 one, not the 03:30 one
        ["2026-11-20 14:00", "2026-11-19 03:30", "2026-11-18 03:30", "2026-11-17 03:30", "2026-11-16 03:30",
         "2026-11-15 03:30", "2026-11-04 03:30"]
        # weekly (ISO weeks end on Sunday): 11-20's week (already kept), 11-15, 11-04 (week of 11-02..08), 11-01
        + ["2026-11-01 03:30"]
        # monthly: the last backup of each of the last 12 months (Nov 2026 kept already)
        + [f"{d} 03:30" for d in ("2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30",
                                  "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31", "2025-12-31")])
    assert [when for when, _ in left] == sorted(expected_days)
    assert len(deleted) == len(times) - len(expected_days)
    for name in others:  # not this store's backups: never touched
        assert (tmp_path / name).exists()
    # a second run has nothing more to delete
    assert prune(tmp_path, "monitor", RETENTION) == []


def test_retention_counts_are_settings():
    base = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.timezone.utc)
    times = [base - dt.timedelta(days=i) for i in range(30)]
    assert kept(times, 1, 0, 0) == {base}
    assert len(kept(times, 3, 0, 0)) == 3 and len(kept(times, 30, 0, 0)) == 30
    assert kept(times, 1, 0, 2) == {base, dt.datetime(2026, 10, 31, 0, 0, tzinfo=dt.timezone.utc)}


def test_scheduled_backup_writes_into_the_folder_and_prunes(tmp_path):
    db_path = tmp_path / "data" / "monitor.db"
    seed_synthetic(store.open_db(db_path), 50, days=5)
    folder = tmp_path / "data" / "backups"
    folder.mkdir()
    old = folder / "monitor-20240101T000000Z.db.gz"  # beyond the one day kept below
    old.write_bytes(b"")
    from store.backup import run_backup
    detail = run_backup(db_path, {"folder": "backups", "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0})
    assert Path(detail["path"]).parent == folder and Path(detail["path"]).exists()
    assert detail["pruned"] == [old.name] and not old.exists()
    assert detail["documents"] == 50


def test_restore_refuses_to_clobber_and_checks_the_file(tmp_path):
    live = tmp_path / "monitor.db"
    db = store.open_db(live)
    seed_synthetic(db, 120, days=10)
    db.conn.close()
    backup = tmp_path / "b.db.gz"
    take_backup(live, backup)
    db = store.open_db(live)
    seed_synthetic(db, 30, days=10, seed=120)  # the live store moves on after the backup
    db.conn.close()

    refused = cli("--db", live, "restore", backup)
    assert refused.returncode == 1 and "--force" in refused.stderr and "already exists" in refused.stderr
    assert documents(live) == 150

    # --force still refuses while another process has the store open, or a scheduler runs on it
    holder = sqlite3.connect(live)
    holder.execute("SELECT COUNT(*) FROM documents").fetchone()
    in_use = cli("--db", live, "restore", backup, "--force")
    holder.close()
    assert in_use.returncode == 1 and "stop scheduler.py and the dashboard first" in in_use.stderr
    locker = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[2]); import scheduler; "
                               "lock = scheduler.acquire_lock(sys.argv[1]); print('locked', flush=True); time.sleep(60)",
                               str(live), str(ROOT)], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        locked = cli("--db", live, "restore", backup, "--force")
    finally:
        locker.kill()
        locker.wait()
    assert locked.returncode == 1 and "another scheduler.py" in locked.stderr
    assert documents(live) == 150

    forced = cli("--db", live, "restore", backup, "--force")
    assert forced.returncode == 0, forced.stderr
    assert documents(live) == 120
    aside = list(tmp_path.glob("monitor.before-restore-*.db"))
    assert len(aside) == 1 and documents(aside[0]) == 150

    # a damaged file and a file that is no backup: a clear error, nothing created
    damaged = tmp_path / "damaged.db.gz"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    for bad, words in ((damaged, "damaged"), (tmp_path / "monitor.db.scheduler.lock", "is not a backup")):
        result = cli("restore", bad, "--to", tmp_path / "new.db")
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert not (tmp_path / "new.db").exists()


def test_restore_refuses_a_newer_schema_and_a_tampered_copy(tmp_path):
    live = tmp_path / "monitor.db"
    seed_synthetic(store.open_db(live), 40, days=5)
    newer = store.open_db(live)
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.conn.close()
    backup = tmp_path / "newer.db.gz"
    take_backup(live, backup)
    result = cli("restore", backup, "--to", tmp_path / "r.db")
    assert result.returncode == 1 and f"newer than this program's {SCHEMA_VERSION}" in result.stderr
    assert not (tmp_path / "r.db").exists()

    # a copy whose rows no longer match its manifest (a row lost) is refused
    raw = tmp_path / "raw.db"
    raw.write_bytes(gzip.decompress(backup.read_bytes()))
    conn = sqlite3.connect(raw)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("DELETE FROM annotations")
    conn.execute("DELETE FROM labels WHERE rowid = (SELECT MIN(rowid) FROM labels)")
    conn.commit()
    conn.close()
    result = cli("restore", raw, "--to", tmp_path / "r.db")
    assert result.returncode == 1 and "row counts differ" in result.stderr and "labels 40/39" in result.stderr
    assert not (tmp_path / "r.db").exists()


def test_upgrade_from_the_previous_schema_keeps_every_row(tmp_path):
    """docs/operations.md's upgrade: backup → stop → pull → migrate (`init`) → start, on a
    store made by the previous schema version; and restoring that backup migrates it too."""
    old_path = tmp_path / "monitor.db"
    conn = sqlite3.connect(old_path)
    import sqlite_utils
    old = sqlite_utils.Database(conn)
    migrate(old, target=SCHEMA_VERSION - 1)
    seed_synthetic(old, 300, days=20, end_date="2026-11-20")
    old.execute("INSERT INTO digests (week, recipient, status, attempts) VALUES ('2026-W46', 'a@b.kr', 'sent', 1)")
    doc_id = old.execute("SELECT id FROM documents LIMIT 1").fetchone()[0]
    old.execute("INSERT INTO annotations (document_id, sentiment, annotator, created_at) "
                "VALUES (?, 'negative', '검토자', '2026-11-20T00:00:00Z')", [doc_id])
    conn.commit()
    before = {t: (column_list(conn, t), rows(conn, t)) for t in content_tables(conn)}  # migrations may add columns
    conn.close()

    backup = tmp_path / "before-upgrade.db.gz"
    result = cli("--db", old_path, "backup", "--out", backup)
    assert result.returncode == 0, result.stderr
    assert sqlite3.connect(old_path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1  # untouched

    result = cli("--db", old_path, "init")
    assert result.returncode == 0 and f"schema v{SCHEMA_VERSION}/{SCHEMA_VERSION}" in result.stdout, result.stderr
    result = cli("restore", backup, "--to", tmp_path / "restored.db")
    assert result.returncode == 0 and f"schema v{SCHEMA_VERSION - 1} → v{SCHEMA_VERSION}" in result.stdout
    for path in (old_path, tmp_path / "restored.db"):
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table, (columns, old_rows) in before.items():
            new_rows = rows(conn, table, columns)
            if table == "job_runs" and path == old_path:
                # the live store records the backup run itself; the snapshot predates it
                assert [r[1] for r in new_rows if r not in old_rows] == ["backup"]
                new_rows = [r for r in new_rows if r[1] != "backup"]
            assert new_rows == old_rows, (path.name, table)
        conn.close()


def test_backup_of_a_missing_store_is_a_clear_error(tmp_path):
    result = cli("--db", tmp_path / "nothing.db", "backup", "--out", tmp_path / "x.db.gz")
    assert result.returncode == 1 and "no store to back up" in result.stderr
    assert not (tmp_path / "x.db.gz").exists() and not (tmp_path / "nothing.db").exists()


def test_status_warns_when_the_last_backup_is_older_than_two_days():
    from store.cli_status import backup_line
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)
    run = {"finished_at": "2026-11-19T12:00:00Z", "detail": {"path": "data/backups/monitor-x.db.gz", "bytes": 2_500_000}}
    line = backup_line(run, 48, now)
    assert line.startswith("마지막 백업 / last backup: 2026-11-19T12:00:00Z (24시간 전)") and "2.5 MB" in line
    assert "⚠" not in line
    old = backup_line({**run, "finished_at": "2026-11-18T11:00:00Z"}, 48, now)
    assert old.startswith("⚠ 48시간 넘게 백업이 없습니다 / backup older than 48 h!") and "(49시간 전)" in old
    assert backup_line(None, 48, now).startswith("⚠ 백업 없음 / no backup yet")
