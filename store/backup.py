"""Online backups of the store, their retention, and restore.

A backup is one gzip file, `<db stem>-<UTC stamp>.db.gz`. It is a consistent copy taken with
SQLite's online backup API inside one read transaction, so the scheduler and the dashboard
keep writing meanwhile (WAL); the copy must pass `PRAGMA integrity_check` and hold exactly
the row counts the source had in that same snapshot. The counts and schema version travel
inside the file (table _backup_manifest), so a restore checks the file again on its own.

Retention keeps the newest backup of each of the last `keep_daily` days, `keep_weekly` ISO
weeks and `keep_monthly` months that have one (Korean dates), like restic's --keep-daily:
days without a backup (machine off) do not use up the quota. Files not named like a
backup of this store are never touched.
"""
import datetime as dt
import gzip
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

from store import StoreError
from store.schema import SCHEMA_VERSION
from store.util import KST

MANIFEST = "_backup_manifest"
NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)\.db\.gz$")
STAMP = "%Y%m%dT%H%M%SZ"
SQLITE_MAGIC, GZIP_MAGIC = b"SQLite format 3\x00", b"\x1f\x8b"


class BackupError(StoreError):
    """A backup or restore that cannot go ahead, said so the operator can act."""


# ---------------------------------------------------------------- taking a backup

def table_counts(conn):
    """{table: rows} for every ordinary table (FTS shadow tables included, the manifest not)."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name != ? ORDER BY name", [MANIFEST])]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def take_backup(db_path, out_path, now=None):
    """Copy the store into out_path (gzip) while others may write; returns the manifest
    (schema_version, counts, created_at, bytes). Nothing is left at out_path on failure."""
    db_path, out_path = Path(db_path), Path(out_path)
    if not db_path.is_file():
        raise BackupError(f"백업할 DB가 없습니다 / no store to back up at {db_path}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    copy = out_path.with_name(out_path.name + ".copy-tmp")
    packed = out_path.with_name(out_path.name + ".tmp")
    try:
        manifest = _snapshot(db_path, copy)
        manifest["created_at"] = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        problems = check_copy(copy, manifest["counts"])
        if problems:
            raise BackupError(f"백업 검증 실패 / the copy failed verification: {problems}")
        _write_manifest(copy, manifest)
        _compress(copy, packed, out_path.name.removesuffix(".gz"))
        os.replace(packed, out_path)
    finally:
        for path in (copy, packed, Path(f"{copy}-journal")):
            path.unlink(missing_ok=True)
    manifest["bytes"] = out_path.stat().st_size
    return manifest


def _snapshot(db_path, copy_path):
    """Row counts and a page copy of one read snapshot; the copy is left in rollback-journal
    mode so it is a single self-contained file."""
    src = sqlite3.connect(str(db_path), timeout=30)
    dst = sqlite3.connect(str(copy_path))
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        src.execute("BEGIN")  # the counts and the copy below see the same snapshot
        version = src.execute("PRAGMA user_version").fetchone()[0]
        counts = table_counts(src)
        src.backup(dst)  # all pages in one step: never restarted by a concurrent writer
        src.rollback()
        dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"DB를 복사하지 못했습니다 / could not copy {db_path}: {exc}") from exc
    finally:
        src.close()
        dst.close()
    return {"schema_version": version, "counts": counts}


def check_copy(path, counts=None):
    """'' when the file passes integrity_check and (if given) has exactly these counts,
    else what is wrong."""
    conn = sqlite3.connect(str(path))
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            return "integrity_check: " + "; ".join(result[:5])
        if counts is not None:
            have = table_counts(conn)
            wrong = {t: (counts.get(t), have.get(t)) for t in set(counts) | set(have) if counts.get(t) != have.get(t)}
            if wrong:
                return "row counts differ (expected, found): " + ", ".join(f"{t} {e}/{f}" for t, (e, f) in sorted(wrong.items()))
        return ""
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()


def _write_manifest(path, manifest):
    conn = sqlite3.connect(str(path))
    try:
        with conn:
            conn.execute(f"CREATE TABLE {MANIFEST} (key TEXT PRIMARY KEY, value TEXT)")
            conn.executemany(f"INSERT INTO {MANIFEST} VALUES (?, ?)",
                             [(k, json.dumps(v, ensure_ascii=False)) for k, v in manifest.items()])
    finally:
        conn.close()


def read_manifest(conn):
    """The manifest of an unpacked backup ({} for a plain copy without one)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [MANIFEST]).fetchone():
        return {}
    return {k: json.loads(v) for k, v in conn.execute(f"SELECT key, value FROM {MANIFEST}")}


def _compress(src, dst, name):
    """gzip src into dst (the header names the unpacked file `name`), synced to disk."""
    with open(src, "rb") as fin, open(dst, "wb") as raw:
        with gzip.GzipFile(filename=name, mode="wb", compresslevel=6, fileobj=raw) as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
        raw.flush()
        os.fsync(raw.fileno())


# ---------------------------------------------------------------- the scheduled job and `monitor.py backup`

def backup_folder(db_path, settings):
    """[backup] folder; a relative folder is taken from the store's own folder."""
    folder = Path(settings["folder"])
    return folder if folder.is_absolute() else Path(db_path).resolve().parent / folder


def backup_name(db_path, when):
    return f"{Path(db_path).stem}-{when.astimezone(dt.timezone.utc).strftime(STAMP)}.db.gz"


