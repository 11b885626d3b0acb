"""Read queries shared by the dashboard, the digest and the export.

All counts are over relevant, non-duplicate documents (an exact copy of another URL's
text is counted once) unless `Filters.relevance` says otherwise. Dates are Korean local
dates (Asia/Seoul). An "article" is a stored document; a "story" is a near-duplicate
cluster (wire copies and mirrors of one report).
"""
import datetime as dt
import dataclasses
import math

from store.errors import QueryError
from store.search import sql_condition
from store.util import loads

GROUPS = {
    # group name -> (SQL expression, extra join)
    "sentiment": ("l.sentiment", ""),
    "source_kind": ("d.kind", ""),
    "outlet": ("d.outlet", ""),
    "source": ("d.source", ""),
    "region": ("lr.region", "JOIN label_regions lr ON lr.document_id = d.id"),
    "topic": ("lt.topic", "JOIN label_topics lt ON lt.document_id = d.id"),
}
PERIODS = {
    "day": "d.pub_date",
    "week": "date(d.pub_date, 'weekday 0', '-6 days')",  # the Monday of the ISO week
    "month": "substr(d.pub_date, 1, 7) || '-01'",
}
SORTS = {
    "published_desc": "d.published_at DESC, d.id",
    "published_asc": "d.published_at ASC, d.id",
    "relevance_desc": "l.relevance_score DESC, d.published_at DESC",
    "outlet": "d.outlet, d.published_at DESC",
    "title": "d.title, d.id",
}


@dataclasses.dataclass
class Filters:
    date_from: str = None      # 'YYYY-MM-DD', inclusive, Korean local date
    date_to: str = None        # inclusive
    regions: list = None
    topics: list = None
    sentiments: list = None
    source_kinds: list = None
    outlets: list = None
    sources: list = None
    text: str = None           # full-text search
    relevance: str = "relevant"  # relevant | irrelevant | all
    include_duplicates: bool = False

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


def _in(column, values, params):
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


DATE_FIRST_DAYS = 7  # with a sentiment filter, longer ranges are cheaper from the labels' index


def _date_first(f):
    if not (f.date_from and f.date_to):
        return False
    if not f.sentiments:
        return True
    try:
        span = (dt.date.fromisoformat(f.date_to) - dt.date.fromisoformat(f.date_from)).days + 1
    except ValueError:
        return False
    return span <= DATE_FIRST_DAYS


def where_clause(filters, params, date_first=None):
    """SQL conditions (on documents d LEFT JOIN labels l) for the filters; `date_first` True/False
    overrides the choice of starting index (None: by the range and sentiment filter)."""
    f = filters or Filters()
    conds = []
    if not f.include_duplicates:
        conds.append("d.duplicate_of IS NULL")
    # `+l.relevant` keeps SQLite from starting at the labels' (relevant, sentiment) index, which
    # reads every relevant label of the store whatever the dates; a short or unfiltered-by-sentiment
    # range is far cheaper from the date index (one day at 100k documents: 1,071 -> 40 ms).
    relevant = "+l.relevant" if (_date_first(f) if date_first is None else date_first) else "l.relevant"
    if f.relevance == "relevant":
        conds.append(f"{relevant} = 1")
    elif f.relevance == "irrelevant":
        conds.append(f"{relevant} = 0")
    elif f.relevance != "all":
        raise QueryError(f"relevance must be relevant, irrelevant or all, not {f.relevance!r}")
    if f.date_from:
        conds.append("d.pub_date >= ?")
        params.append(f.date_from)
    if f.date_to:
        conds.append("d.pub_date <= ?")
        params.append(f.date_to)
    if f.sentiments:
        conds.append(_in("l.sentiment", f.sentiments, params))
    if f.source_kinds:
        conds.append(_in("d.kind", f.source_kinds, params))
    if f.outlets:
        conds.append(_in("d.outlet", f.outlets, params))
    if f.sources:
        conds.append(_in("d.source", f.sources, params))
    if f.regions:
        conds.append("d.id IN (SELECT document_id FROM label_regions WHERE " + _in("region", f.regions, params) + ")")
    if f.topics:
        conds.append("d.id IN (SELECT document_id FROM label_topics WHERE " + _in("topic", f.topics, params) + ")")
    if f.text:
        condition = sql_condition(f.text.replace("\x00", " "), params)  # search language; NUL would end a LIKE pattern
        if condition:
            conds.append(condition)
    return " AND ".join(conds) or "1"


