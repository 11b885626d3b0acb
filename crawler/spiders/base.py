"""Shared spider behaviour: one spider instance per configured source.

Counts what happened (listed, filtered, known, failed, blocked ...) in `self.counts`, fetches
article pages unless their canonical URL is already stored, and turns pages into items.
"""
import html
import ipaddress
import re
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError as TwistedTimeout

from crawler.dates import now_iso
from crawler.extract import extract_article
from crawler.url_policy import UrlPolicy
from crawler.urls import canonical_url
from store.listings import MAX_LISTED_PER_RUN

COUNT_KEYS = ("listed", "filtered", "known", "fetched", "failed", "blocked", "dropped", "new", "updated", "unchanged",
              "duplicate")
DROPPED_EXAMPLES = 3  # dropped URLs named in the run's warning


class UrlRefused(IgnoreRequest):
    """A request the URL policy does not allow (crawler/url_policy.py)."""


def strip_tags(text):
    return html.unescape(re.sub(r"<[^>]+>", "", text or "")).strip()


def matches_terms(text, terms):
    squashed = re.sub(r"\s+", " ", text or "").lower()
    return any(term.lower() in squashed for term in terms)


def describe_failure(failure):
    """A short reason for a failed request, for the log and the source's health."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    if failure.check(TwistedTimeout, TCPTimedOutError) or "timeout" in type(exc).__name__.lower() or "took longer" in str(exc):
        return "timeout"
    if failure.check(DNSLookupError):
        return "DNS lookup failed"
    if failure.check(IgnoreRequest) and "robots" in str(exc).lower():
        return "robots.txt disallowed"
    return f"{type(exc).__name__}: {exc}"[:200]


RUN_SEEN = set()  # one crawl process = one run: each page is fetched once, by the first source listing it


class SourceSpider(scrapy.Spider):
    name = "source"

    def __init__(self, source, terms, known=(), recrawl=False, max_pages=5, related_terms=(), **kwargs):
        super().__init__(name=f"{source['type']}:{source['name']}", **kwargs)
        self.source = source
        self.terms = source.get("query_terms") or terms  # what search feeds/APIs ask for
        # what an item must mention to be kept: the source's own terms or any global one
        self.filter_terms = list(dict.fromkeys([*(source.get("query_terms") or []), *terms]))
        self.related_terms = list(related_terms)  # section feeds: fetch-and-judge words (feed.py)
        self.known = set(known)
        self.recrawl = recrawl
        self.max_pages = int(source.get("max_pages") or max_pages)
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.errors = []          # source-level errors (feed/list/API could not be read)
        self.warnings = []
        self.skip_reason = None
        self.seen = RUN_SEEN       # canonical URLs requested in this run, by any source
        self.url_policy = UrlPolicy(source.get("urls") or [source["url"]])
        self.dropped = []          # the first (url, reason) refused by the URL policy, for the run's warning
        self.listed = {}           # canonical URL -> listing date and outlet, of every item listed (note_listed)

    # --- helpers for subclasses ---------------------------------------------------------
    def source_error(self, message):
        self.logger.error("[%s] %s", self.source["name"], message)
        self.errors.append(message)

    def on_listing_error(self, failure):
        if failure.check(UrlRefused):
            return
        self.source_error(f"{describe_failure(failure)} at {failure.request.url}")

    def drop_url(self, url, reason):
        """Count a link or redirect the URL policy refused (a warning of the run, not an error)."""
        self.counts["dropped"] += 1
        log = self.logger.warning if len(self.dropped) < DROPPED_EXAMPLES else self.logger.debug  # no log flood
        log("[%s] URL dropped (%s): %.200r", self.source["name"], reason, url)
        if len(self.dropped) < DROPPED_EXAMPLES:
            self.dropped.append((str(url)[:200], reason))

    def drop_if_not_web(self, url, what="link"):
        """True (and counted as dropped) when `url` is not an http(s) URL."""
        refusal = self.url_policy.scheme_refusal(url)
        if refusal:
            self.drop_url(url, f"{what} is {refusal}")
        return bool(refusal)

    def is_known(self, url):
        try:
            return not self.recrawl and canonical_url(url) in self.known
        except ValueError:  # an invalid link is never known; follow_article reports it
            return False

    def note_listed(self, url, listing):
        """Count an item of the feed/list/API answer and remember it for the source's listed
        items (store/listings.py: the denominator of attention shares), kept or not.
        Returns its canonical URL, or None for a link that has none (not counted there)."""
        self.counts["listed"] += 1
        try:
            canon = canonical_url(url)
        except ValueError:  # not http(s), or junk: follow_article drops or fails it
            return None
        if (canon in self.listed or len(self.listed) < MAX_LISTED_PER_RUN):
            self.listed.setdefault(canon, {"published_at": listing.get("published_at"), "outlet": listing.get("outlet")})
        return canon

    def follow_article(self, url, listing):
        """Request an article page unless known; `listing` holds the feed/list fields.
        A link that is not http(s) is counted as dropped (URL policy); a bad one (port out of
        range ...) as failed; neither stops the rest of the listing."""
        listing["listed_url"] = self.note_listed(url, listing)
        if self.drop_if_not_web(url):
            return None
        try:
            return self._follow(url, listing)
        except ValueError as exc:
            self.counts["failed"] += 1
            self.logger.warning("[%s] invalid link %r skipped: %s", self.source["name"], url, exc)
            return None

    def _follow(self, url, listing):
        canon = canonical_url(url)
        if self.is_known(url):
            self.counts["known"] += 1
            return None
        if canon in self.seen:
            return None
        self.seen.add(canon)
        if not self.source.get("fetch_pages", True):
            return self.item_from_listing(url, listing)
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_article_error,
                              meta={"listing": listing}, dont_filter=True)

    def parse_article(self, response):
        self.counts["fetched"] += 1
        listing = response.meta.get("listing", {})
        if self.source.get("encoding"):
            response = response.replace(encoding=self.source["encoding"])
        elif hasattr(response, "text"):
            response = repair_mislabelled_utf8(response)
        if not hasattr(response, "text"):
            self.counts["failed"] += 1
            self.logger.warning("[%s] not a text page: %s", self.source["name"], response.url)
            return
        selectors = dict(self.source.get("article_selectors") or {})
        board = self.source["selectors"] if isinstance(self.source["selectors"], dict) else {}  # or "auto"
        if self.source["type"] == "board" and board.get("body"):
            selectors.setdefault("body", board["body"])
        page = extract_article(response.text, response.url, selectors, site_name=self.source.get("outlet"))
        if page["canonical"] and self.drop_if_not_web(response.urljoin(page["canonical"]), "rel=canonical"):
            page["canonical"] = None
        if self.source["type"] == "board" and "title" not in selectors:  # list titles beat page headers
            title = listing.get("title") or page["title"]
        else:
            title = page["title"] or listing.get("title")
        body = page["body"] or listing.get("summary") or ""
        if self.source.get("filter") and not matches_terms(f"{title}\n{body}", self.filter_terms):
            self.counts["filtered"] += 1
            return
        published, date_source = page["published_at"], "page"
        if not published and listing.get("published_at"):
            published, date_source = listing["published_at"], "feed"
        if not published:
            published, date_source = now_iso(), "fetched"
        yield self.make_item(
            url=response.url, page_canonical=page["canonical"], title=title, body=body,
            summary=listing.get("summary") or body[:200], author=page["author"] or listing.get("author"),
            outlet=listing.get("outlet") or self.source.get("outlet_override") or page["outlet"] or self.source["outlet"],
            lang=page["lang"], published_at=published, date_source=date_source, listed_url=listing.get("listed_url"),
        )

    def on_article_error(self, failure):
        if failure.check(UrlRefused):  # counted as dropped by the middleware
            return None
        reason = describe_failure(failure)
        listing = failure.request.meta.get("listing", {})
        if reason == "robots.txt disallowed":
            self.counts["blocked"] += 1
            self.logger.info("[%s] robots.txt disallows %s", self.source["name"], failure.request.url)
            if listing.get("title") and listing.get("summary"):  # keep what the feed/API told us
                return self.item_from_listing(failure.request.url, listing)
            return None
        self.counts["failed"] += 1
        self.logger.warning("[%s] article failed (%s): %s", self.source["name"], reason, failure.request.url)
        return None

    def item_from_listing(self, url, listing):
        return self.make_item(
            url=url, page_canonical=None, title=listing.get("title"), body=listing.get("summary") or "",
            summary=listing.get("summary"), author=listing.get("author"),
            outlet=listing.get("outlet") or (host_outlet(url) if self.source["type"] == "naver_api" else None)
            or self.source["outlet"],
            lang=None,
            published_at=listing.get("published_at") or now_iso(),
            date_source="feed" if listing.get("published_at") else "fetched", listed_url=listing.get("listed_url"),
        )

    def make_item(self, **fields):
        fields.update(source=self.source["name"], kind=self.source["kind"], region_hint=self.source["region"])
        return fields


def host_outlet(url):
    """An outlet name from a page's host ('www.hani.co.kr' -> 'hani.co.kr'); None for an IP
    address or localhost, which name no outlet (the source's configured outlet is used)."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    return None if host in ("", "localhost") else host.removeprefix("www.")


def text_of_first(node, css):
    """Joined text of the first match of `css` under `node` ('' when no selector/match)."""
    if not css:
        return ""
    found = node.css(css)[:1]
    return " ".join(t.strip() for t in found.css("::text").getall() if t.strip()) if found else ""


META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


def repair_mislabelled_utf8(response):
    """Korean sites sometimes send EUC-KR/CP949 pages with a `charset=utf-8` header.
    When the body is mostly not UTF-8, use the page's <meta> charset, else CP949.
    A page with only a few bad bytes stays UTF-8 (they become U+FFFD)."""
    if (response.encoding or "").lower().replace("-", "") != "utf8":
        return response
    text = response.body.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 100):
        return response
    match = META_CHARSET.search(response.body[:4096])
    for encoding in ([match.group(1).decode("ascii")] if match else []) + ["cp949"]:
        try:
            response.body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return response.replace(encoding=encoding)
    return response

