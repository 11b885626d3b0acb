"""Article extraction on the recorded page families (tests/fixtures/extract/pages, written for the
project in each family's markup style), and the rules behind it: dates, titles, chrome lines."""
import pytest
import scrapy
from scrapy.http import HtmlResponse

from crawler.chrome import clean_body, is_tip_line
from crawler.dates import has_clock, parse_date
from crawler.extract import extract_article
from crawler.spiders import SPIDERS
from crawler.titles import choose_title, strip_affixes
from extract_support import chrome_lines, load_pages, norm, token_f1

PAGES = load_pages()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p["name"])
def test_page_family_extracts_title_date_and_clean_body(page):
    got = extract_article(page["html"], page["url"])
    assert norm(got["title"]) == norm(page["title"])
    assert got["published_at"] and got["published_at"][:16] == page["published_at"][:16]
    assert token_f1(got["body"], page["body"]) >= 0.95, got["body"]
    leftover = chrome_lines(got["body"], page["body"])
    assert len(leftover) <= (1 if page["family"] == "euckr" else 0), leftover  # a photo caption in a table cell


def test_every_family_has_several_pages():
    families = {}
    for page in PAGES:
        families[page["family"]] = families.get(page["family"], 0) + 1
    assert len(families) >= 12 and min(n for f, n in families.items() if f != "plain") >= 3


@pytest.mark.parametrize("text, expected", [
    ("2024-09-03T04:03:19", "2024-09-02T19:03:19Z"),          # ISO without offset: Seoul time, not midnight
    ("2024-09-03T13:04", "2024-09-03T04:04:00Z"),
    ("2024-09-03T04:03:19.123Z", "2024-09-03T04:03:19Z"),
    ("20240903130411", "2024-09-03T04:04:11Z"),               # data-* / og:regDate compact form
    ("2024년 5월 14일 화요일 09시30분", "2024-05-14T00:30:00Z"),
    ("12345678901234", None),
])
def test_more_date_forms(text, expected):
    assert parse_date(text) == expected


def test_a_time_of_day_is_told_from_a_bare_date():
    assert has_clock("2024-09-03T13:04") and has_clock("입력 2024.09.03 13:04") and has_clock("20240903130411")
    assert not has_clock("2024-09-03") and not has_clock("2024.09.03") and not has_clock("20240903")


def test_bare_date_meta_gives_way_to_a_timed_value_on_the_same_day():
    html = ('<html><head><meta property="article:published_time" content="2024-09-03"><title>t</title></head><body>'
            '<h1>위원회 예산 삭감 논란 확산</h1><div class="date">입력 2024.09.03 13:04</div>'
            '<p>' + "자치경찰위원회 예산이 줄었다. " * 10 + '</p></body></html>')
    assert extract_article(html, "https://x.example/a")["published_at"] == "2024-09-03T04:04:00Z"


@pytest.mark.parametrize("raw, outlets, expected", [
    ("헤드라인 문장입니다-사회ㅣ한누리신문", (), "헤드라인 문장입니다"),
    ("헤드라인 문장입니다 ｜ 가온신문", (), "헤드라인 문장입니다"),
    ("헤드라인 문장입니다 ： 가온신문", (), "헤드라인 문장입니다"),
    ("동녘일보 :: 헤드라인 문장입니다", (), "헤드라인 문장입니다"),
    ("헤드라인 문장입니다 | 가람방송 뉴스", (), "헤드라인 문장입니다"),
    ("헤드라인 문장입니다 < 사회 < 기사본문 - 다온뉴스", (), "헤드라인 문장입니다"),
    ("[가람뉴스] 헤드라인 문장입니다", (), "헤드라인 문장입니다"),
    ("헤드라인 문장입니다 - 하늬", ("하늬",), "헤드라인 문장입니다"),
    ("[단독] 헤드라인 문장입니다 - 바른경제", (), "[단독] 헤드라인 문장입니다"),
    ("[카드뉴스] 한눈에 보는 자치경찰제", (), "[카드뉴스] 한눈에 보는 자치경찰제"),
    ("부산-경남 자치경찰 공동 순찰", (), "부산-경남 자치경찰 공동 순찰"),
    ("자치경찰 5년: 무엇이 달라졌나", (), "자치경찰 5년: 무엇이 달라졌나"),
])
def test_outlet_and_section_affixes_come_off_titles(raw, outlets, expected):
    assert strip_affixes(raw, outlets) == expected


def test_visible_headline_beats_mangled_og_title_and_the_logo_never_wins():
    assert choose_title(["″경찰 ′이원화′ 논란″ 확산"], ['"경찰 \'이원화\' 논란" 확산'], "", [], []) == '"경찰 \'이원화\' 논란" 확산'
    assert choose_title(["푸른일보"], ["푸른일보", "자치경찰 예산 삭감 논란"], "푸른일보", [], ["푸른일보"]) == "자치경찰 예산 삭감 논란"
    # a visible headline ending like an outlet ('…: 가짜 뉴스') is not cut
    assert choose_title(["폐지설: 가짜 뉴스 - 동녘일보"], ["폐지설: 가짜 뉴스"], "", [], ["동녘일보"]) == "폐지설: 가짜 뉴스"


