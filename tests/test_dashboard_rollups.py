"""The dashboard's rollup tables give the same numbers as the shared live queries."""
import pytest

from store import open_db, queries, rollups
from store.labels import add_annotation
from store.queries import Filters
from store.synthetic import seed_synthetic

END = "2026-11-20"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One store for the read-only tests (seeding is the slow part)."""
    db = open_db(tmp_path_factory.mktemp("rollups") / "monitor.db")
    seed_synthetic(db, 2500, days=40, end_date=END, seed=3)
    rollups.ensure(db)
    yield db
    db.conn.close()


def _strip(rows, outlets=True, keys=("period", "articles", "stories", "negative", "neutral", "positive")):
    return [{k: r[k] for k in keys + (("outlets",) if outlets else ()) + tuple(k for k in ("region", "topic", "source_kind", "outlet") if k in r)}
            for r in rows]


@pytest.mark.parametrize("by,group,filters", [
    ("day", None, Filters()),
    ("week", "source_kind", Filters(date_from="2026-10-20", date_to="2026-11-10")),
    ("month", "region", Filters(sentiments=["negative"])),
    ("day", "topic", Filters(source_kinds=["news"], outlets=["KBS", "한겨레"])),
    ("week", None, Filters(regions=["서울"])),
    ("week", "sentiment", Filters(topics=["budget"], date_from="2026-11-01")),
    ("day", "topic", Filters(regions=["부산"], source_kinds=["news"])),
    ("week", "region", Filters(topics=["staffing"], sentiments=["negative", "neutral"])),
])
def test_rollup_counts_match_live_queries(seeded, by, group, filters):
    fast = rollups.counts(seeded, by, group, filters)
    assert fast, "rollups should answer these filters"
    outlets = fast[0]["outlets"] is not None  # None only from the region × topic table
    assert outlets == (not (filters.regions or group == "region") or not (filters.topics or group == "topic"))
    assert _strip(fast, outlets) == _strip(queries.counts(seeded, by, group, filters), outlets)
    slim = rollups.counts(seeded, by, group, filters, outlets=False)  # the smaller tables agree
    assert _strip(slim, False) == _strip(fast, False)


def test_rollup_totals_match_the_live_totals(seeded):
    f = Filters(date_from="2026-10-15", date_to=END)
    fast, live = rollups.totals(seeded, f), queries.totals(seeded, f)
    for key in ("articles", "stories", "outlets", "negative", "neutral", "positive", "negative_ci"):
        assert fast[key] == live[key]
    assert rollups.totals(seeded, Filters())["stories"] == queries.totals(seeded, Filters())["stories"]


def test_unsupported_filters_fall_back_to_live_queries(seeded):
    assert rollups.counts(seeded, "day", None, Filters(text="자치경찰")) is None
    assert rollups.totals(seeded, Filters(regions=["서울", "부산"])) is None
    assert rollups.counts(seeded, "day", "region", Filters(topics=["budget"], outlets=["KBS"])) is None
    both = rollups.totals(seeded, Filters(regions=["서울"], topics=["budget"]))
    assert both["outlets"] is None  # the region × topic table keeps no outlets
    assert both["articles"] == queries.totals(seeded, Filters(regions=["서울"], topics=["budget"]))["articles"]


def test_annotation_marks_day_dirty_and_refresh_updates_counts(db):
    seed_synthetic(db, 400, days=10, end_date=END, seed=4)
    rollups.ensure(db)
    seeded = db
    row = next(iter(seeded.query(
        "SELECT d.id, d.pub_date FROM documents d JOIN labels l ON l.document_id = d.id "
        "WHERE l.relevant = 1 AND l.sentiment = 'positive' AND d.duplicate_of IS NULL LIMIT 1")))
    f = Filters(date_from=row["pub_date"], date_to=row["pub_date"])
    before = rollups.totals(seeded, f)
    add_annotation(seeded, row["id"], "tester", sentiment="negative")
    assert seeded.execute("SELECT COUNT(*) FROM rollup_dirty").fetchone()[0] >= 1
    assert rollups.refresh_if_dirty(seeded) >= 1
    after = rollups.totals(seeded, f)
    assert (after["negative"], after["positive"]) == (before["negative"] + 1, before["positive"] - 1)
    assert after["negative"] == queries.totals(seeded, f)["negative"]


@pytest.mark.parametrize("group,filters", [
    ("region", Filters(date_from="2026-10-20")), ("topic", Filters(sentiments=["negative"])),
    ("outlet", Filters(regions=["서울"])),
])
def test_group_totals_equal_summed_daily_live_counts(seeded, group, filters):
    fast = {r[group]: (r["articles"], r["negative"], r["positive"]) for r in rollups.group_totals(seeded, group, filters)}
    live = {}
    for r in queries.counts(seeded, "day", group, filters):
        a, n, p = live.get(r[group], (0, 0, 0))
        live[r[group]] = (a + r["articles"], n + r["negative"], p + r["positive"])
    assert fast == live


def test_generation_moves_only_when_the_store_changed(db):
    seed_synthetic(db, 50, days=5, end_date=END, seed=8)
    rollups.ensure(db)
    first = rollups.generation(db)
    assert rollups.refresh_if_dirty(db) == 0 and rollups.generation(db) == first  # nothing changed
    doc = db.execute("SELECT document_id FROM labels WHERE relevant = 1 LIMIT 1").fetchone()[0]
    add_annotation(db, doc, "tester", sentiment="negative")
    assert rollups.generation(db) == first  # not before the rollups caught up
    assert rollups.refresh_if_dirty(db) >= 1 and rollups.generation(db) == first + 1