def run_backup(db_path, settings, out=None, now=None):
    """Back up into `out`, or into the backup folder and then apply the retention there;
    recorded in job_runs ('backup'). Returns the job's detail."""
    from store.job_runs import recorded
    now = now or dt.datetime.now(dt.timezone.utc)
    with recorded(db_path, "backup") as detail:
        folder = None if out else backup_folder(db_path, settings)
        path = Path(out) if out else folder / backup_name(db_path, now)
        manifest = take_backup(db_path, path, now)
        detail.update(path=str(path), bytes=manifest["bytes"], schema_version=manifest["schema_version"],
                      documents=manifest["counts"].get("documents"))
        if folder:
            detail["pruned"] = [p.name for p in prune(folder, Path(db_path).stem, settings)]
        return detail


# ---------------------------------------------------------------- retention

def backups_in(folder, stem):
    """[(UTC time, path)] of this store's backups in the folder, newest first."""
    found = []
    for path in Path(folder).glob(f"{stem}-*.db.gz"):
        match = NAME.match(path.name)
        if match and match["stem"] == stem:
            when = dt.datetime.strptime(match["stamp"], STAMP).replace(tzinfo=dt.timezone.utc)
            found.append((when, path))
    return sorted(found, reverse=True)


def kept(times, daily, weekly, monthly):
    """The backup times to keep: the newest of each of the last `daily` days, `weekly` ISO
    weeks and `monthly` months (Korean dates) that have a backup."""
    rules = [(daily, lambda d: d), (weekly, lambda d: d.isocalendar()[:2]), (monthly, lambda d: (d.year, d.month))]
    keep = set()
    for count, bucket in rules:
        seen = []
        for when in sorted(times, reverse=True):
            key = bucket(when.astimezone(KST).date())
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(when)
    return keep


def prune(folder, stem, settings):
    """Delete this store's backups outside the retention set; returns the deleted paths."""
    found = backups_in(folder, stem)
    keep = kept([when for when, _ in found], settings["keep_daily"], settings["keep_weekly"], settings["keep_monthly"])
    deleted = [path for when, path in found if when not in keep]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted


# ---------------------------------------------------------------- restore

def restore(backup_file, target, force=False):
    """Unpack and check a backup, migrate it to this program's schema and put it at target.
    An existing target is replaced only with force, and is first set aside (renamed) next
    to it. Returns what was done."""
    from store import open_db
    backup_file, target = Path(backup_file), Path(target)
    if not backup_file.is_file():
        raise BackupError(f"백업 파일이 없습니다 / no backup file at {backup_file}")
    if target.exists() and not force:
        raise BackupError(
            f"{target} 에 이미 DB가 있습니다. 새 경로로 복원하거나(--to), 바꾸려면 --force를 쓰세요 (기존 DB는 옆에 보관됨) "
            f"/ a store already exists at {target}: restore to a new path (--to), or replace it with --force "
            "(the current store is kept aside)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restore-tmp")
    try:
        _unpack(backup_file, tmp)
        result = _check_backup(tmp, backup_file)
        db = open_db(tmp)  # migrates an older schema forward, in WAL mode like every store
        result["schema_version"] = db.execute("PRAGMA user_version").fetchone()[0]
        db.conn.close()
        if target.exists():
            result["set_aside"] = str(_set_aside(target))
        os.replace(tmp, target)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    result["target"] = str(target)
    return result


def _unpack(backup_file, dest):
    with open(backup_file, "rb") as fh:
        head = fh.read(16)
    try:
        if head.startswith(GZIP_MAGIC):
            with gzip.open(backup_file, "rb") as fin, open(dest, "wb") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
        elif head == SQLITE_MAGIC:
            shutil.copyfile(backup_file, dest)
        else:
            raise BackupError(f"{backup_file} 은(는) 백업 파일이 아닙니다 / is not a backup (neither gzip nor SQLite)")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"백업 파일이 손상되었습니다 / the backup {backup_file} is damaged: {exc}") from exc


def _check_backup(path, backup_file):
    """Integrity, the manifest's row counts and the schema version of an unpacked backup;
    drops the manifest. Returns {'manifest': ..., 'from_version': n}."""
    conn = sqlite3.connect(str(path))
    try:
        manifest = read_manifest(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"백업 파일이 손상되었습니다 / the backup {backup_file} is damaged: {exc}") from exc
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        raise BackupError(
            f"백업의 스키마 버전 {version}이(가) 이 프로그램({SCHEMA_VERSION})보다 새롭습니다. 프로그램을 먼저 "
            f"업그레이드하세요 / the backup has schema version {version}, newer than this program's "
            f"{SCHEMA_VERSION}: upgrade the program first")
    problems = check_copy(path, manifest.get("counts"))
    if problems:
        raise BackupError(f"백업 검증 실패 / the backup {backup_file} failed its check: {problems}")
    conn = sqlite3.connect(str(path))
    try:
        with conn:
            conn.execute(f"DROP TABLE IF EXISTS {MANIFEST}")
    finally:
        conn.close()
    return {"manifest": manifest, "from_version": version}


def _set_aside(target):
    """Rename the current store to <stem>.before-restore-<stamp><suffix>, refusing when
    another process still has it open (its WAL file survives our checkpoint and close)."""
    conn = sqlite3.connect(str(target), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{target} 을(를) 열 수 없습니다 / cannot open the current store {target}: {exc}") from exc
    finally:
        conn.close()
    if Path(f"{target}-wal").exists():
        raise BackupError(
            f"{target} 을(를) 다른 프로세스가 사용 중입니다. 서비스(scheduler.py, 대시보드)를 먼저 멈추세요 / the store "
            "is open in another process: stop scheduler.py and the dashboard first")
    stamp = dt.datetime.now(dt.timezone.utc).strftime(STAMP)
    aside = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}")
    os.replace(target, aside)
    Path(f"{target}-shm").unlink(missing_ok=True)
    return aside
