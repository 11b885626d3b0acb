"""Watchlists (#20): saved searches checked by the search parser, their trend recounted here
with plain SQL, the API, the command line and the spike alert mail through a real SMTP
server (aiosmtpd) on 127.0.0.1: sent once, not twice, not on a quiet day, not without SMTP."""
import datetime as dt
import json

import pytest

import monitor
from digest.settings import load_settings, smtp_from_env
from digest_helpers import SmtpServer, add_docs
from store import open_db
from store.search import SearchError
from watchlists import alerts, table, trend

END = dt.date(2026, 11, 30)
SPIKE_DAY = END.isoformat()
QUIET_DAY = (END - dt.timedelta(days=3)).isoformat()


def day(n):
    return (END - dt.timedelta(days=n)).isoformat()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """35 days: each day 2 서울 '예산' articles (one story of two copies on even days), 1 부산 '인력'
    article (negative), 1 '경찰국 예산' article; one '예산' irrelevant article; 25 '예산' articles
    on the spike day; nothing on day 10 (a zero period)."""
    path = tmp_path_factory.mktemp("watchlists") / "monitor.db"
    db = open_db(path)
    for n in range(1, 36):
        if n == 10:
            continue
        cluster = f"story-{n}" if n % 2 == 0 else None
        add_docs(db, day(n), 2, region="서울", title="자치경찰 예산 보도", cluster=cluster,
                 sentiment="negative" if n % 3 == 0 else "neutral")
        add_docs(db, day(n), 1, region="부산", title="자치경찰 인력 부족", sentiment="negative", topics=("staffing",))
        add_docs(db, day(n), 1, region="서울", title="경찰국 예산 논란", sentiment="positive")
    add_docs(db, day(4), 1, region="서울", title="예산 무관 기사", relevant=False)
    add_docs(db, SPIKE_DAY, 25, region="서울", title="자치경찰 예산 삭감", sentiment="negative")
    db.conn.close()
    return path


@pytest.fixture
def db(store_path):
    database = open_db(store_path)
    yield database
    for wl in table.all_watchlists(database):
        table.delete(database, wl["id"])
    database.conn.close()


# --- storage and checks ---------------------------------------------------------------------

@pytest.mark.parametrize("name,query,filters,message", [
    ("괄호", "(예산 OR 인력", {}, "검색식 오류: 여는 괄호"),
    ("따옴표", '"예산', {}, "따옴표(\")가 닫히지 않았습니다"),
    ("OR", "OR 인력", {}, "OR 앞에 검색어가 없습니다"),
    ("", "예산", {}, "관심 목록 이름을 입력해 주세요"),
    ("지역", "예산", {"region": ["화성"]}, "잘못된 region"),
    ("필터", "예산", {"color": ["red"]}, "알 수 없는 필터"),
    ("빈", "  ", {}, "검색어나 필터를 하나 이상"),
])
def test_a_watchlist_that_cannot_work_is_refused_with_a_korean_message(db, name, query, filters, message):
    with pytest.raises(table.WatchlistError if "검색식" not in message and "따옴표" not in message
                       and "OR" not in message else SearchError) as err:
        table.add(db, name, query, filters)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert table.all_watchlists(db) == []


