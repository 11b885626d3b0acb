"""Trend tables: counts per period × group (long form) and one row per period (wide form),
both with a row for every period of the range (zeros explicit) and its coverage."""
import datetime as dt
import itertools

from export.columns import ATTENTION_COLUMNS, COUNT_COLUMNS, trend_columns, wide_columns
from vocabulary import ALL_REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS
from store.periods import fill
from store.listings import LABEL_GROUPS, LISTING_GROUPS, attention
from store.queries import QueryError, counts_multi, date_bounds, negative_interval

VOCABULARY = {"region": list(ALL_REGIONS), "topic": list(TOPICS), "sentiment": list(SENTIMENTS),
              "source_kind": list(SOURCE_KINDS)}
NONE_KEY = "(none)"
ATTENTION_KEYS = [name for name, _ in ATTENTION_COLUMNS]
KEY_SEPARATOR = "|"


def long_table(db, by, groups, filters, date_from=None, date_to=None):
    """(columns, rows): one row per period × group combination of [date_from, date_to]
    (default: the filters' dates), zero rows included: every period of the range, every
    group value of the vocabulary (and any other value present), in text order."""
    columns = trend_columns(groups)
    found = counts_multi(db, by, groups, filters)
    shares, listed_values = attention_cells(db, by, groups, filters)
    values = [_text_order(_group_values(g, {r[g] for r in found} | listed_values)) for g in groups]
    rows = []
    for row in fill(found, by, date_from or filters.date_from, date_to or filters.date_to, groups, values):
        low, high = negative_interval(row)
        row.update(negative_share_low=low, negative_share_high=high)
        row.update(shares(row["period"], row[groups[0]] if groups else None))
        rows.append({name: row.get(name) for name, _ in columns})
    return columns, rows


def attention_cells(db, by, groups, filters):
    """(cells, values): cells(period, group value) -> the share-of-collection columns of that
    long-form row (listed 0 and shares empty where nothing was listed; all empty with several
    groups), and the group values that have listed items (a source that listed nothing relevant
    still has its row)."""
    if len(groups) > 1:
        return (lambda period, value: dict.fromkeys(ATTENTION_KEYS)), set()
    group = groups[0] if groups else None
    found = {(r["period"], r.get(group)): r for r in attention(db, by, group, filters)}
    listed = {r["period"]: r["listed"] for r in attention(db, by, None, filters)} if group in LABEL_GROUPS else {}

    def cells(period, value):
        row = found.get((period, value))
        if row:
            return {k: row[k] for k in ATTENTION_KEYS}
        if listed.get(period):  # listed that period, none of it in this region/topic/sentiment
            return {"listed": listed[period], "listed_articles": 0, "listed_stories": 0, "article_share": 0.0,
                    "story_share": 0.0}
        return {"listed": 0, "listed_articles": 0, "listed_stories": 0, "article_share": None, "story_share": None}
    return cells, ({value for _, value in found} if group in LISTING_GROUPS else set())


def wide_table(long_rows, by, groups, metric, date_from=None, date_to=None):
    """(columns, rows): one row per period of the long table (every period from `date_from`
    to `date_to`), one column per group value (combination) holding `metric`.

    Group values are listed in vocabulary order (all regions, topics, ...) so the columns do
    not depend on the data; other values follow sorted. Missing counts are 0, shares empty.
    """
    per_group = [_group_values(g, {r[g] for r in long_rows}) for g in groups]
    keys = [KEY_SEPARATOR.join(NONE_KEY if v is None else v for v in combo)
            for combo in itertools.product(*per_group)]
    empty = 0 if metric in dict(COUNT_COLUMNS) else None  # shares and share-of-collection cells: empty
    cells, coverage = {}, {}
    for r in long_rows:
        key = KEY_SEPARATOR.join(NONE_KEY if r[g] is None else r[g] for g in groups)
        cells[(r["period"], key)] = r[metric]
        coverage[r["period"]] = {"days_in_period": r["days_in_period"], "partial": r["partial"]}
    rows = [{"period": p, **coverage[p], **{k: cells.get((p, k), empty) for k in keys}} for p in coverage]
    return wide_columns(keys, metric), rows


def _text_order(values):
    """The long form's order, as the shared counts query sorts: missing first, then text order."""
    return ([None] if None in values else []) + sorted(v for v in values if v is not None)


def _group_values(group, present):
    known = VOCABULARY.get(group, [])
    extra = sorted(v for v in present if v is not None and v not in known)
    return known + extra + ([None] if None in present else [])


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
