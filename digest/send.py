"""Send a week's digest once per recipient, recording every attempt in the `digests` table.

A row (week, recipient) is claimed atomically ('sending', attempts + 1) before the SMTP
conversation, then marked 'sent' or 'failed' with the error. A second run, a restarted
scheduler or a concurrent job finds 'sent' / 'sending' and skips; 'failed' rows are retried
until `max_attempts`, after which they stay 'failed' and are logged as errors.
"""
import logging

from digest import mail
from digest.build import build_digest
from digest.settings import dashboard_url
from store.util import utc_now, write_transaction

log = logging.getLogger(__name__)


def claim(db, week, recipient, max_attempts=None):
    """True when this caller now owns the send for (week, recipient)."""
    limit = max_attempts if max_attempts else 1 << 30
    with write_transaction(db):
        db.execute(
            """INSERT INTO digests (week, recipient, region, status, attempts, created_at)
               VALUES (?, ?, ?, 'sending', 1, ?)
               ON CONFLICT (week, recipient) DO UPDATE SET status = 'sending',
                 attempts = attempts + 1, region = excluded.region
               WHERE digests.status IN ('failed', 'pending') AND digests.attempts < ?""",
            [week, recipient["email"], recipient.get("region"), utc_now(), limit])
        return db.execute("SELECT changes()").fetchone()[0] == 1


def _finish(db, week, email, error=None):
    with write_transaction(db):
        if error is None:
            db.execute("UPDATE digests SET status = 'sent', error = NULL, sent_at = ? WHERE week = ? AND recipient = ?",
                       [utc_now(), week, email])
        else:
            db.execute("UPDATE digests SET status = 'failed', error = ? WHERE week = ? AND recipient = ?",
                       [error[:1000], week, email])


def send_week(db, week, recipients, settings, smtp, max_attempts=None, charts=None):
    """Send `week` to each recipient not yet served; returns {'sent', 'skipped', 'failed'} lists.

    `smtp` may be an Exception (e.g. SMTP not configured): each claimed send is then
    recorded as failed with that reason, so nothing is dropped silently."""
    result = {"sent": [], "skipped": [], "failed": []}
    contexts = {}
    digest_cfg = settings["digest"]
    for recipient in recipients:
        email = recipient["email"]
        if not claim(db, week, recipient, max_attempts):
            result["skipped"].append(email)
            continue
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
    """Retry failed sends for recipients still configured; returns send_week results by week."""
    by_email = {r["email"]: r for r in recipients}
    pending = {}
    for row in db.query("SELECT week, recipient, attempts FROM digests WHERE status = 'failed' ORDER BY week"):
        if row["attempts"] >= max_attempts:
            log.error("digest %s to %s gave up after %d attempts; send it with "
                      "`monitor.py digest --week %s --send`", row["week"], row["recipient"], row["attempts"], row["week"])
        elif row["recipient"] in by_email:
            pending.setdefault(row["week"], []).append(by_email[row["recipient"]])
    return {week: send_week(db, week, rs, settings, smtp, max_attempts) for week, rs in pending.items()}


def recover_interrupted(db):
    """At scheduler start (lock held): a 'sending' row belongs to a process that died mid-send;
    mark it failed so it is retried (it may have been delivered: say so)."""
    with write_transaction(db):
        return db.execute(
            "UPDATE digests SET status = 'failed', error = 'interrupted while sending (process stopped); "
            "retrying — the recipient may receive it twice' WHERE status = 'sending'").rowcount


def send_log(db, week=None):
    sql, params = "SELECT * FROM digests", []
    if week:
        sql, params = sql + " WHERE week = ?", [week]
    return [dict(r) for r in db.query(sql + " ORDER BY week, recipient", params)]
