"""The board detector on six board layouts common on Korean public sites (served by the sample
site on 127.0.0.1, each with paging and EUC-KR pages), `selectors = "auto"` in a real crawl, and
`python monitor.py sources list|test|detect|snapshot` with good and bad input."""
import os
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.board_detect import detect_rows, page_url, _page_param
from crawler.extract import parse_html
from crawler.run import crawl
from crawler.sample_site import serve
from store import open_db
from test_crawler_snapshots import check_snapshot

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = {  # layout -> (first list page, EUC-KR list page or None, posts, paging)
    "egov": ("boards/egov/selectBoardList.do?bbsId=BBSMSTR_000000000031",
             "boards/egov/selectBoardList.do?bbsId=BBSMSTR_000000000031&pageIndex=2", 7, "pageIndex"),
    "ullist": ("boards/ullist/list.php", "boards/ullist/list.php?curPage=2", 8, "a.next"),
    "wp": ("boards/wp/category/press/", "boards/wp/category/press/page/2/", 6, "a.next"),
    "netis": ("boards/netis/selectNttList.do?key=1223&bbsNo=61", "boards/netis/selectNttList.do?key=1223&bbsNo=61&pageIndex=3",
              9, "pageIndex"),
    "gpms": ("boards/gpms/boardCnts/list.do?boardID=11", "boards/gpms/boardCnts/list.do?boardID=11&startPage=2", 7,
             "startPage"),
    "jsboard": ("boards/jsboard/list.html", None, 6, "page"),
}


@pytest.fixture(scope="module")
def site():
    with serve() as s:
        yield s


