"""Embeddings and Kiwi morphemes kept in the store, so re-labelling after a head retrain
costs the heads, not the encoder (issue 17; docs/model.md "Embedding cache").

Keys: the hash of the exact text that is embedded (title + cleaned body, so a change of the
cleaning re-embeds only the texts it changes) and the encoder's `cache_key` (weights,
tokenizer and adapter files, precision family, max length, pooling code); morphemes use the
analyser key (Kiwi release, tags, nlp/morph.py); region evidence uses the hash of the title and
cleaned body and the rules' key (nlp/regions.py). Vectors are stored as float16 and every
caller gets the float16-rounded vector, cached or fresh, so a hit and a miss label alike.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from nlp import morph, regions
from nlp.clean import MAX_TITLE_CHARS
from store.util import write_transaction

CHUNK = 500                                 # hashes per SQL lookup


def text_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:32]


def _lookup(db, table, column, key_column, key, hashes):
    found = {}
    for s in range(0, len(hashes), CHUNK):
        part = hashes[s:s + CHUNK]
        rows = db.execute(f"SELECT text_hash, {column} FROM {table} WHERE {key_column} = ? "
                          f"AND text_hash IN ({','.join('?' * len(part))})", [key, *part])
        found.update(rows.fetchall())
    return found


class CachedEncoder:
    """Wraps an Encoder: embed() reads the store first, encodes only the misses and saves
    them. While `active()`, also serves the cached morphemes of the same texts (TF-IDF heads)
    and the region evidence of each document (region heads)."""

    def __init__(self, encoder, db):
        self.encoder, self.db = encoder, db
        self.hits = self.misses = 0
        self._analyzer, self._rules = morph.analyzer_key(), regions.rules_key()
        self._tokens: dict | None = None
        self._stored_tokens: set = set()

    def __getattr__(self, name):            # name, dim, max_length, fingerprint, precision ...
        return getattr(self.encoder, name)

    def embed(self, texts: list[str], batch_size: int = 32, chunk: bool = False,
              max_chunks: int = 4) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        key = self.encoder.cache_key + (f"-chunk{max_chunks}" if chunk else "")
        hashes = [text_hash(t) for t in texts]
        unique = list(dict.fromkeys(hashes))
        found = {h: np.frombuffer(v, dtype=np.float16)
                 for h, v in _lookup(self.db, "embedding_cache", "vector", "encoder_key", key, unique).items()}
        todo = {h: t for h, t in zip(hashes, texts) if h not in found}
        self.hits += len(unique) - len(todo)
        self.misses += len(todo)
        if todo:
            vecs = self.encoder.embed(list(todo.values()), batch_size=batch_size, chunk=chunk,
                                      max_chunks=max_chunks).astype(np.float16)
            with write_transaction(self.db):
                self.db.conn.executemany(
                    "INSERT OR REPLACE INTO embedding_cache (text_hash, encoder_key, vector) VALUES (?, ?, ?)",
                    [(h, key, v.tobytes()) for h, v in zip(todo, vecs)])
            found.update(zip(todo, vecs))
        if self._tokens is not None:
            self._load_tokens(texts, hashes)
        return np.stack([found[h] for h in hashes]).astype(np.float32)

    def _load_tokens(self, texts, hashes):
        rows = _lookup(self.db, "morpheme_cache", "tokens", "analyzer_key", self._analyzer,
                       list(dict.fromkeys(hashes)))
        for h, t in zip(hashes, texts):
            if h in rows:
                self._tokens[t] = json.loads(rows[h])
                self._stored_tokens.add(t)

    def evidence(self, pairs: list[tuple[str, str]]) -> list[dict]:
        """Region evidence of each (title, cleaned body): read from the store, the missing
        computed and saved."""
        hashes = [text_hash(f"{title[:MAX_TITLE_CHARS]}\0{body}") for title, body in pairs]
        found = {h: json.loads(v) for h, v in _lookup(self.db, "region_cache", "evidence", "rules_key",
                                                       self._rules, list(dict.fromkeys(hashes))).items()}
        new = {}
        for h, (title, body) in zip(hashes, pairs):
            if h not in found:
                found[h] = new[h] = regions.region_evidence(title, body)
        if new:
            with write_transaction(self.db):
                self.db.conn.executemany("INSERT OR REPLACE INTO region_cache (text_hash, rules_key, evidence) "
                                         "VALUES (?, ?, ?)", [(h, self._rules, json.dumps(ev, ensure_ascii=False))
                                                              for h, ev in new.items()])
        return [found[h] for h in hashes]

    @contextlib.contextmanager
    def active(self):
        """Within: Kiwi morphemes of embedded texts and region evidence come from (and go to)
        the store."""
        self._tokens, self._stored_tokens = {}, set()
        morph.set_memo(self._tokens)
        regions.set_cache(self.evidence)
        try:
            yield self
            new = [(text_hash(t), self._analyzer, json.dumps(v, ensure_ascii=False))
                   for t, v in self._tokens.items() if t not in self._stored_tokens]
            if new:
                with write_transaction(self.db):
                    self.db.conn.executemany("INSERT OR REPLACE INTO morpheme_cache "
                                             "(text_hash, analyzer_key, tokens) VALUES (?, ?, ?)", new)
        finally:
            morph.set_memo(None)
            regions.set_cache(None)
            self._tokens = None


@contextlib.contextmanager
def morphemes_kept_in(path):
    """Kiwi morphemes of the texts analysed inside the block, read from and added to a JSON
    file named after the analyser key (training on the seed set without a store: each
    training, test and rebuild re-uses them instead of running Kiwi on the same texts again)."""
    path = Path(path).with_name(f"{Path(path).stem}-{morph.analyzer_key()}.json")
    try:
        tokens = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tokens = {}
    known = len(tokens)
    morph.set_memo(tokens)
    try:
        yield
    finally:
        morph.set_memo(None)
    if len(tokens) > known:
        with contextlib.suppress(OSError):          # a cache: failing to keep it costs time only
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{os.getpid()}.part")
            part.write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
            os.replace(part, path)

