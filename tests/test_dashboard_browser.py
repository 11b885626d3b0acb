"""The real dashboard in headless Chromium: every view renders with seeded data, a filter
changes the charts and the URL, a correction is stored as an annotation, and an empty store
shows its message."""
import time

import pytest

from dashboard.browser import Server, chromium, find_chromium
from store import open_db
from store.synthetic import seed_synthetic

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
END = "2026-11-20"


def wait_for(driver, condition, timeout=40, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition(driver)
            if value:
                return value
        except Exception:  # noqa: BLE001 - element not there yet
            pass
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; page text: {driver.find_element('tag name', 'body').text[:600]}")


def css(driver, selector):
    return driver.find_elements("css selector", selector)


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("dash") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 1500, days=60, end_date=END, seed=7)
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def server(seeded_path):
    from dashboard.app import create_app
    srv = Server(create_app(seeded_path))
    yield srv
    srv.close()


@pytest.mark.parametrize("view,ready", [
    ("overview", "#kpi-articles .kpi-value"),
    ("regions", "#rg-map .scatterlayer .point"),
    ("topics", "#tp-lines .scatterlayer .trace"),  # the term panel: test_analysis_browser.py
    ("sources", "#src-outlets .barlayer .point"),
    ("documents", "#doc-table td"),
    ("status", "#kpi-model"),
])
def test_each_view_renders_with_seeded_data(browser, server, view, ready):
    browser.get(f"{server.url}/?view={view}")
    wait_for(browser, lambda d: css(d, ready), what=f"{view}: {ready}")
    body = browser.find_element("tag name", "body").text
    assert "오류가 발생했습니다" not in body
    assert "선택한 조건에 맞는 문서가 없습니다" not in body
    assert css(browser, f"#view-{view}")[0].is_displayed()


def test_filter_changes_charts_and_url(browser, server):
    browser.get(f"{server.url}/?start=2026-10-01&end={END}")
    first = wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text, what="KPI")
    box = css(browser, "#f-q")[0]
    box.send_keys("예산 치안\n")  # debounced search: applies on Enter
    wait_for(browser, lambda d: "q=" in d.current_url, what="search term in URL")
    filtered = wait_for(browser, lambda d: (t := css(d, "#kpi-articles .kpi-value")[0].text) != first and t,
                        what="KPI to change")
    assert int(filtered.replace(",", "")) < int(first.replace(",", ""))
    # The link restores the same filter in a fresh page.
    browser.get(browser.current_url)
    assert wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text == filtered, what="same KPI")
    assert css(browser, "#f-q")[0].get_attribute("value") == "예산 치안"


def test_region_in_url_filters_and_weekly_switch(browser, server):
    browser.get(f"{server.url}/?region=서울&start=2026-10-01&end={END}")
    wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value"), what="KPI")
    bars_daily = wait_for(browser, lambda d: len(css(d, "#ov-volume .barlayer .point")), what="daily bars")
    next(el for el in css(browser, "#f-by label") if el.text == "주별").click()
    wait_for(browser, lambda d: "by=week" in d.current_url, what="by=week in URL")
    weekly = wait_for(browser, lambda d: (n := len(css(d, "#ov-volume .barlayer .point"))) < bars_daily and n,
                      what="fewer (weekly) bars")
    assert weekly < bars_daily
    assert "region=%EC%84%9C%EC%9A%B8" in browser.current_url  # 서울 kept


def test_correction_is_stored_as_annotation(browser, server, seeded_path):
    browser.get(f"{server.url}/?view=documents")
    cell = wait_for(browser, lambda d: css(d, "#doc-table td[data-dash-column='outlet']"), what="table rows")[0]
    cell.click()
    wait_for(browser, lambda d: css(d, "#ann-form")[0].is_displayed(), what="annotation form")
    current = [el for el in css(browser, "#ann-sentiment input") if el.is_selected()]
    options = css(browser, "#ann-sentiment label")
    target = next(label for label, box in zip(options, css(browser, "#ann-sentiment input"))
                  if box not in current)
    target.click()
    name = css(browser, "#ann-annotator")[0]
    name.clear()
    name.send_keys("홍보담당")
    css(browser, "#ann-save")[0].click()
    wait_for(browser, lambda d: "저장되었습니다" in css(d, "#ann-result")[0].text, what="saved message")
    db = open_db(seeded_path)
    rows = list(db.query("SELECT * FROM annotations WHERE annotator = '홍보담당'"))
    assert len(rows) == 1
    sentiment_ko = {"부정": "negative", "중립": "neutral", "긍정": "positive"}[target.text.strip()]
    assert rows[0]["sentiment"] == sentiment_ko
    label = db.execute("SELECT sentiment, origin FROM labels WHERE document_id = ?", [rows[0]["document_id"]]).fetchone()
    assert label == (sentiment_ko, "model+human")
    db.conn.close()


def test_empty_store_shows_message(browser, tmp_path):
    from dashboard.app import create_app
    srv = Server(create_app(tmp_path / "empty.db"))
    try:
        browser.get(srv.url + "/")
        wait_for(browser, lambda d: "아직 수집된 문서가 없습니다" in css(d, "#ov-notice")[0].text, what="empty message")
        wait_for(browser, lambda d: "아직 수집된 문서가 없습니다" in css(d, "#ov-volume")[0].text, what="chart message")
        assert not css(browser, "#ov-volume .barlayer .point")
    finally:
        srv.close()


def test_clicking_a_region_tile_filters_everything(browser, server):
    from selenium.webdriver.common.action_chains import ActionChains
    browser.get(f"{server.url}/?view=regions&start=2026-10-01&end={END}")
    tiles = wait_for(browser, lambda d: css(d, "#rg-map .scatterlayer .point"), what="region tiles")
    assert "region=" not in browser.current_url
    ActionChains(browser).move_to_element(tiles[0]).click().perform()
    url = wait_for(browser, lambda d: "region=" in d.current_url and d.current_url, what="region in URL")
    from urllib.parse import parse_qs, urlparse
    [region] = parse_qs(urlparse(url).query)["region"]
    from vocabulary import ALL_REGIONS
    assert region in ALL_REGIONS
    assert region in css(browser, "#f-region")[0].text  # the filter box shows the clicked region
    # Every view now answers for that region: the overview's KPI is below the all-region one.
    browser.get(url.replace("view=regions", "view=overview"))
    one = int(wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text, what="KPI").replace(",", ""))
    browser.get(f"{server.url}/?start=2026-10-01&end={END}")
    every = int(wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text, what="KPI").replace(",", ""))
    assert 0 < one < every


def test_chart_downloads_as_a_named_png(browser, server, tmp_path):
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(f"{server.url}/?start=2026-10-01&end={END}")
    wait_for(browser, lambda d: css(d, "#ov-volume .barlayer .point"), what="volume chart")
    titles = [b.get_attribute("data-title") for b in css(browser, "#ov-volume .modebar-btn")]
    assert not [t for t in titles if "Share" in t or "Studio" in t], titles  # nothing sends data outside
    button = css(browser, "#ov-volume .modebar-btn[data-title='Download plot as a PNG']")
    assert button, f"the chart's toolbar offers the PNG download: {titles}"
    browser.execute_script("arguments[0].click();", button[0])
    saved = wait_for(browser, lambda d: [p for p in tmp_path.iterdir() if p.suffix == ".png"], what="downloaded PNG")
    assert saved[0].name == "자치경찰_모니터_기사량_추이.png"
    data = saved[0].read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
