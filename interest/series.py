"""Reads of stored search interest for the dashboard and the digest.

Both put search interest beside coverage on the same days: daily values (unit 'date', no
slice) are added up over the dashboard's or digest's own periods (Monday weeks, calendar
months, cut by the chosen dates exactly like the article counts), so a period of one
measure covers the same days as the other. A period with days not fetched yet is marked
incomplete rather than counted as low.
"""
import datetime as dt

from store.periods import period_start, period_starts
from interest.store import series
from vocabulary import NATIONAL


def groups(db, regions=None):
    """[(group, region)] with stored daily rows: the chosen regions' groups, or the national
    ones (no region, or 전국) when no region is chosen; in the chosen regions' order, then in
    the configured order (the order the collector first stored them)."""
    rows = db.execute("SELECT group_name, region FROM search_interest WHERE unit = 'date' AND is_anchor = 0 "
                      "AND device = 'all' AND gender = 'all' AND ages = 'all' "
                      "GROUP BY group_name, region ORDER BY MIN(rowid)").fetchall()
    if regions:
        order = {r: i for i, r in enumerate(regions)}
        return sorted(((g, r) for g, r in rows if r in order), key=lambda x: order[x[1]])
    return [(g, r) for g, r in rows if r in (None, NATIONAL)]


def by_period(db, by, start, end, names):
    """{group: [{'period', 'value', 'days', 'expected'}]} for every period from start to end:
    the sum of daily values on the days inside both the period and start..end; `days` of them
    fetched out of `expected` (value None when none was)."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    expected = {}
    day = first
    while day <= last:
        key = period_start(by, day).isoformat()
        expected[key] = expected.get(key, 0) + 1
        day += dt.timedelta(days=1)
    sums = {name: {} for name in names}
    for r in series(db, "date", names, start, end):
        key = period_start(by, dt.date.fromisoformat(r["period"])).isoformat()
        value, days = sums[r["group"]].get(key, (0.0, 0))
        sums[r["group"]][key] = (value + (r["value"] or 0.0), days + 1)
    periods = period_starts(by, start, end)
    return {name: [{"period": p, "value": sums[name].get(p, (None, 0))[0], "days": sums[name].get(p, (None, 0))[1],
                    "expected": expected[p]} for p in periods] for name in names}


def week_index(db, monday, name, weeks_before=4):
    """This week (Monday..Sunday) of `name` against the average of the `weeks_before` weeks
    before it, as {'index': this week with that average = 100, 'week', 'average'}; None unless
    every one of those days was fetched."""
    first = monday - dt.timedelta(weeks=weeks_before)
    rows = by_period(db, "week", first.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), [name])[name]
    if len(rows) != weeks_before + 1 or any(r["days"] != 7 for r in rows):
        return None
    before = sum(r["value"] for r in rows[:-1]) / weeks_before
    if before <= 0:
        return None
    return {"group": name, "week": rows[-1]["value"], "average": before, "index": rows[-1]["value"] / before * 100}


def week_summary(db, monday, region=None):
    """The digest's line: week_index of the national groups, then the region's; `groups` is
    empty when nothing is stored, `complete` False when some group lacks days of those weeks."""
    names = [g for g, _ in groups(db)] + ([g for g, _ in groups(db, [region])] if region else [])
    found = [w for name in names if (w := week_index(db, monday, name))]
    return {"groups": found, "stored": bool(names), "complete": len(found) == len(names)}
