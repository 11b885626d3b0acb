"""Dashboard pieces without a browser: URL state, messages for empty/one-day/no-match
stores, CSV downloads, basic auth and the command line's bind rule."""
import argparse
import base64
import time

import pytest

from dashboard import cli
from dashboard.app import create_app, to_csv
from dashboard.data import Data
from dashboard.state import Context, parse_search, to_search
from dashboard.views import documents, overview, regions, sources, topics
from store.queries import Filters
from store.synthetic import seed_synthetic


def render(path, view, search="", fn=None):
    data = Data(path)
    with data.db() as db:
        return (fn or view.render)(data, db, Context(parse_search(search), data.bounds(db)))


def test_url_state_round_trip_and_bad_values_dropped():
    state = parse_search("?view=regions&region=서울&region=부산&topic=budget&start=2026-11-01&by=week&q=예산")
    assert state["region"] == ["서울", "부산"] and state["topic"] == ["budget"] and state["by"] == "week"
    assert parse_search(to_search(state)) == state
    bad = parse_search("?view=hack&region=화성&start=2026-13-45&by=year&sentiment=angry")
    assert (bad["view"], bad["region"], bad["start"], bad["by"], bad["sentiment"]) == ("overview", [], None, "day", [])


def test_default_period_is_last_28_days_with_data_and_previous_period():
    c = Context(parse_search(""), ("2026-01-01", "2026-11-20"))
    assert (c.start, c.end, c.prev_start, c.prev_end) == ("2026-10-24", "2026-11-20", "2026-09-26", "2026-10-23")


def test_empty_store_messages(db_path):
    out = render(db_path, overview)
    assert "아직 수집된 문서가 없습니다" in str(out["ov-notice"])
    assert "아직 수집된 문서가 없습니다" in out["ov-volume"]["layout"]["annotations"][0]["text"]
    for view in (regions, topics, sources):
        assert "아직 수집된 문서가 없습니다" in str(render(db_path, view))
    assert "아직 수집된 문서가 없습니다" in str(
        documents.render_table(Data(db_path), Data(db_path)._pool.get(), Context(parse_search(""), (None, None)),
                               "relevant", "published_desc", 0))


def test_one_day_store_shows_a_zero_filled_series_and_one_period_ranges_say_so(db):
    seed_synthetic(db, 60, days=1, end_date="2026-11-20")
    out = render(db.path, overview)
    bars = [t for t in out["ov-volume"]["data"] if t["type"] == "bar"]
    assert not out["ov-notice"] and bars and not out["ov-volume"]["layout"].get("annotations")
    # the default 28 days: 27 days without articles drawn as zero bars, not left out
    assert len(bars[0]["x"]) == 28 and bars[0]["y"][:27] == [0] * 27 and bars[0]["y"][-1] > 0
    for search, words in (("?start=2026-11-20&end=2026-11-20", "하루"), ("?by=week&start=2026-11-16&end=2026-11-22",
                                                                         "한 주"),
                          ("?by=month&start=2026-11-01&end=2026-11-30", "한 달")):
        notice_text = str(render(db.path, overview, search)["ov-notice"])
        assert f"선택한 기간이 {words}뿐" in notice_text, search
        assert "한 주" in str(render(db.path, topics, "?by=week&start=2026-11-16&end=2026-11-22")["tp-notice"])


