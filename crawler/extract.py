"""Article fields from a fetched page: site selectors first, then generic metadata and
trafilatura as the fallback; page chrome (share buttons, bylines, comment boxes) stripped."""
import re

import trafilatura
from parsel import Selector

from crawler.dates import parse_date

CHROME_LINE = re.compile(
    r"^(기사\s*공유|공유하기|페이스북|카카오톡|트위터|URL\s*복사|스크랩|인쇄|글자\s*크기|댓글\s*\d*\s*개?|"
    r"로그인 후 댓글.*|무단\s*전재.*|.*재배포\s*금지.*|Copyright.*|ⓒ.*|<저작권자.*|많이 본 뉴스|관련\s*기사|"
    r"All rights reserved\.?|목록|제보(는|하기)?\s.*|\[제보\].*|첨부파일.*|\[?[가-힣]{2,4}\s*기자\]?\s*[\w.+-]+@[\w.-]+|[\w.+-]+@[\w.-]+\.\w+)$", re.I)
BROADCAST_MARKER = re.compile(r"^\s*\[(앵커|기자|리포트|인터뷰|녹취)\]\s*$")
BYLINE = re.compile(r"^(By\s+[A-Z][\w .-]+|[가-힣]{2,4}\s*(기자|특파원|논설위원)|논설위원실|송고시간.*|입력.*|기사입력.*|수정.*)$")
AUTHOR = re.compile(r"([가-힣]{2,4})\s*(?:기자|특파원|논설위원)")
DROP_TAGS = "script, style, noscript, button, form, iframe, nav, header, footer, aside, .share-box, #comments, .related"


def text_of(nodes):
    return " ".join(t.strip() for t in nodes.css("::text").getall() if t.strip())


def clean_body(text, title=None):
    """Drop chrome lines (and the headline/byline/date lines of the article head)."""
    lines = []
    for line in (text or "").splitlines():
        line = re.sub(r"\s+", " ", line).strip().lstrip("-·• ").strip()
        if not line or CHROME_LINE.match(line) or BROADCAST_MARKER.match(line) or line == title:
            continue
        if len(line) < 30 and (len(line) <= 4 or BYLINE.match(line) or parse_date(line)):
            continue
        lines.append(line)
    return "\n".join(lines)


def _selector_body(sel, css, title=None):
    parts = []
    for node in sel.css(css):
        paras = node.css("p")
        if paras:
            parts.extend(text_of(p) for p in paras)
        else:
            parts.append(text_of(node))
    return clean_body("\n".join(parts), title)


def _meta(sel, *names):
    for name in names:
        value = sel.css(f'meta[property="{name}"]::attr(content), meta[name="{name}"]::attr(content), '
                        f'meta[itemprop="{name}"]::attr(content)').get()
        if value and value.strip():
            return value.strip()
    return None


def detect_lang(text):
    hangul = len(re.findall(r"[가-힣]", text or ""))
    latin = len(re.findall(r"[A-Za-z]", text or ""))
    return "ko" if hangul >= latin * 0.2 or hangul > 200 else "en"


def extract_article(html, url, selectors=None, site_name=None):
    """Returns dict: title, body, published_at (ISO UTC or None), author, outlet, lang, canonical."""
    selectors = selectors or {}
    sel = Selector(text=html)
    title = (selectors.get("title") and text_of(sel.css(selectors["title"])[:1])) or _meta(sel, "og:title") \
        or text_of(sel.css("h1")[:1]) or (sel.css("title::text").get() or "").strip()
    title = _strip_outlet(title, _meta(sel, "og:site_name") or site_name)
    body = _selector_body(sel, selectors["body"], title) if selectors.get("body") else ""
    if len(body) < 40:
        for node in sel.css(DROP_TAGS):
            node.drop()
        pruned = sel.get()
        body = clean_body(trafilatura.extract(pruned, url=url, include_comments=False, include_tables=False,
                                              favor_precision=True, deduplicate=False) or "", title)
        if len(body) < 40:  # very short pages: trafilatura may refuse them
            body = clean_body("\n".join(text_of(p) for p in sel.css("article p, main p, body p")), title)
    published = None
    if selectors.get("date"):
        published = parse_date(text_of(Selector(text=html).css(selectors["date"])[:1]))
    if not published:
        published = parse_date(_meta(Selector(text=html), "article:published_time", "datePublished", "pubdate",
                                     "og:article:published_time"))
    if not published:
        full = Selector(text=html)
        published = parse_date(full.css("time::attr(datetime)").get()) or _scan_dates(full)
    full = Selector(text=html)
    author = (selectors.get("author") and text_of(full.css(selectors["author"])[:1])) or _meta(full, "author", "dable:author")
    if not author:
        found = AUTHOR.search(" ".join(full.css(".byline ::text, .reporter ::text, .writer ::text, .infomation ::text").getall()))
        author = found.group(1) if found else None
    canonical = full.css('link[rel="canonical"]::attr(href)').get() or _meta(full, "og:url")
    outlet = _meta(full, "og:site_name") or site_name
    return {"title": title, "body": body, "published_at": published, "author": author,
            "outlet": outlet, "lang": detect_lang(f"{title} {body}"), "canonical": canonical}


def _scan_dates(sel):
    """Dates printed in the page head/byline ('입력 2021.06.30 (21:36)', '기사입력 ...', '송고시간 ...')."""
    for text in sel.css(".date ::text, .byline ::text, .info ::text, .infomation ::text, .update-time ::text, "
                        ".art_date ::text, .published ::text, .article-head ::text").getall():
        found = parse_date(text)
        if found:
            return found
    return None


def _strip_outlet(title, outlet):
    title = re.sub(r"\s+", " ", title or "").strip()
    if outlet:
        title = re.sub(rf"\s*[-|:]\s*{re.escape(outlet)}\s*$", "", title)
    return title
