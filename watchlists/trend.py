"""A watchlist's numbers: its trend (every period of the range, zeros included), its totals
and its newest documents, counted like every other view (store.queries: relevant,
non-duplicate documents; stories = distinct stories among the matching articles of each
period; the negative share out of the articles with a sentiment, with its 95% interval)."""
import datetime as dt

from store import queries
from store.periods import fill
from store.queries import date_bounds, labelled, negative_interval
from watchlists.table import to_filters

DEFAULT_DAYS = 28
COLUMNS = [("period", "str"), ("days_in_period", "int"), ("partial", "bool"), ("articles", "int"), ("stories", "int"),
           ("negative", "int"), ("neutral", "int"), ("positive", "int"), ("labelled", "int"),
           ("negative_share", "float"), ("negative_ci_low", "float"), ("negative_ci_high", "float")]


def default_range(db, date_from=None, date_to=None):
    """(from, to): the given dates, else the 28 days up to the last day with documents."""
    last = date_to or date_bounds(db)[1] or dt.date.today().isoformat()
    first = date_from or (dt.date.fromisoformat(last) - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return first, last


def with_share(row):
    """The row with `labelled` (articles with a sentiment) and the negative share's 95% interval."""
    low, high = negative_interval(row)
    return {**row, "labelled": labelled(row), "negative_ci_low": low, "negative_ci_high": high}


def trend(db, wl, by="day", date_from=None, date_to=None, counts=queries.counts):
    """Rows of COLUMNS for every period of [date_from, date_to]; `counts` is store.queries.counts
    or the dashboard's cached equivalent (the same numbers)."""
    date_from, date_to = default_range(db, date_from, date_to)
    rows = counts(db, by, None, to_filters(wl, date_from, date_to))
    return [{k: r[k] for k, _ in COLUMNS} for r in map(with_share, fill(rows, by, date_from, date_to))]


def totals(db, wl, date_from, date_to, total=queries.totals):
    """The whole range: articles, stories (each story once), negative share with its interval."""
    return with_share(total(db, to_filters(wl, date_from, date_to)))


def latest(db, wl, date_from=None, date_to=None, limit=5):
    """The newest matching documents of the range."""
    return queries.document_page(db, to_filters(wl, date_from, date_to), "published_desc", limit)