def get(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        body, ctype = answer.read(), answer.headers["Content-Type"]
    return HtmlResponse(url, body=body, headers={"Content-Type": ctype}).text, ctype


@pytest.mark.parametrize("layout", [k for k in LAYOUTS if k != "jsboard"])
def test_detector_finds_rows_dates_links_and_paging(site, layout):
    first, euc_kr, _, paging = LAYOUTS[layout]
    text, _ = get(site.url + first)
    found = detect_rows(text, site.url + first)
    assert found and found.confidence >= 0.8 and not found.problems, found and found.problems
    assert len(found.rows) >= 3 and all(r["date"] and r["url"].startswith(site.url) for r in found.rows)
    assert paging == (found.selectors.get("next_page") if paging.startswith("a.") else found.page["param"])
    # the EUC-KR page decodes and is read the same way
    text, ctype = get(site.url + euc_kr)
    assert ctype.lower().endswith("euc-kr")
    again = detect_rows(text, site.url + euc_kr)
    assert again.selectors["item"] == found.selectors["item"] and len(again.rows) >= 3
    assert all(r["date"] for r in again.rows) and "\ufffd" not in "".join(r["title"] for r in again.rows)


def test_no_list_on_an_article_page_or_a_menu(site):
    for path in ("index.html", "hanbit/news/articleView.html?idxno=1002"):
        assert detect_rows(get(site.url + path)[0], site.url + path) is None


@pytest.mark.parametrize("links, expected", [
    (["?pageIndex=2", "?pageIndex=3"], {"param": "pageIndex", "first": 1, "step": 1}),
    (["?curPage=2"], {"param": "curPage", "first": 1, "step": 1}),
    (["?startPage=2"], {"param": "startPage", "first": 1, "step": 1}),
    (["?page=2&x=1", "?page=3&x=1"], {"param": "page", "first": 1, "step": 1}),
    (["?nPage=2"], {"param": "nPage", "first": 1, "step": 1}),
    (["?bpage=2"], {"param": "bpage", "first": 1, "step": 1}),
    (["?Start=10", "?Start=20"], {"param": "Start", "first": 0, "step": 10}),
    (["?Start=0", "?Start=15"], {"param": "Start", "first": 0, "step": 15}),
    (['#" onclick="fn_egov_link_page(2); return false;'], {"param": "pageIndex", "first": 1, "step": 1}),
    (["?pageIndex=1"], None),  # only a link back to page 1: the last page
])
def test_page_parameters(links, expected):
    html = "<html><body>" + "".join(f'<a href="{h}">{n}</a>' for n, h in enumerate(links, 2)) + "</body></html>"
    assert _page_param(parse_html(html), "https://b.example/list.do?x=1") == expected
    assert page_url("https://b.example/list.do?x=1&pageIndex=1", "pageIndex", 3) == "https://b.example/list.do?x=1&pageIndex=3"


def auto_config(tmp_path, site, extra=""):
    blocks = "".join(f'[[source]]\nname = "{layout}"\nkind = "committee"\ntype = "board"\nurl = "{site.url}{first}"\n'
                     'selectors = "auto"\n\n' for layout, (first, *_rest) in LAYOUTS.items())
    path = tmp_path / "auto.toml"
    path.write_text('query_terms = ["자치경찰"]\n[crawl]\nfast = true\ntimeout = 10\nretries = 1\nmax_pages = 5\n'
                    f'log_level = "WARNING"\n\n{blocks}{extra}', encoding="utf-8")
    return path


def test_auto_boards_crawl_every_post_with_body_and_page_date(site, tmp_path):
    db_path = tmp_path / "m.db"
    summaries = {s["source"]: s for s in crawl(db_path, auto_config(tmp_path, site), timeout=180)}
    db = open_db(db_path)
    for layout, (_, _, posts, _) in LAYOUTS.items():
        assert summaries[layout]["status"] == "ok", summaries[layout]
        assert summaries[layout]["new"] == posts, summaries[layout]  # every list page was read
        rows = db.execute("SELECT body, date_source, title FROM documents WHERE source = ?", [layout]).fetchall()
        assert all(len(b) >= 50 and d == "page" and "\ufffd" not in b + t for b, d, t in rows)
    db.conn.close()


def test_explicit_selectors_win_over_auto(site, monkeypatch):
    from crawler.spiders.board import BoardSpider
    import crawler.spiders.board as board
    monkeypatch.setattr(board, "detect_rows", lambda *a: pytest.fail("detector used despite explicit selectors"))
    first = LAYOUTS["egov"][0]
    source = {"name": "e", "type": "board", "kind": "committee", "region": "전국", "outlet": "e", "urls": [site.url + first],
              "url": site.url + first, "filter": False,
              "selectors": {"item": "table.board_list tbody > tr:first-child", "link": "td.subject a"}}
    spider = BoardSpider(source=source, terms=["자치경찰"])
    spider.seen = set()
    text, ctype = get(site.url + first)
    import scrapy
    response = HtmlResponse(site.url + first, body=text.encode("utf-8"), encoding="utf-8",
                            request=scrapy.Request(site.url + first, meta={"page": 1}))
    assert len([r for r in spider.parse_list(response) if r.callback == spider.parse_article]) == 1


# --- the command line ------------------------------------------------------------------------
def monitor(*args, db=None):
    env = dict(os.environ, MONITOR_DB=str(db) if db else os.environ.get("MONITOR_DB", ""))
    done = subprocess.run([sys.executable, "monitor.py", "sources", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env=env)
    return done.returncode, done.stdout, done.stderr


DEMO = ["--config", "config/demo_sources.toml", "--base-url"]


def test_sources_list(site, tmp_path):
    code, out, _ = monitor("list", *DEMO, site.url, db=tmp_path / "none.db")
    assert code == 0 and "부산광역시자치경찰위원회 보도자료" in out and "never crawled" in out
    assert not (tmp_path / "none.db").exists()  # listing creates no database
    db = tmp_path / "m.db"
    crawl(db, REPO / "config" / "demo_sources.toml", sources=["부산광역시자치경찰위원회 보도자료", "깨진 피드"],
          base_url=site.url, timeout=120)
    code, out, _ = monitor("list", *DEMO, site.url, db=db)
    rows = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert "정상" in rows["부산광역시자치경찰위원회 보도자료"] and "20" in rows["부산광역시자치경찰위원회 보도자료"]  # last success
    assert "1 failed runs" in rows["깨진 피드"] and "never crawled" in rows["한결통신 사회"]


def test_sources_test_passes_and_writes_nothing(site, tmp_path):
    db = tmp_path / "never.db"
    code, out, err = monitor("test", "부산광역시자치경찰위원회 보도자료", *DEMO, site.url, "--items", "3", db=db)
    assert code == 0, out + err
    assert "PASS" in out and "view.html?seq=57" in out and "부산광역시자치경찰위원회는 겨울철" in out
    assert not db.exists()


def test_sources_test_fails_with_the_problem_named(site, tmp_path):
    code, out, _ = monitor("test", "깨진 피드", *DEMO, site.url)
    assert code == 1 and "FAIL" in out and "malformed feed" in out and "0 items listed" in out
    extra = (f'[[source]]\nname = "막힌 게시판"\nkind = "civic"\ntype = "board"\nurl = "{site.url}private/board/list.html"\n'
             'selectors = "auto"\n\n'
             f'[[source]]\nname = "걸러진 게시판"\nkind = "civic"\ntype = "board"\nurl = "{site.url}{LAYOUTS["ullist"][0]}"\n'
             'selectors = "auto"\nquery_terms = ["없는검색어"]\n')
    config = auto_config(tmp_path, site, extra).read_text(encoding="utf-8").replace('query_terms = ["자치경찰"]', 'query_terms = ["검색어없음"]')
    path = tmp_path / "bad.toml"
    path.write_text(config, encoding="utf-8")
    code, out, _ = monitor("test", "막힌 게시판", "--config", str(path))
    assert code == 1 and "robots.txt" in out
    code, out, _ = monitor("test", "걸러진 게시판", "--config", str(path))
    assert code == 1 and "every item was filtered out" in out
    code, _, err = monitor("test", "없는 소스", "--config", str(path))
    assert code == 2 and "no source named" in err


def test_detect_prints_a_block_that_then_passes_sources_test(site, tmp_path):
    for layout in ("egov", "jsboard"):
        code, out, err = monitor("detect", site.url + LAYOUTS[layout][0], *DEMO, site.url, "--name", f"탐지 {layout}")
        assert code == 0, err
        block = out[out.index("[[source]]"):]
        entry = tomllib.loads(block)["source"][0]
        assert entry["type"] == "board" and ("selectors" in entry or "json" in entry)
        path = tmp_path / f"{layout}.toml"
        path.write_text('query_terms = ["자치경찰"]\n[crawl]\nfast = true\ntimeout = 10\nlog_level = "WARNING"\n\n' + block,
                        encoding="utf-8")
        code, out, err = monitor("test", f"탐지 {layout}", "--config", str(path), "--pages", "2", "--items", "20")
        assert code == 0 and "PASS" in out, out + err
        assert f"items {LAYOUTS[layout][2]})" in out  # both list pages read through the detected paging
        assert ("encoding repaired" in out) == (layout == "jsboard")  # post 298: EUC-KR sent as UTF-8, a note


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:1/board/list.do", "cannot reach"),
    ("{site}index.html", "no board list found"),
    ("{site}private/board/list.html", "robots.txt disallows"),
    ("file:///etc/passwd", "not an http(s) URL"),
])
def test_detect_bad_input_is_one_clear_error(site, url, message):
    code, out, err = monitor("detect", url.format(site=site.url), *DEMO, site.url)
    assert code == 1 and message in err and "Traceback" not in err + out


def test_snapshot_records_list_and_two_items_that_the_snapshot_test_reads(site, tmp_path):
    code, out, err = monitor("snapshot", "자치분권과 경찰개혁 시민연대 성명·논평", *DEMO, site.url, "--out", str(tmp_path),
                             "--slug", "civic")
    assert code == 0, err
    folder = tmp_path / "civic"
    assert sorted(p.name for p in folder.iterdir()) == ["item-1.html", "item-2.html", "list.html", "snapshot.json"]
    follows, items = check_snapshot(folder)
    assert len(follows) == 4 and len(items) == 2
    code, _, err = monitor("snapshot", "샘플 네이버 뉴스 API", *DEMO, site.url, "--out", str(tmp_path))
    assert code == 1 and "Naver" in err
