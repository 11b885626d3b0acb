"""Login: wrong passwords are throttled per client (back-off, 429 + Retry-After), each failed
attempt is logged without the password, and the right password still works for other clients
and after the back-off."""
import base64
import logging
import time

import pytest

from dashboard.app import create_app
from dashboard.auth import Throttle

USER, PASSWORD = "staff", "correct-horse-7"


def auth(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def server(db_path, db):
    return create_app(str(db_path), auth=(USER, PASSWORD)).server


def get(client, address, headers=None, path="/api/v1/documents?per_page=1"):
    return client.get(path, headers=headers or {}, environ_base={"REMOTE_ADDR": address})


def test_guessing_is_throttled_and_logged(server, caplog):
    client = server.test_client()
    caplog.set_level(logging.WARNING, logger="dashboard.auth")
    started = time.monotonic()
    answers = [get(client, "203.0.113.9", auth(USER, f"guess-{i}")) for i in range(100)]
    assert time.monotonic() - started < 30  # 100 tries, answered at once (no sleeping server threads)
    statuses = [a.status_code for a in answers]
    checked = statuses.count(401)
    assert checked == Throttle.FREE_TRIES + 1 and statuses.count(429) == 100 - checked, statuses
    assert statuses[:checked] == [401] * checked  # the first tries are checked, then the back-off
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers if a.status_code == 429)
    assert "too many failed logins" in answers[-1].get_data(as_text=True)
    # the right password does not help the guessing client during its back-off ...
    assert get(client, "203.0.113.9", auth(USER, PASSWORD)).status_code == 429
    # ... and does not lock out anybody else
    assert get(client, "198.51.100.7", auth(USER, PASSWORD)).status_code == 200
    failed = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    assert len(failed) == checked and "203.0.113.9" in failed[0] and "'staff'" in failed[0]
    assert not any("guess-" in r.getMessage() for r in caplog.records)  # never the password


def test_back_off_ends_and_a_right_password_resets_it(server):
    client = server.test_client()
    for i in range(Throttle.FREE_TRIES + 1):
        assert get(client, "192.0.2.1", auth(USER, "wrong")).status_code == 401
    assert get(client, "192.0.2.1", auth(USER, PASSWORD)).status_code == 429
    time.sleep(2.1)  # the first back-off step is 2 s
    assert get(client, "192.0.2.1", auth(USER, PASSWORD)).status_code == 200
    assert get(client, "192.0.2.1", auth(USER, "wrong")).status_code == 401  # counting starts again


def test_a_browser_asking_without_credentials_is_not_a_failure(server):
    client = server.test_client()
    for _ in range(20):
        assert get(client, "192.0.2.2").status_code == 401
    assert get(client, "192.0.2.2", auth(USER, PASSWORD)).status_code == 200
