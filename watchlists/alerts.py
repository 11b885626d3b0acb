"""Spike alert mail for watchlists with the alert on, run by the daily spike check.

Each such watchlist's daily series (its search and filters; articles, negative share) is
tested on the last `check_days` days with the spike count model a filtered dashboard view
uses (analysis.spikes.view_spikes: the daily job's tests, Bonferroni over its family). For
each day with a spike, one Korean mail goes to the watchlist's recipients (or, when it has
none, the digest recipients of config/settings.toml).

Sent once: a (watchlist, day) row of `watchlist_alerts` is claimed with a lease before the
SMTP conversation (as the digest's send log, digest/send.py) and marked 'sent' or 'failed';
a re-run skips what was sent and retries what failed (up to the digest's max_attempts).
Without SMTP settings nothing is claimed: one log line, and `status` says so.
"""
import datetime as dt
import logging
from email.message import EmailMessage

from analysis.spikes import METRICS, SpikeParams, describe, today_kst, view_spikes
from dashboard.state import to_search
from digest.send import RESUMED_NOTE, claim_row, finish_row
from digest.settings import SettingsError, dashboard_url, smtp_from_env
from store.queries import counts, date_bounds
from store.util import dumps
from watchlists import table

log = logging.getLogger(__name__)
NO_SMTP = "SMTP가 설정되지 않아 관심 목록 알림 메일을 보내지 않습니다 / watchlist alerts off: SMTP is not configured"


def spikes_of(db, wl, date_from, date_to, params=None, count=counts):
    """The watchlist's spikes on each day of [date_from, date_to] (ISO dates); `count`: store.queries.counts
    or the dashboard's cached equivalent (the 관심 목록 tab marks the same spikes)."""
    p = params or SpikeParams()
    first = date_bounds(db)[0]
    if first is None:
        return []
    before = (dt.date.fromisoformat(date_from) - dt.timedelta(days=p.window_days)).isoformat()
    rows = count(db, "day", None, table.to_filters(wl, before, date_to))
    return view_spikes(rows, date_from, date_to, first, p)


def recipients_of(wl, settings):
    return wl["recipients"] or [r["email"] for r in settings["recipients"]]


def claim(db, wl_id, day, emails, spikes, max_attempts):
    """'claimed', 'resumed' (from a sender that died), 'sent', 'in_progress' or 'gave_up'."""
    return claim_row(db, "watchlist_alerts", {"watchlist_id": wl_id, "day": day},
                     {"recipients": dumps(emails), "spikes": dumps(spikes)}, max_attempts)


def _finish(db, wl_id, day, error=None):
    finish_row(db, "watchlist_alerts", {"watchlist_id": wl_id, "day": day}, error)


