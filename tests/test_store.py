"""The store: migrations, idempotent upserts, FTS sync, shared queries, bad input."""
import os
import sqlite3
import subprocess
import sys

import pytest

import store
from store import queries as q
from store.documents import save_document
from store.labels import add_annotation, save_classifications, annotations_for_training
from store.schema import MIGRATIONS, SCHEMA_VERSION, current_version, migrate
from store.sources import finish_run, source_health, start_run, sync_sources

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def doc(n, **extra):
    base = {
        "url": f"https://news.example.kr/a/{n}?utm_source=x",
        "canonical_url": f"https://news.example.kr/a/{n}",
        "source": "example", "kind": "news", "outlet": "예시일보",
        "title": f"자치경찰위원회 예산 논란 {n}", "body": f"서울시자치경찰위원회가 예산 문제로 비판을 받았다. 기사 {n}",
        "published_at": "2026-11-20T16:30:00Z", "date_source": "page",
    }
    base.update(extra)
    return base


def classification(doc_id, sentiment="negative", relevant=True, topics=("budget",), regions=("서울",), version="m1"):
    return {"document_id": doc_id, "model_id": "test", "model_version": version, "relevant": relevant,
            "relevance_score": 0.9, "sentiment": sentiment,
            "sentiment_scores": {"negative": 0.7, "neutral": 0.2, "positive": 0.1},
            "topics": list(topics), "topic_scores": {t: 0.8 for t in topics}, "regions": list(regions)}


def test_open_creates_wal_store_at_latest_version(db, db_path):
    assert db_path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert current_version(db) == SCHEMA_VERSION
    for table in ("sources", "documents", "classifications", "annotations", "crawl_runs", "digests", "labels"):
        assert table in db.table_names()


def test_monitor_db_env_var_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    database = store.open_db()
    assert (tmp_path / "env.db").exists() and database.path == tmp_path / "env.db"


