"""Keep the per-document text indexes up to date: the bigram search index
(store/search_index.py). Run after each classification, by the scheduler's cycle and by
`monitor.py index` (backfill of an existing store: bounded by --seconds, resumable)."""
import time

from store import search_index


def index_pending(db, seconds=None, limit=None):
    """Index what waits in the queues; returns {'search': n} with how many were indexed."""
    started = time.monotonic()
    done = {"search": search_index.index_pending(db, limit=limit, seconds=seconds)}
    done["seconds"] = round(time.monotonic() - started, 3)
    return done


def pending(db):
    return {"search": search_index.pending(db)}
