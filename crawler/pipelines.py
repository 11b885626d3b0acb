"""Item pipeline: canonical URL, SimHash cluster, save to the store; per-source run record,
health and a field-coverage / zero-items check when the spider closes."""
import json
import logging

from scrapy import signals

from crawler.dedup import ClusterIndex, simhash
from crawler.urls import canonical_url
from store import open_db
from store.documents import save_document
from store.listings import MAX_LISTED_PER_RUN, record_listed
from store.sources import finish_run, start_run

log = logging.getLogger(__name__)
_SHARED = {}  # one connection and one cluster index per process: sources see each other's stories
COVERAGE_MIN = 0.5  # share of items that must have a body and a page/feed date
COVERAGE_MIN_ITEMS = 3
FAILED_SHARE_WARN = 0.2  # a run is a 'warning' when at least this share of its article pages failed


def shared_store(db_path):
    if db_path not in _SHARED:
        db = open_db(db_path)
        _SHARED[db_path] = (db, ClusterIndex(db))
    return _SHARED[db_path]


class StorePipeline:
    def __init__(self, db_path, results_path):
        self.db_path, self.results_path = db_path, results_path

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler.settings.get("MONITOR_DB"), crawler.settings.get("MONITOR_RESULTS"))
        pipe.crawler = crawler
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.db, self.index = shared_store(self.db_path)
        self.run_id = start_run(self.db, spider.source["name"])
        self.items = []  # (has body, has date) per item, for the coverage check
        self.listed_documents = {}  # listing's canonical URL -> id of the document stored from it

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        try:
            doc = self.to_document(item)
            doc_id, status = save_document(self.db, doc)
        except Exception as exc:  # one bad document never stops the crawl
            spider.counts["failed"] += 1
            log.exception("[%s] could not store %s: %s", spider.source["name"], item.get("url"), exc)
            return item
        spider.counts[status] += 1
        if status in ("new", "duplicate"):
            self.index.add(doc["simhash"], doc_id, doc["cluster_id"] or doc_id)
        spider.known.add(doc["canonical_url"])
        if item.get("listed_url"):
            self.listed_documents[item["listed_url"]] = doc_id
        self.items.append((len(doc["body"] or "") >= 50, doc["date_source"] != "fetched"))
        return item

    def to_document(self, item):
        canon = canonical_url(item["url"], item.get("page_canonical"))
        body = item.get("body") or ""
        fingerprint = simhash(body)
        return {
            "url": item["url"], "canonical_url": canon, "source": item["source"], "kind": item["kind"],
            "outlet": item.get("outlet"), "title": item.get("title"), "summary": item.get("summary"), "body": body,
            "lang": item.get("lang") or "ko", "author": item.get("author"), "published_at": item["published_at"],
            "date_source": item["date_source"], "region_hint": item.get("region_hint"),
            "simhash": fingerprint, "cluster_id": self.index.find(body, fingerprint),
        }

    def spider_closed(self, spider, reason):
        try:
            record_listed(self.db, spider.source["name"], spider.listed, self.listed_documents)
        except Exception as exc:  # the run is still recorded; the denominator of this run is missing
            spider.warnings.append(f"listed items not recorded: {type(exc).__name__}: {exc}"[:300])
            log.exception("[%s] could not record the listed items", spider.source["name"])
        if len(spider.listed) >= MAX_LISTED_PER_RUN:
            spider.warnings.append(f"listed items: only the first {MAX_LISTED_PER_RUN:,} recorded for attention shares")
        summary = self.summarise(spider, reason)
        finish_run(self.db, self.run_id, new=summary["new"], duplicate=summary["duplicate"], failed=summary["failed"],
                   status=summary["status"], error=summary["error"])
        log.info("[%s] %s", spider.source["name"], json.dumps(summary, ensure_ascii=False))
        if self.results_path:
            with open(self.results_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(summary, ensure_ascii=False) + "\n")

    def summarise(self, spider, reason="finished"):
        counts = dict(spider.counts)
        warnings = list(spider.warnings)
        stored = len(self.items)
        if stored >= COVERAGE_MIN_ITEMS:
            for label, index in (("body", 0), ("date", 1)):
                share = sum(flags[index] for flags in self.items) / stored
                if share < COVERAGE_MIN:
                    warnings.append(f"field coverage: {label} on {share:.0%} of {stored} items (< {COVERAGE_MIN:.0%})")
        if counts["dropped"]:
            examples = ", ".join(f"{url} ({reason})" for url, reason in spider.dropped)
            warnings.append(f"{counts['dropped']} link(s)/redirect(s) dropped by the URL policy "
                            f"(only http(s), no other local or private address): {examples}")
        attempted = counts["fetched"] + counts["failed"]
        if counts["failed"] and counts["failed"] >= FAILED_SHARE_WARN * attempted:
            warnings.append(f"{counts['failed']} of {attempted} article pages failed (see the crawl log)")
        if spider.skip_reason:
            status, error = "skipped", spider.skip_reason
        elif spider.errors:
            status, error = "error", "; ".join(spider.errors)[:1000]
        elif counts["listed"] == 0:
            status, error = "empty", "no items found in the feed/list (selectors or feed changed?)"
        elif warnings:
            status, error = "warning", "; ".join(warnings)
        else:
            status, error = "ok", None
        if reason != "finished":
            status, error = "interrupted", f"crawl stopped ({reason})" + (f"; {error}" if error else "")
        return {"source": spider.source["name"], "type": spider.source["type"], "status": status, "error": error,
                **counts, "warnings": warnings}
