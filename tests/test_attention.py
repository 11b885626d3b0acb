"""Normalised attention (#20): a real crawl of the sample site records every listed item (the
denominator), a recrawl does not count them again, and the shares in the store query, the
export, the API and the 출처 chart equal a plain-SQL recount."""
import datetime as dt
import json
import time

import flask
import pytest

from crawler.run import crawl
from crawler.sample_site import serve
from dashboard.app import create_app
from dashboard.browser import Server, chromium, find_chromium
from dashboard.data import Data
from dashboard.state import Context
from dashboard.views import regions
from export import api
from export.trends import long_table
from store import listings, open_db
from store.documents import save_document
from store.labels import save_classifications
from store.queries import Filters, counts

DEMO = "config/demo_sources.toml"
WIRE = "한결통신 사회"   # its feed lists 10 items; 2 lack every query term and are filtered before fetching
RELEVANT = {0: ["서울"], 1: ["서울"], 2: ["부산"], 3: ["서울", "부산"], 4: []}  # k = 5 of the 8 stored


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    path = tmp_path_factory.mktemp("attention") / "monitor.db"
    with serve() as site:
        first = crawl(path, DEMO, sources=[WIRE], base_url=site.url, timeout=120, fast=True)
        second = crawl(path, DEMO, sources=[WIRE], base_url=site.url, timeout=120, fast=True)
    db = open_db(path)
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY canonical_url")]
    save_classifications(db, [{"document_id": doc, "model_version": "test", "relevant": i in RELEVANT,
                               "sentiment": "neutral", "regions": RELEVANT.get(i, [])} for i, doc in enumerate(ids)])
    yield path, db, first[0], second[0]
    db.conn.close()


def plain_recount(db, region=None):
    """{day: (listed, relevant listed)} straight from the tables, independent of store/listings.py."""
    rows = db.execute("""
        SELECT COALESCE(d.pub_date, li.day), COUNT(*),
               SUM(CASE WHEN l.relevant = 1 AND d.duplicate_of IS NULL
                        AND (? IS NULL OR EXISTS (SELECT 1 FROM label_regions r WHERE r.document_id = d.id
                                                  AND r.region = ?)) THEN 1 ELSE 0 END)
        FROM listed_items li LEFT JOIN documents d ON d.id = li.document_id
        LEFT JOIN labels l ON l.document_id = d.id GROUP BY 1""", [region, region]).fetchall()
    return {day: (n, k) for day, n, k in rows}


def test_every_listed_item_is_recorded_once_with_its_day(crawled):
    _, db, first, second = crawled
    assert first["listed"] == 10 and first["filtered"] == 2 and second["listed"] == 10 and second["known"] == 8
    rows = db.execute("SELECT source, day, day_source, document_id FROM listed_items").fetchall()
    assert len(rows) == 10  # N, not 20: the recrawl listed the same items again
    assert {r[0] for r in rows} == {WIRE} and {r[2] for r in rows} == {"listing"}
    assert sum(r[3] is None for r in rows) == 2  # the filtered items are in the denominator, not stored
    stored = dict(db.execute("SELECT id, pub_date FROM documents").fetchall())
    assert {r[3]: r[1] for r in rows if r[3]} == stored  # a stored item's day is its document's Korean date


def test_share_is_relevant_listed_items_over_listed(crawled):
    _, db, _, _ = crawled
    whole = Filters(date_from="2026-01-01", date_to="2026-12-31")
    [year] = listings.attention(db, "month", None, whole.replace(date_from="2026-12-01")) or [None]
    rows = listings.attention(db, "day", None, whole)
    assert sum(r["listed"] for r in rows) == 10 and sum(r["listed_articles"] for r in rows) == 5  # k / N
    recount = plain_recount(db)
    assert {r["period"]: (r["listed"], r["listed_articles"]) for r in rows} == recount
    for r in rows:
        assert r["article_share"] == r["listed_articles"] / r["listed"] and r["story_share"] <= r["article_share"]
    months = listings.attention(db, "month", None, whole)
    assert sum(r["listed"] for r in months) == 10
    assert year["listed"] == sum(n for day, (n, _) in recount.items() if day >= "2026-12-01")
    # the counts view agrees: every relevant article of the store is a listed one here
    assert sum(r["articles"] for r in counts(db, "day", None, whole)) == 5


