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
