"""Article fields from a fetched page: title, body, publication time, author, outlet.

The page is parsed once and surveyed once (crawler/page_nodes.py). Site selectors win when the
source has them. Otherwise:
- body: the visible text — trafilatura in recall mode on the page with hidden, ad and chrome
  nodes removed first, or the densest text block (table/<br> layouts) when that holds clearly
  more — unless page JavaScript carries the article (crawler/page_data.py: JSON-LD articleBody,
  Arc/Fusion, Next.js data and flight streams). Chrome lines, tip-lines, repeats and a second
  copy of the article are dropped (crawler/chrome.py): this is the body that is stored.
- title: crawler/titles.py (metadata checked against the visible headline, affixes off).
- date: meta tags, JSON-LD, script data, data-* attributes, <time>, then the byline text; a
  value with a time of day beats a bare date of the same day; ISO without offset is Seoul time.
"""
import datetime as dt
import re

import lxml.html
import trafilatura
from lxml import etree
from parsel import Selector

from crawler.chrome import clean_body, key
from crawler.dates import has_clock, parse_date
from crawler.page_data import articleish, epoch_to_iso, html_to_text, page_data
from crawler.page_nodes import attached, drop, survey
from crawler.titles import choose_title, strip_affixes

AUTHOR = re.compile(r"([가-힣]{2,4})\s*(?:기자|특파원|논설위원)")
DATE_META = ("article:published_time", "og:article:published_time", "article:published", "datepublished",
             "pubdate", "publishdate", "publish-date", "publish_date", "og:regdate", "dable:published_time",
             "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created", "dc.date", "date", "nv:news:date")
DATE_TEXT = re.compile(r"\d{4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}")
DATE_LABEL = re.compile(r"입력|등록|작성|게재|송고|기사입력|Published")
INLINE = {"p", "span", "font", "b", "strong", "em", "i", "u", "br", "sup", "sub", "mark", "small", "big", "q", "cite",
          "blockquote", "center", "s", "strike"}
XP_PRECEDING_TEXT = etree.XPath("preceding::text()")


def detect_lang(text):
    hangul = len(re.findall(r"[가-힣]", text or ""))
    latin = len(re.findall(r"[A-Za-z]", text or ""))
    return "ko" if hangul >= latin * 0.2 or hangul > 200 else "en"


