"""The search-interest collector: plan the DataLab requests, send them within the daily
quota, rescale each answer through the anchor (interest/chaining.py) and store it.

One request = the anchor group + up to 4 configured groups, for one time unit and one slice,
from `since` to yesterday (Korean date). Requests already answered today are not sent again
(no call spent) unless `force`. A failing request is logged in one line and the rest go on;
missing keys skip the run in one line, and 401/403/429 stop it (every call would fail alike).
"""
import datetime as dt
import logging

from interest import chaining, datalab
from interest.config import MAX_GROUPS, parse_slice
from interest.store import fetched_today, log_request, reserve_call, save_rows, stored_anchor
from store.util import KST

log = logging.getLogger("interest")
SKIPPED_NO_KEYS = "NAVER_CLIENT_ID / NAVER_CLIENT_SECRET 없음: 검색 관심 수집 건너뜀 / not set: search interest skipped"


def yesterday(now=None):
    """DataLab's newest whole day: yesterday in Korean time."""
    return ((now or dt.datetime.now(KST)).astimezone(KST).date() - dt.timedelta(days=1)).isoformat()


def plan(cfg, start, end):
    """Request bodies in priority order (slices as configured, then units, then groups in
    batches): [(unit, slice name, slice parts, body)]."""
    per_request = MAX_GROUPS - 1  # one place is the anchor's
    batches = [cfg.groups[i:i + per_request] for i in range(0, len(cfg.groups), per_request)]
    out = []
    for name in cfg.slices:
        parts = parse_slice(name)
        for unit in cfg.units:
            for batch in batches:
                groups = [(cfg.anchor.name, cfg.anchor.keywords)] + [(g.name, g.keywords) for g in batch]
                out.append((unit, name, parts, datalab.build_body(start, end, unit, groups, **parts)))
    return out


def collect(db, cfg, keys, start=None, end=None, force=False, now=None, url=None):
    """Fetch, rescale and store; a summary dict (calls, skipped, ok, failed, rows, errors, stopped)."""
    summary = {"planned": 0, "calls": 0, "skipped": 0, "ok": 0, "failed": 0, "rows": 0, "errors": [],
               "stopped": None}
    if not cfg.configured:
        summary["stopped"] = "[interest] anchor 또는 groups 설정 없음 / no anchor or groups configured"
        log.warning(summary["stopped"])
        return summary
    if not keys:
        summary["stopped"] = SKIPPED_NO_KEYS
        log.warning(SKIPPED_NO_KEYS)
        return summary
    start, end = start or cfg.since, end or yesterday(now)
    if start > end:
        summary["stopped"] = f"시작일 {start}이 마지막 날 {end}보다 늦습니다 / start is after the last day"
        log.warning(summary["stopped"])
        return summary
    requests = plan(cfg, start, end)
    summary["planned"] = len(requests)
    regions = {g.name: g.region for g in cfg.groups}
    for unit, slice_name, parts, body in requests:
        request_hash = datalab.request_hash(body)
        if not force and fetched_today(db, request_hash, now):
            summary["skipped"] += 1
            continue
        if not reserve_call(db, cfg.daily_quota, now):
            left = summary["planned"] - summary["calls"] - summary["skipped"]
            summary["stopped"] = (f"오늘 호출 한도 {cfg.daily_quota:,}회 도달 / daily quota of {cfg.daily_quota:,} calls "
                                  f"reached: {left} request(s) left for tomorrow")
            log.warning(summary["stopped"])
            break
        summary["calls"] += 1
        try:
            answer = datalab.search(url or cfg.url, keys, body)
            scale, how = chaining.factor(answer, cfg.anchor.name, unit, start, end, cfg.base, cfg.min_anchor,
                                         stored_anchor(db, cfg.anchor.name, unit, parts))
            rescaled = chaining.rescale(answer, scale, unit, start, end)
            summary["rows"] += save_rows(db, rescaled, unit, parts, scale, request_hash, regions, cfg.anchor.name)
            log_request(db, request_hash, unit, slice_name, body, "ok", scale=scale, chained_by=how)
            summary["ok"] += 1
        except (datalab.DataLabError, chaining.ChainError) as exc:
            status = "refused" if isinstance(exc, chaining.ChainError) else "error"
            log_request(db, request_hash, unit, slice_name, body, status, error=str(exc))
            summary["failed"] += 1
            summary["errors"].append(f"{unit}/{slice_name}: {exc}")
            log.warning("search interest %s/%s (%s): %s", unit, slice_name,
                        ", ".join(g["groupName"] for g in body["keywordGroups"][1:]), exc)
            if getattr(exc, "stop", False):
                summary["stopped"] = str(exc)
                break
    log.info("search interest: %d calls, %d already fetched today, %d ok, %d failed, %d rows",
             summary["calls"], summary["skipped"], summary["ok"], summary["failed"], summary["rows"])
    return summary
