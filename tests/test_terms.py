"""Per-document terms (real Kiwi), their daily counts, and distinctive terms by weighted
log-odds against a reference, on stores with known documents; the /api/v1/keywords endpoint."""
import math

import flask
import pytest

from analysis.keywords import distinctive_terms, score
from export.api import register
from nlp.indexing import index_pending
from nlp.terms import analyse
from store import rollups, terms
from store.documents import save_document
from store.labels import add_annotation, save_classifications
from store.queries import Filters, QueryError
from store.synthetic import seed_synthetic


def test_compounds_stay_whole_particles_and_boilerplate_go():
    doc = analyse("부산 자경위, 경찰국 신설 반대 성명",
                  "자치경찰위원회는 자치경찰제 이원화를 요구했다. 김철수 위원장은 예산안을 비판했다. "
                  "서울 강남구에서도 참여연대가 반대했다. 한빛일보 홍길동 기자 무단전재 및 재배포 금지", outlet="한빛일보")
    assert doc.terms[:4] == ["부산광역시자치경찰위원회", "경찰국", "신설", "반대"]  # the title's terms first
    for term in ("자치경찰위원회", "자치경찰제", "이원화", "예산안", "참여연대", "김철수"):
        assert term in doc.terms
    assert not {"자경위", "부산", "기자", "무단전재", "재배포", "한빛일보", "자치", "경찰"} & set(doc.terms)
    assert doc.kinds["부산광역시자치경찰위원회"] == "org" and doc.kinds["참여연대"] == "org"
    assert doc.kinds["김철수"] == "person" and doc.kinds["강남구"] == "place" and doc.kinds["서울"] == "place"
    assert doc.kinds["이원화"] == "noun"
    assert doc.sentences[0] == ["부산광역시자치경찰위원회", "경찰국", "신설", "반대", "성명"]
    assert ["자치경찰위원회", "자치경찰제", "이원화", "요구"] in doc.sentences
    assert analyse("", "").terms == [] and analyse(None, "  ").sentences == []


def _doc(db, key, title, body, day, sentiment="neutral", relevant=True, regions=("서울",), kind="news"):
    doc_id, _ = save_document(db, {"canonical_url": f"https://news.example.kr/{key}", "title": title, "body": body,
                                   "published_at": f"{day}T01:00:00Z", "source": "s", "kind": kind, "outlet": "o"})
    save_classifications(db, [{"document_id": doc_id, "model_version": "t1", "relevant": relevant,
                               "sentiment": sentiment, "topics": [], "regions": list(regions)}])
    return doc_id


@pytest.fixture
def weeks(db):
    """Week 1 (11-02..08): 자치경찰 and 예산 everywhere. Week 2 (11-09..15): 경찰국 in 8 of 10
    documents, the negative ones also 비판."""
    for i in range(10):
        _doc(db, f"w1-{i}", f"자치경찰 예산 소식 {i}", "자치경찰 예산 심의가 열렸다. 주민 안전 대책.", f"2026-11-0{2 + i % 7}")
    for i in range(10):
        neg = i < 5
        body = ("경찰국 신설에 대한 비판이 커졌다." if neg else "경찰국 신설 논의.") if i < 8 else "주민 안전 대책."
        _doc(db, f"w2-{i}", f"자치경찰 예산 {i}", body, f"2026-11-{9 + i % 7:02d}", "negative" if neg else "neutral",
             regions=("부산",) if i % 2 else ("서울",))
    rollups.ensure(db)
    index_pending(db)
    return db


WEEK2 = Filters(date_from="2026-11-09", date_to="2026-11-15")


def test_distinctive_terms_of_a_week_against_the_previous_one(weeks):
    result = distinctive_terms(weeks, WEEK2, "previous", n=10)
    top = result["terms"][0]
    assert (top["term"], top["documents"], top["reference_documents"]) == ("경찰국", 8, 0) and top["z"] > 1.96
    by_term = {t["term"]: t for t in result["terms"]}
    assert abs(by_term.get("자치경찰", {"z": 0})["z"]) < 1  # in every document of both weeks
    assert result["target"]["documents"] == 10 and result["reference_set"]["documents"] == 10
    assert result["reference_set"]["filters"]["date_from"] == "2026-11-02" and result["unanalysed"] == 0
    assert top["share"] == 0.8 and top["reference_share"] == 0