def test_old_version_database_upgrades_without_losing_rows(db_path):
    conn = sqlite3.connect(db_path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute("INSERT INTO documents (id, url, canonical_url, title, body, pub_date, cluster_id) "
                 "VALUES ('x1', 'u', 'u', '옛 문서', '본문', '2021-07-01', 'x1')")
    conn.commit()
    conn.close()
    database = store.open_db(db_path)
    assert current_version(database) == SCHEMA_VERSION
    assert database.execute("SELECT title FROM documents WHERE id='x1'").fetchone()[0] == "옛 문서"
    assert "labels" in database.table_names()
    assert migrate(database) == []  # nothing left to apply


def test_newer_schema_is_refused(db):
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        migrate(db)


def test_save_document_is_idempotent_and_detects_changes_and_copies(db):
    doc_id, status = save_document(db, doc(1))
    assert status == "new"
    assert save_document(db, doc(1)) == (doc_id, "unchanged")
    assert save_document(db, doc(1, body="수정된 본문"))[1] == "updated"
    assert db["documents"].count == 1
    # same text under another URL: stored once more, marked as a duplicate of the first
    copy_id, status = save_document(db, doc(1, url="https://m.other.kr/1", canonical_url="https://other.kr/1",
                                            body="수정된 본문"))
    assert status == "duplicate"
    row = db["documents"].get(copy_id)
    assert row["duplicate_of"] == doc_id and row["cluster_id"] == doc_id
    assert db["documents"].get(doc_id)["pub_date"] == "2026-11-21"  # 16:30 UTC is the next day in Seoul


def test_fts_index_follows_inserts_updates_and_deletes(db):
    doc_id, _ = save_document(db, doc(1, title="이원화 시범 운영", body="세종 자치경찰 이원화"))
    match = lambda term: [r[0] for r in db.execute(  # noqa: E731
        "SELECT d.id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ?", [term])]
    assert match('"이원화"') == [doc_id]
    save_document(db, doc(1, title="주민참여 치안", body="주민 제안 사업"))
    assert match('"이원화"') == [] and match('"주민참여"') == [doc_id]
    with db.conn:
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
    assert match('"주민참여"') == []


def test_shared_queries_on_seeded_store(db):
    ids = [save_document(db, doc(n, published_at=f"2026-11-{10 + n:02d}T01:00:00Z"))[0] for n in range(6)]
    sentiments = ["negative", "negative", "neutral", "positive", "neutral", "negative"]
    save_classifications(db, [classification(i, s) for i, s in zip(ids, sentiments)])
    save_classifications(db, [classification(ids[5], relevant=False, sentiment="neutral", topics=(), regions=())])
    by_day = q.counts(db, "day")
    assert [r["articles"] for r in by_day] == [1, 1, 1, 1, 1]  # the 6th is irrelevant now
    week = q.counts(db, "week", "sentiment", q.Filters(date_from="2026-11-10", date_to="2026-11-16"))
    assert {r["period"] for r in week} == {"2026-11-09"}  # the Monday of that ISO week
    assert {r["sentiment"]: r["articles"] for r in week} == {"negative": 2, "neutral": 2, "positive": 1}
    total = q.totals(db, q.Filters(regions=["서울"]))
    assert total["articles"] == 5 and total["negative"] == 2
    assert abs(total["negative_share"] - 0.4) < 1e-9
    low, high = total["negative_ci"]
    # 2 of 5 at 95 %: hand-computed Wilson bounds (not the raw share ± anything)
    assert low == pytest.approx(0.1176, abs=5e-4) and high == pytest.approx(0.7693, abs=5e-4)
    assert q.totals(db, q.Filters(regions=["부산"]))["articles"] == 0
    rows, n = q.search_documents(db, q.Filters(text="예산 논란"), limit=2)
    assert n == 5 and len(rows) == 2 and rows[0]["topics"] == ["budget"]
    rows, n = q.search_documents(db, q.Filters(text="자치경찰위원회"))
    assert n == 5
    assert q.search_documents(db, q.Filters(text='"NEAR(" "^*" col:x')) == ([], 0)  # FTS5 syntax is data
    with pytest.raises(q.QueryError, match="search syntax"):  # the search language's own operators
        q.search_documents(db, q.Filters(text='"" OR NEAR('))
    with pytest.raises(q.QueryError):
        q.counts(db, "year")


def test_annotation_overrides_model_and_feeds_training(db):
    doc_id, _ = save_document(db, doc(1))
    save_classifications(db, [classification(doc_id, "negative")])
    add_annotation(db, doc_id, "홍보담당", sentiment="positive", regions=["부산"])
    label = db["labels"].get(doc_id)
    assert label["sentiment"] == "positive" and label["origin"] == "model+human"
    assert q.totals(db, q.Filters(regions=["부산"]))["positive"] == 1
    # a newer model version does not undo the human correction
    save_classifications(db, [classification(doc_id, "neutral", version="m2")])
    assert db["labels"].get(doc_id)["sentiment"] == "positive"
    assert db["labels"].get(doc_id)["model_version"] == "m2"
    training = annotations_for_training(db)
    assert training[0]["sentiment"] == "positive" and training[0]["topics"] is None


def test_source_health_tracks_runs(db):
    sync_sources(db, [{"name": "a", "kind": "news", "type": "feed", "url": "http://127.0.0.1/a"},
                      {"name": "b", "kind": "civic", "type": "board", "url": "http://127.0.0.1/b"}])
    finish_run(db, start_run(db, "a"), new=3)
    finish_run(db, start_run(db, "b"), status="error", error="HTTP 500")
    finish_run(db, start_run(db, "b"), status="error", error="timeout")
    health = {h["name"]: h for h in source_health(db)}
    assert health["a"]["error_count"] == 0 and health["a"]["last_ok"]
    assert health["b"]["error_count"] == 2 and health["b"]["last_error"] == "timeout"
    sync_sources(db, [{"name": "a", "kind": "news", "type": "feed", "url": "http://127.0.0.1/a"}])
    assert db["sources"].get("b")["enabled"] == 0


def test_corrupt_database_file_is_not_overwritten(tmp_path):
    path = tmp_path / "monitor.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StoreError, match="not a SQLite database"):
        store.open_db(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_unwritable_location_gives_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(store.StoreError, match="cannot create the folder"):
        store.open_db(blocker / "sub" / "monitor.db")


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "monitor.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_cli_init_then_status_on_empty_db(tmp_path):
    path = tmp_path / "cli.db"
    result = run_cli("--db", str(path), "init")
    assert result.returncode == 0, result.stderr
    result = run_cli("status", "--db", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert '"documents": 0' in result.stdout


def test_cli_help_lists_every_command():
    out = run_cli("--help").stdout
    for command in ("init", "crawl", "classify", "predict", "train", "evaluate", "dashboard", "digest",
                    "export", "status"):
        assert command in out


def test_cli_reports_corrupt_db_without_traceback(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"garbage" * 50)
    result = run_cli("--db", str(path), "status")
    assert result.returncode == 1
    assert "not a SQLite database" in result.stderr and "Traceback" not in result.stderr


def test_run_left_running_by_a_killed_crawl_is_closed_at_next_start(db):
    sync_sources(db, [{"name": "a", "kind": "news", "type": "feed", "url": "http://127.0.0.1/a"}])
    killed = start_run(db, "a")  # never finished: the process died
    finish_run(db, start_run(db, "a"), new=1)
    assert db["crawl_runs"].get(killed)["status"] == "interrupted"


def test_skipped_source_shows_reason_without_counting_as_failure(db):
    sync_sources(db, [{"name": "n", "kind": "news", "type": "naver_api", "url": "http://127.0.0.1/n"}])
    finish_run(db, start_run(db, "n"), status="skipped", error="NAVER_CLIENT_ID not set")
    row = db["sources"].get("n")
    assert row["error_count"] == 0 and row["last_error"] == "NAVER_CLIENT_ID not set"


def test_labels_of_a_large_batch_follow_each_documents_newest_classification_and_corrections(db):
    """refresh_labels works a chunk of documents per query: 1,203 documents (three chunks) whose
    topics/regions grow, shrink and vanish give the same labels as the rule applied one by one;
    a re-classification that changes nothing but the model version marks no rollup day."""
    from store import rollups
    from store.labels import _REFRESH_CHUNK
    n = 2 * _REFRESH_CHUNK + 203
    ids = [save_document(db, doc(i, published_at=f"2026-11-{1 + i % 28:02d}T03:00:00Z"))[0] for i in range(n)]
    topic_sets = [(), ("budget",), ("budget", "staffing"), ("awareness",)]
    region_sets = [(), ("서울",), ("서울", "부산")]
    save_classifications(db, [classification(d, ("negative", "neutral", "positive")[i % 3],
                                             topics=topic_sets[i % 4], regions=region_sets[i % 3])
                              for i, d in enumerate(ids)])
    add_annotation(db, ids[7], "검토자", sentiment="positive", topics=["model"])
    # m2 shifts every topic set by one and every region set by one; sentiment as before
    m2 = [classification(d, ("negative", "neutral", "positive")[i % 3], topics=topic_sets[(i + 1) % 4],
                         regions=region_sets[(i + 1) % 3], version="m2") for i, d in enumerate(ids)]
    save_classifications(db, m2)
    for i, d in enumerate(ids):
        label = db["labels"].get(d)
        want_topics = ["model"] if i == 7 else list(topic_sets[(i + 1) % 4])
        want_sentiment = "positive" if i == 7 else ("negative", "neutral", "positive")[i % 3]
        assert (label["model_version"], label["sentiment"]) == ("m2", want_sentiment), i
        assert sorted(r[0] for r in db.execute("SELECT topic FROM label_topics WHERE document_id = ?", [d])) \
            == sorted(want_topics), i
        assert sorted(r[0] for r in db.execute("SELECT region FROM label_regions WHERE document_id = ?", [d])) \
            == sorted(region_sets[(i + 1) % 3]), i
    assert db.execute("SELECT COUNT(*) FROM label_topics").fetchone()[0] == \
        sum(len(topic_sets[(i + 1) % 4]) for i in range(n) if i != 7) + 1
    rollups.ensure(db)
    assert rollups.refresh_if_dirty(db) == 0
    save_classifications(db, [{**c, "model_version": "m3"} for c in m2])        # same labels, new version
    assert db.execute("SELECT COUNT(*) FROM rollup_dirty").fetchone()[0] == 0
    assert {r[0] for r in db.execute("SELECT DISTINCT model_version FROM labels")} == {"m3"}
    changed = {**m2[10], "model_version": "m4", "sentiment": "positive" if m2[10]["sentiment"] != "positive" else "neutral"}
    save_classifications(db, [changed])
    assert [r[0] for r in db.execute("SELECT day FROM rollup_dirty")] == [db["documents"].get(ids[10])["pub_date"]]
