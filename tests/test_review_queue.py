"""The review queue ranks model labels by uncertainty × story size and drops corrected ones."""
from store.labels import add_annotation
from store.queries import Filters
from store.review import review_queue, uncertainty
from tests.review_support import END, make_store


def test_uncertainty_prefers_the_label_in_doubt():
    assert uncertainty(0.5, {"positive": 0.9, "neutral": 0.1}, True) == (1.0, "relevance")
    u, doubt = uncertainty(0.99, {"positive": 0.41, "neutral": 0.40, "negative": 0.19}, True)
    assert doubt == "sentiment" and abs(u - 0.99) < 1e-9
    assert uncertainty(0.1, {"positive": 0.5, "neutral": 0.5}, False)[1] == "relevance"


def test_queue_order_and_corrections_leave_it(tmp_path):
    db, ids = make_store(tmp_path / "m.db")
    f = Filters(date_from="2026-10-01", date_to=END)
    queue = review_queue(db, f, limit=10)
    order = [r["id"] for r in queue]
    # the contested sentiment in a 3-article story outranks a lone document near 0.5 relevance
    assert order[:2] == [ids["story"], ids["unsure_rel"]], queue[:3]
    assert queue[0]["story_size"] == 3 and queue[0]["doubt"] == "sentiment"
    assert queue[0]["priority"] > queue[1]["priority"] > queue[2]["priority"]
    assert ids["sure"] not in order[:3]
    add_annotation(db, ids["story"], "검토자", sentiment="positive")
    assert ids["story"] not in [r["id"] for r in review_queue(db, f, limit=10)]
