"""One story-count rule everywhere: the distinct stories (clusters) among the matching
articles of each period. The dashboard's rollups and live queries, the API, the export, the
digest and the dashboard's CSV all agree with a count made by hand from the matching
articles, on a grid of filters (search included), with stories that span days, week and
month edges, outlets, regions and sentiments."""
import collections

import flask
import pytest

from dashboard.data import Data
from dashboard.state import Context, parse_search
from dashboard.views import overview
from digest.build import build_digest
from digest_helpers import add_docs
from export import jobs
from export.api import register
from store import open_db, queries, rollups
from store.documents import save_document
from store.queries import Filters
from store.periods import period_start

FROM, TO = "2026-10-20", "2026-11-29"


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("stories") / "monitor.db"
    build(path)
    return path


def build(path):
    db = open_db(path)
    # Story A crosses a week edge (Sun 11-15 | Mon 11-16) with mixed outlets and sentiments.
    add_docs(db, "2026-11-15", 2, cluster="A", outlet="한겨레", sentiment="negative", title="자치경찰 예산 삭감")
    add_docs(db, "2026-11-16", 3, cluster="A", outlet="KBS", title="자치경찰 예산 삭감 후속")
    add_docs(db, "2026-11-17", 1, cluster="A", outlet="연합뉴스", region="부산", title="자치경찰 예산 삭감 부산")
    # Story B crosses a month edge (10-31 | 11-01) and two regions; one copy is irrelevant.
    add_docs(db, "2026-10-31", 2, cluster="B", region=["서울", "부산"], topics=("staffing",), title="인력 부족")
    add_docs(db, "2026-11-01", 1, cluster="B", region="부산", topics=("staffing", "budget"), sentiment="negative",
             title="인력 부족 예산")
    add_docs(db, "2026-11-02", 2, cluster="B", relevant=False, title="인력 부족 무관")
    # Story C: only an irrelevant article besides its relevant one (counts as a single story).
    add_docs(db, "2026-11-18", 1, cluster="C", kind="civic", outlet="참여연대", title="성명 예산")
    add_docs(db, "2026-11-18", 1, cluster="C", relevant=False, title="성명 사본")
    # Story D: the same outlet, kind and sentiment on both sides of a week edge (Sun 11-08 | Mon 11-09),
    # another kind on the Monday (one-value filters count it from rollup_story_value_first).
    add_docs(db, "2026-11-08", 1, cluster="D", outlet="KBS", sentiment="negative", title="경찰국 논란")
    add_docs(db, "2026-11-09", 2, cluster="D", outlet="KBS", sentiment="negative", title="경찰국 논란 후속")
    add_docs(db, "2026-11-09", 1, cluster="D", kind="civic", outlet="참여연대", sentiment="negative", title="경찰국 성명")
    # Singles over the whole range, some searchable.
    for i, day in enumerate(["2026-10-20", "2026-10-26", "2026-11-01", "2026-11-09", "2026-11-16", "2026-11-23",
                             "2026-11-29"]):
        add_docs(db, day, 1 + i % 3, region=["서울", "대구", "부산"][i % 3], sentiment=["neutral", "negative"][i % 2],
                 title="치안 예산" if i % 2 else "순찰 확대", outlet=["KBS", "한겨레"][i % 2])
    # An exact copy of a story-A article at another URL: a duplicate, never counted.
    original = db.execute("SELECT title, body, published_at FROM documents WHERE cluster_id = 'A' LIMIT 1").fetchone()
    assert save_document(db, {"canonical_url": "https://mirror.example.kr/a", "title": original[0], "body": original[1],
                              "published_at": original[2], "kind": "news", "outlet": "미러"})[1] == "duplicate"
    rollups.ensure(db)
    db.conn.close()


@pytest.fixture(scope="module")
def db(path):
    database = open_db(path)
    yield database
    database.conn.close()


def by_hand(db, by, filters):
    """{period: distinct stories} counted from the matching articles themselves."""
    import datetime as dt
    docs, _ = queries.search_documents(db, filters, limit=10**6)
    stories = collections.defaultdict(set)
    for d in docs:
        stories[period_start(by, dt.date.fromisoformat(d["pub_date"])).isoformat()].add(d["cluster_id"])
    return {p: len(s) for p, s in stories.items()}


def nonzero(rows, key="stories", period="period"):
    return {r[period]: r[key] for r in rows if r[key]}