@pytest.mark.parametrize("line", [
    "■ 제보하기 ▷ 전화 : 02-000-0000 ▷ 이메일 : jebo@example.kr ▷ 카카오톡 : '가람제보' 검색",
    "▷ 카카오톡 : '누리TV' 검색해 채널 추가", "※ '당신의 제보가 뉴스가 됩니다'", "[카카오톡] 누리TV 검색해 채널 추가",
    "[전화] 02-000-8585", "기사문의 및 제보 : 카톡/라인 jebo00", "◇ 유튜브, 네이버, 카카오에서도 하늬방송뉴스를 구독해주세요!",
    "가람방송 뉴스는 24시간 여러분의 제보를 기다립니다.", "영상취재 : 박도윤", "촬영기자:김현우/영상편집:최다인",
])
def test_tip_line_and_credit_lines(line):
    assert is_tip_line(line)
    assert clean_body(f"자치경찰위원회가 예산안을 발표했다.\n{line}") == "자치경찰위원회가 예산안을 발표했다."


@pytest.mark.parametrize("line", ["▲범죄 취약지 순찰 강화 ▲온라인 신고 창구 마련", "제보 전화가 잇따랐다고 위원회는 밝혔다.",
                                  "위원회는 전화 상담 창구를 늘리기로 했다."])
def test_article_lines_that_look_like_tip_lines_stay(line):
    assert not is_tip_line(line) and clean_body(line) == line


def test_a_second_copy_of_the_article_and_repeated_lines_are_dropped():
    lines = ["자치경찰위원회는 3일 내년 예산안을 발표했다.", "예산은 올해보다 12% 줄었다.", "위원장은 \"유감\"이라고 말했다."]
    as_lines, as_one = "\n".join(lines), " ".join(lines)
    assert clean_body(f"{as_lines}\n{as_one}") == as_lines          # copy 2 printed as one paragraph
    assert clean_body(f"{as_one}\n{as_lines}") == as_one            # or the other way round
    assert clean_body(f"{as_lines}\n{as_lines}\n{lines[1]}") == as_lines


def test_reporter_email_signatures_go_and_sign_offs_stay():
    body = "본문 첫 문장이 여기에 있습니다.\n남도신문 배수진 기자 sujin@namdo.example\n새벽TV 김서윤입니다. (ksy@saebyeok.example)"
    assert clean_body(body) == "본문 첫 문장이 여기에 있습니다.\n새벽TV 김서윤입니다."


def test_hidden_copy_goes_but_a_script_revealed_article_stays():
    article = "".join(f"<p>자치경찰위원회 {n}번째 문단은 충분히 긴 본문 문장으로 이루어져 있습니다.</p>" for n in range(8))
    html = f'<html><body><h1>헤드라인 충분히 긴 제목</h1><div style="display:none">{article}</div></body></html>'
    assert "8번째" not in extract_article(html, "https://x.example/")["body"]
    assert "7번째 문단" in extract_article(html, "https://x.example/")["body"]  # the only text: revealed by script


def test_stored_body_from_a_broadcaster_page_has_no_tip_lines_or_repeats():
    """What the spider stores (not only what the classifier cleans)."""
    [page] = [p for p in PAGES if p["name"] == "tip-3"]
    source = {"name": "t", "type": "feed", "kind": "news", "region": "전국", "outlet": "하늬방송", "urls": ["https://x/"],
              "selectors": {}, "filter": False}
    spider = SPIDERS["feed"](source=source, terms=["자치경찰"])
    request = scrapy.Request(page["url"], meta={"listing": {"title": "x", "published_at": None}})
    response = HtmlResponse(page["url"], body=page["html"].encode("utf-8"), request=request, encoding="utf-8")
    [item] = list(spider.parse_article(response))
    assert "제보" not in item["body"] and "구독" not in item["body"] and "[앵커]" not in item["body"]
    assert len(item["body"].splitlines()) == len(set(item["body"].splitlines()))
    assert item["title"] == page["title"] and item["date_source"] == "page"


def test_an_article_container_named_like_an_ad_is_kept():
    """YTN prints its article in id="CmAdContent"; the page around it has more text than the article."""
    article = "<br>".join(f"자치경찰위원회는 {n}일 회의를 열어 순찰 계획을 심의했다고 밝혔다." for n in range(1, 9))
    others = "".join(f'<li><a href="/n/{n}">다른 기사 제목 {n}번은 여기에 길게 적혀 있습니다</a><p>요약 문장이 이어집니다 {n}.</p></li>'
                     for n in range(40))
    html = (f'<html><head><meta property="og:title" content="위원회 순찰 계획 심의 | 누리TV"></head><body>'
            f'<h2>위원회 순찰 계획 심의</h2><div id="CmAdContent" class="paragraph">{article}</div>'
            f'<div class="ad-box">광고 문구</div><ul class="news_list">{others}</ul></body></html>')
    got = extract_article(html, "https://x.example/a")
    assert "8일 회의를" in got["body"] and "1일 회의를" in got["body"] and "광고 문구" not in got["body"]
    assert got["title"] == "위원회 순찰 계획 심의"


def test_a_heading_that_is_the_og_title_minus_its_affixes_wins_however_long_the_affixes():
    raw = "자치경찰 순찰 예산 삭감 | 뉴스A | 채널A 공식 홈페이지"
    assert choose_title([raw], ["자치경찰 순찰 예산 삭감"], raw, [], []) == "자치경찰 순찰 예산 삭감"
    assert choose_title(["자치경찰 출범 100일 맞아 기념식"], ["자치경찰 출범"], "", [], []) == "자치경찰 출범 100일 맞아 기념식"
