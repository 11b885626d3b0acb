"""Calendar periods shared by every time series: days, Monday-based ISO weeks, months.

A series covers every period of its range, zeros included (`period_starts`), and says how
many of a period's days lie inside the range (`days_in_period`): a week or month cut by the
range is *partial*, so a short bar is not mistaken for a collapse in coverage.
"""
import datetime as dt

PERIOD_DAYS = {"day": 1, "week": 7}


def _date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def period_start(by, day):
    """The period a date falls in, as its first day (weeks start on Monday)."""
    day = _date(day)
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def next_start(by, start):
    start = _date(start)
    if by == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start + dt.timedelta(days=PERIOD_DAYS[by])


def period_starts(by, date_from, date_to):
    """ISO dates of every period from the one holding date_from to the one holding date_to."""
    if not date_from or not date_to:
        return []
    out, day, last = [], period_start(by, date_from), period_start(by, date_to)
    while day <= last:
        out.append(day.isoformat())
        try:
            day = next_start(by, day)
        except OverflowError:  # the last period before the year 10000
            break
    return out


def last_day(by, start):
    """The last day of the period starting at `start` (the calendar's end for the last one)."""
    try:
        return next_start(by, start) - dt.timedelta(days=1)
    except OverflowError:  # a period that runs past 9999-12-31
        return dt.date.max


def period_length(by, start):
    """Days in the whole period starting at `start`."""
    if by == "month":
        return (last_day(by, start) - _date(start)).days + 1
    return PERIOD_DAYS[by]


def days_in_period(by, start, date_from, date_to):
    """Days of the period starting at `start` that lie inside [date_from, date_to]."""
    first = max(_date(start), _date(date_from))
    last = min(last_day(by, start), _date(date_to))
    return max(0, (last - first).days + 1)


def coverage(by, start, date_from, date_to):
    """{'days_in_period', 'partial'} for one period of a series over [date_from, date_to]."""
    days = days_in_period(by, start, date_from, date_to)
    return {"days_in_period": days, "partial": days < period_length(by, start)}


def period_end(by, start):
    return last_day(by, start).isoformat()


def fill(rows, by, date_from, date_to, groups=(), values=()):
    """Rows of store.queries.counts / counts_multi completed to every period of
    [date_from, date_to] × every combination of `values` (one list per group name in
    `groups`), in that order: counts 0 and shares None where nothing matched, and each
    row's `days_in_period` and `partial`. Rows outside the range or the values are dropped."""
    import itertools
    groups = list(groups)
    have = {(r["period"], *(r[g] for g in groups)): r for r in rows}
    out = []
    for start in period_starts(by, date_from, date_to):
        for combo in itertools.product(*values) if groups else [()]:
            row = have.get((start, *combo)) or zero_row(start, dict(zip(groups, combo)))
            out.append({**row, **coverage(by, start, date_from, date_to)})
    return out


COUNT_KEYS = ("articles", "stories", "outlets", "negative", "neutral", "positive")
SHARE_KEYS = ("negative_share", "neutral_share", "positive_share", "net_sentiment")


def zero_row(period, keys=None):
    return {"period": period, **(keys or {}), **{k: 0 for k in COUNT_KEYS}, **{k: None for k in SHARE_KEYS}}


def short_date(day):
    day = _date(day)
    return f"{day.month}/{day.day}"


def label(by, start):
    """A period's axis label: '11/17' (day), '11/17~23' or '11/30~12/6' (Monday-based
    ISO week), '2026.11' (month)."""
    start = _date(start)
    if by == "month":
        return f"{start.year}.{start.month:02d}"
    if by == "week":
        end = start + dt.timedelta(days=6)
        return f"{short_date(start)}~{end.day if end.month == start.month else short_date(end)}"
    return short_date(start)


def long_label(by, start):
    """Hover text: '2026-11-17', '2026-11-17(월) ~ 2026-11-23(일)', '2026년 11월'."""
    start = _date(start)
    if by == "month":
        return f"{start.year}년 {start.month}월"
    if by == "week":
        return f"{start.isoformat()}(월) ~ {period_end(by, start)}(일)"
    return start.isoformat()


def year_before(start, end):
    """The same dates a year earlier (29 February -> 28 February)."""
    def back(text):
        day = dt.date.fromisoformat(text)
        return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day).isoformat()
    return back(start), back(end)
