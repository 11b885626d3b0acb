"""The index that lets 2-character words (예산, 인력, 치안) use an index instead of scanning
every title and body: each document's distinct character bigrams (pairs of neighbouring
letters or digits) in an FTS5 table, search_bigrams (contentless, no positions).

A 2-character word appears in a text exactly when it is one of the text's bigrams, so the
index answers what `LIKE '%예산%'` answered. Documents enter `search_queue` by triggers
(new, changed text, deleted; the migration queues the existing ones); `index_pending`
indexes queued documents in small transactions, newest first, and can stop and resume at
any point. Until a document is indexed, searches check it by LIKE (store/search.py), so
answers are complete while the index catches up.
"""
import logging
import re
import time

from store.util import write_transaction

log = logging.getLogger(__name__)
_RUN = re.compile(r"[^\W_]{2,}")


def bigrams(title, body):
    """The distinct 2-character substrings of the letter/digit runs of title and body,
    space separated (FTS5's ascii tokenizer keeps non-ASCII letters and folds A-Z)."""
    grams = set()
    for text in (title, body):
        for run in _RUN.findall(text or ""):
            grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(sorted(grams))


def pending(db):
    """How many documents wait to be indexed."""
    return db.execute("SELECT COUNT(*) FROM search_queue").fetchone()[0]


def index_pending(db, limit=None, batch=1000, seconds=None):
    """Index queued documents, newest first, `batch` per transaction; stops after `limit`
    documents or `seconds`. Returns how many were indexed."""
    done, started = 0, time.monotonic()
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with write_transaction(db):
            rows = db.execute(
                """SELECT q.rowid, q.indexed, q.old_title, q.old_body, d.rowid IS NOT NULL, d.title, d.body
                   FROM search_queue q LEFT JOIN documents d ON d.rowid = q.rowid
                   ORDER BY q.rowid DESC LIMIT ?""", [size]).fetchall()
            if not rows:
                break
            # what the index holds for a changed or deleted document comes out first
            db.conn.executemany("INSERT INTO search_bigrams(search_bigrams, rowid, grams) VALUES ('delete', ?, ?)",
                                [(r[0], bigrams(r[2], r[3])) for r in rows if r[1]])
            db.conn.executemany("INSERT INTO search_bigrams(rowid, grams) VALUES (?, ?)",
                                [(r[0], bigrams(r[5], r[6])) for r in rows if r[4]])
            db.conn.executemany("DELETE FROM search_queue WHERE rowid = ?", [(r[0],) for r in rows])
        done += len(rows)
        if seconds is not None and time.monotonic() - started >= seconds:
            break
    return done
