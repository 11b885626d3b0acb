"""HTTP API on the dashboard's Flask server: GET /api/v1/trends, /api/v1/documents, /api/v1/events and
/api/v1/search-interest (interest/export.py).

Same parameters as `monitor.py export` (see docs/api.md), plus format=json|csv, page and
per_page. Bad parameters get 400 with {"error": message}.

Speed on a large store: match counts come from the dashboard's rollup tables when they
cover the filters; trend tables and other whole-store counts are cached until the store
changes (its rollup generation); a documents page reports the model versions of its own rows.
"""
import collections
import json
import math
import sqlite3
import time

import flask

from export import jobs
from export.meta import UNLABELLED, describe, model_versions, stamp
from export.params import FILTER_KEYS, choice, integer, reject_unknown
from export.writers import csv_bytes
from interest import export as interest_export
from store import StoreError, listings, open_db, rollups
from store.cache import ResultCache
from store.queries import QueryError

MAX_PER_PAGE = 1000
MAX_REQUEST_SECONDS = 60  # database work per request; the slowest 1M-document trend takes ~13 s
COMMON = set(FILTER_KEYS) | {"format", "page", "per_page"}
ALLOWED = {"trends": COMMON | {"by", "group", "shape", "metric"}, "documents": COMMON | {"with_text"},
           "events": {"from", "to", "kind", "region", "format", "page", "per_page"},
           "search-interest": {"format", "page", "per_page", *interest_export.PARAMETERS}}


def register(server, db_path=None):
    """Add the /api/v1 routes to a Flask app; each request opens the store at `db_path`
    (None: $MONITOR_DB or data/monitor.db)."""
    api = flask.Blueprint("export_api", __name__, url_prefix="/api/v1")

    @api.get("/trends")
    def trends():
        return _serve("trends", db_path)

    @api.get("/documents")
    def documents():
        return _serve("documents", db_path)

    @api.get("/events")
    def events():
        return _serve("events", db_path)

    @api.get("/search-interest")
    def search_interest():
        return _serve("search-interest", db_path)

    server.register_blueprint(api)
    from export import api_analysis  # keywords, related words, entities, attention, watchlists
    api_analysis.register(server, db_path)
    from export import api_watchlists  # /api/v1/watchlists and one watchlist's trend
    api_watchlists.register(server, db_path)
    return server


def _serve(dataset, db_path):
    raw = flask.request.args.to_dict(flat=False)
    try:
        reject_unknown(raw, ALLOWED[dataset])
        fmt = choice("format", raw.get("format"), ("json", "csv"), "json")
        page = integer("page", raw.get("page"), 1, 1, 10**9)
        per_page = integer("per_page", raw.get("per_page"), 100, 1, MAX_PER_PAGE)
        db = open_db(db_path)
    except QueryError as exc:
        return _error(400, str(exc))
    except StoreError as exc:
        return _error(503, str(exc))
    _limit_work(db, MAX_REQUEST_SECONDS)
    try:
        return _page(db, dataset, raw, fmt, page, per_page)
    except QueryError as exc:
        return _error(400, str(exc))
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        return _error(503, f"요청 처리 시간이 {MAX_REQUEST_SECONDS}초를 넘었습니다 / the request needed more than "
                           f"{MAX_REQUEST_SECONDS} s of database work: narrow the filters or the date range")
    finally:
        db.conn.set_progress_handler(None, 0)
        db.conn.close()


def _limit_work(db, seconds):
    """Abort this connection's SQL once `seconds` have passed (sqlite3 'interrupted')."""
    deadline = time.monotonic() + seconds
    db.conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)


_cache = ResultCache()  # shared by all requests of this process


def _page(db, dataset, raw, fmt, page, per_page):
    offset = (page - 1) * per_page
    if dataset == "events":  # policy events (export/events.py): their own table, no rollups
        from export import events
        columns, rows, total, meta = events.page(db, raw, per_page, offset)
        return respond(dataset, columns, rows, total, page, per_page, fmt, lambda: meta)
    if dataset == "search-interest":  # Naver search interest (interest/export.py): no documents involved
        columns, rows, parameters = interest_export.table(db, raw)
        return respond(dataset, columns, rows[offset:offset + per_page], len(rows), page, per_page, fmt,
                       lambda: interest_export.describe(db, parameters, columns, len(rows)))
    if rollups.generation(db) is not None:
        rollups.refresh_if_dirty(db)  # crawled or corrected since the last refresh
    if dataset == "trends":
        key = ("trends", listings.last_listed(db), tuple(sorted((k, tuple(v)) for k, v in raw.items() if k not in ("format", "page", "per_page"))))
        columns, rows, filters, parameters = _cache.get(db, key, lambda: jobs.trends(db, raw))
        total, rows = len(rows), rows[offset:offset + per_page]
        versions = _cache.get(db, ("versions", repr(filters)), lambda: model_versions(db, filters))
    else:
        columns, rows, filters, parameters = jobs.documents(db, raw, limit=per_page, offset=offset)
        rows = list(rows)
        total = _cache.match_count(db, filters)
        versions = dict(collections.Counter(r["model_version"] or UNLABELLED for r in rows))
    return respond(dataset, columns, rows, total, page, per_page, fmt, lambda: describe(
        db, dataset, filters, parameters, columns, total,
        total if dataset == "documents" else _cache.match_count(db, filters), versions))


def respond(dataset, columns, rows, total, page, per_page, fmt, meta):
    """The page as CSV or as JSON {meta, links, data} with the paging headers; `meta()`
    gives the metadata (only JSON needs it)."""
    pages = max(1, math.ceil(total / per_page))
    links = _links(page, pages)
    headers = {"X-Total-Count": str(total), "X-Page": str(page), "X-Per-Page": str(per_page)}
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{dataset}-page{page}.csv"'
        return flask.Response(csv_bytes(columns, rows), headers=headers,
                              content_type="text/csv; charset=utf-8")
    body = {"meta": {**stamp(meta()), "page": page, "per_page": per_page, "pages": pages}, "links": links, "data": rows}
    return flask.Response(json.dumps(body, ensure_ascii=False), mimetype="application/json", headers=headers)


def _links(page, pages):
    """next/prev URLs: the request's own URL with another page number."""
    args = flask.request.args.to_dict(flat=False)
    links = {}
    for rel, number in (("prev", page - 1), ("next", page + 1)):
        if 1 <= number <= pages:
            args["page"] = [str(number)]
            links[rel] = flask.url_for(flask.request.endpoint, _external=True, **args)
    return links


def _error(status, message):
    body = json.dumps({"error": message, "status": status}, ensure_ascii=False)
    return flask.Response(body, status=status, mimetype="application/json")