def test_region_share_divides_by_everything_listed_that_day(crawled):
    _, db, _, _ = crawled
    rows = listings.attention(db, "day", "region", Filters())
    for region in ("서울", "부산"):
        recount = plain_recount(db, region)
        got = {r["period"]: (r["listed"], r["listed_articles"]) for r in rows if r["region"] == region}
        assert got == {day: nk for day, nk in recount.items() if nk[1]}
    assert sum(r["listed_articles"] for r in rows if r["region"] == "서울") == 3


def test_imported_documents_have_no_denominator(crawled, tmp_path):
    _, db, _, _ = crawled
    day = db.execute("SELECT pub_date FROM documents WHERE id IN (SELECT document_id FROM labels WHERE relevant = 1)"
                     " LIMIT 1").fetchone()[0]
    before = listings.attention(db, "day", None, Filters(date_from=day, date_to=day))
    doc_id, _ = save_document(db, {"canonical_url": "urn:bigkinds:article-1", "url": "", "origin_kind": "bigkinds",
                                   "title": "자치경찰 가져온 기사", "body": "", "text_basis": "title",
                                   "published_at": f"{day}T03:00:00Z", "source": WIRE, "outlet": "한결통신"})
    save_classifications(db, [{"document_id": doc_id, "model_version": "test", "relevant": True,
                               "sentiment": "neutral", "regions": ["서울"]}])
    try:
        assert listings.attention(db, "day", None, Filters(date_from=day, date_to=day)) == before
    finally:
        db.execute("DELETE FROM labels WHERE document_id = ?", [doc_id])
        db.execute("DELETE FROM label_regions WHERE document_id = ?", [doc_id])
        db.execute("DELETE FROM classifications WHERE document_id = ?", [doc_id])
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        db.conn.commit()


def test_hostile_listing_dates_and_floods(tmp_path, monkeypatch):
    db = open_db(tmp_path / "m.db")
    now = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.timezone.utc)  # 2026-11-21 in Korea
    entries = {f"https://a.example/{i}": {"published_at": date, "outlet": "=HYPERLINK(\"x\")" * 50}
               for i, date in enumerate(["9999-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "not a date", None,
                                         "2026-11-19T20:00:00Z"])}
    assert listings.record_listed(db, "s", entries, now=now) == 5
    days = [tuple(r) for r in db.execute("SELECT day, day_source, length(outlet) FROM listed_items ORDER BY day")]
    assert days == [("2026-11-20", "listing", 200)] + [("2026-11-21", "crawl", 200)] * 4
    monkeypatch.setattr(listings, "MAX_LISTED_PER_RUN", 3)
    flood = {f"https://b.example/{i}": {} for i in range(50)}
    assert listings.record_listed(db, "s", flood, now=now) == 3
    assert listings.record_listed(db, "s", flood, now=now) == 0  # listed again: counted once
    with pytest.raises(Exception, match="attention group"):
        listings.attention(db, "day", "title")
    db.conn.close()


def test_export_and_api_carry_counts_listed_and_shares(crawled):
    path, db, _, _ = crawled
    day_rows = listings.attention(db, "day", "source", Filters())
    first, last = min(r["period"] for r in day_rows), max(r["period"] for r in day_rows)
    columns, rows = long_table(db, "day", ["source"], Filters(date_from=first, date_to=last))
    names = [c for c, _ in columns]
    assert names[-5:] == ["listed", "listed_articles", "listed_stories", "article_share", "story_share"]
    wire = {r["period"]: r for r in rows if r["source"] == WIRE}
    for r in day_rows:
        assert (wire[r["period"]]["listed"], wire[r["period"]]["article_share"]) == (r["listed"], r["article_share"])
    empty = [r for r in wire.values() if r["period"] not in {d["period"] for d in day_rows}]
    assert empty and all(r["listed"] == 0 and r["article_share"] is None for r in empty)  # no denominator: no 0 %
    client = api.register(flask.Flask("attention-api"), path).test_client()
    answer = client.get(f"/api/v1/trends?by=month&group=region&from={first}&to={last}&per_page=1000")
    assert answer.status_code == 200, answer.data
    seoul = [r for r in json.loads(answer.data)["data"] if r["region"] == "서울"]
    assert sum(r["listed_articles"] for r in seoul) == 3 and sum(r["listed"] for r in seoul) == 10
    csv = client.get(f"/api/v1/trends?by=month&from={first}&to={last}&format=csv").data.decode("utf-8-sig")
    header, *lines = csv.splitlines()
    assert header.split(",")[-5:] == names[-5:]
    assert sum(int(line.split(",")[-5]) for line in lines) == 10
    wide = client.get(f"/api/v1/trends?by=month&group=source&shape=wide&metric=article_share&from={first}&to={last}")
    assert wide.status_code == 200 and any(r[WIRE] for r in json.loads(wide.data)["data"])