def test_critical_coverage_terms_and_other_references(weeks):
    negative = distinctive_terms(weeks, WEEK2.replace(sentiments=["negative"]), "others", n=3)
    assert negative["terms"][0]["term"] == "비판" and negative["terms"][0]["documents"] == 5
    assert negative["terms"][0]["reference_documents"] == 0
    rest = distinctive_terms(weeks, WEEK2, "rest", n=3)
    assert rest["terms"][0]["term"] == "경찰국" and rest["reference_set"]["documents"] == 10
    region = distinctive_terms(weeks, WEEK2.replace(regions=["부산"]), "region:서울", n=50)
    assert {t["term"] for t in region["terms"]} and region["reference_set"]["filters"]["regions"] == ["서울"]
    with pytest.raises(QueryError, match="needs a sentiment"):
        distinctive_terms(weeks, WEEK2, "others")
    with pytest.raises(QueryError, match="invalid ref"):
        distinctive_terms(weeks, WEEK2, "region:화성")


def test_score_is_the_weighted_log_odds_with_the_pooled_prior():
    [(term, y, r, delta, z)] = score({1: 8, 2: 10}, {1: 1, 2: 10}, prior=2, min_count=5)[:1]
    n, m, a = 18, 11, 2 * 9 / 29  # A = min(prior, pooled / 10)
    expected = math.log((8 + a) / (n + 2 - 8 - a)) - math.log((1 + a) / (m + 2 - 1 - a))
    assert (term, y, r) == (1, 8, 1) and abs(delta - expected) < 1e-12
    assert abs(z - expected / math.sqrt(1 / (8 + a) + 1 / (1 + a))) < 1e-12
    assert score({1: 2}, {1: 0}, min_count=3) == [] and score({}, {1: 5}) == []


GRID = [Filters(), Filters(date_from="2026-11-05", date_to="2026-11-12"), Filters(sentiments=["negative"]),
        Filters(source_kinds=["news", "civic"], date_to="2026-11-19"), Filters(regions=["부산"], sentiments=["neutral"]),
        Filters(regions=["전국"], date_from="2026-11-10")]


@pytest.mark.parametrize("filters", GRID)
def test_daily_counts_equal_the_documents_and_follow_corrections(db, filters):
    seed_synthetic(db, 300, days=20, end_date="2026-11-20", seed=9)
    rollups.ensure(db)
    index_pending(db)
    assert terms.counts(db, filters) == terms.live_counts(db, filters) and terms.live_counts(db, filters)
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY rowid LIMIT 40")]
    for doc_id in ids:  # corrections change sentiments and relevance: their days are recounted
        add_annotation(db, doc_id, "tester", sentiment="negative", relevant=doc_id[-1] in "0123456789ab",
                       regions=["부산"])
    with db.conn:
        db.execute("UPDATE documents SET pub_date = '2026-11-10' WHERE id = ?", [ids[0]])
    assert db.execute("SELECT COUNT(*) FROM term_dirty").fetchone()[0] > 0
    assert terms.counts(db, filters) == terms.live_counts(db, filters)


def test_changed_text_is_analysed_again_and_deleted_documents_leave(weeks):
    before = terms.generation(weeks)
    doc_id = _doc(weeks, "w2-0", "자치경찰 예산 0", "치안 협력 회의가 열렸다.", "2026-11-09", "negative")
    assert terms.pending(weeks) == 1 and terms.unanalysed(weeks, WEEK2) == 1
    index_pending(weeks)
    assert terms.generation(weeks) > before
    counts = distinctive_terms(weeks, WEEK2, n=50)
    by_term = {t["term"]: t["documents"] for t in counts["terms"]}
    assert by_term["경찰국"] == 7 and by_term["비판"] == 4  # w2-0 no longer has either
    with weeks.conn:
        for table in ("labels", "label_regions", "classifications"):
            weeks.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])
        weeks.execute("DELETE FROM documents WHERE id = ?", [doc_id])
    assert not weeks.execute("SELECT 1 FROM doc_terms t JOIN documents d ON d.rowid = t.doc "
                             "WHERE d.id = ?", [doc_id]).fetchone()
    assert terms.counts(weeks, WEEK2) == terms.live_counts(weeks, WEEK2)


