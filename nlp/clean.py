"""Strip web-page chrome from article text before it is embedded or scanned.

Removes share menus, skip links, bylines/datelines, copyright lines, photo
credits, broadcasters' tip-line/contact blocks (crawler.chrome), markdown images,
weather tickers, repeated lines (repeated headline or caption) and trailing teaser
blocks ("관련 기사", "많이 본 뉴스", ...).
"""
from __future__ import annotations

import re
import unicodedata

from crawler.chrome import is_tip_line  # broadcasters' tip-line/contact/credits lines: one rule for both

# A whole line that is only chrome.
_CHROME_LINE = re.compile(
    r"^\s*(?:[▸▶►·•\-]\s*)?(?:"
    r"본문(?:으로)? ?(?:건너뛰기|바로가기|이동)|주 ?메뉴(?:로)? ?(?:이동|바로가기)|첫 ?화면으로|"
    r"(?:페이스북|트위터|X\(트위터\)|카카오(?:톡|스토리)?|네이버(?: ?밴드| ?블로그)?|밴드|라인|링크|URL)"
    r"(?:으로|로)? ?(?:보내기|공유(?:하기)?|복사)|"
    r"프린트|인쇄(?:하기)?|(?:글자|글씨) ?(?:크기|키우기|줄이기)|스크랩|공유(?:하기)?|후원하기|구독(?:하기)?|"
    r"기사 ?(?:저장|공유|듣기)|댓글 ?\d*\s*개?|좋아요 ?\d*|Instagram 팔로우|"
    r"입력 ?:? ?\d{4}[.\-]|승인 ?:? ?\d{4}[.\-]|수정 ?:? ?\d{4}[.\-]|"
    r"(?:\[.{0,20}\]\s*)?(?:[가-힣]{1,8}\s*[|=]\s*)?[가-힣]{2,4} ?기자(?:\s*[\w.\-]+@[\w.\-]+)?\s*$|"
    r"사진\s*=|자료\s*[=:]|/?연합뉴스\s*$"
    r")", re.IGNORECASE)

_COPYRIGHT = re.compile(
    r"(ⓒ|©|copyright|all rights reserved|무단\s*(?:전재|복제)|재배포\s*금지|AI\s*학습)", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_EMAIL = re.compile(r"[\w.\-]+@[\w\-]+\.[\w.\-]+")
# Leading byline/dateline: "[한라일보] ", "대전인터넷신문 백승원 기자 = ", "(세종=연합뉴스) 홍길동 기자 = "
_LEAD_BYLINE = re.compile(
    r"^\s*(?:\[[^\]]{1,30}\]\s*|\([^)]{1,30}\)\s*)?(?:[^\s=|]{1,15}\s)?[가-힣]{2,4} ?기자\s*(?:\([^)]*\)\s*)?[=|]\s*")
# English wire datelines and bylines: "SEOUL, Nov. 24 (Yonhap) -- ", "BUSAN (Korea Herald) - ", "By Kim Soo-yeon"
_LEAD_DATELINE_EN = re.compile(
    r"^\s*[A-Z][A-Z .'-]{2,30}(?:,\s*[A-Z][a-z]{2,4}\.?\s*\d{1,2})?\s*\([A-Za-z .]{2,30}\)\s*[-—–]+\s*")
_BYLINE_EN = re.compile(r"^\s*By\s+[A-Z][a-z]+(?:[ -][A-Z]?[a-z]+){1,3}\s*$")
_LEAD_BRACKET = re.compile(r"^\s*\[[^\]]{1,30}(?:=|기자|일보|신문|뉴스|방송)[^\]]{0,20}\]\s*")
# Start of a trailing block of teasers/other stories: everything after is dropped.
_TEASER_START = re.compile(
    r"^\s*(?:▶\s*)?(?:관련\s*기사(?:\s*더\s*보기)?|많이\s*본\s*(?:뉴스|기사)|인기\s*기사|"
    r"추천\s*기사|이\s*시각\s*(?:주요|추천)|최신\s*기사|다른\s*기사\s*보기|주요\s*뉴스|"
    r"함께\s*보면\s*좋은|Related\s+(?:news|articles)|Most\s+(?:Popular|Read|Viewed)|Trending\s+now)\b")
_CREDIT = re.compile(r"\s/\s?[가-힣A-Za-z]{2,10}$")   # photo credit "... 모습. /연합뉴스"
_WEATHER = re.compile(r"(?:맑음|흐림|구름\s*많음|비|눈|소나기)\s*-?\d+(?:\.\d+)?\s*[℃°]|-?\d+\s*℃")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# What any classification stage reads of one document (crawled pages can be 8 MB): Kiwi, the
# character TF-IDF, the region rules and the encoder (256 tokens) all get text cut here.
# Real articles are far shorter (the longest seed or dev text: under 1,000 characters).
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 500


def _is_weather(line: str) -> bool:
    return len(_WEATHER.findall(line)) >= 2 or (
        "℃" in line and len(line) < 80 and ("날씨" in line or "기온" in line))


def clean_text(text: str | None, title: str | None = None) -> str:
    """Return the article body without page chrome (keeps paragraph breaks)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text[:MAX_TEXT_CHARS]).replace("\r", "\n")
    text = _MD_IMAGE.sub(" ", text)
    out: list[str] = []
    seen: set[str] = set()
    norm_title = _key(title or "")
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if out and _TEASER_START.match(line):
            break
        if _CHROME_LINE.match(line) or _is_weather(line) or is_tip_line(line):
            continue
        if _COPYRIGHT.search(line) and len(line) < 120:
            continue
        line = _URL.sub(" ", _EMAIL.sub(" ", line)).strip()
        if len(out) < 6:                  # bylines/datelines sit near the top
            if _BYLINE_EN.match(line):
                continue
            line = _LEAD_BRACKET.sub("", line)
            line = _LEAD_DATELINE_EN.sub("", line)
            line = _LEAD_BYLINE.sub("", line).strip()
        line = _CREDIT.sub("", line).strip()
        key = _key(line)
        if not key or key in seen or (norm_title and key == norm_title):
            continue                       # repeated headline / caption
        seen.add(key)
        out.append(line)
    return "\n".join(out)


def _key(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).lower()


def document_parts(title: str | None, text: str | None) -> tuple[str, str]:
    """(title with its spaces collapsed, cleaned body): what document_text joins."""
    title = _SPACES.sub(" ", (title or "")[:MAX_TITLE_CHARS].strip())
    return title, clean_text(text, title)


def document_text(title: str | None, text: str | None, max_chars: int | None = None) -> str:
    """Title + cleaned body, the string the classifier embeds."""
    title, body = document_parts(title, text)
    return join_parts(title, body, max_chars)


def join_parts(title: str, body: str, max_chars: int | None = None) -> str:
    if max_chars:
        body = body[:max_chars]
    return f"{title}\n{body}".strip() if title else body
