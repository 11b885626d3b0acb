"""Screenshots of every view for the docs: `python -m dashboard.screenshots [OUT_DIR [NAME ...]]`
(NAME: only these shots, e.g. `docs/screenshots watchlists`).

Seeds a synthetic store in a temporary folder, serves the app on 127.0.0.1 and saves one
PNG per view (plus the document detail and the empty store) with headless Chromium.
"""
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from analysis.spikes import detect_spikes
from dashboard.app import create_app
from dashboard.browser import Server, chromium, phone
from events.table import save_collected
from store import open_db
from store.documents import save_document
from store.labels import save_classifications
from store.synthetic import seed_listings, seed_synthetic

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SPIKE_DAY = "2026-11-12"
# (file name, URL query, element that shows the view is drawn)
SHOTS = [("overview", "", "#ov-volume .barlayer .point"),
         ("overview_weekly", "?by=week&start=2026-10-01", "#ov-volume .barlayer .point"),
         ("regions", "?view=regions&region=서울", "#rg-map .point"),
         ("topics", "?view=topics", "#tp-keywords .barlayer .point"),
         ("words", "?view=words", "#rl-network .scatterlayer .point"),
         ("sources", "?view=sources", "#src-outlets .barlayer .point"),
         ("documents", "?view=documents", "#doc-table td"),
         ("spike_drivers", f"?view=documents&start={SPIKE_DAY}&end={SPIKE_DAY}&spike={SPIKE_DAY}", "#doc-drivers-panel"),
         ("watchlists", "?view=watchlists&start=2026-10-24", "#wl-list .wl-card .barlayer .point"),
         ("status", "?view=status", "#kpi-model")]


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


def _burst(db):
    """A Seoul budget story on SPIKE_DAY: three reports, each carried by many outlets."""
    titles = ["서울시 자치경찰 예산 삭감 논란", "자치경찰위원회 예산 삭감에 현장 반발", "시의회 자치경찰 예산 재심의 요구"]
    rows = []
    for story, title in enumerate(titles):
        for copy in range(22 - 6 * story):
            doc_id, _ = save_document(db, {
                "canonical_url": f"https://burst.example.kr/{story}/{copy}", "title": f"{title} ({copy + 1})",
                "body": f"{title}. 서울시 자치경찰위원회 예산이 줄었다. ({copy + 1})", "kind": "news",
                "outlet": f"매체{copy % 9 + 1}", "source": "burst", "cluster_id": f"burst-{story}",
                "published_at": f"{SPIKE_DAY}T0{story + 1}:00:00Z"})
            rows.append({"document_id": doc_id, "model_version": "synthetic-1", "relevant": True,
                         "sentiment": "negative" if copy % 3 else "neutral", "topics": ["budget"], "regions": ["서울"]})
    save_classifications(db, rows)


def _people(db):
    """Documents naming people, organisations and places (the 인물·연관어 tab) over the last
    eight weeks, more of them in the last two."""
    people = [("김민수", "위원장"), ("박지영", "사무국장"), ("이준호", "청장"), ("정하늘", "의원")]
    orgs, places = ["참여연대", "서울시의회", "행정안전부", "강남경찰서"], ["강남구", "수원시", "해운대구"]
    rows = []
    for i in range(90):
        day = (dt.date(2026, 11, 20) - dt.timedelta(days=(i * 11) % 56 if i % 3 else i % 14)).isoformat()
        (name, title), org, place = people[i % 4 if i % 5 else 0], orgs[i % 4 if i % 2 else 0], places[i % 3]
        doc_id, _ = save_document(db, {
            "canonical_url": f"https://names.example.kr/{i}", "title": f"{org}, 자치경찰 예산 토론회 열어",
            "body": f"{name} {title}은 {place} 주민 간담회에서 자치경찰 예산과 인력을 말했다. {org}도 의견을 냈다.",
            "kind": "news", "outlet": f"매체{i % 9 + 1}", "source": "names", "published_at": f"{day}T03:00:00Z"})
        rows.append({"document_id": doc_id, "model_version": "synthetic-1", "relevant": True,
                     "sentiment": "negative" if i % 4 == 0 else "neutral", "topics": ["budget"], "regions": ["서울"]})
    save_classifications(db, rows)


