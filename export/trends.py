"""Trend tables: counts per period × group (long form) and one row per period (wide form)."""
import datetime as dt
import itertools

from export.columns import COUNT_COLUMNS, trend_columns, wide_columns
from vocabulary import ALL_REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS
from store.queries import QueryError, counts_multi, date_bounds

VOCABULARY = {"region": list(ALL_REGIONS), "topic": list(TOPICS), "sentiment": list(SENTIMENTS),
              "source_kind": list(SOURCE_KINDS)}
NONE_KEY = "(none)"
KEY_SEPARATOR = "|"


def long_table(db, by, groups, filters):
    """(columns, rows): one row per period × group combination present in the data."""
    columns = trend_columns(groups)
    rows = [{name: row.get(name) for name, _ in columns} for row in counts_multi(db, by, groups, filters)]
    return columns, rows


def wide_table(long_rows, by, groups, metric, date_from=None, date_to=None):
    """(columns, rows): one row per period from `date_from` to `date_to` (or the data's first
    to last period), one column per group value (combination) holding `metric`.

    Group values are listed in vocabulary order (all regions, topics, ...) so the columns do
    not depend on the data; other values follow sorted. Missing counts are 0, shares empty.
    """
    per_group = [_group_values(g, {r[g] for r in long_rows}) for g in groups]
    keys = [KEY_SEPARATOR.join(NONE_KEY if v is None else v for v in combo)
            for combo in itertools.product(*per_group)]
    empty = 0 if metric in dict(COUNT_COLUMNS) else None
    cells = {}
    for r in long_rows:
        key = KEY_SEPARATOR.join(NONE_KEY if r[g] is None else r[g] for g in groups)
        cells[(r["period"], key)] = r[metric]
    periods = _periods(by, {r["period"] for r in long_rows}, date_from, date_to)
    rows = [{"period": p, **{k: cells.get((p, k), empty) for k in keys}} for p in periods]
    return wide_columns(keys, metric), rows


def _group_values(group, present):
    known = VOCABULARY.get(group, [])
    extra = sorted(v for v in present if v is not None and v not in known)
    return known + extra + ([None] if None in present else [])


def period_start(by, day):
    """The period a date falls in, as its first day (weeks start on Monday)."""
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def _periods(by, present, date_from, date_to):
    """Every period between the bounds, so gaps with no documents appear as rows."""
    present_dates = sorted(dt.date.fromisoformat(p) for p in present if p)
    lo = period_start(by, dt.date.fromisoformat(date_from)) if date_from else (present_dates or [None])[0]
    hi = period_start(by, dt.date.fromisoformat(date_to)) if date_to else (present_dates or [None])[-1]
    out, day = [], lo
    while lo and hi and day <= hi:
        out.append(day.isoformat())
        try:
            if by == "month":
                day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            else:
                day += dt.timedelta(days=7 if by == "week" else 1)
        except OverflowError:  # the last period before year 10000
            break
    return out


# A wide table has a cell per period × group value whether or not there is data, and a long
# one up to that many rows: bounded, so one request cannot ask for billions of cells
# (1900-2100 by day × regions × topics × outlets).
MAX_TREND_CELLS = 1_000_000
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30.44}


def check_trend_size(db, by, groups, filters):
    """Raise QueryError (400 in the API) when periods × group values exceed MAX_TREND_CELLS."""
    lo, hi = filters.date_from, filters.date_to
    if not (lo and hi):
        first, last = date_bounds(db)
        lo, hi = lo or first, hi or last
    if not (lo and hi):
        return
    periods = int((dt.date.fromisoformat(hi) - dt.date.fromisoformat(lo)).days / PERIOD_DAYS[by]) + 1
    columns = 1
    for group in groups:
        if group in VOCABULARY:
            columns *= len(VOCABULARY[group]) + 1
        else:  # outlet, source: as many as the store holds
            columns *= db.execute(f"SELECT COUNT(DISTINCT {group}) + 1 FROM documents").fetchone()[0]
    if periods * columns > MAX_TREND_CELLS:
        raise QueryError(
            f"표가 너무 큽니다 / the trend table could have {periods * columns:,} cells ({periods:,} periods × "
            f"{columns:,} group values; at most {MAX_TREND_CELLS:,}): use a shorter date range, by=week or month, "
            "or fewer groups")
