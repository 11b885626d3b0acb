"""The real dashboard in headless Chromium: every view renders with seeded data, a filter
changes the charts and the URL, a correction is stored as an annotation, and an empty store
shows its message."""
import time

import pytest

from dashboard.browser import Server, chromium, find_chromium, phone as phone_size
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


def number(text):
    """'1,234건' -> 1234 (a KPI card's value)."""
    return int(text.replace(",", "").rstrip("건곳"))


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("dash") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 1500, days=60, end_date=END, seed=7)
    from analysis.spikes import store_spikes
    store_spikes(db, [{"day": "2026-11-12", "metric": "volume", "scope": "region", "key": "서울", "value": 30,
                       "baseline": 4.0, "threshold": None, "zscore": 6.0},
                      {"day": "2026-11-05", "metric": "volume", "scope": "region", "key": "부산", "value": 25,
                       "baseline": 4.0, "threshold": None, "zscore": 5.0}])
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
    assert number(filtered) < number(first)
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
    one = number(wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text, what="KPI"))
    browser.get(f"{server.url}/?start=2026-10-01&end={END}")
    every = number(wait_for(browser, lambda d: css(d, "#kpi-articles .kpi-value")[0].text, what="KPI"))
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
    assert saved[0].name == "자치경찰_모니터_기사수_추이.png"
    data = saved[0].read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000


def test_topic_chart_draws_every_topic_on_every_day(browser, server):
    browser.get(f"{server.url}/?view=topics&start=2026-11-01&end={END}")
    traces = wait_for(browser, lambda d: (t := css(d, "#tp-lines .scatterlayer .trace")) and len(t) == 11 and t,
                      what="11 topic panels")
    for trace in traces:  # a marker for each of the 20 days, zeros included
        assert len(trace.find_elements("css selector", ".point")) == 20
    assert "주제별 기사 수" in css(browser, "#tp-lines .gtitle")[0].text


def test_a_partial_week_is_marked(browser, server):
    browser.get(f"{server.url}/?by=week&start=2026-10-28&end={END}")  # a Wednesday to a Friday
    ticks = wait_for(browser, lambda d: (t := [x.text for x in css(d, "#ov-volume .xtick text")]) and "~" in t[0] and t,
                     what="weekly ticks")
    assert ticks[0] == "10/26~11/1*" and ticks[-1] == "11/16~22*" and "11/9~15" in ticks
    note = wait_for(browser, lambda d: " ".join(t.text for t in css(d, "#ov-volume .annotation-text")), what="note")
    assert "10/26~11/1 (7일 중 5일)" in note and "11/16~22 (7일 중 5일)" in note


def test_a_filtered_spike_marker_opens_the_documents_of_its_day(browser, server):
    from selenium.webdriver.common.action_chains import ActionChains
    browser.get(f"{server.url}/?region=서울&start=2026-11-01&end={END}")
    wait_for(browser, lambda d: css(d, "#ov-volume .barlayer .point"), what="volume chart")
    marks = css(browser, "#ov-volume .scatterlayer .trace")[-1].find_elements("css selector", ".point")
    assert len(marks) == 1  # only 서울's spike, not 부산's
    ActionChains(browser).move_to_element(marks[0]).click().perform()
    url = wait_for(browser, lambda d: "view=documents" in d.current_url and d.current_url, what="documents view")
    assert "start=2026-11-12" in url and "end=2026-11-12" in url and "spike=2026-11-12" in url
    panel = wait_for(browser, lambda d: (p := css(d, "#doc-drivers-panel")) and p[0].text, what="what drove it")
    assert "급증 원인 살펴보기: 2026-11-12" in panel and "지역 서울 · 기사 수 30건" in panel
    assert "많이 실린 기사 묶음" in panel and "많이 낸 매체·기관" in panel
    assert "2026-11-12" in wait_for(browser, lambda d: css(d, "#doc-total")[0].text, what="table total")


@pytest.fixture
def phone():
    driver = phone_size(chromium(500, 844))
    yield driver
    driver.quit()


def test_phone_layout_shows_a_chart_on_the_first_screen(phone, server):
    phone.get(f"{server.url}/")
    wait_for(phone, lambda d: css(d, "#ov-volume .barlayer .point"), what="volume chart")
    assert not css(phone, "#filters-box")[0].get_attribute("open")  # folded: one line
    tabs = css(phone, ".tabs .tab")
    assert len({round(t.location["y"]) for t in tabs}) == 1  # six tabs in one row
    top = phone.execute_script("return document.querySelector('#ov-volume').getBoundingClientRect().top")
    assert top < phone.execute_script("return window.innerHeight") - 200, top  # the chart starts on screen 1
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    css(phone, "#filters-box summary")[0].click()  # unfolding shows the filters
    wait_for(phone, lambda d: css(d, "#f-q")[0].is_displayed(), what="filters unfolded")


def test_digest_is_readable_on_a_phone(phone, tmp_path):
    from digest.build import build_digest
    from digest.cli import preview_html
    from digest_helpers import add_docs
    db = open_db(tmp_path / "d.db")
    add_docs(db, "2026-11-17", 1234, region="서울", outlet="한겨레신문사 자치경찰 특별취재팀",
             title="서울시자치경찰위원회 예산 삭감을 둘러싼 시의회와 위원회의 긴 공방")
    add_docs(db, "2026-11-18", 3, region="전국", sentiment="negative")
    page = tmp_path / "digest.html"
    page.write_text(preview_html(build_digest(db, "2026-W47", region="서울")), encoding="utf-8")
    phone.get(page.as_uri())
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    # every number on one line (one line box for its text) and inside its box
    broken = phone.execute_script("""return [...document.querySelectorAll('.num')].filter(el => {
        const range = document.createRange(); range.selectNodeContents(el);
        return range.getClientRects().length !== 1 || el.scrollWidth > el.clientWidth + 1;
        }).map(el => el.textContent);""")
    assert not broken, f"numbers wrapped or cut: {broken}"
    assert len(css(phone, ".num")) >= 10
    assert css(phone, ".summary")[0].text.startswith("이번 주 서울 관련 기사는 1,234건")
