"""Watchlists on the research API (docs/api.md):

    GET /api/v1/watchlists                 the saved watchlists (name, query, filters, alert on/off)
    GET /api/v1/watchlists/<id>/trend      one watchlist's trend: every period of from..to (by=day|week|month),
                                           articles, stories, negative share with its sample size and 95% interval

format=json|csv; JSON is {meta, links, data} like the other datasets. Recipients' addresses are not shown.
"""
import flask

from export.api import _error, respond
from export.api_analysis import open_request
from export.params import choice, date
from store.queries import PERIODS, QueryError
from store.schema import current_version
from store.util import dumps
from watchlists import table, trend

LIST_COLUMNS = [("id", "int"), ("name", "str"), ("query", "str"), ("filters", "str"), ("alert", "bool"),
                ("recipients", "int"), ("created_at", "str"), ("updated_at", "str")]


def register(server, db_path=None):
    bp = flask.Blueprint("watchlists_api", __name__, url_prefix="/api/v1")
    bp.add_url_rule("/watchlists", "watchlists", lambda: _serve(db_path, _list, {"format"}))
    bp.add_url_rule("/watchlists/<int:watchlist_id>/trend", "watchlist_trend",
                    lambda watchlist_id: _serve(db_path, _trend, {"format", "from", "to", "by"}, watchlist_id))
    server.register_blueprint(bp)
    return server


def _serve(db_path, answer, allowed, *args):
    raw = flask.request.args.to_dict(flat=False)
    opened = open_request(raw, allowed, db_path)
    if isinstance(opened, flask.Response):
        return opened
    fmt, db = opened
    try:
        dataset, columns, rows, meta = answer(db, raw, *args)
        meta["store_schema_version"] = current_version(db)
    except table.WatchlistNotFound as exc:
        return _error(404, str(exc))
    except QueryError as exc:  # WatchlistError included
        return _error(400, str(exc))
    finally:
        db.conn.close()
    columns_meta = [{"name": c, "type": t} for c, t in columns]
    if fmt == "csv":  # the filters as JSON text in their cell
        rows = [{k: dumps(v) if isinstance(v, dict) else v for k, v in r.items()} for r in rows]
    return respond(dataset, columns, rows, len(rows), 1, max(len(rows), 1), fmt,
                   lambda: {"dataset": dataset, **meta, "columns": columns_meta, "row_count": len(rows)})


def _list(db, raw):
    rows = [{**{k: wl[k] for k, _ in LIST_COLUMNS if k not in ("filters", "recipients")},
             "filters": wl["filters"], "recipients": len(wl["recipients"])} for wl in table.all_watchlists(db)]
    return "watchlists", LIST_COLUMNS, rows, {}


def _trend(db, raw, watchlist_id):
    wl = table.get(db, watchlist_id)
    by = choice("by", raw.get("by"), tuple(PERIODS), "day")
    start, end = trend.default_range(db, date("from", raw.get("from")), date("to", raw.get("to")))
    if start > end:
        raise QueryError(f"기간 오류 / 'from' ({start}) is after 'to' ({end})")
    rows = trend.trend(db, wl, by, start, end)
    total = trend.totals(db, wl, start, end)
    meta = {"watchlist": {"id": wl["id"], "name": wl["name"], "query": wl["query"], "filters": wl["filters"]},
            "from": start, "to": end, "by": by,
            "totals": {k: total[k] for k in ("articles", "stories", "negative", "labelled", "negative_ci_low",
                                             "negative_ci_high")},
            "counting": "relevant, non-duplicate documents matching the watchlist's search and filters; stories: "
                        "distinct stories among them in each period (a story counts once per period, once in totals)"}
    return "watchlist-trend", trend.COLUMNS, rows, meta
