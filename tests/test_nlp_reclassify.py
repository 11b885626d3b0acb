"""Re-labelling from the store's caches (issue 17): the batch character n-grams equal sklearn's,
cached region evidence gives the same labels as computing it, and the cache follows the text
and the rules (tiny random encoder with the real tokenizer; the speed is in
benchmarks/reclassify.py)."""
from nlp import char_ngrams, regions
from nlp.feature_cache import CachedEncoder

HOSTILE = ["", "   ", "A  B\tC\n\nD  ", "İSTANBUL ΣΑΣ Straße", "이모지 😀 경찰 😀😀 𝔘", "가", "ab",
           "서울\u3000자치경찰\u00a0위원회", "\x1c경찰\x1f서울", "=HYPERLINK(\"file:///x\")", "ﬀ ﬁ Ⅻ"]


def test_batch_char_ngrams_equal_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.model import doc_string
    texts = [doc_string(g) for g in load_gold(SEED_HELDOUT)[:60]]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True,
                          max_features=20000).fit(texts + HOSTILE[3:5])    # vocabulary beyond the BMP too
    for batch in (texts + HOSTILE, HOSTILE, [HOSTILE[4]]):
        want, got = vec.transform(batch), char_ngrams.tfidf(vec, batch)
        assert got.shape == want.shape and got.nnz == want.nnz
        assert (got != want).nnz == 0
    assert vec.transform([HOSTILE[4]]).nnz > 0


def _save_docs(db, bodies):
    from store.documents import save_document
    for i, body in enumerate(bodies):
        save_document(db, {"canonical_url": f"https://news.example/r{i}", "title": f"서울 자치경찰위원회 소식 {i}",
                           "body": body, "source": "test", "kind": "news", "outlet": "테스트",
                           "published_at": "2024-05-01T09:00:00+09:00"})


BODIES = ["대구시 자치경찰위원회가 어린이 보호구역을 점검했다. 부산경찰청도 참여했다.",
          "시민단체는 자치경찰위원회의 권한이 없다며 이원화를 촉구했다. 전국 18개 시도가 대상이다.",
          "경기남부자치경찰위원회와 수원시가 협약을 맺었다. 😀",
          "Busan Metropolitan Police Agency held a hearing in Seoul."]


def _labels(db):
    return {r["document_id"]: (r["regions"], r["topic_scores"], r["sentiment_scores"], r["relevance_score"])
            for r in db.query("SELECT * FROM classifications")}


def test_labels_from_the_caches_equal_computed_ones(db, tiny_model_dir, monkeypatch):
    from nlp.classify import classify_pending
    _save_docs(db, BODIES)
    kw = dict(model=str(tiny_model_dir), progress=False, precision="fp32", reclassify=True)
    first = classify_pending(db, **kw)                       # computes everything, fills the caches
    assert first["classified"] == 4 and first["embeddings_computed"] == 4 and db["region_cache"].count == 4
    computed = _labels(db)

    def no_rules(*args):
        raise AssertionError("the region rules ran although their evidence is cached")
    monkeypatch.setattr(regions, "region_evidence", no_rules)
    again = classify_pending(db, **kw)
    assert again["classified"] == 4 and again["embeddings_computed"] == 0 and again["failed"] == 0
    assert _labels(db) == computed
    assert any('"서울"' in regions_ for regions_, *_ in computed.values())


def test_region_cache_follows_text_and_rules(db, monkeypatch):
    cached = CachedEncoder(None, db)                  # evidence only: no encoder needed
    pairs = [("제목", BODIES[0]), ("부산 소식", BODIES[1])]
    calls = []
    compute = regions.region_evidence

    def counted(title, body):
        calls.append(title)
        return compute(title, body)
    monkeypatch.setattr(regions, "region_evidence", counted)
    first = cached.evidence(pairs)
    assert first == [compute(t, b) for t, b in pairs] and len(calls) == 2
    assert cached.evidence(pairs) == first and len(calls) == 2            # served by the store
    changed = cached.evidence([("제목", BODIES[0] + " 광주경찰청"), ("부산 소식", BODIES[1])])
    assert len(calls) == 3 and "광주" in changed[0] and "광주" not in first[0]
    cached.evidence([("대구 소식", BODIES[0])])                           # the title is part of the key
    assert len(calls) == 4
    monkeypatch.setattr(regions, "rules_key", lambda: "rules-v2")          # rules or vocabulary edited
    assert CachedEncoder(cached.encoder, db).evidence(pairs) == first and len(calls) == 6
    assert {r[0] for r in db.execute("SELECT DISTINCT rules_key FROM region_cache")} == {"rules-v2", cached._rules}


def test_rules_key_follows_the_rules_and_the_vocabulary(tmp_path, monkeypatch):
    from pathlib import Path
    key = regions.rules_key()
    source = Path(regions.__file__)
    (tmp_path / "nlp").mkdir()
    copy, vocab = tmp_path / "nlp" / "regions.py", tmp_path / "vocabulary.py"
    copy.write_bytes(source.read_bytes())
    vocab.write_bytes((source.parent.parent / "vocabulary.py").read_bytes())
    monkeypatch.setattr(regions, "__file__", str(copy))
    assert regions.rules_key() == key
    vocab.write_bytes(vocab.read_bytes() + b"\n# a region renamed\n")
    assert regions.rules_key() != key
    vocab.write_bytes((source.parent.parent / "vocabulary.py").read_bytes())
    copy.write_bytes(copy.read_bytes() + b"\n# a rule edited\n")
    assert regions.rules_key() != key


def test_heads_batch_grows_only_while_the_cache_serves(db, tiny_model_dir, monkeypatch):
    from nlp import classify
    from nlp.model import Classifier
    _save_docs(db, [f"{BODIES[i % 4]} 번호 {i}" for i in range(11)])
    sizes = []
    predict = Classifier.predict

    def spy(self, items, **kw):
        sizes.append(len(items))
        return predict(self, items, **kw)
    monkeypatch.setattr(Classifier, "predict", spy)
    monkeypatch.setattr(classify, "HEADS_BATCH", 4)
    kw = dict(model=str(tiny_model_dir), progress=False, precision="fp32", batch_size=2)
    classify.classify_pending(db, **kw)
    assert sizes == [2] * 5 + [1]                       # every document encoded: encoder batches
    sizes.clear()
    assert classify.classify_pending(db, reclassify=True, **kw)["classified"] == 11
    assert sizes == [2, 4, 4, 1]                        # all cached: the step grows to HEADS_BATCH
