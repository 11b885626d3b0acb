"""Boards (statements, press releases): list pages -> item pages.

The list is read with the source's CSS selectors, or — `selectors = "auto"` — with the ones the
board detector finds on the first list page (crawler/board_detect.py); a board whose list a
script fills from a JSON endpoint is read from that endpoint (`[source.json]`, or found by the
detector). The next list page is the `next_page` link, else the page parameter
(`page_param`, `page_first`, `page_step`, e.g. pageIndex=2 or Start=10).

Paging stops at `max_pages`, at a page that adds no new post, or as soon as a list page shows
an item that is already stored (boards list newest first), unless a re-crawl was asked for.
"""
import scrapy

from crawler.board_detect import (detect_json, detect_rows, dig, endpoint_template, json_candidates, json_loads,
                                  link_for, page_url)
from crawler.dates import parse_date
from crawler.page_data import epoch_to_iso
from crawler.spiders.base import SourceSpider, repair_mislabelled_utf8, text_of_first


class BoardSpider(SourceSpider):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.detection = None                 # what "auto" found on the first list page
        self.page_size = None                 # rows on the first list page: a shorter page is the last
        self.json_spec = self.source.get("json")
        self.page_spec = ({"param": self.source["page_param"], "first": int(self.source.get("page_first", 1)),
                           "step": int(self.source.get("page_step", 1))} if self.source.get("page_param") else None)

    async def start(self):
        if self.json_spec:
            yield self.json_request(1)
            return
        for url in self.source["urls"]:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_listing_error,
                                 dont_filter=True, meta={"page": 1})

    # --- HTML lists ---------------------------------------------------------------------------
    def parse_list(self, response):
        if self.source.get("encoding"):
            response = response.replace(encoding=self.source["encoding"])
        elif hasattr(response, "text"):
            response = self.repaired(response)
        sel = self.list_selectors(response)
        if sel is None:
            yield from self.probe_json(response)
            return
        items = response.css(sel["item"])
        reached_known, fresh = False, 0
        for node in items:
            href = node.css(sel["link"]).xpath("@href").get() if "::" not in sel["link"] else node.css(sel["link"]).get()
            if not href:
                continue
            url = response.urljoin(href.strip())
            reached_known |= self.is_known(url)
            title = text_of_first(node, sel.get("title")) or text_of_first(node, sel["link"].split("::")[0])
            date = parse_date(text_of_first(node, sel.get("date")))
            before = len(self.seen)
            request = self.follow_article(url, {"title": title, "published_at": date})
            fresh += len(self.seen) > before
            if request is not None:
                yield request
        page = response.meta["page"]
        if self.last_page(page, len(items)) or reached_known:
            return
        if sel.get("next_page"):
            next_href = response.css(sel["next_page"]).xpath("@href").get()
            next_url = response.urljoin(next_href) if next_href else None
        else:  # a page parameter; stop when a page adds nothing new (past the last page)
            next_url = self.numbered(response.url, page + 1) if fresh else None
        if next_url and self.drop_if_not_web(next_url, "next page link"):
            next_url = None
        if next_url and next_url != response.url:
            yield scrapy.Request(next_url, callback=self.parse_list, errback=self.on_listing_error,
                                 dont_filter=True, meta={"page": page + 1})

    def repaired(self, response):
        fixed = repair_mislabelled_utf8(response)
        if fixed is not response:
            self.warnings.append(f"encoding repaired: {response.url} is {fixed.encoding}, sent as UTF-8")
        return fixed

    def list_selectors(self, response):
        """The source's selectors, or those detected on the first list page ("auto"); None: no rows."""
        selectors = self.source["selectors"]
        if selectors != "auto":
            return selectors
        if self.detection is None:
            self.detection = detect_rows(response.text, response.url)
            if self.detection is None:
                return None
            self.page_spec = self.page_spec or self.detection.page
            self.logger.info("[%s] auto: %s (confidence %.2f)", self.source["name"], self.detection.selectors,
                             self.detection.confidence)
        return self.detection.selectors

    def numbered(self, url, page):
        if not self.page_spec:
            return None
        return page_url(url, self.page_spec["param"], self.page_spec["first"] + (page - 1) * self.page_spec["step"])

    # --- JSON lists ---------------------------------------------------------------------------
    def probe_json(self, response):
        """"auto" found no rows: try the JSON endpoints the page's scripts name."""
        candidates = json_candidates(response.text, response.url)
        if not candidates:
            self.source_error(f"auto: no list (rows with a link and a date) and no JSON list endpoint at {response.url}")
            return
        template, _ = endpoint_template(candidates[0])
        yield scrapy.Request(template.replace("{page}", "1"), callback=self.parse_probe, errback=self.on_listing_error,
                             dont_filter=True, meta={"page": 1, "candidates": candidates, "list_html": response.text,
                                                     "list_url": response.url})

    def parse_probe(self, response):
        candidates = response.meta["candidates"]
        data = json_loads(response.text) if hasattr(response, "text") else None
        detection = detect_json(data, candidates[0], response.meta["list_html"], response.meta["list_url"]) if data else None
        if detection is None:
            rest = candidates[1:]
            if not rest:
                self.source_error(f"auto: no list found at {response.meta['list_url']} (its script endpoints return no list)")
                return
            template, _ = endpoint_template(rest[0])
            yield response.request.replace(url=template.replace("{page}", "1"),
                                           meta={**response.meta, "candidates": rest})
            return
        self.detection, self.json_spec = detection, detection.json
        self.page_spec = self.page_spec or detection.page
        self.logger.info("[%s] auto: JSON list %s (confidence %.2f)", self.source["name"], detection.json, detection.confidence)
        yield from self.parse_json(response)

    def json_request(self, page):
        value = self.page_spec["first"] + (page - 1) * self.page_spec["step"] if self.page_spec else page
        return scrapy.Request(self.json_spec["url"].replace("{page}", str(value)), callback=self.parse_json,
                              errback=self.on_listing_error, dont_filter=True, meta={"page": page})

    def parse_json(self, response):
        spec = self.json_spec
        data = json_loads(response.text) if hasattr(response, "text") else None
        rows = dig(data, spec["items"]) if data is not None else None
        if not isinstance(rows, list):
            self.source_error(f"JSON list not found at '{spec['items']}' in {response.url}")
            return
        reached_known = False
        for row in rows:
            if not isinstance(row, dict):
                continue
            url = link_for(spec["link"], row, self.source["url"])
            if not url:
                continue
            reached_known |= self.is_known(url)
            date = row.get(spec.get("date")) if spec.get("date") else None
            request = self.follow_article(url, {"title": str(row.get(spec.get("title")) or "").strip(),
                                                "published_at": parse_date(epoch_to_iso(date)) if date else None})
            if request is not None:
                yield request
        page = response.meta["page"]
        if not self.last_page(page, len(rows)) and not reached_known and "{page}" in spec["url"]:
            yield self.json_request(page + 1)

    def last_page(self, page, rows):
        """No further list page: this one is empty, shorter than the first, or the max_pages-th."""
        if page == 1:
            self.page_size = rows
        return not rows or rows < (self.page_size or 0) or page >= self.max_pages