def test_weeks_are_monday_based_and_cut_weeks_are_partial(db):
    seed_synthetic(db, 300, days=40, end_date="2026-11-20")  # 11-20 is a Friday
    fig = render(db.path, overview, "?by=week&start=2026-10-21&end=2026-11-20")["ov-volume"]
    axis = fig["layout"]["xaxis"]
    assert axis["categoryarray"] == ["2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]
    assert axis["ticktext"] == ["10/19~25*", "10/26~11/1", "11/2~8", "11/9~15", "11/16~22*"]
    bars = next(t for t in fig["data"] if t["type"] == "bar")
    assert bars["marker"]["pattern"]["shape"] == ["/", "", "", "", "/"]
    note = fig["layout"]["annotations"][0]["text"]
    assert "10/19~25 (7일 중 5일)" in note and "11/16~22 (7일 중 5일)" in note
    # counts: whole-number ticks from 0, titled with the unit
    assert fig["layout"]["yaxis"]["range"][0] == 0 and fig["layout"]["yaxis"]["dtick"] == int(fig["layout"]["yaxis"]["dtick"])
    assert fig["layout"]["yaxis"]["title"]["text"] == "기사 수 (건)"
    months = render(db.path, overview, "?by=month&start=2026-10-21&end=2026-11-20")["ov-volume"]["layout"]["xaxis"]
    assert months["ticktext"] == ["2026.10*", "2026.11*"]


def test_topic_chart_shows_every_topic_and_every_period(db):
    seed_synthetic(db, 80, days=20, end_date="2026-11-20")
    fig = render(db.path, topics, "?start=2026-11-01&end=2026-11-20")["tp-lines"]
    from vocabulary import TOPICS
    assert [t["name"] for t in fig["data"]] == list(TOPICS.values())
    for trace in fig["data"]:
        assert len(trace["x"]) == 20 and "markers" in trace["mode"]
    assert any(0 in t["y"] for t in fig["data"])  # quiet days are drawn as 0, not skipped


def test_filter_matching_nothing_says_so(db):
    seed_synthetic(db, 200, days=10, end_date="2026-11-20")
    for view, key in ((overview, "ov-notice"), (regions, "rg-notice"), (topics, "tp-notice"), (sources, "src-notice")):
        out = render(db.path, view, "?start=2030-01-01&end=2030-01-31")
        assert "조건에 맞는 문서가 없습니다" in str(out[key]), view.TITLE
    assert int(render(db.path, overview)["ov-kpis"][0].children[1].children.replace(",", "").removesuffix("건")) > 0


def test_spikes_are_marked_on_the_charts(db):
    seed_synthetic(db, 300, days=20, end_date="2026-11-20")
    db["spikes"].insert({"day": "2026-11-18", "metric": "volume", "scope": "all", "key": "all", "value": 40,
                         "baseline": 10, "threshold": 25, "zscore": 4.2})
    fig = render(db.path, overview)["ov-volume"]
    marks = [t for t in fig["data"] if t["name"].startswith("급증 감지")]
    assert marks and list(marks[0]["x"]) == ["2026-11-18"]


def test_csv_has_bom_and_korean_headers(db):
    seed_synthetic(db, 200, days=10, end_date="2026-11-20")
    data = Data(db.path)
    with data.db() as conn:
        rows = overview.rows(data, conn, Context(parse_search(""), data.bounds(conn)))
    raw = to_csv(rows)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("기간,기간 일수,일부 기간,기사 수,기사 묶음")
    assert to_csv([]).decode("utf-8-sig").strip() == "자료 없음"
    import csv
    import io
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(parsed) == len(rows) > 0
    assert parsed == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


def test_basic_auth_protects_every_route(db_path):
    app = create_app(db_path, auth=("staff", "s3cret"))
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    bad = base64.b64encode(b"staff:wrong").decode()
    assert client.get("/", headers={"Authorization": f"Basic {bad}"}).status_code == 401
    good = base64.b64encode(b"staff:s3cret").decode()
    assert client.get("/", headers={"Authorization": f"Basic {good}"}).status_code == 200


def test_public_bind_requires_login(monkeypatch, capsys, db_path):
    monkeypatch.delenv(cli.USER_ENV, raising=False)
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--host", "0.0.0.0"])
    args.db = str(db_path)
    assert cli.run(args) == 2
    assert cli.PASSWORD_ENV in capsys.readouterr().err
    defaults = parser.parse_args([])
    assert (defaults.host, defaults.port, defaults.debug) == ("127.0.0.1", 8050, False)
    assert cli.auth_from_env("127.0.0.1") is None
    monkeypatch.setenv(cli.USER_ENV, "staff")
    monkeypatch.setenv(cli.PASSWORD_ENV, "pw")
    assert cli.auth_from_env("0.0.0.0") == ("staff", "pw")


def test_rejects_half_configured_auth(db_path):
    with pytest.raises(ValueError):
        create_app(db_path, auth=("staff", ""))


def test_monitor_dashboard_command_serves_on_loopback(db_path):
    """`python monitor.py dashboard` binds 127.0.0.1 by default and serves the page."""
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, str(root / "monitor.py"), "--db", str(db_path), "dashboard",
                             "--port", str(port)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
            except OSError:
                time.sleep(0.5)
        assert body and "자치경찰 언론·여론 모니터" in body and 'lang="ko"' in body
    finally:
        proc.terminate()
        proc.wait(10)


def test_status_times_are_korean_time():
    from dashboard.views.status import kst
    assert kst("2026-11-28T22:11:12Z") == "2026-11-29 07:11"
    assert kst("2026-11-23T08:00:00+09:00") == "2026-11-23 08:00"
    assert kst(None) == "-"


def test_region_map_uses_a_fixed_scale_grey_for_no_data_and_marks_small_samples(db):
    from digest_helpers import add_docs
    add_docs(db, "2026-11-18", 6, region="서울", sentiment="neutral")
    add_docs(db, "2026-11-18", 4, region="서울", sentiment="negative")
    add_docs(db, "2026-11-19", 1, region="부산", sentiment="negative")  # 1 of 1 negative: not solid red
    fig = render(db.path, regions, "?start=2026-11-01&end=2026-11-20")["rg-map"]
    traces = {t["name"]: t for t in fig["data"]}
    shown = traces["부정 비율"]
    assert shown["customdata"] == ["서울"] and shown["marker"]["color"] == [40.0]
    assert (shown["marker"]["cmin"], shown["marker"]["cmax"]) == (0, 100)  # not the min-max of the view
    small = traces["표본 5건 미만"]
    assert small["customdata"] == ["부산"] and "n<5" in small["text"][0] and small["marker"]["opacity"] < 1
    none = traces["자료 없음"]
    assert none["marker"]["color"] == "#d9d9d9" and len(none["customdata"]) == 16 and "대구" in none["customdata"]


@pytest.fixture
def spiky(db):
    """40 quiet days in 서울 (news) and a civic burst on 11-15; stored spikes for 부산 and 서울."""
    import datetime as dt
    from analysis.spikes import store_spikes
    from digest_helpers import add_docs
    start = dt.date(2026, 10, 7)
    for i in range(40):
        day = (start + dt.timedelta(days=i)).isoformat()
        add_docs(db, day, 3, region="서울", title="자치경찰 순찰 강화", outlet="KBS")
        if i % 2:
            add_docs(db, day, 1, kind="civic", region="전국", title="시민단체 정례 논평", outlet="참여연대")
    add_docs(db, "2026-11-15", 15, kind="civic", region="전국", sentiment="negative", outlet="경실련",
             title="경찰국 독립성 훼손 규탄 성명", cluster="burst")
    add_docs(db, "2026-11-05", 9, region="부산", title="부산 자치경찰 예산")
    store_spikes(db, [
        {"day": "2026-11-05", "metric": "volume", "scope": "region", "key": "부산", "value": 9, "baseline": 1.0,
         "threshold": None, "zscore": 5.0},
        {"day": "2026-11-08", "metric": "volume", "scope": "region", "key": "서울", "value": 20, "baseline": 3.0,
         "threshold": None, "zscore": 6.0},
        {"day": "2026-11-08", "metric": "negative_share", "scope": "overall", "key": "all", "value": 0.6,
         "baseline": 0.2, "threshold": None, "zscore": 4.0}])
    return db


def _marks(fig):
    return [t for t in fig["data"] if t["name"].startswith("급증 감지")]


def test_spike_markers_follow_the_filters(spiky):
    when = "&start=2026-11-01&end=2026-11-15"
    everything = _marks(render(spiky.path, overview, "?" + when)["ov-volume"])[0]
    assert everything["x"] == ["2026-11-05", "2026-11-08"]  # one marker per day, all its spikes listed
    assert everything["text"][1] == ("11/08 지역 서울 · 기사 수 20건 (평소 하루 3.0건)<br>"  # strongest first
                                     "11/08 전체 · 부정 비율 60% (평소 20%)")
    busan = _marks(render(spiky.path, overview, "?region=부산" + when)["ov-volume"])[0]
    assert busan["x"] == ["2026-11-05"] and "부산" in busan["text"][0] and "서울" not in busan["text"][0]
    assert busan["customdata"] == [["2026-11-05", "2026-11-05"]]
    assert not _marks(render(spiky.path, overview, "?region=대구" + when)["ov-volume"])
    # a filter no stored scope answers: the view's own series is tested (civic statements)
    civic = _marks(render(spiky.path, overview, "?kind=civic" + when)["ov-volume"])[0]
    assert civic["x"] == ["2026-11-15"] and "11/15 현재 조건 · 기사 수 16건" in civic["text"][0]
    weekly = _marks(render(spiky.path, overview, "?by=week" + when)["ov-critic"])[0]
    assert weekly["x"] == ["2026-11-02"] and weekly["customdata"] == [["2026-11-05", "2026-11-08"]]


def test_spike_click_through_shows_what_drove_it(spiky):
    from nlp.indexing import index_pending
    index_pending(spiky)  # the term lists classify stores (the words come from analysis/keywords.py)
    out = render(spiky.path, documents, "?view=documents&kind=civic&start=2026-11-15&end=2026-11-15&spike=2026-11-15",
                 documents.render_drivers)
    text = str(out["doc-drivers"])
    assert "급증 원인 살펴보기: 2026-11-15" in text and "현재 조건 · 기사 수 16건" in text
    assert "경찰국 독립성 훼손 규탄 성명" in text and "1개 매체, 기사 15건" in text  # the top story
    assert "경실련 15건" in text                                                  # the top outlet
    assert "독립성 (기사 15건 · 앞선 28일 0건)" in text and "논평" not in text.split("평소와 다른 낱말")[1]
    assert render(spiky.path, documents, "?view=documents", documents.render_drivers)["doc-drivers"] is None


def test_presets_and_year_on_year_comparison():
    from dashboard.state import preset_range
    last = "2026-11-20"  # a Friday
    assert preset_range("7d", last) == ("2026-11-14", "2026-11-20")
    assert preset_range("last_week", last) == ("2026-11-09", "2026-11-15")   # Monday..Sunday before
    assert preset_range("last_month", last) == ("2026-10-01", "2026-10-31")
    assert preset_range("this_year", last) == ("2026-01-01", "2026-11-20")
    c = Context(parse_search("?start=2026-11-09&end=2026-11-15&cmp=yoy"), ("2025-01-01", last))
    assert (c.prev_start, c.prev_end, c.cmp_label) == ("2025-11-09", "2025-11-15", "전년 동기")
    c = Context(parse_search("?start=2028-02-01&end=2028-02-29&cmp=yoy"), ("2025-01-01", "2028-03-01"))
    assert (c.prev_start, c.prev_end) == ("2027-02-01", "2027-02-28")
    assert Context(parse_search("?start=2026-11-09&end=2026-11-15"), ("2025-01-01", last)).cmp_label == "직전 7일"
    assert to_search(parse_search("?cmp=yoy&by=week")) == "?by=week&cmp=yoy"


def test_cards_carry_units_and_name_the_comparison_period(db):
    seed_synthetic(db, 300, days=40, end_date="2026-11-20")
    cards = render(db.path, overview, "?start=2026-11-09&end=2026-11-15&cmp=yoy")["ov-kpis"]
    values = {c.id: (c.children[1].children, c.children[2].children) for c in cards}
    assert values["kpi-articles"][0].endswith("건") and values["kpi-outlets"][0].endswith("곳")
    assert values["kpi-negative"][0].endswith("%") and values["kpi-net"][0].endswith("%p")
    assert values["kpi-articles"][1] == "전년 동기 0건"  # the store has nothing a year earlier
    week = {c.id: c.children[2].children for c in render(db.path, overview, "?start=2026-11-09&end=2026-11-15")["ov-kpis"]}
    assert week["kpi-articles"].startswith("직전 7일 대비 ") and week["kpi-negative"].endswith("%p")


def test_status_shows_the_schedule_in_words():
    from dashboard.views.status import schedule_text
    assert schedule_text("cron[hour='7', minute='30']") == "매일 07:30"
    assert schedule_text("cron[day_of_week='mon', hour='8', minute='0']") == "매주 월요일 08:00"
    assert schedule_text("interval[3:00:00]") == "3시간마다" and schedule_text("interval[0:30:00]") == "30분마다"
    assert schedule_text("cron[month='1-3', hour='7']") == "cron[month='1-3', hour='7']"  # unusual: as it is


def test_documents_are_grouped_by_story_and_a_correction_can_cover_the_story(db):
    from digest_helpers import add_docs
    from store.labels import add_story_annotation
    from store.queries import story_page
    wire = add_docs(db, "2026-11-18", 5, cluster="wire", outlet="연합뉴스", title="자치경찰 예산 삭감 (종합)")
    add_docs(db, "2026-11-19", 3, cluster="wire", outlet="지역일보", title="자치경찰 예산 삭감 (전재)")
    add_docs(db, "2026-11-19", 4, title="순찰 확대")  # four stories of one article
    data = Data(db.path)
    with data.db() as conn:
        out = documents.render_table(data, conn, Context(parse_search("?view=documents&start=2026-11-18&end=2026-11-19"),
                                                         data.bounds(conn)), "relevant", "published_desc", 0)
        assert out["doc-total"].startswith("기사 묶음 5건")  # the story-count rule, not 12 articles
        rows = out["doc-table"]
        assert len(rows) == 5 and sorted(r["copies_ko"] for r in rows) == ["", "", "", "", "기사 8건"]
        page = story_page(conn, Filters(date_from="2026-11-19", date_to="2026-11-19"))
        assert sorted(r["copies"] for r in page) == [1, 1, 1, 1, 3]  # copies counted within the filters
        panel, _ = documents.detail(conn, wire[0])
        assert "같은 묶음의 다른 기사 7건 보기" in str(panel) and "지역일보" in str(panel)
        per_article = documents.render_table(data, conn, Context(parse_search("?start=2026-11-18&end=2026-11-19"),
                                                                 data.bounds(conn)),
                                             "relevant", "published_desc", 0, group="articles")
        assert per_article["doc-total"].startswith("기사 12건")
        assert add_story_annotation(conn, wire[0], "검토자", sentiment="negative") == 8
        labels = conn.execute("SELECT l.sentiment, l.origin FROM labels l JOIN documents d ON d.id = l.document_id "
                              "WHERE d.cluster_id = 'wire'").fetchall()
        assert labels == [("negative", "model+human")] * 8


def test_region_trend_counts_every_period_of_the_chosen_regions(db):
    """The regions tab's trend (drawn with the policy events): each chosen region's line is its
    count per period from the shared queries, zeros included, under the other filters too."""
    from store.queries import counts
    seed_synthetic(db, 300, days=20, end_date="2026-11-20")
    for search, chosen in (("?start=2026-11-04&end=2026-11-20&by=week&region=서울&region=부산", ["서울", "부산"]),
                           ("?start=2026-11-10&end=2026-11-20&region=대구&sentiment=negative", ["대구"])):
        fig = render(db.path, regions, search)["rg-trend"]
        state = parse_search(search)
        filters = Context(state, Data(db.path).bounds(db)).filters
        live = {(r["period"], r["region"]): r["articles"] for r in counts(db, state["by"], "region", filters)}
        lines = {t["name"]: t for t in fig["data"]}
        assert sorted(lines) == sorted(chosen)
        for region in chosen:
            assert lines[region]["y"] == [live.get((p, region), 0) for p in lines[region]["x"]]
        assert lines[chosen[0]]["x"][0] <= state["start"] and lines[chosen[0]]["x"][-1] <= state["end"]
