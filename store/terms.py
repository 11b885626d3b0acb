"""Each document's terms (from nlp/terms.py) and their daily counts.

Tables (migration v6): term_vocab (id, term, kind), doc_terms (document rowid × term id:
the document's term list), doc_sentences (per sentence, its term ids: "3 17 9|4 3"),
term_queue (documents whose terms are not current; filled by triggers), and the daily
counts term_base (day × source kind × sentiment × term: relevant, non-duplicate documents
containing the term) and term_region (the same × region). Triggers put a day into
term_dirty when its labels, dates or duplicates change; `refresh` recomputes those days.

`counts(db, filters)` answers {term id: documents} for a filter set from the daily
tables when they cover it (dates, sentiments, source kinds, one region), else from
doc_terms over the matching documents (exact, slower).
"""
from store.queries import LABEL_JOIN, Filters, where_clause
from store.util import write_transaction

KINDS = ("noun", "org", "place", "person")
_MARK = ("INSERT INTO term_dirty(day) SELECT ? WHERE ? IS NOT NULL "
         "AND NOT EXISTS (SELECT 1 FROM term_dirty WHERE day = ?)")


def pending(db):
    return db.execute("SELECT COUNT(*) FROM term_queue").fetchone()[0]


def queued(db, size):
    """[(rowid, title, body, outlet, content_hash)] of the newest queued documents."""
    return db.execute(
        """SELECT q.rowid, d.title, d.body, d.outlet, d.content_hash FROM term_queue q
           JOIN documents d ON d.rowid = q.rowid ORDER BY q.rowid DESC LIMIT ?""", [size]).fetchall()


def save(db, analysed):
    """Store [(rowid, content_hash, DocTerms)] in one transaction; a document whose text
    changed since it was read stays queued. Returns how many were stored."""
    with write_transaction(db):
        current = {}
        for rowid, content_hash, _ in analysed:
            row = db.execute("SELECT content_hash, pub_date FROM documents WHERE rowid = ?", [rowid]).fetchone()
            if row and row[0] == content_hash and db.execute(
                    "SELECT 1 FROM term_queue WHERE rowid = ?", [rowid]).fetchone():
                current[rowid] = row[1]
        kept = [(rowid, terms) for rowid, _, terms in analysed if rowid in current]
        ids = _term_ids(db, {t: k for _, terms in kept for t, k in terms.kinds.items()})
        for rowid, terms in kept:
            db.execute("DELETE FROM doc_terms WHERE doc = ?", [rowid])
            db.conn.executemany("INSERT INTO doc_terms (doc, term) VALUES (?, ?)",
                                [(rowid, ids[t]) for t in terms.terms])
            db.execute("INSERT OR REPLACE INTO doc_sentences (doc, sentences) VALUES (?, ?)",
                       [rowid, "|".join(" ".join(str(ids[t]) for t in s) for s in terms.sentences)])
            db.execute("DELETE FROM term_queue WHERE rowid = ?", [rowid])
            day = current[rowid]
            db.execute(_MARK, [day, day, day])
        if kept:
            db.execute("UPDATE term_state SET generation = generation + 1")
    return len(kept)


def generation(db):
    """Changes whenever stored terms or their daily counts change (cache key part)."""
    return db.execute("SELECT generation FROM term_state").fetchone()[0]


def _term_ids(db, kinds):
    """{term: id}, adding new terms to the vocabulary (kind fixed when first seen)."""
    db.conn.executemany("INSERT OR IGNORE INTO term_vocab (term, kind) VALUES (?, ?)", list(kinds.items()))
    ids, terms = {}, list(kinds)
    for i in range(0, len(terms), 500):
        chunk = terms[i:i + 500]
        ids.update(db.execute(f"SELECT term, id FROM term_vocab WHERE term IN ({','.join('?' * len(chunk))})",
                              chunk).fetchall())
    return ids


