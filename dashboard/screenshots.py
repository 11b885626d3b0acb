"""Screenshots of every view for the docs: `python -m dashboard.screenshots [OUT_DIR]`.

Seeds a synthetic store in a temporary folder, serves the app on 127.0.0.1 and saves one
PNG per view (plus the document detail and the empty store) with headless Chromium.
"""
import sys
import tempfile
import time
from pathlib import Path

from dashboard.app import create_app
from dashboard.browser import Server, chromium
from store import open_db
from store.synthetic import seed_synthetic

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SHOTS = [("overview", "", "#kpi-articles"), ("regions", "&region=서울", "#rg-map .point"),
         ("topics", "", "#tp-keywords .barlayer .point"), ("sources", "", "#src-outlets .barlayer .point"),
         ("documents", "", "#doc-table td"), ("status", "", "#kpi-model")]


def _wait(driver, selector, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not driver.find_elements("css selector", selector):
        time.sleep(0.3)
    time.sleep(1.5)  # let the remaining charts finish drawing


def _demo_status(db):
    """Sources with crawl runs and the scheduler's next jobs, so the status view has content."""
    from store.sources import finish_run, start_run, sync_sources
    sync_sources(db, [{"name": "연합뉴스-자치경찰", "kind": "news", "type": "rss", "url": "https://news.example.kr/rss"},
                      {"name": "참여연대-성명", "kind": "civic", "type": "list", "url": "https://civic.example.kr/"},
                      {"name": "서울자치경찰위-보도자료", "kind": "committee", "type": "list", "url": "https://c.example.kr/"}])
    finish_run(db, start_run(db, "연합뉴스-자치경찰"), new=42, duplicate=3)
    finish_run(db, start_run(db, "참여연대-성명"), new=2)
    finish_run(db, start_run(db, "서울자치경찰위-보도자료"), status="error", error="HTTP 503")
    db["scheduled_jobs"].insert_all([
        {"job_id": "crawl", "name": "수집", "trigger": "매시 정각", "next_run_at": "2026-11-21T10:00:00+09:00"},
        {"job_id": "digest", "name": "주간 요약 메일", "trigger": "매주 월 08:00", "next_run_at": "2026-11-23T08:00:00+09:00"}])


def main(out=OUT):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    db = open_db(tmp / "demo.db")
    seed_synthetic(db, 6000, days=120, end_date="2026-11-20", seed=1)
    db["spikes"].insert({"day": "2026-11-12", "metric": "volume", "scope": "all", "key": "all", "value": 95,
                         "baseline": 60, "threshold": 85, "zscore": 3.4})
    _demo_status(db)
    from nlp.indexing import index_pending
    index_pending(db)  # term lists for the 주제 panel (classify does this for crawled documents)
    db.conn.close()
    driver = chromium(1440, 1700)
    srv = Server(create_app(tmp / "demo.db"))
    try:
        for view, extra, ready in SHOTS:
            driver.get(f"{srv.url}/?view={view}{extra}")
            _wait(driver, ready)
            driver.save_screenshot(str(out / f"{view}.png"))
            if view == "documents":
                driver.find_elements("css selector", "#doc-table td[data-dash-column='outlet']")[0].click()
                _wait(driver, "#doc-detail-panel")
                driver.execute_script("document.getElementById('doc-detail').scrollIntoView()")
                driver.save_screenshot(str(out / "document_detail.png"))
    finally:
        srv.close()
    empty = Server(create_app(tmp / "empty.db"))
    try:
        driver.get(empty.url + "/")
        _wait(driver, "#ov-notice .notice")
        driver.save_screenshot(str(out / "empty_store.png"))
    finally:
        empty.close()
        driver.quit()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