def test_text_changed_while_being_analysed_stays_queued(weeks):
    doc_id = _doc(weeks, "late", "늦은 기사", "첫 본문", "2026-11-10")
    [row] = terms.queued(weeks, 10)
    save_document(weeks, {"canonical_url": "https://news.example.kr/late", "title": "늦은 기사", "body": "바뀐 본문",
                          "published_at": "2026-11-10T01:00:00Z", "source": "s", "kind": "news", "outlet": "o"})
    assert terms.save(weeks, [(row[0], row[4], analyse(row[1], row[2]))]) == 0 and terms.pending(weeks) == 1
    index_pending(weeks)
    assert terms.pending(weeks) == 0
    stored = {r[0] for r in weeks.execute("SELECT v.term FROM doc_terms t JOIN term_vocab v ON v.id = t.term "
                                          "JOIN documents d ON d.rowid = t.doc WHERE d.id = ?", [doc_id])}
    assert "바뀐" not in stored and "본문" in stored and "첫" not in stored


def test_keywords_api_returns_scored_terms_and_clear_errors(weeks, db_path):
    client = register(flask.Flask("kw"), db_path).test_client()
    r = client.get("/api/v1/keywords", query_string={"from": "2026-11-09", "to": "2026-11-15", "n": 5})
    body = r.get_json()
    assert r.status_code == 200 and body["data"][0]["term"] == "경찰국" and body["meta"]["reference"] == "previous"
    assert body["meta"]["reference_set"]["documents"] == 10 and len(body["data"]) <= 5
    r = client.get("/api/v1/keywords", query_string={"from": "2026-11-09", "to": "2026-11-15", "format": "csv",
                                                      "sentiment": "negative", "ref": "others"})
    lines = r.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "term,kind,documents,reference_documents,share,reference_share,log_odds,z"
    assert lines[1].startswith("비판,noun,5,0,")
    for query, message in ((("from", "2026-11-09"),), "need from and to"), ((("ref", "x"), ("from", "2026-11-09"),
                                                                            ("to", "2026-11-10")), "invalid ref"):
        r = client.get("/api/v1/keywords", query_string=dict(query))
        assert r.status_code == 400 and message in r.get_json()["error"]
    r = client.get("/api/v1/keywords", query_string={"from": "2026-11-09", "to": "2026-11-15", "n": 0})
    assert r.status_code == 400 and "n must be between 1 and 200" in r.get_json()["error"]


def test_related_words_by_pmi_over_sentences(weeks, db_path):
    from analysis.related import related
    result = related(weeks, WEEK2, word="경찰국")
    edges = {e["target"]: e for e in result["edges"]}
    assert result["sentences"] == 20 and set(edges) == {"신설", "비판", "논의"}  # 10 titles, 10 bodies
    assert (edges["신설"]["cooccurrences"], edges["비판"]["cooccurrences"], edges["논의"]["cooccurrences"]) == (8, 5, 3)
    assert edges["비판"]["pmi"] == round(math.log2(5 * 20 / (8 * 5)), 4)  # never apart from 경찰국
    assert edges["비판"]["npmi"] == round(math.log2(2.5) / -math.log2(5 / 20), 4)
    assert "논의" not in {e["target"] for e in related(weeks, WEEK2, word="경찰국", min_count=4)["edges"]}
    network = related(weeks, WEEK2, top=5)
    pairs = {(e["source"], e["target"]) for e in network["edges"]} | {(e["target"], e["source"]) for e in network["edges"]}
    assert ("자치경찰", "예산") in pairs and ("자치경찰", "경찰국") not in pairs  # titles and bodies are apart
    with pytest.raises(QueryError, match="no analysed document contains the word"):
        related(weeks, WEEK2, word="없는말")
    client = register(flask.Flask("rel"), db_path).test_client()
    body = client.get("/api/v1/related", query_string={"word": "예산", "from": "2026-11-09", "to": "2026-11-15"}).get_json()
    assert body["meta"]["word"] == "예산" and body["data"][0]["target"] == "자치경찰"
    assert body["data"][0]["cooccurrences"] == 10 and body["data"][0]["pmi"] == 1.0  # log2(10·20 / (10·10))
    r = client.get("/api/v1/related", query_string={"format": "csv", "from": "2026-11-09", "to": "2026-11-15"})
    lines = r.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "source,target,target_kind,cooccurrences,source_sentences,target_sentences,pmi,npmi"
    assert len(lines) > 2 and r.headers["Content-Disposition"] == 'attachment; filename="related.csv"'
    r = client.get("/api/v1/related", query_string={"word": " "})
    assert r.status_code == 400 and "word is empty" in r.get_json()["error"]


