"""Daily rollup tables so the dashboard answers in well under a second on a 1M-document store.

Tables count relevant, non-duplicate documents per day × source kind × outlet × sentiment
(rollup_base), additionally × region (rollup_region) or × topic (rollup_topic), and per
day × region × topic × kind × sentiment (rollup_region_topic, no outlets). `stories` counts story leads: a story (cluster) is counted once, on the
day and in the cells of its first relevant article, so sums over days stay exact.

Triggers on documents, labels, label_topics and label_regions record the touched days in
rollup_dirty; `refresh_if_dirty` recomputes just those days and bumps `generation`. `counts`/`totals` mirror
store.queries.counts/totals and return None when the filters need the live queries (text
search, several regions or topics at once, an outlet with a region and a topic, sources,
relevance other than 'relevant', duplicates included).
"""
import logging

from store.queries import GROUPS, PERIODS, QueryError, _with_shares, wilson_interval

# table suffix -> (extra dimension columns, joins, whether it keeps the outlet)
TABLES = {
    "base": ([], "", True),
    "region": (["region"], "JOIN label_regions xr ON xr.document_id = f.id", True),
    "topic": (["topic"], "JOIN label_topics xt ON xt.document_id = f.id", True),
    # region and topic together; without outlets, which would make it nearly one row per document
    "region_topic": (["region", "topic"], "JOIN label_regions xr ON xr.document_id = f.id "
                                          "JOIN label_topics xt ON xt.document_id = f.id", False),
    # ~15x smaller copies without outlets, for counts that need no outlet filter or count
    "region_slim": (["region"], "JOIN label_regions xr ON xr.document_id = f.id", False),
    "topic_slim": (["topic"], "JOIN label_topics xt ON xt.document_id = f.id", False),
}
_DIM_SOURCE = {"region": "xr.region", "topic": "xt.topic"}

# Triggers add days with NOT IN rather than OR IGNORE: an outer statement's conflict
# policy (e.g. an upsert) would override the trigger's own.
_ADD = "INSERT INTO rollup_dirty(day) SELECT DISTINCT pub_date FROM documents WHERE {where} " \
       "AND pub_date IS NOT NULL AND pub_date NOT IN (SELECT day FROM rollup_dirty);\n"
_ADD_OLD_DAY = "INSERT INTO rollup_dirty(day) SELECT OLD.pub_date WHERE OLD.pub_date IS NOT NULL " \
               "AND OLD.pub_date NOT IN (SELECT day FROM rollup_dirty);\n"
_MARK_CLUSTER = (_ADD.format(where="id = {doc}")
                 + _ADD.format(where="cluster_id = (SELECT cluster_id FROM documents WHERE id = {doc})"))
_ONLY_WHEN = {("labels", "UPDATE"): "WHEN OLD.relevant IS NOT NEW.relevant OR OLD.sentiment IS NOT NEW.sentiment "
                                     "OR OLD.topics IS NOT NEW.topics OR OLD.regions IS NOT NEW.regions "
                                     "OR OLD.origin IS NOT NEW.origin"}


SCHEMA = """
CREATE TABLE IF NOT EXISTS rollup_dirty (day TEXT PRIMARY KEY);
-- bumped by every refresh: readers key their caches on it (see generation())
CREATE TABLE IF NOT EXISTS rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT OR IGNORE INTO rollup_state VALUES (1, 0);
CREATE TABLE IF NOT EXISTS rollup_base (day TEXT, kind TEXT, outlet TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_base ON rollup_base(day, kind, outlet, sentiment);
CREATE TABLE IF NOT EXISTS rollup_region (day TEXT, region TEXT, kind TEXT, outlet TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region ON rollup_region(day, region, kind, outlet, sentiment, articles, stories);
CREATE TABLE IF NOT EXISTS rollup_topic (day TEXT, topic TEXT, kind TEXT, outlet TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_topic ON rollup_topic(day, topic, kind, outlet, sentiment, articles, stories);
CREATE TABLE IF NOT EXISTS rollup_region_slim (day TEXT, region TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region_slim ON rollup_region_slim(day, region, kind, sentiment, articles, stories);
CREATE TABLE IF NOT EXISTS rollup_topic_slim (day TEXT, topic TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_topic_slim ON rollup_topic_slim(day, topic, kind, sentiment, articles, stories);
CREATE TABLE IF NOT EXISTS rollup_region_topic (day TEXT, region TEXT, topic TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, stories INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region_topic
    ON rollup_region_topic(day, region, topic, kind, sentiment, articles, stories);
-- documents search / table sort (not a rollup, but the same performance need)
CREATE INDEX IF NOT EXISTS idx_documents_published ON documents(published_at);
CREATE TRIGGER IF NOT EXISTS rollup_documents_ai AFTER INSERT ON documents BEGIN
""" + _MARK_CLUSTER.format(doc="NEW.id") + """END;
DROP TRIGGER IF EXISTS rollup_documents_au;  -- recreated: stores made before 'source, title, body' joined it
CREATE TRIGGER rollup_documents_au AFTER UPDATE OF pub_date, published_at, kind, outlet, source,
    title, body, duplicate_of, cluster_id ON documents BEGIN
""" + _ADD_OLD_DAY + _ADD.format(where="cluster_id = OLD.cluster_id") + """""" + _MARK_CLUSTER.format(doc="NEW.id") + """END;
CREATE TRIGGER IF NOT EXISTS rollup_documents_ad AFTER DELETE ON documents BEGIN
""" + _ADD_OLD_DAY + _ADD.format(where="cluster_id = OLD.cluster_id") + """END;
-- a label update marks its days only when a counted field changed (not model_version alone)
DROP TRIGGER IF EXISTS rollup_labels_u;
""" + "".join(f"""
CREATE TRIGGER IF NOT EXISTS rollup_{table}_{event[0].lower()} AFTER {event} ON {table}
    {_ONLY_WHEN.get((table, event), "")} BEGIN
""" + _MARK_CLUSTER.format(doc=f"{'OLD' if event == 'DELETE' else 'NEW'}.document_id") + "END;"
    for table in ("labels", "label_topics", "label_regions") for event in ("INSERT", "UPDATE", "DELETE"))


