"""Weekly digest: contents, MIME structure over a real SMTP server (aiosmtpd on 127.0.0.1),
Korean text intact, idempotent sends across restarts, failures recorded and retried."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import store
from digest.build import build_digest, korean_week_label, last_complete_week, parse_week
from digest.render import render_text
from digest.send import retry_failed, send_log, send_week
from digest.settings import SettingsError, load_settings, parse_recipients, smtp_from_env
from digest_helpers import SmtpServer, add_docs
from store.queries import QueryError

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W47"  # Monday 2026-11-16 .. Sunday 2026-11-22
RECIPIENTS = [{"email": "seoul@committee.example", "name": "서울 담당자", "region": "서울"},
              {"email": "all@example.org", "name": "", "region": None}]


@pytest.fixture
def filled(db):
    # last week (W46): 4 articles in 서울; this week: 6 in 서울 (2 negative) + 3 in 부산 + a civic statement
    add_docs(db, "2026-11-10", 4, region="서울", title="서울 자치경찰 지난주 기사")
    add_docs(db, "2026-11-17", 4, region="서울", title="서울 자치경찰 순찰 확대", cluster="story-a",
             outlet="서울신문")
    add_docs(db, "2026-11-18", 2, region="서울", sentiment="negative", title="자치경찰 이원화 혼선 비판",
             outlet="한겨레")
    add_docs(db, "2026-11-19", 3, region="부산", title="부산 자치경찰위원회 예산 논의")
    add_docs(db, "2026-11-20", 1, region="전국", kind="civic", sentiment="negative",
             title="참여연대 성명: 자치경찰 독립성 보장하라", outlet="참여연대")
    return db


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def settings():
    return load_settings()


def test_week_parsing_and_korean_labels():
    assert parse_week("2026-W47") == (parse_week("2026w47")[0], parse_week("2026-W47")[1])
    monday, sunday = parse_week(WEEK)
    assert (monday.isoformat(), sunday.isoformat()) == ("2026-11-16", "2026-11-22")
    assert korean_week_label(monday) == "2026년 11월 3주차"
    assert korean_week_label(parse_week("2026-W45")[0]) == "2026년 11월 1주차"   # Thu Nov 5
    assert korean_week_label(parse_week("2026-W44")[0]) == "2026년 10월 5주차"   # Thu Oct 29
    assert korean_week_label(parse_week("2027-W01")[0]) == "2027년 1월 1주차"
    for bad in ("2026-47", "2026-W54", "next week"):
        with pytest.raises(QueryError):
            parse_week(bad)
    import datetime as dt
    assert last_complete_week(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)) == "2026-W47"


def test_digest_contents(filled):
    from analysis.spikes import store_spikes
    store_spikes(filled, [
        {"day": "2026-11-18", "metric": "volume", "scope": "region", "key": "부산", "value": 9,
         "baseline": 1.0, "threshold": 4.0, "zscore": 8.0},
        {"day": "2026-11-19", "metric": "negative_share", "scope": "region", "key": "서울", "value": 0.6,
         "baseline": 0.2, "threshold": 0.5, "zscore": 4.0},
        {"day": "2026-11-25", "metric": "volume", "scope": "overall", "key": "all", "value": 50,
         "baseline": 9, "threshold": 20, "zscore": 9.0}])  # next week: not listed
    ctx = build_digest(filled, WEEK, region="서울", dashboard_url="http://127.0.0.1:8050")
    assert ctx["subject"].startswith("[자치경찰 언론 모니터] 2026년 11월 3주차 주간 동향")
    nat = ctx["national"]
    assert nat["totals"]["articles"] == 10 and nat["previous"]["articles"] == 4
    assert nat["change"]["articles"] == pytest.approx(1.5)
    assert nat["totals"]["negative"] == 3
    # story-a: 4 articles from one outlet counted as one story, listed first
    assert nat["top"][0]["articles"] == 4 and nat["top"][0]["title"].startswith("서울 자치경찰 순찰 확대")
    assert all(s["sentiment"] == "negative" for s in nat["critical"]) and len(nat["critical"]) == 3
    # the recipient's region first: its own section and the first region line
    assert ctx["regional"]["totals"]["articles"] == 6
    assert ctx["regions"][0]["region"] == "서울" and ctx["regions"][0]["previous"] == 4
    assert [c["title"] for c in ctx["civic"]][0].startswith("참여연대 성명")
    assert ctx["dashboard_url"] == "http://127.0.0.1:8050/?start=2026-11-16&end=2026-11-22&region=%EC%84%9C%EC%9A%B8"
    # spikes of the week, the recipient's region first
    assert [s["text"] for s in ctx["spikes"]] == [
        "11/19(목): 부정 비율 급증 — 지역 서울 60% (평소 20%)",
        "11/18(수): 기사 수 급증 — 지역 부산 9건 (평소 하루 1.0건)"]
    assert "- 11/19(목): 부정 비율 급증 — 지역 서울 60% (평소 20%)" in render_text(ctx)
    # a one-to-two-sentence summary first; all coverage is not the 전국 region
    assert ctx["summary"] == ("이번 주 서울 관련 기사는 6건으로 지난주(4건)보다 50% 늘었고, 부정 비율은 "
                              "33%(논조 분류 6건 중)로 33%p 높아졌습니다. 11/19(목) 등 보도 급증 2건이 감지되었습니다.")
    assert render_text(ctx).splitlines()[3] == ctx["summary"]
    text = render_text(ctx)
    assert "■ 전체 보도 (모든 지역)" in text and "전국 동향" not in text
    assert "- 전국 단위 (특정 지역 없음): 1건 (지난주 0건), 부정 100% (n=1)" in text
    assert [len(ctx["series"]), ctx["series"][-1]["articles"], ctx["series"][-2]["articles"]] == [12, 10, 4]
    assert [s["articles"] for s in ctx["series"][:10]] == [0] * 10  # weeks without articles are zeros


def test_digest_delivered_with_html_text_and_inline_images(filled, smtp_server, settings):
    smtp = smtp_from_env(smtp_server.env())
    result = send_week(filled, WEEK, RECIPIENTS, settings, smtp)
    assert {k: v for k, v in result.items() if v} == {"sent": [r["email"] for r in RECIPIENTS]}
    assert len(smtp_server.messages) == 2
    rcpts, msg = smtp_server.messages[0]
    assert rcpts == ["seoul@committee.example"]
    assert msg["Subject"].startswith("[자치경찰 언론 모니터] 2026년 11월 3주차 주간 동향")
    assert msg["Subject"].endswith("· 서울")
    assert msg.get_content_type() == "multipart/alternative"
    text, related = msg.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert [i.get_content_type() for i in images] == ["image/png", "image/png"]
    body = html.get_content()
    for image in images:
        assert image.get_content().startswith(b"\x89PNG")
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in body
    assert "http://" not in body.split("<img")[1].split(">")[0]  # images are not remote links
    # Korean intact after encoding and decoding, in both alternatives
    for part in (text.get_content(), body):
        assert "자치경찰 이원화 혼선 비판" in part
        assert "참여연대 성명: 자치경찰 독립성 보장하라" in part
    assert "우리 지역: 서울" in body
    # the national recipient gets no regional section
    assert "우리 지역" not in smtp_server.messages[1][1].get_body(("html",)).get_content()
    assert {r["status"] for r in send_log(filled, WEEK)} == {"sent"}


def test_no_second_send_after_restart(filled, db_path, smtp_server, settings):
    smtp = smtp_from_env(smtp_server.env())
    assert len(send_week(filled, WEEK, RECIPIENTS, settings, smtp)["sent"]) == 2
    # same process, a fresh connection (a restarted scheduler object)
    again = store.open_db(db_path)
    assert send_week(again, WEEK, RECIPIENTS, settings, smtp)["skipped"] == [r["email"] for r in RECIPIENTS]
    # a new process through the CLI
    env = {**os.environ, **smtp_server.env()}
    proc = subprocess.run([sys.executable, "monitor.py", "--db", str(db_path), "digest", "--week", WEEK, "--send",
                           "--recipients", "seoul@committee.example:서울,all@example.org"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "이미 발송됨" in proc.stdout
    assert len(smtp_server.messages) == 2
    assert [r["attempts"] for r in send_log(again, WEEK)] == [1, 1]


def test_concurrent_jobs_send_once(filled, db_path, smtp_server, settings):
    smtp = smtp_from_env(smtp_server.env())
    results = []

    def job():
        conn = store.open_db(db_path)
        results.append(send_week(conn, WEEK, RECIPIENTS[1:], settings, smtp))
        conn.conn.close()

    threads = [threading.Thread(target=job) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(len(r["sent"]) for r in results) == 1
    assert len(smtp_server.messages) == 1


def test_smtp_failure_recorded_then_retried(filled, smtp_server, settings):
    smtp = smtp_from_env(smtp_server.env())
    smtp_server.handler.fail = 1
    result = send_week(filled, WEEK, RECIPIENTS[1:], settings, smtp, max_attempts=3)
    assert result["failed"] == ["all@example.org"]
    row = send_log(filled, WEEK)[0]
    assert row["status"] == "failed" and row["attempts"] == 1 and "451" in row["error"]
    assert smtp_server.messages == []
    retried = retry_failed(filled, RECIPIENTS, settings, smtp, max_attempts=3)
    assert retried[WEEK]["sent"] == ["all@example.org"]
    row = send_log(filled, WEEK)[0]
    assert (row["status"], row["attempts"], row["error"]) == ("sent", 2, None) and row["sent_at"]
    assert len(smtp_server.messages) == 1


def test_server_down_and_missing_settings_are_recorded_and_capped(filled, settings):
    down = smtp_from_env({"MONITOR_SMTP_HOST": "127.0.0.1", "MONITOR_SMTP_PORT": "1",
                          "MONITOR_SMTP_SECURITY": "none", "MONITOR_SMTP_SENDER": "m@test.example"})
    assert send_week(filled, WEEK, RECIPIENTS[1:], settings, down, max_attempts=2)["failed"] == ["all@example.org"]
    assert "ConnectionRefused" in send_log(filled, WEEK)[0]["error"]
    with pytest.raises(SettingsError, match="MONITOR_SMTP_HOST"):
        smtp_from_env({})
    missing = SettingsError("SMTP is not configured")
    assert retry_failed(filled, RECIPIENTS, settings, missing, max_attempts=2)[WEEK]["failed"] == ["all@example.org"]
    row = send_log(filled, WEEK)[0]
    assert (row["status"], row["attempts"], row["error"]) == ("failed", 2, "SettingsError: SMTP is not configured")
    assert retry_failed(filled, RECIPIENTS, settings, down, max_attempts=2) == {}  # gave up, still listed as failed


def test_cli_preview_writes_self_contained_html(filled, db_path, tmp_path, capsys):
    import monitor
    out = tmp_path / "preview.html"
    assert monitor.main(["--db", str(db_path), "digest", "--week", WEEK, "--preview", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "2026년 11월 3주차" in page and "참여연대 성명" in page
    assert send_log(filled) == []  # previewing sends nothing
    assert monitor.main(["--db", str(db_path), "digest", "--week", "2026-W99", "--preview", str(out)]) == 2
    assert "2026-W99" in capsys.readouterr().err


def test_recipient_settings_are_validated(tmp_path):
    assert parse_recipients("a@x.kr, b@y.kr:부산") == [
        {"email": "a@x.kr", "name": "", "region": None}, {"email": "b@y.kr", "name": "", "region": "부산"}]
    with pytest.raises(SettingsError, match="unknown region '부산시'"):
        parse_recipients("b@y.kr:부산시")
    bad = tmp_path / "settings.toml"
    bad.write_text('[[recipients]]\nemail = "not-an-address"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="valid email"):
        load_settings(bad)
    bad.write_text('[schedule]\ndigest_time = "8시"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="digest_time"):
        load_settings(bad)


def test_digest_charts_count_from_zero_in_whole_articles(monkeypatch):
    from digest import charts
    axes = []
    monkeypatch.setattr(charts, "_png", lambda fig: axes.append(fig.axes[0]) or b"")
    series = [{"week": f"2026-09-{7 + i:02d}", "articles": n, "negative_share": None if not n else 0.5, "labelled": n}
              for i, n in enumerate([0, 3, 1, 0, 2])]
    charts.volume_chart(series)
    charts.negative_chart(series)
    volume, negative = axes
    assert volume.get_ylim()[0] == 0 and all(float(t).is_integer() for t in volume.get_yticks())
    assert len(volume.patches) == 5  # a bar for every week, zeros included
    assert volume.get_ylabel() == "기사 수 (건)"
    assert [t.get_text() for t in negative.get_xticklabels()][1] == "09.08\nn=3"  # the share's sample size

