"""Stored documents: idempotent saves keyed by the canonical URL, exact dedup by content hash,
and one document per article across crawls and imports.

The same article is found, in this order, by its canonical URL, or by its title + Korean date
+ outlet (`match_key`) when one of the two copies has no real article URL (none, or a portal
link) or both are on the same site. The copy with more text wins the text (full > snippet >
title); the other copy only fills in what is missing, so a crawled full text upgrades an
imported BigKinds snippet and a later import never overwrites a crawled article.
"""
import hashlib
import re
from urllib.parse import urlsplit

from store.util import is_web_url, kst_date, utc_now, write_transaction

FIELDS = (
    "url", "canonical_url", "source", "kind", "outlet", "title", "summary", "body", "lang",
    "author", "published_at", "date_source", "region_hint", "simhash", "cluster_id",
    "text_basis", "origin_kind", "import_file", "import_sha256", "import_row",
)
TEXT_RANK = {"title": 0, "snippet": 1, "full": 2}
TEXT_FIELDS = ("title", "summary", "body", "lang", "content_hash", "simhash", "text_basis")
PROVENANCE = ("import_file", "import_sha256", "import_row")
FILL_IN = ("author", "summary", "region_hint")
# News portals and archives: their links are not the outlet's article URL, so two copies of
# one article may carry different links there.
PORTAL_HOSTS = ("news.naver.com", "n.news.naver.com", "m.news.naver.com", "news.v.daum.net", "v.daum.net",
                "news.daum.net", "news.nate.com", "m.news.nate.com", "news.zum.com", "news.google.com",
                "bigkinds.or.kr", "www.bigkinds.or.kr")
NO_URL_SCHEME = "urn:"  # canonical_url of an imported article without a usable URL
_TAG = re.compile(r"^\s*(?:[\[\(【〔<][^\]\)】〕>]{0,12}[\]\)】〕>]\s*)+")  # leading [단독], (종합), 【사설】


def document_id(canonical_url):
    """Stable id from the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(title, body):
    """Hash of the normalised text, so whitespace or chrome-free copies compare equal."""
    text = re.sub(r"\s+", " ", f"{title or ''} {body or ''}").strip().lower()
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _letters(text):
    return re.sub(r"[\W_]+", "", (text or "").lower())


def match_key(title, pub_date, outlet):
    """Key of 'the same article' without a URL: normalised title (leading tags like [단독]
    dropped, letters and digits only) + Korean date + normalised outlet. '' when any is missing."""
    parts = (_letters(_TAG.sub("", title or "")), pub_date or "", _letters(outlet))
    if not all(parts):
        return ""
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:20]


def weak_url(canonical_url):
    """True when the URL does not identify the outlet's article page (none, or a portal link)."""
    if not canonical_url or canonical_url.startswith(NO_URL_SCHEME):
        return True
    host = (urlsplit(canonical_url).hostname or "").lower()
    return host in PORTAL_HOSTS or any(host.endswith("." + p) for p in PORTAL_HOSTS)


def _site(url):
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def text_basis(doc):
    """How much text a document has, unless its producer said: body -> full, only a summary -> snippet."""
    if doc.get("text_basis"):
        return doc["text_basis"]
    return "full" if doc.get("body") else "snippet" if doc.get("summary") else "title"


def _is_import_id(key, doc):
    """An imported article without a usable link is keyed by urn:<format>:<id>: an identifier,
    never a link (the url stays empty, and only http(s) urls are ever linked)."""
    return key == "canonical_url" and doc.get("origin_kind", "crawl") != "crawl" \
        and re.fullmatch(rf"{NO_URL_SCHEME}[a-z]+:[\w.:-]+", doc[key]) is not None


def save_document(db, doc):
    """Insert or update one document. Returns (id, status).

    status: "new", "updated" (text changed or upgraded), "unchanged", "duplicate" (new URL
    whose text equals an already stored document: stored with duplicate_of pointing at it),
    or, for imported rows only, "merged" (joined an article already stored from another
    crawl or import, adding what it lacked).
    """
    if not doc.get("canonical_url"):
        raise ValueError("document has no canonical_url")
    for key in ("url", "canonical_url"):
        if doc.get(key) and not is_web_url(doc[key]) and not _is_import_id(key, doc):
            raise ValueError(f"document {key} is not an http(s) URL: {str(doc[key])[:80]!r}")
    row = {key: doc.get(key) for key in FIELDS}
    row["url"] = row["url"] if row["url"] is not None else row["canonical_url"]
    row["text_basis"] = text_basis(doc)
    if row["text_basis"] not in TEXT_RANK:
        raise ValueError(f"text_basis must be one of {', '.join(TEXT_RANK)}, not {row['text_basis']!r}")
    row["origin_kind"] = row["origin_kind"] or "crawl"
    row["content_hash"] = content_hash(row["title"], row["body"])
    row["pub_date"] = kst_date(row["published_at"])
    row["match_key"] = match_key(row["title"], row["pub_date"], row["outlet"])
    with write_transaction(db):
        existing = _same_article(db, row)
        if existing:
            return existing["id"], _merge(db, existing, row)
        doc_id = row["id"] = document_id(row["canonical_url"])
        status = "new"
        # a title alone is too little to call two articles copies; the match_key covers those
        original = row["text_basis"] != "title" and db.execute(
            "SELECT id, cluster_id FROM documents WHERE content_hash = ? AND duplicate_of IS NULL LIMIT 1",
            [row["content_hash"]],
        ).fetchone()
        if original:
            row["duplicate_of"] = original[0]
            row["cluster_id"] = original[1]
            status = "duplicate"
        row["cluster_id"] = row["cluster_id"] or doc_id
        row["fetched_at"] = row["updated_at"] = utc_now()
        columns = list(row)
        db.execute(f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                   [row[c] for c in columns])
    return doc_id, status