def test_saved_watchlists_keep_name_query_filters_and_alert(db):
    wl = table.add(db, "  예산   보도 ", ' 예산  OR 인력 -"경찰국" ', {"region": ["서울", "서울", "부산"], "sentiment": ["negative"],
                                                                  "outlet": [], "source_kind": ["news"]},
                   alert=True, recipients="a@test.example, b@test.example")
    assert wl["name"] == "예산 보도" and wl["query"] == '예산 OR 인력 -"경찰국"'
    assert wl["filters"] == {"region": ["서울", "부산"], "sentiment": ["negative"], "source_kind": ["news"]}
    assert wl["alert"] is True and wl["recipients"] == ["a@test.example", "b@test.example"]
    assert table.get(db, "예산 보도") == table.get(db, str(wl["id"])) == wl
    with pytest.raises(table.WatchlistError, match="같은 이름의 관심 목록이 이미 있습니다"):
        table.add(db, "예산 보도", "인력")
    with pytest.raises(table.WatchlistError, match="이메일 주소가 올바르지 않습니다"):
        table.update(db, wl["id"], recipients="not-an-address")
    assert table.update(db, wl["id"], alert=False)["alert"] is False
    state = {"q": "예산", "region": ["서울"], "kind": ["news"], "topic": [], "sentiment": [], "outlet": []}
    assert table.from_dashboard(state) == {"region": ["서울"], "source_kind": ["news"]}  # the tab saves API names
    assert table.dashboard_state({"query": "예산", "filters": table.from_dashboard(state)}) == {
        "q": "예산", "region": ["서울"], "kind": ["news"]}
    assert table.delete(db, "예산 보도")["id"] == wl["id"]
    with pytest.raises(table.WatchlistError, match="관심 목록이 없습니다"):
        table.get(db, wl["id"])


# --- trend: recounted with plain SQL ----------------------------------------------------------

PLAIN = """
    SELECT d.pub_date AS day, d.id, d.cluster_id, l.sentiment FROM documents d JOIN labels l ON l.document_id = d.id
    WHERE l.relevant = 1 AND d.duplicate_of IS NULL AND d.pub_date BETWEEN ? AND ?
      AND (d.title LIKE '%예산%' OR d.body LIKE '%예산%' OR d.title LIKE '%인력%' OR d.body LIKE '%인력%')
      AND NOT (d.title LIKE '%경찰국%' OR d.body LIKE '%경찰국%')
      AND d.id IN (SELECT document_id FROM label_regions WHERE region IN ('서울', '부산'))"""


def plain_counts(db, start, end, period_of):
    out = {}
    for r in db.execute(PLAIN, [start, end]).fetchall():
        acc = out.setdefault(period_of(r[0]), {"ids": set(), "stories": set(), "negative": 0, "labelled": 0})
        acc["ids"].add(r[1])
        acc["stories"].add(r[2])
        acc["negative"] += r[3] == "negative"
        acc["labelled"] += r[3] is not None
    return out


@pytest.mark.parametrize("by", ["day", "week"])
def test_trend_counts_agree_with_a_plain_sql_recount(db, by):
    wl = table.add(db, "예산·인력", "예산 OR 인력 -경찰국", {"region": ["서울", "부산"]})
    start, end = day(20), END.isoformat()
    rows = trend.trend(db, wl, by, start, end)
    monday = lambda d: (dt.date.fromisoformat(d) - dt.timedelta(days=dt.date.fromisoformat(d).weekday())).isoformat()  # noqa: E731
    plain = plain_counts(db, start, end, (lambda d: d) if by == "day" else monday)
    expected_periods = 21 if by == "day" else len({monday(day(n)) for n in range(0, 21)})
    assert len(rows) == expected_periods and [r["period"] for r in rows] == sorted(r["period"] for r in rows)
    for r in rows:
        want = plain.get(r["period"], {"ids": set(), "stories": set(), "negative": 0, "labelled": 0})
        assert (r["articles"], r["stories"], r["negative"], r["labelled"]) == (
            len(want["ids"]), len(want["stories"]), want["negative"], want["labelled"]), r["period"]
        if r["labelled"]:
            assert r["negative_share"] == pytest.approx(want["negative"] / want["labelled"])
            assert r["negative_ci_low"] <= r["negative_share"] <= r["negative_ci_high"]
        else:
            assert r["negative_share"] is None and r["negative_ci_low"] is None
    if by == "day":
        zero = next(r for r in rows if r["period"] == day(10))
        assert zero["articles"] == 0 and zero["stories"] == 0  # the empty day is there, as zero
        two_copies = next(r for r in rows if r["period"] == day(2))
        assert two_copies["articles"] == 3 and two_copies["stories"] == 2  # one story of two copies + 부산
    else:
        assert rows[0]["partial"] and not rows[1]["partial"]
    total = trend.totals(db, wl, start, end)
    everything = plain_counts(db, start, end, lambda d: "all")["all"]
    assert (total["articles"], total["stories"], total["labelled"]) == (
        len(everything["ids"]), len(everything["stories"]), everything["labelled"])
    assert [d["title"] for d in trend.latest(db, wl, start, end, limit=3)] == ["자치경찰 예산 삭감"] * 3


