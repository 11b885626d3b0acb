"""관심 목록 in headless Chromium (one browser for the module): a search typed in the search box
and a region filter are saved under a name; the watchlist is listed with its trend, whose
bars and totals agree with the store; deleting it asks first and removes it."""
import pytest

from dashboard.browser import find_chromium
from store import open_db
from store.synthetic import seed_synthetic
from test_dashboard_browser import browser, css, server, wait_for  # noqa: F401 - fixtures (server uses this seeded_path)
from watchlists import table, trend

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
START, END = "2026-11-07", "2026-11-20"
BARS = "return document.querySelector('#wl-list .wl-card .js-plotly-plot').data.map(t => t.y)"


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("watchlists_browser") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 400, days=30, end_date=END, seed=5)
    db.conn.close()
    return path


def test_save_the_search_as_a_watchlist_and_see_its_trend(browser, server, seeded_path):
    browser.get(f"{server.url}/?view=watchlists&region=서울&start={START}&end={END}")
    wait_for(browser, lambda d: "저장한 관심 목록이 없습니다" in css(d, "#wl-list")[0].text, what="empty list")
    css(browser, "#f-q")[0].send_keys("예산 OR 인력\n")  # debounced search: applies on Enter
    wait_for(browser, lambda d: "검색어: 예산 OR 인력 · 지역: 서울" in css(d, "#wl-current")[0].text, what="condition")
    css(browser, "#wl-name")[0].send_keys("서울 예산·인력")
    css(browser, "#wl-save")[0].click()
    wait_for(browser, lambda d: "저장했습니다" in css(d, "#wl-result")[0].text, what="saved")
    card = wait_for(browser, lambda d: css(d, "#wl-list .wl-card"), what="the watchlist card")[0]
    assert card.find_element("css selector", ".wl-name").text == "서울 예산·인력"

    db = open_db(seeded_path)
    try:
        [wl] = table.all_watchlists(db)
        assert (wl["query"], wl["filters"]) == ("예산 OR 인력", {"region": ["서울"]})
        rows = trend.trend(db, wl, "day", START, END)
        total = trend.totals(db, wl, START, END)
    finally:
        db.conn.close()
    bars = wait_for(browser, lambda d: d.execute_script(BARS), what="the trend chart")
    assert len(rows) == 14 and bars[0] == [r["articles"] for r in rows] and bars[1] == [r["stories"] for r in rows]
    assert sum(bars[0]) == total["articles"] > 0
    totals = card.find_element("css selector", ".wl-totals").text
    assert f"기사 {total['articles']:,}건 · 기사 묶음 {total['stories']:,}건" in totals
    assert f"논조 분류 {total['labelled']:,}건 중 {total['negative']:,}건" in totals
    assert len(card.find_elements("css selector", "li a")) == 5  # the newest documents, as links

    card.find_element("css selector", ".wl-delete").click()
    browser.switch_to.alert.accept()  # "'서울 예산·인력' 관심 목록을 지울까요?"
    wait_for(browser, lambda d: "관심 목록을 지웠습니다" in css(d, "#wl-result")[0].text, what="deleted")
    wait_for(browser, lambda d: not css(d, "#wl-list .wl-card"), what="the card gone")
    assert "오류가 발생했습니다" not in browser.find_element("tag name", "body").text