_COLUMNS = ("id", "canonical_url", "url", "outlet", "published_at", "pub_date", "date_source", "cluster_id",
            "match_key", "origin_kind") + TEXT_FIELDS + PROVENANCE + FILL_IN


def _same_article(db, row):
    """The stored document this row is a copy of, or None."""
    select = f"SELECT {', '.join(_COLUMNS)} FROM documents"
    found = db.execute(f"{select} WHERE canonical_url = ?", [row["canonical_url"]]).fetchone()
    if found:
        return dict(zip(_COLUMNS, found))
    if not row["match_key"]:
        return None
    for found in db.execute(f"{select} WHERE match_key = ? AND duplicate_of IS NULL ORDER BY rowid",
                            [row["match_key"]]):
        other = dict(zip(_COLUMNS, found))
        # two crawled pages with their own article URLs are two articles, even on one site;
        # an imported copy on the same site is the same article written another way (http, www)
        either_imported = row.get("origin_kind", "crawl") != "crawl" or other["origin_kind"] != "crawl"
        if weak_url(other["canonical_url"]) or weak_url(row["canonical_url"]) \
                or (either_imported and _site(other["canonical_url"]) == _site(row["canonical_url"])):
            return other
    return None


def _merge(db, old, new):
    """Bring what `new` adds into the stored document `old`; returns the status."""
    changes = {}
    imported = new["origin_kind"] != "crawl"
    upgrade = TEXT_RANK[new["text_basis"]] > TEXT_RANK[old["text_basis"]]
    # a crawl of the same URL takes the page as it is now; an import never replaces text of equal extent
    refresh = not imported and old["canonical_url"] == new["canonical_url"] \
        and new["text_basis"] == old["text_basis"] and new["content_hash"] != old["content_hash"]
    if upgrade or refresh:
        changes.update({key: new[key] for key in TEXT_FIELDS})
        changes["cluster_id"] = new["cluster_id"] or old["cluster_id"]
        if old["date_source"] == "import" and new["date_source"] not in ("import", "fetched", None):
            # a page or feed time beats a day from a file
            changes.update(published_at=new["published_at"], pub_date=new["pub_date"], date_source=new["date_source"])
        if not weak_url(new["canonical_url"]) and (weak_url(old["canonical_url"]) or upgrade and not imported):
            changes.update(url=new["url"], canonical_url=new["canonical_url"])  # the crawled page's own address
        changes["match_key"] = match_key(new["title"], changes.get("pub_date", old["pub_date"]), old["outlet"])
    for key in FILL_IN + ("url",):
        if not old[key] and new[key] and key not in changes:
            changes[key] = new[key]
    if imported and not old["import_sha256"]:
        changes.update({key: new[key] for key in PROVENANCE})
    changes = {k: v for k, v in changes.items() if v != old.get(k, object())}
    if not changes:
        return "unchanged"
    changes["updated_at"] = utc_now()
    db.execute(f"UPDATE documents SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
               [*changes.values(), old["id"]])
    if upgrade:  # labels from the shorter text are redone by the next classify
        db.execute("DELETE FROM classifications WHERE document_id = ?", [old["id"]])
    own_row = (old["import_sha256"], old["import_row"]) == (new["import_sha256"], new["import_row"])
    return "merged" if imported and not own_row else "updated"


def backfill_match_keys(db, batch=5000):
    """Compute match_key for documents stored before it existed (once; '' when not computable)."""
    done = 0
    while True:
        rows = db.execute("SELECT id, title, pub_date, outlet FROM documents WHERE match_key IS NULL LIMIT ?",
                          [batch]).fetchall()
        if not rows:
            return done
        with write_transaction(db):
            db.conn.executemany("UPDATE documents SET match_key = ? WHERE id = ?",
                                [(match_key(t, d, o), i) for i, t, d, o in rows])
        done += len(rows)


def known_canonical_urls(db, source=None):
    """The canonical URLs already stored (for incremental crawls), except imported articles
    without their full text: their pages are still worth fetching."""
    sql, params = "SELECT canonical_url FROM documents WHERE (text_basis = 'full' OR origin_kind = 'crawl')", []
    if source:
        sql, params = sql + " AND source = ?", [source]
    return {r[0] for r in db.execute(sql, params)}
