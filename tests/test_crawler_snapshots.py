"""Each enabled source in config/sources.toml parses its stored snapshot with the real spider code
(no network: Scrapy responses are built from the snapshot files). Snapshots recorded with
`python monitor.py sources snapshot NAME` (a snapshot.json beside the pages) are checked by
`check_snapshot`: the list yields item requests and the item pages yield items with a body."""
import json
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.config import load_config
from crawler.spiders import SPIDERS

REPO = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO / "tests" / "fixtures" / "snapshots"
CONFIG = load_config(REPO / "config" / "sources.toml")
SLUGS = {
    "Google 뉴스 검색": "google-news", "Google 뉴스 검색: 시도 자치경찰위원회": "google-news",
    "연합뉴스 사회": "yna-society", "한겨레 사회": "hani-society",
    "경향신문 사회": "khan-society", "동아일보 사회": "donga-society", "조선일보 사회": "chosun-society",
    "정책브리핑 보도자료": "korea-kr-press", "네이버 뉴스 검색 API": "naver-api",
}
ENABLED = [s for s in CONFIG["sources"] if s["enabled"]]
RECORDED = sorted(p.parent for p in SNAPSHOTS.glob("*/snapshot.json"))


def recorded_for(name):
    """A `sources snapshot` folder recorded for this source of config/sources.toml."""
    for folder in RECORDED:
        meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
        if meta["source"] == name and meta.get("config") == "config/sources.toml":
            return folder
    return None


def test_shipped_config_is_valid_and_every_enabled_source_has_a_snapshot():
    assert not CONFIG["errors"]
    assert len(CONFIG["sources"]) >= 30
    regions = {s["region"] for s in CONFIG["sources"] if s["kind"] == "committee"}
    assert len(regions) == 18  # one board per autonomous police committee
    for source in CONFIG["sources"]:
        if source["enabled"]:
            assert source["name"] in SLUGS and (SNAPSHOTS / SLUGS[source["name"]]).is_dir() \
                or recorded_for(source["name"]), source["name"]
        else:
            assert source.get("verify"), f"{source['name']}: disabled entries say what to verify"
    assert CONFIG["crawl"]["fast"] is False and CONFIG["crawl"]["download_delay"] >= 5


def test_committee_search_asks_for_each_of_the_18_committees():
    [source] = [s for s in ENABLED if s["name"] == "Google 뉴스 검색: 시도 자치경찰위원회"]
    urls = spider_for(source).start_urls_for_source()
    assert len(urls) == 18 and all(u.startswith("https://news.google.com/rss/search?q=") for u in urls)
    assert "q=%EC%84%9C%EC%9A%B8%20%EC%9E%90%EC%B9%98" in urls[0]  # 서울 자치…, sent without quotes
    assert "%22" not in "".join(urls)
    # The global feed still quotes its phrases ("자치경찰 이원화").
    [general] = [s for s in ENABLED if s["name"] == "Google 뉴스 검색"]
    assert any("%22" in u for u in spider_for(general).start_urls_for_source())
    # Items are kept when they name the committee in another spelling or any global term.
    spider = spider_for(source)
    assert spider.filter_terms[:1] == ["서울 자치경찰위원회"] and "자치경찰" in spider.filter_terms


def spider_for(source):
    spider = SPIDERS[source["type"]](source=source, terms=CONFIG["terms"], max_pages=5)
    spider.seen = set()  # each test is its own run (a run skips URLs another source already took)
    return spider


def drain(result):
    return list(result or [])


@pytest.mark.parametrize("source", [s for s in ENABLED if s["type"] == "feed"], ids=lambda s: SLUGS.get(s["name"], s["name"]))
def test_feed_snapshot(source):
    spider = spider_for(source)
    url = spider.start_urls_for_source()[0]
    body = (SNAPSHOTS / SLUGS[source["name"]] / "feed.xml").read_bytes()
    out = drain(spider.parse_feed(XmlResponse(url, body=body)))
    assert not spider.errors
    assert spider.counts["listed"] == 3 and spider.counts["filtered"] == 1  # one off-topic item per snapshot
    assert len(out) == 2
    for thing in out:
        if isinstance(thing, scrapy.Request):  # the article page is fetched next
            listing = thing.meta["listing"]
            assert thing.url.startswith("https://") and listing["title"] and listing["published_at"].endswith("Z")
        else:  # fetch_pages = false: stored from the feed
            assert thing["title"] and thing["date_source"] == "feed" and thing["outlet"] != source["outlet"]


def test_search_feed_has_one_url_per_query_term():
    source = next(s for s in ENABLED if s["name"] == "Google 뉴스 검색")
    urls = spider_for(source).start_urls_for_source()
    assert len(urls) == len(CONFIG["terms"]) and all("hl=ko&gl=KR&ceid=KR:ko" in u for u in urls)
    assert "q=%22%EC%9E%90%EC%B9%98%EA%B2%BD%EC%B0%B0%20%EC%9D%B4%EC%9B%90%ED%99%94%22" in " ".join(urls)