GRID = [
    ("", Filters(date_from=FROM, date_to=TO)),
    ("&sentiment=negative", Filters(date_from=FROM, date_to=TO, sentiments=["negative"])),
    ("&region=부산", Filters(date_from=FROM, date_to=TO, regions=["부산"])),
    ("&region=서울&region=부산", Filters(date_from=FROM, date_to=TO, regions=["서울", "부산"])),
    ("&topic=budget", Filters(date_from=FROM, date_to=TO, topics=["budget"])),
    ("&outlet=KBS", Filters(date_from=FROM, date_to=TO, outlets=["KBS"])),
    ("&q=예산", Filters(date_from=FROM, date_to=TO, text="예산")),
    ("&region=부산&kind=news", Filters(date_from=FROM, date_to=TO, regions=["부산"], source_kinds=["news"])),
    ("&kind=news", Filters(date_from=FROM, date_to=TO, source_kinds=["news"])),
    ("&sentiment=negative&kind=news&outlet=KBS",
     Filters(date_from=FROM, date_to=TO, sentiments=["negative"], source_kinds=["news"], outlets=["KBS"])),
    ("&kind=civic&kind=news&outlet=KBS&outlet=참여연대",
     Filters(date_from=FROM, date_to=TO, source_kinds=["civic", "news"], outlets=["KBS", "참여연대"])),
]
API_NAMES = {"sentiments": "sentiment", "regions": "region", "topics": "topic", "outlets": "outlet",
             "source_kinds": "source_kind", "text": "q"}


def _api_query(filters, cut):
    args = {"from": cut[0], "to": cut[1]}
    for field, name in API_NAMES.items():
        value = getattr(filters, field)
        if value:
            args[name] = value if isinstance(value, str) else ",".join(value)
    return args


@pytest.mark.parametrize("by", ["day", "week", "month"])
@pytest.mark.parametrize("cut", [(FROM, TO), ("2026-11-04", "2026-11-17")], ids=["whole", "mid-week"])
@pytest.mark.parametrize("search,filters", GRID, ids=[g[0] or "all" for g in GRID])
def test_every_path_counts_the_same_stories(path, db, by, cut, search, filters):
    filters = filters.replace(date_from=cut[0], date_to=cut[1])
    want = by_hand(db, by, filters)
    assert want, "the grid should match something"
    assert nonzero(queries.counts(db, by, None, filters)) == want
    fast = rollups.counts(db, by, None, filters)
    if fast is not None:
        assert nonzero(fast) == want
    data = Data(path)
    with data.db() as conn:
        assert nonzero(data.counts(conn, by, None, filters)) == want
        ctx = Context(parse_search(f"?start={cut[0]}&end={cut[1]}&by={by}{search}"), data.bounds(conn))
        assert ctx.filters == filters
        assert nonzero(overview.rows(data, conn, ctx), "기사 묶음", "기간") == want  # the dashboard's CSV
        total = data.totals(conn, filters)["stories"]
    # the period total: distinct stories over the whole range (not the sum of the periods)
    assert total == queries.totals(db, filters)["stories"] == len(
        {d["cluster_id"] for d in queries.search_documents(db, filters, limit=10**6)[0]})
    raw = {"by": by, **_api_query(filters, cut)}
    assert nonzero(jobs.trends(db, raw)[1]) == want
    client = register(flask.Flask("stories"), path).test_client()
    body = client.get("/api/v1/trends", query_string={**raw, "per_page": 1000}).get_json()
    assert nonzero(body["data"]) == want


def test_groups_count_a_story_once_per_group_and_period(db):
    f = Filters(date_from=FROM, date_to=TO)
    for group in ("region", "topic", "sentiment", "outlet", "source_kind"):
        live = queries.counts(db, "week", group, f)
        fast = rollups.counts(db, "week", group, f)
        assert [(r["period"], r[group], r["stories"]) for r in fast] == \
            [(r["period"], r[group], r["stories"]) for r in live], group


def test_digest_week_counts_the_same_stories(db):
    # ISO week 47: Monday 11-16 .. Sunday 11-22; story A's Sunday article belongs to week 46
    ctx = build_digest(db, "2026-W47", region="부산")
    for section, regions in (("national", None), ("regional", ["부산"])):
        f = Filters(date_from="2026-11-16", date_to="2026-11-22", regions=regions)
        assert ctx[section]["totals"]["stories"] == by_hand(db, "week", f)["2026-11-16"] == \
            rollups.totals(db, f)["stories"]
    assert ctx["national"]["previous"]["stories"] == by_hand(
        db, "week", Filters(date_from="2026-11-09", date_to="2026-11-15"))["2026-11-09"]