def parse_html(html):
    """An lxml tree for any page text (an XML declaration or an empty page included)."""
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html or "")
    try:
        return lxml.html.document_fromstring(html or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def text_of(node):
    return re.sub(r"\s+", " ", " ".join(node.itertext())).strip() if node is not None else ""


def extract_article(html, url, selectors=None, site_name=None):
    """Returns dict: title, body, published_at (ISO UTC or None), author, outlet, lang, canonical."""
    selectors = selectors or {}
    tree = parse_html(html)
    data = page_data(tree)
    nodes = survey(tree)
    meta = _meta_tags(tree)
    outlets = _outlet_names(meta, data, nodes, site_name)
    dates = _date_candidates(meta, data, nodes)
    drop(nodes.hidden, tree, keep_share=0.6)
    sel = Selector(root=tree) if selectors else None
    title = strip_affixes(_first_text(sel, selectors["title"]), outlets) if selectors.get("title") else ""
    if not title:
        title = choose_title([meta.get("og:title"), meta.get("twitter:title"), *data["titles"]],
                             [text_of(h) for h in nodes.headings if attached(h) and not _logo(h)],
                             text_of(tree.find(".//title")), [text_of(n) for n in nodes.title_nodes if attached(n)],
                             outlets)
    if selectors.get("date"):
        dates.insert(0, _first_text(sel, selectors["date"]))
    published = _pick_date(dates, lambda: _visible_dates(nodes, tree))
    author = meta.get("author") or meta.get("dable:author") or _author(nodes)
    body = _selector_body(sel, selectors["body"], title) if selectors.get("body") else ""
    if len(body) < 40:
        body, block = _best_body(tree, nodes, url, data, title, outlets)
        if not title:
            title = _text_before(block)
    return {"title": title, "body": body, "published_at": published, "author": author,
            "outlet": meta.get("og:site_name") or site_name, "lang": detect_lang(f"{title} {body}"),
            "canonical": _canonical(tree) or meta.get("og:url")}


# --- metadata -----------------------------------------------------------------------------------
def _meta_tags(tree):
    """meta property/name/itemprop (lower case) -> first non-empty content; itemprop dates too."""
    found = {}
    for node in tree.iter("meta"):
        name = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        value = (node.get("content") or "").strip()
        if name and value and name not in found:
            found[name] = value
    return found


def _canonical(tree):
    for node in tree.iter("link"):
        if (node.get("rel") or "").lower() == "canonical" and node.get("href"):
            return node.get("href").strip()
    return None


def _outlet_names(meta, data, nodes, site_name):
    names = [meta.get("og:site_name"), site_name, meta.get("application-name"), meta.get("twitter:site"),
             *data["publishers"], *nodes.logo_names]
    out = []
    for name in names:
        name = re.sub(r"\s+", " ", name or "").strip().lstrip("@")
        if 2 <= len(name) <= 30 and name not in out:
            out.append(name)
    return out


def _logo(node):
    """An <h1> that is the site's logo: an image, or a link to the home page."""
    if "logo" in f"{node.get('class')} {node.get('id')}".lower() or node.find(".//img") is not None and len(text_of(node)) < 3:
        return True
    link = node.find(".//a")
    return link is not None and (link.get("href") or "").strip() in ("/", "./", "index.html") and len(text_of(node)) <= 20


def _author(nodes):
    found = AUTHOR.search(" ".join(text_of(n) for n in nodes.authors[:5]))
    return found.group(1) if found else None


def _first_text(sel, css):
    found = sel.css(css)[:1]
    return " ".join(t.strip() for t in found.css("::text").getall() if t.strip()) if found else ""


def _text_before(block):
    """Pages without any title markup: the nearest short line above the article text."""
    if block is None:
        return ""
    for text in reversed(XP_PRECEDING_TEXT(block)[-40:]):
        line = re.sub(r"\s+", " ", text).strip()
        if 8 <= len(line) <= 150 and not parse_date(line) and text.getparent().tag != "a":
            return line
    return ""


# --- date ---------------------------------------------------------------------------------------
def _date_candidates(meta, data, nodes):
    out = [meta[name] for name in DATE_META if meta.get(name)]
    out += data["dates"]
    attrs = sorted(nodes.data_dates, key=lambda a: 0 if re.search(r"publish|deploy|first|pub", a[0]) else 1)
    out += [epoch_to_iso(value) for _, value in attrs]
    times = sorted(nodes.times, key=lambda n: 0 if re.search(r"publish|pubdate|입력", f"{n.get('itemprop')}{n.get('class')}"
                                                                                     f"{n.get('pubdate')}{text_of(n)}") else 1)
    return out + [n.get("datetime") for n in times]


def _pick_date(values, more):
    """The first parseable value with a time of day; a bare date only when no later value gives
    a time on that same day. `more()` is asked for further (visible) values when needed."""
    date_only = None
    for value in _then(values, more):
        parsed = parse_date(value)
        if not parsed or not "1990" <= parsed[:4] <= "2100":
            continue
        if has_clock(value):
            if date_only is None or _same_day(date_only, parsed):
                return parsed
        elif date_only is None:
            date_only = parsed
    return date_only


def _then(values, more):
    yield from values
    yield from more()


def _same_day(date_only_iso, timed_iso):
    """A bare date (Seoul midnight, as UTC) and a timed value fall on the same Seoul day."""
    day = dt.datetime.fromisoformat(date_only_iso.replace("Z", "+00:00"))
    timed = dt.datetime.fromisoformat(timed_iso.replace("Z", "+00:00"))
    return dt.timedelta(0) <= timed - day < dt.timedelta(days=1)


def _visible_dates(nodes, tree):
    """Dates printed on the page: byline/date elements first, then any short text with a date
    ('기사입력 : 2024년 07월 22일 11:02', '[2024.09.03 13:04]'); labelled ones and ones with a
    time of day first."""
    texts = [text_of(n) for n in nodes.byline if attached(n)]
    texts = [t for t in texts if len(t) < 120] + [t for t in tree.itertext() if len(t) < 80 and DATE_TEXT.search(t)][:40]
    labelled = [t for t in texts if DATE_LABEL.search(t)]
    ordered = [t for t in labelled + texts if has_clock(t)] + labelled + texts
    return ordered


# --- body ---------------------------------------------------------------------------------------
def _selector_body(sel, css, title=None):
    parts = []
    for node in sel.css(css):
        paras = node.css("p")
        if paras:
            parts.extend(" ".join(p.css("::text").getall()) for p in paras)
        else:
            parts.append(html_to_text(node.get()))
    return clean_body("\n".join(parts), title)


def _best_body(tree, nodes, url, data, title, outlets):
    """(body, the visible block it came from): the visible text unless page data carries the
    article (a declared body that is not a teaser of the visible one, or clearly more text)."""
    drop(nodes.chrome, tree, keep_share=0.5, keep_prose=True)
    links = {key(a.text_content()) for a in nodes.links if attached(a) and a.getparent().tag != "p"}
    never = (links | {key(o) for o in outlets}) - {""}
    clean = lambda text: clean_body(text, title, never)  # noqa: E731
    block, dense = _dense_block(tree)
    dense = clean(dense)
    try:
        visible = trafilatura.extract(tree, url=url, include_comments=False, include_tables=False, favor_recall=True,
                                      fast=True, deduplicate=False) or ""
    except Exception:  # trafilatura gives up on some malformed trees; the other candidates remain
        visible = ""
    visible = clean(visible)
    if len(dense) > 1.5 * len(visible) and articleish(dense):
        visible = dense
    declared = max((clean(b) for b in data["bodies"]), key=len, default="")
    if articleish(declared) and (len(declared) >= 0.9 * len(visible)
                                 or len(declared) >= 150 and _covered(declared, visible) < 0.5):
        return declared, block
    guessed = max((clean(b) for b in data["guessed"]), key=len, default="")
    if articleish(guessed) and len(guessed) > 1.2 * len(visible):
        return guessed, block
    return visible, block


def _covered(text, other):
    """Share of `text`'s words that occur in `other`."""
    words = text.split()
    vocab = set(other.split())
    return sum(w in vocab for w in words) / len(words) if words else 0.0


def _dense_block(tree):
    """(node, text) of the element with the most paragraph/inline text of its own: table cells
    and <br> layouts that the readability extractor skips."""
    best, best_len = None, 0
    for node in tree.iter("div", "td", "article", "section", "main", "font", "p", "dd", "li", "span"):
        own = len((node.text or "").strip())
        for child in node:
            if isinstance(child.tag, str) and child.tag in INLINE:
                own += len(child.text_content().strip())
            own += len((child.tail or "").strip())
        if own > best_len:
            best, best_len = node, own
    if best is None:
        return None, ""
    return best, html_to_text(lxml.html.tostring(best, encoding="unicode"))
