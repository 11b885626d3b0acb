"""A crawl of a hostile local site with real Scrapy: no local file or other local service is
read, no non-http(s) URL is stored, every dropped link is a counted warning, and the CSV/XLSX
exports of what was stored hold no live formula (docs/reliability.md, "URL policy")."""
import csv

import openpyxl
import pytest

from crawler.run import crawl
from hostile_site import (FORMULA_ARTICLES, GOOD_ARTICLE, SECRET_FILE_MARKER, SECRET_PORT_MARKER, HostileSite,
                          InternalService, hostile_config)
from reliability_support import connect, monitor
from spreadsheet_checks import assert_no_live_csv_formula, assert_no_xlsx_formula
from store.util import is_web_url


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET_FILE_MARKER, encoding="utf-8")
    with InternalService() as internal, HostileSite(secret, internal.url) as site:
        config = hostile_config(tmp / "sources.toml", site.url)
        summaries = crawl(tmp / "monitor.db", config_path=config, timeout=180)
        hits = internal.hits
    return tmp, {s["source"]: s for s in summaries}, hits


def stored(db_path):
    conn = connect(db_path)
    try:
        conn.row_factory = lambda cur, row: dict(zip([c[0] for c in cur.description], row))
        return conn.execute("SELECT url, canonical_url, title, summary, body, outlet, source FROM documents").fetchall()
    finally:
        conn.close()


def test_no_local_file_or_local_service_is_read_or_stored(hostile_crawl):
    tmp, summaries, hits = hostile_crawl
    assert hits == []  # the other local port was never contacted (links and redirects)
    docs = stored(tmp / "monitor.db")
    text = repr(docs)
    assert "SECRET-FILE" not in text and "SECRET-PORT" not in text
    for doc in docs:
        assert is_web_url(doc["url"]) and is_web_url(doc["canonical_url"]), doc
        assert doc["url"].startswith("http://127.0.0.1:") and doc["canonical_url"].startswith("http://127.0.0.1:")
    titles = {doc["title"] for doc in docs}
    # the good pages all arrive, formula titles included; the hostile canonical is ignored, not the page
    assert {t.strip() for _, t, _ in FORMULA_ARTICLES + [GOOD_ARTICLE]} <= titles  # extraction strips the tab
    canonical_page = next(d for d in docs if d["url"].endswith("/canonical.html"))
    assert canonical_page["canonical_url"] == canonical_page["url"]
    assert "=1+1 자치경찰위원회 목록 기사" in titles and "=2+2 자치경찰위원회 게시글" in titles
    assert not any("데이터" in (t or "") or "자바스크립트" in (t or "") or "FTP" in (t or "") for t in titles)


def test_every_dropped_link_is_a_counted_warning(hostile_crawl):
    tmp, summaries, _ = hostile_crawl
    feed, listing, board = summaries["악성 피드"], summaries["악성 목록 피드"], summaries["악성 게시판"]
    # feed: 7 bad links + redirects to file: and to another port + a hostile rel=canonical
    assert feed["dropped"] == 10, feed
    # not fetched, so its http link to the other port is stored (never fetched): 6 non-http(s) links
    assert listing["dropped"] == 6, listing
    assert board["dropped"] == 8, board  # 7 bad links + the javascript: next page
    for summary in (feed, listing, board):
        assert summary["status"] == "warning", summary
        assert "dropped by the URL policy" in summary["error"]
    conn = connect(tmp / "monitor.db")
    try:
        runs = dict(conn.execute("SELECT source, status FROM crawl_runs").fetchall())
    finally:
        conn.close()
    assert runs == {"악성 피드": "warning", "악성 목록 피드": "warning", "악성 게시판": "warning"}


def test_exports_of_the_hostile_crawl_hold_no_live_formula(hostile_crawl):
    tmp, _, _ = hostile_crawl
    db = tmp / "monitor.db"
    for fmt in ("csv", "xlsx"):
        out = tmp / f"docs.{fmt}"
        done = monitor("--db", db, "export", "documents", "--relevance", "all", "--with-text", "--out", out)
        assert done.returncode == 0, done.stderr
        if fmt == "csv":
            rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
            assert_no_live_csv_formula(rows)
            titles = [r[6] for r in rows[1:]]
            assert "'=1+1 자치경찰위원회 목록 기사" in titles  # neutralised, otherwise unchanged
        else:
            assert_no_xlsx_formula(out)
            sheet = openpyxl.load_workbook(out)["data"]
            assert "=1+1 자치경찰위원회 목록 기사" in [row[6].value for row in sheet.iter_rows()]  # kept as text


def test_the_sources_toolbox_fetcher_follows_the_same_policy(tmp_path):
    """`sources detect/snapshot` fetch pages outside Scrapy: same rule for links and redirects."""
    from crawler.fetch import FetchError, Fetcher
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_FILE_MARKER, encoding="utf-8")
    with InternalService() as internal, HostileSite(secret, internal.url) as site:
        fetcher = Fetcher({"contact": "test@example.org", "fast": True, "timeout": 5})
        final, _, body = fetcher.get(f"{site.url}feed.xml")  # the address the operator gave
        assert final == f"{site.url}feed.xml" and b"rss" in body
        for url in (f"{internal.url}direct.html", f"{site.url}redirect/port", f"{site.url}redirect/file",
                    f"file://{secret}"):
            with pytest.raises(FetchError):
                fetcher.get(url)
        hits = internal.hits
    assert hits == []
