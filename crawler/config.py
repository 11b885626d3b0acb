"""Load and validate the sources file (config/sources.toml).

A broken entry is reported with the file, the source and the field, and left out; the other
sources still run. Only an unreadable file is fatal (ConfigError).
"""
import os
from pathlib import Path

from parsel import Selector

from config_lines import read_toml, where
from vocabulary import NATIONAL, REGIONS, SOURCE_KINDS

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "sources.toml"
TYPES = ("feed", "naver_api", "board")
DEFAULT_TERMS = ["자치경찰", "자치경찰제", "자치경찰위원회", "자경위", "자치경찰 이원화", "경찰제도발전위원회"]
# Section feeds: an item without a query term in its title/summary is still fetched (and judged on
# its page text) when its summary is cut short and it names one of these (docs/sources.md).
RELATED_TERMS = ["경찰", "치안", "순찰", "지구대", "파출소", "112 신고", "112신고", "방범", "범죄 예방", "범죄예방",
                 "안심귀갓길", "어린이보호구역", "스쿨존", "교통안전", "police"]
FETCH_UNMATCHED = ("related", "none", "all")
BOARD_SELECTORS = ("item", "link")  # required for boards; title, date, body, next_page optional
SELECTOR_KEYS = ("item", "link", "title", "date", "body", "next_page", "author")
JSON_KEYS = ("url", "items", "link", "title", "date")
# Crawl-wide defaults: production politeness. A config's [crawl] table overrides them.
CRAWL_DEFAULTS = {
    "fast": False,              # true: no delays/throttle (local sample site, tests, demo)
    "download_delay": 5.0,      # seconds between requests to one site
    "retry_after_429": 30.0,    # seconds to back off after HTTP 429
    "timeout": 30.0,            # per-request download timeout
    "max_pages": 5,             # board/API pages per run
    "contact": "monitor-admin@example.org",
    "http_cache": False,        # development: cache responses under .scrapy/httpcache
}


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _number(low, above=False):
    def check(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and (v > low if above else v >= low)
    return check


def _whole(low):
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


# [crawl] key -> (check, what a valid value looks like); any other key is a typo
CRAWL_CHECKS = {
    "fast": (lambda v: isinstance(v, bool), "true or false"),
    "download_delay": (_number(0), "a number of seconds, 0 or more"),
    "retry_after_429": (_number(0), "a number of seconds, 0 or more"),
    "timeout": (_number(0, above=True), "a number of seconds above 0, e.g. 30"),
    "retries": (_whole(0), "a whole number, 0 or more"),
    "max_pages": (_whole(1), "a whole number, at least 1"),
    "per_domain": (_whole(1), "a whole number, at least 1"),
    "max_page_mb": (_whole(1), "a whole number of megabytes, at least 1"),
    "contact": (lambda v: isinstance(v, str) and "@" in v, "an e-mail address in quotes"),
    "http_cache": (lambda v: isinstance(v, bool), "true or false"),
    "log_level": (lambda v: v in LOG_LEVELS, f"one of {', '.join(LOG_LEVELS)}"),
}


class ConfigError(Exception):
    """The config file as a whole cannot be used."""


def validate_crawl(table, path, text):
    """The [crawl] table over the defaults; ConfigError 'FILE:LINE: [crawl] key ...' for an
    unknown key or a wrong value (a bad value used to stop the crawl before it started)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where(path, text, 'crawl')}: [crawl] must be a table")
    for key, value in table.items():
        at = f"{where(path, text, 'crawl', key)}: [crawl] {key}"
        if key not in CRAWL_CHECKS:
            raise ConfigError(f"{at}: unknown setting (known: {', '.join(CRAWL_CHECKS)})")
        check, expected = CRAWL_CHECKS[key]
        if not check(value):
            raise ConfigError(f"{at} must be {expected}, not {value!r}")
    return {**CRAWL_DEFAULTS, **table}


def load_config(path=None, base_url=None):
    """Returns {"path", "terms", "related_terms", "crawl", "sources": [...], "errors": [...]}."""
    path = Path(path or DEFAULT_CONFIG)
    text, data = read_toml(path, ConfigError, "sources")
    terms = data.get("query_terms", DEFAULT_TERMS)
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise ConfigError(f"{path}: query_terms must be a list of non-empty strings")
    related = data.get("related_terms", RELATED_TERMS)
    if not isinstance(related, list) or not all(isinstance(t, str) and t.strip() for t in related):
        raise ConfigError(f"{path}: related_terms must be a list of non-empty strings")
    crawl = validate_crawl(data.get("crawl", {}), path, text)
    sources, errors, seen = [], [], set()
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[source]]")]
    for index, entry in enumerate(data.get("source", []), 1):
        try:
            source = validate_source(entry, index, base_url, seen)
        except ValueError as exc:  # "file:line: source 'x': field 'y': ..." (line of its [[source]])
            line = f":{starts[index - 1]}" if len(starts) == len(data.get("source", [])) else ""
            errors.append(f"{path}{line}: {exc}")
            continue
        seen.add(source["name"])
        sources.append(source)
    if not sources and not errors:
        errors.append(f"{path}: no [[source]] entries")
    return {"path": str(path), "terms": terms, "related_terms": related, "crawl": crawl, "sources": sources,
            "errors": errors}


def validate_source(entry, index, base_url=None, seen=()):
    name = entry.get("name")
    label = f"source '{name}'" if name else f"source #{index}"

    def fail(field, message):
        raise ValueError(f"{label}: field '{field}': {message}")

    if not isinstance(name, str) or not name.strip():
        fail("name", "missing")
    if name in seen:
        fail("name", "duplicate source name")
    if entry.get("type") not in TYPES:
        fail("type", f"unknown type {entry.get('type')!r} (expected one of {', '.join(TYPES)})")
    if entry.get("kind") not in SOURCE_KINDS:
        fail("kind", f"unknown kind {entry.get('kind')!r} (expected one of {', '.join(SOURCE_KINDS)})")
    urls = entry.get("url")
    urls = [urls] if isinstance(urls, str) else urls
    if not urls or not all(isinstance(u, str) and u.strip() for u in urls):
        fail("url", "missing")
    if any("{base}" in u for u in urls):
        if not base_url:
            fail("url", "contains {base} but no --base-url was given")
        base = base_url.rstrip("/") + "/"
        urls = [u.replace("{base}/", base).replace("{base}", base) for u in urls]
    if not all(u.startswith(("http://", "https://")) for u in urls):
        fail("url", f"not an http(s) URL: {urls[0]!r}")
    region = entry.get("region") or NATIONAL
    if region not in REGIONS and region != NATIONAL:
        fail("region", f"unknown region {region!r} (expected one of the 18 areas or {NATIONAL})")
    selectors = entry.get("selectors", {})
    if selectors == "auto":  # boards: found by crawler/board_detect.py on the first list page
        if entry["type"] != "board":
            fail("selectors", '"auto" is for boards only')
    elif not isinstance(selectors, dict):
        fail("selectors", 'must be a table or "auto"')
    for key, value in (selectors.items() if isinstance(selectors, dict) else ()):
        if key not in SELECTOR_KEYS:
            fail(f"selectors.{key}", f"unknown selector (expected {', '.join(SELECTOR_KEYS)})")
        try:
            Selector(text="<html></html>").css(value)
        except Exception as exc:  # cssselect raises several kinds
            fail(f"selectors.{key}", f"bad CSS selector {value!r}: {exc}")
    article_selectors = entry.get("article_selectors", {})
    if not isinstance(article_selectors, dict):
        fail("article_selectors", "must be a table")
    for key, value in article_selectors.items():
        if key not in ("title", "date", "body", "author"):
            fail(f"article_selectors.{key}", "unknown selector (expected title, date, body, author)")
        try:
            Selector(text="<html></html>").css(value)
        except Exception as exc:
            fail(f"article_selectors.{key}", f"bad CSS selector {value!r}: {exc}")
    validate_json_list(entry.get("json"), fail)
    validate_paging(entry, fail)
    if entry["type"] == "board" and selectors != "auto" and not entry.get("json"):
        for key in BOARD_SELECTORS:
            if not selectors.get(key):
                fail(f"selectors.{key}", 'required for a board source (or selectors = "auto", or a [source.json] table)')
    if entry.get("encoding"):
        try:
            "".encode(entry["encoding"])
        except LookupError:
            fail("encoding", f"unknown encoding {entry['encoding']!r}")
    searched = any("{query}" in u for u in urls)
    fetch_unmatched = entry.get("fetch_unmatched", "none" if searched or entry["type"] != "feed" else "related")
    if fetch_unmatched not in FETCH_UNMATCHED:
        fail("fetch_unmatched", f"unknown value {fetch_unmatched!r} (expected one of {', '.join(FETCH_UNMATCHED)})")
    source = dict(entry)
    source.update({
        "name": name.strip(), "urls": urls, "url": urls[0], "region": region,
        "enabled": bool(entry.get("enabled", True)), "outlet": entry.get("outlet") or name,
        "selectors": selectors,
        # feeds of whole sections are filtered by the query terms; boards of committees are not
        "filter": bool(entry.get("filter", entry["type"] != "board" or entry.get("kind") == "civic")),
        "fetch_unmatched": fetch_unmatched,
    })
    return source


def validate_json_list(spec, fail):
    """[source.json]: a list served as JSON — url (with {page}), items (dot path), link (template), title, date."""
    if spec is None:
        return
    if not isinstance(spec, dict):
        fail("json", "must be a table")
    for key in ("url", "items", "link"):
        if not isinstance(spec.get(key), str):
            fail(f"json.{key}", "required (a string)")
    if not spec["url"].startswith(("http://", "https://")):
        fail("json.url", f"not an http(s) URL: {spec['url']!r}")
    for key in spec:
        if key not in JSON_KEYS:
            fail(f"json.{key}", f"unknown key (expected {', '.join(JSON_KEYS)})")


def validate_paging(entry, fail):
    if "page_param" in entry and not (isinstance(entry["page_param"], str) and entry["page_param"].strip()):
        fail("page_param", "must be a parameter name such as \"pageIndex\"")
    for key, least in (("page_first", 0), ("page_step", 1)):
        if key in entry and not (isinstance(entry[key], int) and entry[key] >= least):
            fail(key, f"must be a whole number >= {least}")


def naver_keys(source):
    """Client id/secret: the environment wins; a config value is for the offline demo only."""
    return (os.environ.get("NAVER_CLIENT_ID") or source.get("client_id"),
            os.environ.get("NAVER_CLIENT_SECRET") or source.get("client_secret"))
