"""End to end: real Scrapy (in its own process) against the sample site on 127.0.0.1, into SQLite."""
import argparse
import time
from pathlib import Path

import pytest

from crawler import cli
from crawler.run import crawl, start_crawl
from crawler.sample_site import serve, site_datetime
from store import open_db

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "config" / "demo_sources.toml"


@pytest.fixture(scope="module")
def site():
    with serve() as s:
        yield s


@pytest.fixture(scope="module")
def demo_run(site, tmp_path_factory):
    """One full crawl of the demo config, then a second (incremental) one on the same store."""
    db_path = tmp_path_factory.mktemp("crawl") / "monitor.db"
    first = crawl(db_path, DEMO, base_url=site.url, timeout=120)
    second = crawl(db_path, DEMO, base_url=site.url, timeout=120)
    return db_path, {s["source"]: s for s in first}, {s["source"]: s for s in second}


def rows(db_path, sql, params=()):
    db = open_db(db_path)
    try:
        return [tuple(r) for r in db.execute(sql, params).fetchall()]
    finally:
        db.conn.close()


def test_every_source_type_collects_into_the_store(demo_run):
    db_path, first, _ = demo_run
    for name, kind in [("한결통신 사회", "feed"), ("한빛일보 사회", "feed"), ("샘플 네이버 뉴스 API", "naver_api"),
                       ("자치분권과 경찰개혁 시민연대 성명·논평", "board"), ("부산광역시자치경찰위원회 보도자료", "board")]:
        assert first[name]["status"] == "ok", first[name]
        assert first[name]["type"] == kind
        assert first[name]["new"] > 0, first[name]
    total = rows(db_path, "SELECT COUNT(*) FROM documents")[0][0]
    assert total >= 55
    assert sum(s.get("new", 0) + s.get("duplicate", 0) for s in first.values()) == total
    # board paging: the committee board has 7 releases over 2 list pages, the civic one 9 over 3
    assert first["부산광역시자치경찰위원회 보도자료"]["new"] == 7
    assert first["자치분권과 경찰개혁 시민연대 성명·논평"]["new"] == 9
    committee = rows(db_path, "SELECT kind, region_hint, title FROM documents WHERE source = ?", ["부산광역시자치경찰위원회 보도자료"])
    assert {r[0] for r in committee} == {"committee"} and {r[1] for r in committee} == {"부산"}


def test_off_topic_feed_items_are_filtered_before_fetching(demo_run):
    _, first, _ = demo_run
    wire = first["한결통신 사회"]
    assert wire["filtered"] == 2 and wire["listed"] == 10
    assert not rows(demo_run[0], "SELECT 1 FROM documents WHERE url LIKE '%HK20269%'")


def test_broken_feed_is_reported_and_the_rest_goes_on(demo_run):
    db_path, first, _ = demo_run
    assert first["깨진 피드"]["status"] == "error"
    assert "malformed feed" in first["깨진 피드"]["error"]
    health = dict((r[0], r[1:]) for r in rows(db_path, "SELECT name, last_ok, last_error, error_count FROM sources"))
    assert health["깨진 피드"][0] is None and "malformed" in health["깨진 피드"][1] and health["깨진 피드"][2] == 2
    assert health["한결통신 사회"][0] is not None and health["한결통신 사회"][2] == 0


def test_euc_kr_outlet_is_decoded(demo_run):
    titles = [r[0] for r in rows(demo_run[0], "SELECT title FROM documents WHERE outlet = '남해신문'")]
    assert "부산자치경찰위원회, 해수욕장 여름 치안 성과 보고회" in titles
    body = rows(demo_run[0], "SELECT body FROM documents WHERE title LIKE '부산 자치경찰 ''민생치안''%'")[0][0]
    assert "시의회 행정문화위원회" in body and "\ufffd" not in body


