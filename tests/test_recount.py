"""Every aggregate a user sees, recounted from the raw tables with plain SQL and Python
written here: the dashboard's rollups and KPI cards, the /api/v1 trend tables (long and
wide), story counts and shares. None of the project's query helpers computes an expected value."""
import datetime as dt
from collections import defaultdict

import flask
import pytest

from store import open_db, rollups
from store.queries import Filters
from store.synthetic import seed_synthetic

END = "2026-11-20"
RELEVANT = """FROM documents d JOIN labels l ON l.document_id = d.id
              WHERE l.relevant = 1 AND d.duplicate_of IS NULL"""


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("recount") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 900, days=40, end_date=END, seed=11)
    rollups.ensure(db)
    db.conn.close()
    return path


@pytest.fixture
def db(path):
    database = open_db(path)
    yield database
    database.conn.close()


def raw_docs(db):
    """Relevant, non-duplicate documents with their labels, as plain dicts."""
    topics, regions = defaultdict(list), defaultdict(list)
    for doc, topic in db.execute("SELECT document_id, topic FROM label_topics"):
        topics[doc].append(topic)
    for doc, region in db.execute("SELECT document_id, region FROM label_regions"):
        regions[doc].append(region)
    return [{"id": r[0], "day": dt.date.fromisoformat(r[1]), "cluster": r[2], "outlet": r[3], "kind": r[4],
             "sentiment": r[5], "published": r[6], "topics": topics[r[0]], "regions": regions[r[0]]}
            for r in db.execute(f"SELECT d.id, d.pub_date, d.cluster_id, d.outlet, d.kind, l.sentiment, "
                                f"d.published_at {RELEVANT}")]


def summary(docs):
    sentiments = [d["sentiment"] for d in docs]
    labelled = len(sentiments)
    return {"articles": len(docs), "outlets": len({d["outlet"] for d in docs}),
            "negative": sentiments.count("negative"), "neutral": sentiments.count("neutral"),
            "positive": sentiments.count("positive"),
            "negative_share": sentiments.count("negative") / labelled if labelled else None}


def monday(day):
    return day - dt.timedelta(days=day.weekday())


def wilson_roots(k, n, z=1.96):
    """The two p with (k/n - p)^2 = z^2 p (1 - p) / n (the Wilson interval), by the quadratic formula."""
    a, b, c = 1 + z * z / n, -(2 * k / n + z * z / n), (k / n) ** 2
    root = (b * b - 4 * a * c) ** 0.5
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def test_store_has_what_the_recount_needs(db):
    docs = raw_docs(db)
    assert len(docs) > 500 and len({d["cluster"] for d in docs}) < len(docs)  # some stories have several articles
    assert db.execute("SELECT COUNT(*) FROM labels WHERE relevant = 0").fetchone()[0] > 50


def test_daily_rollup_counts_equal_plain_sql(db):
    plain = {r[0]: r[1:] for r in db.execute(f"""
        SELECT d.pub_date, COUNT(*), COUNT(DISTINCT d.outlet), SUM(l.sentiment = 'negative'),
               SUM(l.sentiment = 'neutral'), SUM(l.sentiment = 'positive') {RELEVANT} GROUP BY d.pub_date""")}
    fast = {r["period"]: (r["articles"], r["outlets"], r["negative"], r["neutral"], r["positive"])
            for r in rollups.counts(db, "day")}
    assert fast == plain and len(plain) == 40


@pytest.mark.parametrize("group, field", [("region", "regions"), ("topic", "topics"), ("source_kind", "kind"),
                                          ("sentiment", "sentiment")])
