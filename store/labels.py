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
        db["classifications"].upsert_all(records, pk=("document_id", "model_version"))
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


def add_story_annotation(db, document_id, annotator, **fields):
    """The same correction for every document of the document's story (its cluster: wire
    copies and mirrors), in one transaction; returns how many documents were corrected."""
    row = db.execute("SELECT cluster_id FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise KeyError(f"no document with id {document_id}")
    ids = [r[0] for r in db.execute("SELECT id FROM documents WHERE cluster_id = ? ORDER BY published_at, id",
                                    [row[0]])] if row[0] else [document_id]
    with write_transaction(db):
        for doc_id in ids:
            add_annotation(db, doc_id, annotator, **fields)
    return len(ids)


def _human_overrides(db, document_id):
    """Latest human value per field."""
    merged = {}
    for row in db.query(
        "SELECT * FROM annotations WHERE document_id = ? ORDER BY created_at, id", [document_id]
    ):
        for field in LABEL_FIELDS:
            if row[field] is not None:
                merged[field] = loads(row[field]) if field in ("topics", "regions") else row[field]
    return merged


def refresh_labels(db, document_ids, commit=True):
    """Recompute the effective labels of these documents."""
    def work():
        for doc_id in dict.fromkeys(document_ids):
            model = next(iter(db.query(
                "SELECT * FROM classifications WHERE document_id = ? ORDER BY classified_at DESC, rowid DESC LIMIT 1",
                [doc_id],
            )), None)
            human = _human_overrides(db, doc_id)
            if model is None and not human:
                continue
            label = {
                "relevant": model["relevant"] if model else None,
                "sentiment": model["sentiment"] if model else None,
                "topics": loads(model["topics"], []) if model else [],
                "regions": loads(model["regions"], []) if model else [],
            }
            label.update(human)
            if label["relevant"] is None:  # a correction of other fields implies relevance
                label["relevant"] = 1
            origin = "human" if not model else ("model+human" if human else "model")
            db.execute("DELETE FROM label_topics WHERE document_id = ?", [doc_id])
            db.execute("DELETE FROM label_regions WHERE document_id = ?", [doc_id])
            db["labels"].upsert({
                "document_id": doc_id, "model_version": model["model_version"] if model else None,
                "relevant": int(bool(label["relevant"])),
                "relevance_score": model["relevance_score"] if model else None,
                "sentiment": label["sentiment"] or "neutral", "topics": dumps(label["topics"]),
                "regions": dumps(label["regions"]), "origin": origin, "updated_at": utc_now(),
            }, pk="document_id")
            db["label_topics"].insert_all(
                [{"document_id": doc_id, "topic": t} for t in label["topics"]], ignore=True)
            db["label_regions"].insert_all(
                [{"document_id": doc_id, "region": r} for r in label["regions"]], ignore=True)
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