def test_rollups_follow_changes_to_stories(tmp_path):
    """A story gaining an article on another day, an article turning irrelevant, a region
    corrected: after the refresh the rollups still count what the live queries count."""
    from store.labels import add_annotation
    build(tmp_path / "m.db")
    db = open_db(tmp_path / "m.db")
    a_doc = db.execute("SELECT id FROM documents WHERE cluster_id = 'A' AND outlet = 'KBS' LIMIT 1").fetchone()[0]
    b_doc = db.execute("SELECT id FROM documents WHERE cluster_id = 'B' ORDER BY pub_date LIMIT 1").fetchone()[0]
    changes = [lambda: add_docs(db, "2026-11-03", 1, cluster="A", outlet="MBC", sentiment="negative"),
               lambda: add_annotation(db, b_doc, "tester", relevant=False),
               lambda: add_annotation(db, a_doc, "tester", regions=["대구"], topics=["staffing"])]
    grid = [Filters(date_from=FROM, date_to=TO), Filters(date_from="2026-11-02", date_to="2026-11-16"),
            Filters(date_from=FROM, date_to=TO, regions=["대구"]), Filters(date_from=FROM, date_to=TO, topics=["staffing"]),
            Filters(date_from=FROM, date_to=TO, regions=["서울"], topics=["staffing"]),
            Filters(date_from=FROM, date_to=TO, sentiments=["negative"]),
            Filters(date_from="2026-11-02", date_to="2026-11-16", source_kinds=["news"], outlets=["KBS", "MBC"]),
            Filters(date_from="2026-11-02", date_to="2026-11-16", outlets=["MBC"]),
            Filters(date_from=FROM, date_to=TO, source_kinds=["news"], sentiments=["negative"])]
    for change in changes:
        change()
        assert rollups.refresh_if_dirty(db) >= 1
        for f in grid:
            for by in ("day", "week", "month"):
                assert nonzero(rollups.counts(db, by, None, f)) == by_hand(db, by, f), (f, by)
            assert rollups.totals(db, f)["stories"] == queries.totals(db, f)["stories"]
            for group in ("region", "topic"):
                if not getattr(f, group + "s"):
                    assert [(r["period"], r[group], r["stories"]) for r in rollups.counts(db, "week", group, f)] == \
                        [(r["period"], r[group], r["stories"]) for r in queries.counts(db, "week", group, f)]
    db.conn.close()


def test_older_rollups_gain_the_value_counts(tmp_path):
    """A store whose rollups predate rollup_story_value_first: opening it fills the new table
    for every day, and one-value kind/outlet/sentiment filters count what the live queries count."""
    build(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    db.execute("DROP TABLE rollup_story_value_first")
    rollups.ensure(db)
    assert db.execute("SELECT COUNT(*) FROM rollup_story_value_first").fetchone()[0] > 0
    for f in (Filters(source_kinds=["news"]), Filters(outlets=["KBS"], date_from="2026-11-09"),
              Filters(date_from="2026-11-01", date_to="2026-11-16", sentiments=["negative"], source_kinds=["news"])):
        for by in ("day", "week", "month"):
            assert nonzero(rollups.counts(db, by, None, f)) == by_hand(db, by, f), (f, by)
        assert rollups.totals(db, f)["stories"] == queries.totals(db, f)["stories"]
    db.conn.close()


@pytest.mark.parametrize("by", ["week", "month"])
def test_a_range_starting_inside_a_period_counts_a_story_that_began_before_it(db, by):
    """Story D's Sunday article (11-08) is outside a range starting Monday 11-09 (inside the
    month 11): its Monday articles still make it a story of that range's first period."""
    for f in (Filters(), Filters(regions=["서울"]), Filters(topics=["budget"]), Filters(outlets=["KBS"]),
              Filters(sentiments=["negative"], source_kinds=["news"])):
        f = f.replace(date_from="2026-11-09", date_to=TO)
        assert nonzero(rollups.counts(db, by, None, f)) == by_hand(db, by, f), f
