"""Re-classifying an already-embedded store after a head retrain (docs/model.md, "Embedding cache").

Builds a store of N documents (seed texts, each made unique by a trailing number, which adds
no content morpheme and no region evidence), fills its feature cache as a first `classify`
would have (an embedding per document — random unit vectors, the encoder is not what is
measured — the Kiwi morphemes and the region evidence of each text) and its text indexes (the
search bigrams and terms a first `classify` builds after labelling), then times
`classify_pending(..., reclassify=True)` with the trained heads. The encoder must not run: the
script fails if it does.

Usage: python benchmarks/reclassify.py [--n 100000] [--bases 200] [--batch-size 256] [--db PATH]
Prints seconds, docs/s, the cache counts, and the per-part cost of the heads on a sample.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_store(db, n, bases, encoder_key):
    import numpy as np

    from nlp import morph, regions
    from nlp.clean import document_parts, join_parts
    from nlp.data import SEED_HELDOUT, SEED_TRAIN, load_gold
    from nlp.feature_cache import text_hash
    from store.util import write_transaction
    gold = (load_gold(SEED_TRAIN) + load_gold(SEED_HELDOUT))[:bases]

    def features(g, suffix=""):
        title, body = document_parts(g["title"], g["text"] + suffix)
        ev = json.dumps(regions.region_evidence(g["title"], body), ensure_ascii=False)
        return join_parts(title, body), text_hash(f"{g['title']}\0{body}"), ev

    tokens = {i: json.dumps(morph.content_tokens(features(g)[0]), ensure_ascii=False) for i, g in enumerate(gold)}
    evidence = {i: features(g)[2] for i, g in enumerate(gold)}
    text, _, ev = features(gold[0], " 12345")
    assert json.dumps(morph.content_tokens(text), ensure_ascii=False) == tokens[0], "suffix adds morphemes"
    assert ev == evidence[0], "suffix adds region evidence"
    rng = np.random.default_rng(0)
    analyzer, rules = morph.analyzer_key(), regions.rules_key()
    with write_transaction(db):
        for s in range(0, n, 5000):
            docs, emb, mor, reg = [], [], [], []
            for i in range(s, min(n, s + 5000)):
                g = gold[i % len(gold)]
                body = f"{g['text']} {i}"
                docs.append((f"d{i}", f"https://bench.example/{i}", f"https://bench.example/{i}", "bench",
                             "news", "벤치", g["title"], body, "2024-05-01T00:00:00Z", "2024-05-01"))
                title, clean = document_parts(g["title"], body)
                h = text_hash(join_parts(title, clean))
                v = rng.normal(size=384).astype(np.float32)
                emb.append((h, encoder_key, (v / np.linalg.norm(v)).astype(np.float16).tobytes()))
                mor.append((h, analyzer, tokens[i % len(gold)]))
                reg.append((text_hash(f"{g['title']}\0{clean}"), rules, evidence[i % len(gold)]))
            db.conn.executemany("INSERT INTO documents (id, url, canonical_url, source, kind, outlet, title, body, "
                                "published_at, pub_date) VALUES (?,?,?,?,?,?,?,?,?,?)", docs)
            db.conn.executemany("INSERT OR REPLACE INTO embedding_cache VALUES (?,?,?)", emb)
            db.conn.executemany("INSERT OR REPLACE INTO morpheme_cache VALUES (?,?,?)", mor)
            db.conn.executemany("INSERT OR REPLACE INTO region_cache VALUES (?,?,?)", reg)
    from nlp.indexing import index_pending
    index_pending(db)


def head_parts(clf, rows, batch):
    """Seconds per document of each part of the heads, on a sample of the store."""
    from nlp import char_ngrams
    from nlp.classify import _doc_item
    from nlp.clean import document_parts, join_parts
    from nlp.regions import region_evidence
    items = [_doc_item(r) for r in rows]
    parts = {}
    t0 = time.perf_counter()
    cleaned = [document_parts(it["title"], it["text"]) for it in items]
    texts = [join_parts(*p) for p in cleaned]
    parts["clean_text"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in range(0, len(texts), batch):
        char_ngrams.tfidf(clf.heads["text_features"].chars, texts[s:s + batch])
    parts["char_ngrams_tfidf"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for it, (_, body) in zip(items, cleaned):
        region_evidence(it["title"], body)
    parts["region_rules_uncached"] = time.perf_counter() - t0
    return {k: round(v / len(items) * 1000, 3) for k, v in parts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--bases", type=int, default=200, help="distinct seed texts the documents repeat")
    ap.add_argument("--batch-size", type=int, default=32, help="as `classify --batch-size` (the encoder's)")
    ap.add_argument("--db", default=None, help="store file (default: a temporary file)")
    a = ap.parse_args()
    import store
    from nlp.classify import classify_pending, load_classifier
    from nlp.encoder import Encoder
    path = Path(a.db) if a.db else Path(tempfile.mkdtemp(prefix="reclassify-")) / "bench.db"
    db = store.open_db(path)
    clf = load_classifier(precision="fp32")
    if not db["documents"].count:
        t0 = time.perf_counter()
        build_store(db, a.n, a.bases, clf.encoder.cache_key)
        print(f"store of {a.n} documents built in {time.perf_counter() - t0:.0f}s: {path}", file=sys.stderr)

    def no_encoder(*args):
        raise SystemExit("the encoder ran: the cache did not serve a document")

    Encoder._forward = no_encoder
    sample = list(db.query("SELECT id, title, body, summary, region_hint AS region FROM documents LIMIT 2000"))
    parts = head_parts(clf, sample, a.batch_size)
    t0 = time.perf_counter()
    counts = classify_pending(db, batch_size=a.batch_size, reclassify=True, precision="fp32")
    dt = time.perf_counter() - t0
    print(json.dumps({"documents": counts["classified"], "seconds": round(dt, 1),
                      "docs_per_s": round(counts["classified"] / dt, 1),
                      "embeddings_reused": counts["embeddings_reused"],
                      "embeddings_computed": counts["embeddings_computed"],
                      "ms_per_doc_parts_sample": parts, "load_average": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
