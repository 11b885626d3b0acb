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


def test_one_day_store_shows_note_and_values(db):
    seed_synthetic(db, 60, days=1, end_date="2026-11-20")
    out = render(db.path, overview)
    assert "하루치" in str(out["ov-notice"])
    assert out["ov-volume"]["data"] and not out["ov-volume"]["layout"].get("annotations")


def test_filter_matching_nothing_says_so(db):
    seed_synthetic(db, 200, days=10, end_date="2026-11-20")
    for view, key in ((overview, "ov-notice"), (regions, "rg-notice"), (topics, "tp-notice"), (sources, "src-notice")):
        out = render(db.path, view, "?start=2030-01-01&end=2030-01-31")
        assert "조건에 맞는 문서가 없습니다" in str(out[key]), view.TITLE
    assert int(render(db.path, overview)["ov-kpis"][0].children[1].children.replace(",", "")) > 0


def test_spikes_are_marked_on_the_charts(db):
    seed_synthetic(db, 300, days=20, end_date="2026-11-20")
    db["spikes"].insert({"day": "2026-11-18", "metric": "volume", "scope": "all", "key": "all", "value": 40,
                         "baseline": 10, "threshold": 25, "zscore": 4.2})
    fig = render(db.path, overview)["ov-volume"]
    marks = [t for t in fig["data"] if t["name"] == "급증 감지"]
    assert marks and list(marks[0]["x"]) == ["2026-11-18"]


def test_csv_has_bom_and_korean_headers(db):
    seed_synthetic(db, 200, days=10, end_date="2026-11-20")
    data = Data(db.path)
    with data.db() as conn:
        rows = overview.rows(data, conn, Context(parse_search(""), data.bounds(conn)))
    raw = to_csv(rows)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("기간,기사 수")
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
