"""Security: crawled text is escaped (checked in headless Chromium), user search text never
reaches SQL unparameterised, no secret in logs or the store, and no public bind without login."""
import json
import os
import socket
import subprocess
import sys

import pytest

from crawler.run import start_crawl
from dashboard.browser import chromium, find_chromium
from reliability_support import DashboardServer, REPO, env, http_get, integrity, monitor, scalar, wait_until
from store.documents import save_document
from store.labels import save_classifications
from store.queries import Filters, QueryError, search_documents
from store.synthetic import seed_synthetic

EVIL_TITLE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> 자치경찰 XSS 시험'
EVIL_SUMMARY = '<svg onload="window.__xss=3"></svg><b>굵게</b> "); DROP TABLE documents; --'

def store_evil_document(db):
    doc_id, status = save_document(db, {
        "url": "http://127.0.0.1/evil", "canonical_url": "http://127.0.0.1/evil", "source": "<i>소스</i>",
        "kind": "news", "outlet": '<img src=x onerror="window.__xss=4">매체', "title": EVIL_TITLE,
        "summary": EVIL_SUMMARY, "body": EVIL_SUMMARY, "published_at": "2026-03-02T01:00:00Z",
        "date_source": "page"})
    save_classifications(db, [{"document_id": doc_id, "model_version": "test", "relevant": True,
                               "sentiment": "negative", "topics": [], "regions": ["서울"]}])
    return doc_id


def text_of(driver, element_id):
    """The element's text, '' while Dash has not rendered it yet."""
    from selenium.common.exceptions import WebDriverException
    try:
        return driver.find_element("id", element_id).text
    except WebDriverException:
        return ""


@pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
def test_crawled_markup_does_not_run_in_the_browser(db, db_path):
    seed_synthetic(db, 30, days=10, end_date="2026-03-05", seed=1)
    doc_id = store_evil_document(db)
    with DashboardServer(db_path) as dash:
        driver = chromium()
        try:
            driver.set_page_load_timeout(60)
            driver.get(dash.url + "?view=documents&start=2026-02-01&end=2026-03-05&q=XSS")
            assert wait_until(lambda: "자치경찰 XSS 시험" in text_of(driver, "doc-table"), 60), \
                driver.find_element("tag name", "body").text[:500]
            cell = next(c for c in driver.find_elements("css selector", "#doc-table td")
                        if "XSS 시험" in c.text)
            cell.click()  # opens the detail panel: title, outlet and summary
            assert wait_until(lambda: "굵게" in text_of(driver, "doc-detail"), 30)
            page_text = driver.find_element("tag name", "body").text
            injected = driver.execute_script("return [window.__xss, document.querySelectorAll("
                                             "'#doc-table script, #doc-detail script, #doc-table img, "
                                             "#doc-detail img, #doc-detail svg').length]")
        finally:
            driver.quit()
    assert injected == [None, 0]
    assert "<script>window.__xss=1</script>" in page_text  # shown as text
    assert "<svg onload=" in page_text


def test_api_returns_crawled_markup_as_json_data(db, db_path):
    store_evil_document(db)
    with DashboardServer(db_path) as dash:
        status, body = http_get(dash.url + "api/v1/documents?q=XSS&relevance=all")
        csv_status, csv_body = http_get(dash.url + "api/v1/documents?q=XSS&relevance=all&format=csv")
    assert status == 200
    rows = json.loads(body)["data"]
    assert [r["title"] for r in rows] == [EVIL_TITLE]  # data, unchanged; the client escapes
    assert csv_status == 200 and "<script>" in csv_body


FTS_ATTACKS = ['"', '""', "'", "자치경찰\"", 'a" OR "b', "NEAR(자치경찰 위원회)", "자치* OR 예산", "-자치경찰",
               "title:자치경찰", "^자치", "'; DROP TABLE documents; --", "자치경찰 AND", "(((", "%_\\", "\x00"]


@pytest.mark.parametrize("text", FTS_ATTACKS)
def test_search_text_with_quotes_and_operators_is_safe(db, db_path, text):
    seed_synthetic(db, 50, days=10, seed=2)
    try:  # the search language (store/search.py) reads operators; its tests check the matches
        rows, total = search_documents(db, Filters(text=text, relevance="all"), limit=5)
    except QueryError as exc:  # allowed: a Korean / English message a user can act on
        assert " / " in str(exc) and "Traceback" not in str(exc)
    else:
        assert 0 <= total <= 50 and len(rows) == min(total, 5)
    assert scalar(db_path, "SELECT COUNT(*) FROM documents") == 50


def test_search_operators_are_taken_literally(db):
    seed_synthetic(db, 50, days=10, seed=2)
    _, everything = search_documents(db, Filters(text="자치경찰", relevance="all"), limit=0)
    _, with_or = search_documents(db, Filters(text="자치경찰 or 없는말", relevance="all"), limit=0)
    _, fts_syntax = search_documents(db, Filters(text="자치경찰 NEAR 없는말", relevance="all"), limit=0)
    assert everything > 0 and with_or == 0 and fts_syntax == 0  # lower-case or, NEAR: words to find
    # the search language's own OR (capitals, store/search.py) is an operator
    assert search_documents(db, Filters(text="자치경찰 OR 없는말", relevance="all"), limit=0)[1] == everything


