"""Normalised attention: what each crawl source listed (the denominator) and the share of it
that became relevant articles and stories (docs/data-dictionary.md, trends: `listed` ...).

`listed_items` holds one row per (source, canonical URL) a source listed — relevant or not,
filtered by the query terms or kept — counted once however often later crawls list it again.
An item's day is its document's Korean date (`pub_date`, the day every count uses) when it was
stored; else the `day` column: the listing's Korean date, or the crawl's when the listing gave
none or an unbelievable one.

Shares count only listed items: a relevant article the listing of no source recorded (an
import, or a document stored before listings were recorded) is in no share. The numerator of
a share is the listed items that became relevant, non-duplicate documents matching the
filters; a period or group with nothing listed has no share (None), never 0 %.
"""
import datetime as dt

from store.documents import document_id
from store.queries import GROUPS, PERIODS, Filters, QueryError, _in, where_clause
from store.util import kst_date, write_transaction

MAX_LISTED_PER_RUN = 20_000  # listed items one source records per crawl: a hostile feed cannot flood the store
MAX_OUTLET_CHARS = 200
EARLIEST_DAY = "1990-01-01"  # a listing date before this, or after the crawl's day, is not believed
LISTING_GROUPS = {"source": "x.source", "outlet": "x.outlet", "source_kind": "x.source_kind"}  # own denominators
LABEL_GROUPS = ("region", "topic", "sentiment")  # share of everything listed (the period's whole denominator)
ATTENTION_GROUPS = (*LISTING_GROUPS, *LABEL_GROUPS)
OUTLET = "COALESCE(d.outlet, x.outlet, s.outlet)"  # the stored document's outlet, else the listing's


def listing_day(published_at, crawl_day):
    """(day, day_source): the listing's Korean date when it is believable, else the crawl's."""
    try:
        day = kst_date(published_at) if published_at else None
    except (TypeError, ValueError, OverflowError):
        day = None
    if day and EARLIEST_DAY <= day <= crawl_day:
        return day, "listing"
    return crawl_day, "crawl"


def kst_today(now=None):
    return kst_date((now or dt.datetime.now(dt.timezone.utc)).isoformat())


def record_listed(db, source, entries, documents=None, now=None):
    """Record the items one source listed in one crawl. `entries`: {canonical URL: {"published_at",
    "outlet"}}; `documents`: {canonical URL: id of the document the item was stored as} (after
    redirects or a rel=canonical it differs from the listing's URL). Returns the rows added."""
    documents = documents or {}
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    crawl_day = kst_today(now)
    rows = []
    for canon, listing in list(entries.items())[:MAX_LISTED_PER_RUN]:
        key = document_id(canon)
        day, day_source = listing_day(listing.get("published_at"), crawl_day)
        outlet = str(listing["outlet"])[:MAX_OUTLET_CHARS] if listing.get("outlet") else None
        rows.append((source, key, day, day_source, outlet, documents.get(canon), stamp, key))
    with write_transaction(db):
        before = db.execute("SELECT COUNT(*) FROM listed_items WHERE source = ?", [source]).fetchone()[0]
        # the document: the one this crawl stored, else the one stored under the listing's URL
        db.conn.executemany("""
            INSERT INTO listed_items (source, item_key, day, day_source, outlet, document_id, first_listed_at)
            VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, (SELECT id FROM documents WHERE id = ?8)), ?7)
            ON CONFLICT (source, item_key) DO UPDATE SET document_id = excluded.document_id
            WHERE listed_items.document_id IS NULL AND excluded.document_id IS NOT NULL""", rows)
        after = db.execute("SELECT COUNT(*) FROM listed_items WHERE source = ?", [source]).fetchone()[0]
    return after - before