def test_dates_are_utc_from_the_page_or_the_feed(demo_run):
    db_path = demo_run[0]
    # namhae 301: "기사입력 YYYY년 M월 D일 오후 2시 0분", four days ago, Seoul time
    expected = site_datetime(-4, 14, 0).astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = rows(db_path, "SELECT published_at, date_source FROM documents WHERE canonical_url LIKE '%namhae/news/301.html'")
    assert got == [(expected, "page")]
    # gyeongin 602 has no date on the page: the feed's date is kept and flagged as such
    got = rows(db_path, "SELECT published_at, date_source FROM documents WHERE canonical_url LIKE '%gyeongin/news/602.html'")
    expected = site_datetime(-12, 8, 15).astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert got == [(expected, "feed")]


def test_wire_copies_join_one_story_cluster(demo_run):
    clusters = rows(demo_run[0], """SELECT cluster_id, COUNT(*), COUNT(DISTINCT outlet) FROM documents
                                    WHERE title LIKE '%이원화 시범사업%' AND kind = 'news' GROUP BY cluster_id""")
    assert len(clusters) == 1 and clusters[0][2] >= 4, clusters
    # the civic group's statement about the same plan is a different text: its own story
    statement = rows(demo_run[0], "SELECT cluster_id FROM documents WHERE title LIKE '[성명] 자치경찰 이원화%'")
    assert statement and statement[0][0] != clusters[0][0]
    others = rows(demo_run[0], "SELECT COUNT(DISTINCT cluster_id), COUNT(*) FROM documents")[0]
    assert others[0] < others[1] - 4  # stories < articles, but unrelated articles keep their own cluster


def test_mobile_and_print_mirrors_map_to_one_document(demo_run):
    db_path = demo_run[0]
    assert len(rows(db_path, "SELECT id FROM documents WHERE title LIKE '현장 경찰관%'")) == 1
    assert len(rows(db_path, "SELECT id FROM documents WHERE title LIKE '대전자치경찰위원회, 자치경찰 사무 조례%'")) == 1
    urls = [r[0] for r in rows(db_path, "SELECT canonical_url FROM documents")]
    assert not [u for u in urls if "/m/" in u or "print" in u.lower() or "utm_" in u]


def test_robots_disallowed_page_is_not_fetched_but_api_data_is_kept(demo_run):
    _, first, _ = demo_run
    assert first["샘플 네이버 뉴스 API"]["blocked"] == 1
    got = rows(demo_run[0], "SELECT title, body, date_source FROM documents WHERE url LIKE '%/private/%'")
    assert len(got) == 1 and got[0][0].startswith("[단독]") and "비공개" in got[0][1] and got[0][2] == "feed"


def test_second_run_is_incremental(demo_run):
    db_path, first, second = demo_run
    assert sum(s.get("fetched", 0) for s in second.values()) == 0, second
    assert sum(s.get("new", 0) for s in second.values()) == 0
    assert second["한결통신 사회"]["known"] == 8
    # the committee board stops paging at known items: only page 1 (5 items) is listed
    assert second["부산광역시자치경찰위원회 보도자료"]["listed"] == 5
    runs = rows(db_path, "SELECT COUNT(*) FROM crawl_runs WHERE source = '한결통신 사회'")[0][0]
    assert runs == 2


def write_config(tmp_path, sources_toml, crawl_table="fast = true\ntimeout = 2\nretries = 1\n"):
    path = tmp_path / "sources.toml"
    path.write_text(f'query_terms = ["자치경찰", "자치경찰위원회"]\n[crawl]\n{crawl_table}\n{sources_toml}', encoding="utf-8")
    return path


