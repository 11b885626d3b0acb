"""Policy events in the real dashboard (headless Chromium): markers on the overview, topic
and region timelines, the toggle, hover text, a click opening the coverage around the event
(figures checked against the store), and staff notes added, edited and deleted in the form."""
import pytest

from dashboard.browser import Server, find_chromium
from events import table
from store import open_db
from store.queries import Filters, totals
from store.synthetic import seed_synthetic
from test_dashboard_browser import browser, css, server, wait_for  # noqa: F401 - fixtures (server uses this seeded_path)

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
END = "2026-11-20"
PERIOD = f"start=2026-10-20&end={END}"
EVENTS = [("assembly", "b1:propose", "2026-11-10", "bill", "발의: 자치경찰 예산 확대 법률안 <b>굵게</b>", None),
          ("lawinfo", "l1:promulgated", "2026-11-03", "law", "「국가경찰과 자치경찰의 조직 및 운영에 관한 법률」 일부개정 공포", None),
          ("config", "m1", "2026-10-28", "milestone", "부산 자치경찰위원회 출범 기념식", "부산")]
MARKERS = "return (document.querySelector('#{id} .js-plotly-plot').data || []).filter(t => (t.name || '').startsWith('이벤트: '))" \
          ".map(t => t.customdata).flat()"


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("events_dash") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 1500, days=60, end_date=END, seed=11)
    for source, external_id, date, kind, title, region in EVENTS:
        table.save_collected(db, source, [{"external_id": external_id, "date": date, "kind": kind, "title": title,
                                           "region": region, "url": "https://example.org/" + external_id}])
    db.conn.close()
    return path


def markers(driver, chart):
    return driver.execute_script(MARKERS.format(id=chart))


def ids(path, kind=None):
    db = open_db(path)
    try:
        return {f"ev:{e['id']}": e for e in table.list_events(db, kinds=[kind] if kind else None)}
    finally:
        db.conn.close()


def test_markers_on_overview_with_hover_and_toggle(browser, server, seeded_path):
    browser.get(f"{server.url}/?{PERIOD}")
    expected = ids(seeded_path)
    shown = wait_for(browser, lambda d: len(markers(d, "ov-volume")) == 3 and markers(d, "ov-volume"), what="markers")
    assert set(shown) == set(expected)
    assert sorted(markers(browser, "ov-critic")) == sorted(expected)  # both timelines
    bill = next(k for k, e in expected.items() if e["kind"] == "bill")
    points = css(browser, "#ov-volume g.xy9 .scatterlayer .point")
    assert len(points) == 3  # drawn, not only in the figure
    from selenium.webdriver.common.action_chains import ActionChains
    index = shown.index(bill)
    ActionChains(browser).move_to_element(points[index]).perform()
    hover = wait_for(browser, lambda d: " ".join(e.text for e in css(d, "#ov-volume .hoverlayer .hovertext")),
                     what="hover label")
    assert "2026-11-10 · 법률안" in hover and "<b>굵게</b>" in hover  # the title's markup is shown, not applied
    # the toggle: no bills, then all again
    next(el for el in css(browser, "#ev-show label") if el.text.strip() == "국회 법률안").click()
    wait_for(browser, lambda d: len(markers(d, "ov-volume")) == 2, what="bill marker hidden")
    assert bill not in markers(browser, "ov-volume")
    next(el for el in css(browser, "#ev-show label") if el.text.strip() == "국회 법률안").click()
    wait_for(browser, lambda d: len(markers(d, "ov-volume")) == 3, what="bill marker back")


def test_region_filter_keeps_that_regions_and_national_events(browser, server, seeded_path):
    browser.get(f"{server.url}/?{PERIOD}&region=서울")
    wait_for(browser, lambda d: len(markers(d, "ov-volume")) == 2, what="markers without 부산's")
    busan = next(k for k, e in ids(seeded_path).items() if e["region"] == "부산")
    assert busan not in markers(browser, "ov-volume")


@pytest.mark.parametrize("view,chart", [("topics", "tp-lines"), ("regions", "rg-trend")])
def test_markers_on_topic_and_region_timelines(browser, server, seeded_path, view, chart):
    browser.get(f"{server.url}/?view={view}&{PERIOD}")
    shown = wait_for(browser, lambda d: len(markers(d, chart)) == 3 and markers(d, chart), what=f"{chart} markers")
    assert set(shown) == set(ids(seeded_path))
    assert css(browser, f"#{chart} g.xy9 .scatterlayer .point")


def test_clicking_a_marker_lists_the_coverage_around_it(browser, server, seeded_path):
    from selenium.webdriver.common.action_chains import ActionChains
    browser.get(f"{server.url}/?{PERIOD}")
    shown = wait_for(browser, lambda d: len(markers(d, "ov-volume")) == 3 and markers(d, "ov-volume"), what="markers")
    law = next(k for k, e in ids(seeded_path).items() if e["kind"] == "law")
    point = css(browser, "#ov-volume g.xy9 .scatterlayer .point")[shown.index(law)]
    ActionChains(browser).move_to_element(point).click().perform()
    wait_for(browser, lambda d: css(d, "#ev-panel")[0].is_displayed() and css(d, "#ev-panel-content"), what="panel")
    panel = css(browser, "#ev-panel-content")[0].text
    assert "일부개정 공포" in panel and "2026-11-03" in panel
    # the figures are the store's own: 7 days after the event vs the 4 weeks before the week before it
    db = open_db(seeded_path)
    after = totals(db, Filters(date_from="2026-11-04", date_to="2026-11-10"))
    base = totals(db, Filters(date_from="2026-09-29", date_to="2026-10-26"))
    db.conn.close()
    rows = {r.find_elements("tag name", "td")[0].text: [c.text for c in r.find_elements("tag name", "td")]
            for r in css(browser, "table.ev-coverage tr")[1:]}
    assert rows["이벤트 후 7일"][2] == f"{after['articles']:,}" and rows["이벤트 후 7일"][1] == "11-04~11-10"
    assert rows["이전 4주 (기준)"][2] == f"{base['articles']:,}" and rows["이전 4주 (기준)"][3] == f"{base['articles'] / 4:.1f}"
    assert rows["이벤트 후 7일"][4] == f"{after['negative_share'] * 100:.1f}%"
    ratio = after["articles"] / (base["articles"] / 4)
    assert f"{ratio:.1f}배" in css(browser, "#ev-summary-line")[0].text
    css(browser, "#ev-panel-close")[0].click()
    wait_for(browser, lambda d: not css(d, "#ev-panel")[0].is_displayed(), what="panel closed")


