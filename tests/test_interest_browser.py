"""The overview's coverage + search interest + survey chart in headless Chromium, on a store
with synthetic articles, search interest fetched from the local DataLab stand-in and an
imported survey; the region filter switches the search-interest line; 상태 shows the quota."""
import datetime as dt

import pytest

from dashboard.browser import find_chromium
from interest.collect import collect
from interest.config import InterestConfig
from interest.sample_server import DataLabServer
from interest.survey import import_csv
from store import open_db
from store.synthetic import seed_synthetic
from store.util import KST
from test_dashboard_browser import browser, css, server, wait_for  # noqa: F401 - fixtures (server uses this seeded_path)

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
END = (dt.datetime.now(KST).date() - dt.timedelta(days=1))
GROUPS = [{"name": "자치경찰제", "keywords": ["자치경찰제", "자치경찰"]},
          {"name": "서울", "region": "서울", "keywords": ["서울특별시자치경찰위원회", "서울시자치경찰위원회"]}]


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("interest_browser") / "monitor.db"
    db = open_db(path)
    seed_synthetic(db, 600, days=40, end_date=END.isoformat(), seed=11)
    cfg = InterestConfig.from_settings({"interest": {"units": ["date"], "anchor": ["파출소", "지구대"], "groups": GROUPS}})
    with DataLabServer() as server:
        assert collect(db, cfg, ("demo", "demo"), url=server.api_url)["ok"] == 1
    survey = path.parent / "survey.csv"
    survey.write_text("date,region,question,share,n,source\n"
                      f"{END - dt.timedelta(days=10)},전국,자치경찰제를 알고 있다,38%,1200,인식조사\n", encoding="utf-8")
    import_csv(db, survey)
    db.conn.close()
    return path


TRACES = "return document.querySelector('#ov-interest .js-plotly-plot').data.map(t => [t.name, t.error_y || null, t.y])"


def test_coverage_interest_and_survey_share_one_chart(browser, server):
    browser.get(f"{server.url}/?start={END - dt.timedelta(days=27)}&end={END}&by=week")
    wait_for(browser, lambda d: len(css(d, "#ov-interest .scatterlayer .trace")) == 3, what="three traces")
    traces = browser.execute_script(TRACES)
    names = [t[0] for t in traces]
    assert names == ["보도량 (관련 기사 수, 지수)", "검색 관심: 자치경찰제 (지수)", "설문: 응답 비율 (%, 95% 구간)"]
    # both lines are indexed (the mean of the whole weeks is 100); the survey point carries its interval
    for name, _, y in traces[:2]:
        assert all(v is None or v >= 0 for v in y) and max(v for v in y if v is not None) > 100, name
    survey = traces[2]
    assert survey[2] == [pytest.approx(38.0)]
    assert survey[1]["array"][0] == pytest.approx(2.78, abs=0.05) and survey[1]["arrayminus"][0] > 2.6
    assert len(css(browser, "#ov-interest .errorbar")) == 1
    note = css(browser, "#ov-interest-note")[0].text
    assert "사람 수가 아니며 인지도 자체도 아닙니다" in note and "95% 신뢰구간" in note
    assert "오류가 발생했습니다" not in browser.find_element("tag name", "body").text


def test_region_filter_switches_the_search_interest_line(browser, server):
    browser.get(f"{server.url}/?region=서울&start={END - dt.timedelta(days=27)}&end={END}")
    wait_for(browser, lambda d: "검색 관심: 서울 (지수)" in [t[0] for t in d.execute_script(TRACES)],
             what="the 서울 line")
    names = [t[0] for t in browser.execute_script(TRACES)]
    assert "검색 관심: 자치경찰제 (지수)" not in names and not any(n.startswith("설문") for n in names)
    assert "이 기간·지역의 설문 결과는 없습니다 (전체 1건" in css(browser, "#ov-interest-note")[0].text


def test_status_shows_the_day_s_datalab_calls(browser, server):
    browser.get(f"{server.url}/?view=status")
    card = wait_for(browser, lambda d: css(d, "#kpi-interest .kpi-value")[0].text, what="quota card")
    assert card == "1 / 1,000회"
