"""Near-duplicate detection: SimHash over character shingles, confirmed by shingle Jaccard.

Exact duplicates (same canonical URL, same text hash) are handled by the store. Here a new
document joins the cluster of an earlier one when their body texts are near-identical, so
wire copies republished by several outlets and mobile/print mirrors count as one story.
"""
import datetime as dt
import hashlib
import re

import numpy as np

SHINGLE = 4
MAX_DISTANCE = 18      # SimHash candidate radius (of 64 bits)
MIN_JACCARD = 0.55     # shingle overlap that confirms a candidate
MIN_CHARS = 80         # shorter texts are too small to compare reliably
MAX_CANDIDATES = 8    # closest candidates checked by Jaccard


def normalise(text):
    """Keep letters and digits only, so spacing, punctuation and bylines' layout don't matter."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


def shingles(text, size=SHINGLE, normalised=False):
    text = text if normalised else normalise(text)
    return {text[i:i + size] for i in range(max(len(text) - size + 1, 0))}


def simhash(text):
    """64-bit SimHash as a signed int (SQLite INTEGER), or None for too short a text."""
    text = normalise(text)
    if len(text) < MIN_CHARS:
        return None
    # each shingle's 8-byte BLAKE2b digest read as a big-endian unsigned number
    digests = b"".join(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest()
                       for g in shingles(text, normalised=True))
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")  # per-byte LSB first
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(hashes)
    value = 0
    for bit in np.flatnonzero(votes > 0):  # byte order: little-endian uint64 view
        value |= 1 << int(bit)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a, b):
    return ((a ^ b) & (1 << 64) - 1).bit_count()


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


class ClusterIndex:
    """The stored documents' SimHashes, to find the story cluster of a new document."""

    def __init__(self, db):
        self.db = db
        rows = db.execute("SELECT simhash, id, cluster_id FROM documents WHERE simhash IS NOT NULL").fetchall()
        self.hashes = np.array([r[0] for r in rows], dtype=np.int64).view(np.uint64)
        self.ids = [r[1] for r in rows]
        self.clusters = [r[2] or r[1] for r in rows]

    def find(self, body, fingerprint):
        """Cluster id of the closest confirmed near-duplicate, or None."""
        if fingerprint is None or not self.ids:
            return None
        return _closest(self.db, body, fingerprint, self.hashes, self.ids, self.clusters)

    def add(self, fingerprint, doc_id, cluster_id):
        if fingerprint is not None:
            self.hashes = np.append(self.hashes, np.array([fingerprint], dtype=np.int64).view(np.uint64))
            self.ids.append(doc_id)
            self.clusters.append(cluster_id or doc_id)


def _closest(db, body, fingerprint, hashes, ids, clusters):
    """Cluster of the nearest of `hashes` (uint64 array) whose stored body confirms by Jaccard, or None."""
    probe = np.array([fingerprint], dtype=np.int64).view(np.uint64)
    dist = np.bitwise_count(hashes ^ probe)
    near = np.flatnonzero(dist <= MAX_DISTANCE)
    if not len(near):
        return None
    mine = shingles(body)
    for index in near[np.argsort(dist[near], kind="stable")][:MAX_CANDIDATES]:
        row = db.execute("SELECT body FROM documents WHERE id = ?", [ids[index]]).fetchone()
        if row and jaccard(mine, shingles(row[0])) >= MIN_JACCARD:
            return clusters[index]
    return None


class DayWindowIndex:
    """ClusterIndex over the documents within `days` of a document's Korean date only.

    Copies of one story appear within days of each other, so an import of years of history
    compares each row with its neighbourhood, read from the store a day at a time, instead
    of with every stored document (which grows with the store and with the import)."""

    def __init__(self, db, days=3):
        self.db, self.days = db, days
        self.by_day = {}  # 'YYYY-MM-DD' -> [(simhash, id, cluster_id)]

    def _day(self, day):
        if day not in self.by_day:
            self.by_day[day] = [tuple(r) for r in self.db.execute(
                "SELECT simhash, id, COALESCE(cluster_id, id) FROM documents WHERE pub_date = ? "
                "AND simhash IS NOT NULL", [day])]
        return self.by_day[day]

    def _window(self, day):
        start = dt.date.fromisoformat(day)
        return [c for k in range(-self.days, self.days + 1)
                for c in self._day((start + dt.timedelta(days=k)).isoformat())]

    def find(self, body, fingerprint, day):
        if fingerprint is None or not day:
            return None
        near = self._window(day)
        if not near:
            return None
        hashes = np.array([c[0] for c in near], dtype=np.int64).view(np.uint64)
        return _closest(self.db, body, fingerprint, hashes, [c[1] for c in near], [c[2] for c in near])

    def add(self, fingerprint, doc_id, cluster_id, day):
        if fingerprint is not None and day:
            self._day(day).append((fingerprint, doc_id, cluster_id or doc_id))
