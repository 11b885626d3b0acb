"""Analyst endpoints on the research API (docs/api.md):

    GET /api/v1/keywords   distinctive terms of a period against a reference (analysis/keywords.py)
    GET /api/v1/related    words used in the same sentences as a word, or among the top terms (analysis/related.py)
    GET /api/v1/entities   the period's most mentioned people, organisations and places (analysis/entities.py)

The same filter parameters as /api/v1/trends, plus each endpoint's own; format=json|csv.
Answers are cached until the store's documents, labels or terms change.
"""
import json

import flask

from export.api import _error
from export.params import FILTER_KEYS, ParamError, as_list, choice, integer, one, parse_filters, reject_unknown
from export.writers import csv_bytes
from store import StoreError, open_db, rollups, terms
from store.cache import ResultCache
from store.queries import QueryError

_cache = ResultCache()
KEYWORD_COLUMNS = [("term", "str"), ("kind", "str"), ("documents", "int"), ("reference_documents", "int"),
                   ("share", "float"), ("reference_share", "float"), ("log_odds", "float"), ("z", "float")]
ENDPOINTS = {}  # name -> (allowed parameters, answer(db, raw) -> (meta, columns, rows))


def endpoint(name, own_params):
    def wrap(fn):
        ENDPOINTS[name] = (set(FILTER_KEYS) | {"format"} | set(own_params), fn)
        return fn
    return wrap


def register(server, db_path=None):
    bp = flask.Blueprint("analysis_api", __name__, url_prefix="/api/v1")
    for name in ENDPOINTS:
        bp.add_url_rule(f"/{name}", name, lambda name=name: _serve(name, db_path))
    server.register_blueprint(bp)
    return server


def open_request(raw, allowed, db_path):
    """(format, db) for a request whose parameters are all known, else the error response
    (400: a bad parameter, 503: the store cannot be opened)."""
    try:
        reject_unknown(raw, allowed)
        return choice("format", raw.get("format"), ("json", "csv"), "json"), open_db(db_path)
    except QueryError as exc:
        return _error(400, str(exc))
    except StoreError as exc:
        return _error(503, str(exc))


def _serve(name, db_path):
    allowed, answer = ENDPOINTS[name]
    raw = flask.request.args.to_dict(flat=False)
    opened = open_request(raw, allowed, db_path)
    if isinstance(opened, flask.Response):
        return opened
    fmt, db = opened
    try:
        if rollups.generation(db) is not None:
            rollups.refresh_if_dirty(db)
        key = (name, terms.generation(db), tuple(sorted((k, tuple(v)) for k, v in raw.items() if k != "format")))
        meta, columns, rows = _cache.get(db, key, lambda: answer(db, raw))
    except QueryError as exc:
        return _error(400, str(exc))
    finally:
        db.conn.close()
    if fmt == "csv":
        return flask.Response(csv_bytes(columns, rows), content_type="text/csv; charset=utf-8",
                              headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    body = {"meta": {"dataset": name, **meta, "columns": [{"name": c, "type": t} for c, t in columns]}, "data": rows}
    return flask.Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@endpoint("keywords", ("ref", "n", "kind"))
def keywords(db, raw):
    from analysis.keywords import distinctive_terms
    filters = parse_filters(raw)
    if not (filters.date_from and filters.date_to):
        raise ParamError("from과 to가 필요합니다 / keywords need from and to (YYYY-MM-DD)")
    kinds = as_list(raw.get("kind"))
    bad = [k for k in kinds if k not in terms.KINDS]
    if bad:
        raise ParamError(f"잘못된 kind / invalid kind: {', '.join(bad)} (allowed: {', '.join(terms.KINDS)})")
    result = distinctive_terms(db, filters, one(raw.get("ref")) or "previous",
                               n=integer("n", raw.get("n"), 30, 1, 200), kinds=kinds or None)
    meta = {k: v for k, v in result.items() if k != "terms"}
    return meta, KEYWORD_COLUMNS, result["terms"]


@endpoint("related", ("word", "top", "n", "min_count"))
def related_words(db, raw):
    from analysis.related import EDGE_COLUMNS, related
    result = related(db, parse_filters(raw), word=one(raw.get("word")), top=integer("top", raw.get("top"), 30, 2, 100),
                     n=integer("n", raw.get("n"), 30, 1, 200),
                     min_count=integer("min_count", raw.get("min_count"), 3, 1, 1000))
    meta = {k: v for k, v in result.items() if k != "edges"}
    return meta, EDGE_COLUMNS, result["edges"]


@endpoint("entities", ("kind", "n", "compare"))
def entities(db, raw):
    from analysis.entities import COLUMNS, KINDS, comparison_filters, top_entities
    filters = parse_filters(raw)
    if not (filters.date_from and filters.date_to):
        raise ParamError("from과 to가 필요합니다 / entities need from and to (YYYY-MM-DD)")
    kinds = as_list(raw.get("kind")) or list(KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ParamError(f"잘못된 kind / invalid kind: {', '.join(bad)} (allowed: {', '.join(KINDS)})")
    compare = choice("compare", raw.get("compare"), ("previous", "year"), "previous")
    reference = comparison_filters(filters, compare)
    rows = top_entities(db, filters, reference, kinds, n=integer("n", raw.get("n"), 10, 1, 200))
    meta = {"compare": compare, "comparison": {"date_from": reference.date_from, "date_to": reference.date_to},
            "unanalysed": terms.unanalysed(db, filters)}
    return meta, COLUMNS, rows
