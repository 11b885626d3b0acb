"""Crash safety: a crawl and a classify run are killed with SIGKILL mid-way (real child
processes); the store stays intact, the next run resumes, nothing is lost, duplicated or
half-written."""
import json
import signal
import subprocess
import sys

import pytest

from crawler.run import crawl, start_crawl
from reliability_support import (REPO, FaultSite, connect, env, feed_source, integrity, scalar, wait_until,
                                 write_config)
from store import open_db
from store.synthetic import seed_synthetic

SLOW_ITEMS = 60


def test_crawl_killed_mid_way_resumes_without_loss_or_duplicates(tmp_path):
    db_path = tmp_path / "monitor.db"
    with FaultSite() as site:
        url = f"{site.url}slow/feed.xml?n={SLOW_ITEMS}"
        slow = write_config(tmp_path / "slow.toml", feed_source("느린 소스", url), good=False, per_domain=1)
        fast = write_config(tmp_path / "fast.toml", feed_source("느린 소스", url), good=False)
        open_db(db_path).conn.close()  # schema first, so the poll below can count
        job = start_crawl(db_path, slow)
        try:
            assert wait_until(lambda: db_path.exists() and scalar(db_path, "SELECT COUNT(*) FROM documents") >= 5, 60), \
                job.log_tail()
        finally:
            job.proc.send_signal(signal.SIGKILL)
            job.proc.wait()
        assert job.proc.returncode == -signal.SIGKILL
        before = scalar(db_path, "SELECT COUNT(*) FROM documents")
        assert 5 <= before < SLOW_ITEMS, "the kill came too late to test anything"
        assert integrity(db_path) == ("ok", [])

        [summary] = crawl(db_path, fast, timeout=90)
        assert summary["status"] == "ok", summary
        # resumes: every stored page is skipped, every other one is fetched now
        assert summary["known"] == before and summary["new"] == SLOW_ITEMS - before, summary
        assert all(site.hits(f"/slow/a{i}.html") for i in range(SLOW_ITEMS))

    conn = connect(db_path)
    titles = [t for (t,) in conn.execute("SELECT title FROM documents")]
    runs = conn.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
    conn.close()
    assert sorted(titles) == sorted(f"자치경찰위원회 slow 기사 {i}" for i in range(SLOW_ITEMS))
    assert runs[-1] == ("ok",)
    assert integrity(db_path) == ("ok", [])
    fts = scalar(db_path, "SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH '\"slow 기사\"'")
    assert fts == SLOW_ITEMS  # the full-text index stayed in step with the table


@pytest.fixture(scope="module")
def tiny_version(tiny_model_dir):
    from nlp.classify import load_classifier
    return load_classifier(model=str(tiny_model_dir)).version  # builds the heads once, on disk


def classify_cmd(db_path, model_dir, batch):
    return [sys.executable, str(REPO / "monitor.py"), "--db", str(db_path), "classify", "--model", str(model_dir),
            "--batch-size", str(batch)]


def check_labels_match(db_path, version):
    """Every classification of `version` has its effective label (and topic/region rows)."""
    conn = connect(db_path)
    try:
        classified = dict(conn.execute("SELECT document_id, topics FROM classifications WHERE model_version = ?",
                                       [version]))
        labelled = dict(conn.execute("SELECT document_id, topics FROM labels WHERE model_version = ?", [version]))
        topic_rows = {}
        for doc, topic in conn.execute("SELECT document_id, topic FROM label_topics"):
            topic_rows.setdefault(doc, set()).add(topic)
    finally:
        conn.close()
    assert classified.keys() == labelled.keys()
    for doc, topics in labelled.items():
        assert set(json.loads(topics)) == topic_rows.get(doc, set())
    return len(classified)


def test_classify_killed_mid_way_leaves_no_half_written_batch(tmp_path, tiny_model_dir, tiny_version):
    db_path, batch, n = tmp_path / "monitor.db", 8, 120
    db = open_db(db_path)
    seed_synthetic(db, n, days=30, seed=7, model_version="old-model")
    db.conn.close()
    proc = subprocess.Popen(classify_cmd(db_path, tiny_model_dir, batch), cwd=REPO, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    count = lambda: scalar(db_path, "SELECT COUNT(*) FROM classifications WHERE model_version = ?", [tiny_version])
    try:
        assert wait_until(lambda: count() >= 2 * batch, 120, interval=0.05), proc.stdout.read1().decode(errors="replace")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db_path) == ("ok", [])
    done = check_labels_match(db_path, tiny_version)
    assert 2 * batch <= done < n, "the kill came too late to test anything"
    assert done % batch == 0  # whole batches only: none half-written

    rerun = subprocess.run(classify_cmd(db_path, tiny_model_dir, batch), cwd=REPO, env=env(), capture_output=True,
                           text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    counts = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert counts["classified"] == n - done and counts["failed"] == 0
    assert check_labels_match(db_path, tiny_version) == n
    assert scalar(db_path, "SELECT COUNT(*) FROM labels") == n  # one effective label per document, no duplicates
    assert integrity(db_path) == ("ok", [])
