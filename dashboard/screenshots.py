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


def main(out=OUT):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    db = open_db(tmp / "demo.db")
    seed_synthetic(db, 6000, days=120, end_date="2026-11-20", seed=1)
    db["spikes"].insert({"day": "2026-11-12", "metric": "volume", "scope": "all", "key": "all", "value": 95,
                         "baseline": 60, "threshold": 85, "zscore": 3.4})
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
