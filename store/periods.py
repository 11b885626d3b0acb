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
        day = next_start(by, day)
    return out


def period_length(by, start):
    """Days in the whole period starting at `start`."""
    return (next_start(by, start) - _date(start)).days


def days_in_period(by, start, date_from, date_to):
    """Days of the period starting at `start` that lie inside [date_from, date_to]."""
    first = max(_date(start), _date(date_from))
    last = min(next_start(by, start) - dt.timedelta(days=1), _date(date_to))
    return max(0, (last - first).days + 1)


def coverage(by, start, date_from, date_to):
    """{'days_in_period', 'partial'} for one period of a series over [date_from, date_to]."""
    days = days_in_period(by, start, date_from, date_to)
    return {"days_in_period": days, "partial": days < period_length(by, start)}


def period_end(by, start):
    return (next_start(by, start) - dt.timedelta(days=1)).isoformat()
