"""Run every event collector once: milestones from config/events.toml, bills from the
National Assembly API, law versions from the law information API.

Each collector runs on its own: a missing key skips it with one log line, a failure is
one log line and a summary with status 'error'; neither stops the others nor the caller
(the scheduler's crawl cycle). Keys come from ASSEMBLY_API_KEY and LAW_API_OC; `endpoints`
(the demo's recorded servers) may give URLs and keys instead.
"""
import logging
import os

from events import assembly, lawinfo
from events.config import DEFAULTS, ConfigError, load
from events.http import ApiError
from events.table import save_collected

log = logging.getLogger("events")
DAILY_TIME = "06:30"  # the scheduler's daily run (Korean time)


def _summary(name, status="ok", error=None, **counts):
    return {"collector": name, "status": status, "error": error,
            **{key: counts.get(key, 0) for key in ("new", "updated", "same", "deleted", "rejected")}}


def _milestones(db, config, _endpoints, _env):
    return _summary("milestones", **save_collected(db, "config", config["milestones"], prune=True))


def _assembly(db, config, endpoints, env):
    key = endpoints.get("assembly_key") or env.get("ASSEMBLY_API_KEY", "").strip()
    if not key:
        return _summary("assembly", "skipped", "ASSEMBLY_API_KEY not set: National Assembly bills skipped")
    c = config["assembly"]
    rows = assembly.fetch_bills(endpoints.get("assembly_url") or c["url"], key, c["ages"], c["bill_names"],
                                c["page_size"], timeout=c["timeout"])
    events = [e for row in rows for e in assembly.bill_events(row)]
    return _summary("assembly", **save_collected(db, "assembly", events))


def _lawinfo(db, config, endpoints, env):
    oc = endpoints.get("law_oc") or env.get("LAW_API_OC", "").strip()
    if not oc:
        return _summary("lawinfo", "skipped", "LAW_API_OC not set: law and decree revisions skipped")
    c = config["law"]
    items, missing = lawinfo.fetch_versions(endpoints.get("law_url") or c["url"], oc, c["names"], c["targets"],
                                            timeout=c["timeout"])
    events = [e for item in items for e in lawinfo.version_events(item, c["site"])]
    counts = save_collected(db, "lawinfo", events)
    if missing:
        return _summary("lawinfo", "warning", f"법령을 찾지 못했습니다 / no law named: {', '.join(missing)}", **counts)
    return _summary("lawinfo", **counts)


COLLECTORS = (("milestones", _milestones), ("assembly", _assembly), ("lawinfo", _lawinfo))


def fetch_all(db, config_path=None, endpoints=None, env=None, only=None, log_each=True):
    """Run the collectors (all, or the names in `only`); one summary dict each, never raises.
    log_each: one log line per collector (the scheduler; the command prints them instead)."""
    env = os.environ if env is None else env
    endpoints = endpoints or {}
    summaries = []
    try:
        config = load(config_path)
    except ConfigError as exc:  # the API collectors still run with the defaults
        config = {**DEFAULTS, "milestones": None}
        log.error("events: %s", exc)
    for name, collect in COLLECTORS:
        if only and name not in only:
            continue
        if name == "milestones" and config["milestones"] is None:
            summaries.append(_summary(name, "error", "config/events.toml has an error (see above); milestones kept"))
            continue
        try:
            summary = collect(db, config, endpoints, env)
        except ApiError as exc:
            summary = _summary(name, "error", str(exc))
        except Exception as exc:  # noqa: BLE001 - one collector never stops the others
            log.exception("events: %s failed", name)
            summary = _summary(name, "error", f"{type(exc).__name__}: {exc}")
        summaries.append(summary)
        if log_each:
            log_summary(summary)
    return summaries


def describe(summary):
    """One line for people: 'assembly: 새 3건, 바뀜 1건, 그대로 10건' or the error."""
    s = summary
    if s["status"] in ("skipped", "error"):
        return f"{s['collector']}: {'건너뜀 / skipped' if s['status'] == 'skipped' else '오류 / error'} - {s['error']}"
    line = f"{s['collector']}: 새 {s['new']}건, 바뀜 {s['updated']}건, 그대로 {s['same']}건"
    line += f", 삭제 {s['deleted']}건" if s["deleted"] else ""
    line += f", 잘못된 값으로 제외 {s['rejected']}건 (로그 참고)" if s["rejected"] else ""
    return line + (f" (주의 / warning: {s['error']})" if s["error"] else "")


def log_summary(summary):
    level = {"error": logging.ERROR, "warning": logging.WARNING}.get(summary["status"], logging.INFO)
    log.log(level, "events: %s", describe(summary))
