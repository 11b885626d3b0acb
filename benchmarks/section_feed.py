"""How many relevant items a section feed's title+summary filter loses, and what each rule costs.

    python benchmarks/section_feed.py

Builds a society-section RSS feed of 60 items (written for the project): 8 name a query term
in their title or summary, 7 are about the autonomous police only in their article text (5 of
them about policing in title/summary, 2 not), 45 are off topic (12 of them police news without
the autonomous police). Summaries are cut at ~100 characters with "…", as Korean outlets' feeds
do. Runs the real FeedSpider (parse_feed, then parse_article on each requested page, no
network) under each `fetch_unmatched` rule and prints relevant items kept and pages fetched.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scrapy  # noqa: E402
from scrapy.http import HtmlResponse, XmlResponse  # noqa: E402

from crawler.config import DEFAULT_TERMS, RELATED_TERMS  # noqa: E402
from crawler.spiders.feed import FeedSpider  # noqa: E402

BASE = "https://section.example/news/"
TERM_IN_TITLE = [
    ("자치경찰위원회, 하반기 치안정책 발표", "시자치경찰위원회가 하반기 치안정책 과제를 발표했다."),
    ("자치경찰 이원화 시범사업 공모 시작", "정부가 자치경찰 이원화 시범 지역 공모를 시작했다."),
    ("\"자경위 권한 강화해야\" 토론회", "자치경찰위원회의 인사권을 두고 토론회가 열렸다."),
    ("자치경찰제 5년 성과 보고회", "자치경찰제 시행 5년을 맞아 성과 보고회가 열렸다."),
    ("교통안전 캠페인 나선 자치경찰", "자치경찰이 어린이 교통안전 캠페인을 벌였다."),
    ("여성 안심귀갓길 확대", "도자치경찰위원회는 안심귀갓길을 20곳 늘린다고 밝혔다."),
    ("자치경찰위원장 협의회 성명", "전국 시도자치경찰위원장협의회가 성명을 냈다."),
    ("드론 순찰 예산 확보", "자치경찰위원회가 드론 순찰 예산을 확보했다."),
]
BODY_ONLY_RELATED = [  # policing in the title/summary, the autonomous police only in the text
    ("경찰, 여름 휴가철 특별 치안대책 시행", "경찰이 휴가철을 맞아 해수욕장 주변 순찰을 강화한다."),
    ("지구대 야간 인력 보강한다", "도심 지구대의 야간 근무 인력이 늘어난다."),
    ("스쿨존 과속 단속 카메라 40곳 추가", "어린이보호구역에 단속 카메라가 추가 설치된다."),
    ("파출소 통폐합 놓고 주민 반발", "농촌 파출소 통폐합 계획에 주민들이 반발하고 있다."),
    ("112 신고 출동 시간 단축", "112 신고 후 현장 도착 시간이 평균 1분 줄었다."),
]
BODY_ONLY_OTHER = [  # nothing about policing in the title/summary
    ("시의회, 추경 예산안 수정 의결", "시의회가 추가경정예산안을 일부 수정해 의결했다."),
    ("도청 조직개편안 입법예고", "도가 실·국 조직개편안을 입법예고했다."),
]
POLICE_OFF_TOPIC = [(f"경찰, 보이스피싱 조직 {n}명 검거", f"경찰이 전화금융사기 조직원 {n}명을 붙잡았다.") for n in range(3, 15)]
OTHER_OFF_TOPIC = [(f"주말 날씨 {n}: 전국 대체로 맑음", f"주말 동안 전국이 대체로 맑겠다는 예보다 ({n}).") for n in range(33)]
FILLER = "관계자는 이날 자세한 내용을 설명하고 향후 계획을 밝혔다. 관련 부서는 후속 조치를 검토하고 있다. "


def items():
    out = []
    for group, rows in (("term", TERM_IN_TITLE), ("body", BODY_ONLY_RELATED), ("body_other", BODY_ONLY_OTHER),
                        ("police", POLICE_OFF_TOPIC), ("other", OTHER_OFF_TOPIC)):
        for title, lead in rows:
            relevant = group in ("term", "body", "body_other")
            text = lead + " " + FILLER * 2 + ("이번 조치는 시도자치경찰위원회의 심의를 거쳐 확정됐다. " if relevant else "")
            out.append({"group": group, "relevant": relevant, "title": title, "text": text,
                        "summary": text[:100] + "…", "url": f"{BASE}{len(out) + 1}.html"})
    return out


def feed_xml(rows):
    entries = "".join(f"<item><title>{r['title']}</title><link>{r['url']}</link><description>{r['summary']}</description>"
                      "<pubDate>Tue, 03 Sep 2024 04:00:00 +0000</pubDate></item>" for r in rows)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>사회</title>{entries}</channel></rss>'


def page_html(row):
    return (f'<html><head><meta charset="utf-8"><meta property="og:title" content="{row["title"]}"></head><body>'
            f'<h1>{row["title"]}</h1><div class="article-body"><p>{row["text"]}</p></div></body></html>')


def run(rule, rows):
    source = {"name": "섹션", "type": "feed", "kind": "news", "region": "전국", "outlet": "섹션일보", "urls": [BASE],
              "selectors": {}, "filter": True, "fetch_unmatched": rule}
    spider = FeedSpider(source=source, terms=DEFAULT_TERMS, related_terms=RELATED_TERMS)
    spider.seen = set()
    by_url = {r["url"]: r for r in rows}
    kept = []
    for request in spider.parse_feed(XmlResponse(BASE, body=feed_xml(rows).encode("utf-8"))):
        row = by_url[request.url]
        page = HtmlResponse(request.url, body=page_html(row).encode("utf-8"), encoding="utf-8",
                            request=scrapy.Request(request.url, meta=request.meta))
        kept += [by_url[item["url"]] for item in spider.parse_article(page)]
    return {"fetched": spider.counts["fetched"], "relevant_kept": sum(r["relevant"] for r in kept),
            "off_topic_kept": sum(not r["relevant"] for r in kept)}


def main():
    rows = items()
    relevant = sum(r["relevant"] for r in rows)
    print(f"section feed: {len(rows)} items, {relevant} relevant ({len(TERM_IN_TITLE)} with a term in title/summary)\n")
    print(f"{'fetch_unmatched':18} {'relevant kept':>14} {'lost':>5} {'pages fetched':>14} {'off-topic stored':>17}")
    for rule, label in (("none", "none (old rule)"), ("related", "related (default)"), ("all", "all")):
        r = run(rule, rows)
        print(f"{label:18} {r['relevant_kept']:>9}/{relevant:<4} {relevant - r['relevant_kept']:>5} {r['fetched']:>14} "
              f"{r['off_topic_kept']:>17}")


if __name__ == "__main__":
    main()
