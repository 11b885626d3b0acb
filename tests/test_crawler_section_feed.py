"""Section feeds: an item whose title/summary lack every query term is fetched when its summary is
cut short and it is about policing, and kept when its page text names the autonomous police."""
import scrapy
from scrapy.http import HtmlResponse, XmlResponse

from crawler.config import RELATED_TERMS, load_config
from crawler.spiders.feed import FeedSpider, summary_cut_short

TERMS = ["자치경찰", "자치경찰위원회"]
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>사회</title>
<item><title>자치경찰위원회 예산 발표</title><link>https://s.example/1</link><description>위원회가 예산을 발표했다.</description></item>
<item><title>경찰, 휴가철 특별 치안대책</title><link>https://s.example/2</link><description>경찰이 해수욕장 순찰을 강화한다…</description></item>
<item><title>경찰, 보이스피싱 조직 검거</title><link>https://s.example/3</link><description>전화금융사기 조직이 붙잡혔다…</description></item>
<item><title>주말 날씨 맑음</title><link>https://s.example/4</link><description>전국이 대체로 맑겠다…</description></item>
</channel></rss>"""
PAGES = {"https://s.example/1": "시자치경찰위원회가 내년 예산을 발표했다.",
         "https://s.example/2": "경찰이 순찰을 강화한다. 이번 대책은 시도자치경찰위원회 심의를 거쳤다.",
         "https://s.example/3": "경찰이 전화금융사기 조직원을 붙잡았다. 피해액은 10억 원이다.",
         "https://s.example/4": "전국이 맑겠다."}


def crawl(rule):
    source = {"name": "섹션", "type": "feed", "kind": "news", "region": "전국", "outlet": "섹션일보",
              "urls": ["https://s.example/rss"], "selectors": {}, "filter": True, "fetch_unmatched": rule}
    spider = FeedSpider(source=source, terms=TERMS, related_terms=RELATED_TERMS)
    spider.seen = set()
    requests = list(spider.parse_feed(XmlResponse("https://s.example/rss", body=FEED.encode("utf-8"))))
    kept = []
    for request in requests:
        html = f"<html><body><h1>제목</h1><p>{PAGES[request.url]}</p></body></html>"
        response = HtmlResponse(request.url, body=html.encode("utf-8"), encoding="utf-8",
                                request=scrapy.Request(request.url, meta=request.meta))
        kept += [item["url"] for item in spider.parse_article(response)]
    return [r.url for r in requests], kept, spider.counts


def test_related_rule_fetches_policing_items_and_keeps_those_whose_page_names_the_term():
    fetched, kept, counts = crawl("related")
    assert fetched == ["https://s.example/1", "https://s.example/2", "https://s.example/3"]  # not the weather
    assert kept == ["https://s.example/1", "https://s.example/2"]
    assert counts["listed"] == 4 and counts["filtered"] == 2  # weather at the feed, 보이스피싱 on its page


def test_none_rule_is_the_title_summary_filter_and_all_fetches_everything():
    assert crawl("none")[1] == ["https://s.example/1"]
    fetched, kept, _ = crawl("all")
    assert len(fetched) == 4 and kept == ["https://s.example/1", "https://s.example/2"]


def test_summary_cut_short():
    assert summary_cut_short("경찰이 순찰을 강화한다…") and summary_cut_short("짧은 요약.")
    assert summary_cut_short("문장이 " * 100 + "끝나지 않고")
    assert not summary_cut_short("완결된 기사 문장입니다. " * 30)


def test_config_defaults_by_feed_kind(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('related_terms = ["경찰"]\n'
                    '[[source]]\nname = "섹션"\nkind = "news"\ntype = "feed"\nurl = "https://a.example/rss"\n'
                    '[[source]]\nname = "검색"\nkind = "news"\ntype = "feed"\nurl = "https://a.example/s?q={query}"\n'
                    '[[source]]\nname = "잘못"\nkind = "news"\ntype = "feed"\nurl = "https://a.example/r"\nfetch_unmatched = "maybe"\n',
                    encoding="utf-8")
    config = load_config(path)
    assert config["related_terms"] == ["경찰"]
    assert [s["fetch_unmatched"] for s in config["sources"]] == ["related", "none"]
    assert "field 'fetch_unmatched'" in config["errors"][0]


def test_latin_and_number_related_terms_are_whole_words():
    from crawler.spiders.feed import names_a_term
    assert names_a_term("Seoul police step up patrols", ["police"]) and not names_a_term("policeman's day", ["police"])
    assert names_a_term("112 신고 출동 시간 단축", RELATED_TERMS) and not names_a_term("날씨 소식 many 1120", RELATED_TERMS)
