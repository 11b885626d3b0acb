"""Concurrency (WAL): the dashboard and its API keep answering while a crawl and a classify
run write to the same store in their own processes; no "database is locked" reaches a user."""
import json
import subprocess
import sys
import threading
import time

from crawler.run import start_crawl
from reliability_support import (REPO, DashboardServer, FaultSite, dash_callback_request, env, feed_source,
                                 http_get, integrity, scalar, write_config)
from store import open_db
from store.synthetic import seed_synthetic

READS = [
    ("api", "api/v1/documents?per_page=50&q=자치경찰"),
    ("api", "api/v1/trends?by=day&group=sentiment"),
    ("api", "api/v1/documents?format=csv&per_page=100"),
    ("page", ""),
    ("callback", {"url.search": "?view=documents", "doc-relevance.value": "all", "doc-sort.value": "published_desc",
                  "doc-table.page_current": 0, "ann-saved.data": 0}),
    ("callback", {"url.search": "?view=documents&q=위원회", "doc-relevance.value": "relevant",
                  "doc-sort.value": "relevance_desc", "doc-table.page_current": 1, "ann-saved.data": 0}),
]
BAD_SIGNS = ("locked", "오류가 발생했습니다", "Traceback", "OperationalError")


def reader(base_url, stop, results):
    i = 0
    while not stop.is_set():
        kind, target = READS[i % len(READS)]
        i += 1
        started = time.monotonic()
        try:
            if kind == "callback":
                status, body = dash_callback_request(base_url, "doc-table.data", target)
            else:
                status, body = http_get(base_url + target)
        except Exception as exc:  # noqa: BLE001 - recorded as a failure
            status, body = None, repr(exc)
        results.append((kind, status, time.monotonic() - started, [s for s in BAD_SIGNS if s in body]))
        stop.wait(0.05)  # a busy user, not a CPU hog: the writers share the same 2 cores


def test_dashboard_reads_while_crawl_and_classify_write(tmp_path, tiny_model_dir):
    from nlp.classify import load_classifier
    version = load_classifier(model=str(tiny_model_dir)).version
    db_path = tmp_path / "monitor.db"
    db = open_db(db_path)
    seed_synthetic(db, 1000, days=60, seed=3, model_version="old-model")
    db.conn.close()
    with FaultSite() as site, DashboardServer(db_path) as dash:
        config = write_config(tmp_path / "sources.toml",
                              feed_source("느린 소스", f"{site.url}slow/feed.xml?n=20"), good=False, per_domain=1)
        stop, results = threading.Event(), []
        readers = [threading.Thread(target=reader, args=(dash.url, stop, results)) for _ in range(2)]
        for t in readers:
            t.start()
        crawl_job = start_crawl(db_path, config)
        classify = subprocess.Popen(
            [sys.executable, str(REPO / "monitor.py"), "--db", str(db_path), "classify", "--model", str(tiny_model_dir),
             "--batch-size", "8", "--limit", "40"], cwd=REPO, env=env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            summaries = crawl_job.wait(timeout=120)
            out, err = classify.communicate(timeout=240)
        finally:
            stop.set()
            for t in readers:
                t.join(timeout=120)
    assert classify.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1])["classified"] == 40
    assert [s["status"] for s in summaries] == ["ok"] and summaries[0]["new"] == 20, summaries
    assert scalar(db_path, "SELECT COUNT(*) FROM classifications WHERE model_version = ?", [version]) == 40
    assert len(results) >= 10, "the readers hardly ran"
    failures = [r for r in results if r[1] != 200 or r[3]]
    assert not failures, failures[:5]
    assert {kind for kind, *_ in results} == {"api", "page", "callback"}
    assert integrity(db_path) == ("ok", [])