def test_weekly_rollup_counts_by_group_equal_a_python_recount(db, group, field):
    f = Filters(date_from="2026-10-20", date_to="2026-11-15")
    buckets = defaultdict(list)
    for d in raw_docs(db):
        if "2026-10-20" <= d["day"].isoformat() <= "2026-11-15":
            for value in (d[field] if isinstance(d[field], list) else [d[field]]):
                buckets[(monday(d["day"]).isoformat(), value)].append(d)
    want = {key: summary(docs) for key, docs in buckets.items()}
    got = {(r["period"], r[group]): {k: r[k] for k in ("articles", "outlets", "negative", "neutral", "positive",
                                                        "negative_share")}
           for r in rollups.counts(db, "week", group, f)}
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key]), key


def test_totals_shares_interval_and_stories_over_the_whole_store(db):
    docs = raw_docs(db)
    want = summary(docs)
    labelled = want["negative"] + want["neutral"] + want["positive"]
    got = rollups.totals(db)
    assert {k: got[k] for k in want} == pytest.approx(want)
    assert got["negative_ci"] == pytest.approx(wilson_roots(want["negative"], labelled), abs=1e-9)
    assert got["stories"] == len({d["cluster"] for d in docs}) == db.execute(
        f"SELECT COUNT(DISTINCT d.cluster_id) {RELEVANT}").fetchone()[0]
    assert got["net_sentiment"] == pytest.approx((want["positive"] - want["negative"]) / labelled)


def test_group_totals_for_one_region_equal_plain_sql(db):
    f = Filters(regions=["서울"], date_from="2026-11-01")
    plain = {r[0]: r[1:] for r in db.execute(f"""
        SELECT lt.topic, COUNT(*), SUM(l.sentiment = 'negative')
        FROM documents d JOIN labels l ON l.document_id = d.id
        JOIN label_regions lr ON lr.document_id = d.id AND lr.region = '서울'
        JOIN label_topics lt ON lt.document_id = d.id
        WHERE l.relevant = 1 AND d.duplicate_of IS NULL AND d.pub_date >= '2026-11-01' GROUP BY lt.topic""")}
    got = {r["topic"]: (r["articles"], r["negative"]) for r in rollups.group_totals(db, "topic", f)}
    assert got == plain and plain


@pytest.fixture
def api(path):
    from export.api import register
    return register(flask.Flask("recount"), path).test_client()


def test_api_weekly_trends_equal_a_python_recount(api, db):
    body = api.get("/api/v1/trends?by=week&group=sentiment&from=2026-10-20&to=2026-11-15&per_page=1000").get_json()
    buckets = defaultdict(list)
    for d in raw_docs(db):
        if "2026-10-20" <= d["day"].isoformat() <= "2026-11-15":
            buckets[(monday(d["day"]).isoformat(), d["sentiment"])].append(d)
    got = {(r["period"], r["sentiment"]): (r["articles"], r["stories"], r["outlets"]) for r in body["data"]}
    want = {k: (len(v), len({d["cluster"] for d in v}), len({d["outlet"] for d in v})) for k, v in buckets.items()}
    assert got == want
    assert body["meta"]["row_count"] == len(want)


def test_api_wide_trends_equal_plain_sql_with_gaps_as_zero(api, db):
    body = api.get("/api/v1/trends?by=month&group=region&shape=wide&metric=articles&per_page=1000").get_json()
    plain = defaultdict(int)
    for month, region, n in db.execute(f"""
            SELECT substr(d.pub_date, 1, 7), lr.region, COUNT(*) FROM documents d
            JOIN labels l ON l.document_id = d.id JOIN label_regions lr ON lr.document_id = d.id
            WHERE l.relevant = 1 AND d.duplicate_of IS NULL GROUP BY 1, 2"""):
        plain[(month + "-01", region)] = n
    rows = body["data"]
    assert [r["period"] for r in rows] == ["2026-10-01", "2026-11-01"]
    for row in rows:
        for region, value in row.items():
            if region != "period":
                assert value == plain[(row["period"], region)], (row["period"], region)
    assert sum(v for row in rows for k, v in row.items() if k != "period") == sum(plain.values())