LABEL_JOIN = "LEFT JOIN labels l ON l.document_id = d.id"


def counts(db, by="day", group=None, filters=None):
    """Counts per period (× group): articles, stories, outlets, negative/neutral/positive.

    Returns a list of dicts ordered by period then group.
    """
    return counts_multi(db, by, [group] if group else [], filters)  # it checks `by` and `group`


def _with_shares(row):
    n = labelled(row)
    for key in ("negative", "neutral", "positive"):
        row[f"{key}_share"] = row[key] / n if n else None
    row["net_sentiment"] = (row["positive"] - row["negative"]) / n if n else None
    return row


def totals(db, filters=None):
    """One summary row for the filtered period (KPI cards, digest headline)."""
    params = []
    sql = f"""
        SELECT COUNT(*) AS articles, COUNT(DISTINCT d.cluster_id) AS stories,
               COUNT(DISTINCT d.outlet) AS outlets,
               COALESCE(SUM(l.sentiment = 'negative'), 0) AS negative,
               COALESCE(SUM(l.sentiment = 'neutral'), 0) AS neutral,
               COALESCE(SUM(l.sentiment = 'positive'), 0) AS positive
        FROM documents d {LABEL_JOIN}
        WHERE {where_clause(filters, params)}
    """
    row = dict(next(iter(db.query(sql, params))))
    row = _with_shares(row)
    row["negative_ci"] = negative_interval(row)
    return row


def labelled(row):
    """Articles with a sentiment: the denominator of every negative share."""
    return row["negative"] + row["neutral"] + row["positive"]


def negative_interval(row):
    """95% Wilson interval of a count row's negative share (None, None with no sentiment)."""
    return wilson_interval(row["negative"], labelled(row))


def wilson_interval(successes, n, z=1.96):
    """95% Wilson score interval for a share; (None, None) when n is 0."""
    if not n:
        return (None, None)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def search_documents(db, filters=None, sort="published_desc", limit=50, offset=0):
    """Documents matching the filters with their effective labels: (rows, total)."""
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    params = []
    where = where_clause(filters, params)
    base = f"FROM documents d {LABEL_JOIN} WHERE {where}"
    total = db.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]
    rows = []
    for r in db.query(f"""
        SELECT d.id, d.url, d.canonical_url, d.source, d.kind, d.outlet, d.title, d.summary,
               d.published_at, d.pub_date, d.date_source, d.cluster_id, d.duplicate_of, d.lang, d.text_basis,
               l.relevant, l.relevance_score, l.sentiment, l.topics, l.regions, l.model_version, l.origin
        {base} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?""", params + [int(limit), int(offset)]):
        r = dict(r)
        r["topics"] = loads(r["topics"], [])
        r["regions"] = loads(r["regions"], [])
        rows.append(r)
    return rows, total


def document_detail(db, doc_id):
    """A document with its effective labels, every model's classification and the annotations."""
    docs = list(db.query("SELECT * FROM documents WHERE id = ?", [doc_id]))
    if not docs:
        return None
    doc = docs[0]
    label = next(iter(db.query("SELECT * FROM labels WHERE document_id = ?", [doc_id])), None)
    if label:
        label = dict(label, topics=loads(label["topics"], []), regions=loads(label["regions"], []))
    classifications = []
    for c in db.query("SELECT * FROM classifications WHERE document_id = ? ORDER BY classified_at DESC", [doc_id]):
        c = dict(c)
        for key in ("sentiment_scores", "topics", "topic_scores", "regions"):
            c[key] = loads(c[key])
        classifications.append(c)
    annotations = list(db.query("SELECT * FROM annotations WHERE document_id = ? ORDER BY id", [doc_id]))
    cluster_size = db.execute("SELECT COUNT(*) FROM documents WHERE cluster_id = ?", [doc["cluster_id"]]).fetchone()[0]
    return {"document": doc, "label": label, "classifications": classifications,
            "annotations": annotations, "cluster_size": cluster_size}


