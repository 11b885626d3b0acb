"""The crawl child process: `python -m crawler.process --db PATH --results FILE [...]`.

Runs every selected source as its own spider in one Scrapy CrawlerProcess, then exits.
Started by crawler.run.crawl (Twisted's reactor cannot be restarted inside the scheduler).
"""
import argparse
import ctypes
import json
import logging
import signal
import sys

from scrapy.crawler import CrawlerProcess

from crawler.config import ConfigError, load_config
from crawler.dry_run import dry_run_class
from crawler.settings import scrapy_settings
from crawler.spiders import SPIDERS
from store import open_db
from store.documents import known_canonical_urls
from store.sources import finish_run, start_run, sync_sources

SECRET_KEYS = ("client_id", "client_secret")


def die_with_parent():
    """Linux: get SIGTERM when the parent (scheduler/CLI) dies, so no crawl is orphaned."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def write_result(path, summary):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary, ensure_ascii=False) + "\n")


def select_sources(config, names):
    """Enabled sources, or exactly the named ones (even if disabled); unknown names are errors."""
    if not names:
        return [s for s in config["sources"] if s["enabled"]], []
    by_name = {s["name"]: s for s in config["sources"]}
    missing = [n for n in names if n not in by_name]
    return [by_name[n] for n in names if n in by_name], missing


def main(argv=None):
    """Exit 0 (crawled), 1 (some sources not found / invalid), 2 (config unusable), 3 (failed)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--results", required=True)
    parser.add_argument("--config")
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--base-url")
    parser.add_argument("--recrawl", action="store_true")
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="no database: items go to the results file")
    parser.add_argument("--max-items", type=int, default=10, help="dry run: article pages followed per source")
    parser.add_argument("--max-pages", type=int, help="list/API pages per source")
    args = parser.parse_args(argv)
    die_with_parent()
    try:
        return crawl_sources(args)
    except Exception as exc:  # whatever stopped the crawl is the run's error, not a silent exit
        logging.getLogger(__name__).exception("crawl failed")
        write_result(args.results, {"source": None, "status": "error",
                                    "error": f"crawl failed: {type(exc).__name__}: {exc}"[:1000]})
        return 3


def crawl_sources(args):
    try:
        config = load_config(args.config, args.base_url)
    except ConfigError as exc:
        write_result(args.results, {"source": None, "status": "config_error", "error": str(exc)})
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    for message in config["errors"]:
        print(f"config error: {message}", file=sys.stderr)
        write_result(args.results, {"source": None, "status": "config_error", "error": message})
    if args.fast:
        config["crawl"]["fast"] = True
    if args.max_pages:
        config["crawl"]["max_pages"] = args.max_pages
        for source in config["sources"]:
            source["max_pages"] = args.max_pages
    if not args.dry_run:
        db = open_db(args.db)
        sync_sources(db, [{k: v for k, v in s.items() if k not in SECRET_KEYS} for s in config["sources"]])
    sources, missing = select_sources(config, args.source)
    for name in missing:
        write_result(args.results, {"source": name, "status": "config_error",
                                    "error": f"{config['path']}: no source named '{name}' (or its entry is invalid)"})
    if not sources:
        return 1 if missing or config["errors"] else 0
    if args.dry_run:
        known = set()
    else:
        known = set() if args.recrawl else known_canonical_urls(db)
        db.conn.close()
    settings = scrapy_settings(config["crawl"], args.db, args.results)
    if args.dry_run:
        settings["ITEM_PIPELINES"] = {"crawler.dry_run.DryRunPipeline": 300}
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(settings["LOG_LEVEL"])
    for source in sources:
        spider_cls = SPIDERS[source["type"]]
        if args.dry_run:
            spider_cls = dry_run_class(spider_cls, args.max_items)
        try:
            process.crawl(spider_cls, source=source, terms=config["terms"], known=known, recrawl=args.recrawl,
                          max_pages=settings["MONITOR_MAX_PAGES"], related_terms=config["related_terms"])
        except Exception as exc:  # a source that cannot even start is recorded, the rest run
            if not args.dry_run:
                crash_db = open_db(args.db)
                finish_run(crash_db, start_run(crash_db, source["name"]), status="error", error=f"could not start: {exc}")
            write_result(args.results, {"source": source["name"], "status": "error", "error": f"could not start: {exc}"})
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
