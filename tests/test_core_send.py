"""digest/send.py's send log: who may claim a send, the attempt cap at exactly
max_attempts, what is recorded, and the retry of failures (real SQLite, aiosmtpd)."""
import logging

import pytest

from digest import send
from digest.send import claim, recover_interrupted, retry_failed, send_log, send_week
from digest.settings import SettingsError, load_settings, smtp_from_env
from digest_helpers import SmtpServer, add_docs
from store.util import utc_now

WEEK, NEXT = "2026-W47", "2026-W48"
ALL = {"email": "all@example.org", "name": "", "region": None}
SEOUL = {"email": "seoul@example.org", "name": "서울 담당", "region": "서울"}
BUSAN = {"email": "busan@example.org", "name": "", "region": "부산"}
CHARTS = {}  # the charts have their own tests (test_digest_fonts); none here keeps these fast
DOWN = SettingsError("SMTP is not configured")


@pytest.fixture
def settings():
    return load_settings()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


def row(db, email, week=WEEK):
    return next(r for r in send_log(db, week) if r["recipient"] == email)


def set_row(db, status, attempts, email=ALL["email"], week=WEEK, live=False):
    """A send-log row; live=True: claimed just now by this (running) process."""
    claimed_by, claimed_at = (send.sender_id(), utc_now()) if live else (None, None)
    db.execute("INSERT INTO digests (week, recipient, status, attempts, created_at, claimed_by, claimed_at) "
               "VALUES (?, ?, ?, ?, '2026-11-23', ?, ?)", [week, email, status, attempts, claimed_by, claimed_at])
    db.conn.commit()


def outcome(**lists):
    """send_week's result: every list empty but the ones given."""
    return {key: lists.get(key, []) for key in ("sent", "skipped", "in_progress", "gave_up", "resumed", "failed")}


@pytest.mark.parametrize("status, attempts, max_attempts, live, result", [
    ("failed", 2, 3, False, "claimed"),      # one try left
    ("failed", 3, 3, False, "gave_up"),      # exactly at the cap: no more
    ("failed", 4, 3, False, "gave_up"),
    ("failed", 50, None, False, "claimed"),  # no cap given
    ("pending", 0, 3, False, "claimed"),
    ("sent", 1, 3, False, "sent"),
    ("sending", 1, 3, True, "in_progress"),  # a live sender has it right now
    ("sending", 1, 3, False, "resumed"),     # its sender is gone (no lease): taken over
])
def test_claim_follows_status_lease_and_the_attempt_cap(db, status, attempts, max_attempts, live, result):
    set_row(db, status, attempts, live=live)
    assert claim(db, WEEK, ALL, max_attempts) == result
    r = row(db, ALL["email"])
    owned = result in ("claimed", "resumed")
    assert (r["status"], r["attempts"]) == (("sending", attempts + 1) if owned else (status, attempts))


def test_first_claim_creates_the_row_and_a_second_is_refused(db):
    assert claim(db, WEEK, SEOUL, 3) == "claimed"
    r = row(db, SEOUL["email"])
    assert (r["status"], r["attempts"], r["region"]) == ("sending", 1, "서울")
    assert claim(db, WEEK, SEOUL, 3) == "in_progress"
    assert claim(db, NEXT, SEOUL, 3) == "claimed"  # another week is another send


def test_a_retry_updates_the_region(db):
    set_row(db, "failed", 1, email=SEOUL["email"])
    assert claim(db, WEEK, dict(SEOUL, region="부산"), 3)
    assert row(db, SEOUL["email"])["region"] == "부산"


def test_attempts_stop_at_exactly_max_attempts(db, settings, caplog):
    assert send_week(db, WEEK, [ALL], settings, DOWN, max_attempts=3, charts=CHARTS)["failed"] == [ALL["email"]]
    assert retry_failed(db, [ALL], settings, DOWN, max_attempts=3)[WEEK]["failed"] == [ALL["email"]]
    assert retry_failed(db, [ALL], settings, DOWN, max_attempts=3)[WEEK]["failed"] == [ALL["email"]]
    assert row(db, ALL["email"])["attempts"] == 3
    with caplog.at_level(logging.ERROR, logger="digest.send"):
        assert retry_failed(db, [ALL], settings, DOWN, max_attempts=3) == {}
    assert "gave up after 3 attempts" in caplog.text and f"--week {WEEK} --send" in caplog.text
    assert send_week(db, WEEK, [ALL], settings, DOWN, max_attempts=3, charts=CHARTS)["gave_up"] == [ALL["email"]]
    r = row(db, ALL["email"])
    assert (r["status"], r["attempts"], r["error"]) == ("failed", 3, "SettingsError: SMTP is not configured")