def attention(db, by="day", group=None, filters=None):
    """Share-of-collection rows per period (× group), ordered by period then group value:
    `listed` items, `listed_articles` and `listed_stories` (the listed items that are relevant
    articles matching the filters, and their distinct stories), `article_share` and
    `story_share` (None where nothing was listed). Periods with nothing listed have no row.

    A listing group (source, outlet, source_kind) has its own denominator; a label group
    (region, topic, sentiment) is divided by everything listed in the period."""
    if by not in PERIODS:
        raise QueryError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    if group is not None and group not in ATTENTION_GROUPS:
        raise QueryError(f"attention group must be one of {', '.join(ATTENTION_GROUPS)}, not {group!r}")
    base, params = _listed_rows(filters)
    period = PERIODS[by].replace("d.pub_date", "x.day")
    value = LISTING_GROUPS.get(group, "NULL")
    totals = {(p, v): (n, a, s) for p, v, n, a, s in db.execute(f"""
        SELECT {period}, {value}, COUNT(DISTINCT x.item_key), COUNT(DISTINCT x.hit), COUNT(DISTINCT x.story)
        FROM ({base}) x GROUP BY 1, 2""", params)}
    if group in LABEL_GROUPS:
        expr, join = GROUPS[group]
        totals = {(p, v): (totals[(p, None)][0], a, s) for p, v, a, s in db.execute(f"""
            SELECT {period}, {expr}, COUNT(DISTINCT x.hit), COUNT(DISTINCT x.story)
            FROM ({base}) x JOIN documents d ON d.id = x.hit LEFT JOIN labels l ON l.document_id = d.id {join}
            GROUP BY 1, 2""", params)}
    rows = []
    for (p, v), (listed, articles, stories) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        row = {"period": p, "listed": listed, "listed_articles": articles, "listed_stories": stories,
               "article_share": articles / listed if listed else None,
               "story_share": stories / listed if listed else None}
        rows.append({**row, group: v} if group else row)
    return rows


def period_shares(db, group, filters=None):
    """One row per value of `group` with listed articles over the whole filtered period (highest
    share first): listed, listed_articles and article_share, the per-day rows added up (an item
    is listed on one day, so the sums are exact; stories are left out: one can span days)."""
    totals = {}
    for r in attention(db, "day", group, filters):
        acc = totals.setdefault(r[group], {group: r[group], "listed": 0, "listed_articles": 0})
        acc["listed"] += r["listed"]
        acc["listed_articles"] += r["listed_articles"]
    if group in LABEL_GROUPS:  # divided by everything listed, also on days without this region's articles
        listed = sum(r["listed"] for r in attention(db, "day", None, filters))
        for acc in totals.values():
            acc["listed"] = listed
    rows = [{**r, "article_share": r["listed_articles"] / r["listed"]} for r in totals.values() if r["listed"]]
    return sorted(rows, key=lambda r: (-r["article_share"], str(r[group])))


def _listed_rows(filters):
    """(SQL, params): one row per listed item in the filters' range and sources, with `hit` (the
    document id) and `story` (its cluster) when it became a relevant document matching the filters.

    An item's day is its stored document's date, else its own `day`: the range is looked up
    twice, through the documents' date index and through the listed items' (items without a
    dated document), so a short range never reads every listed item."""
    f = filters or Filters()
    hit_params, conds, params = [], [], []
    hit = where_clause(f.replace(date_from=None, date_to=None, sources=None, outlets=None, source_kinds=None),
                       hit_params)
    span = [f.date_from or "0000-00-00", f.date_to or "9999-99-99"]
    for values, column in ((f.sources, "x.source"), (f.source_kinds, "s.kind"), (f.outlets, OUTLET)):
        if values:
            conds.append(_in(column, values, params))
    sql = f"""
        SELECT x.source AS source, x.item_key AS item_key, COALESCE(d.pub_date, x.day) AS day,
               {OUTLET} AS outlet, s.kind AS source_kind,
               CASE WHEN d.id IS NOT NULL AND ({hit}) THEN d.id END AS hit,
               CASE WHEN d.id IS NOT NULL AND ({hit}) THEN d.cluster_id END AS story
        FROM (SELECT li.source, li.item_key, li.day, li.outlet, d.id AS doc
              FROM documents d JOIN listed_items li ON li.document_id = d.id WHERE d.pub_date BETWEEN ? AND ?
              UNION ALL
              SELECT li.source, li.item_key, li.day, li.outlet, NULL FROM listed_items li
              WHERE li.day BETWEEN ? AND ? AND NOT EXISTS (
                  SELECT 1 FROM documents o WHERE o.id = li.document_id AND o.pub_date IS NOT NULL)) x
        LEFT JOIN sources s ON s.name = x.source
        LEFT JOIN documents d ON d.id = x.doc LEFT JOIN labels l ON l.document_id = d.id
        WHERE {' AND '.join(conds) or '1'}"""
    return sql, hit_params + hit_params + span + span + params


def last_listed(db):
    """When the newest listing was recorded (None: never): part of a cache key, since a crawl
    that only lists filtered items changes the shares without touching documents or labels."""
    return db.execute("SELECT MAX(first_listed_at) FROM listed_items").fetchone()[0]
