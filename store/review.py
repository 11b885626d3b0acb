"""The review queue: model-labelled documents whose labels are least certain, ranked by how
much a staff correction would teach the model and fix the figures.

priority = uncertainty × story weight
  uncertainty: relevance near 0.5 (1 − |2p − 1|), or, for a relevant document, a small gap
               between its two best sentiment scores (1 − (s1 − s2)); the larger of the two.
  story weight: 1 + log2(articles in its story cluster) — one correction is used by `train`
               and decides how a whole story is counted in every chart.
Documents a person already corrected are left out."""
from __future__ import annotations

import json
import math

from store.queries import LABEL_JOIN, Filters, where_clause

CANDIDATES = 5000        # newest model-labelled documents scored per request


def uncertainty(relevance_score, sentiment_scores, relevant) -> tuple[float, str]:
    """(uncertainty 0..1, which label is in doubt: 'relevance' or 'sentiment')."""
    p = 0.5 if relevance_score is None else float(relevance_score)
    u_rel = 1 - abs(2 * p - 1)
    scores = sorted((sentiment_scores or {}).values(), reverse=True)
    u_sent = 1 - (scores[0] - scores[1]) if relevant and len(scores) >= 2 else 0.0
    return (u_rel, "relevance") if u_rel >= u_sent else (u_sent, "sentiment")


def review_queue(db, filters: Filters | None = None, limit: int = 50) -> list[dict]:
    """The documents to review first, highest priority first (see the module doc)."""
    f = (filters or Filters()).replace(relevance="all")
    params: list = []
    sql = f"""
        SELECT d.id, d.title, d.url, d.outlet, d.pub_date, d.cluster_id, d.text_basis,
               l.relevant, l.relevance_score, l.sentiment, l.topics, l.regions, c.sentiment_scores,
               (SELECT COUNT(*) FROM documents x WHERE x.cluster_id = d.cluster_id) AS story_size
        FROM documents d {LABEL_JOIN}
        JOIN classifications c ON c.document_id = d.id AND c.model_version = l.model_version
        WHERE l.origin = 'model' AND {where_clause(f, params)}
        ORDER BY d.published_at DESC LIMIT ?"""
    out = []
    for r in db.query(sql, params + [CANDIDATES]):
        r = dict(r)
        scores = json.loads(r.pop("sentiment_scores") or "{}")
        u, doubt = uncertainty(r["relevance_score"], scores, r["relevant"])
        size = max(1, r["story_size"] or 1)
        r.update(sentiment_scores=scores, uncertainty=round(u, 4), doubt=doubt,
                 priority=round(u * (1 + math.log2(size)), 4),
                 topics=json.loads(r["topics"] or "[]"), regions=json.loads(r["regions"] or "[]"))
        out.append(r)
    out.sort(key=lambda r: (-r["priority"], r["id"]))
    return out[:limit]
