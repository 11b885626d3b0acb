"""Crawler building blocks without a crawl: dates, URLs, near-duplicates, config, extraction,
encodings, and the sample site's dynamic parts."""
import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from scrapy.http import HtmlResponse

from crawler.config import load_config
from crawler.dates import parse_date
from crawler.dedup import distance, jaccard, shingles, simhash
from crawler.extract import extract_article
from crawler.sample_site import serve, site_datetime
from crawler.urls import canonical_url

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("2023년 2월 10일 오전 3시 30분", "2023-02-09T18:30:00Z"),
    ("2023년 2월 10일 오후 3시 30분", "2023-02-10T06:30:00Z"),
    ("2023년 2월 10일 오후 12시", "2023-02-10T03:00:00Z"),
    ("기사입력 2023년 02월 10일(금) 15:30", "2023-02-10T06:30:00Z"),
    ("2023.02.10 15:30", "2023-02-10T06:30:00Z"),
    ("2023.2.1. 오후 3:05", "2023-02-01T06:05:00Z"),
    ("입력 2021.06.30 (21:36) 수정 2021.07.01 (10:00)", "2021-06-30T12:36:00Z"),
    ("입력 : 2021-06-30 21:36:10", "2021-06-30T12:36:10Z"),
    ("2023-02-10", "2023-02-09T15:00:00Z"),
    ("2023-02-10T15:30:00+09:00", "2023-02-10T06:30:00Z"),
    ("Fri, 10 Feb 2023 06:30:00 GMT", "2023-02-10T06:30:00Z"),
    ("Published Nov 20, 2026 3:00 PM", "2026-11-20T06:00:00Z"),
    ("3시간 전", "2026-11-20T09:00:00Z"),
    ("25분 전", "2026-11-20T11:35:00Z"),
    ("2일 전", "2026-11-18T12:00:00Z"),
])
def test_korean_dates_become_utc(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["", None, "날짜 없음", "조회 1234", "2023년"])
def test_no_date_is_none(text):
    assert parse_date(text, now=NOW) is None


@pytest.mark.parametrize("url, page, expected", [
    ("https://m.hani.co.kr/arti/society/1.html?utm_source=x&fbclid=2#top", None, "https://www.hani.co.kr/arti/society/1.html"),
    ("http://127.0.0.1:8000/hanbit/m/news/articleView.html?idxno=1001&from=rss", None,
     "http://127.0.0.1:8000/hanbit/news/articleView.html?idxno=1001"),
    ("http://127.0.0.1:8000/hanbit/news/articlePrint.html?idxno=1002", None,
     "http://127.0.0.1:8000/hanbit/news/articleView.html?idxno=1002"),
    ("http://127.0.0.1:8000/jungbu/news/print.php?id=2041", None, "http://127.0.0.1:8000/jungbu/news/view.php?id=2041"),
    ("https://news.example.kr/a/print.php?id=9", "/a/read.php?id=9", "https://news.example.kr/a/read.php?id=9"),
    ("https://news.example.kr/x?b=2&a=1", "https://other.example.com/y", "https://news.example.kr/x?a=1&b=2"),
    ("HTTPS://WWW.Example.KR:443/x", None, "https://www.example.kr/x"),
])
def test_canonical_urls(url, page, expected):
    assert canonical_url(url, page) == expected


WIRE = ("국가경찰위원회와 전국 시도자치경찰위원회가 자치경찰 이원화 시범사업을 내년 5개 시도에서 추진하기로 했다. "
        "양 위원회는 이날 합동회의를 열고 시범 지역 선정 기준과 일정에 합의했다. 시범 지역에서는 생활안전 분야 경찰관이 "
        "시도 소속 자치경찰 공무원으로 신분을 전환한다.")


def test_simhash_joins_copies_and_separates_other_stories():
    copy = "(서울=한결통신) 박지훈 기자 = " + WIRE + " [한결통신 제공]"
    other = ("부산광역시자치경찰위원회는 올여름 해수욕장 치안 대책 성과 보고회를 열고 주요 해수욕장 6곳의 112 신고가 "
             "지난해보다 15% 줄었다고 밝혔다. 위원회는 여름철 합동순찰대를 운영하고 불법촬영 점검을 강화했다.")
    a, b, c = simhash(WIRE), simhash(copy), simhash(other)
    assert -(1 << 63) <= a < (1 << 63)
    assert distance(a, b) <= 18 < distance(a, c)
    assert jaccard(shingles(WIRE), shingles(copy)) > 0.55 > jaccard(shingles(WIRE), shingles(other))
    assert simhash("짧은 글") is None