def refresh(db):
    """Recompute the daily counts of the days marked dirty; returns how many days."""
    if not db.execute("SELECT 1 FROM term_dirty LIMIT 1").fetchone():
        return 0
    conn = db.conn
    with write_transaction(db):
        days = [r[0] for r in conn.execute("SELECT day FROM term_dirty")]
        for day in days:
            conn.execute("DELETE FROM term_base WHERE day = ?", [day])
            conn.execute("DELETE FROM term_region WHERE day = ?", [day])
            facts = """FROM documents d JOIN labels l ON l.document_id = d.id JOIN doc_terms t ON t.doc = d.rowid
                       {join} WHERE d.pub_date = ? AND d.duplicate_of IS NULL AND l.relevant = 1"""
            conn.execute(f"""INSERT INTO term_base (day, source_kind, sentiment, term, docs)
                SELECT d.pub_date, d.kind, l.sentiment, t.term, COUNT(*) {facts.format(join='')}
                GROUP BY d.kind, l.sentiment, t.term""", [day])
            conn.execute(f"""INSERT INTO term_region (day, region, source_kind, sentiment, term, docs)
                SELECT d.pub_date, r.region, d.kind, l.sentiment, t.term, COUNT(*)
                {facts.format(join='JOIN label_regions r ON r.document_id = d.id')}
                GROUP BY r.region, d.kind, l.sentiment, t.term""", [day])
        conn.executemany("DELETE FROM term_dirty WHERE day = ?", [(d,) for d in days])
        conn.execute("UPDATE term_state SET generation = generation + 1")
    return len(days)


def _daily_table(f):
    """'base', 'region' or None (the filters need the documents themselves)."""
    if f.text or f.topics or f.outlets or f.sources or f.relevance != "relevant" or f.include_duplicates:
        return None
    if f.regions:
        return "region" if len(f.regions) == 1 else None  # two regions would count a document twice
    return "base"


def counts(db, filters):
    """{term id: documents containing it} over the documents the filters match: from the
    daily tables when they cover the filters, else from the documents (exact, slower)."""
    f = filters or Filters()
    table = _daily_table(f)
    return daily_counts(db, f, table) if table else live_counts(db, f)


def _daily_where(f):
    """(WHERE text, params) of the daily tables for the filters' dates, sentiments, kinds, region."""
    conds, params = [], []
    for column, value in (("day >=", f.date_from), ("day <=", f.date_to)):
        if value:
            conds.append(f"{column} ?")
            params.append(value)
    for column, values in (("sentiment", f.sentiments), ("source_kind", f.source_kinds), ("region", f.regions)):
        if values:
            conds.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)
    return " AND ".join(conds) or "1", params


def daily_counts(db, f, table="base"):
    refresh(db)
    where, params = _daily_where(f)
    return dict(db.execute(f"SELECT term, SUM(docs) FROM term_{table} WHERE {where} GROUP BY term", params).fetchall())


def day_counts(db, filters, term):
    """{day: documents containing the term id} over the documents the filters match (days
    without any left out), from the daily tables when they cover the filters."""
    f = filters or Filters()
    table = _daily_table(f)
    if table:
        refresh(db)
        where, params = _daily_where(f)
        return dict(db.execute(f"SELECT day, SUM(docs) FROM term_{table} WHERE {where} AND term = ? GROUP BY day",
                               params + [term]).fetchall())
    params = []
    where = where_clause(f, params)
    return dict(db.execute(f"""SELECT d.pub_date, COUNT(*) FROM documents d {LABEL_JOIN}
                               JOIN doc_terms t ON t.doc = d.rowid WHERE {where} AND t.term = ?
                               GROUP BY d.pub_date""", params + [term]).fetchall())


def live_counts(db, f):
    params = []
    where = where_clause(f, params)
    return dict(db.execute(f"""SELECT t.term, COUNT(*) FROM documents d {LABEL_JOIN}
                               JOIN doc_terms t ON t.doc = d.rowid WHERE {where} GROUP BY t.term""", params).fetchall())


def names(db, ids):
    """{term id: (term, kind)}."""
    out, ids = {}, list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in db.execute(f"SELECT id, term, kind FROM term_vocab WHERE id IN ({','.join('?' * len(chunk))})",
                              chunk):
            out[row[0]] = (row[1], row[2])
    return out


def kinds(db, terms):
    """{term: kind} of these terms (text) that are in the vocabulary."""
    terms = list(terms)
    return dict(db.execute(f"SELECT term, kind FROM term_vocab WHERE term IN ({','.join('?' * len(terms))})",
                           terms).fetchall()) if terms else {}


def term_id(db, term):
    row = db.execute("SELECT id FROM term_vocab WHERE term = ?", [term]).fetchone()
    return row[0] if row else None


def unanalysed(db, filters):
    """Documents matching the filters whose terms are not stored yet (still queued)."""
    if not pending(db):
        return 0
    params = []
    where = where_clause(filters or Filters(), params)
    return db.execute(f"SELECT COUNT(*) FROM documents d {LABEL_JOIN} WHERE {where} "
                      "AND d.rowid IN (SELECT rowid FROM term_queue)", params).fetchone()[0]
