"""A small store for the review-queue tests: synthetic documents plus three with known model
scores (uncertain sentiment in a 3-article story, uncertain relevance, confident)."""
from store import open_db
from store.labels import save_classifications
from store.synthetic import seed_synthetic

END = "2026-11-20"


def make_store(path):
    db = open_db(path)
    seed_synthetic(db, 120, days=20, end_date=END, seed=3)
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY published_at DESC LIMIT 5")]
    story, unsure_rel, sure = ids[0], ids[1], ids[2]
    db.execute("UPDATE documents SET cluster_id = ? WHERE id IN (?, ?, ?)", [story, story, ids[3], ids[4]])
    db.conn.commit()

    def row(doc, p, scores):
        return {"document_id": doc, "model_version": "test-2", "relevant": p >= 0.5, "relevance_score": p,
                "sentiment": max(scores, key=scores.get), "sentiment_scores": scores,
                "topics": ["committee"], "regions": ["서울"]}
    # every other document: confident, so the three below decide the order
    rows = [row(d, 0.97, {"positive": 0.9, "neutral": 0.05, "negative": 0.05})
            for (d,) in db.execute("SELECT id FROM documents")]
    rows = [r for r in rows if r["document_id"] not in (story, unsure_rel, sure)]
    rows += [row(story, 0.95, {"positive": 0.40, "neutral": 0.39, "negative": 0.21}),
             row(unsure_rel, 0.52, {"positive": 0.8, "neutral": 0.1, "negative": 0.1}),
             row(sure, 0.99, {"positive": 0.05, "neutral": 0.05, "negative": 0.9})]
    save_classifications(db, rows)
    return db, {"story": story, "unsure_rel": unsure_rel, "sure": sure}
