"""A digest send killed mid-conversation is retried by the next `digest --send` (no scheduler
restart needed) and reported as such, never as "already sent"; a send that is still running
elsewhere is left alone and reported as in progress (claims carry a lease: digest/send.py)."""
import asyncio
import datetime as dt
import signal
import socket
import subprocess
import sys

import pytest

import store
from digest.send import claim, recover_interrupted, retry_failed, send_log, sender_id
from digest.settings import load_settings, smtp_from_env
from digest_helpers import Collector, SmtpServer, add_docs
from reliability_support import REPO, env, wait_until

WEEK = "2026-W47"
TO = "all@example.org"


class StallOnce(Collector):
    """Answers the first DATA only after a long pause (the sender gets killed meanwhile)."""

    def __init__(self):
        super().__init__()
        self.stalled = False

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled:
            self.stalled = True
            await asyncio.sleep(60)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    server = SmtpServer(StallOnce())
    yield server
    server.stop()


@pytest.fixture
def filled(db):
    add_docs(db, "2026-11-17", 3, region="서울", title="서울 자치경찰 순찰 확대")
    return db


def send_cli(db_path, smtp, **kw):
    return subprocess.Popen([sys.executable, "monitor.py", "--db", str(db_path), "digest", "--week", WEEK, "--send",
                             "--recipients", TO], cwd=REPO, env={**env(), **smtp.env()}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def status_of(db_path):
    db = store.open_db(db_path)
    try:
        rows = send_log(db, WEEK)
        return rows[0] if rows else None
    finally:
        db.conn.close()


def test_a_send_killed_mid_conversation_is_sent_by_the_next_run(filled, db_path, smtp):
    first = send_cli(db_path, smtp)
    assert wait_until(lambda: smtp.handler.stalled, 90), first.communicate(timeout=5)
    assert status_of(db_path)["status"] == "sending"
    first.send_signal(signal.SIGKILL)
    first.wait()
    out, err = send_cli(db_path, smtp).communicate(timeout=120)
    assert "이미 발송됨" not in out, out
    assert "중단된 발송을 다시 보냄" in out and TO in out, (out, err)
    row = status_of(db_path)
    assert (row["status"], row["attempts"]) == ("sent", 2) and "중복 수신 가능" in out
    assert len(smtp.messages) == 1


def test_a_live_send_is_reported_in_progress_not_sent(filled, db_path, smtp):
    db = filled
    assert claim(db, WEEK, {"email": TO}) == "claimed"  # this test process: alive, lease fresh
    out, _ = send_cli(db_path, smtp).communicate(timeout=120)
    assert "다른 프로세스가 발송 중" in out and "이미 발송됨" not in out, out
    assert status_of(db_path)["status"] == "sending" and smtp.messages == []
    assert recover_interrupted(db) == 0  # a starting scheduler leaves a live send alone
    assert status_of(db_path)["status"] == "sending"


def test_an_expired_lease_is_taken_over(filled, db_path):
    db = filled
    assert claim(db, WEEK, {"email": TO}) == "claimed"
    assert claim(db, WEEK, {"email": TO}) == "in_progress"
    long_ago = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("UPDATE digests SET claimed_by = 'other-host:1', claimed_at = ?", [long_ago])
    db.conn.commit()
    assert claim(db, WEEK, {"email": TO}) == "resumed"
    row = status_of(db_path)
    assert row["claimed_by"] == sender_id() and row["attempts"] == 2


def claim_by_a_dead_process(db):
    """A 'sending' row claimed by a process of this host that has exited."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert claim(db, WEEK, {"email": TO}) == "claimed"
    db.execute("UPDATE digests SET claimed_by = ?", [f"{socket.gethostname()}:{gone.pid}"])
    db.conn.commit()


def test_a_dead_local_sender_is_recovered_at_scheduler_start(filled, db_path):
    db = filled
    claim_by_a_dead_process(db)
    assert recover_interrupted(db) == 1
    assert status_of(db_path)["status"] == "failed"


def test_the_running_service_retries_a_send_whose_sender_died(filled, db_path):
    db = filled
    claim_by_a_dead_process(db)
    server = SmtpServer()
    try:
        result = retry_failed(db, [{"email": TO}], load_settings(), smtp_from_env(server.env()), max_attempts=8)
    finally:
        server.stop()
    assert result[WEEK]["sent"] == [TO] and result[WEEK]["resumed"] == [TO]
    assert status_of(db_path)["status"] == "sent" and len(server.messages) == 1
