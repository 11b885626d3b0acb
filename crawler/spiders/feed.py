"""RSS/Atom feeds: entries filtered by the query terms before their pages are fetched.

A section feed's item whose title and summary lack every query term is still fetched when its
summary is cut short and it names a related term (경찰, 치안, 순찰 …): its page text decides
(`fetch_unmatched = "related"`, the default for feeds without `{query}`; "none" | "all").
"""
import re
from urllib.parse import quote

import feedparser
import scrapy

from crawler.dates import from_struct, parse_date
from crawler.spiders.base import SourceSpider, matches_terms, strip_tags


# not errors: a feed sent as text/html or with a wrong charset label still parses fine
BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
CUT_SHORT = re.compile(r"(…|\.\.\.?|\[…\]|\[\.\.\.\]|더\s*보기|more)\s*$", re.I)
SENTENCE_END = re.compile(r"[.!?。\"'”’)\]]\s*$")


def names_a_term(text, terms):
    """Like matches_terms, but a Latin/number term is a whole word ('police' not in 'policeman')."""
    squashed = re.sub(r"\s+", " ", text or "").lower()
    for term in terms:
        term = term.lower()
        if re.fullmatch(r"[0-9a-z ]+", term):
            if re.search(rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])", squashed):
                return True
        elif term in squashed:
            return True
    return False


def summary_cut_short(summary):
    """A feed summary that is not the whole article: short, ending in an ellipsis, or mid-sentence."""
    summary = (summary or "").strip()
    return len(summary) < 300 or bool(CUT_SHORT.search(summary)) or not SENTENCE_END.search(summary)


class FeedSpider(SourceSpider):
    def start_urls_for_source(self):
        urls = []
        for url in self.source["urls"]:
            if "{query}" in url:  # search feeds (Google News): one URL per query term, phrases quoted
                quoted = not self.source.get("verbatim_query")
                urls += [url.replace("{query}", quote(f'"{term}"' if quoted and " " in term else term))
                         for term in self.terms]
            else:
                urls.append(url)
        return urls

    async def start(self):
        for url in self.start_urls_for_source():
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_listing_error, dont_filter=True)

    def parse_feed(self, response):
        parsed = feedparser.parse(response.body, response_headers={"content-type": response.headers.get("Content-Type", b"").decode("latin-1")})
        if parsed.bozo and not isinstance(parsed.bozo_exception, BENIGN):
            self.source_error(f"malformed feed at {response.url}: {str(parsed.bozo_exception)[:120]}"
                              f" ({len(parsed.entries)} entries recovered)")
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            title = strip_tags(entry.get("title"))
            summary = strip_tags(entry.get("summary"))
            published = from_struct(entry.get("published_parsed") or entry.get("updated_parsed")) \
                or parse_date(entry.get("published") or entry.get("updated"))
            outlet = (entry.get("source") or {}).get("title") or None
            if self.source.get("filter") and not matches_terms(f"{title} {summary}", self.filter_terms) \
                    and not self.worth_a_look(title, summary):
                self.note_listed(response.urljoin(link), {"published_at": published, "outlet": outlet})
                self.counts["filtered"] += 1
                continue
            author = entry.get("author") or None
            request = self.follow_article(response.urljoin(link), {
                "title": title, "summary": summary, "published_at": published, "outlet": outlet, "author": author})
            if request is not None:
                yield request

    def worth_a_look(self, title, summary):
        """Fetch an item without a query term anyway (the page text is filtered in parse_article)?"""
        mode = self.source.get("fetch_unmatched", "none")
        if mode == "all":
            return True
        return mode == "related" and summary_cut_short(summary) and names_a_term(f"{title} {summary}", self.related_terms)
