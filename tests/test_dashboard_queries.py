"""store.queries.document_page (added for the dashboard) returns search_documents' rows."""
import pytest

from store import rollups
from store.queries import Filters, document_page, search_documents
from store.synthetic import seed_synthetic


@pytest.mark.parametrize("filters,sort,offset", [
    (Filters(date_from="2026-11-01", date_to="2026-11-15"), "published_desc", 0),
    (Filters(date_from="2026-11-01", date_to="2026-11-15"), "published_asc", 7),
    (Filters(date_from="2026-11-10", regions=["서울"], sentiments=["negative"]), "published_desc", 0),
    (Filters(date_to="2026-11-05", outlets=["KBS"]), "relevance_desc", 3),
    (Filters(date_from="2026-11-01", date_to="2026-11-20", topics=["budget", "staffing"], regions=["전국", "부산"]),
     "published_asc", 2),
    (Filters(relevance="all", text="예산"), "title", 0),
])
def test_document_page_matches_search_documents(db, filters, sort, offset):
    seed_synthetic(db, 600, days=30, end_date="2026-11-20", seed=5)
    rollups.ensure(db)  # adds the published_at index the fast path uses
    expected, total = search_documents(db, filters, sort, limit=15, offset=offset)
    assert total > offset and expected
    assert document_page(db, filters, sort, limit=15, offset=offset) == expected


def test_live_query_results_are_cached_until_the_store_changes(tmp_path):
    from dashboard.data import Data
    from store import open_db, queries
    from store.labels import add_annotation
    path = tmp_path / "m.db"
    db = open_db(path)
    seed_synthetic(db, 600, days=30, end_date="2026-11-20", seed=6)
    db.conn.close()
    data = Data(path)
    f = Filters(text="예산", date_from="2026-11-01")  # text search: the rollups cannot answer it
    with data.db() as conn:
        first = data.totals(conn, f)
        assert first == queries.totals(conn, f) and first["articles"] > 0
        assert data.totals(conn, f) is first  # the second ask is the cached object
        rows, total = data.documents(conn, f, "published_desc", 10, 0)
        assert total == first["articles"] and rows == search_documents(conn, f, "published_desc", 10, 0)[0]
        doc = rows[0]
        add_annotation(conn, doc["id"], "tester", relevant=False)
    with data.db() as conn:  # the next callback refreshes the rollups: a new generation
        after = data.totals(conn, f)
        assert after["articles"] == first["articles"] - 1 == queries.totals(conn, f)["articles"]
