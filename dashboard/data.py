"""Store access for the dashboard: a small pool of connections (callbacks run in
threads), and the aggregate reads, answered from the rollup tables when they cover the
filters and by the shared store.queries functions otherwise."""
import atexit
import contextlib
import logging
import queue
import threading
import time

import store
from nlp import indexing
from store import queries, rollups
from store.cache import ResultCache
from store.periods import fill


def sum_by(rows, key):
    """Add up per-period count rows into one row per `key` (articles and sentiments)."""
    out = {}
    for r in rows:
        acc = out.setdefault(r[key], {key: r[key], "articles": 0, "negative": 0, "neutral": 0, "positive": 0})
        for k in ("articles", "negative", "neutral", "positive"):
            acc[k] += r[k] or 0
    for acc in out.values():
        n = acc["negative"] + acc["neutral"] + acc["positive"]
        acc["negative_share"] = acc["negative"] / n if n else None
        acc["net_sentiment"] = (acc["positive"] - acc["negative"]) / n if n else None
    return out


_FILLERS, _FILLERS_LOCK = {}, threading.Lock()   # store path -> the thread filling its text indexes
_STOPPING = threading.Event()
FILL_SLICE_SECONDS = 2


@atexit.register
def _stop_fillers():
    """Let a filler finish its slice before the interpreter goes away."""
    _STOPPING.set()
    for filler in list(_FILLERS.values()):
        filler.join(timeout=60)


class Data:
    def __init__(self, db_path=None, size=4):
        self.path = store.resolve_path(db_path)
        first = store.open_db(self.path)  # creates/migrates once, fails early with a clear error
        rollups.ensure(first)
        self._pool = queue.Queue()
        self._pool.put(first)
        self._opened, self._size, self._lock = 1, size, threading.Lock()
        self._cache = {}
        self.live = ResultCache()
        if any(indexing.pending(first).values()):  # upgraded store: searches stay complete (LIKE)
            with _FILLERS_LOCK:                        # one filler per store and process
                running = _FILLERS.get(str(self.path))
                if running is None or not running.is_alive():
                    filler = threading.Thread(target=self._fill_indexes, name="text-indexes", daemon=True)
                    _FILLERS[str(self.path)] = filler
                    filler.start()

    def _fill_indexes(self):
        """Index the documents waiting for the search index and term lists, in small transactions,
        a few seconds at a time so the process can stop between two slices (at exit, a thread
        inside Kiwi's native code would abort the whole process)."""
        try:
            conn = store.open_db(self.path, migrate_schema=False)
            try:
                while not _STOPPING.is_set() and any(indexing.pending(conn).values()):
                    indexing.index_pending(conn, seconds=FILL_SLICE_SECONDS, batch=50)
            finally:
                conn.conn.close()
        except Exception:  # noqa: BLE001 - the dashboard works without it (slower searches)
            logging.getLogger(__name__).exception("filling the text indexes failed; `monitor.py index` resumes it")

    @contextlib.contextmanager
    def db(self):
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = self._opened < self._size
                self._opened += grow
            conn = store.open_db(self.path, migrate_schema=False) if grow else self._pool.get()
        try:
            rollups.refresh_if_dirty(conn)  # a new generation when documents or labels changed
            yield conn
        finally:
            self._pool.put(conn)

    # Filters the rollups cannot answer (text search, several regions ...) go to the live
    # queries; their results are cached until the store changes, so switching tabs or
    # paging with the same search does not scan the store again.

    def counts(self, db, by="day", group=None, filters=None, stories=True):
        """store.queries.counts rows; stories=False allows 'stories' to be None (faster)."""
        rows = rollups.counts(db, by, group, filters, outlets=False, stories=stories)  # no view shows per-period outlets
        if rows is not None:
            return rows
        return self.live.get(db, ("counts", by, group, repr(filters)), lambda: queries.counts(db, by, group, filters))

    def series(self, db, by, group, filters, values=(), stories=True):
        """`counts` for every period of the filters' date range (× every group value in
        `values`): zeros explicit, each row with `days_in_period` and `partial`."""
        rows = self.counts(db, by, group, filters, stories)
        groups = [group] if group else []
        return fill(rows, by, filters.date_from, filters.date_to, groups, [list(values)] if group else [])

    def totals(self, db, filters=None):
        row = rollups.totals(db, filters)
        return row if row is not None else self.live.get(db, ("totals", repr(filters)), lambda: queries.totals(db, filters))

    def group_totals(self, db, group, filters=None):
        """{group value: counts over the whole period} (regions, topics, outlets side by side)."""
        rows = rollups.group_totals(db, group, filters, outlets=False, stories=False)
        if rows is None:  # per-day counts add up exactly for articles and sentiments
            return sum_by(self.counts(db, "day", group, filters), group)
        return {r[group]: r for r in rows}

    def documents(self, db, filters, sort, limit, offset):
        """(rows, total) like store.queries.search_documents; the total comes from the rollups
        when they cover the filters, else from the cache, so a page need not count every match."""
        return queries.document_page(db, filters, sort, limit, offset), self.live.match_count(db, filters)

    def bounds(self, db):
        """store.queries.date_bounds, remembered until the documents change."""
        return self.live.get(db, "bounds", lambda: queries.date_bounds(db))

    def cached(self, key, seconds, compute):
        """A value recomputed at most every `seconds` (slow whole-store summaries)."""
        hit = self._cache.get(key)
        if hit and time.monotonic() - hit[0] < seconds:
            return hit[1]
        value = compute()
        self._cache[key] = (time.monotonic(), value)
        return value
