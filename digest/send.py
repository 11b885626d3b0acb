"""Send a week's digest once per recipient, recording every attempt in the `digests` table.

A row (week, recipient) is claimed atomically ('sending', attempts + 1, with a lease:
claimed_by = host:pid, claimed_at) before the SMTP conversation, then marked 'sent' or
'failed' with the error. Another run finds 'sent' (skipped) or a 'sending' row of a live
sender (in progress, left alone). A 'sending' row whose sender died (its process is gone on
this host, or its lease of LEASE_MINUTES ran out) is taken over and sent again, saying the
recipient may get it twice; 'failed' rows are retried until `max_attempts`, after which they
stay 'failed' and are logged as errors.
"""
import datetime as dt
import logging
import os
import socket

from digest import mail
from digest.build import build_digest
from digest.settings import dashboard_url
from store.util import process_alive, utc_now, write_transaction

log = logging.getLogger(__name__)
LEASE_MINUTES = 15  # far longer than one SMTP conversation (30 s timeouts)
RESUMED_NOTE = "previous sender stopped mid-send; sent again — the recipient may receive it twice"


def sender_id():
    return f"{socket.gethostname()}:{os.getpid()}"


def sender_gone(claimed_by, claimed_at, now=None):
    """True when the process that claimed a 'sending' row can no longer finish it."""
    if not claimed_by or not claimed_at:
        return True  # claimed before leases existed
    host, _, pid = claimed_by.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not process_alive(pid):
        return True
    now = now or dt.datetime.now(dt.timezone.utc)
    claimed = dt.datetime.fromisoformat(claimed_at.replace("Z", "+00:00"))
    return now - claimed > dt.timedelta(minutes=LEASE_MINUTES)


def claim(db, week, recipient, max_attempts=None):
    """Try to own the send for (week, recipient). Returns 'claimed', 'resumed' (taken over
    from a dead sender), 'sent' (already delivered), 'in_progress' (a live sender has it)
    or 'gave_up' (failed max_attempts times)."""
    return claim_row(db, "digests", {"week": week, "recipient": recipient["email"]},
                     {"region": recipient.get("region")}, max_attempts)


def claim_row(db, table, key, values, max_attempts=None):
    """`claim` for any send log `table` with the columns status, attempts, error, created_at,
    claimed_at, claimed_by and sent_at: the row `key` ({column: value}) is claimed, and
    `values` ({column: value}) written with the claim (also used for watchlist alerts)."""
    limit = max_attempts if max_attempts else 1 << 30
    now, where = utc_now(), " AND ".join(f"{column} = ?" for column in key)
    with write_transaction(db):
        row = db.execute(f"SELECT status, attempts, claimed_by, claimed_at FROM {table} WHERE {where}",
                         list(key.values())).fetchone()
        if row is None:
            columns = {**key, **values, "status": "sending", "attempts": 1, "created_at": now, "claimed_at": now,
                       "claimed_by": sender_id()}
            db.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                       list(columns.values()))
            return "claimed"
        status, attempts, claimed_by, claimed_at = row
        if status == "sent":
            return "sent"
        if status == "sending" and not sender_gone(claimed_by, claimed_at):
            return "in_progress"
        if attempts >= limit:
            return "gave_up"
        db.execute(f"""UPDATE {table} SET {''.join(f'{column} = ?, ' for column in values)}status = 'sending',
                      attempts = attempts + 1, claimed_at = ?, claimed_by = ?,
                      error = CASE WHEN status = 'sending' THEN ? ELSE error END WHERE {where}""",
                   [*values.values(), now, sender_id(), RESUMED_NOTE, *key.values()])
        return "resumed" if status == "sending" else "claimed"


def finish_row(db, table, key, error=None):
    """Mark a claimed send 'sent' (error None) or 'failed' with the error."""
    where = " AND ".join(f"{column} = ?" for column in key)
    with write_transaction(db):
        if error is None:
            db.execute(f"UPDATE {table} SET status = 'sent', error = NULL, sent_at = ? WHERE {where}",
                       [utc_now(), *key.values()])
        else:
            db.execute(f"UPDATE {table} SET status = 'failed', error = ? WHERE {where}", [error[:1000], *key.values()])


