"""Character n-gram counts of a fitted `char_wb` vectorizer, computed for a whole batch with
numpy instead of one Python string per n-gram (issue 17: the per-document cost of the TF-IDF
heads when re-labelling a store).

Exact: the counts equal those of sklearn's own analyzer. Each n-gram of up to 4 characters of
the Basic Multilingual Plane packs losslessly into a 64-bit key (16 bits a character); the
vocabulary is packed the same way and looked up in a hash index. A text with a character
beyond U+FFFF (emoji ...) goes through sklearn's analyzer.
"""
from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import scipy.sparse as sp

_tables: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _pack(codes: np.ndarray, n: int) -> np.ndarray:
    """Key of the n-gram starting at each position that has n characters left."""
    c = codes.astype(np.uint64)
    key = np.zeros(len(c) - n + 1, dtype=np.uint64)
    for i in range(n):
        key = (key << np.uint64(16)) | c[i:len(c) - n + 1 + i]
    return key


def _table(vectorizer) -> dict:
    """{n: (index of the keys, their columns)} of the vectorizer's vocabulary, built once per vectorizer."""
    table = _tables.get(vectorizer)
    if table is None:
        lo, hi = vectorizer.ngram_range
        by_n = {n: ([], []) for n in range(lo, hi + 1)}
        for term, col in vectorizer.vocabulary_.items():
            if len(term) in by_n and max(term) <= "\uffff":     # others only occur in the slow path
                key = 0
                for ch in term:
                    key = key << 16 | ord(ch)
                by_n[len(term)][0].append(key)
                by_n[len(term)][1].append(col)
        table = {}
        for n, (keys, cols) in by_n.items():
            table[n] = (pd.Index(np.array(keys, dtype=np.uint64)), np.array(cols, dtype=np.int64))
        _tables[vectorizer] = table
    return table


def counts(vectorizer, texts: list[str]) -> sp.csr_matrix:
    """The n-gram count matrix `vectorizer` (a fitted char_wb Count/TfidfVectorizer with
    lowercase) would build for `texts`, before any TF-IDF weighting."""
    assert vectorizer.analyzer == "char_wb" and vectorizer.lowercase and vectorizer.strip_accents is None \
        and not vectorizer.binary
    table, width = _table(vectorizer), len(vectorizer.vocabulary_)
    padded, doc_of_char, word_of_char, slow = [], [], [], []
    word_base = 0
    for d, text in enumerate(texts):
        words = text.lower().split()
        s = " " + "  ".join(words) + " " if words else ""
        if s and not s.isascii() and max(s) > "\uffff":
            slow.append(d)
            continue
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        padded.append(s)
        doc_of_char.append(np.full(len(s), d, dtype=np.int64))
        word_of_char.append(np.repeat(np.arange(word_base, word_base + len(words)), sizes))
        word_base += len(words)
    rows, cols, values = [], [], []
    if padded:
        codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
        doc, word = np.concatenate(doc_of_char), np.concatenate(word_of_char)
        for n, (keys, columns) in table.items():
            if len(codes) < n or not len(keys):
                continue
            key = _pack(codes, n)
            inside = np.flatnonzero(word[:len(key)] == word[n - 1:])   # n-grams within one word
            at = keys.get_indexer(key[inside])
            hit = at >= 0
            rows.append(doc[inside[hit]])
            cols.append(columns[at[hit]])
            values.append(np.ones(len(rows[-1])))
    if slow:                                                   # texts with characters beyond the BMP
        from sklearn.feature_extraction.text import CountVectorizer
        part = CountVectorizer.transform(vectorizer, [texts[d] for d in slow]).tocoo()
        rows.append(np.array(slow, dtype=np.int64)[part.row])
        cols.append(part.col.astype(np.int64))
        values.append(part.data.astype(np.float64))
    if not rows:
        return sp.csr_matrix((len(texts), width), dtype=vectorizer.dtype)
    X = sp.csr_matrix((np.concatenate(values).astype(vectorizer.dtype), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(len(texts), width))
    X.sum_duplicates()
    X.sort_indices()
    return X


def tfidf(vectorizer, texts: list[str]) -> sp.csr_matrix:
    """What `vectorizer.transform(texts)` returns (a fitted char_wb TfidfVectorizer)."""
    return vectorizer._tfidf.transform(counts(vectorizer, texts), copy=False)
