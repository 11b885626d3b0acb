"""The 주제 view's distinctive-terms panel in headless Chromium: the bars are the period's
terms against the previous period, the same as /api/v1/keywords answers for the same dates."""
import json
import urllib.request

import pytest

from dashboard.browser import Server, find_chromium
from nlp.indexing import index_pending
from store import open_db, rollups
from test_dashboard_browser import browser, css, server, wait_for  # noqa: F401 - fixtures (server uses this seeded_path)
from test_terms import _doc

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
WEEK2 = "start=2026-11-09&end=2026-11-15"
FIGURE = "return document.querySelector('#tp-keywords .js-plotly-plot')"


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    """Week 1: 자치경찰 예산 news; week 2 the same, 8 of 10 also on 경찰국 신설, 5 critical (비판)."""
    path = tmp_path_factory.mktemp("terms_dash") / "monitor.db"
    db = open_db(path)
    for i in range(10):
        _doc(db, f"w1-{i}", f"자치경찰 예산 소식 {i}", "자치경찰 예산 심의가 열렸다. 주민 안전 대책.", f"2026-11-0{2 + i % 7}")
    for i in range(10):
        body = ("경찰국 신설에 대한 비판이 커졌다." if i < 5 else "경찰국 신설 논의.") if i < 8 else "주민 안전 대책."
        _doc(db, f"w2-{i}", f"자치경찰 예산 {i}", body, f"2026-11-{9 + i % 7:02d}", "negative" if i < 5 else "neutral")
    rollups.ensure(db)
    index_pending(db)
    db.conn.close()
    return path


def test_topics_panel_shows_the_periods_distinctive_terms(browser, server, tmp_path):
    browser.get(f"{server.url}/?view=topics&{WEEK2}")
    wait_for(browser, lambda d: css(d, "#tp-keywords .barlayer .point"), what="term bars")
    shown = browser.execute_script(FIGURE + ".data[0].y")[::-1]  # drawn bottom-up: the top term last
    title = browser.execute_script(FIGURE + ".layout.title.text")
    with urllib.request.urlopen(f"{server.url}/api/v1/keywords?from=2026-11-09&to=2026-11-15&n=20", timeout=30) as r:
        api = json.load(r)
    assert shown == [t["term"] for t in api["data"] if t["z"] > 0] and shown[0] == "경찰국"
    assert "기사 10건" in title and "이전 기간 10건" in title and "200" not in title
    points = css(browser, "#tp-keywords .barlayer .point")
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(browser).move_to_element(points[-1]).perform()
    hover = wait_for(browser, lambda d: " ".join(e.text for e in css(d, "#tp-keywords .hoverlayer .hovertext")),
                     what="hover label")
    assert "경찰국: 이번 8건 · 이전 기간 0건" in hover
    shot = tmp_path / "topics_keywords.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    browser.get(f"{server.url}/?view=topics&sentiment=negative&{WEEK2}")  # critical coverage against the rest
    wait_for(browser, lambda d: "다른 논조 5건" in browser.execute_script(FIGURE + ".layout.title.text"), what="title")
    assert browser.execute_script(FIGURE + ".data[0].y")[-1] == "비판"