def test_digest_lists_the_weeks_distinctive_terms(weeks):
    from digest.build import build_digest
    from digest.render import render_html, render_text
    ctx = build_digest(weeks, "2026-W46")  # Monday 2026-11-09: week 2 against week 1
    assert [(t["term"], t["documents"], t["reference_documents"]) for t in ctx["terms"]][:2] == [
        ("경찰국", 8, 0), ("신설", 8, 0)] and all(t["z"] > 1.96 for t in ctx["terms"])
    assert "- 경찰국: 8건 (지난주 0건)" in render_text(ctx)
    assert "경찰국: 8건 <span" in render_html(ctx, {"volume": "cid:v", "negative": "cid:n"})
    assert build_digest(weeks, "2026-W45")["terms"] == []  # week 1 has no week before it


def test_entities_their_comparison_trend_and_api(weeks, db_path):
    from analysis.entities import comparison_filters, entity_days, top_entities
    for i in range(4):  # 2026-11-10..13, and one the year before
        _doc(weeks, f"e-{i}", f"위원회 회의 {i}", f"김민수 위원장은 강남구 주민 {i}명을 만났다. 참여연대가 동행했다.",
             f"2026-11-1{i}",
             regions=("부산",) if i % 2 else ("서울",))
    _doc(weeks, "e-old", "위원회 회의", "참여연대가 성명을 냈다.", "2025-11-12")
    index_pending(weeks)
    rows = top_entities(weeks, WEEK2, comparison_filters(WEEK2, "year"))
    assert [(r["kind"], r["entity"], r["documents"], r["comparison_documents"]) for r in rows] == [
        ("person", "김민수", 4, 0), ("org", "참여연대", 4, 1), ("place", "강남구", 4, 0)]
    assert rows[1]["change"] == 3.0 and rows[0]["change"] is None and "위원회" not in {r["entity"] for r in rows}
    busan = WEEK2.replace(regions=["부산"])  # the daily tables; with a topic filter: the documents themselves
    assert entity_days(weeks, busan, "김민수")[1:5] == [("2026-11-10", 0), ("2026-11-11", 1), ("2026-11-12", 0),
                                                      ("2026-11-13", 1)]
    assert terms.day_counts(weeks, busan.replace(outlets=["o"]), terms.term_id(weeks, "김민수")) == {
        "2026-11-11": 1, "2026-11-13": 1}
    with pytest.raises(QueryError, match="no analysed document mentions"):
        entity_days(weeks, WEEK2, "홍길동")
    client = register(flask.Flask("ent"), db_path).test_client()
    body = client.get("/api/v1/entities", query_string={"from": "2026-11-09", "to": "2026-11-15", "kind": "org",
                                                        "compare": "year"}).get_json()
    assert body["data"] == [{"kind": "org", "rank": 1, "entity": "참여연대", "documents": 4, "comparison_documents": 1,
                             "change": 3.0}] and body["meta"]["comparison"]["date_from"] == "2025-11-09"
    for query, message in (({"from": "2026-11-09"}, "need from and to"),
                           ({"from": "2026-11-09", "to": "2026-11-15", "kind": "noun"}, "invalid kind"),
                           ({"from": "2026-11-09", "to": "2026-11-15", "compare": "x"}, "invalid compare")):
        r = client.get("/api/v1/entities", query_string=query)
        assert r.status_code == 400 and message in r.get_json()["error"]
    before = distinctive_terms(weeks, Filters(date_from="2026-11-12", date_to="2026-11-12"), "before:10")
    assert before["reference_set"]["filters"]["date_from"] == "2026-11-02"
    assert before["reference_set"]["filters"]["date_to"] == "2026-11-11"
    with pytest.raises(QueryError, match="invalid ref"):
        distinctive_terms(weeks, WEEK2, "before:0")