def _fill(browser, id_, text):
    from selenium.webdriver.common.keys import Keys
    box = css(browser, f"#{id_}")[0]
    box.send_keys(Keys.CONTROL, "a")  # clear() bypasses React, which would keep the old value
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def test_staff_note_add_edit_delete_in_the_form(browser, server, seeded_path):
    browser.get(f"{server.url}/?view=events&{PERIOD}")
    wait_for(browser, lambda d: len(css(d, "#ev-table td[data-dash-column='title_link']")) == 3, what="event rows")
    _fill(browser, "ev-date", "2026-11-15")
    _fill(browser, "ev-title", "서울 자치경찰위원회 시민 토론회")
    _fill(browser, "ev-url", "javascript:alert(1)")
    _fill(browser, "ev-author", "홍보담당")
    css(browser, "#ev-save")[0].click()
    wait_for(browser, lambda d: "http(s)" in css(d, "#ev-result")[0].text, what="bad link refused")
    assert not ids(seeded_path, "staff_note")
    _fill(browser, "ev-url", "https://example.org/forum")
    css(browser, "#ev-save")[0].click()
    wait_for(browser, lambda d: "추가되었습니다" in css(d, "#ev-result")[0].text, what="added")
    [note] = ids(seeded_path, "staff_note").values()
    assert (note["date"], note["title"], note["author"], note["url"]) == (
        "2026-11-15", "서울 자치경찰위원회 시민 토론회", "홍보담당", "https://example.org/forum")
    row = wait_for(browser, lambda d: [c for c in css(d, "#ev-table td[data-dash-column='author']")
                                       if c.text == "홍보담당"], what="the note in the table")[0]
    # edit: pick the row, change the title under another name
    row.click()
    wait_for(browser, lambda d: f"#{note['id']}" in css(d, "#ev-form-title")[0].text, what="form loaded")
    assert css(browser, "#ev-title")[0].get_attribute("value") == "서울 자치경찰위원회 시민 토론회"
    _fill(browser, "ev-title", "서울 자치경찰위원회 시민 토론회 (장소 변경)")
    _fill(browser, "ev-author", "김주무관")
    css(browser, "#ev-save")[0].click()
    wait_for(browser, lambda d: "수정되었습니다" in css(d, "#ev-result")[0].text, what="edited")
    edited = ids(seeded_path, "staff_note")[f"ev:{note['id']}"]
    assert (edited["title"], edited["author"], edited["updated_by"]) == (
        "서울 자치경찰위원회 시민 토론회 (장소 변경)", "홍보담당", "김주무관")
    # the overview shows it at once
    browser.get(f"{server.url}/?{PERIOD}")
    wait_for(browser, lambda d: f"ev:{note['id']}" in markers(d, "ov-volume"), what="note marker")
    # delete
    browser.get(f"{server.url}/?view=events&{PERIOD}")
    cell = wait_for(browser, lambda d: [c for c in css(d, "#ev-table td[data-dash-column='author']")
                                        if c.text == "홍보담당"], what="the note row")[0]
    cell.click()
    wait_for(browser, lambda d: css(d, "#ev-delete")[0].is_enabled(), what="delete enabled")
    css(browser, "#ev-delete")[0].click()
    wait_for(browser, lambda d: "삭제되었습니다" in css(d, "#ev-result")[0].text, what="deleted")
    assert not ids(seeded_path, "staff_note")
    wait_for(browser, lambda d: len(css(d, "#ev-table td[data-dash-column='title_link']")) == 3, what="row gone")


def test_recorded_apis_show_bill_and_law_events_on_the_overview_and_the_api(browser, tmp_path):
    """What `scheduler.py --demo` does: fetch from the recorded servers, then the default
    overview (the last 28 days) shows bill and law markers and /api/v1/events lists them."""
    import datetime as dt
    import json
    import urllib.request
    from dashboard.app import create_app
    from events.collect import fetch_all
    from events.recorded import serve
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date().isoformat()
    db = open_db(tmp_path / "demo.db")
    seed_synthetic(db, 400, days=40, end_date=today, seed=5)
    with serve() as apis:
        assert all(s["status"] == "ok" for s in fetch_all(db, endpoints=apis.endpoints))
    kinds = {f"ev:{e['id']}": e["kind"] for e in table.list_events(db)}
    db.conn.close()
    srv = Server(create_app(tmp_path / "demo.db"))
    try:
        browser.get(srv.url + "/")
        shown = wait_for(browser, lambda d: markers(d, "ov-volume"), what="markers")
        assert {"bill", "law", "decree"} <= {kinds[m] for m in shown}
        with urllib.request.urlopen(srv.url + "/api/v1/events?kind=bill,law&per_page=1000", timeout=30) as answer:
            rows = json.loads(answer.read())["data"]
        assert {r["kind"] for r in rows} == {"bill", "law"} and all(r["date"] and r["title"] for r in rows)
    finally:
        srv.close()
