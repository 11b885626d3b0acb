"""Filter state: the global filters as a plain dict, kept in the URL query string so a
view can be shared as a link, and turned into store.queries.Filters."""
import datetime as dt
from urllib.parse import parse_qs, urlencode

from vocabulary import ALL_REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS
from store.periods import year_before
from store.queries import Filters

VIEWS = ("overview", "regions", "topics", "words", "sources", "documents", "review", "events", "watchlists", "status")
PERIODS = ("day", "week", "month")
COMPARISONS = ("prev", "yoy")  # the period just before, or the same dates a year earlier
PRESETS = {"7d": "지난 7일", "last_week": "지난주", "last_month": "지난달", "this_year": "올해"}
DEFAULT_DAYS = 28
LIST_KEYS = {"region": ALL_REGIONS, "topic": tuple(TOPICS), "sentiment": SENTIMENTS,
             "kind": SOURCE_KINDS, "outlet": None}


# dates a link may carry: outside these (0001-01-01, 9999-12-31) the comparison period and
# the charts' date arithmetic would leave the calendar, so such values are dropped like typos
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _date(text):
    try:
        day = dt.date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None
    return day.isoformat() if day and FIRST_DATE <= day <= LAST_DATE else None


def parse_search(search):
    """'?start=..&region=서울' -> state dict. Unknown or malformed values are dropped."""
    qs = parse_qs((search or "").lstrip("?"))
    state = {"start": _date((qs.get("start") or [None])[0]), "end": _date((qs.get("end") or [None])[0])}
    for key, allowed in LIST_KEYS.items():
        values = [v for v in qs.get(key, []) if v and (allowed is None or v in allowed)]
        state[key] = list(dict.fromkeys(values))
    state["q"] = (qs.get("q") or [""])[0].strip()[:200]
    # spike=DAY: the documents view was opened from a spike marker (shows "what drove it")
    state["spike"] = _date((qs.get("spike") or [None])[0])
    view = (qs.get("view") or ["overview"])[0]
    state["view"] = view if view in VIEWS else "overview"
    doc = (qs.get("doc") or [""])[0].strip()        # one document to open (review queue link)
    state["doc"] = doc if 0 < len(doc) <= 80 and doc.isprintable() else None
    by = (qs.get("by") or ["day"])[0]
    state["by"] = by if by in PERIODS else "day"
    cmp = (qs.get("cmp") or ["prev"])[0]
    state["cmp"] = cmp if cmp in COMPARISONS else "prev"
    return state


def to_search(state):
    """State dict -> '?…' (empty values left out, stable key order)."""
    pairs = []
    defaults = {"view": "overview", "by": "day", "cmp": "prev"}
    for key in ("view", "start", "end", "by", "cmp", "q", "spike"):
        value = state.get(key)
        if value and value != defaults.get(key):
            pairs.append((key, value))
    for key in LIST_KEYS:
        pairs += [(key, v) for v in state.get(key) or []]
    return "?" + urlencode(pairs) if pairs else ""


def period(state, bounds):
    """(start, end) of the chosen period; defaults to the last 28 days with data."""
    last = state.get("end") or bounds[1] or dt.date.today().isoformat()
    start = state.get("start") or (dt.date.fromisoformat(last) - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    if start > last:
        start, last = last, start
    return start, last


def previous_period(start, end):
    """The period of equal length just before (start, end)."""
    s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = (e - s).days + 1
    return (s - dt.timedelta(days=days)).isoformat(), (s - dt.timedelta(days=1)).isoformat()


def comparison_label(cmp, start, end):
    """What the cards compare with: '직전 28일' or '전년 동기'."""
    if cmp == "yoy":
        return "전년 동기"
    return f"직전 {(dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1}일"


def preset_range(name, anchor):
    """(start, end) of a preset counted back from `anchor` (the last day with data):
    지난 7일, 지난주 (the Monday–Sunday week before anchor's), 지난달, 올해 (to anchor)."""
    day = dt.date.fromisoformat(anchor)
    if name == "7d":
        start, end = day - dt.timedelta(days=6), day
    elif name == "last_week":
        end = day - dt.timedelta(days=day.weekday() + 1)
        start = end - dt.timedelta(days=6)
    elif name == "last_month":
        end = day.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
    elif name == "this_year":
        start, end = day.replace(month=1, day=1), day
    else:
        raise ValueError(f"unknown preset {name!r}")
    return start.isoformat(), end.isoformat()


def to_filters(state, start, end, **overrides):
    f = Filters(date_from=start, date_to=end, regions=state.get("region") or None,
                topics=state.get("topic") or None, sentiments=state.get("sentiment") or None,
                source_kinds=state.get("kind") or None, outlets=state.get("outlet") or None,
                text=state.get("q") or None)
    return f.replace(**overrides) if overrides else f


class Context:
    """Everything a view needs to know about the request: state, period, filters."""

    def __init__(self, state, bounds):
        self.state, self.bounds, self.by = state, bounds, state.get("by") or "day"
        self.start, self.end = period(state, bounds)
        self.cmp = state.get("cmp") or "prev"
        self.prev_start, self.prev_end = (year_before if self.cmp == "yoy" else previous_period)(self.start, self.end)
        self.cmp_label = comparison_label(self.cmp, self.start, self.end)
        self.filters = to_filters(state, self.start, self.end)
        self.prev_filters = to_filters(state, self.prev_start, self.prev_end)
        self.empty_store = bounds[0] is None