def test_yna_article_snapshot():
    source = next(s for s in ENABLED if s["name"] == "연합뉴스 사회")
    spider = spider_for(source)
    url = "https://www.yna.co.kr/view/AKR20261119000100004?input=1195m"
    request = scrapy.Request(url, meta={"listing": {"title": "x", "published_at": None}})
    body = (SNAPSHOTS / "yna-society" / "article.html").read_bytes()
    item = drain(spider.parse_article(HtmlResponse(url, body=body, request=request, encoding="utf-8")))[0]
    assert item["title"] == "자치경찰 이원화 시범사업 내년 5개 시도서 추진"
    assert item["published_at"] == "2026-11-19T01:12:00Z" and item["date_source"] == "page"
    assert item["body"].startswith("(서울=연합뉴스)") and "gildong@" not in item["body"] and "카카오톡" not in item["body"]
    assert item["page_canonical"] == "https://www.yna.co.kr/view/AKR20261119000100004"


def test_naver_api_snapshot(monkeypatch):
    monkeypatch.setenv("NAVER_CLIENT_ID", "id")
    monkeypatch.setenv("NAVER_CLIENT_SECRET", "secret")
    source = next(s for s in ENABLED if s["type"] == "naver_api")
    spider = spider_for(source)
    spider.api_headers = {}
    request = spider.api_request("자치경찰", 1)
    assert "display=100" in request.url and "sort=date" in request.url and "start=1" in request.url
    body = (SNAPSHOTS / "naver-api" / "news.json").read_bytes()
    out = drain(spider.parse_api(TextResponse(request.url, body=body, encoding="utf-8", request=request)))
    urls = [r.url for r in out]
    assert urls[0] == "https://www.example-daily.kr/news/articleView.html?idxno=101"  # originallink preferred
    assert urls[2].startswith("https://n.news.naver.com/")  # no originallink: the Naver page
    assert out[1].meta["listing"]["title"] == "경북자치경찰위원회 상임위원 공석 두 달째"
    assert out[1].meta["listing"]["published_at"] == "2026-11-17T03:20:00Z"
    assert len(out) == 3  # total 3: no further page requested


def test_naver_without_keys_is_skipped_quietly(monkeypatch):
    import asyncio
    monkeypatch.delenv("NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NAVER_CLIENT_SECRET", raising=False)
    spider = spider_for(next(s for s in ENABLED if s["type"] == "naver_api"))

    async def collect():
        return [r async for r in spider.start()]
    assert asyncio.run(collect()) == []
    assert "NAVER_CLIENT_ID" in spider.skip_reason and not spider.errors


def check_snapshot(folder):
    """Parse a `sources snapshot` folder with the source's real spider: the list page (or feed,
    or JSON list) gives item requests; the recorded item pages give items with a title and a body."""
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    config = load_config(REPO / meta["config"], base_url="http://127.0.0.1:9/")
    source = next(s for s in config["sources"] if s["name"] == meta["source"])
    spider = SPIDERS[source["type"]](source=source, terms=config["terms"], related_terms=config["related_terms"])
    spider.seen = set()
    listing = meta["list"]
    body = (folder / listing["file"]).read_bytes()
    headers = {"Content-Type": listing["content_type"]}
    request = scrapy.Request(listing["url"], meta={"page": 1})
    if source["type"] == "feed":
        out = spider.parse_feed(XmlResponse(listing["url"], body=body, headers=headers, request=request))
    elif listing["file"].endswith(".json"):
        spider.json_spec = spider.json_spec or listing["json"]  # configured, or what "auto" found
        out = spider.parse_json(TextResponse(listing["url"], body=body, headers=headers, request=request))
    else:
        out = spider.parse_list(HtmlResponse(listing["url"], body=body, headers=headers, request=request))
    follows = [r for r in drain(out) if isinstance(r, scrapy.Request) and r.callback == spider.parse_article]
    assert follows, f"{folder.name}: the list gives no item links"
    items = []
    for page in meta["items"]:
        request = scrapy.Request(page["url"], meta={"listing": {"title": "", "published_at": None}})
        response = HtmlResponse(page["url"], body=(folder / page["file"]).read_bytes(),
                                headers={"Content-Type": page["content_type"]}, request=request)
        items += drain(spider.parse_article(response))
    assert items and all(len(i["body"]) >= 50 and i["title"] for i in items), f"{folder.name}: items without a body"
    return follows, items


@pytest.mark.parametrize("folder", RECORDED, ids=lambda f: f.name)
def test_recorded_snapshot(folder):
    check_snapshot(folder)