def top_stories(db, filters=None, limit=10, sentiment=None):
    """Stories (clusters) ranked by how many outlets carried them; optional sentiment."""
    params = []
    f = (filters or Filters())
    if sentiment:
        f = f.replace(sentiments=[sentiment])
    # a date range starts from the date index (else the planner may start from every relevant label)
    hint = "INDEXED BY idx_documents_day_order" if (f.date_from or f.date_to) and _has_index(
        db, "idx_documents_day_order") else ""
    sql = f"""
        SELECT d.cluster_id, COUNT(*) AS articles, COUNT(DISTINCT d.outlet) AS outlets,
               MIN(d.published_at) AS first_published,
               SUM(l.sentiment = 'negative') AS negative
        FROM documents d {hint} {LABEL_JOIN} WHERE {where_clause(f, params)}
        GROUP BY d.cluster_id ORDER BY outlets DESC, articles DESC, first_published DESC LIMIT ?
    """
    stories = []
    for r in db.query(sql, params + [int(limit)]):
        lead = next(iter(db.query(
            """SELECT d.id, d.title, d.url, d.outlet, d.published_at, l.sentiment, l.topics, l.regions
               FROM documents d LEFT JOIN labels l ON l.document_id = d.id
               WHERE d.cluster_id = ? ORDER BY d.published_at, d.id LIMIT 1""", [r["cluster_id"]])))
        stories.append({**dict(r), "title": lead["title"], "url": lead["url"], "lead_outlet": lead["outlet"],
                        "lead_id": lead["id"], "sentiment": lead["sentiment"],
                        "topics": loads(lead["topics"], []), "regions": loads(lead["regions"], [])})
    return stories


def facet_values(db, column):
    """Distinct values for filter drop-downs: 'outlet', 'source' or 'kind'."""
    if column not in ("outlet", "source", "kind"):
        raise QueryError(f"no facet {column!r}")
    return [r[0] for r in db.execute(
        f"SELECT {column} FROM documents WHERE {column} IS NOT NULL GROUP BY {column} ORDER BY COUNT(*) DESC")]


def date_bounds(db):
    """(first, last) Korean local date present in the store, or (None, None)."""
    # two subqueries: each is one index lookup, while MIN and MAX together scan the table
    return tuple(db.execute(
        "SELECT (SELECT MIN(pub_date) FROM documents), (SELECT MAX(pub_date) FROM documents)").fetchone())


def list_spikes(db, date_from=None, date_to=None, scope=None, key=None):
    params, conds = [], []
    if date_from:
        conds.append("day >= ?")
        params.append(date_from)
    if date_to:
        conds.append("day <= ?")
        params.append(date_to)
    if scope:
        conds.append("scope = ?")
        params.append(scope)
    if key:
        conds.append("key = ?")
        params.append(key)
    where = " AND ".join(conds) or "1"
    return [dict(r) for r in db.query(f"SELECT * FROM spikes WHERE {where} ORDER BY day, metric, scope, key", params)]


