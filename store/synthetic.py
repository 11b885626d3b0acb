"""Deterministic synthetic stores for tests and benchmarks (not used in production).

`seed_synthetic(db, n)` writes n documents with effective labels spread over `days`
days ending at `end_date`, fast enough for 1M rows (raw executemany, FTS kept in sync
by the triggers).
"""
import datetime as dt
import json
import random

from vocabulary import REGIONS, NATIONAL, SOURCE_KINDS, TOPICS
from store.documents import content_hash, document_id

OUTLETS = ["연합뉴스", "KBS", "한겨레", "경향신문", "조선일보", "중앙일보", "동아일보", "부산일보",
           "매일신문", "경인일보", "강원일보", "제주일보", "참여연대", "경실련", "서울시자치경찰위원회"]
WORDS = ["자치경찰", "위원회", "예산", "인력", "이원화", "현장", "주민", "치안", "협력", "홍보",
         "성과", "안전", "경찰국", "독립성", "시범", "지구대", "112", "순찰", "조례", "한계"]


def seed_synthetic(db, n, days=90, end_date=None, seed=0, batch=20000, model_version="synthetic-1",
                   with_fts=True):
    rng = random.Random(seed)
    end = dt.date.fromisoformat(end_date) if end_date else dt.date.today()
    topics, regions = list(TOPICS), list(REGIONS) + [NATIONAL]
    start_rowid = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM documents").fetchone()[0]
    if not with_fts:
        db.execute("DROP TRIGGER IF EXISTS documents_ai")
    for first in range(0, n, batch):
        docs, labels, ltopics, lregions, classes = [], [], [], [], []
        for i in range(first, min(n, first + batch)):
            k = start_rowid + i
            day = end - dt.timedelta(days=rng.randrange(days))
            hour = rng.randrange(24)
            published = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                    tzinfo=dt.timezone(dt.timedelta(hours=9))).astimezone(dt.timezone.utc)
            url = f"https://news.example.kr/{k}"
            doc_id = document_id(url)
            cluster = document_id(f"https://news.example.kr/{k - k % 3}") if rng.random() < 0.3 else doc_id
            outlet = rng.choice(OUTLETS)
            title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} 관련 보도 {k}"
            body = " ".join(rng.choice(WORDS) for _ in range(40))
            kind = rng.choices(SOURCE_KINDS, weights=[70, 10, 15, 5])[0]
            docs.append((doc_id, url, url, f"src-{outlet}", kind, outlet, title, None, body, "ko",
                         published.strftime("%Y-%m-%dT%H:%M:%SZ"), day.isoformat(), "page",
                         content_hash(title, body), cluster))
            relevant = int(rng.random() < 0.8)
            sentiment = rng.choices(["negative", "neutral", "positive"], weights=[30, 50, 20])[0]
            ts = rng.sample(topics, rng.randrange(1, 3)) if relevant else []
            rs = [rng.choice(regions)] if relevant else []
            labels.append((doc_id, model_version, relevant, rng.random(), sentiment,
                           json.dumps(ts), json.dumps(rs, ensure_ascii=False), "model"))
            classes.append((doc_id, model_version, "synthetic", relevant, sentiment,
                            json.dumps(ts), json.dumps(rs, ensure_ascii=False)))
            ltopics += [(doc_id, t) for t in ts]
            lregions += [(doc_id, r) for r in rs]
        with db.conn:
            db.conn.executemany(
                """INSERT INTO documents (id, url, canonical_url, source, kind, outlet, title, summary,
                   body, lang, published_at, pub_date, date_source, content_hash, cluster_id)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", docs)
            db.conn.executemany(
                """INSERT INTO classifications (document_id, model_version, model_id, relevant, sentiment,
                   topics, regions) VALUES (?,?,?,?,?,?,?)""", classes)
            db.conn.executemany(
                """INSERT INTO labels (document_id, model_version, relevant, relevance_score, sentiment,
                   topics, regions, origin) VALUES (?,?,?,?,?,?,?,?)""", labels)
            db.conn.executemany("INSERT INTO label_topics VALUES (?,?)", ltopics)
            db.conn.executemany("INSERT INTO label_regions VALUES (?,?)", lregions)
    if not with_fts:
        # the same trigger as the v1 migration creates
        db.execute("""CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body); END""")
        db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    return n



def seed_listings(db, filtered_per_document=3):
    """Listed items (store/listings.py) for the synthetic documents: each document listed by its
    source on its day, plus 0..`filtered_per_document` items the same listing showed that were
    not relevant (no document), a fixed number per document: the screenshots' share charts."""
    rows = []
    for doc_id, source, day, outlet, rowid in db.execute(
            "SELECT id, source, pub_date, outlet, rowid FROM documents WHERE origin_kind = 'crawl' AND pub_date IS NOT NULL"):
        rows.append((source, doc_id, day, outlet, doc_id))
        rows += [(source, f"{doc_id}-{j}", day, outlet, None) for j in range(rowid % (filtered_per_document + 1))]
    with db.conn:
        db.conn.executemany("""INSERT OR IGNORE INTO listed_items (source, item_key, day, day_source, outlet, document_id,
                               first_listed_at) VALUES (?, ?, ?, 'listing', ?, ?, '2026-01-01T00:00:00Z')""", rows)
    return len(rows)