# --- API --------------------------------------------------------------------------------------

@pytest.fixture
def client(store_path):
    import flask
    from export import api
    app = flask.Flask(__name__)
    api.register(app, str(store_path))
    return app.test_client()


def test_api_lists_watchlists_and_serves_one_trend(db, client):
    wl = table.add(db, "인력", "인력", {"sentiment": ["negative"]}, alert=True, recipients="x@test.example")
    listed = client.get("/api/v1/watchlists").get_json()
    assert listed["meta"]["dataset"] == "watchlists" and listed["meta"]["row_count"] == 1
    assert listed["data"] == [{"id": wl["id"], "name": "인력", "query": "인력", "filters": {"sentiment": ["negative"]},
                               "alert": True, "recipients": 1, "created_at": wl["created_at"],
                               "updated_at": wl["updated_at"]}]  # the count of addresses, never the addresses
    body = client.get(f"/api/v1/watchlists/{wl['id']}/trend?from={day(6)}&to={END}&by=day").get_json()
    assert body["data"] == trend.trend(db, wl, "day", day(6), END.isoformat())
    assert [r["articles"] for r in body["data"]] == [1, 1, 1, 1, 1, 1, 0]
    assert body["meta"]["totals"]["articles"] == 6 and body["meta"]["watchlist"]["name"] == "인력"
    csv = client.get(f"/api/v1/watchlists/{wl['id']}/trend?from={day(6)}&to={END}&format=csv")
    lines = csv.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("period,days_in_period,partial,articles,stories") and len(lines) == 8
    assert client.get("/api/v1/watchlists/999/trend").status_code == 404
    bad = client.get(f"/api/v1/watchlists/{wl['id']}/trend?by=year")
    assert bad.status_code == 400 and "잘못된 by" in bad.get_json()["error"]
    assert client.get(f"/api/v1/watchlists/{wl['id']}/trend?from={END}&to={day(3)}").status_code == 400
    assert client.get("/api/v1/watchlists?color=red").status_code == 400


# --- command line -----------------------------------------------------------------------------

