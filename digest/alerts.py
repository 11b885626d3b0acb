"""Optional immediate e-mail for a large negative-share spike, rate-limited.

Sent when [spikes] alert_email = true: spikes of the last two days with metric
negative_share and zscore >= alert_z that were not alerted yet; at most one alert mail
per `alert_min_hours`. A spike is marked alerted only after a successful send.
"""
import datetime as dt
import logging
from email.message import EmailMessage

from analysis.spikes import describe, today_kst
from digest import mail
from digest.settings import dashboard_url, smtp_from_env
from store.util import utc_now, write_transaction

log = logging.getLogger(__name__)


def pending_alerts(db, alert_z, today=None):
    since = ((today or today_kst()) - dt.timedelta(days=1)).isoformat()
    return [dict(r) for r in db.query(
        "SELECT * FROM spikes WHERE metric = 'negative_share' AND zscore >= ? AND alerted_at IS NULL "
        "AND day >= ? ORDER BY zscore DESC", [alert_z, since])]


def rate_limited(db, min_hours, now=None):
    last = db.execute("SELECT MAX(alerted_at) FROM spikes").fetchone()[0]
    if not last:
        return False
    now = now or dt.datetime.now(dt.timezone.utc)
    return now - dt.datetime.fromisoformat(last.replace("Z", "+00:00")) < dt.timedelta(hours=min_hours)


def send_spike_alerts(db, settings, smtp=None, today=None, now=None):
    """Returns the number of spikes alerted (0 when none, rate-limited or SMTP failed)."""
    cfg = settings["spikes"]
    spikes = pending_alerts(db, cfg["alert_z"], today)
    if not spikes or not settings["recipients"]:
        return 0
    if rate_limited(db, cfg["alert_min_hours"], now):
        log.info("spike alert postponed: last alert less than %s hours ago", cfg["alert_min_hours"])
        return 0
    try:
        smtp = smtp or smtp_from_env()
        msg = EmailMessage()
        msg["Subject"] = f"{settings['digest']['subject_prefix']} 부정 보도 급증 알림 ({spikes[0]['day']})"
        msg["From"] = smtp.sender
        msg["To"] = ", ".join(r["email"] for r in settings["recipients"])
        lines = ["부정 논조 기사 비율이 평소보다 크게 높아졌습니다.", ""] + [f"- {describe(s)}" for s in spikes]
        msg.set_content("\n".join(lines + ["", f"대시보드: {dashboard_url(settings)}"]), charset="utf-8")
        mail.send(msg, smtp)
    except Exception as exc:  # SettingsError, SMTP or network error: kept pending, retried at the next check
        log.warning("spike alert not sent (will retry at the next check): %s: %s", type(exc).__name__, exc)
        return 0
    with write_transaction(db):
        db.conn.executemany("UPDATE spikes SET alerted_at = ? WHERE id = ?", [(utc_now(), s["id"]) for s in spikes])
    return len(spikes)