def counts_multi(db, by="day", groups=(), filters=None):
    """`counts` grouped by several dimensions at once (e.g. region × topic).

    Each row carries one key per group name; rows are ordered by period, then the groups
    in the order given. `counts_multi(db, by, [g], f)` returns the same rows as
    `counts(db, by, g, f)`; with no groups, one row per period.
    """
    groups = list(groups or [])
    if by not in PERIODS:
        raise QueryError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    for g in groups:
        if g not in GROUPS:
            raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {g!r}")
    if len(set(groups)) != len(groups):
        raise QueryError(f"a group is repeated: {', '.join(groups)}")
    params = []
    keys = [f"g{i}" for i in range(len(groups))]
    select = "".join(f", {GROUPS[g][0]} AS {k}" for g, k in zip(groups, keys))
    joins = " ".join(GROUPS[g][1] for g in groups)
    order = ", ".join(["period"] + keys)
    sql = f"""
        SELECT {PERIODS[by]} AS period {select},
               COUNT(DISTINCT d.id) AS articles,
               COUNT(DISTINCT d.cluster_id) AS stories,
               COUNT(DISTINCT d.outlet) AS outlets,
               SUM(l.sentiment = 'negative') AS negative,
               SUM(l.sentiment = 'neutral') AS neutral,
               SUM(l.sentiment = 'positive') AS positive
        FROM documents d {LABEL_JOIN} {joins}
        WHERE d.pub_date IS NOT NULL AND {where_clause(filters, params)}
        GROUP BY {order} ORDER BY {order}
    """
    rows = []
    for r in db.query(sql, params):
        row = {"period": r["period"], "articles": r["articles"], "stories": r["stories"],
               "outlets": r["outlets"], "negative": r["negative"] or 0, "neutral": r["neutral"] or 0,
               "positive": r["positive"] or 0}
        for g, k in zip(groups, keys):
            row[g] = r[k]
        rows.append(_with_shares(row))
    return rows


def document_page(db, filters=None, sort="published_desc", limit=50, offset=0):
    """The rows of `search_documents` without the total, for callers that know the total
    from elsewhere (the dashboard's rollups). Date-filtered newest/oldest-first pages walk
    an index on published_at (when there is one) instead of sorting every match first."""
    sql, params = _page_query(db, filters, sort)
    return [_decoded(r) for r in db.query(sql + " LIMIT ? OFFSET ?", params + [int(limit), int(offset)])]


def story_page(db, filters=None, sort="published_desc", limit=50, offset=0):
    """One row per story (cluster) among the matching documents, in `sort` order: the story's
    first matching document, with `copies` = its matching documents. Reads the documents in
    order until the page is full (early pages are quick; the total is the story count)."""
    sql, params = _page_query(db, filters, sort)
    seen, rows = set(), []
    cursor = db.query(sql, params)
    for r in cursor:
        key = r["cluster_id"] or r["id"]
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > offset:
            rows.append(_decoded(r))
            if len(rows) >= limit:
                break
    cursor.close()
    clusters = [r["cluster_id"] for r in rows if r["cluster_id"]]
    copies = {}
    if clusters:
        f = filters or Filters()
        count_params = []
        conds = _per_row_labels(f, count_params)  # per row: a region's whole list would be built first
        conds.append(where_clause(f.replace(regions=None, topics=None), count_params))
        where = " AND ".join(conds) + " AND " + _in("d.cluster_id", clusters, count_params)
        # the cluster index: a page's few stories, not every document of the date range
        copies = dict(db.execute(f"SELECT d.cluster_id, COUNT(*) FROM documents d INDEXED BY idx_documents_cluster "
                                 f"{LABEL_JOIN} WHERE {where} GROUP BY d.cluster_id", count_params).fetchall())
    for r in rows:
        r["copies"] = copies.get(r["cluster_id"], 1)
    return rows


def story_documents(db, cluster_id):
    """Every stored document of a story (exact duplicates included), oldest first."""
    return [_decoded(r) for r in db.query(f"""
        SELECT d.id, d.url, d.outlet, d.title, d.pub_date, d.published_at, d.duplicate_of, d.cluster_id,
               l.relevant, l.sentiment, l.topics, l.regions, l.origin
        FROM documents d {LABEL_JOIN} WHERE d.cluster_id = ? ORDER BY d.published_at, d.id""", [cluster_id])]


