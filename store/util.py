"""Small helpers shared by the store modules."""
import contextlib
import datetime as dt
import json
import os
from urllib.parse import urlsplit

KST = dt.timezone(dt.timedelta(hours=9))  # Asia/Seoul has no DST


def utc_now():
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def kst_date(iso_utc):
    """'2026-11-20T16:30:00Z' -> '2026-11-21' (the local date staff think in)."""
    if not iso_utc:
        return None
    stamp = dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(KST).date().isoformat()


def is_web_url(url):
    """True for an absolute http(s) URL with a host: the only links the store keeps and the
    dashboard and digest link to (file:, data:, javascript: ... never)."""
    try:
        parts = urlsplit(str(url or "").strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def process_alive(pid):
    """True when a process with this id runs on this machine."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def dumps(value):
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text, default=None):
    return default if text in (None, "") else json.loads(text)


@contextlib.contextmanager
def write_transaction(db):
    """One transaction for a group of writes, taking the write lock up front
    (BEGIN IMMEDIATE waits on busy_timeout; a deferred BEGIN that reads first can fail
    at once with "database is locked" when another process wrote in between)."""
    if db.conn.in_transaction:
        with db.atomic():  # nested: a savepoint
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()
