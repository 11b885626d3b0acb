"""Daily rollup tables so the dashboard answers in well under a second on a 1M-document store.

Tables count relevant, non-duplicate documents per day × source kind × outlet × sentiment
(rollup_base), additionally × region (rollup_region) or × topic (rollup_topic), and per
day × region × topic × kind × sentiment (rollup_region_topic, no outlets).

Stories follow the one rule of store.queries: the distinct stories (clusters) among the
matching articles of each period. A cell's `singles` counts its articles whose story has no
other relevant article in the store (such a story is one article, so it adds up exactly);
the articles of the other stories are listed in rollup_story (day × story × kind × outlet
× sentiment × region × topic, distinct rows), where each of them is counted once per
period however many days, outlets or cells it spans. stories = singles + that count.

Counting them needs no DISTINCT in the common case: each row knows the day of the story's
previous row (`prev_*`, rows ordered by day; one column per partition: the whole story, the
story within a region, within a topic, within both). A story has rows in a period starting
on p0 exactly when one of them has no previous row since p0, so the count is the rows with
prev < p0 (p0: the period's first day within the range). Filters on sentiment, source kind
or outlet make a story's earlier rows irrelevant: with one value each, the same count runs in
rollup_story_value_first, whose previous day is the story's previous row with that value; with
several values (or grouping by them) the distinct stories of the matching rows are collected.

Triggers on documents, labels, label_topics and label_regions record the touched days in
rollup_dirty; `refresh_if_dirty` recomputes just those days and bumps `generation`. `counts`/`totals` mirror
store.queries.counts/totals and return None when the filters need the live queries (text
search, several regions or topics at once, an outlet with a region and a topic, sources,
relevance other than 'relevant', duplicates included).
"""
import logging