def test_config_errors_name_file_source_and_field(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("""
[[source]]
name = "좋은 피드"
kind = "news"
type = "feed"
url = "https://example.org/rss.xml"

[[source]]
name = "유형 오류"
kind = "news"
type = "scraper"
url = "https://example.org/"

[[source]]
name = "주소 없음"
kind = "civic"
type = "board"
[source.selectors]
item = "li"
link = "a"

[[source]]
name = "선택자 오류"
kind = "committee"
type = "board"
url = "https://example.org/list"
[source.selectors]
item = "ul >> li[["
link = "a"

[[source]]
name = "지역 오류"
kind = "committee"
type = "feed"
url = "https://example.org/rss"
region = "평양"
""", encoding="utf-8")
    config = load_config(path)
    assert [s["name"] for s in config["sources"]] == ["좋은 피드"]
    errors = "\n".join(config["errors"])
    assert str(path) in config["errors"][0]
    assert "source '유형 오류': field 'type'" in errors
    assert "source '주소 없음': field 'url'" in errors
    assert "source '선택자 오류': field 'selectors.item'" in errors
    assert "source '지역 오류': field 'region'" in errors


def test_demo_config_needs_a_base_url():
    from pathlib import Path
    demo = Path(__file__).resolve().parent.parent / "config" / "demo_sources.toml"
    assert not load_config(demo)["sources"] and "no --base-url" in load_config(demo)["errors"][0]
    config = load_config(demo, "http://127.0.0.1:9/")
    assert not config["errors"] and config["crawl"]["fast"] is True
    assert all(s["url"].startswith("http://127.0.0.1:9/") and "{base}" not in s["url"] for s in config["sources"])


@pytest.fixture(scope="module")
def site():
    with serve() as s:
        yield s


def fetch(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
        return r.status, dict(r.headers), r.read()


def test_euc_kr_page_decodes_from_header_or_meta(site):
    url = site.url + "namhae/news/301.html"
    status, headers, body = fetch(url)
    assert headers["Content-Type"].lower().endswith("charset=euc-kr")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    for response_headers in ({"Content-Type": headers["Content-Type"]}, {"Content-Type": "text/html"}):  # header / meta only
        response = HtmlResponse(url, body=body, headers=response_headers)
        page = extract_article(response.text, url)
        assert page["title"] == "부산자치경찰위원회, 해수욕장 여름 치안 성과 보고회"
        assert "합동순찰대" in page["body"]
        assert page["published_at"] == site_datetime(-4, 14, 0).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_extraction_strips_chrome_and_finds_byline(site):
    url = site.url + "hanbit/news/articleView.html?idxno=1002"
    page = extract_article(fetch(url)[2].decode("utf-8"), url)
    assert page["title"].startswith("현장 경찰관") and page["outlet"] == "한빛일보" and page["author"] == "한지민"
    for chrome in ("기사 공유", "카카오톡", "댓글", "많이 본 뉴스", "무단 전재", "reporter@example.kr", "입력 "):
        assert chrome not in page["body"], chrome
    assert page["body"].startswith("지구대와 파출소") and page["lang"] == "ko"
    english = extract_article(fetch(site.url + "kdp/national/901.html")[2].decode(), site.url)
    assert english["lang"] == "en" and "autonomous police" in english["body"]


def test_sample_site_dates_are_relative_to_today(site):
    feed = fetch(site.url + "feeds/wire-society.xml")[2].decode()
    assert "{{" not in feed and site.url + "wire/view/HK20260001.html" in feed
    assert site_datetime(-2, 10, 12).astimezone(dt.timezone.utc).strftime("%d %b %Y %H:%M") in feed


def test_sample_site_naver_api_shape(site):
    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(site.url + "v1/search/news.json?query=%EC%9E%90%EC%B9%98%EA%B2%BD%EC%B0%B0")
    assert err.value.code == 401
    keys = {"X-Naver-Client-Id": "a", "X-Naver-Client-Secret": "b"}
    data = json.loads(fetch(site.url + "v1/search/news.json?query=%EC%9E%90%EC%B9%98%EA%B2%BD%EC%B0%B0&display=3&start=4", keys)[2])
    assert data["total"] == 7 and data["start"] == 4 and len(data["items"]) == 3
    assert {"title", "originallink", "link", "description", "pubDate"} <= set(data["items"][0])


def test_sample_site_fault_endpoints(site):
    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(site.url + "fault/flaky/unit")
    assert err.value.code == 500
    assert fetch(site.url + "fault/flaky/unit")[0] == 200
    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(site.url + "nope.html")
    assert err.value.code == 404
    assert b"Disallow: /private/" in fetch(site.url + "robots.txt")[2]


def test_outlet_from_a_host_is_never_an_ip_address():
    from crawler.spiders.base import host_outlet
    assert host_outlet("https://www.hani.co.kr/arti/1.html") == "hani.co.kr"
    assert host_outlet("http://127.0.0.1:8123/hanbit/news/1") is None  # the source's outlet name is used
    assert host_outlet("http://[::1]/a") is None and host_outlet("http://localhost/a") is None
