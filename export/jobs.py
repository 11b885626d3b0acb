"""What an export request means, shared by the command and the API: parameters in,
(columns, rows, filters, parameters) out."""
from export.columns import document_columns
from export.documents import iter_documents
from export.params import flag, parse_filters, parse_trend_options
from export.trends import check_trend_size, long_table, wide_table
from store.queries import date_bounds


def trends(db, raw):
    """A trend table for the raw parameters; rows are a list (small: periods × groups)."""
    filters = parse_filters(raw)
    by, groups, shape, metric = parse_trend_options(raw)
    check_trend_size(db, by, groups, filters)
    first, last = date_bounds(db)  # an open end of the range: the store's first/last day
    date_from, date_to = filters.date_from or first, filters.date_to or last
    columns, rows = long_table(db, by, groups, filters, date_from, date_to)
    if shape == "wide":
        columns, rows = wide_table(rows, by, groups, metric, date_from, date_to)
    parameters = {"by": by, "group": groups, "shape": shape, "metric": metric if shape == "wide" else None}
    return columns, rows, filters, parameters


def documents(db, raw, limit=None, offset=0):
    """A document table; rows is a generator that streams from the store."""
    filters = parse_filters(raw)
    with_text = flag("with_text", raw.get("with_text"))
    rows = iter_documents(db, filters, with_text=with_text, limit=limit, offset=offset)
    return document_columns(with_text), rows, filters, {"with_text": with_text}