def plot_data(driver, graph_id, timeout=40):
    """[(name, y, customdata, hovertemplate)] of a Dash graph's traces once drawn (x for bars: name = y)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        traces = driver.execute_script(
            f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
            "return g && g.data && g.data.length && g.data.map(t => t.type === 'bar' ? [t.y, t.x, t.customdata, "
            "t.hovertemplate] : [t.name, t.y, t.customdata, t.hovertemplate]);")
        if traces:
            return traces
        time.sleep(0.25)
    raise AssertionError(f"{graph_id} not drawn: {driver.find_element('tag name', 'body').text[:500]}")


@pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
def test_sources_tab_draws_the_share_beside_the_counts(crawled):
    path, db, _, _ = crawled
    months = listings.attention(db, "month", None, Filters(date_from="2026-09-01", date_to="2026-12-01"))
    server, driver = Server(create_app(path)), chromium()
    try:
        driver.get(f"{server.url}/?view=sources&start=2026-09-01&end=2026-12-01&by=month")
        traces = plot_data(driver, "src-share")
        names = [t[0] for t in traces]
        assert names == ["전체 (기사 기준)", "전체 (스토리 기준)", WIRE]
        assert traces[0][1] == [round(100 * r["article_share"], 2) for r in months]
        assert [c[3] for c in traces[0][2]] == [r["listed"] for r in months]  # sample size on hover
        assert "수집 목록" in traces[0][3] and "%" in traces[0][3]
        text = driver.find_element("css selector", "#src-share").text
        assert "분모 없는 자료 제외" in text and "단위: %" in text
        assert driver.find_elements("css selector", "#src-outlets .barlayer .point")  # the counts stay beside it
    finally:
        driver.quit()
        server.close()


def test_period_share_of_a_region_uses_every_listed_day(crawled):
    _, db, _, _ = crawled
    rows = {r["region"]: r for r in listings.period_shares(db, "region", Filters())}
    assert (rows["서울"]["listed_articles"], rows["서울"]["listed"]) == (3, 10)
    assert (rows["부산"]["listed_articles"], rows["부산"]["listed"]) == (2, 10)
    wire = listings.period_shares(db, "source", Filters())
    assert [(r["source"], r["listed_articles"], r["listed"]) for r in wire] == [(WIRE, 5, 10)]


def test_regions_tab_share_bars(crawled):
    """The 지역 share figure as the view builds it (the browser check above covers drawing)."""
    path, db, _, _ = crawled
    ctx = Context({"view": "regions", "start": "2026-09-01", "end": "2026-12-01"}, ("2026-09-01", "2026-12-01"))
    [bars] = regions.share_chart(Data(path), db, ctx)["data"]
    assert dict(zip(bars["y"], bars["x"])) == {"서울": 30.0, "부산": 20.0}  # 3 and 2 of the 10 listed
    assert bars["customdata"] == [[3, 10], [2, 10]] and "수집 목록" in bars["hovertemplate"]
    empty = Context({"view": "regions", "start": "2025-01-01", "end": "2025-01-31"}, ("2025-01-01", "2026-12-01"))
    message = regions.share_chart(Data(path), db, empty)
    assert not message["data"] and "분모 없는 자료 제외" in message["layout"]["annotations"][0]["text"]


def test_an_item_counts_on_its_documents_day_not_its_listing_day(tmp_path):
    db = open_db(tmp_path / "m.db")
    doc_id, _ = save_document(db, {"canonical_url": "https://a.example/1", "url": "https://a.example/1",
                                   "title": "자치경찰 예산", "body": "자치경찰 예산 " * 20,
                                   "published_at": "2026-11-05T01:00:00Z", "source": "s"})
    save_classifications(db, [{"document_id": doc_id, "model_version": "t", "relevant": True, "sentiment": "neutral"}])
    now = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    listings.record_listed(db, "s", {"https://a.example/1": {"published_at": "2026-11-01T01:00:00Z"},
                                     "https://a.example/2": {"published_at": "2026-11-01T02:00:00Z"}}, now=now)
    day = {d: listings.attention(db, "day", None, Filters(date_from=d, date_to=d)) for d in ("2026-11-01", "2026-11-05")}
    assert [(r["listed"], r["listed_articles"]) for r in day["2026-11-05"]] == [(1, 1)]
    assert [(r["listed"], r["listed_articles"]) for r in day["2026-11-01"]] == [(1, 0)]
    db.conn.close()