def message(wl, day, spikes, emails, settings, sender):
    """The Korean alert mail for one watchlist and day."""
    msg = EmailMessage()
    msg["Subject"] = f"{settings['digest']['subject_prefix']} 관심 목록 '{wl['name']}' 급증 알림 ({day})"
    msg["From"] = sender
    msg["To"] = ", ".join(emails)
    link = dashboard_url(settings) + "/" + to_search({**table.dashboard_state(wl), "view": "documents",
                                                       "start": day, "end": day})
    what = " · ".join(dict.fromkeys(METRICS[s["metric"]] for s in spikes))  # '기사 수', '부정 비율' or both
    lines = [f"관심 목록 '{wl['name']}'에서 {day} {what} 급증이 감지되었습니다 (평소보다 크게 높음).",
             f"조건: {table.describe(wl['query'], wl['filters'])}", ""]
    lines += [f"- {describe(s, with_day=False).split(' · ', 1)[1]}" for s in spikes]  # '기사 수 25건 (평소 하루 2.9건)'
    lines += ["", "평소 값은 직전 28일 평균(평일·주말 차이 반영)입니다. 급증은 대시보드의 급증 표시(▼)와 같은 방법으로 판단합니다.",
              f"이날의 기사 보기: {link}", "", "알림을 끄려면: python monitor.py watchlist alert "
              f"\"{wl['name']}\" --off (또는 대시보드 관심 목록 탭에서 지우기)"]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def send_watchlist_alerts(db, settings, date_from=None, date_to=None, smtp=None, params=None):
    """Check every watchlist with the alert on; returns {'sent': [(name, day)], 'skipped': [...],
    'failed': [...], 'smtp': False when SMTP is not configured}."""
    result = {"sent": [], "skipped": [], "failed": [], "smtp": True}
    watched = table.all_watchlists(db, alert_only=True)
    if not watched:
        return result
    if smtp is None:
        try:
            smtp = smtp_from_env()
        except SettingsError:
            log.info(NO_SMTP)
            return {**result, "smtp": False}
    p = params or SpikeParams.from_config(settings.get("spikes"))
    date_to = date_to or today_kst().isoformat()
    date_from = date_from or (dt.date.fromisoformat(date_to) - dt.timedelta(days=p.check_days - 1)).isoformat()
    for wl in watched:
        try:
            _alert_one(db, wl, settings, smtp, date_from, date_to, p, result)
        except Exception:  # noqa: BLE001 - one watchlist never stops the others
            log.exception("watchlist %r: alert check failed", wl["name"])
            result["failed"].append((wl["name"], None))
    return result


def _alert_one(db, wl, settings, smtp, date_from, date_to, p, result):
    from digest import mail  # matplotlib comes with it: only when a mail may go out
    by_day = {}
    for s in spikes_of(db, wl, date_from, date_to, p):
        by_day.setdefault(s["day"], []).append(s)
    emails = recipients_of(wl, settings)
    if by_day and not emails:
        log.warning("watchlist %r spiked but has no recipients (and settings.toml has none)", wl["name"])
        return
    for day, spikes in sorted(by_day.items()):
        state = claim(db, wl["id"], day, emails, spikes, settings["digest"]["max_attempts"])
        if state in ("sent", "in_progress", "gave_up"):
            result["skipped"].append((wl["name"], day))
            continue
        if state == "resumed":
            log.warning("watchlist alert %r %s: %s", wl["name"], day, RESUMED_NOTE)
        try:
            mail.send(message(wl, day, spikes, emails, settings, smtp.sender), smtp)
        except Exception as exc:  # noqa: BLE001 - recorded, retried at the next check
            log.warning("watchlist alert %r %s not sent (retried at the next check): %s: %s",
                        wl["name"], day, type(exc).__name__, exc)
            _finish(db, wl["id"], day, f"{type(exc).__name__}: {exc}")
            result["failed"].append((wl["name"], day))
        else:
            log.info("watchlist alert %r %s sent to %d recipient(s)", wl["name"], day, len(emails))
            _finish(db, wl["id"], day)
            result["sent"].append((wl["name"], day))


def status(db, env=None):
    """For `monitor.py status`: how many watchlists have the alert on and whether mail can go out."""
    on = db.execute("SELECT COUNT(*) FROM watchlists WHERE alert = 1").fetchone()[0]
    total = db.execute("SELECT COUNT(*) FROM watchlists").fetchone()[0]
    try:
        smtp_from_env(env)
        smtp = True
    except SettingsError:
        smtp = False
    last = db.execute("SELECT MAX(sent_at) FROM watchlist_alerts WHERE status = 'sent'").fetchone()[0]
    return {"watchlists": total, "alert_on": on, "smtp": smtp, "last_sent": last}


def status_line(s):
    line = f"관심 목록 {s['watchlists']}개 (급증 알림 켜짐 {s['alert_on']}개)"
    if s["alert_on"] and not s["smtp"]:
        return line + " — ⚠ " + NO_SMTP
    return line + (f", 마지막 알림 {s['last_sent']}" if s["last_sent"] else "")
