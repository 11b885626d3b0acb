"""Classifications (one row per document × model version), human annotations, and the
effective labels the queries read: the newest classification with human corrections on top."""
from store.util import dumps, loads, utc_now, write_transaction

LABEL_FIELDS = ("relevant", "sentiment", "topics", "regions")


def documents_to_classify(db, model_version, limit=None, reclassify=False):
    """Documents without a classification by `model_version` (all of them if reclassify)."""
    sql = """
        SELECT d.id, d.title, d.summary, d.body, d.outlet, d.source, d.kind, d.lang,
               d.region_hint AS region, d.published_at
        FROM documents d
        WHERE d.duplicate_of IS NULL
    """
    params = []
    if not reclassify:
        sql += " AND NOT EXISTS (SELECT 1 FROM classifications c WHERE c.document_id = d.id AND c.model_version = ?)"
        params.append(model_version)
    sql += " ORDER BY d.rowid"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return list(db.query(sql, params))


_CLASSIFICATION_COLUMNS = ("document_id", "model_version", "model_id", "relevant", "relevance_score", "sentiment",
                           "sentiment_scores", "topics", "topic_scores", "regions", "classified_at")
_UPSERT_CLASSIFICATION = (
    f"INSERT INTO classifications ({', '.join(_CLASSIFICATION_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _CLASSIFICATION_COLUMNS)}) "
    "ON CONFLICT (document_id, model_version) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _CLASSIFICATION_COLUMNS[2:]))


def save_classifications(db, rows):
    """Store a batch of model outputs atomically and refresh the effective labels."""
    now = utc_now()
    records = [{
        "document_id": r["document_id"], "model_version": r["model_version"],
        "model_id": r.get("model_id"), "relevant": int(bool(r["relevant"])),
        "relevance_score": r.get("relevance_score"), "sentiment": r.get("sentiment"),
        "sentiment_scores": dumps(r.get("sentiment_scores")), "topics": dumps(r.get("topics") or []),
        "topic_scores": dumps(r.get("topic_scores")), "regions": dumps(r.get("regions") or []),
        "classified_at": r.get("classified_at") or now,
    } for r in rows]
    with write_transaction(db):  # one transaction: sqlite-utils commits its own writes inside a bare `with db.conn`
        db.conn.executemany(_UPSERT_CLASSIFICATION, records)
        refresh_labels(db, [r["document_id"] for r in records], commit=False)


def add_annotation(db, document_id, annotator, relevant=None, sentiment=None, topics=None,
                   regions=None, note=None):
    """Record a human correction (None = field not corrected) and apply it to the labels."""
    if not annotator:
        raise ValueError("annotator is required")
    if not db.execute("SELECT 1 FROM documents WHERE id = ?", [document_id]).fetchone():
        raise KeyError(f"no document with id {document_id}")
    with write_transaction(db):
        pk = db["annotations"].insert({
            "document_id": document_id, "annotator": annotator, "created_at": utc_now(),
            "relevant": None if relevant is None else int(bool(relevant)), "sentiment": sentiment,
            "topics": dumps(topics), "regions": dumps(regions), "note": note,
        }).last_pk
        refresh_labels(db, [document_id], commit=False)
    return pk


def _human_overrides(db, document_id):
    """Latest human value per field."""
    return _human_overrides_many(db, [document_id]).get(document_id, {})


def _human_overrides_many(db, document_ids):
    """{document id: latest human value per field} for the documents that have corrections."""
    merged = {}
    marks = ",".join("?" * len(document_ids))
    for row in db.query(f"SELECT * FROM annotations WHERE document_id IN ({marks}) "
                        "ORDER BY document_id, created_at, id", list(document_ids)):
        fields = merged.setdefault(row["document_id"], {})
        for field in LABEL_FIELDS:
            if row[field] is not None:
                fields[field] = loads(row[field]) if field in ("topics", "regions") else row[field]
    return merged


def _newest_classifications(db, document_ids):
    """{document id: its newest classification row}."""
    marks = ",".join("?" * len(document_ids))
    newest = {}
    for row in db.query(f"SELECT * FROM classifications WHERE document_id IN ({marks}) "
                        "ORDER BY document_id, classified_at DESC, rowid DESC", list(document_ids)):
        newest.setdefault(row["document_id"], row)
    return newest


def _pairs(db, table, column, document_ids):
    marks = ",".join("?" * len(document_ids))
    return set(db.execute(f"SELECT document_id, {column} FROM {table} WHERE document_id IN ({marks})",
                          list(document_ids)).fetchall())


_UPSERT_LABEL = """
    INSERT INTO labels (document_id, model_version, relevant, relevance_score, sentiment, topics,
                        regions, origin, updated_at)
    VALUES (:document_id, :model_version, :relevant, :relevance_score, :sentiment, :topics,
            :regions, :origin, :updated_at)
    ON CONFLICT (document_id) DO UPDATE SET
        model_version = excluded.model_version, relevant = excluded.relevant,
        relevance_score = excluded.relevance_score, sentiment = excluded.sentiment,
        topics = excluded.topics, regions = excluded.regions, origin = excluded.origin,
        updated_at = excluded.updated_at"""
_REFRESH_CHUNK = 500     # documents per set of queries (SQLite's variable limit is far above)


def refresh_labels(db, document_ids, commit=True):
    """Recompute the effective labels of these documents, a chunk of documents per query.
    Only what changed is written: a label row whose values are unchanged is left alone, and
    topic/region rows are added or removed one by one, so a re-classification that keeps most
    labels does not rewrite (and mark for the rollups) every document."""
    ids = list(dict.fromkeys(document_ids))

    def work():
        now = utc_now()
        for s in range(0, len(ids), _REFRESH_CHUNK):
            chunk = ids[s:s + _REFRESH_CHUNK]
            models = _newest_classifications(db, chunk)
            humans = _human_overrides_many(db, chunk)
            marks = ",".join("?" * len(chunk))
            current = {r["document_id"]: r for r in db.query(
                f"SELECT * FROM labels WHERE document_id IN ({marks})", chunk)}
            topics_now = _pairs(db, "label_topics", "topic", chunk)
            regions_now = _pairs(db, "label_regions", "region", chunk)
            rows, topics_new, regions_new = [], set(), set()
            for doc_id in chunk:
                model, human = models.get(doc_id), humans.get(doc_id, {})
                if model is None and not human:
                    continue
                label = {
                    "relevant": model["relevant"] if model else None,
                    "sentiment": model["sentiment"] if model else None,
                    "topics": loads(model["topics"], []) if model else [],
                    "regions": loads(model["regions"], []) if model else [],
                }
                label.update(human)
                for field in ("topics", "regions"):  # a repeated value is one label (the lists match label_topics/regions)
                    label[field] = list(dict.fromkeys(label[field]))
                if label["relevant"] is None:  # a correction of other fields implies relevance
                    label["relevant"] = 1
                row = {"document_id": doc_id, "model_version": model["model_version"] if model else None,
                       "relevant": int(bool(label["relevant"])),
                       "relevance_score": model["relevance_score"] if model else None,
                       "sentiment": label["sentiment"] or "neutral", "topics": dumps(label["topics"]),
                       "regions": dumps(label["regions"]),
                       "origin": "human" if not model else ("model+human" if human else "model")}
                old = current.get(doc_id)
                if old is None or any(old[k] != v for k, v in row.items()):
                    rows.append({**row, "updated_at": now})
                topics_new |= {(doc_id, t) for t in label["topics"]}
                regions_new |= {(doc_id, r) for r in label["regions"]}
            kept = {doc_id for doc_id in chunk if doc_id in models or doc_id in humans}
            topics_now = {p for p in topics_now if p[0] in kept}
            regions_now = {p for p in regions_now if p[0] in kept}
            db.conn.executemany(_UPSERT_LABEL, rows)
            db.conn.executemany("DELETE FROM label_topics WHERE document_id = ? AND topic = ?",
                                sorted(topics_now - topics_new))
            db.conn.executemany("INSERT OR IGNORE INTO label_topics (document_id, topic) VALUES (?, ?)",
                                sorted(topics_new - topics_now))
            db.conn.executemany("DELETE FROM label_regions WHERE document_id = ? AND region = ?",
                                sorted(regions_now - regions_new))
            db.conn.executemany("INSERT OR IGNORE INTO label_regions (document_id, region) VALUES (?, ?)",
                                sorted(regions_new - regions_now))
    if commit:
        with write_transaction(db):
            work()
    else:
        work()


def annotations_for_training(db):
    """Human-corrected documents with their corrected fields (None where not corrected)."""
    out = []
    doc_ids = [r[0] for r in db.execute("SELECT DISTINCT document_id FROM annotations")]
    for doc_id in doc_ids:
        doc = db.execute("SELECT title, body, summary FROM documents WHERE id = ?", [doc_id]).fetchone()
        human = _human_overrides(db, doc_id)
        out.append({
            "id": doc_id, "title": doc[0], "text": doc[1] or doc[2] or "",
            **{field: human.get(field) for field in LABEL_FIELDS},
        })
    return out
