"""Put DataLab ratios from different requests, and from different days, on one scale.

A DataLab answer is relative to itself: the largest value in that one request is 100, so the
same group gets other numbers in another request. Every request therefore carries the same
anchor group A (config [interest] anchor), and each request r is rescaled by one factor f_r:

    value(g, t) = ratio_r(g, t) * f_r

1. When r covers the base window W (config base_start..base_end; every daily run does):
       f_r = 100 / mean_{t in W} ratio_r(A, t)
   Because ratio_r(x, t) = 100 * S(x, t) / M_r (S the searches Naver counts, M_r the request's
   maximum), M_r cancels: value(g, t) = 100 * S(g, t) / mean_W S(A, t) — the group's searches
   as a percentage of the anchor's average per period in W. That is the same number whichever
   request or day it came from, and groups fetched in different requests are comparable.
2. When r does not cover W (a backfill that starts later), it is chained through the anchor's
   values already stored for the same unit and slice on the periods both share:
       f_r = sum_t stored(A, t) / sum_t ratio_r(A, t)
   Errors of chained links multiply; a run that covers W (the daily job) replaces them.

Limits (docs/interest.md): ratios come rounded, so a small anchor mean makes f_r large and
the rounding of every value with it; a request whose anchor mean (in W or on the overlap) is
below `min_anchor` (ratio points of its own maximum 100) is refused, not stored. Values are
comparable only within one time unit and one slice (device/gender/ages). A period missing
from the answer is below Naver's reporting threshold and is stored as 0.
"""
import datetime as dt

MIN_OVERLAP = 3  # shared periods needed to chain a request through stored anchor values


class ChainError(ValueError):
    """The request cannot be put on the common scale (message says why and what to do)."""


def bucket_span(unit, period):
    """(first, last day) of the bucket a period labels (weeks run Monday to Sunday)."""
    day = dt.date.fromisoformat(period)
    if unit == "date":
        return day, day
    if unit == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    first = day.replace(day=1)
    return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def is_partial(unit, period, start, end):
    """True when the request's dates cut the bucket (its first or its last one)."""
    first, last = bucket_span(unit, period)
    return first.isoformat() < start or last.isoformat() > end


def grid(answer):
    """Every period any group of the answer has, in order."""
    return sorted({p for series in answer.values() for p in series})


def factor(answer, anchor, unit, start, end, base, min_anchor, stored_anchor=None):
    """(f_r, how): the rescaling factor of one request, and 'base' or 'chain'. ChainError when
    the anchor is too small or there is nothing to chain through."""
    periods = grid(answer)
    series = answer[anchor]
    if start <= base[0] and end >= base[1]:
        window = [p for p in periods if base[0] <= p <= base[1] and not is_partial(unit, p, start, end)]
        if not window:
            raise ChainError(f"the base window {base[0]}..{base[1]} holds no whole {unit} period: widen it")
        mean = sum(series.get(p, 0.0) for p in window) / len(window)
        if mean < min_anchor:
            raise ChainError(f"anchor {anchor!r} averages {mean:.4g} in the base window, under min_anchor "
                             f"{min_anchor:g}: its rounding would swamp the scale; choose a more popular anchor")
        return 100.0 / mean, "base"
    stored_anchor = stored_anchor or {}
    whole = [p for p in periods if not is_partial(unit, p, start, end)]
    shared = [p for p in whole if p in stored_anchor and p != max(stored_anchor)]  # its last may be partial
    if len(shared) < MIN_OVERLAP:
        raise ChainError(f"{start}..{end} does not cover the base window {base[0]}..{base[1]} and shares "
                         f"{len(shared)} {unit} period(s) with stored anchor values (need {MIN_OVERLAP}): "
                         f"fetch from {base[0]} or earlier first (python monitor.py interest --since {base[0]})")
    own = sum(series.get(p, 0.0) for p in shared)
    if own / len(shared) < min_anchor:
        raise ChainError(f"anchor {anchor!r} averages {own / len(shared):.4g} on the shared periods, under "
                         f"min_anchor {min_anchor:g}: cannot chain this request")
    return sum(stored_anchor[p] for p in shared) / own, "chain"


def rescale(answer, f, unit, start, end):
    """{group: [(period, ratio, value, partial)]} on the grid; missing periods are 0."""
    periods = grid(answer)
    partial = {p: is_partial(unit, p, start, end) for p in periods}
    return {group: [(p, series.get(p, 0.0), series.get(p, 0.0) * f, partial[p]) for p in periods]
            for group, series in answer.items()}
