"""Search interest (Naver DataLab) and survey results: the anchor chaining by hand, the
collector against the local DataLab stand-in on 127.0.0.1 (one scale across requests, quota,
every error, idempotent re-fetch), the settings checks, survey import with Wilson intervals,
the API and export, the digest line and the dashboard panel's numbers."""
import dataclasses
import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path

import flask
import pytest

import store
from digest.settings import SettingsError, load_settings
from interest import chaining, datalab
from interest.collect import SKIPPED_NO_KEYS, collect, plan
from interest.config import InterestConfig
from interest.sample_server import DataLabServer
from interest.store import calls_today, series
from interest.survey import SurveyError, import_csv, surveys
from store.util import KST

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("test-id", "test-secret")
BASE = ("2021-07-01", "2021-07-31")
GROUPS = [  # 6 groups: two requests per unit (4 + the anchor each)
    {"name": "자치경찰제", "keywords": ["자치경찰제", "자치경찰"]},
    {"name": "자치경찰위원회", "keywords": ["자치경찰위원회"]},
    {"name": "서울", "region": "서울", "keywords": ["서울특별시자치경찰위원회", "서울시자치경찰위원회"]},
    {"name": "부산", "region": "부산", "keywords": ["부산광역시자치경찰위원회", "부산 자치경찰"]},
    {"name": "대구", "region": "대구", "keywords": ["대구광역시자치경찰위원회"]},
    {"name": "제주", "region": "제주", "keywords": ["제주특별자치도자치경찰위원회", "제주 자치경찰"]},
]


def config(**overrides):
    section = {"since": "2021-01-01", "base_start": BASE[0], "base_end": BASE[1], "units": ["month", "date"],
               "slices": ["all"], "anchor_name": "기준어", "anchor": ["파출소", "지구대"], "groups": GROUPS,
               **overrides}
    return InterestConfig.from_settings({"interest": section})


@pytest.fixture(scope="module")
def server():
    srv = DataLabServer()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def fetched(tmp_path_factory, server):
    """A store after one collection (month and date units, 2021-01-01 to yesterday)."""
    path = tmp_path_factory.mktemp("interest") / "monitor.db"
    db = store.open_db(path)
    summary = collect(db, config(), KEYS, url=server.api_url)
    db.conn.close()
    return path, summary


@pytest.fixture
def fdb(fetched):
    database = store.open_db(fetched[0])
    yield database
    database.conn.close()


# ---------------------------------------------------------------- chaining by hand

def test_two_requests_sharing_the_anchor_land_on_one_scale_by_hand():
    months = ["2021-06-01", "2021-07-01", "2021-08-01", "2021-09-01"]
    base = ("2021-07-01", "2021-08-31")
    # request 1: the anchor holds the maximum (100); request 2: g2's July peak does
    one = {"A": dict(zip(months, [40, 50, 70, 100])), "g1": dict(zip(months, [10, 30, 20, 15]))}
    two = {"A": dict(zip(months, [20, 25, 35, 50])), "g2": dict(zip(months[:3], [60, 100, 8]))}  # no Sept: 0
    f1, how1 = chaining.factor(one, "A", "month", "2021-06-01", "2021-09-30", base, 0.5)
    f2, how2 = chaining.factor(two, "A", "month", "2021-06-01", "2021-09-30", base, 0.5)
    assert (how1, how2) == ("base", "base")
    assert f1 == pytest.approx(100 / 60) and f2 == pytest.approx(100 / 30)  # anchor's base means 60 and 30
    a = chaining.rescale(one, f1, "month", "2021-06-01", "2021-09-30")
    b = chaining.rescale(two, f2, "month", "2021-06-01", "2021-09-30")
    # the anchor gets the same values from both requests: one scale
    assert [v for _, _, v, _ in a["A"]] == pytest.approx([66.6667, 83.3333, 116.6667, 166.6667], rel=1e-5)
    assert [v for _, _, v, _ in b["A"]] == pytest.approx([v for _, _, v, _ in a["A"]])
    assert [v for _, _, v, _ in a["g1"]] == pytest.approx([16.6667, 50.0, 33.3333, 25.0], rel=1e-5)
    assert [v for _, _, v, _ in b["g2"]] == pytest.approx([200.0, 333.3333, 26.6667, 0.0], rel=1e-5)
    assert b["g2"][3][:2] == ("2021-09-01", 0.0)  # a period Naver left out is stored as 0
    # in July g2 was 333.33 / 50 = 6.67 times g1, though their own answers read 100 and 30 (3.33 times)
    assert b["g2"][1][2] / a["g1"][1][2] == pytest.approx(20 / 3)


