"""The spikes a dashboard view marks: those of the filters' own scope.

No filter: every stored spike (each scope is part of all coverage). One region (or one
topic) and nothing else: the stored spikes of that region (topic). Any other filter
(sentiment, source kind, outlet, search, region and topic together ...): the view's own
series is tested live with the daily job's tests (analysis.spikes.view_spikes).
"""
import datetime as dt

from analysis.spikes import SpikeParams, describe, view_spikes
from store.queries import list_spikes


def stored_scope(state):
    """(scope, key) of the stored spikes that answer these filters; ('all', None) for no
    filter; None when the view needs its own test."""
    regions, topics = state.get("region") or [], state.get("topic") or []
    if any(state.get(k) for k in ("sentiment", "kind", "outlet", "q")) or len(regions) + len(topics) > 1:
        return None
    if regions:
        return ("region", regions[0])
    if topics:
        return ("topic", topics[0])
    return ("all", None)


def for_view(data, db, ctx, params=None):
    """Spikes in the view's date range, each with a Korean `text` (without the date)."""
    scope = stored_scope(ctx.state)
    if scope is None:
        p = params or SpikeParams()
        before = (dt.date.fromisoformat(ctx.start) - dt.timedelta(days=p.window_days)).isoformat()
        rows = data.counts(db, "day", None, ctx.filters.replace(date_from=before), stories=False)
        found = view_spikes(rows, ctx.start, ctx.end, ctx.bounds[0], p)
    elif scope[0] == "all":
        found = list_spikes(db, ctx.start, ctx.end)
    else:
        found = list_spikes(db, ctx.start, ctx.end, *scope)
    found = sorted(found, key=lambda s: (s["day"], -(s["zscore"] or 0)))  # each day's strongest first
    return [dict(s, text=describe(s, with_day=False)) for s in found]
