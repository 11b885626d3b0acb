"""A dry run of one source (`python monitor.py sources test NAME`): the real spider and
extraction, nothing written to the database. Items and the run summary go to the results file
(one JSON object a line: {"item": {...}} or the summary); article pages are capped."""
import json

from crawler.pipelines import StorePipeline
from crawler.spiders.base import repair_mislabelled_utf8


class DryRunMixin:
    """Mixed in front of a source's spider class: at most `max_items` items followed, and a
    page whose UTF-8 label was wrong is reported."""
    max_items = 10

    def follow_article(self, url, listing):
        if self.counts["listed"] >= self.max_items:
            return None
        return super().follow_article(url, listing)

    def parse_article(self, response):
        if hasattr(response, "text") and not self.source.get("encoding"):
            fixed = repair_mislabelled_utf8(response)
            if fixed is not response:
                self.warnings.append(f"encoding repaired: {response.url} is {fixed.encoding}, sent as UTF-8")
                response = fixed
        return super().parse_article(response)


def dry_run_class(spider_cls, max_items):
    return type(f"DryRun{spider_cls.__name__}", (DryRunMixin, spider_cls), {"max_items": max_items})


class DryRunPipeline(StorePipeline):
    """Keeps the items in memory; the summary (same rules as a real run) and the items are
    written to the results file when the spider closes."""

    def open_spider(self, spider=None):
        self.items, self.kept = [], []

    def process_item(self, item, spider=None):
        self.kept.append(dict(item))
        self.items.append((len(item.get("body") or "") >= 50, item.get("date_source") != "fetched"))
        return item

    def spider_closed(self, spider, reason):
        summary = self.summarise(spider, reason)
        with open(self.results_path, "a", encoding="utf-8") as fh:
            for item in self.kept:
                fh.write(json.dumps({"item": item}, ensure_ascii=False) + "\n")
            fh.write(json.dumps(summary, ensure_ascii=False) + "\n")
