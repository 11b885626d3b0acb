"""Fault tests: one real crawl (Scrapy in its own process) of a config holding one misbehaving
source per fault plus one good source on the bundled sample site. Every fault ends with the
good source's documents stored and a clear per-source outcome."""
import time

import pytest

from crawler.run import crawl
from crawler.sample_site import serve
from reliability_support import (BIG_BYTES, GOOD_COUNT, GOOD_NAME, MANY_ITEMS, MANY_ON_TOPIC, FaultSite, connect,
                                 feed_source, integrity, write_config)

FAULTS = ("hang", "reset", "429", "burst", "down", "big", "enc", "many", "deep", "badlink")
CRAWL_LIMIT = 120  # seconds; the whole crawl normally takes ~25 s


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with FaultSite() as faults, serve() as site:
        config = write_config(tmp / "sources.toml",
                              *[feed_source(f"장애-{name}", f"{faults.url}{name}/feed.xml") for name in FAULTS],
                              timeout=3, retries=2)
        started = time.monotonic()
        summaries = crawl(tmp / "monitor.db", config, base_url=site.url, timeout=CRAWL_LIMIT)
        elapsed = time.monotonic() - started
        hits = {path: faults.hits(path) for path in ("/429/feed.xml", "/burst/feed.xml", "/hang/feed.xml")}
    return {"db": tmp / "monitor.db", "by_source": {s.get("source"): s for s in summaries},
            "elapsed": elapsed, "hits": hits}


def docs(db_path, source):
    conn = connect(db_path)
    try:
        return conn.execute("SELECT title, body, length(body) FROM documents WHERE source = ?", [source]).fetchall()
    finally:
        conn.close()


def test_crawl_finishes_in_time_and_reports_every_source(fault_crawl):
    by = fault_crawl["by_source"]
    assert fault_crawl["elapsed"] < CRAWL_LIMIT - 5, f"crawl hit its time limit: {by}"
    assert None not in by, by.get(None)  # no process-level crash
    assert set(by) == {f"장애-{n}" for n in FAULTS} | {GOOD_NAME}
    assert all(s["status"] != "interrupted" for s in by.values())


def test_good_source_is_stored_despite_the_faults(fault_crawl):
    good = fault_crawl["by_source"][GOOD_NAME]
    assert good["status"] == "ok" and good["new"] == GOOD_COUNT, good
    assert len(docs(fault_crawl["db"], GOOD_NAME)) == GOOD_COUNT
    assert integrity(fault_crawl["db"]) == ("ok", [])


def test_source_that_hangs_times_out_with_a_clear_error(fault_crawl):
    s = fault_crawl["by_source"]["장애-hang"]
    assert s["status"] == "error" and s["error"].startswith("timeout at ") and "/hang/feed.xml" in s["error"]
    assert len(fault_crawl["hits"]["/hang/feed.xml"]) == 3  # first try + 2 retries, then it gave up


def test_connection_reset_is_a_clear_error(fault_crawl):
    s = fault_crawl["by_source"]["장애-reset"]
    assert s["status"] == "error" and "/reset/feed.xml" in s["error"]
    assert "lost" in s["error"].lower() or "reset" in s["error"].lower(), s["error"]


def test_429_waits_for_retry_after_then_collects(fault_crawl):
    s = fault_crawl["by_source"]["장애-429"]
    assert s["status"] == "ok" and s["new"] == 1, s
    times = fault_crawl["hits"]["/429/feed.xml"]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.9  # Retry-After: 1 honoured


def test_500_burst_is_retried_and_a_dead_source_is_an_error(fault_crawl):
    burst = fault_crawl["by_source"]["장애-burst"]
    assert burst["status"] == "ok" and burst["new"] == 1, burst
    assert len(fault_crawl["hits"]["/burst/feed.xml"]) == 3
    down = fault_crawl["by_source"]["장애-down"]
    assert down["status"] == "error" and down["error"].startswith("HTTP 500 at "), down
    conn = connect(fault_crawl["db"])
    health = dict(conn.execute("SELECT name, last_error FROM sources WHERE name IN ('장애-down', ?)", [GOOD_NAME]))
    conn.close()
    assert health["장애-down"].startswith("HTTP 500") and health[GOOD_NAME] is None


def test_50mb_page_is_refused_not_stored(fault_crawl):
    s = fault_crawl["by_source"]["장애-big"]
    assert s["failed"] == 1 and s["new"] == 0 and s["listed"] == 1, s  # counted as a failed article
    assert s["status"] == "warning" and "1 of 1 article pages failed" in s["error"], s  # not 'ok'
    conn = connect(fault_crawl["db"])
    run = conn.execute("SELECT failed, finished_at FROM crawl_runs WHERE source = '장애-big'").fetchone()
    conn.close()
    assert run[0] == 1 and run[1]
    stored = docs(fault_crawl["db"], "장애-big")
    assert all(length < BIG_BYTES // 10 for _, _, length in stored)


def test_invalid_utf8_and_mixed_encodings_are_decoded(fault_crawl):
    s = fault_crawl["by_source"]["장애-enc"]
    assert s["status"] == "ok" and s["failed"] == 0, s
    stored = {title: body for title, body, _ in docs(fault_crawl["db"], "장애-enc")}
    # invalid bytes become U+FFFD, the rest of the page survives
    assert "\ufffd" in stored["자치경찰위원회 enc 기사 0"] and "치안 정책" in stored["자치경찰위원회 enc 기사 0"]
    # EUC-KR declared only in <meta>
    assert "치안 정책을 심의" in stored["자치경찰위원회 enc 기사 1"]


def test_page_with_wrong_charset_header_is_not_lost(fault_crawl):
    stored = {title for title, _, _ in docs(fault_crawl["db"], "장애-enc")}
    assert "자치경찰위원회 enc 기사 2" in stored


def test_feed_with_10000_items(fault_crawl):
    s = fault_crawl["by_source"]["장애-many"]
    assert s["status"] == "ok" and s["listed"] == MANY_ITEMS, s
    assert s["filtered"] == MANY_ITEMS - MANY_ON_TOPIC and s["new"] == MANY_ON_TOPIC
    assert len(docs(fault_crawl["db"], "장애-many")) == MANY_ON_TOPIC


def test_deeply_nested_page_is_stored(fault_crawl):
    s = fault_crawl["by_source"]["장애-deep"]
    assert s["status"] in ("ok", "warning") and s["new"] == 1, s
    [(title, body, _)] = docs(fault_crawl["db"], "장애-deep")
    assert title == "자치경찰위원회 deep 기사 0" and body


def test_one_invalid_link_does_not_lose_the_rest_of_the_feed(fault_crawl):
    s = fault_crawl["by_source"]["장애-badlink"]
    assert s["new"] == 2 and s["failed"] == 1, s
    assert {t for t, _, _ in docs(fault_crawl["db"], "장애-badlink")} == {f"자치경찰위원회 badlink 기사 {i}" for i in (1, 2)}
