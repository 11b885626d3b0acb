"""Keep the per-document text indexes up to date: the bigram search index
(store/search_index.py) and the term lists with their daily counts (nlp/terms.py →
store/terms.py). Run after each classification, by the scheduler's cycle and by
`monitor.py index` (backfill of an existing store: bounded by --seconds, resumable)."""
import time

from store import search_index, terms


def index_pending(db, seconds=None, limit=None, batch=200):
    """Index what waits in the queues, the search index first (fast), then the terms
    (Kiwi, about 100-200 short documents a second per core). Returns how many of each."""
    started = time.monotonic()
    done = {"search": search_index.index_pending(db, limit=limit, seconds=seconds)}
    left = None if seconds is None else max(0.0, seconds - (time.monotonic() - started))
    done["terms"] = index_terms(db, seconds=left, limit=limit, batch=batch)
    done["seconds"] = round(time.monotonic() - started, 3)
    return done


def index_terms(db, seconds=None, limit=None, batch=200):
    """Analyse queued documents with Kiwi, newest first, `batch` per transaction (the
    analysis runs outside it). Stops after `limit` documents or about `seconds`."""
    from nlp.terms import analyse_many
    done, started = 0, time.monotonic()
    while limit is None or done < limit:
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        rows = terms.queued(db, batch if limit is None else min(batch, limit - done))
        if not rows:
            break
        analysed = analyse_many([(title, body, outlet) for _, title, body, outlet, _ in rows])
        done += terms.save(db, [(row[0], row[4], a) for row, a in zip(rows, analysed)])
    return done


def pending(db):
    return {"search": search_index.pending(db), "terms": terms.pending(db)}
