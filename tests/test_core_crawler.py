"""Canonical URLs and Korean dates at their edges; every expected value is written out by hand."""
import datetime as dt
import time

import pytest

from crawler.dates import from_struct, has_clock, parse_date, to_iso
from crawler.urls import canonical_url

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("url, page, expected", [
    # a site-root canonical (a CMS default) is not the article's address
    ("https://news.example.kr/a/1.html", "https://news.example.kr/", "https://news.example.kr/a/1.html"),
    ("https://news.example.kr/a/1.html", "https://news.example.kr", "https://news.example.kr/a/1.html"),
    ("https://news.example.kr/a/1.html", "/", "https://news.example.kr/a/1.html"),
    # the same site under www., m. or mobile. is the same site
    ("https://m.news.example.kr/a/1", "https://www.news.example.kr/a/9", "https://www.news.example.kr/a/9"),
    ("https://www.news.example.kr/a/1", "https://news.example.kr/a/9", "https://news.example.kr/a/9"),
    ("https://mobile.news.example.kr/a/1", "https://www.news.example.kr/a/9", "https://www.news.example.kr/a/9"),
    ("https://www.news.example.kr/a/1", "https://m.news.example.kr/a/9", "https://www.news.example.kr/a/9"),
    ("https://news.example.kr/a/1", "  /a/2?utm_source=x  ", "https://news.example.kr/a/2"),
])
def test_page_canonical_is_used_only_for_an_article_on_the_same_site(url, page, expected):
    assert canonical_url(url, page) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://mobile.example.kr/news/1", "https://www.example.kr/news/1"),
    ("https://m.example.kr/news/1", "https://www.example.kr/news/1"),
    ("https://m.kr/news/1", "https://m.kr/news/1"),              # 'm.' of a two-part host is the site itself
    ("https://mobile.kr/news/1", "https://mobile.kr/news/1"),
    ("http://example.kr:80/x", "http://example.kr/x"),
    ("https://example.kr:443/x", "https://example.kr/x"),
    ("http://example.kr:443/x", "http://example.kr:443/x"),       # a default port only for its own scheme
    ("https://example.kr:80/x", "https://example.kr:80/x"),
    ("http://example.kr:8080/x", "http://example.kr:8080/x"),
    ("https://example.kr//news///1", "https://example.kr/news/1"),
    ("https://example.kr/m/news/m/1", "https://example.kr/news/m/1"),  # only the first mobile segment
    ("https://example.kr/mobile/news/1", "https://example.kr/news/1"),
    ("https://example.kr/news/print.html?no=5", "https://example.kr/news/view.html?no=5"),
    ("https://example.kr/news/PRINT.PHP?id=5", "https://example.kr/news/view.php?id=5"),
    ("https://example.kr/news/articlePrint.html?idxno=5", "https://example.kr/news/articleView.html?idxno=5"),
    ("https://example.kr/a?flag=&id=3", "https://example.kr/a?flag=&id=3"),  # blank values are kept
    ("https://example.kr/a?utm_medium=x&ref=y&id=3&share=1#c", "https://example.kr/a?id=3"),
    ("https://example.kr", "https://example.kr/"),
])
def test_canonical_url_cases(url, expected):
    assert canonical_url(url) == expected


def test_duplicates_through_mobile_and_tracking_links_share_one_key():
    links = ["https://www.example.kr/news/1?utm_source=rss", "https://m.example.kr/news/1",
             "https://mobile.example.kr/m/news/1#comments", "https://www.example.kr/news/print.html?x=1"]
    assert {canonical_url(u) for u in links[:3]} == {"https://www.example.kr/news/1"}
    assert canonical_url(links[3]) == "https://www.example.kr/news/view.html?x=1"