def test_the_watchlist_command_adds_lists_shows_and_deletes(db, store_path, capsys):
    run = lambda *argv: monitor.main(["--db", str(store_path), "watchlist", *argv])  # noqa: E731
    assert run("add", "부산 인력", "인력", "--region", "부산", "--alert") == 0
    assert "저장했습니다" in capsys.readouterr().out
    assert run("add", "잘못", "(인력") == 2
    assert "검색식 오류" in capsys.readouterr().err
    assert run("list", "--json") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(w["name"], w["filters"], w["alert"]) for w in listed] == [("부산 인력", {"region": ["부산"]}, True)]
    assert run("show", "부산 인력", "--from", day(6), "--to", END.isoformat(), "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["articles"] for r in rows] == [1, 1, 1, 1, 1, 1, 0] and rows[0]["negative_share"] == 1.0
    assert run("show", "부산 인력", "--by", "week") == 0
    out = capsys.readouterr().out
    assert "부정 비율 100%" in out and "자치경찰 인력 부족" in out
    assert run("alert", "부산 인력", "--off") == 0 and not table.get(db, "부산 인력")["alert"]
    assert run("delete", "부산 인력") == 0 and table.all_watchlists(db) == []
    assert run("delete", "부산 인력") == 2
    assert "관심 목록이 없습니다" in capsys.readouterr().err


# --- alert mail -------------------------------------------------------------------------------

@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


def test_a_spike_is_mailed_once_and_a_quiet_day_not_at_all(db, smtp, monkeypatch):
    settings = load_settings()
    table.add(db, "예산 급증", "예산", {"region": ["서울"]}, alert=True, recipients="pr@test.example")
    table.add(db, "알림 없음", "예산")  # alert off: never mailed
    conf = smtp_from_env(smtp.env())
    quiet = alerts.send_watchlist_alerts(db, settings, QUIET_DAY, QUIET_DAY, smtp=conf)
    assert quiet["sent"] == [] and smtp.messages == []
    first = alerts.send_watchlist_alerts(db, settings, SPIKE_DAY, SPIKE_DAY, smtp=conf)
    assert first["sent"] == [("예산 급증", SPIKE_DAY)]
    assert len(smtp.messages) == 1
    rcpt, msg = smtp.messages[0]
    assert rcpt == ["pr@test.example"] and "관심 목록 '예산 급증' 급증 알림 (2026-11-30)" in msg["Subject"]
    text = msg.get_content()
    assert "에서 2026-11-30 기사 수 급증이 감지되었습니다" in text and "- 기사 수 25건 (평소 하루 2.9건)" in text and "조건: 검색어: 예산 · 지역: 서울" in text and "view=documents" in text
    again = alerts.send_watchlist_alerts(db, settings, SPIKE_DAY, SPIKE_DAY, smtp=conf)
    assert again["sent"] == [] and again["skipped"] == [("예산 급증", SPIKE_DAY)] and len(smtp.messages) == 1
    row = db.execute("SELECT status, attempts, sent_at FROM watchlist_alerts").fetchall()
    assert len(row) == 1 and row[0][0] == "sent" and row[0][1] == 1 and row[0][2]

    # the daily spike job sends through the same path (the log row gone: sent again, then not twice)
    import scheduler
    for key, value in smtp.env().items():
        monkeypatch.setenv(key, value)
    db.execute("DELETE FROM watchlist_alerts")
    db.conn.commit()
    for _ in range(2):
        scheduler.spike_job(str(db.path), None, SPIKE_DAY, SPIKE_DAY)
        assert len(smtp.messages) == 2
    assert "급증 알림 켜짐 1개" in alerts.status_line(alerts.status(db, smtp.env()))


def test_a_failed_send_is_retried_and_no_smtp_sends_nothing(db, smtp, caplog, monkeypatch):
    settings = load_settings()
    table.add(db, "예산 급증", "예산", alert=True, recipients="pr@test.example")
    smtp.handler.fail = 1
    conf = smtp_from_env(smtp.env())
    assert alerts.send_watchlist_alerts(db, settings, SPIKE_DAY, SPIKE_DAY, smtp=conf)["failed"] == [
        ("예산 급증", SPIKE_DAY)]
    assert alerts.send_watchlist_alerts(db, settings, SPIKE_DAY, SPIKE_DAY, smtp=conf)["sent"] == [
        ("예산 급증", SPIKE_DAY)]
    assert len(smtp.messages) == 1
    assert db.execute("SELECT attempts FROM watchlist_alerts").fetchone()[0] == 2

    db.execute("DELETE FROM watchlist_alerts")
    db.conn.commit()
    monkeypatch.delenv("MONITOR_SMTP_HOST", raising=False)
    with caplog.at_level("INFO", logger="watchlists.alerts"):
        none = alerts.send_watchlist_alerts(db, settings, SPIKE_DAY, SPIKE_DAY)
    assert none["smtp"] is False and none["sent"] == [] and len(smtp.messages) == 1
    assert caplog.text.count(alerts.NO_SMTP) == 1  # one line, not one per watchlist
    assert db.execute("SELECT COUNT(*) FROM watchlist_alerts").fetchone()[0] == 0
    assert alerts.NO_SMTP in alerts.status_line(alerts.status(db, env={}))
