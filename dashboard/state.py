"""Filter state: the global filters as a plain dict, kept in the URL query string so a
view can be shared as a link, and turned into store.queries.Filters."""
import datetime as dt
from urllib.parse import parse_qs, urlencode

from vocabulary import ALL_REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS
from store.queries import Filters

VIEWS = ("overview", "regions", "topics", "sources", "documents", "review", "events", "status")
PERIODS = ("day", "week", "month")
DEFAULT_DAYS = 28
LIST_KEYS = {"region": ALL_REGIONS, "topic": tuple(TOPICS), "sentiment": SENTIMENTS,
             "kind": SOURCE_KINDS, "outlet": None}


def _date(text):
    try:
        return dt.date.fromisoformat(text).isoformat() if text else None
    except (TypeError, ValueError):
        return None


def parse_search(search):
    """'?start=..&region=서울' -> state dict. Unknown or malformed values are dropped."""
    qs = parse_qs((search or "").lstrip("?"))
    state = {"start": _date((qs.get("start") or [None])[0]), "end": _date((qs.get("end") or [None])[0])}
    for key, allowed in LIST_KEYS.items():
        values = [v for v in qs.get(key, []) if v and (allowed is None or v in allowed)]
        state[key] = list(dict.fromkeys(values))
    state["q"] = (qs.get("q") or [""])[0].strip()[:200]
    view = (qs.get("view") or ["overview"])[0]
    state["view"] = view if view in VIEWS else "overview"
    doc = (qs.get("doc") or [""])[0].strip()        # one document to open (review queue link)
    state["doc"] = doc if 0 < len(doc) <= 80 and doc.isprintable() else None
    by = (qs.get("by") or ["day"])[0]
    state["by"] = by if by in PERIODS else "day"
    return state


def to_search(state):
    """State dict -> '?…' (empty values left out, stable key order)."""
    pairs = []
    for key in ("view", "start", "end", "by", "q"):
        value = state.get(key)
        if value and not (key == "view" and value == "overview") and not (key == "by" and value == "day"):
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
        self.prev_start, self.prev_end = previous_period(self.start, self.end)
        self.filters = to_filters(state, self.start, self.end)
        self.prev_filters = to_filters(state, self.prev_start, self.prev_end)
        self.empty_store = bounds[0] is None