def test_dashboard_kpis_equal_plain_sql(path, db):
    from dashboard.data import Data
    from dashboard.state import Context, parse_search
    from dashboard.views import overview
    data = Data(path)
    with data.db() as conn:
        ctx = Context(parse_search("?start=2026-10-25&end=2026-11-20"), data.bounds(conn))
        out = overview.render(data, conn, ctx)
    cards = {card.id: card.children[1].children for card in out["ov-kpis"]}
    n, neg, labelled = db.execute(f"""SELECT COUNT(*), SUM(l.sentiment = 'negative'), COUNT(l.sentiment)
                                      {RELEVANT} AND d.pub_date BETWEEN '2026-10-25' AND '2026-11-20'""").fetchone()
    assert cards["kpi-articles"] == f"{n:,}"
    assert cards["kpi-negative"] == f"{neg / labelled * 100:.1f}%"


@pytest.fixture(scope="module")
def exported(path, tmp_path_factory):
    """`monitor.py export` of the store in every format: documents and weekly trends."""
    import monitor
    out = tmp_path_factory.mktemp("exports")
    for fmt in ("csv", "json", "parquet", "xlsx"):
        assert monitor.main(["--db", str(path), "export", "documents", "--relevance", "all",
                             "--out", str(out / f"documents.{fmt}")]) == 0
        assert monitor.main(["--db", str(path), "export", "trends", "--by", "week", "--group", "sentiment",
                             "--out", str(out / f"trends.{fmt}")]) == 0
    return out


def test_exported_xlsx_cells_have_their_types(exported, db):
    from openpyxl import load_workbook
    from export.columns import document_columns
    sheet = load_workbook(exported / "documents.xlsx", read_only=True)["data"]
    rows = sheet.iter_rows(values_only=False)
    header = [c.value for c in next(rows)]
    assert header == [name for name, _ in document_columns()]
    kinds = dict(document_columns())
    seen = defaultdict(set)
    for row in rows:
        for name, cell in zip(header, row):
            if cell.value is not None:
                seen[name].add("date" if cell.is_date else cell.data_type)
    assert seen["pub_date"] == {"date"}                        # date cells, not text
    assert seen["relevant"] == {"n"} and seen["relevance_score"] == {"n"}
    assert all(seen[name] == {"s"} for name, kind in kinds.items() if kind in ("str", "list") and seen[name])
    trends = load_workbook(exported / "trends.xlsx", read_only=True)["data"]
    body = list(trends.iter_rows(min_row=2))
    assert body and all(r[0].is_date for r in body) and all(r[2].data_type == "n" for r in body)
    plain = dict(db.execute(f"""SELECT date(d.pub_date, 'weekday 0', '-6 days') || '|' || l.sentiment, COUNT(*)
                                {RELEVANT} GROUP BY 1"""))
    got = {f"{r[0].value.date().isoformat()}|{r[1].value}": r[2].value for r in body}
    assert got == plain


def test_exported_parquet_and_json_keep_types(exported, db):
    import json
    import pyarrow as pa
    import pyarrow.parquet as pq
    from export.columns import document_columns, trend_columns
    arrow = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
             "list": pa.list_(pa.string())}
    for name, columns in (("documents", document_columns()), ("trends", trend_columns(["sentiment"]))):
        schema = pq.read_schema(exported / f"{name}.parquet")
        assert [(f.name, f.type) for f in schema] == [(n, arrow[k]) for n, k in columns], name
    table = pq.read_table(exported / "documents.parquet").to_pylist()
    assert len(table) == db.execute("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL").fetchone()[0]
    assert isinstance(table[0]["pub_date"], dt.date)
    first = json.loads((exported / "documents.json").read_text(encoding="utf-8").splitlines()[0])
    stored = db.execute("SELECT l.relevant, l.relevance_score FROM labels l WHERE document_id = ?",
                        [first["id"]]).fetchone()
    assert (first["relevant"], first["relevance_score"]) == tuple(stored)     # an int and the exact float
    assert isinstance(first["topics"], list)
    line = (exported / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert repr(stored[1]) in line                                            # CSV keeps every digit
