"""The SQLite store: one file, opened through `open_db`, schema migrated by code.

Modules: schema (migrations), documents (crawled documents), sources (source health and
crawl runs), labels (classifications, annotations, effective labels), queries (the read
functions shared by the dashboard, digest and export).
"""
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from store.schema import migrate

DEFAULT_DB = Path("data") / "monitor.db"


class StoreError(Exception):
    """A store problem explained in words a user can act on."""


def resolve_path(path=None):
    """--db beats MONITOR_DB beats data/monitor.db."""
    return Path(path or os.environ.get("MONITOR_DB") or DEFAULT_DB)


def open_db(path=None, migrate_schema=True):
    """Open (creating if needed) the store and bring its schema up to date."""
    path = resolve_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"DB 폴더를 만들 수 없습니다 / cannot create the folder for the database {path}: {exc.strerror}") from exc
    if path.exists() and path.is_dir():
        raise StoreError(f"DB 경로가 폴더입니다 / the database path {path} is a directory, not a file")
    # The file is checked through SQLite itself, never with open()/close(): closing any
    # other descriptor of the file drops SQLite's POSIX locks held by this process and
    # can corrupt a database that another connection here is writing.
    try:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot open the database {path}: {exc} (check the path and its permissions)") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a SQLite database (or it is corrupt: {exc}). It was left untouched; "
            "move it away or restore it from a backup, or point --db / MONITOR_DB at another file."
        ) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the database {path}: {exc}. It was left untouched.") from exc
    db = sqlite_utils.Database(conn)
    db.path = path
    if migrate_schema:
        try:
            migrate(db)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) or "unable to open" in str(exc):
                raise StoreError(f"the database {path} is not writable: {exc}") from exc
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the database {path} is corrupt ({exc}). It was left untouched; restore it from a backup.") from exc
    return db

