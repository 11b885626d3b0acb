"""Policy events: both collectors against the recorded API servers on 127.0.0.1 (every
envelope and error code, the HTML error page, paging), bill steps as dated events,
idempotent re-fetch, milestones config with file:line errors, staff notes through the
command, the export and /api/v1/events round trips, and the digest section."""
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import flask
import pytest

from events import assembly, lawinfo, table
from events.collect import fetch_all
from events.config import ConfigError, load
from events.http import ApiError
from events.recorded import FIXTURES, fill, serve
from spreadsheet_checks import assert_no_live_csv_formula, assert_no_xlsx_formula
from export.api import register

ROOT = Path(__file__).resolve().parent.parent
KST = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.datetime.now(KST).date()


def ago(days):
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def apis():
    with serve() as servers:
        yield servers


def monitor(db_path, *args):
    return subprocess.run([sys.executable, "monitor.py", "--db", str(db_path), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- National Assembly envelopes

@pytest.mark.parametrize("code,words", [
    ("ERROR-290", "ASSEMBLY_API_KEY is not valid"), ("ERROR-300", "AGE"), ("ERROR-310", "service not found"),
    ("ERROR-333", "pIndex"), ("ERROR-336", "pSize over 1000"), ("ERROR-337", "daily call limit")])
def test_each_assembly_error_envelope_is_one_clear_line(code, words):
    with pytest.raises(ApiError) as err:
        assembly.parse((FIXTURES / "assembly" / "results" / f"{code}.json").read_bytes())
    assert err.value.code == code and words in str(err.value) and "\n" not in str(err.value)


def test_assembly_no_data_and_success_envelopes():
    assert assembly.parse((FIXTURES / "assembly" / "results" / "INFO-200.json").read_bytes()) == (0, [])
    body = {"TVBPMBILL11": [{"head": [{"list_total_count": 7}, {"RESULT": {"CODE": "INFO-000", "MESSAGE": "정상"}}]},
                            {"row": [{"BILL_ID": "A"}, "junk"]}]}
    assert assembly.parse(json.dumps(body).encode()) == (7, [{"BILL_ID": "A"}])
    for bad in (b"<html><body>Service Unavailable</body></html>", b"[1, 2]", b'{"TVBPMBILL11": [{}]}'):
        with pytest.raises(ApiError) as err:
            assembly.parse(bad)
        assert err.value.code in ("NOT-JSON", "SHAPE")
    assert "HTML page" in str(pytest.raises(ApiError, assembly.parse, b"<!DOCTYPE html><html>x</html>").value)


def test_assembly_server_answers_each_code(apis):
    from events.http import get
    url = apis.endpoints["assembly_url"] + "TVBPMBILL11"
    base = {"Type": "json", "pIndex": 1, "pSize": 5, "AGE": 22}
    for params, code in (({"KEY": "wrong"}, "ERROR-290"), ({"KEY": "used-up"}, "ERROR-337"),
                         ({"KEY": "demo", "AGE": ""}, "ERROR-300"), ({"KEY": "demo", "pSize": 1001}, "ERROR-336"),
                         ({"KEY": "demo", "pIndex": "x"}, "ERROR-333")):
        with pytest.raises(ApiError) as err:
            assembly.parse(get(url, {**base, **params})[1])
        assert err.value.code == code, params
    assert assembly.parse(get(url, {**base, "KEY": "demo", "BILL_NAME": "해당 의안 없음"})[1]) == (0, [])  # INFO-200
    assert assembly.fetch_bills(apis.endpoints["assembly_url"], "demo", [22], ["해당 의안 없음"]) == []
    with pytest.raises(ApiError) as err:
        assembly.parse(get(apis.endpoints["assembly_url"] + "NOSUCHSERVICE", {**base, "KEY": "demo"})[1])
    assert err.value.code == "ERROR-310"
    with pytest.raises(ApiError) as err:  # the collector stops at the first error and reports its code
        assembly.fetch_bills(apis.endpoints["assembly_url"], "demo", [22], ["자치경찰"], page_size=1001)
    assert err.value.code == "ERROR-336"


def test_assembly_pages_through_list_total_count(apis):
    rows = assembly.fetch_bills(apis.endpoints["assembly_url"], "demo", [22], ["자치경찰"], page_size=1)
    assert sorted(r["BILL_ID"] for r in rows) == ["PRC_EXAMPLE_22_0001", "PRC_EXAMPLE_22_0002", "PRC_EXAMPLE_22_0003"]
    both = assembly.fetch_bills(apis.endpoints["assembly_url"], "demo", [21, 22], ["자치경찰", "국가경찰"])
    assert len(both) == 4 and "PRC_EXAMPLE_22_0004" not in {r["BILL_ID"] for r in both}  # 도로교통법: not asked for


def test_bill_steps_become_dated_events():
    row = json.loads(fill((FIXTURES / "assembly" / "bills.json").read_text("utf-8")))[0]
    events = assembly.bill_events(row)
    assert [(e["external_id"], e["date"]) for e in events] == [
        ("PRC_EXAMPLE_22_0001:propose", ago(24)), ("PRC_EXAMPLE_22_0001:committee", ago(22)),
        ("PRC_EXAMPLE_22_0001:judiciary", ago(10)), ("PRC_EXAMPLE_22_0001:decided", ago(4))]
    assert events[1]["title"].startswith("소관위원회 회부(행정안전위원회): 국가경찰과 자치경찰")
    assert events[3]["title"].startswith("수정가결: ") and events[3]["detail"]["BILL_NO"] == "2299001"
    pending = assembly.bill_events({"BILL_ID": "X", "BILL_NAME": "안", "PROPOSE_DT": "20240605", "PROC_DT": ""})
    assert [(e["date"], e["title"]) for e in pending] == [("2024-06-05", "발의: 안")]


# ---------------------------------------------------------------- law information API

def test_law_html_error_page_is_detected_and_the_oc_not_repeated(apis):
    with pytest.raises(ApiError) as err:
        lawinfo.fetch_versions(apis.endpoints["law_url"], "secret-oc-123", ["국가경찰과 자치경찰의 조직 및 운영에 관한 법률"])
    message = str(err.value)
    assert err.value.code == "HTML" and "LAW_API_OC" in message and "사용자 정보 검증에 실패" in message
    assert "secret-oc-123" not in message and "\n" not in message
    page = (FIXTURES / "law" / "unapproved.html").read_bytes()
    for ctype in ("text/html;charset=UTF-8", "text/xml"):  # also when mislabelled as XML
        with pytest.raises(ApiError):
            lawinfo.parse(page, ctype)
    with pytest.raises(ApiError) as err:
        lawinfo.parse(b"<?xml version='1.0'?><LawSearch><totalCnt>1</totalCnt><law>", "text/xml")
    assert err.value.code == "NOT-XML"
    assert pytest.raises(ApiError, lawinfo.parse, b"<Other/>", "text/xml").value.code == "SHAPE"


def test_law_versions_exact_names_paging_and_events(apis):
    names = ["국가경찰과 자치경찰의 조직 및 운영에 관한 법률", "없는 법률"]
    items, missing = lawinfo.fetch_versions(apis.endpoints["law_url"], "demo", names, ["eflaw"], display=1)
    assert sorted(i["법령일련번호"] for i in items) == ["990001", "990002", "990003"]  # not the 시행령
    assert missing == ["없는 법률"]
    current, _ = lawinfo.fetch_versions(apis.endpoints["law_url"], "demo", names[:1], ["law"])
    assert [i["현행연혁코드"] for i in current] == ["현행"]
    full = next(i for i in items if i["법령일련번호"] == "990001")
    events = lawinfo.version_events(full)
    assert [(e["date"], e["kind"]) for e in events] == [("2020-12-22", "law"), ("2021-01-01", "law")]
    assert events[0]["title"] == "「국가경찰과 자치경찰의 조직 및 운영에 관한 법률」 전부개정 공포 (법률 제17689호)"
    assert events[1]["url"] == "https://www.law.go.kr/LSW/lsInfoP.do?lsiSeq=990001&efYd=20210101"
    future = next(i for i in items if i["법령일련번호"] == "990003")
    assert lawinfo.version_events(future)[1]["date"] == (TODAY + dt.timedelta(days=80)).isoformat()


# ---------------------------------------------------------------- collecting into the store

def test_fetch_all_is_idempotent_and_one_failure_never_stops_the_other(db, apis):
    first = {s["collector"]: s for s in fetch_all(db, endpoints=apis.endpoints)}
    assert first["assembly"]["new"] == 10 and first["lawinfo"]["new"] == 8 and first["milestones"]["new"] >= 4
    rows = db.execute("SELECT COUNT(*), MAX(updated_at) FROM events").fetchone()
    again = {s["collector"]: s for s in fetch_all(db, endpoints=apis.endpoints)}
    assert all(s["new"] == 0 and s["updated"] == 0 and s["status"] == "ok" for s in again.values())
    assert db.execute("SELECT COUNT(*), MAX(updated_at) FROM events").fetchone() == rows
    broken = {s["collector"]: s for s in fetch_all(db, endpoints={**apis.endpoints, "assembly_key": "used-up"})}
    assert broken["assembly"]["status"] == "error" and "ERROR-337" in broken["assembly"]["error"]
    assert broken["lawinfo"]["status"] == "ok" and broken["milestones"]["status"] == "ok"
    assert db.execute("SELECT COUNT(*) FROM events WHERE source = 'assembly'").fetchone()[0] == 10  # nothing lost
    unreachable = {**apis.endpoints, "law_url": "http://127.0.0.1:9/DRF/"}
    down = {s["collector"]: s for s in fetch_all(db, endpoints=unreachable)}
    assert down["lawinfo"]["status"] == "error" and "cannot reach" in down["lawinfo"]["error"]
    assert down["assembly"]["status"] == "ok"


def test_a_status_change_updates_the_bill_and_adds_its_new_step(db):
    row = {"BILL_ID": "B1", "BILL_NAME": "자치경찰 법안", "PROPOSE_DT": "2026-01-05", "COMMITTEE_DT": "2026-01-06"}
    assert table.save_collected(db, "assembly", assembly.bill_events(row))["new"] == 2
    row.update(PROC_DT="2026-03-02", PROC_RESULT_CD="원안가결", COMMITTEE_DT="2026-01-07")
    counts = table.save_collected(db, "assembly", assembly.bill_events(row))
    assert (counts["new"], counts["updated"], counts["same"]) == (1, 1, 1)
    assert [(e["date"], e["title"]) for e in table.list_events(db)] == [
        ("2026-01-05", "발의: 자치경찰 법안"), ("2026-01-07", "소관위원회 회부: 자치경찰 법안"),
        ("2026-03-02", "원안가결: 자치경찰 법안")]


def test_one_bad_record_is_left_out_and_the_rest_stored(db, caplog):
    counts = table.save_collected(db, "lawinfo", [
        {"external_id": "a", "date": "2026-01-05", "kind": "law", "title": "  \x00 "},
        {"external_id": "b", "date": "2026-01-06", "kind": "law", "title": "「법」 공포"}])
    assert (counts["new"], counts["rejected"]) == (1, 1)
    assert [e["external_id"] for e in table.list_events(db)] == ["b"]
    assert any("lawinfo a left out" in r.getMessage() for r in caplog.records)


def test_without_keys_the_api_collectors_are_skipped_with_one_line(db, caplog):
    caplog.set_level("INFO", logger="events")
    summaries = {s["collector"]: s for s in fetch_all(db, env={})}
    assert summaries["assembly"]["status"] == summaries["lawinfo"]["status"] == "skipped"
    lines = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(lines) == 2 and "ASSEMBLY_API_KEY" in lines[0] and "LAW_API_OC" in lines[1]


def test_hostile_bill_values_are_cleaned(db, apis):
    rows = assembly.fetch_bills(apis.endpoints["assembly_url"], "demo", [20], ["자치경찰"])
    table.save_collected(db, "assembly", [e for r in rows for e in assembly.bill_events(r)])
    events = table.list_events(db)
    assert [e["date"] for e in events] == ["2019-03-05", "2019-04-01"]  # bad dates ("2019-13-45", "어제") dropped
    assert all(e["url"] is None for e in events)  # javascript: and file: links dropped
    assert len(events[0]["title"]) <= table.MAX_TITLE and "\x07" not in events[0]["title"]


# ---------------------------------------------------------------- config/events.toml

def test_shipped_config_is_valid_and_every_milestone_has_a_source():
    config = load()
    assert len(config["milestones"]) >= 4
    assert all(m["url"].startswith("https://") for m in config["milestones"])
    assert {"2006-07-01", "2021-07-01"} <= {m["date"] for m in config["milestones"]}


@pytest.mark.parametrize("text,where,words", [
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\nurl = "https://x.kr"\n\n[[milestone]]\ndate = "2021-02-30"\n'
     'title = "b"\nurl = "https://x.kr"\n', ":7:", "YYYY-MM-DD"),
    ('[[milestone]]\ndate = 2021-02-30\ntitle = "b"\nurl = "https://x.kr"\n', "line 2", "not valid TOML"),
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\nurl = "javascript:alert(1)"\n', ":4:", "http(s)"),
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\n', ":1:", "needs url"),
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\nurl = "https://x.kr"\nregion = "화성"\n', ":5:", "unknown region"),
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\nurl = "https://x.kr"\nlink = "y"\n', ":5:", "unknown key"),
    ('[assembly]\nages = 22\n', ":2:", "list of assembly numbers"),
    ('[assembly]\npage_size = 5000\n', ":2:", "1 to 1000"),
    ('[law]\ntarget = ["eflaw"]\n', ":2:", "unknown setting"),
    ('[lawinfo]\n', ":1:", "unknown section"),
    ('[[milestone]]\ndate = 2021-07-01\ntitle = "a"\nurl = "https://x.kr"\n[[milestone]]\ndate = 2021-07-01\n'
     'title = "a"\nurl = "https://y.kr"\n', ":5:", "listed twice"),
    ('[assembly\n', "", "not valid TOML"),
])
def test_config_mistakes_name_file_and_line(tmp_path, text, where, words):
    path = tmp_path / "events.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(path) in str(err.value) and where in str(err.value) and words in str(err.value), str(err.value)


def test_milestones_follow_the_config_file(db, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text('[[milestone]]\ndate = 2021-07-01\ntitle = "전면 시행"\nurl = "https://x.kr"\n'
                    '[[milestone]]\ndate = 2006-07-01\ntitle = "제주"\nregion = "제주"\nurl = "https://y.kr"\n', "utf-8")
    assert fetch_all(db, path, env={}, only=["milestones"])[0]["new"] == 2
    path.write_text('[[milestone]]\ndate = 2021-07-01\ntitle = "전면 시행"\nurl = "https://x.kr"\n', "utf-8")
    assert fetch_all(db, path, env={}, only=["milestones"])[0]["deleted"] == 1
    assert [e["title"] for e in table.list_events(db)] == ["전면 시행"]
    path.write_text('[[milestone]]\ndate = "soon"\n', "utf-8")
    broken = fetch_all(db, path, env={}, only=["milestones"])[0]
    assert broken["status"] == "error" and [e["title"] for e in table.list_events(db)] == ["전면 시행"]  # kept


# ---------------------------------------------------------------- staff notes through the command

def test_staff_notes_add_edit_list_delete_by_command(db_path):
    done = monitor(db_path, "events", "add", "2026-11-20", "서울 자경위 정책 토론회", "--region", "서울",
                   "--url", "https://example.org/forum", "--author", "홍보담당")
    assert done.returncode == 0, done.stderr
    note = table.list_events(_open(db_path), kinds=["staff_note"])[0]
    assert (note["title"], note["region"], note["author"], note["source"]) == ("서울 자경위 정책 토론회", "서울", "홍보담당",
                                                                               "staff")
    done = monitor(db_path, "events", "edit", str(note["id"]), "--date", "2026-11-21", "--region", "", "--author", "김담당")
    assert done.returncode == 0, done.stderr
    edited = table.get(_open(db_path), note["id"])
    assert (edited["date"], edited["region"], edited["author"], edited["updated_by"]) == ("2026-11-21", None, "홍보담당",
                                                                                         "김담당")
    listed = monitor(db_path, "events", "list", "--kind", "staff_note", "--json")
    assert json.loads(listed.stdout.splitlines()[0])["id"] == note["id"]
    for bad, words in ((["add", "2026-02-30", "x"], "YYYY-MM-DD"), (["add", "2026-02-01", " "], "required"),
                       (["add", "2026-02-01", "x", "--url", "javascript:alert(1)"], "http(s)"),
                       (["add", "2026-02-01", "x", "--region", "화성"], "unknown region")):
        failed = monitor(db_path, "events", *bad)
        assert failed.returncode == 2 and words in failed.stderr and len(failed.stderr.splitlines()) == 1
    assert monitor(db_path, "events", "delete", str(note["id"])).returncode == 0
    assert table.get(_open(db_path), note["id"]) is None
    gone = monitor(db_path, "events", "delete", str(note["id"]))
    assert gone.returncode == 2 and "no event" in gone.stderr


def test_only_staff_notes_can_be_edited_or_deleted(db):
    table.save_collected(db, "config", [{"external_id": "m", "date": "2021-07-01", "kind": "milestone", "title": "m"}])
    event_id = table.list_events(db)[0]["id"]
    with pytest.raises(table.EventError, match="config/events.toml"):
        table.delete_note(db, event_id)
    with pytest.raises(table.EventError, match="only staff notes"):
        table.update_note(db, event_id, "나", title="x")
    with pytest.raises(table.EventError, match="author"):
        table.add_note(db, "2026-01-01", "메모", "  ")


def _open(path):
    import store
    return store.open_db(path)


# ---------------------------------------------------------------- export and API

@pytest.fixture
def filled(db, apis):
    fetch_all(db, endpoints=apis.endpoints)
    table.add_note(db, "2026-11-20", '=HYPERLINK("http://evil.example","클릭")', "홍보담당", "서울")
    return db


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "parquet"])
def test_export_events_round_trip(filled, tmp_path, fmt):
    import pandas as pd
    out = tmp_path / f"events.{fmt}"
    done = monitor(filled.path, "export", "events", "--out", str(out), "--kind", "bill,staff_note")
    assert done.returncode == 0, done.stderr
    frame = {"csv": lambda: pd.read_csv(out, encoding="utf-8-sig", dtype=str), "xlsx": lambda: pd.read_excel(out, dtype=str),
             "json": lambda: pd.read_json(out, lines=True, dtype=False), "parquet": lambda: pd.read_parquet(out)}[fmt]()
    expected = table.list_events(filled, kinds=["bill", "staff_note"])
    assert len(frame) == len(expected) == 11
    assert [str(d)[:10] for d in frame["date"]] == [e["date"] for e in expected]
    # Titles come back as written, except that a CSV cell which would start a formula gets a
    # leading ' (formula-injection rule, docs/data-dictionary.md); xlsx cells are plain strings.
    quoted = ["'" + e["title"] if fmt == "csv" and e["title"].startswith("=") else e["title"] for e in expected]
    assert list(frame["title"]) == quoted and any(t.startswith("'=") for t in quoted) == (fmt == "csv")
    if fmt == "csv":
        assert_no_live_csv_formula(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    if fmt == "xlsx":
        assert_no_xlsx_formula(out)
    meta = json.loads(Path(str(out) + ".meta.json").read_text())
    assert meta["dataset"] == "events" and meta["row_count"] == 11 and meta["filters"]["kinds"] == ["bill", "staff_note"]


def test_api_events_rows_filters_paging_and_errors(filled):
    client = register(flask.Flask("events-api"), filled.path).test_client()
    body = client.get("/api/v1/events?kind=bill&per_page=4").get_json()
    assert body["meta"]["row_count"] == 10 and body["meta"]["pages"] == 3 and len(body["data"]) == 4
    assert {"date", "kind", "title", "url", "region", "source"} <= set(body["data"][0])
    assert "page=2" in body["links"]["next"]
    seoul = client.get("/api/v1/events", query_string={"region": "서울"}).get_json()["data"]
    assert [e["kind"] for e in seoul] == ["staff_note"]
    national = client.get("/api/v1/events", query_string={"region": "전국", "kind": "milestone"}).get_json()["data"]
    assert national and all(e["region"] is None for e in national)
    window = client.get(f"/api/v1/events?from={ago(10)}&to={ago(4)}").get_json()["data"]
    assert window and all(ago(10) <= e["date"] <= ago(4) for e in window)
    answer = client.get("/api/v1/events?kind=staff_note&format=csv")
    assert answer.status_code == 200 and answer.data.startswith("\ufeffid,date,kind".encode("utf-8"))
    assert_no_live_csv_formula(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    for query, words in (("kind=vote", "invalid kind"), ("from=2026-13-01", "YYYY-MM-DD"), ("colour=red", "unknown"),
                         ("from=2026-02-01&to=2026-01-01", "after"), ("per_page=5000", "between")):
        bad = client.get(f"/api/v1/events?{query}")
        assert bad.status_code == 400 and words in bad.get_json()["error"], query


# ---------------------------------------------------------------- digest

def test_digest_lists_the_weeks_events_for_the_recipients_region(db):
    from digest.build import build_digest
    from digest.render import render_html, render_text
    table.save_collected(db, "assembly", [
        {"external_id": "b:propose", "date": "2026-11-17", "kind": "bill", "title": "발의: 자치경찰 <법안>",
         "url": "https://example.org/b"},
        {"external_id": "b2:propose", "date": "2026-11-24", "kind": "bill", "title": "다음 주 법안"}])
    table.add_note(db, "2026-11-18", "부산 메모", "담당", "부산")
    seoul = build_digest(db, "2026-W47", region="서울")
    assert [e["title"] for e in seoul["events"]] == ["발의: 자치경찰 <법안>"]
    everyone = build_digest(db, "2026-W47")
    assert [e["kind_ko"] for e in everyone["events"]] == ["법률안", "담당자 메모"]
    page = render_html(everyone, {"volume": "cid:v", "negative": "cid:n"})
    assert "이번 주 국회·법령" in page and "자치경찰 &lt;법안&gt;" in page and 'href="https://example.org/b"' in page
    assert "■ 이번 주 국회·법령" in render_text(everyone) and "[담당자 메모] 부산 메모" in render_text(everyone)
    quiet = build_digest(db, "2026-W40")
    assert "이번 주 국회·법령" not in render_html(quiet, {"volume": "v", "negative": "n"})
    assert "이번 주 국회·법령" not in render_text(quiet)


def test_markers_sit_on_the_period_of_their_date_and_in_every_topic_panel():
    """The time charts list periods (zero-filled categories): a Thursday event of a weekly chart
    is drawn on its Monday's week; the topic small multiples get it in each panel."""
    from dashboard import figures
    from dashboard.event_markers import add_event_markers
    from store.periods import fill
    from vocabulary import TOPICS
    events = [{"id": 1, "date": "2026-11-19", "kind": "bill", "title": "발의", "region": None},
              {"id": 2, "date": "2026-11-20", "kind": "law", "title": "공포", "region": None}]
    rows = fill([], "week", "2026-11-02", "2026-11-22", ["topic"], [list(TOPICS)])
    weekly = add_event_markers(figures.topic_lines(rows, "week"), events, "week")
    marks = [t for t in weekly["data"] if t["name"].startswith("이벤트: ")]
    assert len(marks) == 2 * len(TOPICS)  # two kinds × every panel, one legend entry per kind
    assert sum(t["showlegend"] for t in marks) == 2
    assert {x for t in marks for x in t["x"]} == {"2026-11-16"}  # the week of 11/16~22
    assert {t["yaxis"] for t in marks} == {"y"} | {f"y{i}" for i in range(2, len(TOPICS) + 1)}
    assert all(0 < y <= weekly["layout"]["yaxis"]["range"][1] for t in marks for y in t["y"])
    assert len(weekly["layout"]["shapes"]) == len(TOPICS)  # one dotted line per panel for the one week
    daily = add_event_markers(figures.group_lines(fill([], "day", "2026-11-18", "2026-11-21", ["region"], [["서울"]]),
                                                  "day", "region", ["서울"], "t"), events, "day")
    assert [x for t in daily["data"] if t.get("yaxis") == "y9" for x in t["x"]] == ["2026-11-19", "2026-11-20"]