from store.util import write_transaction
from store.queries import GROUPS, PERIODS, QueryError, _with_shares, negative_interval

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
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_base ON rollup_base(day, kind, outlet, sentiment);
CREATE TABLE IF NOT EXISTS rollup_region (day TEXT, region TEXT, kind TEXT, outlet TEXT, sentiment TEXT,
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region ON rollup_region(day, region, kind, outlet, sentiment, articles, singles);
CREATE INDEX IF NOT EXISTS idx_rollup_region_outlet
    ON rollup_region(outlet, day, region, kind, sentiment, articles, singles);  -- outlet filters
CREATE TABLE IF NOT EXISTS rollup_topic (day TEXT, topic TEXT, kind TEXT, outlet TEXT, sentiment TEXT,
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_topic ON rollup_topic(day, topic, kind, outlet, sentiment, articles, singles);
CREATE INDEX IF NOT EXISTS idx_rollup_topic_outlet
    ON rollup_topic(outlet, day, topic, kind, sentiment, articles, singles);  -- outlet filters
CREATE TABLE IF NOT EXISTS rollup_region_slim (day TEXT, region TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region_slim ON rollup_region_slim(day, region, kind, sentiment, articles, singles);
CREATE TABLE IF NOT EXISTS rollup_topic_slim (day TEXT, topic TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_topic_slim ON rollup_topic_slim(day, topic, kind, sentiment, articles, singles);
CREATE TABLE IF NOT EXISTS rollup_region_topic (day TEXT, region TEXT, topic TEXT, kind TEXT, sentiment TEXT,
    articles INTEGER, singles INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_region_topic
    ON rollup_region_topic(day, region, topic, kind, sentiment, articles, singles);
-- the articles of stories with more than one relevant article (see the module docstring);
-- region/topic NULL when the article has none; week/month: the period starts of day
CREATE TABLE IF NOT EXISTS rollup_story (day TEXT, week TEXT, month TEXT, story INTEGER, kind TEXT, outlet TEXT,
    sentiment TEXT, region TEXT, topic TEXT, prev_all TEXT, prev_region TEXT, prev_topic TEXT, prev_region_topic TEXT);
CREATE INDEX IF NOT EXISTS idx_rollup_story ON rollup_story(day, region, topic, kind, sentiment, outlet, story,
    week, month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_story ON rollup_story(story);
-- one region's or topic's rows (with any other filter) without walking every row of the range
CREATE INDEX IF NOT EXISTS idx_rollup_story_by_region ON rollup_story(region, day, topic, kind, sentiment, outlet,
    story, week, month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_by_topic ON rollup_story(topic, day, region, kind, sentiment, outlet,
    story, week, month);
-- narrow covering indexes for counting first rows, one per partition
CREATE INDEX IF NOT EXISTS idx_rollup_story_all ON rollup_story(day, prev_all, week, month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_region ON rollup_story(day, region, prev_region, week, month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_topic ON rollup_story(day, topic, prev_topic, week, month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_region_topic
    ON rollup_story(day, region, topic, prev_region_topic, week, month);
-- one row per article of those stories (no region/topic rows): the story's previous and next
-- article days (next_week/next_month: their periods), for counting under sentiment, kind
-- and outlet filters (see _lone_and_crowded)
CREATE TABLE IF NOT EXISTS rollup_story_doc (day TEXT, week TEXT, month TEXT, story INTEGER, kind TEXT, outlet TEXT,
    sentiment TEXT, prev TEXT, next TEXT, next_week TEXT, next_month TEXT);
CREATE INDEX IF NOT EXISTS idx_rollup_story_doc ON rollup_story_doc(day, kind, sentiment, outlet, story, prev, next,
    week, month, next_week, next_month);
CREATE INDEX IF NOT EXISTS idx_rollup_story_doc_story ON rollup_story_doc(story);
CREATE INDEX IF NOT EXISTS idx_rollup_story_doc_outlet ON rollup_story_doc(outlet, day, kind, sentiment, story, prev,
    next, week, month, next_week, next_month);  -- a few outlets' rows (several outlets chosen)
-- rollup_story's rows counted per day × previous-row day (part: all, region or topic, with
-- key the region or topic): first rows of a range are read from a few hundred rows
CREATE TABLE IF NOT EXISTS rollup_story_first (part TEXT, day TEXT, week TEXT, month TEXT, key TEXT, prev TEXT,
    n INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_story_first ON rollup_story_first(part, day, key, prev, week, month, n);
-- the same per story × matching value: rollup_story_doc's rows counted per day × the day of the
-- story's previous row with the same value(s) (part: kind, outlet, sentiment or a combination
-- such as 'kind,sentiment'; key: the values joined by char(31)), for one-value filters on them
CREATE TABLE IF NOT EXISTS rollup_story_value_first (part TEXT, key TEXT, day TEXT, week TEXT, month TEXT, prev TEXT,
    n INTEGER);
CREATE INDEX IF NOT EXISTS idx_rollup_story_value_first
    ON rollup_story_value_first(part, key, day, prev, week, month, n);
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


# a column each rollup table has in the current layout: an older store's rollups are rebuilt
LAYOUT = (("rollup_base", "singles"), ("rollup_story", "prev_all"), ("rollup_story_first", "prev"),
          ("rollup_story_doc", "next_month"))
STORY_TABLES = ("rollup_story", "rollup_story_first", "rollup_story_doc", "rollup_story_value_first")


def ensure(db):
    """Create the rollup tables and triggers if missing; a new rollup is filled at once.
    Rollups of an older layout (story leads instead of `singles`) are dropped and rebuilt."""
    names = set(db.table_names())
    if any(table in names and column not in {c.name for c in db[table].columns} for table, column in LAYOUT):
        db.conn.executescript("BEGIN IMMEDIATE;" + "".join(f"DROP TABLE IF EXISTS rollup_{name};" for name in TABLES)
                              + "".join(f"DROP TABLE IF EXISTS {t};" for t in STORY_TABLES) + "COMMIT;")
        names = set(db.table_names())
    fresh = not {f"rollup_{name}" for name in TABLES} | set(STORY_TABLES) <= names
    fill = "INSERT OR IGNORE INTO rollup_dirty(day) SELECT DISTINCT pub_date FROM documents WHERE pub_date IS NOT NULL;"
    # IMMEDIATE: the script writes (triggers are recreated), so it waits for other writers
    # instead of failing when one commits between its first read and its first write
    db.conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + (fill if fresh else "") + "COMMIT;")
    if fresh:
        logging.getLogger(__name__).info("building the dashboard rollups (once; about 3 minutes per million documents)")
    refresh_if_dirty(db)


def refresh_if_dirty(db):
    """Recompute the rollups of the days marked dirty; returns how many days."""
    if not db.execute("SELECT 1 FROM rollup_dirty LIMIT 1").fetchone():
        return 0
    conn = db.conn
    with write_transaction(db):
        days = [r[0] for r in conn.execute("SELECT day FROM rollup_dirty")]
        if not days:  # another connection refreshed them while this one waited for the lock
            return 0
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_days (day TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.rollup_days")
        conn.executemany("INSERT INTO temp.rollup_days VALUES (?)", [(d,) for d in days])
        conn.execute("DROP TABLE IF EXISTS temp.rollup_facts")
        # One row per relevant, non-duplicate document of the dirty days. story: a number
        # for its cluster (the cluster's smallest rowid); multi: the story has another
        # relevant, non-duplicate article somewhere in the store.
        conn.execute("""
            CREATE TEMP TABLE rollup_facts AS
            SELECT d.id, d.pub_date AS day, d.kind, d.outlet, l.sentiment,
                   (SELECT MIN(d2.rowid) FROM documents d2 WHERE d2.cluster_id = d.cluster_id) AS story,
                   EXISTS (SELECT 1 FROM documents d2 JOIN labels l2 ON l2.document_id = d2.id
                           WHERE d2.cluster_id = d.cluster_id AND d2.id != d.id
                             AND d2.duplicate_of IS NULL AND l2.relevant = 1) AS multi
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
                INSERT INTO {table} ({cols}, articles, singles)
                SELECT {src}, COUNT(*), SUM(f.story IS NOT NULL AND NOT f.multi)
                FROM temp.rollup_facts f {joins} GROUP BY {src}""")
        conn.execute("DELETE FROM rollup_story WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute(f"""
            INSERT INTO rollup_story (day, week, month, story, kind, outlet, sentiment, region, topic)
            SELECT DISTINCT f.day, {PERIODS['week'].replace('d.pub_date', 'f.day')},
                   {PERIODS['month'].replace('d.pub_date', 'f.day')}, f.story, f.kind, f.outlet, f.sentiment,
                   xr.region, xt.topic
            FROM temp.rollup_facts f LEFT JOIN label_regions xr ON xr.document_id = f.id
                 LEFT JOIN label_topics xt ON xt.document_id = f.id
            WHERE f.multi AND f.story IS NOT NULL""")
        # every row of the stories on these days: the day of the story's previous row, per partition
        conn.execute("""
            UPDATE rollup_story SET prev_all = w.a, prev_region = w.r, prev_topic = w.t, prev_region_topic = w.rt
            FROM (SELECT rowid AS id, LAG(day) OVER (PARTITION BY story ORDER BY day, rowid) AS a,
                         LAG(day) OVER (PARTITION BY story, region ORDER BY day, rowid) AS r,
                         LAG(day) OVER (PARTITION BY story, topic ORDER BY day, rowid) AS t,
                         LAG(day) OVER (PARTITION BY story, region, topic ORDER BY day, rowid) AS rt
                  FROM rollup_story WHERE story IN (
                      SELECT story FROM rollup_story WHERE day IN (SELECT day FROM temp.rollup_days))) w
            WHERE rollup_story.rowid = w.id""")
        conn.execute("DELETE FROM rollup_story_doc WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute(f"""
            INSERT INTO rollup_story_doc (day, week, month, story, kind, outlet, sentiment)
            SELECT DISTINCT f.day, {PERIODS['week'].replace('d.pub_date', 'f.day')},
                   {PERIODS['month'].replace('d.pub_date', 'f.day')}, f.story, f.kind, f.outlet, f.sentiment
            FROM temp.rollup_facts f WHERE f.multi AND f.story IS NOT NULL""")
        conn.execute(f"""
            UPDATE rollup_story_doc SET prev = w.p, next = w.n,
                   next_week = {PERIODS['week'].replace('d.pub_date', 'w.n')}, next_month = {PERIODS['month'].replace('d.pub_date', 'w.n')}
            FROM (SELECT rowid AS id, LAG(day) OVER story_order AS p, LEAD(day) OVER story_order AS n
                  FROM rollup_story_doc WHERE story IN (
                      SELECT story FROM rollup_story_doc WHERE day IN (SELECT day FROM temp.rollup_days))
                  WINDOW story_order AS (PARTITION BY story ORDER BY day, rowid)) w
            WHERE rollup_story_doc.rowid = w.id""")
        # only the dirty days' counts change: a changed story has all its days marked dirty
        conn.execute("DELETE FROM rollup_story_first WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute("""
            INSERT INTO rollup_story_first (part, day, week, month, key, prev, n)
            SELECT 'all', day, week, month, NULL, prev_all, COUNT(*) FROM rollup_story
                WHERE day IN (SELECT day FROM temp.rollup_days) GROUP BY day, prev_all
            UNION ALL SELECT 'region', day, week, month, region, prev_region, COUNT(*) FROM rollup_story
                WHERE day IN (SELECT day FROM temp.rollup_days) AND region IS NOT NULL GROUP BY day, region, prev_region
            UNION ALL SELECT 'topic', day, week, month, topic, prev_topic, COUNT(*) FROM rollup_story
                WHERE day IN (SELECT day FROM temp.rollup_days) AND topic IS NOT NULL GROUP BY day, topic, prev_topic""")
        conn.execute("DELETE FROM rollup_story_value_first WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute(_VALUE_FIRST_SQL)
        conn.execute("DELETE FROM rollup_dirty WHERE day IN (SELECT day FROM temp.rollup_days)")
        conn.execute("UPDATE rollup_state SET generation = generation + 1")
        conn.execute("DROP TABLE temp.rollup_facts")
    return len(days)


# filters on one value of these columns are counted from rollup_story_value_first
VALUE_DIMS = (("kind", "source_kinds"), ("outlet", "outlets"), ("sentiment", "sentiments"))
VALUE_PARTS = [[d for i, d in enumerate(c for c, _ in VALUE_DIMS) if mask >> i & 1] for mask in range(1, 8)]
_VALUE_FIRST_SQL = """
    INSERT INTO rollup_story_value_first (part, key, day, week, month, prev, n)
    WITH w AS MATERIALIZED (SELECT day, week, month, {lags} FROM rollup_story_doc WHERE story IN (
        SELECT story FROM rollup_story_doc WHERE day IN (SELECT day FROM temp.rollup_days)))
    SELECT part, key, day, week, month, prev, COUNT(*) FROM ({parts})
    WHERE day IN (SELECT day FROM temp.rollup_days) GROUP BY part, key, day, prev""".format(
    lags=", ".join(f"{' || char(31) || '.join(p)} AS key{i}, "
                   f"LAG(day) OVER (PARTITION BY story, {', '.join(p)} ORDER BY day, rowid) AS prev{i}"
                   for i, p in enumerate(VALUE_PARTS)),
    parts=" UNION ALL ".join(f"SELECT '{','.join(p)}' AS part, key{i} AS key, day, week, month, prev{i} AS prev FROM w"
                             for i, p in enumerate(VALUE_PARTS)))


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


def _group_expr(group):
    return {"source_kind": "r.kind", None: "NULL"}.get(group, f"r.{group}")


def _multi_stories(db, f, by, group):
    """{(period, group value): distinct stories} among the matching articles of stories
    with more than one article (rollup_story); by=None: the whole filtered range."""
    params = []
    where = _where(f, params)
    for name in ("region", "topic"):
        if group == name:
            where += f" AND r.{name} IS NOT NULL"  # as the live query's join: no region, no row
    period = {"day": "r.day", "week": "r.week", "month": "r.month", None: "NULL"}[by]
    if (f.sentiments or f.source_kinds or f.outlets) and group is None and not (f.regions or f.topics):
        one_value_each = _value_firsts(db, f, by)
        return one_value_each if one_value_each is not None else _lone_and_crowded(db, f, by)
    if f.sentiments or f.source_kinds or f.outlets or group in ("sentiment", "source_kind", "outlet"):
        # a story's earlier rows may not match: collect the stories themselves
        out = {}
        for p, grp, story in db.execute(
                f"SELECT {period}, {_group_expr(group)}, r.story FROM rollup_story r WHERE {where}", params):
            out.setdefault((p, grp), set()).add(story)
        return {key: len(members) for key, members in out.items()}
    # the story's first row in the period: no earlier row of it (in its partition) since the period began
    dims = [d for d in ("region", "topic") if group == d or getattr(f, d + "s")]
    if len(dims) <= 1:  # counted per day × previous day in rollup_story_first
        return _count_firsts(db, "rollup_story_first", dims[0] if dims else "all",
                             (f.regions or f.topics) if dims else None, f, by, bool(group))
    # region and topic together: the rows themselves
    start, args = _period_start(f, by)
    first = "r.prev_region_topic IS NULL" + (f" OR r.prev_region_topic < {start}" if start else "")
    return _added_up(db, f"""SELECT {period}, {_group_expr(group)}, COUNT(*) FROM rollup_story r
                             WHERE {where} AND ({first}) GROUP BY r.day{f", {_group_expr(group)}" if group else ""}""",
                     params + args)


def _period_start(f, by):
    """(SQL, params) of the first day of a row's period within the range (a range may start
    inside a week or month; by=None: the range's first day)."""
    start = {"day": "r.day", "week": "r.week", "month": "r.month"}.get(by)
    if f.date_from and by != "day":
        return ("max(" + start + ", ?)" if start else "?"), [f.date_from]
    return start, []


def _added_up(db, sql, params):
    """{(period, group value): n} of rows (period, group value, n) grouped by day in index
    order (no sort), added up per period here."""
    out = {}
    for p, grp, n in db.execute(sql, params):
        out[(p, grp)] = out.get((p, grp), 0) + n
    return out


def _count_firsts(db, table, part, keys, f, by, grouped):
    """{(period, key or None): stories} from a first-rows table (rollup_story_first or
    rollup_story_value_first): rows whose story has no earlier row in the part since the
    period began. keys: the keys to count (None: all); grouped: one count per key."""
    conds, params = ["r.part = ?"], [part]
    if keys:
        conds.append(f"r.key IN ({', '.join('?' * len(keys))})")
        params.extend(keys)
    for column, value in (("day >=", f.date_from), ("day <=", f.date_to)):
        if value:
            conds.append(f"r.{column} ?")
            params.append(value)
    start, args = _period_start(f, by)
    first = "r.prev IS NULL" + (f" OR r.prev < {start}" if start else "")
    period = {"day": "r.day", "week": "r.week", "month": "r.month", None: "NULL"}[by]
    return _added_up(db, f"""SELECT {period}, {"r.key" if grouped else "NULL"}, SUM(r.n) FROM {table} r
                             WHERE {' AND '.join(conds)} AND ({first}) GROUP BY r.day{", r.key" if grouped else ""}""",
                     params + args)


def _value_firsts(db, f, by):
    """{(period, None): stories} under one value each of kind, outlet and sentiment (any of
    them), from rollup_story_value_first; None for several values of one of them."""
    chosen = [(column, getattr(f, field)) for column, field in VALUE_DIMS if getattr(f, field)]
    if any(len(values) > 1 for _, values in chosen):
        return None
    part, key = ",".join(c for c, _ in chosen), "\x1f".join(v[0] for _, v in chosen)
    return _count_firsts(db, "rollup_story_value_first", part, [key], f, by, False)


def _lone_and_crowded(db, f, by):
    """{(period, None): stories} under sentiment/kind/outlet filters, from rollup_story_doc:
    an article that is its story's only one in the period counts 1 if it matches (a plain
    count); the stories with several articles in the period are the only ones collected."""
    params = []
    where = _where(f, params)
    period = {"day": "r.day", "week": "r.week", "month": "r.month", None: "NULL"}[by]
    if by is None:
        before, after = ("?" if f.date_from else None), ("?" if f.date_to else None)
        bounds = [v for v in (f.date_from, f.date_to) if v]
    else:
        before, after, bounds = period, {"day": "r.next", "week": "r.next_week", "month": "r.next_month"}[by], []
    alone = "(r.prev IS NULL" + (f" OR r.prev < {before})" if before else ")")
    if by is None:
        alone += " AND (r.next IS NULL" + (" OR r.next > ?)" if after else ")")
    else:
        alone += f" AND (r.next IS NULL OR {after} > {period})"
    out = {}
    for p, n in db.execute(f"SELECT {period}, COUNT(*) FROM rollup_story_doc r WHERE {where} AND {alone} "
                           "GROUP BY r.day", params + bounds):
        out[(p, None)] = out.get((p, None), 0) + n
    crowded = {}
    for p, story in db.execute(f"SELECT {period}, r.story FROM rollup_story_doc r WHERE {where} AND NOT ({alone})",
                               params + bounds):
        crowded.setdefault(p, set()).add(story)
    for p, stories in crowded.items():
        out[(p, None)] = out.get((p, None), 0) + len(stories)
    return out


def _aggregate(db, f, by, group, outlets=True, stories=True):
    """Rows (period, grp, articles, stories, outlets, negative, neutral, positive) from the
    rollups, or None when they cannot answer; by=None: one period for the whole range.
    stories=False leaves stories None (saves the distinct count)."""
    table = _plan(group, f, outlets)
    if table is None:
        return None
    params = []
    # rollup_region_topic has no outlets: 'outlets' is then None (unknown), not a wrong count
    outlets = "COUNT(DISTINCT outlet)" if TABLES[table][2] else "NULL"
    period = PERIODS[by].replace("d.pub_date", "r.day") if by else "NULL"
    sql = f"""
        SELECT {period} AS period, {_group_expr(group)} AS grp, SUM(articles) AS articles,
               SUM(singles) AS singles, {outlets} AS outlets,
               SUM(CASE WHEN sentiment = 'negative' THEN articles ELSE 0 END) AS negative,
               SUM(CASE WHEN sentiment = 'neutral' THEN articles ELSE 0 END) AS neutral,
               SUM(CASE WHEN sentiment = 'positive' THEN articles ELSE 0 END) AS positive
        FROM rollup_{table} r WHERE {_where(f, params)}
        GROUP BY period, grp ORDER BY period, grp"""
    rows = [dict(r) for r in db.query(sql, params)]
    multi = _multi_stories(db, f, by, group) if stories and rows else {}
    for r in rows:
        r["stories"] = (r["singles"] or 0) + multi.get((r["period"], r["grp"]), 0) if stories else None
    return rows


def _row(r, group=None):
    row = {key: r[key] or 0 for key in ("articles", "negative", "neutral", "positive")}
    row["stories"], row["outlets"] = r["stories"], r["outlets"]
    if group:
        row[group] = r["grp"]
    return _with_shares(row)


def counts(db, by="day", group=None, filters=None, outlets=True, stories=True):
    """Same rows as store.queries.counts, or None when the rollups cannot answer.
    outlets=False allows 'outlets' to be None (faster tables); stories=False: 'stories' None."""
    from store.queries import Filters
    if by not in PERIODS:
        raise QueryError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    if group is not None and group not in GROUPS:
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    if group == "source":
        return None
    raw = _aggregate(db, filters or Filters(), by, group, outlets, stories)
    if raw is None:
        return None
    rows = []
    for r in raw:
        row = _row(r, group)
        row["period"] = r["period"]
        rows.append(row)
    return rows


def totals(db, filters=None):
    """Same row as store.queries.totals, or None when the rollups cannot answer."""
    from store.queries import Filters
    raw = _aggregate(db, filters or Filters(), None, None)
    if raw is None:
        return None
    row = _row(raw[0]) if raw else _with_shares(
        {"articles": 0, "stories": 0, "outlets": 0, "negative": 0, "neutral": 0, "positive": 0})
    row["negative_ci"] = negative_interval(row)
    return row


def group_totals(db, group, filters=None, outlets=True, stories=True):
    """One row per group value for the whole filtered period (no period split), or None."""
    from store.queries import Filters
    if group not in GROUPS or group == "source":
        raise QueryError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    raw = _aggregate(db, filters or Filters(), None, group, outlets, stories)
    if raw is None:
        return None
    return [_row(r, group) for r in raw]