def _finish(db, week, email, error=None):
    finish_row(db, "digests", {"week": week, "recipient": email}, error)


def send_week(db, week, recipients, settings, smtp, max_attempts=None, charts=None):
    """Send `week` to each recipient not yet served; returns lists of emails: 'sent', 'skipped'
    (already sent), 'in_progress' (a live sender has it), 'gave_up', 'resumed' (taken over from
    a dead sender; also in 'sent' or 'failed') and 'failed'.

    `smtp` may be an Exception (e.g. SMTP not configured): each claimed send is then
    recorded as failed with that reason, so nothing is dropped silently."""
    result = {"sent": [], "skipped": [], "in_progress": [], "gave_up": [], "resumed": [], "failed": []}
    contexts = {}
    digest_cfg = settings["digest"]
    for recipient in recipients:
        email = recipient["email"]
        state = claim(db, week, recipient, max_attempts)
        if state in ("sent", "in_progress", "gave_up"):
            result["skipped" if state == "sent" else state].append(email)
            continue
        if state == "resumed":
            log.warning("digest %s to %s: %s", week, email, RESUMED_NOTE)
            result["resumed"].append(email)
        try:
            if isinstance(smtp, Exception):
                raise smtp
            region = recipient.get("region")
            if region not in contexts:
                contexts[region] = build_digest(
                    db, week, region=region, dashboard_url=dashboard_url(settings),
                    top=digest_cfg["top_stories"], civic=digest_cfg["civic_statements"],
                    subject_prefix=digest_cfg["subject_prefix"])
            mail.send(mail.build_message(contexts[region], smtp.sender, recipient, charts), smtp)
        except Exception as exc:  # any failure is recorded and retried later
            error = f"{type(exc).__name__}: {exc}"
            log.warning("digest %s to %s failed: %s", week, email, error)
            _finish(db, week, email, error)
            result["failed"].append(email)
        else:
            log.info("digest %s sent to %s", week, email)
            _finish(db, week, email)
            result["sent"].append(email)
    return result


def retry_failed(db, recipients, settings, smtp, max_attempts):
    """Retry failed sends, and sends whose sender died (while this service runs), for
    recipients still configured; returns send_week results by week."""
    by_email = {r["email"]: r for r in recipients}
    pending = {}
    for row in db.query("SELECT week, recipient, attempts, status, claimed_by, claimed_at FROM digests "
                        "WHERE status IN ('failed', 'sending') ORDER BY week"):
        if row["status"] == "sending" and not sender_gone(row["claimed_by"], row["claimed_at"]):
            continue  # still being sent by a live process
        if row["attempts"] >= max_attempts:
            log.error("digest %s to %s gave up after %d attempts; send it with "
                      "`monitor.py digest --week %s --send`", row["week"], row["recipient"], row["attempts"], row["week"])
        elif row["recipient"] in by_email:
            pending.setdefault(row["week"], []).append(by_email[row["recipient"]])
    return {week: send_week(db, week, rs, settings, smtp, max_attempts) for week, rs in pending.items()}


def recover_interrupted(db):
    """At scheduler start: a 'sending' row whose sender died is marked failed so it is retried
    (it may have been delivered: say so). A send still running elsewhere is left alone."""
    with write_transaction(db):
        stale = [(r["week"], r["recipient"]) for r in db.query(
            "SELECT week, recipient, claimed_by, claimed_at FROM digests WHERE status = 'sending'")
            if sender_gone(r["claimed_by"], r["claimed_at"])]
        for week, recipient in stale:
            db.execute("UPDATE digests SET status = 'failed', error = 'interrupted while sending (process stopped); "
                       "retrying — the recipient may receive it twice' WHERE week = ? AND recipient = ?",
                       [week, recipient])
        return len(stale)


def send_log(db, week=None):
    sql, params = "SELECT * FROM digests", []
    if week:
        sql, params = sql + " WHERE week = ?", [week]
    return [dict(r) for r in db.query(sql + " ORDER BY week, recipient", params)]