def _decoded(r):
    r = dict(r)
    r["topics"] = loads(r["topics"], [])
    r["regions"] = loads(r["regions"], [])
    return r


def _has_index(db, name):
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [name]).fetchone() is not None


def _per_row_labels(f, params):
    """The region and topic filters as conditions checked per document (EXISTS), for plans
    that walk another index (where_clause builds the list of every matching document)."""
    return [f"EXISTS (SELECT 1 FROM {table} x WHERE x.document_id = d.id AND " + _in(f"x.{column}", values, params) + ")"
            for table, column, values in (("label_regions", "region", f.regions), ("label_topics", "topic", f.topics))
            if values]


def recent_documents(db, filters=None, limit=500):
    """The newest matching documents, light rows (id, title, url, outlet, cluster_id,
    published_at): a document_page without labels to decode."""
    sql, params = _page_query(db, filters, "published_desc",
                              "d.id, d.title, d.url, d.outlet, d.cluster_id, d.published_at")
    return [dict(r) for r in db.query(sql + " LIMIT ?", params + [int(limit)])]


PAGE_COLUMNS = """d.id, d.url, d.canonical_url, d.source, d.kind, d.outlet, d.title, d.summary,
               d.published_at, d.pub_date, d.date_source, d.cluster_id, d.duplicate_of, d.lang, d.text_basis,
               l.relevant, l.relevance_score, l.sentiment, l.topics, l.regions, l.model_version, l.origin"""


def _page_query(db, filters, sort, columns=PAGE_COLUMNS):
    """(SQL, params) of the matching documents in `sort` order (no LIMIT)."""
    import datetime as dt
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    f = filters or Filters()
    conds, params, hint = [], [], ""
    if sort in ("published_desc", "published_asc") and (f.date_from or f.date_to):
        # '+' keeps the planner off the pub_date index; the UTC range (one day wider than
        # the Korean dates, as pub_date is the Korean date of published_at) lets it seek in
        # the published_at order instead.
        day = lambda text, days: (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()  # noqa: E731
        if f.date_from:
            conds += ["+d.pub_date >= ?", "d.published_at >= ?"]
            params += [f.date_from, day(f.date_from, -1)]
        if f.date_to:
            conds += ["+d.pub_date <= ?", "d.published_at < ?"]
            params += [f.date_to, day(f.date_to, 1)]
        if _has_index(db, "idx_documents_published"):
            # Else the planner may start from the labels or a region/topic list and sort every
            # match in the store; walking the date range costs at most the documents in it.
            hint = "INDEXED BY idx_documents_published"
        conds += _per_row_labels(f, params)
        f = f.replace(date_from=None, date_to=None, regions=None, topics=None)
    conds.append(where_clause(f, params))
    return f"""
        SELECT {columns}
        FROM documents d {hint} {LABEL_JOIN} WHERE {' AND '.join(conds)}
        ORDER BY {SORTS[sort]}""", params


IMPORT_ORIGINS = ("bigkinds", "csv", "jsonl")


def origin_spans(db, date_from=None, date_to=None):
    """{origin: (first day, last day)} of the stored documents in the range, per origin
    ('crawl' or an import format): where the data of a period come from."""
    spans = {}
    for origin in ("crawl",) + IMPORT_ORIGINS:  # two index seeks each (idx_documents_origin)
        # MIN and MAX in separate subqueries: together in one they scan the whole range
        first, last = db.execute(
            "SELECT (SELECT MIN(pub_date) FROM documents WHERE origin_kind = ?1 AND pub_date BETWEEN ?2 AND ?3), "
            "(SELECT MAX(pub_date) FROM documents WHERE origin_kind = ?1 AND pub_date BETWEEN ?2 AND ?3)",
            [origin, date_from or "0000", date_to or "9999"]).fetchone()
        if first:
            spans[origin] = (first, last)
    return spans
