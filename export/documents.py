"""Document tables: metadata, effective labels and model scores, streamed in chunks.

Rows come from one SQLite cursor read `chunk_size` rows at a time, never the whole table,
in a stable order (Korean date, publication time, id), so the same store and filters
always give the same rows in the same order.
"""
from export.columns import document_columns
from vocabulary import SENTIMENTS, TOPICS
from store.queries import where_clause
from store.util import loads

ORDER = "d.pub_date, d.published_at, d.id"


CACHE_KIB = 65536  # page cache while exporting: the date order reads rows out of rowid order


def _sql(filters, with_text, params, walk_index=False):
    """walk_index: read documents in index order (a page: stops after LIMIT rows) instead of
    letting the planner start from the labels and sort every match first."""
    body = ", d.body" if with_text else ""
    hint = "INDEXED BY idx_documents_day_order" if walk_index else ""
    return f"""
        SELECT d.id, d.url, d.canonical_url, d.source, d.kind, d.outlet, d.title, d.summary, d.lang,
               d.published_at, d.pub_date, d.date_source, d.cluster_id, d.duplicate_of,
               l.relevant, l.relevance_score, l.sentiment, c.sentiment_scores, l.topics,
               c.topic_scores, l.regions, l.model_version, l.origin,
               d.text_basis, d.origin_kind, d.import_file, d.import_sha256, d.import_row {body}
        FROM documents d {hint}
        LEFT JOIN labels l ON l.document_id = d.id
        LEFT JOIN classifications c ON c.document_id = d.id AND c.model_version = l.model_version
        WHERE {where_clause(filters, params)}
        ORDER BY {ORDER}"""


def iter_documents(db, filters=None, with_text=False, chunk_size=5000, limit=None, offset=0):
    """Yield one dict per document (keys = `document_columns(with_text)`)."""
    params = []
    sql = _sql(filters, with_text, params, walk_index=limit is not None)
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
    names = [name for name, _ in document_columns(with_text)]
    previous_cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cursor = db.conn.execute(sql, params)
    try:
        while True:
            chunk = cursor.fetchmany(chunk_size)
            if not chunk:
                break
            for values in chunk:
                yield dict(zip(names, _values(values)))
    finally:
        cursor.close()
        db.conn.execute(f"PRAGMA cache_size = {previous_cache}")


def _values(v):
    """SQL row -> values in column order: JSON lists decoded, score maps spread out."""
    sentiment_scores = loads(v[17], None) or {}
    topic_scores = loads(v[19], None) or {}
    return (*v[:17], *[sentiment_scores.get(s) for s in SENTIMENTS], loads(v[18], []),
            *[topic_scores.get(t) for t in TOPICS], loads(v[20], []), *v[21:])
