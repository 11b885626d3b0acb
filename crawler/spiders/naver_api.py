"""Naver News Search API (/v1/search/news.json): one query per term, start paging, sort=date.

Keys come from NAVER_CLIENT_ID / NAVER_CLIENT_SECRET; without them the source is skipped
with one log line. Each result's `originallink` (the outlet page) is fetched for the body;
where that is not allowed (robots.txt) the API's title and description are stored.
"""
import json
from urllib.parse import urlencode

import scrapy

from crawler.config import naver_keys
from crawler.dates import parse_date
from crawler.spiders.base import SourceSpider, strip_tags

DISPLAY = 100
MAX_START = 1000  # the API refuses start > 1000


class NaverApiSpider(SourceSpider):
    async def start(self):
        client_id, secret = naver_keys(self.source)
        if not (client_id and secret):
            self.skip_reason = "NAVER_CLIENT_ID / NAVER_CLIENT_SECRET not set: source skipped"
            self.logger.warning("[%s] %s", self.source["name"], self.skip_reason)
            return
        self.api_headers = {"X-Naver-Client-Id": client_id, "X-Naver-Client-Secret": secret}
        for term in self.terms:
            yield self.api_request(term, 1)

    def api_request(self, term, start):
        query = urlencode({"query": term, "display": DISPLAY, "start": start, "sort": "date"})
        return scrapy.Request(f"{self.source['url']}?{query}", headers=self.api_headers, callback=self.parse_api,
                              errback=self.on_listing_error, dont_filter=True, meta={"term": term, "start": start})

    def parse_api(self, response):
        try:
            data = json.loads(response.text)
        except ValueError as exc:
            self.source_error(f"API answer is not JSON ({exc}) at {response.url}")
            return
        items = data.get("items") or []
        reached_known = False
        for item in items:
            link = item.get("originallink") or item.get("link")
            if not link:
                continue
            reached_known |= self.is_known(link)
            request = self.follow_article(link, {
                "title": strip_tags(item.get("title")), "summary": strip_tags(item.get("description")),
                "published_at": parse_date(item.get("pubDate"))})
            if request is not None:
                yield request
        start = response.meta["start"] + DISPLAY
        page = start // DISPLAY + 1
        if items and not reached_known and start <= min(int(data.get("total", 0)), MAX_START) and page <= self.max_pages:
            yield self.api_request(response.meta["term"], start)
