"""Near-duplicate detection: SimHash over character shingles, confirmed by shingle Jaccard.

Exact duplicates (same canonical URL, same text hash) are handled by the store. Here a new
document joins the cluster of an earlier one when their body texts are near-identical, so
wire copies republished by several outlets and mobile/print mirrors count as one story.
"""
import hashlib
import re

SHINGLE = 4
MAX_DISTANCE = 18      # SimHash candidate radius (of 64 bits)
MIN_JACCARD = 0.55     # shingle overlap that confirms a candidate
MIN_CHARS = 80         # shorter texts are too small to compare reliably


def normalise(text):
    """Keep letters and digits only, so spacing, punctuation and bylines' layout don't matter."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


def shingles(text, size=SHINGLE):
    text = normalise(text)
    return {text[i:i + size] for i in range(max(len(text) - size + 1, 0))}


def _hash64(token):
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text):
    """64-bit SimHash as a signed int (SQLite INTEGER), or None for too short a text."""
    grams = shingles(text)
    if len(normalise(text)) < MIN_CHARS:
        return None
    weights = [0] * 64
    for gram in grams:
        h = _hash64(gram)
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a, b):
    return ((a ^ b) & (1 << 64) - 1).bit_count()


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


class ClusterIndex:
    """The stored documents' SimHashes, to find the story cluster of a new document."""

    def __init__(self, db):
        self.db = db
        self.entries = [  # (simhash, document id, cluster id)
            (row[0], row[1], row[2] or row[1])
            for row in db.execute("SELECT simhash, id, cluster_id FROM documents WHERE simhash IS NOT NULL")
        ]

    def find(self, body, fingerprint):
        """Cluster id of the closest confirmed near-duplicate, or None."""
        if fingerprint is None:
            return None
        candidates = sorted((distance(fingerprint, s), doc_id, cluster) for s, doc_id, cluster in self.entries
                            if distance(fingerprint, s) <= MAX_DISTANCE)
        mine = shingles(body)
        for _, doc_id, cluster in candidates[:20]:
            row = self.db.execute("SELECT body FROM documents WHERE id = ?", [doc_id]).fetchone()
            if row and jaccard(mine, shingles(row[0])) >= MIN_JACCARD:
                return cluster
        return None

    def add(self, fingerprint, doc_id, cluster_id):
        if fingerprint is not None:
            self.entries.append((fingerprint, doc_id, cluster_id or doc_id))
