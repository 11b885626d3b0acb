"""Crawled documents: idempotent saves keyed by the canonical URL, exact dedup by content hash."""
import hashlib
import re

from store.util import is_web_url, kst_date, utc_now, write_transaction

FIELDS = (
    "url", "canonical_url", "source", "kind", "outlet", "title", "summary", "body", "lang",
    "author", "published_at", "date_source", "region_hint", "simhash", "cluster_id",
)


def document_id(canonical_url):
    """Stable id from the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(title, body):
    """Hash of the normalised text, so whitespace or chrome-free copies compare equal."""
    text = re.sub(r"\s+", " ", f"{title or ''} {body or ''}").strip().lower()
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def save_document(db, doc):
    """Insert or update one document. Returns (id, status).

    status: "new", "updated" (text changed), "unchanged", or "duplicate" (new URL whose
    text equals an already stored document: stored with duplicate_of pointing at it).
    """
    if not doc.get("canonical_url"):
        raise ValueError("document has no canonical_url")
    for key in ("url", "canonical_url"):
        if doc.get(key) and not is_web_url(doc[key]):
            raise ValueError(f"document {key} is not an http(s) URL: {str(doc[key])[:80]!r}")
    row = {key: doc.get(key) for key in FIELDS}
    row["url"] = row["url"] or row["canonical_url"]
    doc_id = document_id(row["canonical_url"])
    row["id"] = doc_id
    row["content_hash"] = content_hash(row["title"], row["body"])
    row["pub_date"] = kst_date(row["published_at"])
    now = utc_now()
    with write_transaction(db):
        existing = db.execute(
            "SELECT content_hash, cluster_id, duplicate_of FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if existing:
            if existing[0] == row["content_hash"]:
                return doc_id, "unchanged"
            row["updated_at"] = now
            row["cluster_id"] = row["cluster_id"] or existing[1]
            db["documents"].update(doc_id, row)
            return doc_id, "updated"
        original = db.execute(
            "SELECT id, cluster_id FROM documents WHERE content_hash = ? AND duplicate_of IS NULL LIMIT 1",
            [row["content_hash"]],
        ).fetchone()
        status = "new"
        if original:
            row["duplicate_of"] = original[0]
            row["cluster_id"] = original[1]
            status = "duplicate"
        row["cluster_id"] = row["cluster_id"] or doc_id
        row["fetched_at"] = now
        row["updated_at"] = now
        db["documents"].insert(row)
    return doc_id, status


def known_canonical_urls(db, source=None):
    """The canonical URLs already stored (for incremental crawls)."""
    sql, params = "SELECT canonical_url FROM documents", []
    if source:
        sql, params = sql + " WHERE source = ?", [source]
    return {r[0] for r in db.execute(sql, params)}

