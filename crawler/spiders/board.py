"""Boards (statements, press releases): list pages -> item pages, driven by CSS selectors.

Paging stops at `max_pages` or as soon as a list page shows an item that is already stored
(boards list newest first), unless a re-crawl was asked for.
"""
import scrapy

from crawler.dates import parse_date
from crawler.spiders.base import SourceSpider, text_of_first


class BoardSpider(SourceSpider):
    async def start(self):
        for url in self.source["urls"]:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_listing_error,
                                 dont_filter=True, meta={"page": 1})

    def parse_list(self, response):
        sel = self.source["selectors"]
        if self.source.get("encoding"):
            response = response.replace(encoding=self.source["encoding"])
        items = response.css(sel["item"])
        reached_known = False
        for node in items:
            href = node.css(sel["link"]).xpath("@href").get() if "::" not in sel["link"] else node.css(sel["link"]).get()
            if not href:
                continue
            url = response.urljoin(href.strip())
            reached_known |= self.is_known(url)
            title = text_of_first(node, sel.get("title")) or text_of_first(node, sel["link"].split("::")[0])
            date = parse_date(text_of_first(node, sel.get("date")))
            request = self.follow_article(url, {"title": title, "published_at": date})
            if request is not None:
                yield request
        page = response.meta["page"]
        next_href = response.css(sel["next_page"]).xpath("@href").get() if sel.get("next_page") else None
        if next_href and items and not reached_known and page < self.max_pages:
            yield scrapy.Request(response.urljoin(next_href), callback=self.parse_list, errback=self.on_listing_error,
                                 dont_filter=True, meta={"page": page + 1})