def ensure(db):
    """Create the rollup tables and triggers if missing; a new rollup is filled at once."""
    fresh = not {f"rollup_{name}" for name in TABLES} <= set(db.table_names())
    fill = "INSERT OR IGNORE INTO rollup_dirty(day) SELECT DISTINCT pub_date FROM documents WHERE pub_date IS NOT NULL;"
    db.conn.executescript("BEGIN;" + SCHEMA + (fill if fresh else "") + "COMMIT;")
    if fresh:
        logging.getLogger(__name__).info("building the dashboard rollups (once; about 3 minutes per million documents)")
    refresh_if_dirty(db)


def refresh_if_dirty(db):
    """Recompute the rollups of the days marked dirty; returns how many days."""
    if not db.execute("SELECT 1 FROM rollup_dirty LIMIT 1").fetchone():
        return 0
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        days = [r[0] for r in conn.execute("SELECT day FROM rollup_dirty")]
        if not days:  # another connection refreshed them while this one waited for the lock
            conn.execute("ROLLBACK")
            return 0
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_days (day TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.rollup_days")
        conn.executemany("INSERT INTO temp.rollup_days VALUES (?)", [(d,) for d in days])
        conn.execute("DROP TABLE IF EXISTS temp.rollup_facts")
        # One row per relevant, non-duplicate document of the dirty days; lead = first of its story.
        conn.execute("""
            CREATE TEMP TABLE rollup_facts AS
            SELECT d.id, d.pub_date AS day, d.kind, d.outlet, l.sentiment,
                   d.cluster_id IS NOT NULL AND d.id = (
                       SELECT d2.id FROM documents d2 JOIN labels l2 ON l2.document_id = d2.id
                       WHERE d2.cluster_id = d.cluster_id AND d2.duplicate_of IS NULL AND l2.relevant = 1
                       ORDER BY d2.published_at, d2.id LIMIT 1) AS lead
            FROM documents d JOIN labels l ON l.document_id = d.id
            WHERE d.pub_date IN (SELECT day FROM temp.rollup_days)
              AND d.duplicate_of IS NULL AND l.relevant = 1""")
        for name, (dims, joins, with_outlet) in TABLES.items():
            table = f"rollup_{name}"
            conn.execute(f"DELETE FROM {table} WHERE day IN (SELECT day FROM temp.rollup_days)")
            cols = ", ".join(["day"] + dims + ["kind"] + (["outlet"] if with_outlet else []) + ["sentiment"])
            src = ", ".join(["f.day"] + [_DIM_SOURCE[d] for d in dims] + ["f.kind"]
                            + (["f.outlet"] if with_outlet else []) + ["f.sentiment"])
            conn.execute(f"""
                INSERT INTO {table} ({cols}, articles, stories)
                SELECT {src}, COUNT(*), SUM(f.lead) FROM temp.rollup_facts f {joins} GROUP BY {src}""")
        conn.execute("DELETE FROM rollup_dirty WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute("UPDATE rollup_state SET generation = generation + 1")
        conn.execute("DROP TABLE temp.rollup_facts")
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return len(days)


def generation(db):
    """A number that changes whenever the store's documents or labels changed and the rollups
    caught up (call refresh_if_dirty first); None for a store without rollups. Results
    computed from the store can be cached under it, even across processes."""
    if "rollup_state" not in db.table_names():
        return None
    return db.execute("SELECT generation FROM rollup_state").fetchone()[0]


def _plan(group, f, outlets=True):
    """The rollup table that answers these filters, or None for the live queries.
    outlets=False: the caller does not need the distinct-outlet count (smaller tables)."""
    if f.text or f.sources or f.relevance != "relevant" or f.include_duplicates:
        return None
    dims = []
    for name, values in (("region", f.regions), ("topic", f.topics)):
        if group == name and values:
            return None  # a doc's other regions/topics would be dropped; live query keeps them
        if (values and len(values) > 1):
            return None  # a document in two chosen regions would be counted twice
        if values or group == name:
            dims.append(name)
    table = "_".join(dims) or "base"
    needs_outlet_column = bool(f.outlets) or group == "outlet"
    if not TABLES[table][2] and needs_outlet_column:
        return None
    if table in ("region", "topic") and not outlets and not needs_outlet_column:
        table += "_slim"
    return table


def _where(f, params):
    conds = []
    for column, values in (("day >=", f.date_from), ("day <=", f.date_to)):
        if values:
            conds.append(f"r.{column} ?")
            params.append(values)
    for column, values in (("sentiment", f.sentiments), ("kind", f.source_kinds), ("outlet", f.outlets),
                           ("region", f.regions), ("topic", f.topics)):
        if values:
            conds.append(f"r.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    return " AND ".join(conds) or "1"


def _aggregate(db, f, period_expr, group, outlets=True):
    table = _plan(group, f, outlets)
    if table is None:
        return None
    params = []
    # rollup_region_topic has no outlets: 'outlets' is then None (unknown), not a wrong count
    outlets = "COUNT(DISTINCT outlet)" if TABLES[table][2] else "NULL"
    group_expr = {"source_kind": "r.kind", None: "NULL"}.get(group, f"r.{group}")
    sql = f"""
        SELECT {period_expr} AS period, {group_expr} AS grp, SUM(articles) AS articles,
               SUM(stories) AS stories, {outlets} AS outlets,
               SUM(CASE WHEN sentiment = 'negative' THEN articles ELSE 0 END) AS negative,
               SUM(CASE WHEN sentiment = 'neutral' THEN articles ELSE 0 END) AS neutral,
               SUM(CASE WHEN sentiment = 'positive' THEN articles ELSE 0 END) AS positive
        FROM rollup_{table} r WHERE {_where(f, params)}
        GROUP BY period, grp ORDER BY period, grp"""
    return list(db.query(sql, params))


def counts(db, by="day", group=None, filters=None, outlets=True):
    """Same rows as store.queries.counts, or None when the rollups cannot answer.
    outlets=False allows 'outlets' to be None (faster tables)."""
    from store.queries import Filters
    if by not in PERIODS:
        raise QueryError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    if group is not None and group not in GROUPS:
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    if group == "source":
        return None
    raw = _aggregate(db, filters or Filters(), PERIODS[by].replace("d.pub_date", "r.day"), group, outlets)
    if raw is None:
        return None
    rows = []
    for r in raw:
        row = {key: r[key] or 0 for key in ("articles", "stories", "negative", "neutral", "positive")}
        row["period"], row["outlets"] = r["period"], r["outlets"]
        if group:
            row[group] = r["grp"]
        rows.append(_with_shares(row))
    return rows


def totals(db, filters=None):
    """Same row as store.queries.totals, or None when the rollups cannot answer."""
    from store.queries import Filters
    raw = _aggregate(db, filters or Filters(), "NULL", None)
    if raw is None:
        return None
    r = raw[0] if raw else {}
    row = _with_shares({key: r.get(key) or 0 for key in ("articles", "stories", "negative", "neutral", "positive")})
    row["outlets"] = r.get("outlets", 0) if raw else 0
    row["negative_ci"] = wilson_interval(row["negative"], row["negative"] + row["neutral"] + row["positive"])
    return row


def group_totals(db, group, filters=None, outlets=True):
    """One row per group value for the whole filtered period (no period split), or None."""
    from store.queries import Filters
    if group not in GROUPS or group == "source":
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    raw = _aggregate(db, filters or Filters(), "NULL", group, outlets)
    if raw is None:
        return None
    rows = []
    for r in raw:
        row = {key: r[key] or 0 for key in ("articles", "stories", "negative", "neutral", "positive")}
        row[group], row["outlets"] = r["grp"], r["outlets"]
        rows.append(_with_shares(row))
    return rows
