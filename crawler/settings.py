"""Scrapy settings for one crawl, from the config's [crawl] table.

Production defaults are polite (robots.txt, AutoThrottle, >= 5 s per site, 2 requests per site at
most, back-off on 429/5xx). `fast = true` (the local sample site: tests, demo, benchmark) turns
the delays off; it is meant for 127.0.0.1 only.
"""
from pathlib import Path

BOT_NAME = "jachi-monitor"
CACHE_DIR = Path(".scrapy") / "httpcache"


def user_agent(contact):
    return f"JachiPoliceMonitor/1.0 (+mailto:{contact}; public-opinion research on autonomous policing)"


def scrapy_settings(crawl, db_path, results_path=None):
    fast = bool(crawl.get("fast"))
    delay = 0.0 if fast else float(crawl["download_delay"])
    settings = {
        "BOT_NAME": BOT_NAME,
        "USER_AGENT": user_agent(crawl["contact"]),
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 32 if fast else 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(crawl.get("per_domain", 8 if fast else 2)),
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.0 if fast else 0.5,
        "AUTOTHROTTLE_ENABLED": not fast,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": float(crawl["timeout"]),
        "DOWNLOAD_MAXSIZE": int(crawl.get("max_page_mb", 8)) * 1024 * 1024,  # no article page is bigger
        "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": int(crawl.get("retries", 3)),
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "BACKOFF_BASE": 0.0 if fast else 2.0,
        "BACKOFF_429": 0.0 if fast else float(crawl["retry_after_429"]),
        # only http(s) is ever fetched (crawler/url_policy.py); the other handlers are off
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "s3": None, "ftp": None},
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.UrlPolicyMiddleware": 50,  # before robots.txt (100) and redirects
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
        "HTTPCACHE_ENABLED": bool(crawl.get("http_cache")),
        "HTTPCACHE_DIR": str(CACHE_DIR.resolve()),
        "HTTPCACHE_EXPIRATION_SECS": 6 * 3600,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening ports from the crawler
        "COOKIES_ENABLED": False,
        "LOG_LEVEL": crawl.get("log_level", "INFO"),
        "LOG_INSTALL_ROOT_HANDLER": True,
        "MONITOR_DB": str(db_path),
        "MONITOR_RESULTS": str(results_path) if results_path else None,
        "MONITOR_MAX_PAGES": int(crawl["max_pages"]),
    }
    return settings