FAULTS = """
[[source]]
name = "오류 시험"
kind = "news"
type = "feed"
url = "{base}feeds/faults.xml"

[[source]]
name = "키 없는 네이버"
kind = "news"
type = "naver_api"
url = "{base}v1/search/news.json"

[[source]]
name = "잘못된 유형"
kind = "news"
type = "scraper"
url = "{base}x"

[[source]]
name = "부산 보도자료"
kind = "committee"
type = "board"
url = "{base}busan-jcp/press/list.html"
region = "부산"
[source.selectors]
item = "ul.bbs-list li"
link = "a.title"
date = "span.reg-date"
body = "div.bbs-content"
next_page = "div.pagination a.next"
"""


def test_faults_give_clear_outcomes_and_the_rest_goes_on(site, tmp_path, monkeypatch):
    monkeypatch.delenv("NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NAVER_CLIENT_SECRET", raising=False)
    db_path = tmp_path / "m.db"
    result = crawl(db_path, write_config(tmp_path, FAULTS), base_url=site.url, timeout=90)
    by = {s["source"]: s for s in result}
    config_errors = [s for s in result if s["status"] == "config_error"]
    assert len(config_errors) == 1 and "잘못된 유형" in config_errors[0]["error"] and "'type'" in config_errors[0]["error"]
    assert by["키 없는 네이버"]["status"] == "skipped" and "NAVER_CLIENT_ID" in by["키 없는 네이버"]["error"]
    faults = by["오류 시험"]
    # 500-then-200 and 429-then-200 recover; slow (timeout), always-500 and 404 fail; robots blocks one
    # page, whose feed title and summary are kept instead
    assert faults["new"] == 4, faults
    assert faults["failed"] == 3 and faults["blocked"] == 1
    assert by["부산 보도자료"]["status"] == "ok" and by["부산 보도자료"]["new"] == 7
    stored = dict(rows(db_path, "SELECT url, date_source FROM documents WHERE source = '오류 시험'"))
    assert stored[site.url + "fault/flaky/first"] == "feed"
    assert stored[site.url + "fault/429-once/second"] == "fetched"  # no date anywhere: fetch time, flagged
    assert not rows(db_path, "SELECT 1 FROM documents WHERE url LIKE '%gone%' OR url LIKE '%fault/500%' OR url LIKE '%slow%'")
    assert rows(db_path, "SELECT body, date_source FROM documents WHERE url LIKE '%private%'") == [("자치경찰 robots.txt 시험", "feed")]
    health = rows(db_path, "SELECT name, error_count, last_error FROM sources WHERE name = '키 없는 네이버'")
    # a skipped source (no API keys) shows why, but does not count as a failing source
    assert health[0][1] == 0 and "NAVER_CLIENT_ID" in health[0][2]


def test_cli_crawls_one_named_source(site, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--config", str(DEMO), "--base-url", site.url, "--source", "부산광역시자치경찰위원회 보도자료"])
    args.db = str(tmp_path / "cli.db")
    assert cli.run(args) == 0
    out = capsys.readouterr().out
    assert "부산광역시자치경찰위원회 보도자료" in out and "정상" in out
    assert rows(args.db, "SELECT DISTINCT source FROM documents") == [("부산광역시자치경찰위원회 보도자료",)]
    args = parser.parse_args(["--config", str(DEMO), "--base-url", site.url, "--source", "없는 소스"])
    args.db = str(tmp_path / "cli.db")
    assert cli.run(args) == 1
    assert "no source named '없는 소스'" in capsys.readouterr().out


def test_a_running_crawl_can_be_terminated(site, tmp_path):
    config = write_config(tmp_path, """
[[source]]
name = "느린 피드"
kind = "news"
type = "feed"
url = "{base}fault/slow?s=30"
""", "fast = true\ntimeout = 60\nretries = 0\n")
    job = start_crawl(tmp_path / "t.db", config, base_url=site.url)
    time.sleep(3)
    started = time.monotonic()
    job.terminate()
    summaries = job.wait(5)
    assert job.proc.returncode is not None and time.monotonic() - started < 15  # stopping promptly is the point
    assert [s["status"] for s in summaries if s["source"] == "느린 피드"] in ([], ["interrupted"])