def test_a_request_outside_the_base_window_chains_through_stored_anchor_values():
    stored = {"2021-08-01": 120.0, "2021-09-01": 150.0, "2021-10-01": 90.0, "2021-11-01": 60.0}
    answer = {"A": {"2021-08-01": 40, "2021-09-01": 50, "2021-10-01": 30, "2021-11-01": 100, "2021-12-01": 80},
              "g": {"2021-08-01": 4, "2021-12-01": 10}}
    f, how = chaining.factor(answer, "A", "month", "2021-08-01", "2021-12-31", BASE, 0.5, stored)
    # shared whole periods Aug..Oct (stored November, the newest, may have been a partial month)
    assert (how, f) == ("chain", pytest.approx((120 + 150 + 90) / (40 + 50 + 30)))
    rows = chaining.rescale(answer, f, "month", "2021-08-01", "2021-12-31")
    assert rows["g"][0][2] == pytest.approx(12.0) and rows["g"][4][2] == pytest.approx(30.0)
    with pytest.raises(chaining.ChainError, match="interest --since 2021-07-01"):
        chaining.factor(answer, "A", "month", "2021-08-01", "2021-12-31", BASE, 0.5, {"2021-08-01": 1.0})


def test_an_anchor_near_zero_is_refused_not_stored():
    answer = {"A": {"2021-07-01": 0.2, "2021-08-01": 0.3}, "g": {"2021-07-01": 100, "2021-08-01": 40}}
    with pytest.raises(chaining.ChainError, match="under min_anchor"):
        chaining.factor(answer, "A", "month", "2021-07-01", "2021-08-31", BASE, 0.5)
    with pytest.raises(chaining.ChainError, match="no whole week period"):  # a base shorter than a week
        chaining.factor({"A": {"2021-07-05": 50.0}}, "A", "week", "2021-07-01", "2021-07-31", ("2021-07-06", "2021-07-08"), 0.5)
    assert chaining.is_partial("week", "2021-07-26", "2021-07-01", "2021-07-31")  # Mon 26 .. Sun Aug 1
    assert not chaining.is_partial("week", "2021-07-19", "2021-07-01", "2021-07-31")


# ---------------------------------------------------------------- the collector on 127.0.0.1

def _true_value(server, group, unit, period, base, anchor=("파출소", "지구대")):
    """100 × the group's searches in the bucket / the anchor's mean per bucket in the base window,
    from the stand-in's own counts (what the chaining must reproduce)."""
    vol = server.handler.volumes
    span = lambda p: chaining.bucket_span(unit, p)  # noqa: E731
    count = lambda kws, p: sum(vol.total(k, *span(p)) for k in kws)  # noqa: E731
    keywords = next(g["keywords"] for g in GROUPS if g["name"] == group)
    base_periods = [p for p in ("2021-07-01",)] if unit == "month" else \
        [(dt.date(2021, 7, 1) + dt.timedelta(days=i)).isoformat() for i in range(31)]
    mean = sum(count(anchor, p) for p in base_periods) / len(base_periods)
    return 100 * count(keywords, period) / mean


