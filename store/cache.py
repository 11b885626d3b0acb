"""Whole-store query results cached under the store's rollup generation.

`ResultCache.get(db, key, compute)` returns compute()'s value, remembered until the store's
documents or labels change (store.rollups.generation moves after every crawl, classification
or correction, once the rollups caught up). Used by the API and the dashboard for the scans
the rollups cannot answer. Bounded by rows held; concurrent callers of one new key wait for
a single computation.
"""
import collections
import threading

from store import rollups
from store.queries import search_documents


class ResultCache:
    """Results of whole-store scans, per store and generation, least recently used first out."""

    def __init__(self, max_rows=200_000):
        self.max_rows, self.lock, self.items = max_rows, threading.Lock(), collections.OrderedDict()
        self.rows = 0  # rows held: what bounds the memory
        self.computing = {}  # key -> lock held while one thread computes it; the others wait

    @staticmethod
    def _weight(value):
        """Rows a value holds: its lists' lengths (a table, or (columns, rows, ...)), else 1."""
        parts = value if isinstance(value, tuple) else (value,)
        return 1 + sum(len(p) for p in parts if isinstance(p, list))

    def get(self, db, key, compute):
        generation = rollups.generation(db)
        if generation is None:  # a store without rollups: nothing tells when it changed
            return compute()
        key = (str(db.path), generation, key)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            busy = self.computing.get(key)
            if busy is None:
                busy = self.computing[key] = threading.Lock()
                busy.acquire()
                mine = True
            else:
                mine = False
        if not mine:  # a burst of the same new question: one scan, not one per client
            with busy:
                pass
            with self.lock:
                if key in self.items:
                    return self.items[key]
            return compute()  # the first computation failed: try again here
        try:
            value = compute()
            with self.lock:
                self.items[key] = value
                self.rows += self._weight(value)
                while self.rows > self.max_rows and len(self.items) > 1:
                    self.rows -= self._weight(self.items.popitem(last=False)[1])
            return value
        finally:
            with self.lock:
                del self.computing[key]
            busy.release()

    def match_count(self, db, filters):
        """How many documents pass the filters: from the rollups when they cover them, else
        one counting scan, cached."""
        if filters.relevance == "relevant" and rollups.generation(db) is not None:
            fast = rollups.totals(db, filters)
            if fast is not None:
                return fast["articles"]
        return self.get(db, ("matched", repr(filters)), lambda: search_documents(db, filters, limit=0)[1])