def test_api_bad_parameters_get_a_message_not_a_crash(db, db_path):
    seed_synthetic(db, 20, days=10, seed=2)
    with DashboardServer(db_path) as dash:
        answers = {q: http_get(dash.url + "api/v1/documents?" + q) for q in (
            'q=" OR 1=1 --', "q=NEAR(a b", "from=2026-13-45", "relevance=everything", "outlet=' OR ''='",
            "per_page=-1", "region=<script>")}
    expected = {'q=" OR 1=1 --': 400, "q=NEAR(a b": 400, "from=2026-13-45": 400, "relevance=everything": 400,
                "outlet=' OR ''='": 200, "per_page=-1": 400, "region=<script>": 400}
    assert {query: status for query, (status, _) in answers.items()} == expected
    for query, (status, body) in answers.items():
        if status == 400:
            message = json.loads(body)["error"]
            assert message.startswith(("잘못된", "검색식 오류")) and "Traceback" not in message, message
        else:
            assert json.loads(body)["data"] == [], query  # operators and quotes are text nobody wrote
    assert "quote" in json.loads(answers['q=" OR 1=1 --'][1])["error"]  # the search language names the mistake
    assert integrity(db_path) == ("ok", [])


def test_no_secrets_in_crawl_logs_or_store(tmp_path, sample_site):
    secret_env, secret_cfg = "env-secret-7f3a9c", "cfg-secret-51d2e8"
    config = tmp_path / "sources.toml"
    config.write_text(
        '[crawl]\nfast = true\ntimeout = 5\nretries = 0\nlog_level = "DEBUG"\n\n[[source]]\nname = "네이버"\n'
        f'kind = "news"\ntype = "naver_api"\nurl = "{{base}}v1/search/news.json"\nclient_id = "demo-id"\n'
        f'client_secret = "{secret_cfg}"\nquery_terms = ["자치경찰"]\n', encoding="utf-8")
    os.environ["NAVER_CLIENT_SECRET"] = secret_env
    try:
        job = start_crawl(tmp_path / "monitor.db", config, base_url=sample_site.url)
        summaries = job.wait(timeout=120)
    finally:
        del os.environ["NAVER_CLIENT_SECRET"]
    log = job.log_tail(10_000_000)
    assert summaries[0]["status"] == "ok" and summaries[0]["new"] > 0, (summaries, log[-2000:])
    assert "DEBUG" in log  # the most talkative level was on
    dump = "\n".join(__import__("sqlite3").connect(tmp_path / "monitor.db").iterdump())
    for secret in (secret_env, secret_cfg):
        assert secret not in log and secret not in json.dumps(summaries) and secret not in dump


def test_no_smtp_password_in_digest_errors_or_output(tmp_path, db_path, db):
    seed_synthetic(db, 30, days=14, seed=4)
    with socket.socket() as s:  # a port nobody listens on: the send fails
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    password = "smtp-pass-93be1c"
    result = monitor("--db", db_path, "digest", "--send", "--recipients", "staff@example.org",
                     extra_env={"MONITOR_SMTP_HOST": "127.0.0.1", "MONITOR_SMTP_PORT": str(port),
                                "MONITOR_SMTP_SECURITY": "none", "MONITOR_SMTP_USER": "monitor",
                                "MONITOR_SMTP_PASSWORD": password, "MONITOR_SMTP_SENDER": "monitor@example.org"})
    dump = "\n".join(__import__("sqlite3").connect(db_path).iterdump())
    assert password not in result.stdout + result.stderr and password not in dump
    assert "staff@example.org" in dump  # the failed send was recorded


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dashboard_refuses_public_bind_without_login(tmp_path):
    clean = {k: "" for k in ("MONITOR_DASHBOARD_USER", "MONITOR_DASHBOARD_PASSWORD")}
    result = monitor("--db", tmp_path / "m.db", "dashboard", "--host", "0.0.0.0", "--port", free_port(),
                     extra_env=clean, timeout=60)
    assert result.returncode != 0
    assert "MONITOR_DASHBOARD_PASSWORD" in result.stderr and "0.0.0.0" in result.stderr


def test_scheduler_refuses_public_dashboard_without_login(tmp_path):
    clean = {k: "" for k in ("MONITOR_DASHBOARD_USER", "MONITOR_DASHBOARD_PASSWORD")}
    result = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--db", str(tmp_path / "m.db"),
                             "--host", "0.0.0.0", "--port", str(free_port())], cwd=REPO, env={**env(), **clean},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "MONITOR_DASHBOARD_PASSWORD" in result.stderr


def test_login_is_enforced_on_pages_and_api(db, db_path):
    seed_synthetic(db, 10, days=5, seed=5)
    with DashboardServer(db_path, auth=("staff", "s3cret-pass")) as dash:
        page, api = http_get(dash.url), http_get(dash.url + "api/v1/documents")
        import base64
        import urllib.request
        req = urllib.request.Request(dash.url + "api/v1/documents", headers={
            "Authorization": "Basic " + base64.b64encode(b"staff:s3cret-pass").decode()})
        with urllib.request.urlopen(req, timeout=30) as resp:
            ok = resp.status
    assert page[0] == 401 and api[0] == 401 and ok == 200