def test_groups_fetched_in_different_requests_share_one_scale(fetched, fdb, server):
    path, summary = fetched
    assert (summary["planned"], summary["ok"], summary["failed"]) == (4, 4, 0)  # 2 units x 2 requests
    requests = {(r["unit"], r["groups"]) for r in fdb.query("SELECT unit, groups FROM interest_requests")}
    assert ("month", "기준어, 자치경찰제, 자치경찰위원회, 서울, 부산") in requests
    assert ("month", "기준어, 대구, 제주") in requests
    for unit, period in (("month", "2022-03-01"), ("month", "2021-07-01"), ("date", "2023-05-17")):
        rows = {r["group"]: r["value"] for r in series(fdb, unit, None, period, period)}
        for group in ("자치경찰제", "서울", "대구", "제주"):  # 대구, 제주 came in the second request
            assert rows[group] == pytest.approx(_true_value(server, group, unit, period, BASE), rel=2e-3), group
    # the anchor averages 100 in the base window, whichever request wrote it
    july = series(fdb, "date", ["기준어"], *BASE, anchor=True)
    assert sum(r["value"] for r in july) / len(july) == pytest.approx(100)


def test_refetch_is_idempotent_and_a_rerun_today_spends_no_call(fetched, fdb, server):
    before = fdb.execute("SELECT COUNT(*), SUM(value) FROM search_interest").fetchone()
    sent = len(server.received)
    again = collect(fdb, config(), KEYS, url=server.api_url)
    assert (again["calls"], again["skipped"]) == (0, 4) and len(server.received) == sent
    forced = collect(fdb, config(), KEYS, url=server.api_url, force=True)
    assert (forced["calls"], forced["ok"]) == (4, 4) and len(server.received) == sent + 4
    after = fdb.execute("SELECT COUNT(*), SUM(value) FROM search_interest").fetchone()
    assert after[0] == before[0] and after[1] == pytest.approx(before[1])
    assert calls_today(fdb) == 8  # both real runs counted, the skipped one not


def test_quota_is_counted_and_refused_before_sending(db, server):
    sent = len(server.received)
    small = config(daily_quota=3, units=["month", "date", "week"])
    first = collect(db, small, KEYS, url=server.api_url)
    assert (first["planned"], first["calls"], first["ok"]) == (6, 3, 3)
    assert "daily quota of 3 calls reached: 3 request(s) left for tomorrow" in first["stopped"]
    assert len(server.received) == sent + 3 and calls_today(db) == 3
    second = collect(db, small, KEYS, url=server.api_url)  # the same day: nothing is sent
    assert (second["calls"], second["skipped"]) == (0, 3) and len(server.received) == sent + 3
    tomorrow = dt.datetime.now(KST) + dt.timedelta(days=1)
    third = collect(db, small, KEYS, url=server.api_url, now=tomorrow)  # a new day, a new quota
    assert third["calls"] == 3 and calls_today(db, tomorrow) == 3


@pytest.mark.parametrize("client_id, message, stops", [
    ("wrong", "DataLab 401 인증 실패 / authentication failed: check NAVER_CLIENT_ID and NAVER_CLIENT_SECRET", True),
    ("not-enabled", "DataLab 403 권한 없음 / the DataLab search-trend API is not enabled for this application", True),
    ("limited", "DataLab 429 호출 한도 초과 / call limit reached", True),
    ("broken", "DataLab 500 서버 오류 / server error (System error); retried on the next run", False),
    ("garbled", "DataLab 응답 형식 오류 / malformed answer: not JSON", False),
    ("shapeless", "DataLab 응답 형식 오류 / malformed answer: no 'results' list", False),
])
def test_each_error_is_one_clear_line_and_only_key_errors_stop_the_run(db, server, client_id, message, stops, caplog):
    sent = len(server.received)
    with caplog.at_level(logging.WARNING, logger="interest"):
        summary = collect(db, config(), (client_id, "secret"), url=server.api_url)
    calls = 1 if stops else 4
    assert (summary["calls"], summary["failed"], summary["ok"]) == (calls, calls, 0)
    assert len(server.received) == sent + calls
    assert all(message in e for e in summary["errors"]), summary["errors"]
    assert bool(summary["stopped"]) == stops
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == calls
    assert db.execute("SELECT COUNT(*) FROM search_interest").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM interest_requests WHERE status = 'error'").fetchone()[0] == calls