@pytest.mark.parametrize("text, expected", [
    ("2023년 2월 10일 밤 11시", "2023-02-10T14:00:00Z"),
    ("2023년 2월 10일 저녁 7시 5분", "2023-02-10T10:05:00Z"),
    ("2023년 2월 10일 새벽 12시 30분", "2023-02-09T15:30:00Z"),
    ("2023년 2월 10일 오전 12시", "2023-02-09T15:00:00Z"),
    ("2023년 2월 10일 오전 11시", "2023-02-10T02:00:00Z"),
    ("2023년 2월 10일 낮 1시", "2023-02-10T04:00:00Z"),   # 낮 1시 is 1 p.m.
    ("2023년 2월 10일 낮 6시", "2023-02-10T09:00:00Z"),
    ("2023년 2월 10일 낮 7시", "2023-02-09T22:00:00Z"),
    ("2023년 2월 10일 낮 12시", "2023-02-10T03:00:00Z"),
    ("2023년 2월 10일 오후 1시", "2023-02-10T04:00:00Z"),
    ("2023년 2월 10일", "2023-02-09T15:00:00Z"),
    ("2023.02.10 PM 3:05", "2023-02-10T06:05:00Z"),
    ("2023.02.10 pm 3:05", "2023-02-10T06:05:00Z"),
    ("2023.02.10 PM 12:05", "2023-02-10T03:05:00Z"),
    ("2023.02.10 AM 12:05", "2023-02-09T15:05:00Z"),
    ("2023.02.10 am 12:05", "2023-02-09T15:05:00Z"),
    ("2023.02.10 오전 12:05", "2023-02-09T15:05:00Z"),
    ("2023/02/10 09:07:59", "2023-02-10T00:07:59Z"),
    ("2023-02-10T15:30:00Z", "2023-02-10T15:30:00Z"),
    ("2023-02-10T01:30:00-05:00", "2023-02-10T06:30:00Z"),
    ("등록일: 2023.02.10 15:30 조회 12", "2023-02-10T06:30:00Z"),
    ("30초 전", "2026-11-20T11:59:30Z"),
    ("1주 전", "2026-11-13T12:00:00Z"),
    ("방금 전", "2026-11-20T12:00:00Z"),
    ("just now", "2026-11-20T12:00:00Z"),
    ("Updated November 20, 2026 3:00 PM by staff", "2026-11-20T06:00:00Z"),
    ("Mon, 20 Nov 2026 03:00:00 +0900", "2026-11-19T18:00:00Z"),
])
def test_more_korean_and_english_dates(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["2023-02-30", "2023년 13월 1일", "Tuesday", "2023.02.10 25:00", "Nov 2026 xx 99:99"])
def test_impossible_or_partial_dates_are_none(text):
    assert parse_date(text, now=NOW) is None


def test_to_iso_reads_naive_times_as_seoul_and_keeps_aware_ones():
    assert to_iso(dt.datetime(2026, 1, 1, 9, 0)) == "2026-01-01T00:00:00Z"
    paris = dt.timezone(dt.timedelta(hours=1))
    assert to_iso(dt.datetime(2026, 1, 1, 9, 0, tzinfo=paris)) == "2026-01-01T08:00:00Z"


def test_feed_struct_time_is_utc():
    assert from_struct(time.struct_time((2026, 11, 20, 6, 30, 15, 4, 324, 0))) == "2026-11-20T06:30:15Z"
    assert from_struct(None) is None


@pytest.mark.parametrize("text, expected", [
    ("20240903", "2024-09-02T15:00:00Z"),          # compact date: Seoul midnight
    ("202409031304", "2024-09-03T04:04:00Z"),      # compact without seconds
    ("19991231235959", "1999-12-31T14:59:59Z"),    # 19xx years are read
    ("18991231", None),                            # other centuries are not
    ("20241301", None),                            # month 13
    ("2024090313041", None),                       # 13 digits: neither form
    ("x20240903", None),                           # only the whole string
    ("2024.09.03T13:04", "2024-09-03T04:04:00Z"),  # a T between date and time
    ("2024년 9월 3일 화요일 오후 1시", "2024-09-03T04:00:00Z"),
])
def test_compact_and_weekday_forms(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize("text, expected", [
    ("오후 3시", True), ("9:05", True), ("3T13", True), ("202409031304", True), ("  202409031304", True),
    ("2024년 9월 3일", False), ("20240903", False), ("", False), (None, False), ("기사 12345", False),
])
def test_has_clock_cases(text, expected):
    assert has_clock(text) is expected
