"""The search-interest tables: rescaled DataLab rows (search_interest), the request log
(interest_requests) and calls per API per Korean day (api_quota). Rows are keyed by
group × unit × slice × period, so fetching the same thing again replaces, never adds."""
import datetime as dt

from store.util import KST, utc_now, write_transaction

API = "datalab"
SLICE_COLUMNS = ("device", "gender", "ages")


def korean_day(now=None):
    return (now or dt.datetime.now(KST)).astimezone(KST).date().isoformat()


def reserve_call(db, limit, now=None, api=API):
    """Count one call against today's quota before it is sent; False (nothing counted) when
    `limit` calls were already made today (Korean date, when Naver's daily limit resets)."""
    day = korean_day(now)
    with write_transaction(db):
        row = db.execute("SELECT calls FROM api_quota WHERE api = ? AND day = ?", [api, day]).fetchone()
        if row and row[0] >= limit:
            return False
        db.execute("INSERT INTO api_quota (api, day, calls) VALUES (?, ?, 1) "
                   "ON CONFLICT (api, day) DO UPDATE SET calls = calls + 1", [api, day])
    return True


def calls_today(db, now=None, api=API):
    row = db.execute("SELECT calls FROM api_quota WHERE api = ? AND day = ?", [api, korean_day(now)]).fetchone()
    return row[0] if row else 0


def fetched_today(db, request_hash, now=None):
    """True when this exact request was answered and stored today (a rerun need not spend a call)."""
    row = db.execute("SELECT fetched_at FROM interest_requests WHERE request_hash = ? AND status = 'ok'",
                     [request_hash]).fetchone()
    if not row:
        return False
    when = dt.datetime.fromisoformat(row[0].replace("Z", "+00:00"))
    return korean_day(when) == korean_day(now)


def log_request(db, request_hash, unit, slice_name, body, status, error=None, scale=None, chained_by=None):
    groups = ", ".join(g["groupName"] for g in body["keywordGroups"])
    with write_transaction(db):
        db.execute("INSERT OR REPLACE INTO interest_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [request_hash, unit, slice_name, body["startDate"], body["endDate"], groups, status, error,
                    scale, chained_by, utc_now()])


def stored_anchor(db, anchor, unit, parts):
    """{period: value} of the anchor already stored for this unit and slice."""
    sql = ("SELECT period, value FROM search_interest WHERE group_name = ? AND unit = ? AND device = ? "
           "AND gender = ? AND ages = ? AND value IS NOT NULL")
    return {r[0]: r[1] for r in db.execute(sql, [anchor, unit, *(parts[c] for c in SLICE_COLUMNS)])}


def save_rows(db, rescaled, unit, parts, scale, request_hash, regions, anchor):
    """Upsert {group: [(period, ratio, value, partial)]}; returns the number of rows written."""
    fetched, sliced = utc_now(), [parts[c] for c in SLICE_COLUMNS]
    rows = [[group, regions.get(group), period, unit, *sliced, ratio, value, scale, int(partial),
             int(group == anchor), fetched, request_hash]
            for group, points in rescaled.items() for period, ratio, value, partial in points]
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO search_interest (group_name, region, period, unit, device, gender, ages, "
            "ratio, value, scale, partial, is_anchor, fetched_at, request_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def add_conditions(where, params, lists, day_column, date_from, date_to):
    """Append `column IN (...)` for each non-empty list and the inclusive date range to a WHERE."""
    for column, values in lists.items():
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += list(values)
    for op, value in ((">=", date_from), ("<=", date_to)):
        if value:
            where.append(f"{day_column} {op} ?")
            params.append(value)


def series(db, unit, groups=None, date_from=None, date_to=None, parts=None, regions=None, anchor=False):
    """Stored rows ordered by period then group: dicts with group, region, period, unit, device,
    gender, ages, value, ratio, scale, partial, fetched_at. `groups`/`regions` filter (lists)."""
    parts = parts or {c: "all" for c in SLICE_COLUMNS}
    where, params = ["unit = ?"] + [f"{c} = ?" for c in SLICE_COLUMNS], [unit, *(parts[c] for c in SLICE_COLUMNS)]
    if not anchor:
        where.append("is_anchor = 0")
    add_conditions(where, params, {"group_name": groups, "region": regions}, "period", date_from, date_to)
    sql = (f"SELECT group_name AS 'group', region, period, unit, device, gender, ages, value, ratio, scale, "
           f"partial, fetched_at FROM search_interest WHERE {' AND '.join(where)} ORDER BY period, group_name")
    return [dict(r) for r in db.query(sql, params)]


def status(db, limit, now=None):
    """Quota use today, the last answered request, stored daily rows, the newest day, failures of
    the last 24 hours, imported survey results."""
    last = db.execute("SELECT MAX(fetched_at) FROM interest_requests WHERE status = 'ok'").fetchone()[0]
    rows, groups, newest = db.execute("SELECT COUNT(*), COUNT(DISTINCT group_name), MAX(period) FROM search_interest "
                                      "WHERE unit = 'date'").fetchone()
    since = ((now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=1)).astimezone(dt.timezone.utc)
    failures = [dict(r) for r in db.query(
        "SELECT fetched_at, unit, slice, groups, error FROM interest_requests WHERE status != 'ok' "
        "AND fetched_at >= ? ORDER BY fetched_at DESC LIMIT 5", [since.strftime("%Y-%m-%dT%H:%M:%SZ")])]
    surveys = db.execute("SELECT COUNT(*) FROM surveys").fetchone()[0]
    return {"calls_today": calls_today(db, now), "daily_quota": limit, "last_fetch": last,
            "daily_rows": rows, "groups": groups, "newest_day": newest, "failures": failures, "surveys": surveys}
