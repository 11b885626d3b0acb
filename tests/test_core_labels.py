"""store/labels.py: which model output and which human correction end up in the effective
labels, field by field, with the expected labels written out in each test."""
import json

import pytest

from store.documents import save_document
from store.labels import (add_annotation, annotations_for_training, documents_to_classify, refresh_labels,
                          save_classifications)


def put(db, n, body=None, summary=None, region_hint=None):
    doc_id, _ = save_document(db, {"canonical_url": f"https://example.kr/{n}", "title": f"제목 {n}",
                                   "body": body if body is not None else f"본문 {n}", "summary": summary,
                                   "published_at": "2026-11-02T01:00:00Z", "region_hint": region_hint})
    return doc_id


def model(doc_id, version="m1", sentiment="negative", relevant=True, topics=("budget",), regions=("서울",),
          at=None, score=0.8):
    row = {"document_id": doc_id, "model_version": version, "relevant": relevant, "relevance_score": score,
           "sentiment": sentiment, "topics": list(topics), "regions": list(regions),
           "sentiment_scores": {"negative": 0.6}, "topic_scores": {"budget": 0.7}}
    if at:
        row["classified_at"] = at
    return row


def label(db, doc_id):
    row = db.execute("SELECT relevant, sentiment, topics, regions, origin, model_version, relevance_score "
                     "FROM labels WHERE document_id = ?", [doc_id]).fetchone()
    if row is None:
        return None
    topics = sorted(r[0] for r in db.execute("SELECT topic FROM label_topics WHERE document_id = ?", [doc_id]))
    regions = sorted(r[0] for r in db.execute("SELECT region FROM label_regions WHERE document_id = ?", [doc_id]))
    assert sorted(json.loads(row[2])) == topics and sorted(json.loads(row[3])) == regions  # lists and tables agree
    return {"relevant": row[0], "sentiment": row[1], "topics": topics, "regions": regions, "origin": row[4],
            "model_version": row[5], "score": row[6]}


def test_two_corrections_of_one_field_the_latest_wins(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, sentiment="neutral")])
    add_annotation(db, doc, "홍보", sentiment="negative")
    add_annotation(db, doc, "홍보", sentiment="positive")   # same second: the later row wins
    assert label(db, doc)["sentiment"] == "positive"
    add_annotation(db, doc, "연구", sentiment="neutral")
    assert label(db, doc)["sentiment"] == "neutral"
    assert annotations_for_training(db)[0]["sentiment"] == "neutral"


def test_latest_by_time_wins_even_when_stored_out_of_order(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, sentiment="neutral")])
    for at, sentiment in (("2026-11-05T00:00:00Z", "positive"), ("2026-11-04T00:00:00Z", "negative")):
        db["annotations"].insert({"document_id": doc, "annotator": "import", "created_at": at, "sentiment": sentiment})
    refresh_labels(db, [doc])
    import store
    other = store.open_db(db.path)  # committed: another connection sees it
    assert label(other, doc)["sentiment"] == "positive"  # the correction made last, though stored first
    other.conn.close()


def test_partial_corrections_merge_with_the_model_label(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, sentiment="negative", topics=("budget", "staffing"), regions=("서울",))])
    add_annotation(db, doc, "홍보", regions=["부산"])
    add_annotation(db, doc, "연구", sentiment="positive")
    assert label(db, doc) == {"relevant": 1, "sentiment": "positive", "topics": ["budget", "staffing"],
                              "regions": ["부산"], "origin": "model+human", "model_version": "m1", "score": 0.8}
    add_annotation(db, doc, "연구", topics=[])            # an explicit empty list is a correction too
    assert label(db, doc)["topics"] == [] and label(db, doc)["regions"] == ["부산"]
    add_annotation(db, doc, "연구", relevant=False)
    assert label(db, doc)["relevant"] == 0 and label(db, doc)["sentiment"] == "positive"
    training = annotations_for_training(db)
    assert training == [{"id": doc, "title": "제목 1", "text": "본문 1", "relevant": 0, "sentiment": "positive",
                         "topics": [], "regions": ["부산"]}]


def test_a_newer_model_output_replaces_the_older_one_but_not_the_human_fields(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, "m1", "negative", at="2026-11-01T00:00:00Z")])
    add_annotation(db, doc, "홍보", sentiment="positive")
    save_classifications(db, [model(doc, "m2", "neutral", topics=("staffing",), at="2026-11-03T00:00:00Z",
                                    score=0.3)])
    assert label(db, doc) == {"relevant": 1, "sentiment": "positive", "topics": ["staffing"], "regions": ["서울"],
                              "origin": "model+human", "model_version": "m2", "score": 0.3}
    # an older version classified again later (a re-run) is the newest output now
    save_classifications(db, [model(doc, "m1", "negative", topics=("budget",), at="2026-11-04T00:00:00Z")])
    assert (label(db, doc)["model_version"], label(db, doc)["topics"]) == ("m1", ["budget"])


def test_same_time_classifications_the_later_write_wins(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, "m1", "negative", at="2026-11-01T00:00:00Z")])
    save_classifications(db, [model(doc, "m2", "positive", at="2026-11-01T00:00:00Z")])
    assert label(db, doc)["model_version"] == "m2"


