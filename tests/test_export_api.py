"""GET /api/v1/trends and /api/v1/documents: same data as the command, paginated, JSON or
CSV, 400 for bad parameters; through Flask's test client and a real server on 127.0.0.1."""
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import flask
import pytest
from werkzeug.serving import make_server

import store
from export import jobs
from export.api import register
from export.columns import document_columns
from store import queries as q
from export_support import END, build_store, found_rows


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, tiny_model_dir):
    path = tmp_path_factory.mktemp("export_api") / "monitor.db"
    build_store(path, tiny_model_dir)
    return path


@pytest.fixture(scope="module")
def app(store_path):
    return register(flask.Flask("export-api-test"), store_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(store_path):
    database = store.open_db(store_path)
    yield database
    database.conn.close()


def test_trends_json_has_meta_rows_and_links(client, db):
    r = client.get("/api/v1/trends?by=week&group=region&region=서울,부산&region=전국&from=2025-03-01"
                   f"&to={END}&per_page=5&page=2")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    want = jobs.trends(db, {"by": "week", "group": "region", "region": "서울,부산,전국", "from": "2025-03-01",
                            "to": END})[1]
    assert body["data"] == want[5:10]
    assert found_rows(want) == q.counts_multi(db, "week", ["region"], q.Filters(
        date_from="2025-03-01", date_to=END, regions=["서울", "부산", "전국"]))
    # every week of the range × every region of the vocabulary, zeros included; 03-01 is a Saturday
    assert len(want) == 6 * 19 and want[0]["period"] == "2025-02-24" and want[0]["partial"]
    assert (want[0]["days_in_period"], want[-1]["days_in_period"], want[-1]["partial"]) == (2, 1, True)
    meta = body["meta"]
    assert meta["row_count"] == len(want) == int(r.headers["X-Total-Count"])
    assert (meta["page"], meta["per_page"], meta["pages"]) == (2, 5, -(-len(want) // 5))
    assert meta["filters"]["regions"] == ["서울", "부산", "전국"] and meta["model_versions"]
    assert meta["exported_at"].endswith("Z")
    assert "page=1" in body["links"]["prev"] and "page=3" in body["links"]["next"]
    assert 'rel="next"' in r.headers["Link"]


def test_wide_trends_match_the_command(client, db):
    r = client.get("/api/v1/trends?by=month&group=sentiment&shape=wide&metric=negative&per_page=1000")
    _, rows, _, _ = jobs.trends(db, {"by": "month", "group": "sentiment", "shape": "wide", "metric": "negative"})
    assert r.status_code == 200 and r.get_json()["data"] == rows
    for row in rows:  # the negative column counts only negative documents
        assert row["neutral"] == row["positive"] == 0 and row["negative"] >= 0


def test_document_pages_cover_every_document_once(client, db):
    seen, url = [], "/api/v1/documents?relevance=all&per_page=97&with_text=true"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        body = r.get_json()
        seen += body["data"]
        url = body["links"].get("next")
    expected = list(jobs.documents(db, {"relevance": "all", "with_text": True})[1])
    assert seen == expected and len(seen) == 704  # all but the exact duplicate
    assert all(set(row) == {n for n, _ in document_columns(with_text=True)} for row in seen)


def test_documents_csv_has_bom_header_and_counts(client, db):
    r = client.get("/api/v1/documents?format=csv&sentiment=negative&per_page=10")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.data.startswith(b"\xef\xbb\xbf")
    lines = r.data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == [n for n, _ in document_columns()] and len(lines) == 11
    assert int(r.headers["X-Total-Count"]) == q.search_documents(db, q.Filters(sentiments=["negative"]), limit=0)[1]
    assert all(",negative," in line for line in lines[1:])


@pytest.mark.parametrize("path, message", [
    ("/api/v1/trends?by=year", "invalid by: 'year'"),
    ("/api/v1/trends?group=colour", "invalid group: colour"),
    ("/api/v1/trends?shape=wide", "needs at least one group"),
    ("/api/v1/trends?metric=clicks&shape=wide&group=region", "invalid metric"),
    ("/api/v1/trends?from=2025-02-30", "invalid date for from"),
    ("/api/v1/trends?from=2025-03-10&to=2025-03-01", "is after"),
    ("/api/v1/documents?region=서울시", "invalid region: 서울시"),
    ("/api/v1/documents?relevance=maybe", "invalid relevance"),
    ("/api/v1/documents?include_duplicates=perhaps", "invalid include_duplicates"),
    ("/api/v1/documents?format=xml", "invalid format"),
    ("/api/v1/documents?page=0", "page must be between"),
    ("/api/v1/documents?per_page=5000", "per_page must be between"),
    ("/api/v1/documents?per_page=ten", "invalid per_page"),
    ("/api/v1/documents?by=week", "unknown parameter(s): by"),
    ("/api/v1/trends?with_text=1", "unknown parameter(s): with_text"),
])
def test_bad_parameters_get_400_with_a_message(client, path, message):
    r = client.get(path)
    assert r.status_code == 400
    assert message in r.get_json()["error"]


def test_unopenable_store_is_503_not_a_crash(tmp_path):
    client = register(flask.Flask("broken"), tmp_path).test_client()  # a folder, not a DB
    r = client.get("/api/v1/trends")
    assert r.status_code == 503 and "directory" in r.get_json()["error"]


def test_real_server_on_localhost(app, db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1"
    try:
        query = urllib.parse.urlencode({"by": "day", "group": "topic", "topic": "budget", "per_page": 1000})
        with urllib.request.urlopen(f"{base}/trends?{query}", timeout=30) as resp:
            assert resp.status == 200
            body = json.loads(resp.read().decode("utf-8"))
        assert found_rows(body["data"]) == q.counts_multi(db, "day", ["topic"], q.Filters(topics=["budget"]))
        with urllib.request.urlopen(f"{base}/documents?format=csv&per_page=3", timeout=30) as resp:
            assert resp.read().startswith(b"\xef\xbb\xbfid,url,")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}/documents?sentiment=angry", timeout=30)
        assert err.value.code == 400
        assert "invalid sentiment: angry" in json.loads(err.value.read().decode("utf-8"))["error"]
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def rolled_up(store_path, tmp_path):
    """A copy of the module's store with the dashboard's rollup tables (as a served store has)."""
    source = store.open_db(store_path)
    copy = tmp_path / "rolled.db"
    source.conn.execute("VACUUM INTO ?", [str(copy)])
    source.conn.close()
    database = store.open_db(copy)
    from store import rollups
    rollups.ensure(database)
    yield copy, database
    database.conn.close()


def test_rollup_backed_answers_match_the_live_queries_and_follow_changes(rolled_up, monkeypatch):
    path, db = rolled_up
    client = register(flask.Flask("export-api-rollups"), path).test_client()
    calls = []
    real_trends = jobs.trends
    monkeypatch.setattr(jobs, "trends", lambda *a: calls.append(a) or real_trends(*a))
    filters = q.Filters(regions=["서울"])
    r = client.get("/api/v1/documents?region=서울&per_page=3")
    assert int(r.headers["X-Total-Count"]) == q.search_documents(db, filters, limit=0)[1] > 3
    meta = r.get_json()["meta"]
    assert meta["documents_matched"] == int(r.headers["X-Total-Count"])
    assert sum(meta["model_versions"].values()) == 3  # the page's own rows
    trend_url = "/api/v1/trends?by=week&group=sentiment&region=서울"
    first = client.get(trend_url).get_json()["data"]
    assert found_rows(first) == q.counts_multi(db, "week", ["sentiment"], filters)
    assert client.get(trend_url + "&per_page=2").get_json()["data"] == first[:2]
    assert len(calls) == 1  # the second page came from the cache
    # A correction changes the numbers: the next answer is recomputed, not served stale.
    doc = q.search_documents(db, filters.replace(sentiments=["positive"]), limit=1)[0][0]
    from store.labels import add_annotation
    add_annotation(db, doc["id"], "tester", sentiment="negative")
    after = client.get(trend_url).get_json()["data"]
    assert len(calls) == 2 and found_rows(after) == q.counts_multi(db, "week", ["sentiment"], filters)
    assert after != first
    assert int(client.get("/api/v1/documents?region=서울&sentiment=negative").headers["X-Total-Count"]) == \
        q.search_documents(db, filters.replace(sentiments=["negative"]), limit=0)[1]


def test_concurrent_requests_for_one_new_question_compute_it_once(rolled_up):
    import time
    from store.cache import ResultCache
    _, db = rolled_up
    cache, calls, results = ResultCache(), [], []

    def slow():
        calls.append(1)
        time.sleep(0.5)
        return ([], list(range(3)))

    threads = [threading.Thread(target=lambda: results.append(cache.get(db, "same", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(calls) == 1 and results == [([], [0, 1, 2])] * 4
    assert cache.get(db, "same", slow) == ([], [0, 1, 2]) and len(calls) == 1  # served from the cache
    assert not cache.computing