def _events(db):
    """Two policy events, so the time charts show their markers."""
    for source, external_id, date, kind, title in (
            ("assembly", "demo:bill", "2026-11-05", "bill", "자치경찰 사무 예산 확대 법률안 발의"),
            ("config", "demo:milestone", "2026-10-28", "milestone", "자치경찰위원회 출범 기념 토론회")):
        save_collected(db, source, [{"external_id": external_id, "date": date, "kind": kind, "title": title,
                                     "region": None, "url": "https://example.org/" + external_id}])


def _watchlists(db):
    """Two saved watchlists for the 관심 목록 tab."""
    from watchlists.table import add
    add(db, "서울 예산 보도", "예산", {"region": ["서울"]}, alert=True, recipients="pr@example.org")
    add(db, "인력·업무부담 비판", "인력 OR 현장 -경찰국", {"sentiment": ["negative"]})


def main(out=OUT, only=None):
    """only: file names (without .png) to take; default every shot."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    db = open_db(tmp / "demo.db")
    seed_synthetic(db, 6000, days=120, end_date="2026-11-20", seed=1)
    _burst(db)
    _people(db)
    seed_listings(db)  # the share-of-collection charts (출처, 지역)
    detect_spikes(db, "2026-10-01", "2026-11-20")
    _demo_status(db)
    _events(db)
    _watchlists(db)
    from nlp.indexing import index_pending
    if not only or {"topics", "words", "spike_drivers"} & set(only):
        index_pending(db)  # term lists for the 주제·인물·연관어 panels (classify does this for crawled documents)
    db.conn.close()
    driver = chromium(1440, 1700)
    srv = Server(create_app(tmp / "demo.db"))
    try:
        for name, query, ready in [shot for shot in SHOTS if not only or shot[0] in only]:
            driver.get(f"{srv.url}/{query}")
            _wait(driver, ready)
            driver.save_screenshot(str(out / f"{name}.png"))
            if name == "words":  # the related-words network under the names
                driver.execute_script("document.getElementById('rl-panel').scrollIntoView()")
                time.sleep(1)
                driver.save_screenshot(str(out / "words_network.png"))
                driver.find_element("css selector", "#rl-word").send_keys("예산\n")  # centred on one word
                _wait(driver, "#rl-network .gtitle")
                deadline = time.monotonic() + 30
                while "'예산'" not in driver.find_element("css selector", "#rl-network .gtitle").text \
                        and time.monotonic() < deadline:
                    time.sleep(0.3)
                time.sleep(1)
                driver.save_screenshot(str(out / "words_focus.png"))
            if name == "documents":
                driver.find_elements("css selector", "#doc-table td[data-dash-column='outlet']")[0].click()
                _wait(driver, "#doc-detail-panel")
                driver.execute_script("document.getElementById('doc-detail').scrollIntoView()")
                driver.save_screenshot(str(out / "document_detail.png"))
        if not only or "phone" in only:
            small = phone(chromium(500, 844))
            try:
                small.get(f"{srv.url}/")
                _wait(small, "#ov-volume .barlayer .point")
                small.save_screenshot(str(out / "phone.png"))
            finally:
                small.quit()
    finally:
        srv.close()
    if only and "empty_store" not in only:
        driver.quit()
        shutil.rmtree(tmp, ignore_errors=True)
        return
    empty = Server(create_app(tmp / "empty.db"))
    try:
        driver.get(empty.url + "/")
        _wait(driver, "#ov-notice .notice")
        driver.save_screenshot(str(out / "empty_store.png"))
    finally:
        empty.close()
        driver.quit()
        shutil.rmtree(tmp, ignore_errors=True)  # the demo store
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else OUT, sys.argv[2:] or None)