def test_model_only_and_human_only_labels(db):
    plain, human_only = put(db, 1), put(db, 2)
    save_classifications(db, [model(plain, sentiment=None, relevant=0, topics=(), regions=())])
    assert label(db, plain) == {"relevant": 0, "sentiment": "neutral", "topics": [], "regions": [],
                                "origin": "model", "model_version": "m1", "score": 0.8}
    add_annotation(db, human_only, "홍보", topics=["budget"])   # no model output: relevant implied
    assert label(db, human_only) == {"relevant": 1, "sentiment": "neutral", "topics": ["budget"], "regions": [],
                                     "origin": "human", "model_version": None, "score": None}
    add_annotation(db, human_only, "홍보", relevant=False)
    assert label(db, human_only)["relevant"] == 0


def test_refresh_without_any_output_writes_nothing(db):
    doc = put(db, 1)
    refresh_labels(db, [doc, doc])
    assert label(db, doc) is None


def test_refresh_replaces_topic_and_region_rows(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, topics=("budget", "staffing"), regions=("서울", "부산"))])
    save_classifications(db, [model(doc, topics=("model",), regions=("전국",))])  # same version: replaced
    assert (label(db, doc)["topics"], label(db, doc)["regions"]) == (["model"], ["전국"])
    assert db.execute("SELECT COUNT(*) FROM classifications").fetchone()[0] == 1


def test_classification_fields_are_stored_as_given(db):
    doc = put(db, 1)
    save_classifications(db, [{"document_id": doc, "model_version": "m1", "relevant": "yes", "sentiment": "negative",
                               "topics": None, "regions": None}])
    row = db.execute("SELECT relevant, topics, regions, sentiment_scores, classified_at FROM classifications").fetchone()
    assert row[:4] == (1, "[]", "[]", None) and row[4].endswith("Z")


def test_annotation_needs_an_annotator_and_a_known_document(db):
    doc = put(db, 1)
    with pytest.raises(ValueError, match="annotator is required"):
        add_annotation(db, doc, "", sentiment="negative")
    with pytest.raises(KeyError, match="no document with id nope"):
        add_annotation(db, "nope", "홍보", sentiment="negative")
    assert db.execute("SELECT COUNT(*) FROM annotations").fetchone()[0] == 0
    pk = add_annotation(db, doc, "홍보", note="확인")
    row = db["annotations"].get(pk)
    assert (row["relevant"], row["sentiment"], row["topics"], row["note"]) == (None, None, None, "확인")


def test_documents_to_classify_skips_copies_and_done_work(db):
    a, b, c = put(db, 1, region_hint="부산"), put(db, 2), put(db, 3)
    copy, _ = save_document(db, {"canonical_url": "https://mirror.kr/1", "title": "제목 1", "body": "본문 1"})
    save_classifications(db, [model(b, "m1"), model(c, "m0")])
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(documents_to_classify(db, "m1")) == [a, c]         # rowid order; not b (done), not the copy
    assert documents_to_classify(db, "m1")[0]["region"] == "부산"
    assert ids(documents_to_classify(db, "m1", limit=1)) == [a]
    assert ids(documents_to_classify(db, "m1", reclassify=True)) == [a, b, c]
    assert copy not in ids(documents_to_classify(db, "m9", reclassify=True))


def test_training_text_falls_back_from_body_to_summary(db):
    with_body, summary_only, empty = put(db, 1), put(db, 2, body="", summary="요약 2"), put(db, 3, body="")
    for doc in (with_body, summary_only, empty):
        add_annotation(db, doc, "홍보", sentiment="negative")
    texts = {r["id"]: r["text"] for r in annotations_for_training(db)}
    assert texts == {with_body: "본문 1", summary_only: "요약 2", empty: ""}
    assert {r["relevant"] for r in annotations_for_training(db)} == {None}



def test_a_repeated_topic_or_region_is_stored_once(db):
    doc = put(db, 1)
    save_classifications(db, [model(doc, topics=("budget", "budget"), regions=("서울", "서울"))])
    assert (label(db, doc)["topics"], label(db, doc)["regions"]) == (["budget"], ["서울"])
    add_annotation(db, doc, "홍보", topics=["staffing", "staffing"], regions=["부산", "부산"])
    assert (label(db, doc)["topics"], label(db, doc)["regions"]) == (["staffing"], ["부산"])


def test_a_refresh_that_fails_changes_no_label(db):
    """refresh_labels is one transaction: a bad row for the second document leaves the
    first document's label as it was (sqlite-utils would commit each write on its own)."""
    first, second = put(db, 1), put(db, 2)
    save_classifications(db, [model(first, sentiment="negative", at="2026-11-01T00:00:00Z")])
    db.execute("UPDATE classifications SET sentiment = 'positive', classified_at = '2026-11-02T00:00:00Z'")
    db.execute("INSERT INTO classifications (document_id, model_version, relevant, topics, regions, classified_at) "
               "VALUES (?, 'm1', 1, 'not json', '[]', '2026-11-02T00:00:00Z')", [second])
    db.conn.commit()
    with pytest.raises(json.JSONDecodeError):
        refresh_labels(db, [first, second])
    import store
    other = store.open_db(db.path)
    assert label(other, first)["sentiment"] == "negative" and label(other, second) is None
    other.conn.close()