def test_sent_and_failed_rows_record_what_happened(db, settings, smtp_server):
    add_docs(db, "2026-11-17", 2, region="서울")
    long_error = SettingsError("x" * 3000)
    assert send_week(db, WEEK, [ALL], settings, long_error, charts=CHARTS)["failed"] == [ALL["email"]]
    r = row(db, ALL["email"])
    assert len(r["error"]) == 1000 and r["error"].startswith("SettingsError: xxx") and r["sent_at"] is None
    smtp = smtp_from_env(smtp_server.env())
    assert retry_failed(db, [ALL], settings, smtp, max_attempts=3)[WEEK] == outcome(sent=[ALL["email"]])
    r = row(db, ALL["email"])
    assert (r["status"], r["attempts"], r["error"]) == ("sent", 2, None) and r["sent_at"].endswith("Z")
    assert [rcpts for rcpts, _ in smtp_server.messages] == [[ALL["email"]]]


def test_one_digest_per_region_built_once_and_every_recipient_served(db, settings, smtp_server, monkeypatch):
    add_docs(db, "2026-11-17", 2, region="서울")
    built = []
    real = send.build_digest
    monkeypatch.setattr(send, "build_digest", lambda *a, **kw: built.append(kw["region"]) or real(*a, **kw))
    second_seoul = dict(SEOUL, email="seoul2@example.org")
    result = send_week(db, WEEK, [SEOUL, ALL, second_seoul, BUSAN], settings, smtp_from_env(smtp_server.env()),
                       charts=CHARTS)
    assert result == outcome(sent=[SEOUL["email"], ALL["email"], second_seoul["email"], BUSAN["email"]])
    assert built == ["서울", None, "부산"]
    subjects = {tuple(rcpts): msg["Subject"] for rcpts, msg in smtp_server.messages}
    assert subjects[(SEOUL["email"],)].endswith("· 서울") and subjects[(BUSAN["email"],)].endswith("· 부산")
    assert {r["status"] for r in send_log(db, WEEK)} == {"sent"}


def test_a_failure_for_one_recipient_does_not_stop_the_others(db, settings, smtp_server, caplog):
    set_row(db, "sent", 1, email=BUSAN["email"])                 # served earlier this week
    set_row(db, "failed", 1, email=ALL["email"], week=NEXT)       # another week's failure
    smtp_server.handler.fail = 1
    with caplog.at_level(logging.INFO, logger="digest.send"):
        result = send_week(db, WEEK, [SEOUL, ALL], settings, smtp_from_env(smtp_server.env()), charts=CHARTS)
    assert result == outcome(sent=[ALL["email"]], failed=[SEOUL["email"]])
    assert "451" in row(db, SEOUL["email"])["error"]
    statuses = {(r["week"], r["recipient"]): r["status"] for r in send_log(db)}
    assert statuses == {(WEEK, SEOUL["email"]): "failed", (WEEK, ALL["email"]): "sent",
                        (WEEK, BUSAN["email"]): "sent", (NEXT, ALL["email"]): "failed"}
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("WARNING", f"digest {WEEK} to {SEOUL['email']} failed: {row(db, SEOUL['email'])['error']}") in logged
    assert ("INFO", f"digest {WEEK} sent to {ALL['email']}") in logged


def test_retry_serves_only_recipients_still_configured_week_by_week(db, settings, smtp_server):
    for week in (NEXT, WEEK):
        set_row(db, "failed", 1, email=ALL["email"], week=week)
    set_row(db, "failed", 1, email="gone@example.org")
    set_row(db, "sent", 1, email=SEOUL["email"])
    result = retry_failed(db, [ALL, SEOUL], settings, smtp_from_env(smtp_server.env()), max_attempts=3)
    assert list(result) == [WEEK, NEXT]
    assert result[WEEK]["sent"] == [ALL["email"]] and result[NEXT]["sent"] == [ALL["email"]]
    assert row(db, "gone@example.org")["status"] == "failed"
    assert len(smtp_server.messages) == 2


def test_interrupted_sends_are_marked_failed_at_start(db):
    set_row(db, "sending", 1, email=SEOUL["email"])
    set_row(db, "sent", 1, email=ALL["email"])
    assert recover_interrupted(db) == 1
    r = row(db, SEOUL["email"])
    assert r["status"] == "failed" and "may receive it twice" in r["error"]
    assert row(db, ALL["email"])["status"] == "sent"
    assert recover_interrupted(db) == 0


def test_send_log_is_ordered_and_filtered_by_week(db):
    for week, email in ((NEXT, "b@x.kr"), (WEEK, "b@x.kr"), (WEEK, "a@x.kr")):
        set_row(db, "sent", 1, email=email, week=week)
    assert [(r["week"], r["recipient"]) for r in send_log(db)] == [(WEEK, "a@x.kr"), (WEEK, "b@x.kr"), (NEXT, "b@x.kr")]
    assert [r["recipient"] for r in send_log(db, NEXT)] == ["b@x.kr"]