def test_missing_keys_skip_with_one_log_line_and_no_call(db, server, caplog):
    sent = len(server.received)
    with caplog.at_level(logging.INFO, logger="interest"):
        summary = collect(db, config(), datalab.keys_from_env({"NAVER_CLIENT_ID": "x"}), url=server.api_url)
    assert summary["stopped"] == SKIPPED_NO_KEYS and summary["calls"] == 0
    assert [r.getMessage() for r in caplog.records] == [SKIPPED_NO_KEYS]
    assert len(server.received) == sent and calls_today(db) == 0


def test_without_keys_the_daily_job_is_skipped_and_status_says_why_in_korean(db, db_path, monkeypatch):
    import scheduler
    from dashboard.views.status import _interest_note
    from interest.cli import status_line
    from store.cli_status import collect as status_collect
    for name in ("NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    summary = scheduler.interest_job(str(db_path), str(ROOT / "config" / "settings.toml"))
    assert summary["stopped"] == SKIPPED_NO_KEYS and summary["calls"] == 0
    shown = status_collect(db)["search_interest"]
    assert shown["stopped"] == SKIPPED_NO_KEYS and shown["calls_today"] == 0
    assert f"마지막 실행 중단 / last run stopped: {SKIPPED_NO_KEYS}" in status_line(shown)
    assert _interest_note(shown) == "API 키 없음: 검색 관심 수집을 건너뜁니다 (NAVER_CLIENT_ID / NAVER_CLIENT_SECRET 설정)"


def test_null_fields_get_a_400_and_the_client_never_sends_them(server):
    body = datalab.build_body("2021-07-01", "2021-07-31", "month", [("A", ["파출소"])])
    assert set(body) == {"startDate", "endDate", "timeUnit", "keywordGroups"}  # optional fields omitted
    with pytest.raises(datalab.DataLabError, match=r"DataLab 400 잘못된 요청 / bad request \(Invalid parameter: "
                                                   r"device must be one of pc, mo\)") as err:
        datalab.search(server.api_url, KEYS, {**body, "device": None})
    assert err.value.kind == "bad_request" and not err.value.stop
    sliced = datalab.build_body("2021-07-01", "2021-07-31", "month", [("A", ["파출소"])], "mo", "f", "3,4")
    assert (sliced["device"], sliced["gender"], sliced["ages"]) == ("mo", "f", ["3", "4"])
    for bad in (dict(unit="year"), dict(start="2015-12-31"), dict(groups=[("g", ["k"])] * 6),
                dict(groups=[("g", [str(i) for i in range(21)])])):
        args = {"start": "2021-01-01", "end": "2021-02-01", "unit": "month", "groups": [("A", ["a"])], **bad}
        with pytest.raises(ValueError):
            datalab.build_body(**args)


def test_network_failure_and_bad_answers_are_reported(db, server):
    with pytest.raises(datalab.DataLabError, match="DataLab 연결 실패 / cannot reach"):
        datalab.search("http://127.0.0.1:9/v1/datalab/search", KEYS,
                       datalab.build_body("2021-07-01", "2021-07-31", "month", [("A", ["a"])]), timeout=5)
    body = datalab.build_body("2021-07-01", "2021-08-31", "month", [("A", ["a"]), ("B", ["b"])])
    ok = {"A": [{"period": "2021-07-01", "ratio": 100}], "B": [{"period": "2021-08-01", "ratio": 3.5}]}
    encode = lambda results: json.dumps({"results": [{"title": t, "data": d} for t, d in results.items()]}).encode()  # noqa: E731
    assert datalab.check_answer(encode(ok), body) == {"A": {"2021-07-01": 100.0}, "B": {"2021-08-01": 3.5}}
    for broken, what in ((dict(ok, B=[{"period": "2021-08-01", "ratio": 130}]), "not in 0..100"),
                         (dict(ok, B=[{"period": "2021-09-01", "ratio": 1}]), "bad or repeated period"),
                         (dict(ok, B=[{"period": "2021-07-01", "ratio": 1}] * 2), "bad or repeated period"),
                         ({"A": ok["A"]}, r"no answer for group\(s\) B"),
                         (dict(ok, C=[]), "unexpected or repeated group")):
        with pytest.raises(datalab.DataLabError, match=what):
            datalab.check_answer(encode(broken), body)


def test_plan_keeps_datalab_limits_and_the_anchor_in_every_request():
    cfg = InterestConfig.from_settings(load_settings())
    requests = plan(cfg, "2021-01-01", "2026-11-30")
    assert len(requests) == len(cfg.slices) * len(cfg.units) * 5 <= cfg.daily_quota
    for unit, name, parts, body in requests:
        groups = body["keywordGroups"]
        assert len(groups) <= 5 and groups[0]["groupName"] == cfg.anchor.name
        assert all(1 <= len(g["keywords"]) <= 20 for g in groups) and None not in body.values()
    assert {tuple(sorted(b)) for *_, b in requests} >= {("endDate", "gender", "keywordGroups", "startDate", "timeUnit")}


# ---------------------------------------------------------------- settings

@pytest.mark.parametrize("line, error", [
    ('units = ["day"]', "[interest] units must be a list of date, week, month"),
    ('slices = ["device:tablet"]', "slice 'device:tablet': use all, device:pc|mo"),
    ('since = "2015-06-01"', "[interest] since must be a date"),
    ('since = "2022-01-01"', "since (2022-01-01) must not be after base_start"),
    ('daily_quota = 0', "[interest] daily_quota must be a whole number of calls"),
    ('groups = [{ name = "서울", region = "서울시", keywords = ["a"] }]', "group '서울': unknown region '서울시'"),
    ('groups = [{ name = "a", keywords = [] }]', "group 'a' needs keywords"),
    ('groups = [{ name = "a", keywords = ["k"] }, { name = "a", keywords = ["j"] }]', "group name 'a' is used twice"),
    ('colour = "red"', "[interest] colour: unknown setting"),
])
def test_interest_settings_are_checked_with_file_and_line(tmp_path, line, error):
    path = tmp_path / "settings.toml"
    path.write_text(f"# 설정\n[interest]\n\n{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}:4:") and error in str(err.value), err.value


def test_the_shipped_settings_name_every_region_once():
    cfg = InterestConfig.from_settings(load_settings())
    from vocabulary import REGIONS
    assert sorted(g.region for g in cfg.groups if g.region) == sorted(REGIONS)
    assert cfg.since <= cfg.base[0] and cfg.anchor.keywords


# ---------------------------------------------------------------- surveys

SURVEY = """date,region,question,share,n,source,url
2024-03-15,전국,자치경찰제를 알고 있다,0.5,100,경찰청 인식조사,https://example.org/survey
2024-09-30,서울,자치경찰위원회를 들어 보았다,31.4%,1000,서울시자치경찰위원회,
"""


def test_survey_import_with_wilson_intervals_and_reimport(db, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(SURVEY, encoding="utf-8")
    assert import_csv(db, path) == (2, 0)
    rows = surveys(db)
    assert [(r["region"], r["share"], r["n"]) for r in rows] == [("전국", 0.5, 100), ("서울", 0.314, 1000)]
    # Wilson 95%, p = 0.5, n = 100: centre 0.5, half-width 1.96·sqrt(0.25/100 + 1.96²/40000)/(1 + 1.96²/100)
    assert (rows[0]["lo"], rows[0]["hi"]) == (pytest.approx(0.40383, abs=1e-5), pytest.approx(0.59617, abs=1e-5))
    assert rows[1]["lo"] == pytest.approx(0.28601, abs=1e-4) and rows[1]["hi"] == pytest.approx(0.34341, abs=1e-4)
    path.write_text(SURVEY.replace("0.5,100", "0.55,120"), encoding="utf-8")
    assert import_csv(db, path) == (0, 2)
    assert [r["share"] for r in surveys(db, ["전국"])] == [0.55]


def test_survey_in_korean_headers_and_cp949_from_excel(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("조사일,지역,문항,비율,표본수,출처\n2023.05.02,부산,인지도,12%,\"1,500\",부산시\n".encode("cp949"))
    assert import_csv(db, path) == (1, 0)
    assert surveys(db)[0] | {"lo": None, "hi": None} == {"date": "2023-05-02", "region": "부산", "question": "인지도",
                                                         "share": 0.12, "n": 1500, "source": "부산시", "url": None,
                                                         "lo": None, "hi": None}


def test_a_bad_survey_file_lists_every_problem_and_imports_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(SURVEY + "2024-13-01,전국,q,0.4,10,s,\n2024-01-01,서울시,q,0.4,10,s,\n"
                    "2024-01-02,서울,q,42,10,s,\n2024-01-03,서울,q,0.4,0,s,\n"
                    "2024-01-04,서울,q,0.4,10,s,javascript:alert(1)\n2024-01-05,서울,,0.4,10,s,\n"
                    "2024-03-15,전국,자치경찰제를 알고 있다,0.5,100,경찰청 인식조사,\n", encoding="utf-8")
    with pytest.raises(SurveyError) as err:
        import_csv(db, path)
    assert "7 bad row(s), nothing imported" in str(err.value)
    assert [p.split(": ", 1)[0] for p in err.value.problems] == [f"{path}:{n}" for n in range(4, 11)]
    joined = "\n".join(err.value.problems)
    for text in ("date '2024-13-01'", "region '서울시'", "share '42' is over 1", "n '0' must be between",
                 "only http(s) addresses", "question: 1 to 300 characters", "same date, region, question and source as line 2"):
        assert text in joined
    assert db.execute("SELECT COUNT(*) FROM surveys").fetchone()[0] == 0
    path.write_text("when,region\n2024-01-01,서울\n", encoding="utf-8")
    with pytest.raises(SurveyError, match=r":1: 열 이름 오류 / header: unknown or repeated 'when'; missing date, "
                                          r"question, share, n, source"):
        import_csv(db, path)


def test_survey_command_exit_codes(tmp_path):
    good, bad, db_path = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "m.db"
    good.write_text(SURVEY, encoding="utf-8")
    bad.write_text(SURVEY.replace("0.5,100", "1.5,100"), encoding="utf-8")
    run = lambda *a: subprocess.run([sys.executable, "monitor.py", "--db", str(db_path), *a],  # noqa: E731
                                    cwd=ROOT, capture_output=True, text=True, timeout=120)
    ok = run("import", "survey", str(good))
    assert ok.returncode == 0 and "새 2건, 갱신 0건" in ok.stdout
    failed = run("import", "survey", str(bad))
    assert failed.returncode == 1 and f"{bad}:2: share '1.5' is over 1" in failed.stderr
    status = run("interest", "status")
    assert status.returncode == 0 and "DataLab calls today: 0 / 1,000회" in status.stdout and "설문 2건" in status.stdout
    nokeys = subprocess.run([sys.executable, "monitor.py", "--db", str(db_path), "interest", "--since", "2021-01-01"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in __import__("os").environ.items() if not k.startswith("NAVER_")})
    assert nokeys.returncode == 1 and SKIPPED_NO_KEYS in nokeys.stdout


# ---------------------------------------------------------------- API, export, digest, dashboard

def test_api_rows_and_export_file_agree_with_the_store(fetched, fdb, tmp_path):
    from export.api import register
    client = register(flask.Flask("interest-api"), fetched[0]).test_client()
    r = client.get("/api/v1/search-interest?by=month&group=자치경찰제&from=2021-06-01&to=2021-08-31")
    assert r.status_code == 200
    body = r.get_json()
    want = series(fdb, "month", ["자치경찰제"], "2021-06-01", "2021-08-31")
    assert [(d["group"], d["period"], d["value"]) for d in body["data"]] == \
        [(w["group"], w["period"], w["value"]) for w in want] and len(want) == 3
    assert body["meta"]["dataset"] == "search-interest" and "anchor" in body["meta"]["method"]
    wide = client.get("/api/v1/search-interest?by=month&region=서울,부산&shape=wide&from=2021-07-01&to=2021-07-31")
    assert wide.get_json()["data"] == [{"period": "2021-07-01", "서울": want_value(fdb, "서울"),
                                        "부산": want_value(fdb, "부산")}]
    csv_text = client.get("/api/v1/search-interest?by=month&group=자치경찰제&from=2021-07-01&to=2021-07-31&format=csv")
    assert csv_text.data.decode("utf-8-sig").splitlines()[0].startswith("period,group,region,unit,device")
    for bad, text in (("by=year", "invalid by"), ("region=서울시", "invalid region"), ("ages=12", "invalid ages"),
                      ("q=x", "unknown parameter(s): q")):
        answer = client.get(f"/api/v1/search-interest?{bad}")
        assert answer.status_code == 400 and text in answer.get_json()["error"], bad
    out = tmp_path / "interest.csv"
    done = subprocess.run([sys.executable, "monitor.py", "--db", str(fetched[0]), "export", "interest", "--by", "month",
                           "--group", "자치경찰제", "--from", "2021-06-01", "--to", "2021-08-31", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and [float(x.split(",")[7]) for x in lines[1:]] == [w["value"] for w in want]
    meta = json.loads(Path(str(out) + ".meta.json").read_text(encoding="utf-8"))
    assert meta["dataset"] == "search-interest" and meta["row_count"] == 3


def want_value(db, group):
    return series(db, "month", [group], "2021-07-01", "2021-07-01")[0]["value"]


def test_digest_line_is_this_week_against_the_four_before(fetched, fdb):
    from digest.build import build_digest, last_complete_week, parse_week
    from digest.render import interest_line, render_text
    week = last_complete_week()
    monday = parse_week(week)[0]
    ctx = build_digest(fdb, week, region="서울")
    names = [g["group"] for g in ctx["interest"]["groups"]]
    assert names == ["자치경찰제", "자치경찰위원회", "서울"]

    def week_sum(group, start):
        return sum(r["value"] for r in series(fdb, "date", [group], start.isoformat(),
                                               (start + dt.timedelta(days=6)).isoformat()))
    for g in ctx["interest"]["groups"]:
        before = sum(week_sum(g["group"], monday - dt.timedelta(weeks=k)) for k in range(1, 5)) / 4
        assert g["index"] == pytest.approx(week_sum(g["group"], monday) / before * 100)
    line = interest_line(ctx)
    assert line.startswith("네이버 검색 관심 (직전 4주 평균 = 100): 자치경찰제 ")
    assert line in render_text(ctx)


def test_overview_panel_numbers_match_the_store(fetched, fdb):
    from dashboard.data import Data
    from dashboard.state import Context, parse_search
    from dashboard.views import interest
    from store.synthetic import seed_synthetic
    end = (dt.datetime.now(KST).date() - dt.timedelta(days=1))
    seed_synthetic(fdb, 300, days=40, end_date=end.isoformat(), seed=5)
    data = Data(fetched[0])
    start = end - dt.timedelta(days=27)
    with data.db() as db:
        ctx = Context(parse_search(f"?start={start}&end={end}&by=week&region=서울"), data.bounds(db))
        out = interest.render(data, db, ctx)
        traces = {t["name"]: t for t in out["ov-interest"]["data"]}
        assert list(traces) == ["보도량 (관련 기사 수, 지수)", "검색 관심: 서울 (지수)"]
        line = traces["검색 관심: 서울 (지수)"]
        days = {r["period"]: r["value"] for r in series(db, "date", ["서울"], start.isoformat(), end.isoformat())}
        sums = {}
        for day, value in days.items():
            monday = dt.date.fromisoformat(day) - dt.timedelta(days=dt.date.fromisoformat(day).weekday())
            sums[monday.isoformat()] = sums.get(monday.isoformat(), 0) + value
        whole = [p for p, s in zip(line["x"], line["marker"]["symbol"]) if s == "circle"]
        mean = sum(sums[p] for p in whole) / len(whole)
        assert line["y"] == pytest.approx([sums[p] / mean * 100 for p in line["x"]])
        counts = {r["period"]: r["articles"] for r in data.counts(db, "week", None, ctx.filters)}
        cover = traces["보도량 (관련 기사 수, 지수)"]
        assert cover["customdata"] == [counts.get(p, 0) for p in cover["x"]]


def test_docs_name_every_search_interest_column_and_the_endpoint():
    from interest.export import COLUMNS
    dictionary = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in dictionary for name, _ in COLUMNS)
    assert "`GET /api/v1/search-interest`" in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
